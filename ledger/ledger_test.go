package ledger_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

func TestAppendAndRead(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	ctx := context.Background()
	var want []bawwab.LedgerEntry
	for i, en := range vectorEntries() {
		en.MSISDN = msisdnFor(i)
		en.Recipient = bawwab.Pseudonym{}
		en.TextHash, en.TextNonce = bawwab.Digest{}, nil
		idx, err := l.Append(ctx, en)
		if err != nil {
			t.Fatal(err)
		}
		if idx != int64(i) || en.Index != idx {
			t.Fatalf("entry %d got index %d (e.Index %d)", i, idx, en.Index)
		}
		if en.Recipient != e.keyring.Pseudonym(msisdnFor(i)) {
			t.Errorf("entry %d: recipient %s is not the number's pseudonym", i, en.Recipient)
		}
		w := *en
		w.MSISDN = ""
		want = append(want, w)
	}
	for i := range want {
		got, err := l.FindEntryByIndex(ctx, int64(i))
		if err != nil {
			t.Fatal(err)
		}
		w := want[i]
		w.Time = w.Time.UTC()
		if fmt.Sprint(*got) != fmt.Sprint(w) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, *got, w)
		}
	}
	if _, err := l.FindEntryByIndex(ctx, int64(len(want))); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("reading past the end: %v, want not found", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, decision(1)); !errors.Is(err, ledger.ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	rep := e.mustVerify()
	if rep.Entries != int64(len(want)) || rep.Texts != 1 {
		t.Errorf("report %+v", rep)
	}
}

func TestFindEntriesFilters(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	defer l.Close()
	appendN(t, l, 500)
	ctx := context.Background()
	reject := bawwab.Reject
	ref := int64(3)
	if _, err := l.Append(ctx, &bawwab.LedgerEntry{Kind: bawwab.EntryComplaint, MSISDN: msisdnFor(3), Action: "confirmed", Refs: []int64{3}}); err != nil {
		t.Fatal(err)
	}
	all := collect(t, l.FindEntries(ctx, bawwab.LedgerFilter{WithText: true}))
	tests := []struct {
		name string
		f    bawwab.LedgerFilter
	}{
		{"provider", bawwab.LedgerFilter{ProviderID: "medinasms"}},
		{"advertiser and operator", bawwab.LedgerFilter{AdvertiserID: "moda-sala", OperatorID: "orange"}},
		{"sender", bawwab.LedgerFilter{SenderID: "KECHLIVR"}},
		{"outcome", bawwab.LedgerFilter{Outcome: &reject}},
		{"reason", bawwab.LedgerFilter{Reason: bawwab.ReasonQuietHours}},
		{"time", bawwab.LedgerFilter{Since: all[100].Time, Before: all[300].Time}},
		{"index", bawwab.LedgerFilter{FromIndex: 250, ToIndex: 260}},
		{"kind", bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryComplaint}}},
		{"refers to", bawwab.LedgerFilter{RefersTo: &ref}},
		{"number", bawwab.LedgerFilter{Recipients: e.keyring.Pseudonyms(msisdnFor(7))}},
		{"fingerprint", bawwab.LedgerFilter{Fingerprint: fingerprint(5)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []int64
			for _, en := range all {
				if tt.f.Match(en) {
					want = append(want, en.Index)
				}
			}
			var got []int64
			for _, en := range collect(t, l.FindEntries(ctx, tt.f)) {
				got = append(got, en.Index)
			}
			if len(want) == 0 || len(want) == len(all) {
				t.Fatalf("the filter selects %d of %d entries: not a useful test", len(want), len(all))
			}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func collect(t testing.TB, seq func(func(*bawwab.LedgerEntry, error) bool)) []*bawwab.LedgerEntry {
	t.Helper()
	var out []*bawwab.LedgerEntry
	for en, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

func TestConcurrentAppendsAndReopen(t *testing.T) {
	e := newEnv(t)
	l := e.open(func(o *ledger.Options) { o.SegmentSize = 64 << 10; o.CheckpointEvery = 300 })
	ctx := context.Background()
	const workers, each = 32, 60
	var mu sync.Mutex
	seen := map[int64]string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := range each {
				en := decision(w*each + k)
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
	st := l.Stats()
	if st.Syncs >= st.Appended {
		t.Errorf("no group commit: %d syncs for %d entries", st.Syncs, st.Appended)
	}
	t.Logf("%+v", st)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(e.dir, "*.log"))
	if len(segs) < 3 {
		t.Errorf("%d segments: the test should cross segment boundaries", len(segs))
	}
	l = e.open()
	defer l.Close()
	for idx, detail := range seen {
		en, err := l.FindEntryByIndex(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if en.Detail != detail {
			t.Fatalf("entry %d holds %q, want %q", idx, en.Detail, detail)
		}
	}
	idx, err := l.Append(ctx, decision(0))
	if err != nil || idx != workers*each {
		t.Fatalf("append after reopen: index %d, %v", idx, err)
	}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	rep := e.mustVerify()
	if rep.Entries != workers*each+1 || rep.Checkpoints < 6 {
		t.Errorf("report %+v", rep)
	}
}

func TestCheckpointPolicy(t *testing.T) {
	e := newEnv(t)
	l := e.open(func(o *ledger.Options) {
		o.CheckpointEvery = 1000
		o.CheckpointInterval = 20 * time.Millisecond
	})
	ctx := context.Background()
	appendN(t, l, 10)
	deadline := time.Now().Add(5 * time.Second)
	for l.LatestCheckpoint() == nil || l.LatestCheckpoint().N < 10 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
	n := l.Stats().Checkpoints
	time.Sleep(100 * time.Millisecond)
	if l.Stats().Checkpoints != n {
		t.Error("checkpoints signed while nothing was appended")
	}
	appendN(t, l, 2500)
	cp, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cp.N != 2510 {
		t.Errorf("explicit checkpoint covers %d, want 2510", cp.N)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cps, err := r.Checkpoints(note.VerifierList(e.verifiers()...))
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) < 4 {
		t.Errorf("%d checkpoints, want every 1000 entries, on time, on demand", len(cps))
	}
	for i := 1; i < len(cps); i++ {
		if cps[i].N < cps[i-1].N {
			t.Errorf("checkpoint %d covers fewer entries than the one before", i)
		}
		p, err := r.ProveConsistency(cps[i-1].N, cps[i].N)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyConsistency(cps[i-1], cps[i], p); err != nil {
			t.Errorf("checkpoint %d does not extend %d: %v", i, i-1, err)
		}
	}
}

func TestInclusionProofs(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	appendN(t, l, 1000)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	keys := note.VerifierList(e.verifiers()...)
	ctx := context.Background()
	for _, idx := range []int64{0, 1, 511, 512, 998, 999} {
		p, err := r.ProveEntry(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		// Through JSON, as handed to an inspector.
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back ledger.Proof
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		en, cp, err := ledger.VerifyInclusion(&back, keys)
		if err != nil {
			t.Fatalf("entry %d: %v", idx, err)
		}
		if en.Index != idx || cp.N != 1000 || en.Text != decision(int(idx)).Text {
			t.Errorf("entry %d: proved %+v against %d", idx, en, cp.N)
		}
	}
	p, err := r.ProveEntry(ctx, 42)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _, _ := note.GenerateKey(newRand("other"), "test-ledger")
	_ = otherKey
	alter := map[string]func(*ledger.Proof){
		"entry byte": func(p *ledger.Proof) { p.Entry[len(p.Entry)-1] ^= 1 },
		"index":      func(p *ledger.Proof) { p.Index = 43 },
		"path hash":  func(p *ledger.Proof) { p.Path[0][0] ^= 1 },
		"path short": func(p *ledger.Proof) { p.Path = p.Path[1:] },
		"text":       func(p *ledger.Proof) { p.Text = strings.Replace(p.Text, "a", "e", 1) },
		"checkpoint": func(p *ledger.Proof) { p.Checkpoint = strings.Replace(p.Checkpoint, "\n1000\n", "\n1001\n", 1) },
		"signature":  func(p *ledger.Proof) { p.Checkpoint = p.Checkpoint[:len(p.Checkpoint)-6] + "AAAA=\n" },
	}
	for name, f := range alter {
		t.Run(name, func(t *testing.T) {
			data, _ := json.Marshal(p)
			var q ledger.Proof
			json.Unmarshal(data, &q)
			f(&q)
			if _, _, err := ledger.VerifyInclusion(&q, keys); err == nil {
				t.Error("an altered proof verifies")
			}
		})
	}
	// A key that did not sign the ledger proves nothing.
	_, vkey, _ := note.GenerateKey(newRand("stranger"), "test-ledger")
	v, _ := note.NewVerifier(vkey)
	if _, _, err := ledger.VerifyInclusion(p, note.VerifierList(v)); err == nil {
		t.Error("a proof verifies with a stranger's key")
	}
}

func TestPseudonymLookupAndRotation(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	ctx := context.Background()
	const number = "+212661234567"
	add := func(n int) {
		for i := range n {
			en := decision(i)
			if i%10 == 3 {
				en.MSISDN = number
			}
			if _, err := l.Append(ctx, en); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(50)
	oldID := e.keyring.CurrentKeyID()
	newID, err := l.RotatePseudonymKey(ctx, "ops:amina")
	if err != nil {
		t.Fatal(err)
	}
	if newID == oldID || e.keyring.CurrentKeyID() != newID {
		t.Fatalf("rotation: key %08x -> %08x, current %08x", oldID, newID, e.keyring.CurrentKeyID())
	}
	add(50)
	rot := collect(t, l.FindEntries(ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryKeyRotation}}))
	if len(rot) != 1 || rot[0].Actor != "ops:amina" || !strings.Contains(rot[0].Detail, fmt.Sprintf("%08x", newID)) {
		t.Fatalf("rotation entries %+v", rot)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// An inspector, with a copy of the keyring, finds the number's
	// entries under both keys.
	kr, err := ledger.OpenKeyring(filepath.Join(e.keys, "pseudonym.keys"), ledger.KeyringOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	found := collect(t, r.FindEntries(ctx, bawwab.LedgerFilter{Recipients: kr.Pseudonyms(number)}))
	if len(found) != 10 {
		t.Fatalf("found %d entries of the number, want 10", len(found))
	}
	keyIDs := map[uint32]int{}
	for _, en := range found {
		keyIDs[en.Recipient.KeyID]++
	}
	if keyIDs[oldID] != 5 || keyIDs[newID] != 5 {
		t.Errorf("entries per key %v, want 5 under each", keyIDs)
	}
	e.mustVerify()
}

// TestNoClearNumbers looks for every subscriber number appended, in any of
// the forms it could take, in every file of the ledger, its exports and
// its logs.
func TestNoClearNumbers(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := e.open(func(o *ledger.Options) { o.Logger = logger; o.SegmentSize = 32 << 10 })
	ctx := context.Background()
	var numbers []string
	for i := range 300 {
		en := decision(i)
		numbers = append(numbers, en.MSISDN)
		logger.Info("decided", "recipient", l.LogValue(en.MSISDN), "outcome", en.Outcome)
		if _, err := l.Append(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.PurgeTexts(ctx, t0.Add(50*time.Millisecond), "retention"); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var exports bytes.Buffer
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range ledger.ExportFormats {
		x, err := ledger.NewExporter(&exports, format)
		if err != nil {
			t.Fatal(err)
		}
		for en, err := range r.FindEntries(ctx, bawwab.LedgerFilter{WithText: true}) {
			if err != nil {
				t.Fatal(err)
			}
			if err := x.Write(en); err != nil {
				t.Fatal(err)
			}
		}
		x.Flush()
	}
	r.Close()
	if !strings.Contains(logs.String(), "p:") || !strings.Contains(exports.String(), "recipient") {
		t.Fatal("the logs or exports do not show pseudonyms: the test proves nothing")
	}
	haystacks := map[string][]byte{"logs": logs.Bytes(), "exports": exports.Bytes()}
	files, _ := filepath.Glob(filepath.Join(e.dir, "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		haystacks[filepath.Base(f)] = data
	}
	for _, n := range numbers {
		national := n[4:] // "6xxxxxxxx"
		forms := []string{n, n[1:], "0" + national, national}
		for name, h := range haystacks {
			for _, f := range forms {
				if bytes.Contains(h, []byte(f)) {
					t.Errorf("%s contains the number %s in clear (as %q)", name, n, f)
				}
			}
		}
	}
}

func TestLogValue(t *testing.T) {
	e := newEnv(t)
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "to", e.keyring.LogValue("+212612345678"))
	var nilKeys *ledger.Keyring
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "to", nilKeys.LogValue("+212612345678"))
	fmt.Fprintf(&b, "%v %+v %#v %s\n", e.keyring.LogValue("+212612345678").Any(), e.keyring.LogValue("+212612345678").Any(),
		e.keyring.LogValue("+212612345678").Any(), e.keyring.LogValue("+212612345678"))
	out := b.String()
	if regexp.MustCompile(`612345678|2126`).MatchString(out) {
		t.Errorf("a number printed in clear: %s", out)
	}
	short := e.keyring.Pseudonym("+212612345678").Short()
	if !strings.Contains(out, "to="+short) || !strings.Contains(out, "to=p:redacted") {
		t.Errorf("want the pseudonym's short form %s in %s", short, out)
	}
}

func TestPurgeKeepsTheLedgerVerifiable(t *testing.T) {
	e := newEnv(t)
	l := e.open(func(o *ledger.Options) { o.SegmentSize = 16 << 10 })
	ctx := context.Background()
	add := func(from, n int) {
		for i := from; i < from+n; i++ {
			en := decision(i)
			en.Time = t0.Add(time.Duration(i) * time.Hour) // one entry an hour
			if _, err := l.Append(ctx, en); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(0, 200)
	e.clock.Set(t0.Add(300 * time.Hour))
	cutoff := t0.Add(100 * time.Hour)
	n, err := l.PurgeTexts(ctx, cutoff, "retention-job")
	if err != nil {
		t.Fatal(err)
	}
	if n != 100 {
		t.Errorf("purged %d texts, want 100", n)
	}
	add(200, 20)
	for en, err := range l.FindEntries(ctx, bawwab.LedgerFilter{WithText: true, Kinds: []bawwab.EntryKind{bawwab.EntryDecision}}) {
		if err != nil {
			t.Fatal(err)
		}
		old := en.Time.Before(cutoff)
		if en.TextHash.IsZero() || old != (en.Text == "") {
			t.Fatalf("entry %d (%s): text %q, hash %s", en.Index, en.Time, en.Text, en.TextHash)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rep := e.mustVerify()
	if rep.Purged != 100 || rep.Texts != 120 {
		t.Errorf("report: %d texts checked, %d purged", rep.Texts, rep.Purged)
	}
	// The dropped texts are gone from the disk.
	var all []byte
	files, _ := filepath.Glob(filepath.Join(e.dir, "*"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		all = append(all, data...)
	}
	first := decision(0).Text
	kept := 0
	for i := 100; i < 200; i++ {
		if decision(i).Text == first {
			kept++
		}
	}
	if got := bytes.Count(all, []byte(first)); got != kept+1 { // +1: the batch of 20 appended after
		t.Errorf("the first text appears %d times on disk, want %d", got, kept+1)
	}
	// Purging again drops nothing more and still verifies.
	l = e.open()
	if n, err := l.PurgeTexts(ctx, cutoff, "retention-job"); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v", n, err)
	}
	l.Close()
	e.mustVerify()
}

func TestTornTailIsTruncated(t *testing.T) {
	e := newEnv(t)
	l := e.open(func(o *ledger.Options) { o.CheckpointEvery = 50 })
	appendN(t, l, 120)
	l.Close()
	last := lastSegment(t, e.dir)
	// A crash in the middle of a write: part of a record after the end.
	full, _ := os.ReadFile(last)
	tornRecord := full[len(full)-200 : len(full)-90]
	f, _ := os.OpenFile(last, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(tornRecord)
	f.Close()
	rep := e.verify()
	if rep.Problem != nil || rep.Tail == nil || rep.Tail.Index != 120 {
		t.Fatalf("verify before reopening: problem %v, tail %v (want a tail warning at 120)", rep.Problem, rep.Tail)
	}
	l = e.open()
	if !strings.Contains(l.Recovered(), "torn tail at entry 120") {
		t.Errorf("recovered: %q", l.Recovered())
	}
	if n := l.Len(); n != 120 {
		t.Errorf("%d entries after recovery, want 120", n)
	}
	appendN(t, l, 5)
	l.Close()
	if torn, _ := filepath.Glob(filepath.Join(e.dir, "torn-*")); len(torn) == 0 {
		t.Error("the torn bytes were not kept for inspection")
	}
	rep = e.mustVerify()
	if rep.Tail != nil || rep.Entries != 125 {
		t.Errorf("after recovery: %+v", rep)
	}
}

func TestDamageUnderACheckpointIsNotTruncated(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	appendN(t, l, 100)
	l.Close() // the final checkpoint covers all 100
	last := lastSegment(t, e.dir)
	data, _ := os.ReadFile(last)
	data[len(data)-10] ^= 0xff // damage the last record
	os.WriteFile(last, data, 0o640)
	_, err := ledger.Open(e.dir, e.options())
	var ce *ledger.CorruptError
	if !errors.As(err, &ce) || ce.Index != 99 {
		t.Fatalf("open: %v, want a CorruptError at entry 99", err)
	}
	if rep := e.verify(); rep.Problem == nil || rep.Problem.Index != 99 {
		t.Fatalf("verify: %v", rep.Problem)
	}
}

func TestOneWriterAtATime(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	defer l.Close()
	if _, err := ledger.Open(e.dir, e.options()); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("second writer: %v", err)
	}
	// Readers are welcome.
	appendN(t, l, 10)
	r, err := ledger.OpenReader(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Len() != 10 {
		t.Errorf("reader sees %d entries", r.Len())
	}
}

func TestAppendRefusesBadEntries(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	defer l.Close()
	ctx := context.Background()
	bad := []*bawwab.LedgerEntry{
		{},
		{Kind: bawwab.EntryDecision, Reason: "unheard-of"},
		{Kind: bawwab.EntryDecision, Text: strings.Repeat("x", ledger.MaxTextSize+1)},
	}
	for i, en := range bad {
		if _, err := l.Append(ctx, en); err == nil {
			t.Errorf("entry %d appended", i)
		}
	}
	if _, err := l.AppendBatch(ctx, []*bawwab.LedgerEntry{decision(1), {}}); err == nil {
		t.Error("a batch with a bad entry appended")
	}
	if l.Len() != 0 {
		t.Errorf("%d entries appended from refused appends", l.Len())
	}
	noKeys := newEnv(t)
	l2 := noKeys.open(func(o *ledger.Options) { o.Keyring = nil })
	defer l2.Close()
	if _, err := l2.Append(ctx, decision(1)); err == nil {
		t.Error("appended a number without a keyring")
	}
}

func TestExportFormats(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	ctx := context.Background()
	for _, en := range vectorEntries() {
		en.TextNonce = nil
		if _, err := l.Append(ctx, en); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	r, _ := ledger.OpenReader(e.dir)
	defer r.Close()
	var js, cs bytes.Buffer
	xj, _ := ledger.NewExporter(&js, "jsonl")
	xc, _ := ledger.NewExporter(&cs, "csv")
	for en, err := range r.FindEntries(ctx, bawwab.LedgerFilter{WithText: true}) {
		if err != nil {
			t.Fatal(err)
		}
		xj.Write(en)
		xc.Write(en)
	}
	xc.Flush()
	lines := strings.Split(strings.TrimSpace(js.String()), "\n")
	if len(lines) != len(vectorEntries()) {
		t.Fatalf("%d JSON lines", len(lines))
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["kind"] != "decision" || first["outcome"] != "accept" || first["text_state"] != "kept" || first["index"] != 0.0 {
		t.Errorf("first line %s", lines[0])
	}
	var measure map[string]any
	json.Unmarshal([]byte(lines[5]), &measure)
	if measure["outcome"] != nil || fmt.Sprint(measure["refs"]) != "[4 1 0]" {
		t.Errorf("measure line %s", lines[5])
	}
	if _, err := ledger.NewExporter(&js, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
	csvLines := strings.Split(strings.TrimSpace(cs.String()), "\n")
	if len(csvLines) < len(vectorEntries())+1 || !strings.HasPrefix(csvLines[0], "index,kind,time,") {
		t.Errorf("csv:\n%s", cs.String())
	}
}

func lastSegment(t *testing.T, dir string) string {
	t.Helper()
	segs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	slices.Sort(segs)
	if len(segs) == 0 {
		t.Fatal("no segment")
	}
	return segs[len(segs)-1]
}

// TestSegmentCreationCutShort: a crash while a new segment was being
// created leaves its files without complete headers.
func TestSegmentCreationCutShort(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	appendN(t, l, 120)
	l.Close()
	next := filepath.Join(e.dir, fmt.Sprintf("%020d", 120))
	os.WriteFile(next+".txt", []byte("BWL1TXT\n\x00\x00\x00\x00\x00\x00\x00\x78"), 0o640)
	os.WriteFile(next+".log", []byte("BWL1L"), 0o640)
	if rep := e.verify(); rep.Problem != nil {
		t.Fatalf("verify: %v", rep.Problem)
	}
	l = e.open()
	if l.Len() != 120 {
		t.Fatalf("%d entries", l.Len())
	}
	appendN(t, l, 3)
	l.Close()
	if rep := e.mustVerify(); rep.Entries != 123 {
		t.Errorf("%d entries", rep.Entries)
	}
}
