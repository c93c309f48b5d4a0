package ledgertest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/tlog"
)

// records returns n made-up records from index from, every other one with
// a text, dated a second apart.
func records(from, n int) []ledger.Record {
	out := make([]ledger.Record, n)
	for k := range out {
		i := from + k
		r := ledger.Record{Index: int64(i), Data: []byte(fmt.Sprintf("\x01record %d %s", i, bytes.Repeat([]byte{'x'}, i%37))),
			Chain: sha256.Sum256([]byte(fmt.Sprint("chain", i)))}
		if i%2 == 0 {
			r.HasText = true
			r.Text = &ledger.Text{Time: t0.Add(timeOf(i)).UnixNano(), Body: []byte(texts[i%len(texts)])}
			copy(r.Text.Nonce[:], fmt.Sprintf("nonce-%010d", i))
		}
		out[k] = r
	}
	return out
}

func timeOf(i int) time.Duration { return time.Duration(i) * time.Second }

// sameRecord fails unless got holds what want holds (a purged text is
// expected as no text with HasText still set).
func sameRecord(t testing.TB, got *ledger.Record, want ledger.Record, purged bool) {
	t.Helper()
	if got.Index != want.Index || !bytes.Equal(got.Data, want.Data) || got.Chain != want.Chain || got.HasText != want.HasText {
		t.Fatalf("record %d: got index %d, data %q, text flag %v; want data %q, text flag %v", want.Index, got.Index, got.Data, got.HasText, want.Data, want.HasText)
	}
	switch {
	case want.Text == nil || purged:
		if got.Text != nil {
			t.Fatalf("record %d has a text %q, want none", want.Index, got.Text.Body)
		}
	case got.Text == nil:
		t.Fatalf("record %d lost its text", want.Index)
	case got.Text.Time != want.Text.Time || got.Text.Nonce != want.Text.Nonce || !bytes.Equal(got.Text.Body, want.Text.Body):
		t.Fatalf("record %d: text %+v, want %+v", want.Index, *got.Text, *want.Text)
	}
}

// testStoreContract checks the Store's methods themselves.
func testStoreContract(t *testing.T, b Backend) {
	e := newEnv(t, b)
	st := e.store(false)
	if st.Len() != 0 || st.HashCount() != 0 {
		t.Fatalf("a new store holds %d records, %d hashes", st.Len(), st.HashCount())
	}
	if cps, err := st.Checkpoints(); err != nil || len(cps) != 0 {
		t.Fatalf("a new store's checkpoints: %v, %v", cps, err)
	}
	all := records(0, 20)
	must(t, st.Append(all[:7]))
	if err := st.Append(all[8:10]); err == nil {
		t.Fatal("an append that skips an index was taken")
	}
	must(t, st.Sync())
	must(t, st.Append(all[7:20]))
	must(t, st.Sync())
	if st.Len() != 20 {
		t.Fatalf("Len %d, want 20", st.Len())
	}
	for _, r := range all {
		got, err := st.Record(r.Index)
		must(t, err)
		sameRecord(t, got, r, false)
	}
	if _, err := st.Record(20); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Fatalf("reading past the end: %v", err)
	}
	scan := func(from, to int64) []int64 {
		t.Helper()
		var idx []int64
		for r, err := range st.Scan(from, to) {
			must(t, err)
			sameRecord(t, r, all[r.Index], false)
			idx = append(idx, r.Index)
		}
		return idx
	}
	if got := scan(3, 9); fmt.Sprint(got) != "[3 4 5 6 7 8]" {
		t.Fatalf("Scan(3, 9) = %v", got)
	}
	if got := scan(15, -1); fmt.Sprint(got) != "[15 16 17 18 19]" {
		t.Fatalf("Scan(15, -1) = %v", got)
	}
	if got := scan(18, 100); fmt.Sprint(got) != "[18 19]" {
		t.Fatalf("Scan(18, 100) = %v", got)
	}
	if got := scan(0, -1); len(got) != 20 {
		t.Fatalf("Scan(0, -1) yields %d", len(got))
	}
	// Stopping early.
	for r, err := range st.Scan(0, -1) {
		must(t, err)
		if r.Index == 2 {
			break
		}
	}
	must(t, st.AppendCheckpoint(10, []byte("checkpoint of 10\n")))
	must(t, st.AppendCheckpoint(20, []byte("checkpoint of 20\n")))
	cps, err := st.Checkpoints()
	must(t, err)
	if len(cps) != 2 || cps[0].N != 10 || cps[1].N != 20 || string(cps[1].Note) != "checkpoint of 20\n" {
		t.Fatalf("checkpoints %+v", cps)
	}
	// Purge the texts dated before record 9's, below record 14.
	n, err := st.PurgeTexts(t0.Add(timeOf(9)), 14)
	must(t, err)
	if n != 5 { // 0, 2, 4, 6, 8
		t.Fatalf("purged %d texts, want 5", n)
	}
	purged := func(i int64) bool { return i < 9 }
	for _, r := range all {
		got, err := st.Record(r.Index)
		must(t, err)
		sameRecord(t, got, r, purged(r.Index))
	}
	must(t, st.Close())

	// Reopened, the store holds the same, and appends continue.
	st = e.store(false)
	if st.Len() != 20 {
		t.Fatalf("reopened with %d records", st.Len())
	}
	for r, err := range st.Scan(0, -1) {
		must(t, err)
		sameRecord(t, r, all[r.Index], purged(r.Index))
	}
	more := records(20, 5)
	must(t, st.Append(more))
	must(t, st.Sync())
	ro := e.store(true)
	if ro.Len() != 25 {
		t.Fatalf("a read-only store sees %d records, want 25", ro.Len())
	}
	got, err := ro.Record(22)
	must(t, err)
	sameRecord(t, got, more[2], false)
	if cps, err := ro.Checkpoints(); err != nil || len(cps) != 2 {
		t.Fatalf("read-only checkpoints %v, %v", cps, err)
	}
	must(t, ro.Close())
	must(t, st.Close())
}

// testStoreHashes checks the stored hashes: written, read back by index,
// dropped past a rewrite, and kept across a reopen.
func testStoreHashes(t *testing.T, b Backend) {
	e := newEnv(t, b)
	st := e.store(false)
	hs := make([]tlog.Hash, 1200)
	for i := range hs {
		hs[i] = sha256.Sum256([]byte(fmt.Sprint("hash", i)))
	}
	other := make([]tlog.Hash, 1200)
	for i := range other {
		other[i] = sha256.Sum256([]byte(fmt.Sprint("other", i)))
	}
	check := func(want []tlog.Hash, idx ...int64) {
		t.Helper()
		got, err := st.ReadHashes(idx)
		must(t, err)
		for k, i := range idx {
			if got[k] != want[i] {
				t.Fatalf("stored hash %d differs", i)
			}
		}
	}
	must(t, st.WriteHashes(0, hs[:700]))
	if st.HashCount() != 700 {
		t.Fatalf("HashCount %d, want 700", st.HashCount())
	}
	check(hs, 0, 1, 255, 256, 511, 512, 699)
	must(t, st.WriteHashes(700, hs[700:1000]))
	check(hs, 699, 700, 999, 0)
	if err := st.WriteHashes(1001, hs[:1]); err == nil {
		t.Fatal("a write past the end was taken")
	}
	// A rewrite from 300 drops everything after it.
	must(t, st.WriteHashes(300, nil))
	if st.HashCount() != 300 {
		t.Fatalf("HashCount after a truncation: %d", st.HashCount())
	}
	want := append(append([]tlog.Hash(nil), hs[:300]...), other[300:900]...)
	must(t, st.WriteHashes(300, other[300:900]))
	check(want, 0, 299, 300, 511, 512, 899)
	must(t, st.Sync())
	must(t, st.Close())
	st = e.store(false)
	defer st.Close()
	if st.HashCount() != 900 {
		t.Fatalf("reopened with %d hashes, want 900", st.HashCount())
	}
	check(want, 0, 255, 256, 300, 767, 768, 899)
	must(t, st.WriteHashes(900, other[900:1200]))
	check(append(want, other[900:1200]...), 899, 900, 1023, 1024, 1199)
}

// testOneWriter: a second writer is refused while the first holds the
// store; readers are welcome.
func testOneWriter(t *testing.T, b Backend) {
	e := newEnv(t, b)
	st := e.store(false)
	must(t, st.Append(records(0, 3)))
	must(t, st.Sync())
	if st2, err := e.b.Open(t, e.loc, false); err == nil {
		st2.Close()
		t.Fatal("a second writer opened the store")
	}
	ro := e.store(true)
	if ro.Len() != 3 {
		t.Fatalf("a reader sees %d records", ro.Len())
	}
	must(t, ro.Close())
	must(t, st.Close())
	st = e.store(false)
	must(t, st.Close())
}
