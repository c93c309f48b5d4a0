package sanction_test

import (
	"context"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sanction"
)

// TestTakeByHand: a regulator suspends a provider by hand; it applies at
// once, is in the store and the ledger with who and why, and only a
// regulator may do it.
func TestTakeByHand(t *testing.T) {
	e := newEnv(t, sanction.DefaultConfig())
	ctx := context.Background()
	if err := e.mon.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for _, by := range []bawwab.Actor{{Name: "iam.noc", Role: bawwab.RoleOperator}, {Name: "atlasvas", Role: bawwab.RoleProvider}, bawwab.SystemActor} {
		if _, err := e.mon.Take(ctx, "atlasvas", bawwab.MeasureSuspension, 0, by, "spam"); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
			t.Fatalf("take by %s: %v", by, err)
		}
	}
	if _, err := e.mon.Take(ctx, "atlasvas", bawwab.MeasureSuspension, 0, regulator, ""); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Fatalf("take without a reason: %v", err)
	}
	if _, err := e.mon.Take(ctx, "ghostvas", bawwab.MeasureSuspension, 0, regulator, "spam"); err == nil {
		t.Fatal("took a measure against a provider that does not exist")
	}
	m, err := e.mon.Take(ctx, "atlasvas", bawwab.MeasureSuspension, 0, regulator, "repeated complaints about night-time SMS")
	if err != nil {
		t.Fatal(err)
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Fatal("not suspended on this node")
	}
	if cs := e.seen(); len(cs) != 1 || !cs[0].status.Suspended() {
		t.Fatalf("callback: %v", cs)
	}
	if e.status("atlasvas") != bawwab.ProviderSuspended {
		t.Fatalf("store status %s", e.status("atlasvas"))
	}
	entry, err := e.ledger.FindEntryByIndex(ctx, m.LedgerIndex)
	if err != nil {
		t.Fatal(err)
	}
	if entry.Action != "suspend" || entry.Actor != "regulator:anrt.kbenali" || entry.ProviderID != "atlasvas" {
		t.Fatalf("ledger entry %+v", entry)
	}
	th, err := e.mon.Take(ctx, "rifdigital", bawwab.MeasureThrottle, 0, regulator, "too fast")
	if err != nil || th.Rate <= 0 || e.mon.Status("rifdigital").Rate != th.Rate {
		t.Fatalf("throttle: %+v %v", th, err)
	}
	if _, err := e.mon.Lift(ctx, m.ID, regulator, "resolved"); err != nil {
		t.Fatal(err)
	}
	if e.mon.Status("atlasvas").Kind != 0 || e.status("atlasvas") != bawwab.ProviderActive {
		t.Fatal("still under a measure after the lift")
	}
}
