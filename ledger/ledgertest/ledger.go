package ledgertest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

// testAppendAndRead appends entries one by one and in a batch, reads them
// back equal, and verifies the closed ledger.
func testAppendAndRead(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open()
	ctx := context.Background()
	var want []*bawwab.LedgerEntry
	for i := range 5 {
		en := Decision(i)
		idx, err := l.Append(ctx, en)
		must(t, err)
		if idx != int64(i) || en.Index != idx || en.Recipient != e.keyring.Pseudonym(msisdnFor(i)) {
			t.Fatalf("entry %d: index %d, recipient %s", i, idx, en.Recipient)
		}
		want = append(want, en)
	}
	batch := []*bawwab.LedgerEntry{Decision(5), Decision(6), {Kind: bawwab.EntryMeasure, Action: "suspend", ProviderID: "atlasvas", Actor: "system:sanction-monitor", Refs: []int64{1, 3}}}
	first, err := l.AppendBatch(ctx, batch)
	must(t, err)
	if first != 5 {
		t.Fatalf("batch at %d, want 5", first)
	}
	want = append(want, batch...)
	for _, w := range want {
		got, err := l.FindEntryByIndex(ctx, w.Index)
		must(t, err)
		ww := *w
		ww.MSISDN = ""
		ww.Time = ww.Time.UTC()
		if fmt.Sprint(*got) != fmt.Sprint(ww) {
			t.Fatalf("entry %d:\n got %+v\nwant %+v", w.Index, *got, ww)
		}
	}
	if _, err := l.FindEntryByIndex(ctx, 8); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Fatalf("past the end: %v", err)
	}
	must(t, l.Close())
	rep := e.mustVerify()
	if rep.Entries != 8 || rep.Texts != 7 || rep.Unvouched != 0 {
		t.Fatalf("report %+v", rep)
	}
}

// testFilters checks FindEntries' filters against Match.
func testFilters(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open()
	defer l.Close()
	appendN(t, l, 0, 300)
	ctx := context.Background()
	ref := int64(3)
	_, err := l.Append(ctx, &bawwab.LedgerEntry{Kind: bawwab.EntryComplaint, MSISDN: msisdnFor(3), Action: "confirmed", Refs: []int64{3}})
	must(t, err)
	reject := bawwab.Reject
	all := collect(t, l.FindEntries(ctx, bawwab.LedgerFilter{WithText: true}))
	for name, f := range map[string]bawwab.LedgerFilter{
		"provider":  {ProviderID: "medinasms"},
		"operator":  {AdvertiserID: "moda-sala", OperatorID: "orange"},
		"outcome":   {Outcome: &reject},
		"time":      {Since: all[100].Time, Before: all[200].Time},
		"index":     {FromIndex: 250, ToIndex: 260},
		"kind":      {Kinds: []bawwab.EntryKind{bawwab.EntryComplaint}},
		"refers to": {RefersTo: &ref},
		"number":    {Recipients: e.keyring.Pseudonyms(msisdnFor(7))},
	} {
		var want, got []int64
		for _, en := range all {
			if f.Match(en) {
				want = append(want, en.Index)
			}
		}
		for _, en := range collect(t, l.FindEntries(ctx, f)) {
			got = append(got, en.Index)
		}
		if len(want) == 0 || len(want) == len(all) || !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
}

// testConcurrentAppends appends from many goroutines (group commit),
// reopens, finds every entry where its Append said, continues, and
// verifies.
func testConcurrentAppends(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open(func(o *ledger.Options) { o.CheckpointEvery = 300 })
	ctx := context.Background()
	const workers, each = 32, 40
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				en := Decision(w*each + k)
				en.Detail = fmt.Sprintf("w%d-k%d", w, k)
				idx, err := l.Append(ctx, en)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[idx] = en.Detail
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("%d distinct indexes for %d appends", len(seen), workers*each)
	}
	if st := l.Stats(); st.Syncs >= st.Appended {
		t.Errorf("no group commit: %d syncs for %d entries", st.Syncs, st.Appended)
	}
	must(t, l.Close())
	l = e.open()
	defer l.Close()
	for idx, detail := range seen {
		en, err := l.FindEntryByIndex(ctx, idx)
		must(t, err)
		if en.Detail != detail {
			t.Fatalf("entry %d holds %q, want %q", idx, en.Detail, detail)
		}
	}
	idx, err := l.Append(ctx, Decision(0))
	if err != nil || idx != workers*each {
		t.Fatalf("append after reopen: %d, %v", idx, err)
	}
	_, err = l.Checkpoint(ctx)
	must(t, err)
	rep := e.mustVerify()
	if rep.Entries != workers*each+1 || rep.Checkpoints < 4 {
		t.Errorf("report %+v", rep)
	}
}

// testCheckpointsAndProofs: checkpoints on count, on time and on demand,
// each extending the one before; inclusion proofs that verify offline and
// fail when altered.
func testCheckpointsAndProofs(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open(func(o *ledger.Options) { o.CheckpointEvery = 500; o.CheckpointInterval = 20 * time.Millisecond })
	ctx := context.Background()
	appendN(t, l, 0, 10)
	deadline := time.Now().Add(10 * time.Second)
	for l.LatestCheckpoint() == nil || l.LatestCheckpoint().N < 10 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	appendN(t, l, 10, 1200)
	cp, err := l.Checkpoint(ctx)
	must(t, err)
	if cp.N != 1210 {
		t.Fatalf("checkpoint of %d, want 1210", cp.N)
	}
	must(t, l.Close())
	st := e.store(true)
	r := ledger.NewReader(st)
	defer r.Close()
	keys := note.VerifierList(e.verifiers()...)
	cps, err := r.Checkpoints(keys)
	must(t, err)
	if len(cps) < 4 {
		t.Fatalf("%d checkpoints", len(cps))
	}
	for i := 1; i < len(cps); i++ {
		p, err := r.ProveConsistency(cps[i-1].N, cps[i].N)
		must(t, err)
		if err := ledger.VerifyConsistency(cps[i-1], cps[i], p); err != nil {
			t.Fatalf("checkpoint %d does not extend %d: %v", i, i-1, err)
		}
	}
	for _, idx := range []int64{0, 1, 255, 256, 511, 512, 1209} {
		p, err := r.ProveEntry(ctx, idx)
		must(t, err)
		data, _ := json.Marshal(p)
		var back ledger.Proof
		must(t, json.Unmarshal(data, &back))
		en, c, err := ledger.VerifyInclusion(&back, keys)
		if err != nil {
			t.Fatalf("entry %d: %v", idx, err)
		}
		if en.Index != idx || c.N != 1210 || en.Text != Decision(int(idx)).Text {
			t.Fatalf("entry %d proved as %d against %d", idx, en.Index, c.N)
		}
		back.Entry[len(back.Entry)-1] ^= 1
		if _, _, err := ledger.VerifyInclusion(&back, keys); err == nil {
			t.Fatalf("an altered proof of entry %d verifies", idx)
		}
	}
}

// testPseudonyms: an inspector finds a number's entries under every key,
// before and after a rotation.
func testPseudonyms(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open()
	ctx := context.Background()
	const number = "+212661234567"
	add := func() {
		for i := range 30 {
			en := Decision(i)
			if i%10 == 3 {
				en.MSISDN = number
			}
			_, err := l.Append(ctx, en)
			must(t, err)
		}
	}
	add()
	_, err := l.RotatePseudonymKey(ctx, "ops:amina")
	must(t, err)
	add()
	must(t, l.Close())
	st := e.store(true)
	r := ledger.NewReader(st)
	defer r.Close()
	found := collect(t, r.FindEntries(ctx, bawwab.LedgerFilter{Recipients: e.keyring.Pseudonyms(number)}))
	keyIDs := map[uint32]int{}
	for _, en := range found {
		keyIDs[en.Recipient.KeyID]++
	}
	if len(found) != 6 || len(keyIDs) != 2 {
		t.Fatalf("found %d entries of the number under %d keys, want 6 under 2", len(found), len(keyIDs))
	}
	e.mustVerify()
}

// testPurge: the retention purge drops old texts, keeps their hashes, and
// the ledger verifies, also after a second purge.
func testPurge(t *testing.T, b Backend) {
	e := newEnv(t, b)
	l := e.open()
	ctx := context.Background()
	for i := range 120 {
		en := Decision(i)
		en.Time = t0.Add(time.Duration(i) * time.Hour)
		_, err := l.Append(ctx, en)
		must(t, err)
	}
	e.clock.Set(t0.Add(200 * time.Hour))
	cutoff := t0.Add(50 * time.Hour)
	n, err := l.PurgeTexts(ctx, cutoff, "retention-job")
	must(t, err)
	if n != 50 {
		t.Fatalf("purged %d texts, want 50", n)
	}
	for i := 120; i < 130; i++ {
		en := Decision(i)
		en.Time = t0.Add(time.Duration(i+30) * time.Hour)
		_, err := l.Append(ctx, en)
		must(t, err)
	}
	for en, err := range l.FindEntries(ctx, bawwab.LedgerFilter{WithText: true, Kinds: []bawwab.EntryKind{bawwab.EntryDecision}}) {
		must(t, err)
		if old := en.Time.Before(cutoff); en.TextHash.IsZero() || old != (en.Text == "") {
			t.Fatalf("entry %d (%s): text %q", en.Index, en.Time, en.Text)
		}
	}
	must(t, l.Close())
	rep := e.mustVerify()
	if rep.Purged != 50 || rep.Texts != 80 {
		t.Fatalf("report: %d texts checked, %d purged", rep.Texts, rep.Purged)
	}
	l = e.open()
	if n, err := l.PurgeTexts(ctx, cutoff, "retention-job"); err != nil || n != 0 {
		t.Fatalf("second purge: %d, %v", n, err)
	}
	must(t, l.Close())
	e.mustVerify()
}

// testTamper: verification catches an altered record and names it.
func testTamper(t *testing.T, b Backend) {
	if b.Tamper == nil {
		t.Skip("the backend cannot be altered by the suite")
	}
	e := newEnv(t, b)
	l := e.open(func(o *ledger.Options) { o.CheckpointEvery = 100 })
	appendN(t, l, 0, 450)
	must(t, l.Close())
	e.mustVerify()
	b.Tamper(t, e.loc, 237)
	rep := e.verify()
	if rep.Problem == nil || rep.Problem.Index != 237 {
		t.Fatalf("verify after altering entry 237: %v", rep.Problem)
	}
}
