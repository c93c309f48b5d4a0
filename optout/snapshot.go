package optout

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bawwab/bawwab"
)

// A snapshot is the index written to a file, so that a restart loads it in
// a fraction of a second and replays only the store's changes after its
// sequence, instead of reading the whole register.
//
// Layout (integers little-endian, "uvarint" as encoding/binary writes it):
//
//	header, 40 bytes:
//	  magic     "BWOPTIDX"
//	  version   uint32 = 1
//	  flags     uint32 = 0
//	  seq       int64   the last change the snapshot reflects
//	  scopes    uint32  number of scope sections
//	  foreign   uint32  number of foreign numbers
//	  reserved  uint32 = 0
//	  crc       uint32  CRC-32C of the 36 bytes above
//	body:
//	  foreign numbers, in member order: uvarint length, E.164 bytes
//	  scopes, national first, in handle order:
//	    kind      byte (bawwab.ScopeKind)
//	    id        uvarint length, bytes (empty for national)
//	    numbers   uvarint, the set's cardinality
//	    set       uvarint length, then the set in the roaring portable
//	              format (https://github.com/RoaringBitmap/RoaringFormatSpec),
//	              without run containers
//	trailer, 16 bytes:
//	  length    uint64  of the body
//	  crc       uint32  CRC-32C of the body
//	  magic     "BWOE"
//
// Members are as in the index: a Moroccan number's NSN, or 10^9 plus the
// rank of a foreign number in the list. The checksums catch a torn or
// damaged file; they are no defence against someone who can write it.

const (
	snapshotVersion = 1
	headerLen       = 40
	trailerLen      = 16
	headerMagic     = "BWOPTIDX"
	trailerMagic    = "BWOE"
)

// ErrCorrupt is the error (wrapped, test it with errors.Is) of a snapshot
// that cannot be trusted: truncated, damaged, not a snapshot, or of an
// unknown version. The caller should then rebuild the index from the
// store.
var ErrCorrupt = errors.New("corrupt opposition snapshot")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type scopeSnapshot struct {
	key    bawwab.Scope
	chunks []chunk
}

// capture takes a consistent view of the index: the containers are
// immutable, so holding writers off only while their pointers are copied
// is enough.
func (ix *Index) capture() (seq int64, scopes []scopeSnapshot, foreign []string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, sc := range *ix.scopes.Load() {
		scopes = append(scopes, scopeSnapshot{sc.key, sc.set.Load().chunks()})
	}
	return ix.seq.Load(), scopes, ix.foreignNums[:len(ix.foreignNums):len(ix.foreignNums)]
}

// WriteTo writes a snapshot of the index to w. It holds writers off only
// while it takes its view of the index, not while it writes.
func (ix *Index) WriteTo(w io.Writer) (int64, error) {
	seq, scopes, foreign := ix.capture()
	sw := &snapshotWriter{w: w}

	var head [headerLen]byte
	copy(head[:], headerMagic)
	binary.LittleEndian.PutUint32(head[8:], snapshotVersion)
	binary.LittleEndian.PutUint64(head[16:], uint64(seq))
	binary.LittleEndian.PutUint32(head[24:], uint32(len(scopes)))
	binary.LittleEndian.PutUint32(head[28:], uint32(len(foreign)))
	binary.LittleEndian.PutUint32(head[36:], crc32.Checksum(head[:36], castagnoli))
	sw.Write(head[:])

	sw.crc = crc32.New(castagnoli)
	bodyStart := sw.n
	for _, num := range foreign {
		sw.uvarint(uint64(len(num)))
		io.WriteString(sw, num)
	}
	vals := make([]uint32, 0, 1<<16)
	for _, s := range scopes {
		sw.Write([]byte{byte(s.key.Kind)})
		sw.uvarint(uint64(len(s.key.ID)))
		io.WriteString(sw, s.key.ID)
		rb := roaring.New()
		var card uint64
		for _, ch := range s.chunks {
			vals = ch.c.appendTo(vals[:0], ch.key)
			rb.AddMany(vals)
			card += uint64(len(vals))
		}
		if rb.HasRunCompression() || rb.GetCardinality() != card {
			return sw.n, fmt.Errorf("write opposition snapshot: scope %s: roaring bitmap does not match the set", s.key)
		}
		sw.uvarint(card)
		sw.uvarint(rb.GetSerializedSizeInBytes())
		if sw.err == nil {
			_, sw.err = rb.WriteTo(sw)
		}
	}

	var tail [trailerLen]byte
	binary.LittleEndian.PutUint64(tail[0:], uint64(sw.n-bodyStart))
	binary.LittleEndian.PutUint32(tail[8:], sw.crc.Sum32())
	copy(tail[12:], trailerMagic)
	sw.crc = nil
	sw.Write(tail[:])
	if sw.err != nil {
		return sw.n, fmt.Errorf("write opposition snapshot: %w", sw.err)
	}
	return sw.n, nil
}

// snapshotWriter counts, checksums and keeps the first error, so that the
// format reads straight in WriteTo.
type snapshotWriter struct {
	w   io.Writer
	crc hash.Hash32
	n   int64
	err error
	buf [binary.MaxVarintLen64]byte
}

func (sw *snapshotWriter) Write(p []byte) (int, error) {
	if sw.err != nil {
		return 0, sw.err
	}
	n, err := sw.w.Write(p)
	sw.n += int64(n)
	if sw.crc != nil {
		sw.crc.Write(p[:n])
	}
	sw.err = err
	return n, err
}

func (sw *snapshotWriter) uvarint(v uint64) {
	sw.Write(sw.buf[:binary.PutUvarint(sw.buf[:], v)])
}

// Save writes a snapshot of the index to path atomically: to a temporary
// file in the same directory, synced, then renamed over path, and the
// directory synced, so that path holds either the old snapshot or the new
// one, whole, even after a crash. The file is readable by its owner only:
// it lists subscribers' numbers.
func (ix *Index) Save(path string) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return fmt.Errorf("save opposition snapshot: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if _, err := ix.WriteTo(bw); err != nil {
		return fmt.Errorf("save opposition snapshot: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("save opposition snapshot: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("save opposition snapshot: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save opposition snapshot: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("save opposition snapshot: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("save opposition snapshot: sync directory: %w", err)
		}
	}
	return nil
}

// Load reads a snapshot written by Save. A missing file is an error that
// errors.Is(err, fs.ErrNotExist) recognises; a damaged one is ErrCorrupt.
// Either way, build the index from the store instead. After Load, apply
// the store's changes after the index's Seq.
func Load(path string) (*Index, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load opposition snapshot: %w", err)
	}
	ix, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("load opposition snapshot %s: %w", path, err)
	}
	return ix, nil
}

// Read reads a snapshot written by WriteTo from r, to its end.
func Read(r io.Reader) (*Index, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read opposition snapshot: %w", err)
	}
	ix, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("read opposition snapshot: %w", err)
	}
	return ix, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// decode checks and reads a whole snapshot. Whatever data holds, it
// allocates at most a small multiple of len(data): every count it reads is
// checked against the bytes that remain before it is used.
func decode(data []byte) (*Index, error) {
	if len(data) < headerLen+trailerLen {
		if len(data) >= len(headerMagic) && string(data[:len(headerMagic)]) != headerMagic {
			return nil, corrupt("not an opposition snapshot")
		}
		return nil, corrupt("truncated: %d bytes", len(data))
	}
	head := data[:headerLen]
	if string(head[:8]) != headerMagic {
		return nil, corrupt("not an opposition snapshot")
	}
	if sum := binary.LittleEndian.Uint32(head[36:]); sum != crc32.Checksum(head[:36], castagnoli) {
		return nil, corrupt("header checksum mismatch")
	}
	if v := binary.LittleEndian.Uint32(head[8:]); v != snapshotVersion {
		return nil, corrupt("unsupported version %d (this build reads version %d)", v, snapshotVersion)
	}
	if binary.LittleEndian.Uint32(head[12:]) != 0 || binary.LittleEndian.Uint32(head[32:]) != 0 {
		return nil, corrupt("unknown flags")
	}
	seq := int64(binary.LittleEndian.Uint64(head[16:]))
	nScopes := binary.LittleEndian.Uint32(head[24:])
	nForeign := binary.LittleEndian.Uint32(head[28:])
	if seq < 0 {
		return nil, corrupt("negative sequence")
	}

	tail := data[len(data)-trailerLen:]
	body := data[headerLen : len(data)-trailerLen]
	if string(tail[12:]) != trailerMagic {
		return nil, corrupt("truncated: no trailer")
	}
	if n := binary.LittleEndian.Uint64(tail[0:]); n != uint64(len(body)) {
		return nil, corrupt("truncated: body of %d bytes, the trailer says %d", len(body), n)
	}
	if sum := binary.LittleEndian.Uint32(tail[8:]); sum != crc32.Checksum(body, castagnoli) {
		return nil, corrupt("body checksum mismatch")
	}

	r := &bodyReader{b: body}
	// Each foreign number takes at least 6 bytes, each scope at least 12.
	if uint64(nForeign) > uint64(len(body))/6 || uint64(nScopes) > uint64(len(body))/12 || nScopes == 0 {
		return nil, corrupt("counts do not fit the body")
	}
	if nForeign > maxForeign {
		return nil, corrupt("too many foreign numbers")
	}
	foreignNums := make([]string, 0, nForeign)
	seen := make(map[string]bool, nForeign)
	for i := range nForeign {
		num := string(r.bytes())
		if r.err != nil {
			return nil, r.err
		}
		if _, foreign, ok := splitE164(num); !ok || !foreign {
			return nil, corrupt("foreign number %d is not a foreign E.164 number", i)
		}
		if seen[num] {
			return nil, corrupt("foreign number %d listed twice", i)
		}
		seen[num] = true
		foreignNums = append(foreignNums, num)
	}
	seen = nil

	scopes := make([]bawwab.Scope, 0, nScopes)
	chunks := make([][]chunk, 0, nScopes)
	known := make(map[bawwab.Scope]bool, nScopes)
	var lows []uint16 // grows to the largest chunk
	vals := make([]uint32, 1024)
	limit := uint64(foreignBase) + uint64(nForeign) // members are below it
	for i := range nScopes {
		kind := r.byte()
		id := string(r.bytes())
		card := r.uvarint()
		blob := r.bytes()
		if r.err != nil {
			return nil, r.err
		}
		key := bawwab.Scope{Kind: bawwab.ScopeKind(kind), ID: id}
		if checkScope(key) != nil {
			return nil, corrupt("scope %d: invalid", i)
		}
		if (i == 0) != (key.Kind == bawwab.ScopeNational) {
			return nil, corrupt("scope %d: the national scope must come first, once", i)
		}
		if known[key] {
			return nil, corrupt("scope %d: listed twice", i)
		}
		known[key] = true
		if len(blob) < 8 || binary.LittleEndian.Uint32(blob) != 12346 {
			return nil, corrupt("scope %d: not a roaring bitmap without runs", i)
		}
		rb := roaring.New()
		n, err := rb.FromBuffer(blob)
		if err != nil || n != int64(len(blob)) {
			return nil, corrupt("scope %d: bad roaring bitmap", i)
		}
		if err := rb.Validate(); err != nil {
			return nil, corrupt("scope %d: bad roaring bitmap: %v", i, err)
		}
		var set []chunk
		var count uint64
		prev, cur := int64(-1), uint16(0)
		it := rb.ManyIterator()
		for {
			m := it.NextMany(vals)
			if m == 0 {
				break
			}
			for _, x := range vals[:m] {
				if int64(x) <= prev || x < minNSN || uint64(x) >= limit {
					return nil, corrupt("scope %d: members out of order or out of range", i)
				}
				prev = int64(x)
				if len(lows) > 0 && uint16(x>>16) != cur {
					set = append(set, chunk{cur, fromSorted(lows)})
					lows = lows[:0]
				}
				cur = uint16(x >> 16)
				lows = append(lows, uint16(x))
			}
			count += uint64(m)
		}
		if len(lows) > 0 {
			set = append(set, chunk{cur, fromSorted(lows)})
			lows = lows[:0]
		}
		if count != card {
			return nil, corrupt("scope %d: %d numbers, the header says %d", i, count, card)
		}
		scopes = append(scopes, key)
		chunks = append(chunks, set)
	}
	if r.err == nil && len(r.b) > 0 {
		return nil, corrupt("%d bytes after the last scope", len(r.b))
	}
	return assemble(seq, scopes, chunks, foreignNums), nil
}

// bodyReader reads the body's fields and keeps the first error.
type bodyReader struct {
	b   []byte
	err error
}

func (r *bodyReader) fail() {
	if r.err == nil {
		r.err = corrupt("truncated body")
	}
	r.b = nil
}

func (r *bodyReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *bodyReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes reads a length-prefixed field; the result aliases the body.
func (r *bodyReader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

var _ io.WriterTo = (*Index)(nil)
