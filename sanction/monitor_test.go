package sanction_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/sanction"
)

var regulator = bawwab.Actor{Name: "anrt.kbenali", Role: bawwab.RoleRegulator}

func kindsOf(cs []change) []bawwab.MeasureKind {
	var out []bawwab.MeasureKind
	for _, c := range cs {
		out = append(out, c.status.Kind)
	}
	return out
}

// TestComplaintThresholds: RULES.md's defaults, warned at exactly the 3rd
// confirmed complaint in 10 days and suspended at exactly the 5th;
// complaints older than the window do not count.
func TestComplaintThresholds(t *testing.T) {
	e := newEnv(t, sanction.DefaultConfig())
	ctx := context.Background()
	if err := e.mon.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// Two confirmed 11 days before: out of the window of the others.
	e.confirm("atlasvas", t0.Add(-11*24*time.Hour))
	e.confirm("atlasvas", t0.Add(-11*24*time.Hour+time.Hour))
	want := map[int]bawwab.MeasureKind{3: bawwab.MeasureWarning, 5: bawwab.MeasureSuspension}
	for i := 1; i <= 6; i++ {
		e.confirm("atlasvas", t0.Add(time.Duration(i)*time.Hour))
		got := kindsOf(e.seen())
		if k, ok := want[i]; ok {
			if !slices.Equal(got, []bawwab.MeasureKind{k}) {
				t.Fatalf("complaint %d: callback told %v, want %s", i, got, k)
			}
		} else if len(got) > 0 {
			t.Fatalf("complaint %d: callback told %v, want nothing", i, got)
		}
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Fatal("not suspended after the 5th complaint")
	}
	e.flush()
	ms := e.measures("atlasvas")
	if len(ms) != 2 || ms[1].Kind != bawwab.MeasureWarning || ms[0].Kind != bawwab.MeasureSuspension || ms[0].Count != 5 || ms[1].Count != 3 {
		t.Fatalf("measures %+v", ms)
	}
	if e.status("atlasvas") != bawwab.ProviderSuspended || e.status("rifdigital") != bawwab.ProviderActive {
		t.Fatalf("statuses %s, %s", e.status("atlasvas"), e.status("rifdigital"))
	}
	// The suspension cites the confirmations it counted, in the ledger.
	if len(ms[0].Refs) != 5 || ms[0].LedgerIndex < 0 {
		t.Errorf("suspension refs %v (ledger index %d)", ms[0].Refs, ms[0].LedgerIndex)
	}
}

// TestShareThreshold: suspended when more than 5 % of the day's
// commercial submissions were refused for a missing opt-out mention, once
// there are at least 200 of them.
func TestShareThreshold(t *testing.T) {
	missing := bawwab.ReasonOptOutMentionMissing
	t.Run("exactly above 5 %", func(t *testing.T) {
		e := newEnv(t, sanction.DefaultConfig())
		at := t0
		ents := append(repeat(190, "atlasvas", at, bawwab.Accept, ""), repeat(10, "atlasvas", at.Add(time.Hour), bawwab.Reject, missing)...)
		if got := e.decide(ents...); len(got) != 0 {
			t.Fatalf("10 of 200 (5 %%, not more) raised %v", got)
		}
		got := e.decide(decision("atlasvas", at.Add(2*time.Hour), bawwab.Reject, missing, ""))
		if len(got) != 1 || !slices.Equal(kindsOf(got[0]), []bawwab.MeasureKind{bawwab.MeasureSuspension}) {
			t.Fatalf("11 of 201 raised %v, want a suspension", got)
		}
	})
	t.Run("too few to judge", func(t *testing.T) {
		e := newEnv(t, sanction.DefaultConfig())
		got := e.decide(decision("atlasvas", t0, bawwab.Accept, "", ""), decision("atlasvas", t0, bawwab.Reject, missing, ""))
		if len(got) != 0 {
			t.Fatalf("one bad message of two raised %v", got)
		}
	})
	t.Run("the volume reaches the minimum", func(t *testing.T) {
		e := newEnv(t, sanction.DefaultConfig())
		ents := append(repeat(20, "atlasvas", t0, bawwab.Reject, missing), repeat(180, "atlasvas", t0.Add(time.Minute), bawwab.Accept, "")...)
		got := e.decide(ents...)
		if len(got) != 1 || got[199] == nil || !slices.Equal(kindsOf(got[199]), []bawwab.MeasureKind{bawwab.MeasureSuspension}) {
			t.Fatalf("raised %v, want a suspension at the 200th submission (index 199)", got)
		}
	})
	t.Run("the day slides", func(t *testing.T) {
		e := newEnv(t, sanction.DefaultConfig())
		// 15 refusals a day and a half ago, then 200 clean submissions
		// and 10 refusals: 10/210 is under 5 %.
		e.decide(repeat(15, "atlasvas", t0, bawwab.Reject, missing)...)
		later := t0.Add(36 * time.Hour)
		if got := e.decide(append(repeat(200, "atlasvas", later, bawwab.Accept, ""), repeat(10, "atlasvas", later.Add(time.Hour), bawwab.Reject, missing)...)...); len(got) != 0 {
			t.Fatalf("refusals out of the window counted: %v", got)
		}
	})
}

// TestCountThresholds: a configured rule with the three levels fires each
// at exactly its count, flags and refusals of mislabelled traffic count
// together, and the throttle carries its rate.
func TestCountThresholds(t *testing.T) {
	cfg := sanction.Config{ThrottleRate: 25, Rules: []sanction.Rule{
		{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 5, Throttle: 10, Suspension: 20},
		{Name: "mislabelled", Counter: sanction.CounterMislabelled, Window: 48 * time.Hour, Warning: 3},
	}}
	e := newEnv(t, cfg)
	opted := bawwab.ReasonRecipientOptedOut
	var ents []*bawwab.LedgerEntry
	for i := range 25 {
		ents = append(ents, decision("rifdigital", t0.Add(time.Duration(i)*time.Minute), bawwab.Accept, "", ""))
		ents = append(ents, decision("rifdigital", t0.Add(time.Duration(i)*time.Minute), bawwab.Reject, opted, ""))
	}
	got := e.decide(ents...)
	at := map[int]bawwab.MeasureKind{}
	for i, cs := range got {
		at[i/2+1] = cs[0].status.Kind
		if cs[0].status.Kind == bawwab.MeasureThrottle && cs[0].status.Rate != 25 {
			t.Errorf("throttle rate %v, want 25", cs[0].status.Rate)
		}
	}
	wantAt := map[int]bawwab.MeasureKind{5: bawwab.MeasureWarning, 10: bawwab.MeasureThrottle, 20: bawwab.MeasureSuspension}
	if len(at) != 3 || at[5] != wantAt[5] || at[10] != wantAt[10] || at[20] != wantAt[20] {
		t.Fatalf("measures at refusal counts %v, want %v", at, wantAt)
	}

	// Mislabelled: a flag (passed), a refusal, a flag: the third warns.
	e2 := newEnv(t, cfg)
	mis := bawwab.ReasonMislabelledCommercial
	got = e2.decide(decision("atlasvas", t0, bawwab.Accept, "", mis), decision("atlasvas", t0, bawwab.Reject, mis, ""),
		decision("atlasvas", t0, bawwab.Accept, "", ""), decision("atlasvas", t0, bawwab.Accept, "", mis))
	if len(got) != 1 || got[3] == nil || got[3][0].status.Kind != bawwab.MeasureWarning {
		t.Fatalf("mislabelled: %v, want a warning at the third", got)
	}
}

// TestMonitorModeDoesNotSanction: findings of rules in monitor mode are
// not violations unless configured.
func TestMonitorModeDoesNotSanction(t *testing.T) {
	cfg := sanction.Config{Rules: []sanction.Rule{{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 2}}}
	monitored := func(at time.Time) *bawwab.LedgerEntry {
		en := decision("atlasvas", at, bawwab.Accept, "", "")
		en.SetDecision(bawwab.Decision{Outcome: bawwab.Accept, Reason: bawwab.ReasonRecipientOptedOut, Monitored: true})
		return en
	}
	e := newEnv(t, cfg)
	if got := e.decide(monitored(t0), monitored(t0), monitored(t0)); len(got) != 0 {
		t.Fatalf("monitored findings raised %v", got)
	}
	cfg.CountMonitored = true
	e = newEnv(t, cfg)
	if got := e.decide(monitored(t0), monitored(t0)); len(got) != 1 || got[1] == nil {
		t.Fatalf("with count_monitored: %v, want a warning at the second", got)
	}
}

// TestSuspensionReachesTheNextDecision: the crossing decision's Observe
// tells the gateway before it returns; the store's change feed carries the
// suspension to every other node; the measure is in the ledger, notified
// to the provider and posted to its webhook.
func TestSuspensionReachesTheNextDecision(t *testing.T) {
	var mu sync.Mutex
	var posted []bawwab.Notification
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n bawwab.Notification
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &n); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad", 400)
			return
		}
		// Signed by the gateway, over this URL and body.
		if err := safehttp.VerifyRequest(testKeys, r, "http", body, time.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		mu.Lock()
		posted = append(posted, n)
		mu.Unlock()
	}))
	defer hook.Close()
	cfg := sanction.Config{Rules: []sanction.Rule{{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Suspension: 3}}}
	e := newEnv(t, cfg)
	ctx := context.Background()
	if err := e.st.Measures.SetWebhook(ctx, "atlasvas", hook.URL+"/bawwab"); err != nil {
		t.Fatal(err)
	}
	seq, err := e.st.Feed.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	opted := bawwab.ReasonRecipientOptedOut
	ents := repeat(3, "atlasvas", t0, bawwab.Reject, opted)
	if _, err := e.ledger.AppendBatch(ctx, ents); err != nil {
		t.Fatal(err)
	}
	e.mon.Observe(ents[0], bawwab.CategoryCommercial)
	e.mon.Observe(ents[1], bawwab.CategoryCommercial)
	if e.mon.Status("atlasvas").Suspended() || len(e.seen()) != 0 {
		t.Fatal("suspended too early")
	}
	e.mon.Observe(ents[2], bawwab.CategoryCommercial)
	// This node: at once, before the next submission.
	if cs := e.seen(); len(cs) != 1 || cs[0].provider != "atlasvas" || !cs[0].status.Suspended() {
		t.Fatalf("callback told %v", cs)
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Fatal("Status does not say suspended")
	}
	// Every other node: through the change feed, once recorded.
	e.flush()
	var feed []bawwab.ProviderStatus
	changes, err := e.st.Feed.Changes(ctx, seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		if p, ok := c.Record.(*bawwab.Provider); ok && p.ID == "atlasvas" {
			feed = append(feed, p.Status)
		}
	}
	if !slices.Equal(feed, []bawwab.ProviderStatus{bawwab.ProviderSuspended}) {
		t.Fatalf("the change feed carries %v", feed)
	}
	// The ledger records it, citing the refusals.
	var measures []*bawwab.LedgerEntry
	for en, err := range e.ledger.FindEntries(ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryMeasure}}) {
		if err != nil {
			t.Fatal(err)
		}
		measures = append(measures, en)
	}
	if len(measures) != 1 || measures[0].Action != "suspend" || measures[0].ProviderID != "atlasvas" || measures[0].Actor != "system:sanction-monitor" ||
		!slices.Equal(measures[0].Refs, []int64{ents[0].Index, ents[1].Index, ents[2].Index}) || !strings.Contains(measures[0].Detail, "3 submissions refused for recipient-opted-out") {
		t.Fatalf("ledger measure %+v", measures)
	}
	// The provider is notified, in the store and on its webhook.
	ns, _, err := e.st.Measures.FindNotifications(ctx, bawwab.NotificationFilter{ProviderID: ptr("atlasvas")})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ns) != 1 || ns[0].DeliveredAt.IsZero() || ns[0].Attempts != 1 || len(posted) != 1 || posted[0].Subject != ns[0].Subject {
		t.Fatalf("notifications %+v, posted %+v", ns, posted)
	}
	if !strings.Contains(ns[0].Body, "suspension") || !strings.Contains(ns[0].Body, "régulateur") {
		t.Errorf("notification body %q", ns[0].Body)
	}
	if regexp.MustCompile(`\d{8}|\+212|0[67]\d{8}`).MatchString(ns[0].Subject + ns[0].Body) {
		t.Errorf("a number in the notification: %s", ns[0].Body)
	}
}

// TestWebhookAddresses: a webhook on an address that is not public (here
// 127.0.0.1, or localhost) is not called unless the allow-list holds it;
// the attempt records why and how to allow it.
func TestWebhookAddresses(t *testing.T) {
	var calls atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer hook.Close()
	_, port, _ := net.SplitHostPort(hook.Listener.Addr().String())
	cfg := sanction.Config{Rules: []sanction.Rule{{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 1}}}
	for _, tc := range []struct {
		name  string
		allow []netip.Prefix
		url   string
		calls int32
		err   string
	}{
		{"loopback refused", nil, hook.URL + "/bawwab", 0, `webhook address 127.0.0.1 is not public (loopback); allow it with "127.0.0.1/32"`},
		{"a name resolving to loopback refused", nil, "http://localhost:" + port + "/bawwab", 0, "is not public (loopback)"},
		{"loopback allowed", []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, hook.URL + "/bawwab", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls.Store(0)
			e := newEnv(t, cfg)
			e.allow = tc.allow
			e.mon = e.newMonitor()
			ctx := context.Background()
			if err := e.st.Measures.SetWebhook(ctx, "atlasvas", tc.url); err != nil {
				t.Fatal(err)
			}
			ents := repeat(1, "atlasvas", t0, bawwab.Reject, bawwab.ReasonRecipientOptedOut)
			if _, err := e.ledger.AppendBatch(ctx, ents); err != nil {
				t.Fatal(err)
			}
			e.mon.Observe(ents[0], bawwab.CategoryCommercial)
			e.flush()
			ns, _, err := e.st.Measures.FindNotifications(ctx, bawwab.NotificationFilter{ProviderID: ptr("atlasvas")})
			if err != nil {
				t.Fatal(err)
			}
			if len(ns) != 1 || ns[0].Attempts != 1 || calls.Load() != tc.calls || !strings.Contains(ns[0].LastError, tc.err) ||
				(tc.err == "") != (ns[0].LastError == "") || (tc.err == "") == ns[0].DeliveredAt.IsZero() {
				t.Errorf("notifications %+v, %d calls; want %d calls, error %q", ns, calls.Load(), tc.calls, tc.err)
			}
		})
	}
}

// TestOnlyARegulatorLifts: other roles are refused; a regulator's lift
// restores the provider on this node and in the store, is in the ledger
// citing the measure, and the counts start again after it.
func TestOnlyARegulatorLifts(t *testing.T) {
	e := newEnv(t, sanction.DefaultConfig())
	ctx := context.Background()
	for i := range 5 {
		e.confirm("atlasvas", t0.Add(time.Duration(i)*time.Hour))
	}
	e.seen()
	e.flush()
	ms := e.measures("atlasvas")
	susp := ms[0]
	if susp.Kind != bawwab.MeasureSuspension {
		t.Fatalf("measures %+v", ms)
	}
	e.clock.Set(t0.Add(24 * time.Hour))
	for _, by := range []bawwab.Actor{{Name: "iam.noc", Role: bawwab.RoleOperator}, {Name: "atlasvas", Role: bawwab.RoleProvider}, bawwab.SystemActor} {
		if _, err := e.mon.Lift(ctx, susp.ID, by, "please"); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
			t.Fatalf("lift by %s: %v", by, err)
		}
	}
	if _, err := e.mon.Lift(ctx, susp.ID, regulator, ""); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Fatalf("lift without a reason: %v", err)
	}
	if !e.mon.Status("atlasvas").Suspended() || e.status("atlasvas") != bawwab.ProviderSuspended {
		t.Fatal("a refused lift changed the status")
	}
	m, err := e.mon.Lift(ctx, susp.ID, regulator, "the provider removed the opposed numbers and retrained its staff")
	if err != nil {
		t.Fatal(err)
	}
	if m.LiftLedgerIndex < 0 {
		t.Fatal("the lift is not in the ledger")
	}
	// The warning is still in force.
	if st := e.mon.Status("atlasvas"); st.Kind != bawwab.MeasureWarning {
		t.Fatalf("status after the lift: %+v", st)
	}
	if cs := e.seen(); len(cs) != 1 || cs[0].status.Kind != bawwab.MeasureWarning {
		t.Fatalf("callback after the lift: %v", cs)
	}
	if e.status("atlasvas") != bawwab.ProviderWarned {
		t.Fatalf("store status after the lift: %s", e.status("atlasvas"))
	}
	lift, err := e.ledger.FindEntryByIndex(ctx, m.LiftLedgerIndex)
	if err != nil {
		t.Fatal(err)
	}
	if lift.Action != "lift" || lift.Actor != "regulator:anrt.kbenali" || !slices.Equal(lift.Refs, []int64{susp.LedgerIndex}) || !strings.Contains(lift.Detail, "retrained") {
		t.Fatalf("lift entry %+v", lift)
	}
	if _, err := e.mon.Lift(ctx, susp.ID, regulator, "again"); bawwab.ErrorCode(err) != bawwab.ECONFLICT {
		t.Fatalf("lifting twice: %v", err)
	}
	// Counting starts again, also for a monitor started after the lift:
	// four more complaints do not suspend, the fifth after the lift does.
	if _, err := e.feeder.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.mon = e.newMonitor()
	if err := e.mon.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if st := e.mon.Status("atlasvas"); st.Kind != bawwab.MeasureWarning {
		t.Fatalf("after a restart: %+v", st)
	}
	e.seen()
	for i := 1; i <= 5; i++ {
		e.confirm("atlasvas", t0.Add(24*time.Hour+time.Duration(i)*time.Hour))
		cs := e.seen()
		if i < 5 && len(cs) != 0 {
			t.Fatalf("complaint %d after the lift raised %v", i, cs)
		}
		if i == 5 && (len(cs) != 1 || !cs[0].status.Suspended()) {
			t.Fatalf("the 5th complaint after the lift raised %v", cs)
		}
	}
}

// TestCountersSurviveARestart: violations counted before a restart still
// count after it, through the aggregates the feeder keeps, and a measure
// in force is still in force.
func TestCountersSurviveARestart(t *testing.T) {
	cfg := sanction.Config{Rules: []sanction.Rule{
		{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 3, Suspension: 6},
		{Name: "confirmed-complaints", Counter: sanction.CounterComplaints, Window: 240 * time.Hour, Warning: 3},
	}}
	e := newEnv(t, cfg)
	ctx := context.Background()
	opted := bawwab.ReasonRecipientOptedOut
	if got := e.decide(repeat(4, "atlasvas", t0, bawwab.Reject, opted)...); len(got) != 1 || got[2] == nil {
		t.Fatalf("before the restart: %v, want a warning at the third", got)
	}
	e.decide(repeat(1, "rifdigital", t0, bawwab.Reject, opted)...)
	e.confirm("rifdigital", t0.Add(time.Hour))
	e.confirm("rifdigital", t0.Add(2*time.Hour))
	e.flush()
	// Restart: a new monitor, after the feeder caught up with the ledger.
	e.clock.Set(t0.Add(5 * time.Hour))
	if _, err := e.feeder.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.mon = e.newMonitor()
	if err := e.mon.Load(ctx); err != nil {
		t.Fatal(err)
	}
	e.seen()
	if st := e.mon.Status("atlasvas"); st.Kind != bawwab.MeasureWarning {
		t.Fatalf("after the restart atlasvas is %+v, want warned", st)
	}
	got := e.decide(repeat(2, "atlasvas", t0.Add(5*time.Hour), bawwab.Reject, opted)...)
	if len(got) != 1 || got[1] == nil || !got[1][0].status.Suspended() {
		t.Fatalf("the 6th refusal (2nd after the restart) raised %v, want a suspension", got)
	}
	e.confirm("rifdigital", t0.Add(6*time.Hour))
	if cs := e.seen(); len(cs) != 1 || cs[0].provider != "rifdigital" || cs[0].status.Kind != bawwab.MeasureWarning {
		t.Fatalf("the 3rd complaint (1st after the restart) raised %v", cs)
	}
}

// TestConcurrentObserve: many goroutines observing at once count every
// decision, and a threshold fires once.
func TestConcurrentObserve(t *testing.T) {
	cfg := sanction.Config{Rules: []sanction.Rule{{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 400, Suspension: 800}}}
	e := newEnv(t, cfg)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				e.mon.Observe(decision("atlasvas", t0.Add(time.Duration(g*200+i)*time.Millisecond), bawwab.Accept, "", ""), bawwab.CategoryCommercial)
				e.mon.Observe(decision("atlasvas", t0.Add(time.Duration(g*200+i)*time.Millisecond), bawwab.Reject, bawwab.ReasonRecipientOptedOut, ""), bawwab.CategoryCommercial)
			}
		})
	}
	wg.Wait()
	if cs := e.seen(); !slices.Equal(kindsOf(cs), []bawwab.MeasureKind{bawwab.MeasureWarning, bawwab.MeasureSuspension}) {
		t.Fatalf("changes %v", kindsOf(cs))
	}
}

func TestConfigValidate(t *testing.T) {
	if err := sanction.DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	r := func(mod func(*sanction.Rule)) sanction.Config {
		rl := sanction.Rule{Name: "x", Counter: sanction.CounterViolations, Window: 24 * time.Hour, Warning: 3}
		mod(&rl)
		return sanction.Config{Rules: []sanction.Rule{rl}}
	}
	for name, c := range map[string]sanction.Config{
		"no name":             r(func(r *sanction.Rule) { r.Name = "" }),
		"unknown counter":     r(func(r *sanction.Rule) { r.Counter = "spam" }),
		"window of minutes":   r(func(r *sanction.Rule) { r.Window = 90 * time.Minute }),
		"window too long":     r(func(r *sanction.Rule) { r.Window = 100 * 24 * time.Hour }),
		"no threshold":        r(func(r *sanction.Rule) { r.Warning = 0 }),
		"decreasing":          r(func(r *sanction.Rule) { r.Suspension = 2 }),
		"share over 1":        r(func(r *sanction.Rule) { r.SuspensionShare = 1.5 }),
		"shared complaints":   r(func(r *sanction.Rule) { r.Counter = sanction.CounterComplaints; r.WarningShare = 0.1 }),
		"negative volume":     r(func(r *sanction.Rule) { r.MinVolume = -1 }),
		"negative throttle":   {ThrottleRate: -1},
		"two rules, one name": {Rules: []sanction.Rule{sanction.DefaultConfig().Rules[0], sanction.DefaultConfig().Rules[0]}},
	} {
		err := c.Validate()
		var fe *bawwab.FieldError
		if err == nil || !errors.As(err, &fe) || !strings.HasPrefix(fe.Field, "sanctions.") {
			t.Errorf("%s: %v, want an error naming a sanctions key", name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestTwoNodes: two gateway nodes share the store; complaints confirmed
// through one are counted by the other at its refresh, and the measure is
// recorded once.
func TestTwoNodes(t *testing.T) {
	e := newEnv(t, sanction.DefaultConfig())
	ctx := context.Background()
	other := e.newMonitor()
	for i := range 5 {
		e.confirm("atlasvas", t0.Add(time.Duration(i)*time.Hour))
	}
	e.clock.Set(t0.Add(6 * time.Hour))
	if err := other.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if !other.Status("atlasvas").Suspended() {
		t.Fatal("the other node did not count the complaints confirmed elsewhere")
	}
	e.flush()
	if err := other.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var kinds []bawwab.MeasureKind
	for _, m := range e.measures("atlasvas") {
		kinds = append(kinds, m.Kind)
	}
	if !slices.Equal(kinds, []bawwab.MeasureKind{bawwab.MeasureSuspension, bawwab.MeasureWarning}) {
		t.Fatalf("measures recorded: %v, want one warning and one suspension", kinds)
	}
}
