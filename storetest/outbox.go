package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// testOutbox: messages are kept per provider in ID order, survive a
// reopen, are deleted once delivered, and a provider's context sees only
// its own.
func testOutbox(t *testing.T, b Backend) {
	ctx := context.Background()
	loc := b.NewLocation(t)
	st, closer := openAt(t, b, loc)
	at := time.Date(2026, 5, 5, 10, 0, 0, 123000, time.UTC)
	var ids []int64
	for i, m := range []bawwab.OutboxMessage{
		{ProviderID: "atlasvas", AccountID: "atlas", Kind: bawwab.OutboxReceipt, PDU: []byte{0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1}, At: at},
		{ProviderID: "otherco", Kind: bawwab.OutboxMO, PDU: []byte("other"), At: at},
		{ProviderID: "atlasvas", Kind: bawwab.OutboxMO, PDU: []byte("mo"), At: at.Add(time.Second)},
	} {
		if err := st.Outbox.PutOutbox(ctx, &m); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
		if len(ids) > 0 && m.ID <= ids[len(ids)-1] {
			t.Errorf("put %d: id %d not increasing", i, m.ID)
		}
		ids = append(ids, m.ID)
	}
	if err := st.Outbox.PutOutbox(ctx, &bawwab.OutboxMessage{PDU: []byte("x")}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("put without provider: %v", err)
	}

	// After a reopen, everything is still there.
	must(t, closer.Close())
	st, _ = openAt(t, b, loc)
	got, err := st.Outbox.FindOutbox(ctx, "atlasvas", 0, 0)
	must(t, err)
	if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[2] {
		t.Fatalf("find: %+v", got)
	}
	if g := got[0]; g.AccountID != "atlas" || g.Kind != bawwab.OutboxReceipt || !g.At.Equal(at) || !bytes.Equal(g.PDU, []byte{0, 0, 0, 16, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1}) {
		t.Errorf("message read back: %+v", g)
	}
	if g := got[1]; g.AccountID != "" || g.Kind != bawwab.OutboxMO || string(g.PDU) != "mo" {
		t.Errorf("message read back: %+v", g)
	}
	if got, err := st.Outbox.FindOutbox(ctx, "atlasvas", ids[0], 1); err != nil || len(got) != 1 || got[0].ID != ids[2] {
		t.Errorf("find after %d, limit 1: %+v, %v", ids[0], got, err)
	}

	// A provider's context sees only its own.
	other := bawwab.NewContextWithProvider(ctx, "otherco")
	if got, err := st.Outbox.FindOutbox(other, "atlasvas", 0, 0); err != nil || len(got) != 0 {
		t.Errorf("another provider sees %d messages (%v)", len(got), err)
	}

	must(t, st.Outbox.DeleteOutbox(ctx, ids[0]))
	must(t, st.Outbox.DeleteOutbox(ctx, ids[0])) // again: no error
	if got, err := st.Outbox.FindOutbox(ctx, "atlasvas", 0, 0); err != nil || len(got) != 1 || got[0].ID != ids[2] {
		t.Errorf("after delete: %+v, %v", got, err)
	}
}

// testOutboxRoutes: routes are found by operator and message id, replaced
// when recorded again, survive a reopen, and are deleted by age.
func testOutboxRoutes(t *testing.T, b Backend) {
	ctx := context.Background()
	loc := b.NewLocation(t)
	st, closer := openAt(t, b, loc)
	at := time.Date(2026, 5, 5, 10, 0, 0, 0, time.UTC)
	must(t, st.Outbox.PutRoutes(ctx, nil))
	must(t, st.Outbox.PutRoutes(ctx, []bawwab.OutboxRoute{
		{OperatorID: "iam", SMSCMessageID: "1", ProviderID: "atlasvas", AccountID: "atlas", At: at},
		{OperatorID: "orange", SMSCMessageID: "1", ProviderID: "otherco", AccountID: "other", OwnID: "B1-7", At: at},
		{OperatorID: "iam", SMSCMessageID: "2", ProviderID: "atlasvas", AccountID: "atlas", At: at.Add(time.Hour)},
	}))
	must(t, st.Outbox.PutRoutes(ctx, []bawwab.OutboxRoute{
		{OperatorID: "iam", SMSCMessageID: "1", ProviderID: "atlasvas", AccountID: "atlas2", At: at},
	}))
	must(t, closer.Close())
	st, _ = openAt(t, b, loc)
	r, err := st.Outbox.FindRoute(ctx, "orange", "1")
	must(t, err)
	if *r != (bawwab.OutboxRoute{OperatorID: "orange", SMSCMessageID: "1", ProviderID: "otherco", AccountID: "other", OwnID: "B1-7", At: at}) {
		t.Errorf("route %+v", r)
	}
	if r, err := st.Outbox.FindRoute(ctx, "iam", "1"); err != nil || r.AccountID != "atlas2" {
		t.Errorf("replaced route: %+v, %v", r, err)
	}
	if _, err := st.Outbox.FindRoute(ctx, "inwi", "1"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("unknown route: %v", err)
	}
	if _, err := st.Outbox.FindRoute(bawwab.NewContextWithProvider(ctx, "atlasvas"), "orange", "1"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("another provider's route: %v", err)
	}
	n, err := st.Outbox.DeleteRoutes(ctx, at.Add(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("deleted %d routes (%v), want 2", n, err)
	}
	if _, err := st.Outbox.FindRoute(ctx, "iam", "2"); err != nil {
		t.Errorf("a newer route was deleted: %v", err)
	}
}
