package ledger

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// frontier holds, for each level of the Merkle tree, the most recently
// completed subtree: exactly the hashes tlog.StoredHashes reads to add a
// record and tlog.TreeHash reads to hash the whole tree. With it the writer
// and the verifier build the tree in memory, reading no stored hash back.
type frontier struct {
	n  int64         // records added
	h  [64]tlog.Hash // h[l]: the last completed subtree of level l
	at [64]int64     // its stored-hash index
	ok [64]bool
}

// ReadHashes serves tlog from the frontier (a tlog.HashReader).
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
next:
	for i, x := range indexes {
		for l := range f.at {
			if f.ok[l] && f.at[l] == x {
				out[i] = f.h[l]
				continue next
			}
		}
		return nil, fmt.Errorf("ledger: stored hash %d not in the frontier", x)
	}
	return out, nil
}

// add adds the record hash of record n (which must be f.n) and returns the
// hashes to store from tlog.StoredHashIndex(0, n) on.
func (f *frontier) add(n int64, rh tlog.Hash) ([]tlog.Hash, error) {
	if n != f.n {
		return nil, fmt.Errorf("ledger: adding record %d to a tree of %d", n, f.n)
	}
	hs, err := tlog.StoredHashesForRecordHash(n, rh, f)
	if err != nil {
		return nil, err
	}
	base := tlog.StoredHashIndex(0, n)
	for l, h := range hs {
		f.h[l], f.at[l], f.ok[l] = h, base+int64(l), true
	}
	f.n++
	return hs, nil
}

// appendStored is add without allocating, for the verifier: it appends to
// out the hashes tlog.StoredHashes returns for record n, computed from the
// frontier with tlog.NodeHash. Each trailing one bit of n completes a
// subtree whose left half is the frontier's last subtree of that level, so
// that verification checks the writer's use of tlog against an
// implementation of its own (TestFrontierMatchesTlog keeps them equal).
func (f *frontier) appendStored(out []tlog.Hash, n int64, rh tlog.Hash) ([]tlog.Hash, error) {
	if n != f.n {
		return out, fmt.Errorf("ledger: adding record %d to a tree of %d", n, f.n)
	}
	base := tlog.StoredHashIndex(0, n)
	h := rh
	out = append(out, h)
	for l := 0; l < 63; l++ {
		if (n>>l)&1 == 0 {
			f.h[l], f.at[l], f.ok[l] = h, base+int64(l), true
			break
		}
		left := f.h[l]
		f.h[l], f.at[l], f.ok[l] = h, base+int64(l), true
		h = tlog.NodeHash(left, h)
		out = append(out, h)
	}
	f.n++
	return out, nil
}

// treeHash returns the hash of the tree of f.n records.
func (f *frontier) treeHash() (tlog.Hash, error) { return tlog.TreeHash(f.n, f) }

// loadFrontier reads the frontier of a tree of n records from stored
// hashes.
func loadFrontier(n int64, r tlog.HashReader) (*frontier, error) {
	f := &frontier{n: n}
	var levels []int
	var indexes []int64
	for l := 0; l < 63 && n>>l > 0; l++ {
		levels = append(levels, l)
		indexes = append(indexes, tlog.StoredHashIndex(l, n>>l-1))
	}
	if len(indexes) == 0 {
		return f, nil
	}
	hs, err := r.ReadHashes(indexes)
	if err != nil {
		return nil, err
	}
	for i, l := range levels {
		f.h[l], f.at[l], f.ok[l] = hs[i], indexes[i], true
	}
	return f, nil
}
