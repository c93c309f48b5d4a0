package optout

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"hash/crc32"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bawwab/bawwab"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden snapshot in testdata")

// goldenEvents make the index of testdata/v1.snap: every kind of scope,
// Moroccan and foreign numbers, a lifted stop, and a chunk past the array
// limit.
func goldenEvents() []bawwab.Opposition {
	ops := evs(
		"stop +212612345678 national",
		"stop +212612345679 advertiser:atlas",
		"stop +212712345678 provider:vas1",
		"stop +33612345678 advertiser:atlas",
		"stop +33612345679 national",
		"start +33612345679 national",
		"stop +212612345678 advertiser:souk",
		"start +212612345678 advertiser:souk",
	)
	for i := range arrayMax + 10 {
		ops = append(ops, bawwab.Opposition{
			Seq:    int64(len(ops) + 1),
			MSISDN: "+212" + itoa9(700_000_000+uint32(3*i)),
			Scope:  bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "vas2"},
		})
	}
	return ops
}

func itoa9(n uint32) string {
	b := make([]byte, 9)
	for i := 8; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

func snapshotBytes(t testing.TB, ix *Index) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := ix.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reports %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// TestSnapshotGolden pins the file format: a snapshot of the same index
// is the same bytes, and version 1 files stay readable.
func TestSnapshotGolden(t *testing.T) {
	ops := goldenEvents()
	got := snapshotBytes(t, built(t, ops))
	if again := snapshotBytes(t, applied(t, ops)); !bytes.Equal(got, again) {
		t.Error("Apply and Build give different snapshots of the same register")
	}
	path := filepath.Join("testdata", "v1.snap")
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("snapshot differs from %s (run go test -update if the format changed on purpose, and bump the version)", path)
	}
	ix, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	u := universe{scopes: []bawwab.Scope{bawwab.NationalScope}}
	seen := map[string]bool{}
	for _, op := range ops {
		m.apply(op)
		if !seen[op.MSISDN] {
			seen[op.MSISDN] = true
			u.numbers = append(u.numbers, op.MSISDN)
		}
		if !seen[op.Scope.String()] {
			seen[op.Scope.String()] = true
			if op.Scope.Kind != bawwab.ScopeNational {
				u.scopes = append(u.scopes, op.Scope)
			}
		}
	}
	compare(t, ix, m, u)
	if ix.Seq() != int64(len(ops)) {
		t.Errorf("Seq = %d, want %d", ix.Seq(), len(ops))
	}
}

func TestSaveLoad(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	u := newUniverse(r)
	ops := u.events(r, 5000)
	m := model{}
	for _, op := range ops {
		m.apply(op)
	}
	ix := applied(t, ops)
	dir := t.TempDir()
	path := filepath.Join(dir, "optout.snap")
	if err := os.WriteFile(path, []byte("an older snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ix.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	compare(t, back, m, u)
	if back.Seq() != ix.Seq() {
		t.Errorf("Seq = %d, want %d", back.Seq(), ix.Seq())
	}
	// The loaded index takes changes after its sequence.
	next := bawwab.Opposition{Seq: ix.Seq() + 1, MSISDN: "+212699999999", Scope: bawwab.NationalScope}
	if ok, err := back.Apply(next); !ok || err != nil || back.MaySendTo(next.MSISDN, "", "") {
		t.Errorf("Apply after Load = %v, %v", ok, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v, want 0600: it holds subscribers' numbers", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the directory after Save, want 1 (temporary files left?)", len(entries))
	}

	if err := ix.Save(filepath.Join(dir, "missing", "optout.snap")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if _, err := Load(filepath.Join(dir, "nope.snap")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load of a missing file = %v, want fs.ErrNotExist", err)
	}
}

// reseal fixes the checksums and the body length of a snapshot after a
// test changed it, so that the checks behind them are reached.
func reseal(data []byte) []byte {
	data = bytes.Clone(data)
	if len(data) < headerLen+trailerLen {
		return data
	}
	binary.LittleEndian.PutUint32(data[36:], crc32.Checksum(data[:36], castagnoli))
	body := data[headerLen : len(data)-trailerLen]
	tail := data[len(data)-trailerLen:]
	binary.LittleEndian.PutUint64(tail, uint64(len(body)))
	binary.LittleEndian.PutUint32(tail[8:], crc32.Checksum(body, castagnoli))
	copy(tail[12:], trailerMagic)
	return data
}

func TestCorruptSnapshot(t *testing.T) {
	good := snapshotBytes(t, built(t, evs(
		"stop +212612345678 national",
		"stop +212612345679 advertiser:atlas",
		"stop +33612345678 provider:vas1",
	)))
	if _, err := decode(good); err != nil {
		t.Fatal(err)
	}
	wantCorrupt := func(t *testing.T, what string, data []byte) {
		t.Helper()
		ix, err := decode(data)
		if !errors.Is(err, ErrCorrupt) || ix != nil {
			t.Errorf("%s: decode = %v, %v; want ErrCorrupt", what, ix, err)
		}
	}
	t.Run("truncated", func(t *testing.T) {
		for n := range len(good) {
			wantCorrupt(t, "truncated", good[:n])
		}
	})
	t.Run("bit flips", func(t *testing.T) {
		for i := range good {
			for _, bit := range []byte{0x01, 0x80} {
				data := bytes.Clone(good)
				data[i] ^= bit
				wantCorrupt(t, "flipped", data)
			}
		}
	})
	t.Run("trailing bytes", func(t *testing.T) {
		wantCorrupt(t, "trailing", append(bytes.Clone(good), 0))
		wantCorrupt(t, "doubled", append(bytes.Clone(good), good...))
	})
	t.Run("not a snapshot", func(t *testing.T) {
		wantCorrupt(t, "empty", nil)
		wantCorrupt(t, "text", []byte("seq,msisdn,scope\n1,+212612345678,national\n"))
	})
	t.Run("unknown version", func(t *testing.T) {
		data := bytes.Clone(good)
		binary.LittleEndian.PutUint32(data[8:], 2)
		wantCorrupt(t, "version 2", reseal(data))
	})
	t.Run("resealed damage", func(t *testing.T) {
		// Past the checksums, each field is checked.
		data := bytes.Clone(good)
		binary.LittleEndian.PutUint32(data[12:], 1)
		wantCorrupt(t, "flags", reseal(data))
		data = bytes.Clone(good)
		binary.LittleEndian.PutUint64(data[16:], 1<<63)
		wantCorrupt(t, "negative seq", reseal(data))
		for _, n := range []uint32{0, 2, 4, 1 << 31} {
			data = bytes.Clone(good)
			binary.LittleEndian.PutUint32(data[24:], n)
			wantCorrupt(t, "scope count", reseal(data))
		}
		for _, n := range []uint32{0, 2, 1 << 31} {
			data = bytes.Clone(good)
			binary.LittleEndian.PutUint32(data[28:], n)
			wantCorrupt(t, "foreign count", reseal(data))
		}
		for i := headerLen; i < len(good)-trailerLen; i++ {
			data = bytes.Clone(good)
			data[i] ^= 0xff
			if ix, err := decode(reseal(data)); err == nil {
				// Some bytes can change and still describe a valid index
				// (an ID, a foreign number's digits): it must then be a
				// consistent one.
				compareSnapshot(t, ix)
			} else if !errors.Is(err, ErrCorrupt) {
				t.Errorf("byte %d: %v, want ErrCorrupt", i, err)
			}
		}
	})
}

// compareSnapshot checks that writing ix and reading it back gives the
// same bytes: the index is internally consistent.
func compareSnapshot(t *testing.T, ix *Index) {
	t.Helper()
	a := snapshotBytes(t, ix)
	back, err := decode(a)
	if err != nil {
		t.Fatalf("a decoded snapshot does not decode once written again: %v", err)
	}
	if !bytes.Equal(a, snapshotBytes(t, back)) {
		t.Fatal("a decoded snapshot changes when written again")
	}
}

// rawSnapshot writes the format by hand, to make files the writer never
// would.
type rawScope struct {
	kind bawwab.ScopeKind
	id   string
	card uint64
	set  []byte
}

func rawSnapshot(seq int64, foreign []string, scopes []rawScope) []byte {
	var body []byte
	for _, f := range foreign {
		body = binary.AppendUvarint(body, uint64(len(f)))
		body = append(body, f...)
	}
	for _, s := range scopes {
		body = append(body, byte(s.kind))
		body = binary.AppendUvarint(body, uint64(len(s.id)))
		body = append(body, s.id...)
		body = binary.AppendUvarint(body, s.card)
		body = binary.AppendUvarint(body, uint64(len(s.set)))
		body = append(body, s.set...)
	}
	data := make([]byte, headerLen, headerLen+len(body)+trailerLen)
	copy(data, headerMagic)
	binary.LittleEndian.PutUint32(data[8:], snapshotVersion)
	binary.LittleEndian.PutUint64(data[16:], uint64(seq))
	binary.LittleEndian.PutUint32(data[24:], uint32(len(scopes)))
	binary.LittleEndian.PutUint32(data[28:], uint32(len(foreign)))
	data = append(data, body...)
	data = append(data, make([]byte, trailerLen)...)
	return reseal(data)
}

func roaringBytes(vals ...uint32) []byte {
	b, err := roaring.BitmapOf(vals...).ToBytes()
	if err != nil {
		panic(err)
	}
	return b
}

func TestSnapshotValidation(t *testing.T) {
	empty := roaringBytes()
	nat := rawScope{bawwab.ScopeNational, "", 1, roaringBytes(612345678)}
	runs := roaring.New()
	runs.AddRange(612_368_384, 612_368_384+65536)
	runs.RunOptimize()
	runBytes, _ := runs.ToBytes()
	badArray := roaringBytes(612345678, 612345679) // the last 4 bytes: the two low halves
	tail := badArray[len(badArray)-4:]
	tail[0], tail[1], tail[2], tail[3] = tail[2], tail[3], tail[0], tail[1]

	tests := []struct {
		name    string
		foreign []string
		scopes  []rawScope
		ok      bool
	}{
		{"valid", []string{"+33612345678"}, []rawScope{
			nat,
			{bawwab.ScopeAdvertiser, "atlas", 2, roaringBytes(612345678, foreignBase)},
		}, true},
		{"no national scope", nil, []rawScope{{bawwab.ScopeProvider, "vas1", 0, empty}}, false},
		{"national twice", nil, []rawScope{nat, nat}, false},
		{"national not first", nil, []rawScope{{bawwab.ScopeProvider, "vas1", 0, empty}, nat}, false},
		{"scope twice", nil, []rawScope{nat, {bawwab.ScopeProvider, "vas1", 0, empty}, {bawwab.ScopeProvider, "vas1", 0, empty}}, false},
		{"unknown kind", nil, []rawScope{nat, {7, "x", 0, empty}}, false},
		{"provider without ID", nil, []rawScope{nat, {bawwab.ScopeProvider, "", 0, empty}}, false},
		{"national with ID", nil, []rawScope{{bawwab.ScopeNational, "x", 0, empty}}, false},
		{"wrong count", nil, []rawScope{{bawwab.ScopeNational, "", 2, roaringBytes(612345678)}}, false},
		{"member below 9 digits", nil, []rawScope{{bawwab.ScopeNational, "", 1, roaringBytes(12345678)}}, false},
		{"foreign member not listed", []string{"+33612345678"}, []rawScope{{bawwab.ScopeNational, "", 1, roaringBytes(foreignBase + 1)}}, false},
		{"foreign number is Moroccan", []string{"+212612345678"}, []rawScope{{bawwab.ScopeNational, "", 0, empty}}, false},
		{"foreign number malformed", []string{"+33-6"}, []rawScope{{bawwab.ScopeNational, "", 0, empty}}, false},
		{"foreign number twice", []string{"+33612345678", "+33612345678"}, []rawScope{{bawwab.ScopeNational, "", 0, empty}}, false},
		{"run containers", nil, []rawScope{{bawwab.ScopeNational, "", 65536, runBytes}}, false},
		{"unsorted array", nil, []rawScope{{bawwab.ScopeNational, "", 2, badArray}}, false},
		{"set too short", nil, []rawScope{{bawwab.ScopeNational, "", 0, empty[:4]}}, false},
		{"bytes after the set", nil, []rawScope{{bawwab.ScopeNational, "", 0, append(bytes.Clone(empty), 0)}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := decode(rawSnapshot(7, tt.foreign, tt.scopes))
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if ix.Seq() != 7 || ix.MaySendTo("+212612345678", "", "") || ix.MaySendTo("+33612345678", "atlas", "") {
					t.Error("valid snapshot read wrong")
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("decode = %v, want ErrCorrupt", err)
			}
		})
	}
	// Bytes after the last scope.
	data := rawSnapshot(7, nil, []rawScope{nat})
	body := append(bytes.Clone(data[:len(data)-trailerLen]), 0)
	if _, err := decode(reseal(append(body, make([]byte, trailerLen)...))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bytes after the last scope: %v", err)
	}
}
