package report_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files")

type detRand struct {
	mu sync.Mutex
	n  uint64
}

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < len(p); i += 32 {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], r.n)
		r.n++
		s := sha256.Sum256(c[:])
		copy(p[i:], s[:])
	}
	return len(p), nil
}

type env struct {
	t      testing.TB
	dir    string
	st     bawwab.Store
	keys   *ledger.Keyring
	ledger *ledger.Ledger
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	db := sqlite.NewDB(filepath.Join(e.dir, "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.st = db.Store()
	os.MkdirAll(filepath.Join(e.dir, "keys"), 0o700)
	rnd := &detRand{}
	var err error
	e.keys, err = ledger.OpenKeyring(filepath.Join(e.dir, "keys", "pseudonym.keys"), ledger.KeyringOptions{Create: true, Rand: rnd})
	if err != nil {
		t.Fatal(err)
	}
	e.ledger, err = ledger.Open(filepath.Join(e.dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(e.dir, "keys", "signing.key"),
		Origin: "node1", Keyring: e.keys, Rand: rnd})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.ledger.Close() })
	return e
}

func (e *env) feeder(batch int) *report.Feeder {
	return &report.Feeder{Store: e.st.Reports, Ledger: e.ledger, Origin: "node1", BatchSize: batch, SenderCategory: senderCategory}
}

func senderCategory(s string) bawwab.Category {
	switch s {
	case "ATLASMKT", "DarLbahja", "IAMPROMO":
		return bawwab.CategoryCommercial
	case "ATLASINFO":
		return bawwab.CategoryTransactional
	}
	return bawwab.CategoryUnknown
}

var recipients = []string{"+212661234567", "+212662345678", "+212700112233"}

// day returns 09:00 UTC (10:00 in Casablanca) of June 1+k, 2025.
func day(k int) time.Time { return time.Date(2025, 6, 1+k, 9, 0, 0, 0, time.UTC) }

func dec(at time.Time, provider, operator, sender string, d bawwab.Decision, n int) *bawwab.LedgerEntry {
	e := &bawwab.LedgerEntry{Time: at, ProviderID: provider, OperatorID: operator, SenderID: sender, AdvertiserID: "adv",
		MSISDN: recipients[n%len(recipients)], Text: "Promo -20% STOP au 5050"}
	d.RuleSet = "test"
	e.SetDecision(d)
	return e
}

var (
	accept    = bawwab.Decision{Outcome: bawwab.Accept}
	missing   = bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing}
	opposed   = bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonRecipientOptedOut}
	quiet     = bawwab.Decision{Outcome: bawwab.Defer, Reason: bawwab.ReasonQuietHours}
	flagged   = bawwab.Decision{Outcome: bawwab.Accept, Flag: bawwab.ReasonMislabelledCommercial}
	monitored = bawwab.Decision{Outcome: bawwab.Accept, Reason: bawwab.ReasonNoConsent, Monitored: true}
	notAuth   = bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonProviderNotAuthorised}
)

// generate returns the entries of the generated ledger, day by day: the
// counts of the expected report below follow from them by hand.
func generate() [][]*bawwab.LedgerEntry {
	var days [][]*bawwab.LedgerEntry
	n := 0
	for k := range 3 {
		at := day(k)
		var es []*bawwab.LedgerEntry
		add := func(e *bawwab.LedgerEntry) {
			n++
			e.Time = e.Time.Add(time.Duration(n) * time.Second)
			es = append(es, e)
		}
		for range 5 {
			add(dec(at, "atlasvas", "iam", "ATLASMKT", accept, n))
		}
		add(dec(at, "atlasvas", "iam", "ATLASMKT", missing, n))
		add(dec(at, "atlasvas", "iam", "ATLASMKT", missing, n))
		add(dec(at, "atlasvas", "iam", "ATLASMKT", opposed, n))
		add(dec(at, "atlasvas", "iam", "ATLASMKT", quiet, n))
		add(dec(at, "atlasvas", "iam", "ATLASINFO", flagged, n))
		add(dec(at, "atlasvas", "iam", "ATLASMKT", monitored, n))
		for range 3 {
			add(dec(at, "atlasvas", "orange", "ATLASMKT", accept, n))
		}
		for range 4 + k {
			add(dec(at, "rifdigital", "inwi", "DarLbahja", accept, n))
		}
		add(dec(at, "rifdigital", "inwi", "DarLbahja", notAuth, n))
		add(dec(at, "rifdigital", "inwi", "DarLbahja", notAuth, n))
		add(&bawwab.LedgerEntry{Kind: bawwab.EntryOpposition, Time: at, MSISDN: recipients[0], OperatorID: "iam", Action: "stop", Subject: "national", Channel: "3030"})
		add(&bawwab.LedgerEntry{Kind: bawwab.EntryOpposition, Time: at, MSISDN: recipients[1], ProviderID: "atlasvas", OperatorID: "iam", Action: "stop", Subject: "provider:atlasvas", Channel: "5050"})
		add(&bawwab.LedgerEntry{Kind: bawwab.EntryOpposition, Time: at, MSISDN: recipients[2], OperatorID: "iam", Action: "start", Subject: "national", Channel: "3030"})
		if k == 1 {
			for _, a := range []string{"opened", "opened", "confirmed"} {
				add(&bawwab.LedgerEntry{Kind: bawwab.EntryComplaint, Time: at, ProviderID: "atlasvas", OperatorID: "iam", Action: a, Actor: "system:complaint-desk"})
			}
			add(&bawwab.LedgerEntry{Kind: bawwab.EntryComplaint, Time: at, Action: "unmatched", Actor: "system:complaint-desk"})
		}
		if k == 2 {
			add(&bawwab.LedgerEntry{Kind: bawwab.EntryMeasure, Time: at, ProviderID: "atlasvas", Action: "warning", Actor: "system:sanction-monitor"})
			add(&bawwab.LedgerEntry{Kind: bawwab.EntryMeasure, Time: at, ProviderID: "atlasvas", Action: "lift", Actor: "regulator:anrt"})
			// 23:30 UTC on the 3rd is 00:30 on the 4th in Casablanca.
			late := dec(time.Date(2025, 6, 3, 23, 30, 0, 0, time.UTC), "atlasvas", "iam", "ATLASMKT", accept, n)
			es = append(es, late)
		}
		days = append(days, es)
	}
	return days
}

func (e *env) appendAll(days [][]*bawwab.LedgerEntry, each func()) {
	e.t.Helper()
	for _, es := range days {
		if _, err := e.ledger.AppendBatch(context.Background(), es); err != nil {
			e.t.Fatal(err)
		}
		if each != nil {
			each()
		}
	}
}

func rej(m map[bawwab.Reason]int64) map[bawwab.Reason]int64 { return m }

// expected is the report of the generated ledger, per day, provider and
// operator, computed by hand.
func expected() []report.Row {
	d := func(k int) time.Time { return report.Date(2025, time.June, 1+k) }
	var rows []report.Row
	for k := range 3 {
		atlasIAM := report.Row{Day: d(k), ProviderID: "atlasvas", OperatorID: "iam", Submitted: 11, Accepted: 7, Deferred: 1, Rejected: 3,
			Rejections: rej(map[bawwab.Reason]int64{bawwab.ReasonOptOutMentionMissing: 2, bawwab.ReasonRecipientOptedOut: 1}),
			Flagged:    1, Monitored: 1, Stops: 1}
		if k == 1 {
			atlasIAM.ComplaintsOpened, atlasIAM.ComplaintsConfirmed = 2, 1
		}
		if k == 1 {
			rows = append(rows, report.Row{Day: d(k), ComplaintsUnmatched: 1})
		}
		rows = append(rows, report.Row{Day: d(k), OperatorID: "iam", Stops: 1, Starts: 1})
		if k == 2 {
			rows = append(rows, report.Row{Day: d(k), ProviderID: "atlasvas", Warnings: 1, Lifts: 1})
		}
		rows = append(rows, atlasIAM,
			report.Row{Day: d(k), ProviderID: "atlasvas", OperatorID: "orange", Submitted: 3, Accepted: 3},
			report.Row{Day: d(k), ProviderID: "rifdigital", OperatorID: "inwi", Submitted: int64(6 + k), Accepted: int64(4 + k), Rejected: 2,
				Rejections: rej(map[bawwab.Reason]int64{bawwab.ReasonProviderNotAuthorised: 2})})
	}
	rows = append(rows, report.Row{Day: d(3), ProviderID: "atlasvas", OperatorID: "iam", Submitted: 1, Accepted: 1})
	return rows
}

func TestReportMatchesHandComputed(t *testing.T) {
	e := newEnv(t)
	e.appendAll(generate(), nil)
	if _, err := e.feeder(0).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rows, err := report.Table(ctx, e.st.Reports, report.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := expected()
	if !reflect.DeepEqual(rows, want) {
		for i := range max(len(rows), len(want)) {
			var g, w report.Row
			if i < len(rows) {
				g = rows[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("row %d:\n got  %+v\n want %+v", i, g, w)
			}
		}
	}

	// Per provider over a period, and filters.
	byProvider, err := report.Table(ctx, e.st.Reports, report.Filter{From: report.Date(2025, 6, 2), To: report.Date(2025, 6, 3), By: []report.Dim{report.ByProvider}})
	if err != nil {
		t.Fatal(err)
	}
	atlas := byProvider[1]
	if len(byProvider) != 3 || atlas.ProviderID != "atlasvas" || atlas.Submitted != 2*14 || atlas.Rejected != 6 || atlas.ComplaintsConfirmed != 1 ||
		atlas.Warnings != 1 || atlas.Stops != 2 || byProvider[2].Submitted != 7+8 || byProvider[0].ComplaintsUnmatched != 1 {
		t.Errorf("per provider, June 2 to 3: %+v", byProvider)
	}
	byOperator, err := report.Table(ctx, e.st.Reports, report.Filter{OperatorID: "orange", By: []report.Dim{report.ByOperator}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byOperator) != 1 || byOperator[0].Submitted != 9 || byOperator[0].OperatorID != "orange" || !byOperator[0].Day.IsZero() {
		t.Errorf("orange: %+v", byOperator)
	}
	one, err := report.Table(ctx, e.st.Reports, report.Filter{ProviderID: "rifdigital", By: []report.Dim{report.ByDay}})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 3 || one[2].Submitted != 8 || one[2].Rejections[bawwab.ReasonProviderNotAuthorised] != 2 {
		t.Errorf("rifdigital per day: %+v", one)
	}

	// The outputs: CSV (bawwab report) and JSON (the API), golden.
	var csv, js bytes.Buffer
	if err := report.WriteCSV(&csv, rows); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteJSON(&js, rows); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/table.golden.csv", csv.Bytes())
	golden(t, "testdata/table.golden.json", js.Bytes())
	for _, n := range recipients {
		for _, out := range []string{csv.String(), js.String()} {
			if strings.Contains(out, n[4:]) || strings.Contains(out, n[1:]) {
				t.Errorf("a subscriber's number in a report: %s", n)
			}
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n%s", path, got)
	}
}

// snapshot is every aggregate and delivery of the store.
func snapshot(t *testing.T, e *env) (hourly, daily []bawwab.Tally, deliveries []bawwab.Delivery) {
	t.Helper()
	ctx := context.Background()
	all := []bawwab.AggregateDim{bawwab.DimTime, bawwab.DimProvider, bawwab.DimOperator, bawwab.DimKind, bawwab.DimCategory,
		bawwab.DimOutcome, bawwab.DimReason, bawwab.DimFlag, bawwab.DimMode, bawwab.DimAction}
	var err error
	if hourly, err = e.st.Reports.Aggregate(ctx, bawwab.AggregateQuery{GroupBy: all}); err != nil {
		t.Fatal(err)
	}
	if daily, err = e.st.Reports.Aggregate(ctx, bawwab.AggregateQuery{Daily: true, GroupBy: all}); err != nil {
		t.Fatal(err)
	}
	var ps []bawwab.Pseudonym
	for _, n := range recipients {
		ps = append(ps, e.keys.Pseudonyms(n)...)
	}
	if deliveries, err = e.st.Complaints.FindDeliveries(ctx, ps, time.Time{}, time.Time{}, 100000); err != nil {
		t.Fatal(err)
	}
	return
}

// TestRebuildEqualsLive feeds the aggregates live, in small batches as
// entries are appended, then rebuilds them from the ledger: they must come
// out the same, deliveries included; and feeding again adds nothing.
func TestRebuildEqualsLive(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	live := e.feeder(7)
	e.appendAll(generate(), func() {
		if _, err := live.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
	})
	h1, d1, del1 := snapshot(t, e)
	if len(h1) < 20 || len(d1) < 20 || len(del1) != 49 {
		t.Fatalf("%d hourly, %d daily aggregates, %d deliveries: the test proves little", len(h1), len(d1), len(del1))
	}
	n, err := report.Rebuild(ctx, e.st.Reports, e.feeder(1000))
	if err != nil {
		t.Fatal(err)
	}
	if n != e.ledger.Len() {
		t.Fatalf("rebuilt from %d entries, the ledger has %d", n, e.ledger.Len())
	}
	h2, d2, del2 := snapshot(t, e)
	if !reflect.DeepEqual(h1, h2) || !reflect.DeepEqual(d1, d2) || !reflect.DeepEqual(del1, del2) {
		t.Fatalf("rebuild differs from live:\nhourly %v\n   vs  %v\ndaily %v\n   vs %v\ndeliveries %d vs %d", h1, h2, d1, d2, len(del1), len(del2))
	}
	if n, err := live.CatchUp(ctx); err != nil || n != 0 {
		t.Fatalf("the live feeder fed %d more after the rebuild (%v)", n, err)
	}
	h3, _, _ := snapshot(t, e)
	if !reflect.DeepEqual(h1, h3) {
		t.Fatal("feeding again changed the aggregates")
	}
}

// TestConcurrentFeeders: two feeders of one ledger at once (a gateway and
// a rebuild) count each entry once.
func TestConcurrentFeeders(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.appendAll(generate(), nil)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := e.feeder(3).CatchUp(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ts, err := e.st.Reports.Aggregate(ctx, bawwab.AggregateQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 1 || ts[0].N != e.ledger.Len() {
		t.Fatalf("aggregates count %v entries, the ledger holds %d", ts, e.ledger.Len())
	}
}

func TestOverview(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.appendAll(generate(), nil)
	if _, err := e.feeder(0).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 4, 2, 15, 0, 0, time.UTC)
	o, err := report.BuildOverview(ctx, e.st.Reports, now, report.Scope{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Hourly) != 48 || len(o.Daily) != 30 || len(o.Trend) != 30 {
		t.Fatalf("%d hours, %d days, %d trend points", len(o.Hourly), len(o.Daily), len(o.Trend))
	}
	if first, last := o.Hourly[0].Time, o.Hourly[47].Time; !first.Equal(time.Date(2025, 6, 2, 3, 0, 0, 0, time.UTC)) || !last.Equal(time.Date(2025, 6, 4, 2, 0, 0, 0, time.UTC)) {
		t.Fatalf("hours from %s to %s", first, last)
	}
	var sum int64
	for _, v := range o.Hourly {
		sum += v.Submitted
		switch v.Time {
		case day(1), day(2):
		case time.Date(2025, 6, 3, 23, 0, 0, 0, time.UTC):
			if v.Submitted != 1 {
				t.Errorf("23:00 on the 3rd: %+v", v)
			}
		default:
			if v.Submitted != 0 {
				t.Errorf("%s: %+v, want nothing", v.Time, v)
			}
		}
	}
	if sum != 21+22+1 {
		t.Errorf("%d submissions in the 48 hours, want 44", sum)
	}
	// Today is June 4 in Casablanca (03:15): the 30 days are May 6 to June 4.
	d := o.Daily[26] // June 1
	if !d.Time.Equal(report.Date(2025, 6, 1)) || d.Submitted != 20 || d.Accepted != 14 || d.Rejected != 5 || d.Deferred != 1 || d.Flagged != 1 {
		t.Errorf("June 1: %+v", d)
	}
	if d := o.Daily[28]; !d.Time.Equal(report.Date(2025, 6, 3)) || d.Submitted != 22 {
		t.Errorf("June 3 is %+v, want 22", d)
	}
	if last := o.Daily[29]; !last.Time.Equal(report.Date(2025, 6, 4)) || last.Submitted != 1 {
		t.Errorf("the last day is %+v, want June 4 (Casablanca) with the message of 23:30 UTC", last)
	}
	wantReasons := []report.ReasonCount{
		{Reason: bawwab.ReasonOptOutMentionMissing, Rejected: 6}, {Reason: bawwab.ReasonProviderNotAuthorised, Rejected: 6},
		{Reason: bawwab.ReasonMislabelledCommercial, Flagged: 3}, {Reason: bawwab.ReasonNoConsent, Monitored: 3},
		{Reason: bawwab.ReasonQuietHours, Deferred: 3}, {Reason: bawwab.ReasonRecipientOptedOut, Rejected: 3},
	}
	if !reflect.DeepEqual(o.Reasons, wantReasons) {
		t.Errorf("reasons %+v", o.Reasons)
	}
	if tr := o.Trend[27]; tr.Stops != 2 || tr.Starts != 1 || tr.ComplaintsOpened != 2 || tr.ComplaintsConfirmed != 1 || tr.ComplaintsUnmatched != 1 {
		t.Errorf("trend on June 2: %+v", tr)
	}
	if tr := o.Trend[28]; tr.Measures != 1 || tr.Lifts != 1 {
		t.Errorf("trend on June 3: %+v", tr)
	}
	if len(o.TopViolators) != 2 || o.TopViolators[0].ProviderID != "atlasvas" || o.TopViolators[0].Violations != 12 || o.TopViolators[0].ComplaintsConfirmed != 1 ||
		o.TopViolators[1].ProviderID != "rifdigital" || o.TopViolators[1].Violations != 6 {
		t.Errorf("top violators %+v", o.TopViolators)
	}
	// A provider's console sees only its own.
	o, err = report.BuildOverview(ctx, e.st.Reports, now, report.Scope{ProviderID: "rifdigital"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.TopViolators) != 1 || o.TopViolators[0].ProviderID != "rifdigital" || o.Daily[26].Submitted != 6 {
		t.Errorf("rifdigital's overview: %+v %+v", o.TopViolators, o.Daily[26])
	}
	o, err = report.BuildOverview(bawwab.NewContextWithProvider(ctx, "rifdigital"), e.st.Reports, now, report.Scope{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.TopViolators) != 1 || o.TopViolators[0].ProviderID != "rifdigital" {
		t.Errorf("in a provider's context: %+v", o.TopViolators)
	}
}

func TestParseBy(t *testing.T) {
	by, err := report.ParseBy("provider, day,provider")
	if err != nil || !reflect.DeepEqual(by, []report.Dim{report.ByProvider, report.ByDay}) {
		t.Fatalf("%v, %v", by, err)
	}
	if _, err := report.ParseBy("week"); err == nil {
		t.Fatal("week accepted")
	}
	_ = fmt.Sprint()
}
