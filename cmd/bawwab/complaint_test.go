package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/report"
)

// openCases fills the environment's ledger, feeds it, and has the desk
// take two reports of the delivered message: cases 1 and 2, open.
func openCases(t *testing.T, e *controlEnv) {
	t.Helper()
	ctx := context.Background()
	st, done := e.store(t)
	defer done()
	l, closeLedger := e.ledger(t)
	defer closeLedger()
	fillLedger(t, l)
	if _, err := (&report.Feeder{Store: st.Reports, Ledger: l, Origin: "node1"}).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	desk := &complaint.Desk{Store: st.Complaints, Ledger: l, Origin: "node1", Keys: e.keyring(t)}
	for _, text := range []string{
		"Fwd: Atlas Market : -30% sur tout le rayon chaussures ce week-end",
		"De: ATLASMKT\nAtlas Market : -30% sur tout le rayon chaussures ce week-end dans tous nos magasins (mon numéro 0661234567)",
	} {
		c, err := desk.IntakeSMS(ctx, "0661234567", "3300", text, june.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != bawwab.ComplaintOpen {
			t.Fatalf("case %d is %s", c.ID, c.Status)
		}
	}
}

func TestComplaintCommand(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		e := newControlEnv(t, flags[0] == "--postgres")
		openCases(t, e)
		cmd := func(args ...string) []string { return append(append([]string{"complaint"}, args...), e.flags...) }

		r := mustRun(t, "", cmd("list")...)
		if !strings.Contains(r.out, "open") || !strings.Contains(r.out, "atlasvas") || !strings.Contains(r.out, "ATLASMKT") || strings.Count(r.out, "\n") != 3 {
			t.Fatalf("list:\n%s", r.out)
		}
		r = mustRun(t, "", cmd("show", "2")...)
		if !strings.Contains(r.out, "case 2: open") || !strings.Contains(r.out, "p:") || !strings.Contains(r.out, complaint.MaskedNumber) ||
			!strings.Contains(r.out, "opened") || !strings.Contains(r.out, "ledger node1:") {
			t.Fatalf("show:\n%s", r.out)
		}

		// Deciding needs who, in which role, and why.
		for _, bad := range [][]string{
			cmd("confirm", "1"),
			cmd("confirm", "1", "--actor", "anrt.kbenali", "--role", "regulator"),
			cmd("confirm", "1", "--actor", "anrt.kbenali", "--role", "king", "--reason", "x"),
			cmd("confirm", "one", "--actor", "anrt.kbenali", "--role", "regulator", "--reason", "x"),
		} {
			if r := run(t, "", bad...); r.code != ExitUsage {
				t.Errorf("%v: exit %d", bad, r.code)
			}
		}
		if r := run(t, "", cmd("confirm", "1", "--actor", "atlasvas.ops", "--role", "provider", "--reason", "no")...); r.code != ExitFail || !strings.Contains(r.errOut, "only a regulator or an operator") {
			t.Fatalf("a provider confirming: exit %d, %s", r.code, r.errOut)
		}

		// With the ledger held by the gateway, the step is recorded and
		// left pending.
		l, closeLedger := e.ledger(t)
		r = mustRun(t, "", cmd("confirm", "1", "--actor", "anrt.kbenali", "--role", "regulator", "--reason", "the operator's logs show it",
			"--signing-key", e.signingKey(), "--origin", "node1")...)
		if !strings.Contains(r.out, "case 1 confirmed by regulator:anrt.kbenali") || !strings.Contains(r.out, "held by a running gateway") {
			t.Fatalf("confirm while the gateway runs:\n%s", r.out)
		}
		// The gateway's desk appends it.
		st, done := e.store(t)
		desk := &complaint.Desk{Store: st.Complaints, Ledger: l, Origin: "node1", Now: func() time.Time { return time.Now().Add(time.Hour) }}
		if n, err := desk.FlushPending(context.Background(), complaint.PendingGrace); err != nil || n != 1 {
			t.Fatalf("the gateway appended %d pending steps (%v)", n, err)
		}
		done()
		closeLedger()

		// With the ledger free, the command appends the step itself.
		r = mustRun(t, "", cmd("dismiss", "2", "--actor", "iam.noc", "--role", "operator", "--reason", "a duplicate of case 1",
			"--signing-key", e.signingKey(), "--origin", "node1")...)
		if !strings.Contains(r.out, "case 2 dismissed by operator:iam.noc") || !strings.Contains(r.out, "recorded in the ledger node1 as entry") {
			t.Fatalf("dismiss:\n%s", r.out)
		}
		if r := run(t, "", cmd("dismiss", "2", "--actor", "iam.noc", "--role", "operator", "--reason", "again")...); r.code != ExitFail || !strings.Contains(r.errOut, "not open") {
			t.Fatalf("deciding twice: exit %d, %s", r.code, r.errOut)
		}

		r = mustRun(t, "", cmd("list", "--format", "json")...)
		var cases []*bawwab.Complaint
		if err := json.Unmarshal([]byte(r.out), &cases); err != nil || len(cases) != 2 {
			t.Fatalf("json: %v\n%s", err, r.out)
		}
		for _, c := range cases {
			last := c.Events[len(c.Events)-1]
			if len(c.Events) != 2 || last.LedgerIndex < 0 || last.Reason == "" {
				t.Errorf("case %d: %+v", c.ID, c.Events)
			}
		}
		for _, n := range []string{"0661234567", "661234567", "212661234567"} {
			if strings.Contains(r.out, n) {
				t.Errorf("the number in clear in the cases")
			}
		}
		r = mustRun(t, "", cmd("list", "--status", "confirmed")...)
		if strings.Count(r.out, "\n") != 2 || !strings.Contains(r.out, "confirmed") {
			t.Errorf("confirmed cases:\n%s", r.out)
		}
		if r := run(t, "", cmd("show", "99")...); r.code != ExitFail || !strings.Contains(r.errOut, "not found") {
			t.Errorf("show 99: exit %d %s", r.code, r.errOut)
		}
	})
}

func TestMeasureCommand(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		e := newControlEnv(t, flags[0] == "--postgres")
		ctx := context.Background()
		_, closeLedger := e.ledger(t) // the gateway made it, and its keys
		closeLedger()
		st, done := e.store(t)
		m := &bawwab.Measure{ProviderID: "atlasvas", Kind: bawwab.MeasureSuspension, Rule: "confirmed-complaints", Count: 5, Window: 240 * time.Hour,
			At: june, Actor: bawwab.Actor{Name: "sanction-monitor", Role: bawwab.RoleSystem}, Reason: "rule confirmed-complaints: 5 confirmed complaints in 240h0m0s",
			LedgerIndex: -1, LiftLedgerIndex: -1}
		if err := st.Measures.CreateMeasure(ctx, m, &bawwab.Notification{Subject: "suspension", Body: "suspended"}); err != nil {
			t.Fatal(err)
		}
		done()
		cmd := func(args ...string) []string { return append(append([]string{"measure"}, args...), e.flags...) }
		r := mustRun(t, "", cmd("list", "--active")...)
		if !strings.Contains(r.out, "atlasvas") || !strings.Contains(r.out, "suspension") || !strings.Contains(r.out, "in force") {
			t.Fatalf("list:\n%s", r.out)
		}
		if r := run(t, "", cmd("lift", "1", "--actor", "iam.noc", "--role", "operator", "--reason", "please")...); r.code != ExitFail || !strings.Contains(r.errOut, "only a regulator") {
			t.Fatalf("an operator lifting: exit %d %s", r.code, r.errOut)
		}
		if r := run(t, "", cmd("lift", "1", "--actor", "anrt.kbenali", "--role", "regulator")...); r.code != ExitUsage {
			t.Fatalf("a lift without a reason: exit %d", r.code)
		}
		r = mustRun(t, "", cmd("lift", "1", "--actor", "anrt.kbenali", "--role", "regulator", "--reason", "lists cleaned",
			"--signing-key", e.signingKey(), "--origin", "node1")...)
		if !strings.Contains(r.out, "provider atlasvas is now active on every node") || !strings.Contains(r.out, "recorded in the ledger node1") {
			t.Fatalf("lift:\n%s", r.out)
		}
		r = mustRun(t, "", cmd("list", "--lifted")...)
		if !strings.Contains(r.out, "lifted") || !strings.Contains(r.out, "regulator:anrt.kbenali") {
			t.Fatalf("lifted:\n%s", r.out)
		}
		if r := run(t, "", cmd("webhook", "atlasvas", "http://example.com/x")...); r.code != ExitFail {
			t.Errorf("an http webhook: exit %d", r.code)
		}
		mustRun(t, "", cmd("webhook", "atlasvas", "https://hooks.atlasvas.ma/bawwab")...)
		mustRun(t, "", cmd("webhook", "atlasvas", "--remove")...)
		r = mustRun(t, "", cmd("notifications", "--provider", "atlasvas")...)
		if strings.Count(r.out, "notification ") != 2 {
			t.Fatalf("notifications:\n%s", r.out)
		}
	})
}
