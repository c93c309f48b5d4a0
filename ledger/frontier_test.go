package ledger

import (
	"encoding/binary"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// TestFrontierMatchesTlog checks the in-memory tree against tlog: the
// stored hashes of each record, by both the writer's path (tlog's
// StoredHashes) and the verifier's (appendStored), the tree hash at every
// size, and a frontier loaded back from stored hashes.
func TestFrontierMatchesTlog(t *testing.T) {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	var w, v frontier
	var buf []tlog.Hash
	for n := int64(0); n < 3000; n++ {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(n))
		rh := tlog.RecordHash(b[:])
		want, err := tlog.StoredHashesForRecordHash(n, rh, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, want...)
		got, err := w.add(n, rh)
		if err != nil {
			t.Fatal(err)
		}
		buf, err = v.appendStored(buf[:0], n, rh)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(buf) != len(want) {
			t.Fatalf("record %d: %d and %d hashes, tlog %d", n, len(got), len(buf), len(want))
		}
		for i := range want {
			if got[i] != want[i] || buf[i] != want[i] {
				t.Fatalf("record %d, hash %d differs from tlog", n, i)
			}
		}
		th, err := tlog.TreeHash(n+1, reader)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []*frontier{&w, &v} {
			if h, err := f.treeHash(); err != nil || h != th {
				t.Fatalf("tree of %d: %v %v", n+1, h, err)
			}
		}
		if n%97 == 0 {
			l, err := loadFrontier(n+1, reader)
			if err != nil {
				t.Fatal(err)
			}
			if h, err := l.treeHash(); err != nil || h != th {
				t.Fatalf("loaded tree of %d: %v", n+1, err)
			}
		}
	}
}
