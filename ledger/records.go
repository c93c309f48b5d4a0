package ledger

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"golang.org/x/mod/sumdb/tlog"
)

// The byte layouts of the files of a FileStore (FORMAT.md has the whole
// picture). Every file that holds records starts with a 16-byte header:
// 8 bytes of magic and the index of its first entry, big-endian. Records
// are length-prefixed and end with a CRC-32C of all their bytes, so that a
// record cut short by a crash, or damaged, is never taken for data.

const (
	logMagic   = "BWL1LOG\n"
	textMagic  = "BWL1TXT\n"
	cpMagic    = "BWL1CKP\n"
	headerSize = 16

	// frame: u32 len | u64 index | u8 flags | data | chain[32] | u32 crc
	frameHeader   = 13
	frameOverhead = frameHeader + tlog.HashSize + 4
	flagText      = 0x01

	// text: u32 len | u64 index | i64 time | nonce[16] | body | u32 crc
	textHeader   = 4 + 8 + 8 + TextNonceSize
	textOverhead = textHeader + 4

	// checkpoint: u32 len | u64 n | note | u32 crc
	cpHeader      = 12
	cpOverhead    = cpHeader + 4
	maxNoteSize   = 1 << 16
	idxEntrySize  = 8 // u32 frame offset | u32 text offset + 1 (0: none)
	maxReadBuffer = 4 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func appendHeader(dst []byte, magic string, first int64) []byte {
	dst = append(dst, magic...)
	return binary.BigEndian.AppendUint64(dst, uint64(first))
}

// checkHeader checks a file header and returns the first index it names.
func checkHeader(b []byte, magic string) (int64, error) {
	if len(b) < headerSize {
		return 0, errIncomplete
	}
	if string(b[:8]) != magic {
		return 0, fmt.Errorf("bad magic %q (want %q)", b[:8], magic)
	}
	first := binary.BigEndian.Uint64(b[8:])
	if first > math.MaxInt64 {
		return 0, fmt.Errorf("bad first index %d", first)
	}
	return int64(first), nil
}

func appendFrame(dst []byte, r *Record) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(r.Data)))
	dst = binary.BigEndian.AppendUint64(dst, uint64(r.Index))
	var flags byte
	if r.HasText {
		flags = flagText
	}
	dst = append(dst, flags)
	dst = append(dst, r.Data...)
	dst = append(dst, r.Chain[:]...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func appendTextRecord(dst []byte, index int64, t *Text) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(t.Body)))
	dst = binary.BigEndian.AppendUint64(dst, uint64(index))
	dst = binary.BigEndian.AppendUint64(dst, uint64(t.Time))
	dst = append(dst, t.Nonce[:]...)
	dst = append(dst, t.Body...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

func appendCheckpointRecord(dst []byte, n int64, note []byte) []byte {
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(note)))
	dst = binary.BigEndian.AppendUint64(dst, uint64(n))
	dst = append(dst, note...)
	return binary.BigEndian.AppendUint32(dst, crc32.Checksum(dst[start:], castagnoli))
}

// errIncomplete marks bytes that end before the record they start: the
// tail of a write cut short. A decoder returning it also returns the size
// the record needs, when its header says.
var errIncomplete = errors.New("incomplete record")

// badRecord is a record whose bytes are there but wrong.
type badRecord struct{ what string }

func (e *badRecord) Error() string { return e.what }

func bad(format string, args ...any) error { return &badRecord{fmt.Sprintf(format, args...)} }

// decodeFrame reads the frame at the start of b into r (whose slices then
// point into b) and returns its size. It returns errIncomplete when b ends
// first, a *badRecord when the frame is malformed or its checksum fails.
func decodeFrame(b []byte, r *Record) (int, error) {
	if len(b) < frameHeader {
		return 0, errIncomplete
	}
	n := binary.BigEndian.Uint32(b)
	if n == 0 || n > MaxEntrySize {
		return 0, bad("record length %d out of range", n)
	}
	size := frameOverhead + int(n)
	if len(b) < size {
		return size, errIncomplete
	}
	if got, want := crc32.Checksum(b[:size-4], castagnoli), binary.BigEndian.Uint32(b[size-4:]); got != want {
		return 0, bad("record damaged (checksum %08x, stored %08x)", got, want)
	}
	index := binary.BigEndian.Uint64(b[4:])
	flags := b[12]
	if index > math.MaxInt64 || flags&^flagText != 0 {
		return 0, bad("record header malformed")
	}
	r.Index = int64(index)
	r.HasText = flags&flagText != 0
	r.Data = b[frameHeader : frameHeader+int(n)]
	copy(r.Chain[:], b[frameHeader+int(n):])
	r.Text = nil
	return size, nil
}

// textRecord is a decoded text record.
type textRecord struct {
	index int64
	text  Text
}

func decodeTextRecord(b []byte, t *textRecord) (int, error) {
	if len(b) < textHeader {
		return 0, errIncomplete
	}
	n := binary.BigEndian.Uint32(b)
	if n == 0 || n > MaxTextSize {
		return 0, bad("text length %d out of range", n)
	}
	size := textOverhead + int(n)
	if len(b) < size {
		return size, errIncomplete
	}
	if got, want := crc32.Checksum(b[:size-4], castagnoli), binary.BigEndian.Uint32(b[size-4:]); got != want {
		return 0, bad("text record damaged (checksum %08x, stored %08x)", got, want)
	}
	index := binary.BigEndian.Uint64(b[4:])
	tm := int64(binary.BigEndian.Uint64(b[12:]))
	if index > math.MaxInt64 || tm <= 0 {
		return 0, bad("text record header malformed")
	}
	t.index = int64(index)
	t.text.Time = tm
	copy(t.text.Nonce[:], b[20:])
	t.text.Body = b[textHeader : textHeader+int(n)]
	return size, nil
}

func decodeCheckpointRecord(b []byte) (n int64, note []byte, size int, err error) {
	if len(b) < cpHeader {
		return 0, nil, 0, errIncomplete
	}
	l := binary.BigEndian.Uint32(b)
	if l == 0 || l > maxNoteSize {
		return 0, nil, 0, bad("checkpoint length %d out of range", l)
	}
	size = cpOverhead + int(l)
	if len(b) < size {
		return 0, nil, size, errIncomplete
	}
	if got, want := crc32.Checksum(b[:size-4], castagnoli), binary.BigEndian.Uint32(b[size-4:]); got != want {
		return 0, nil, 0, bad("checkpoint damaged (checksum %08x, stored %08x)", got, want)
	}
	nn := binary.BigEndian.Uint64(b[4:])
	if nn > math.MaxInt64 {
		return 0, nil, 0, bad("checkpoint size malformed")
	}
	return int64(nn), b[cpHeader : size-4], size, nil
}

// recordReader reads length-prefixed records from a stream, with a buffer
// large enough for the largest record, and keeps the offset of each.
type recordReader struct {
	br  *bufio.Reader
	off int64 // file offset of the next record
}

// newRecordReader reads records from r, expecting at most size bytes.
func newRecordReader(r io.Reader, off int64, size int) *recordReader {
	return &recordReader{br: bufio.NewReaderSize(r, min(max(size, 4096), maxReadBuffer)), off: off}
}

// fileRecordReader reads f from start, with a buffer no larger than what
// is left of the file (a record longer than the file is incomplete anyway).
func fileRecordReader(f *os.File, start int64, wrap func(io.Reader) io.Reader) *recordReader {
	size := int64(maxReadBuffer)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = min(max(st.Size()-start, 4096), maxReadBuffer)
	}
	var r io.Reader = io.NewSectionReader(f, start, math.MaxInt64-start)
	if wrap != nil {
		r = wrap(r)
	}
	return &recordReader{br: bufio.NewReaderSize(r, int(size)), off: start}
}

// next decodes the next record with decode, which returns the record's
// size (or the size it needs, with errIncomplete). It returns io.EOF at a
// clean end and errIncomplete when the stream ends inside a record.
func (rr *recordReader) next(minSize int, decode func([]byte) (int, error)) (int64, error) {
	b, err := rr.br.Peek(minSize)
	if len(b) == 0 && err == io.EOF {
		return 0, io.EOF
	}
	if len(b) < minSize {
		if err == io.EOF {
			return 0, errIncomplete
		}
		return 0, err
	}
	size, derr := decode(b)
	if derr == errIncomplete && size > len(b) {
		b, err = rr.br.Peek(size)
		if len(b) < size {
			if err == io.EOF || err == bufio.ErrBufferFull {
				return 0, errIncomplete
			}
			return 0, err
		}
		size, derr = decode(b)
	}
	if derr != nil {
		return 0, derr
	}
	off := rr.off
	rr.br.Discard(size)
	rr.off += int64(size)
	return off, nil
}

func (rr *recordReader) frame(r *Record) (int64, error) {
	return rr.next(frameHeader, func(b []byte) (int, error) { return decodeFrame(b, r) })
}

func (rr *recordReader) text(t *textRecord) (int64, error) {
	return rr.next(textHeader, func(b []byte) (int, error) { return decodeTextRecord(b, t) })
}

func (rr *recordReader) checkpoint(c *StoredCheckpoint) (int64, error) {
	return rr.next(cpHeader, func(b []byte) (int, error) {
		n, note, size, err := decodeCheckpointRecord(b)
		c.N, c.Note = n, note
		return size, err
	})
}
