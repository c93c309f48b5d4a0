package storetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// pseudonym returns a made-up pseudonym for a subscriber i under key k.
func pseudonym(k uint32, i int) bawwab.Pseudonym {
	return bawwab.Pseudonym{KeyID: k, Sum: sha256.Sum256([]byte{byte(i), byte(i >> 8), 'p'})}
}

var (
	regulator = bawwab.Actor{Name: "anrt.kbenali", Role: bawwab.RoleRegulator}
	operatorA = bawwab.Actor{Name: "iam.noc", Role: bawwab.RoleOperator}
	providerA = bawwab.Actor{Name: "atlasvas.ops", Role: bawwab.RoleProvider}
	system    = bawwab.Actor{Name: "complaint-desk", Role: bawwab.RoleSystem}
)

func openCase(reporter bawwab.Pseudonym, provider string, at time.Time, index int64) *bawwab.Complaint {
	return &bawwab.Complaint{
		Status: bawwab.ComplaintOpen, Channel: "3300", Reporter: reporter, ReportedAt: at, ReceivedAt: at.Add(time.Minute),
		SenderID: "ATLASMKT", Text: "Atlas Market : -30% ce week-end ! STOP au 5050", Fingerprint: []byte{1, 2, 3, 4},
		ProviderID: provider, AdvertiserID: "atlas-market", OperatorID: "iam",
		Matches: []bawwab.ComplaintMatch{{Origin: "node1", Index: index, At: at.Add(-time.Hour), SenderID: "ATLASMKT", ProviderID: provider, Score: 0.93}},
		Events:  []bawwab.ComplaintEvent{{At: at.Add(time.Minute), Action: bawwab.ComplaintActionOpened, Actor: system, Reason: "matched", LedgerIndex: -1}},
	}
}

// testComplaints checks the case records: creation, the filters, the
// workflow open → confirmed or dismissed with who and why, the ledger
// indexes of the steps (the outbox), and the tenancy of cases.
func testComplaints(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	cs := st.Complaints
	at := epoch.Add(48 * time.Hour)

	a := openCase(pseudonym(7, 1), "atlasvas", at, 41)
	must(t, cs.CreateComplaint(ctx, a))
	if a.ID == 0 || a.Events[0].ID == 0 {
		t.Fatalf("IDs not set: case %d, event %d", a.ID, a.Events[0].ID)
	}
	r := openCase(pseudonym(7, 2), "rifdigital", at.Add(time.Hour), 42)
	r.SenderID, r.AdvertiserID, r.OperatorID = "DarLbahja", "dar-lbahja", "inwi"
	must(t, cs.CreateComplaint(ctx, r))
	u := &bawwab.Complaint{Status: bawwab.ComplaintUnmatched, Channel: "web", Reporter: pseudonym(7, 1), ReportedAt: at.Add(2 * time.Hour),
		ReceivedAt: at.Add(2 * time.Hour), Text: "un spam sans expéditeur",
		Events: []bawwab.ComplaintEvent{{At: at.Add(2 * time.Hour), Action: bawwab.ComplaintActionUnmatched, Actor: system, Reason: "no match", LedgerIndex: -1}}}
	must(t, cs.CreateComplaint(ctx, u))

	got, err := cs.FindComplaintByID(ctx, a.ID)
	must(t, err)
	deepEqual(t, "case read back", got, a)
	_, err = cs.FindComplaintByID(ctx, 999999)
	wantCode(t, err, bawwab.ENOTFOUND)

	t.Run("Invalid", func(t *testing.T) {
		for name, mod := range map[string]func(c *bawwab.Complaint){
			"no reporter":          func(c *bawwab.Complaint) { c.Reporter = bawwab.Pseudonym{} },
			"no event":             func(c *bawwab.Complaint) { c.Events = nil },
			"open without a match": func(c *bawwab.Complaint) { c.Matches = nil },
			"unknown action":       func(c *bawwab.Complaint) { c.Events[0].Action = "escalated" },
			"no channel":           func(c *bawwab.Complaint) { c.Channel = "" },
		} {
			c := openCase(pseudonym(7, 3), "atlasvas", at, 1)
			mod(c)
			if err := cs.CreateComplaint(ctx, c); bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
	})

	ids := func(list []*bawwab.Complaint, n int, err error) []int64 {
		t.Helper()
		must(t, err)
		out := []int64{}
		for _, c := range list {
			out = append(out, c.ID)
		}
		if n < len(out) {
			t.Fatalf("total %d below the page's %d", n, len(out))
		}
		return out
	}
	t.Run("Filters", func(t *testing.T) {
		open := bawwab.ComplaintOpen
		deepEqual(t, "all, newest first", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{})), []int64{u.ID, r.ID, a.ID})
		deepEqual(t, "open", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{Status: &open})), []int64{r.ID, a.ID})
		deepEqual(t, "provider", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{ProviderID: ptr("rifdigital")})), []int64{r.ID})
		deepEqual(t, "operator", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{OperatorID: ptr("iam")})), []int64{a.ID})
		deepEqual(t, "reporter", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{Reporters: []bawwab.Pseudonym{pseudonym(9, 1), pseudonym(7, 1)}})), []int64{u.ID, a.ID})
		deepEqual(t, "received", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{Since: at.Add(30 * time.Minute), Before: at.Add(2 * time.Hour)})), []int64{r.ID})
		deepEqual(t, "pending", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{PendingLedger: true})), []int64{u.ID, r.ID, a.ID})
		list, n, err := cs.FindComplaints(ctx, bawwab.ComplaintFilter{Offset: 1, Limit: 1})
		deepEqual(t, "page", ids(list, n, err), []int64{r.ID})
		if n != 3 {
			t.Errorf("total %d, want 3", n)
		}
	})

	t.Run("Workflow", func(t *testing.T) {
		ev := func(action string, by bawwab.Actor) bawwab.ComplaintEvent {
			return bawwab.ComplaintEvent{At: at.Add(24 * time.Hour), Action: action, Actor: by, Reason: "checked against the operator's records", LedgerIndex: -1}
		}
		_, err := cs.DecideComplaint(ctx, a.ID, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionConfirmed, providerA))
		wantCode(t, err, bawwab.EFORBIDDEN)
		_, err = cs.DecideComplaint(ctx, a.ID, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionDismissed, regulator))
		wantCode(t, err, bawwab.EINVALID)
		_, err = cs.DecideComplaint(ctx, u.ID, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionConfirmed, regulator))
		wantCode(t, err, bawwab.ECONFLICT)
		_, err = cs.DecideComplaint(ctx, 999999, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionConfirmed, regulator))
		wantCode(t, err, bawwab.ENOTFOUND)
		_, err = cs.DecideComplaint(bawwab.NewContextWithProvider(ctx, "atlasvas"), a.ID, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionConfirmed, regulator))
		wantCode(t, err, bawwab.EFORBIDDEN)

		c, err := cs.DecideComplaint(ctx, a.ID, bawwab.ComplaintConfirmed, ev(bawwab.ComplaintActionConfirmed, regulator))
		must(t, err)
		if c.Status != bawwab.ComplaintConfirmed || len(c.Events) != 2 {
			t.Fatalf("after confirming: %s with %d events", c.Status, len(c.Events))
		}
		last := c.Events[1]
		if last.Actor != regulator || last.Reason == "" || last.Action != bawwab.ComplaintActionConfirmed || last.LedgerIndex != -1 || last.ID == 0 {
			t.Fatalf("confirmation event %+v", last)
		}
		_, err = cs.DecideComplaint(ctx, a.ID, bawwab.ComplaintDismissed, ev(bawwab.ComplaintActionDismissed, regulator))
		wantCode(t, err, bawwab.ECONFLICT)
		c, err = cs.DecideComplaint(ctx, r.ID, bawwab.ComplaintDismissed, ev(bawwab.ComplaintActionDismissed, operatorA))
		must(t, err)
		if c.Status != bawwab.ComplaintDismissed {
			t.Fatalf("status %s", c.Status)
		}
		confirmed := bawwab.ComplaintConfirmed
		deepEqual(t, "decided since", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{DecidedSince: at.Add(23 * time.Hour)})), []int64{r.ID, a.ID})
		deepEqual(t, "decided later", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{DecidedSince: at.Add(25 * time.Hour)})), []int64{})
		deepEqual(t, "confirmed", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{Status: &confirmed})), []int64{a.ID})

		// The outbox: steps without a ledger index are pending until set.
		got, err := cs.FindComplaintByID(ctx, a.ID)
		must(t, err)
		for i, e := range got.Events {
			must(t, cs.SetComplaintEventLedgerIndex(ctx, e.ID, "node1", int64(100+i)))
		}
		wantCode(t, cs.SetComplaintEventLedgerIndex(ctx, 999999, "node1", 1), bawwab.ENOTFOUND)
		got, err = cs.FindComplaintByID(ctx, a.ID)
		must(t, err)
		if got.Events[0].LedgerIndex != 100 || got.Events[1].LedgerIndex != 101 || got.Events[1].Origin != "node1" {
			t.Fatalf("ledger indexes %+v", got.Events)
		}
		deepEqual(t, "pending after", ids(cs.FindComplaints(ctx, bawwab.ComplaintFilter{PendingLedger: true})), []int64{u.ID, r.ID})
	})

	t.Run("Tenancy", func(t *testing.T) {
		pctx := bawwab.NewContextWithProvider(ctx, "atlasvas")
		deepEqual(t, "a provider's cases", ids(cs.FindComplaints(pctx, bawwab.ComplaintFilter{})), []int64{a.ID})
		deepEqual(t, "another's, filtered", ids(cs.FindComplaints(pctx, bawwab.ComplaintFilter{ProviderID: ptr("rifdigital")})), []int64{})
		_, err := cs.FindComplaintByID(pctx, r.ID)
		wantCode(t, err, bawwab.ENOTFOUND)
		wantCode(t, cs.CreateComplaint(pctx, openCase(pseudonym(7, 4), "atlasvas", at, 1)), bawwab.EFORBIDDEN)
		_, err = cs.FindDeliveries(pctx, []bawwab.Pseudonym{pseudonym(7, 1)}, time.Time{}, time.Time{}, 0)
		wantCode(t, err, bawwab.EFORBIDDEN)
	})
}
