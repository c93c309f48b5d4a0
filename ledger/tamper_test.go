package ledger_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// These tests damage a closed ledger directly on its files, the way
// someone with access to the disk could, and check that verification
// catches every change and names the entry it touches. They read the
// files with the layouts of FORMAT.md, not with the package's code.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// loc is where an entry's record, or its text record, sits in a file.
type loc struct {
	file  string
	index int64
	off   int // start of the record
	size  int
	data  int // start of the entry encoding (frames) or of the body (texts)
	n     int // length of the encoding or body
}

func readLocs(t *testing.T, dir, ext string, header, overhead int) []loc {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
	slices.Sort(files)
	var out []loc
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for off := 16; off < len(b); {
			n := int(binary.BigEndian.Uint32(b[off:]))
			out = append(out, loc{file: f, index: int64(binary.BigEndian.Uint64(b[off+4:])), off: off,
				size: overhead + n, data: off + header, n: n})
			off += overhead + n
		}
	}
	return out
}

func frameLocs(t *testing.T, dir string) []loc { return readLocs(t, dir, ".log", 13, 49) }
func textLocs(t *testing.T, dir string) []loc  { return readLocs(t, dir, ".txt", 36, 40) }

// fixCRC recomputes the checksum that ends the record at l.
func fixCRC(b []byte, l loc) {
	end := l.off + l.size
	binary.BigEndian.PutUint32(b[end-4:], crc32.Checksum(b[l.off:end-4], castagnoli))
}

// tamperLedger is a closed ledger of 60 entries over several segments,
// with a checkpoint every 7 entries.
func tamperLedger(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	l := e.open(func(o *ledger.Options) { o.SegmentSize = 4 << 10; o.CheckpointEvery = 7 })
	ctx := context.Background()
	for i := range 60 {
		en := decision(i)
		if i%9 == 4 {
			en.Text = "" // some entries without text
		}
		if i > 2 && i%5 == 0 {
			en.Refs = []int64{int64(i - 2)}
		}
		if _, err := l.Append(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if rep := e.mustVerify(); rep.Entries != 60 {
		t.Fatalf("%d entries", rep.Entries)
	}
	return e
}

// flipEach flips every byte of b[from:to] of file in turn (and back),
// calling check after each flip.
func flipEach(t *testing.T, file string, from, to int, mod func(b []byte), check func(pos int)) {
	t.Helper()
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer os.WriteFile(file, orig, 0o640)
	for pos := from; pos < to; pos++ {
		b := bytes.Clone(orig)
		b[pos] ^= 0x01
		if mod != nil {
			mod(b)
		}
		if err := os.WriteFile(file, b, 0o640); err != nil {
			t.Fatal(err)
		}
		check(pos)
	}
}

func wantProblemAt(t *testing.T, e *env, index int64, context string) {
	t.Helper()
	rep := e.verify()
	if rep.Problem == nil {
		t.Fatalf("%s: verify passed", context)
	}
	if rep.Problem.Index != index {
		t.Fatalf("%s: problem at entry %d (%s), want %d", context, rep.Problem.Index, rep.Problem.What, index)
	}
}

// The entries whose every byte is flipped: the first, one in a segment,
// the first of a segment, and the last.
func pickEntries(frames []loc) []loc {
	if raceBuild {
		return []loc{frames[len(frames)/3], frames[len(frames)-1]}
	}
	pick := []loc{frames[0], frames[len(frames)/3], frames[len(frames)-1]}
	for i := 1; i < len(frames); i++ {
		if frames[i].file != frames[i-1].file {
			pick = append(pick, frames[i])
			break
		}
	}
	return pick
}

// TestTamperRecordBytes flips every byte of the records of a few entries:
// length, index, flags, every field of the encoding, chain hash, checksum.
func TestTamperRecordBytes(t *testing.T) {
	e := tamperLedger(t)
	frames := frameLocs(t, e.dir)
	if len(frames) != 60 {
		t.Fatalf("%d frames", len(frames))
	}
	for _, f := range pickEntries(frames) {
		flipEach(t, f.file, f.off, f.off+f.size, nil, func(pos int) {
			wantProblemAt(t, e, f.index, fmt.Sprintf("entry %d, byte %d of its record", f.index, pos-f.off))
		})
	}
}

// TestTamperRecordBytesWithChecksum does the same but, like someone who
// knows the format, recomputes the record's checksum: the encoding, the
// chain and the tree must catch what the checksum no longer does.
func TestTamperRecordBytesWithChecksum(t *testing.T) {
	e := tamperLedger(t)
	frames := frameLocs(t, e.dir)
	for _, f := range pickEntries(frames) {
		// The length field changes the framing itself; every other byte
		// is covered with the checksum recomputed.
		flipEach(t, f.file, f.off+4, f.off+f.size-4, func(b []byte) { fixCRC(b, f) }, func(pos int) {
			wantProblemAt(t, e, f.index, fmt.Sprintf("entry %d, byte %d of its record (checksum fixed)", f.index, pos-f.off))
		})
	}
}

// TestTamperTexts flips every byte of a few text records, with and
// without fixing their checksums.
func TestTamperTexts(t *testing.T) {
	e := tamperLedger(t)
	texts := textLocs(t, e.dir)
	pick := []loc{texts[0], texts[len(texts)/2], texts[len(texts)-1]}
	if raceBuild {
		pick = pick[1:]
	}
	for _, fix := range []bool{false, true} {
		for _, x := range pick {
			from, to := x.off, x.off+x.size
			var mod func([]byte)
			if fix {
				from, to = x.off+4, x.off+x.size-4
				mod = func(b []byte) { fixCRC(b, x) }
			}
			flipEach(t, x.file, from, to, mod, func(pos int) {
				wantProblemAt(t, e, x.index, fmt.Sprintf("text of entry %d, byte %d (checksum fixed: %v)", x.index, pos-x.off, fix))
			})
		}
	}
}

// TestTamperDerivedFiles flips bytes of the stored tree hashes and of the
// index files: they are derived, but a change is still caught.
func TestTamperDerivedFiles(t *testing.T) {
	e := tamperLedger(t)
	hashes := filepath.Join(e.dir, "hashes")
	for _, i := range []int64{0, 17, 40, 59} {
		at := tlog.StoredHashCount(i)
		flipEach(t, hashes, int(at*32), int(at*32+32), nil, func(pos int) {
			wantProblemAt(t, e, i, fmt.Sprintf("stored hash %d of entry %d", at, i))
		})
	}
	frames := frameLocs(t, e.dir)
	for _, f := range pickEntries(frames) {
		var first int64
		fmt.Sscanf(filepath.Base(f.file), "%020d", &first)
		idx := strings.TrimSuffix(f.file, ".log") + ".idx"
		off := int(f.index-first) * 8
		flipEach(t, idx, off, off+8, nil, func(pos int) {
			wantProblemAt(t, e, f.index, fmt.Sprintf("index file entry of %d", f.index))
		})
	}
	// The checkpoints file: every byte of the third checkpoint.
	cps := readLocs(t, e.dir, "checkpoints", 12, 16)
	c := cps[2]
	flipEach(t, c.file, c.off, c.off+c.size, nil, func(pos int) {
		if rep := e.verify(); rep.Problem == nil {
			t.Fatalf("checkpoint byte %d flipped: verify passed", pos-c.off)
		}
	})
}

// TestTamperStructure removes, reorders and truncates records.
func TestTamperStructure(t *testing.T) {
	e := tamperLedger(t)
	frames := frameLocs(t, e.dir)
	texts := textLocs(t, e.dir)
	edit := func(f string, fn func(b []byte) []byte) func() {
		orig, _ := os.ReadFile(f)
		os.WriteFile(f, fn(bytes.Clone(orig)), 0o640)
		return func() { os.WriteFile(f, orig, 0o640) }
	}
	// Find two entries with text, next to each other, in one segment.
	var a int
	for a = 1; a < len(frames)-1; a++ {
		if frames[a].file == frames[a+1].file && frames[a-1].file == frames[a].file {
			break
		}
	}
	fa, fb := frames[a], frames[a+1]
	cases := []struct {
		name  string
		index int64
		do    func() func()
	}{
		{"remove a record", fa.index, func() func() {
			return edit(fa.file, func(b []byte) []byte { return slices.Delete(b, fa.off, fa.off+fa.size) })
		}},
		{"swap two records", fa.index, func() func() {
			return edit(fa.file, func(b []byte) []byte {
				ra, rb := bytes.Clone(b[fa.off:fa.off+fa.size]), bytes.Clone(b[fb.off:fb.off+fb.size])
				return slices.Concat(b[:fa.off], rb, ra, b[fb.off+fb.size:])
			})
		}},
		{"remove and renumber", fa.index, func() func() {
			// Remove a, renumber the records after it in the segment and
			// fix their checksums: the chain catches it.
			return edit(fa.file, func(b []byte) []byte {
				for _, f := range frames[a+1:] {
					if f.file != fa.file {
						break
					}
					binary.BigEndian.PutUint64(b[f.off+4:], uint64(f.index-1))
					fixCRC(b, f)
				}
				return slices.Delete(b, fa.off, fa.off+fa.size)
			})
		}},
		{"truncate the last segment at a record", frames[55].index, func() func() {
			return edit(frames[55].file, func(b []byte) []byte { return b[:frames[55].off] })
		}},
		{"truncate inside the last record", 59, func() func() {
			return edit(frames[59].file, func(b []byte) []byte { return b[:frames[59].off+20] })
		}},
		{"remove a middle segment", firstOfFile(frames, middleFile(t, frames)), func() func() {
			f := middleFile(t, frames)
			orig, _ := os.ReadFile(f)
			os.Remove(f)
			return func() { os.WriteFile(f, orig, 0o640) }
		}},
		{"remove the checkpoints file", 0, func() func() {
			f := filepath.Join(e.dir, "checkpoints")
			orig, _ := os.ReadFile(f)
			os.Remove(f)
			return func() { os.WriteFile(f, orig, 0o640) }
		}},
		{"remove a text record", texts[10].index, func() func() {
			x := texts[10]
			return edit(x.file, func(b []byte) []byte { return slices.Delete(b, x.off, x.off+x.size) })
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			undo := c.do()
			defer undo()
			rep := e.verify()
			if rep.Problem == nil {
				t.Fatal("verify passed")
			}
			want := c.index
			if rep.Problem.Index != want {
				t.Errorf("problem at entry %d (%s), want %d", rep.Problem.Index, rep.Problem.What, want)
			}
			t.Logf("entry %d: %s", rep.Problem.Index, rep.Problem.What)
		})
	}
	e.mustVerify()
}

// TestTamperRewrite plays someone who changes an entry and rebuilds
// everything that can be rebuilt without the signing key: checksums,
// chain, stored hashes. Only the signed checkpoints catch it, and they
// narrow it to the entries between two checkpoints. With the key stolen
// too, only a checkpoint kept elsewhere catches it.
func TestTamperRewrite(t *testing.T) {
	e := tamperLedger(t)
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := r.Store().Checkpoints()
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	const victim = 30
	rewrite(t, e.dir, victim)
	rep := e.verify()
	if rep.Problem == nil {
		t.Fatal("a rewritten ledger verifies")
	}
	if rep.Problem.Index > victim || !strings.Contains(rep.Problem.What, "checkpoint") {
		t.Fatalf("problem %v", rep.Problem)
	}
	var lo, hi int64
	fmt.Sscanf(rep.Problem.What[strings.Index(rep.Problem.What, "entries "):], "entries %d to %d", &lo, &hi)
	if lo > victim || hi < victim || hi-lo > 7 {
		t.Errorf("problem %q does not narrow down entry %d", rep.Problem.What, victim)
	}
	t.Logf("caught: %v", rep.Problem)

	// Now with the signing key: re-sign every checkpoint over the new
	// tree. The ledger verifies on its own...
	resign(t, e, kept)
	if rep := e.verify(); rep.Problem != nil {
		t.Fatalf("the re-signed ledger should verify on its own: %v", rep.Problem)
	}
	// ...but not against a checkpoint an inspector kept from before.
	rep, err = ledger.VerifyDir(context.Background(), e.dir, ledger.VerifyOptions{Keys: e.verifiers(), Known: [][]byte{kept[len(kept)-1].Note}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Problem == nil {
		t.Fatal("the rewrite is not caught by a checkpoint kept outside")
	}
	t.Logf("caught with a kept checkpoint: %v", rep.Problem)
}

// rewrite changes one letter of an entry's provider and rebuilds the
// checksums, the chain and the stored hashes.
func rewrite(t *testing.T, dir string, victim int64) {
	t.Helper()
	frames := frameLocs(t, dir)
	files := map[string][]byte{}
	for _, f := range frames {
		if files[f.file] == nil {
			files[f.file], _ = os.ReadFile(f.file)
		}
	}
	v := frames[victim]
	b := files[v.file]
	data := b[v.data : v.data+v.n]
	i := bytes.Index(data, []byte("atlasvas"))
	if i < 0 {
		i = bytes.Index(data, []byte("medinasms"))
	}
	if i < 0 {
		i = bytes.Index(data, []byte("sahara-push"))
	}
	data[i] ^= 0x20 // lower case to upper case: same length, still canonical
	var chain tlog.Hash
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for k, x := range idx {
			out[k] = stored[x]
		}
		return out, nil
	})
	for _, f := range frames {
		b := files[f.file]
		rec := b[f.data : f.data+f.n]
		chain = ledger.ChainHash(chain, tlog.RecordHash(rec))
		copy(b[f.data+f.n:], chain[:])
		fixCRC(b, f)
		hs, err := tlog.StoredHashes(f.index, rec, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	for name, b := range files {
		os.WriteFile(name, b, 0o640)
	}
	var hb []byte
	for _, h := range stored {
		hb = append(hb, h[:]...)
	}
	os.WriteFile(filepath.Join(dir, "hashes"), hb, 0o640)
}

// resign replaces every checkpoint by one of the rewritten tree, signed
// with the (stolen) key, through the package's own writer.
func resign(t *testing.T, e *env, kept []ledger.StoredCheckpoint) {
	t.Helper()
	os.Remove(filepath.Join(e.dir, "checkpoints"))
	l := e.open()
	if _, err := l.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	l.Close()
}

func firstOfFile(frames []loc, file string) int64 {
	for _, f := range frames {
		if f.file == file {
			return f.index
		}
	}
	return -1
}

// middleFile returns a segment that is neither the first nor the last.
func middleFile(t *testing.T, frames []loc) string {
	var files []string
	for _, f := range frames {
		if len(files) == 0 || files[len(files)-1] != f.file {
			files = append(files, f.file)
		}
	}
	if len(files) < 3 {
		t.Fatalf("%d segments, want at least 3", len(files))
	}
	return files[1]
}
