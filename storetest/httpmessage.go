package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// testHTTPMessages: the HTTP messages' status is stored whole, found by
// id (for its provider only) and by an operator's message id, replaced
// when put again, updated in place, survives a reopen, and is deleted by
// age.
func testHTTPMessages(t *testing.T, b Backend) {
	ctx := context.Background()
	loc := b.NewLocation(t)
	st, closer := openAt(t, b, loc)
	at := time.Date(2026, 5, 5, 10, 0, 0, 123000, time.UTC)
	a := bawwab.HTTPMessage{ID: "Bx-1", ProviderID: "atlasvas", AccountID: "atlasapi", Status: "accepted", Parts: 2,
		OperatorID: "iam", SMSCIDs: []string{"100", "101"}, Submitted: at,
		DLRURL: "https://atlas.example/dlr?t=%d&to=%p", DLRMask: 3, From: "ATLASMKT", To: "+212661234567"}
	o := bawwab.HTTPMessage{ID: "Bx-2", ProviderID: "otherco", AccountID: "otherapi", Status: "deferred", Reason: "outside-hours",
		Until: at.Add(10 * time.Hour), Parts: 1, OperatorID: "orange", SMSCIDs: []string{"100"}, Submitted: at.Add(time.Hour),
		CallbackURL: "https://other.example/cb", From: "SOUK"}
	r := bawwab.HTTPMessage{ID: "Bx-3", ProviderID: "atlasvas", AccountID: "atlasapi", Status: "rejected",
		Reason: "optout-mention-missing", Parts: 1, Submitted: at.Add(2 * time.Hour)}
	// Two states of one message in one call: the later is kept.
	early := a
	early.Status, early.SMSCIDs = "", nil
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&early, &a, &o}))
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&r}))
	must(t, st.Outbox.PutHTTPMessages(ctx, nil))
	if err := st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{{ID: "Bx-4"}}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("put without provider: %v", err)
	}
	if err := st.Outbox.PutHTTPMessages(bawwab.NewContextWithProvider(ctx, "atlasvas"), []*bawwab.HTTPMessage{&a}); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
		t.Errorf("put in a provider's context: %v", err)
	}

	must(t, closer.Close())
	st, closer = openAt(t, b, loc)
	for _, want := range []bawwab.HTTPMessage{a, o, r} {
		got, err := st.Outbox.FindHTTPMessage(ctx, want.ProviderID, want.ID)
		if err != nil {
			t.Errorf("find %s: %v", want.ID, err)
			continue
		}
		if !equalHTTP(got, &want) {
			t.Errorf("read back %+v\nwant %+v", got, want)
		}
	}
	if _, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-9"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("unknown message: %v", err)
	}

	// By the operator's ids: the same id at two operators is two messages.
	for _, c := range []struct{ op, smsc, want string }{{"iam", "100", "Bx-1"}, {"iam", "101", "Bx-1"}, {"orange", "100", "Bx-2"}} {
		got, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, c.op, c.smsc)
		if err != nil || got.ID != c.want {
			t.Errorf("find %s/%s: %+v, %v; want %s", c.op, c.smsc, got, err, c.want)
		}
	}
	if _, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, "inwi", "100"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("unknown operator id: %v", err)
	}

	// Put again (the gateway's second write of a message): replaced, its
	// ids with it.
	a2 := a
	a2.SMSCIDs = []string{"102"}
	a2.Stats = []string{"ENROUTE"}
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&a2}))
	if _, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, "iam", "100"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("an id the message no longer has: %v", err)
	}
	if got, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, "iam", "102"); err != nil || !equalHTTP(got, &a2) {
		t.Errorf("replaced: %+v, %v", got, err)
	}
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&a}))

	// Update.
	done := at.Add(time.Minute)
	got, err := st.Outbox.UpdateHTTPMessage(ctx, "Bx-1", func(m *bawwab.HTTPMessage) error {
		m.Stats = append(m.Stats, "DELIVRD", "UNDELIV")
		m.Status, m.Done = "undelivered", done
		return nil
	})
	must(t, err)
	want := a
	want.Stats, want.Status, want.Done = []string{"DELIVRD", "UNDELIV"}, "undelivered", done
	if !equalHTTP(got, &want) {
		t.Errorf("updated %+v\nwant %+v", got, want)
	}
	if got, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-1"); err != nil || !equalHTTP(got, &want) {
		t.Errorf("updated, read back: %+v, %v", got, err)
	}
	errNo := errors.New("no")
	if _, err := st.Outbox.UpdateHTTPMessage(ctx, "Bx-1", func(m *bawwab.HTTPMessage) error {
		m.Status = "delivered"
		return errNo
	}); err != errNo {
		t.Errorf("an update that fails: %v", err)
	}
	if got, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-1"); err != nil || got.Status != "undelivered" {
		t.Errorf("a failed update was stored: %+v, %v", got, err)
	}
	if _, err := st.Outbox.UpdateHTTPMessage(ctx, "Bx-9", func(*bawwab.HTTPMessage) error { return nil }); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("update of an unknown message: %v", err)
	}
	if _, err := st.Outbox.UpdateHTTPMessage(bawwab.NewContextWithProvider(ctx, "atlasvas"), "Bx-1", func(*bawwab.HTTPMessage) error { return nil }); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
		t.Errorf("update in a provider's context: %v", err)
	}

	// States set in order, the later kept; a message not stored skipped.
	s1, s2 := want, want
	s1.Status, s1.Stats = "x", []string{"ENROUTE"}
	s2.Status, s2.Reason, s2.Stats, s2.Done = "delivered", "", []string{"ENROUTE", "DELIVRD"}, done.Add(time.Second)
	s2.SMSCIDs, s2.To = []string{"999"}, "ignored" // not a state: not set
	must(t, st.Outbox.SetHTTPStates(ctx, []*bawwab.HTTPMessage{&s1, {ID: "Bx-9", ProviderID: "atlasvas"}, &s2}))
	want.Status, want.Stats, want.Done = s2.Status, s2.Stats, s2.Done
	if got, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-1"); err != nil || !equalHTTP(got, &want) {
		t.Errorf("states set: %+v, %v\nwant %+v", got, err, want)
	}
	if _, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-9"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("a state set for a message not stored stored it: %v", err)
	}
	if err := st.Outbox.SetHTTPStates(bawwab.NewContextWithProvider(ctx, "atlasvas"), []*bawwab.HTTPMessage{&s1}); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
		t.Errorf("states set in a provider's context: %v", err)
	}

	// Deleted by age, their operator ids with them.
	n, err := st.Outbox.DeleteHTTPMessages(ctx, at.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Errorf("deleted %d (%v), want 2", n, err)
	}
	if _, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-1"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("an old message was kept: %v", err)
	}
	if _, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, "orange", "100"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("an old message's id was kept: %v", err)
	}
	if _, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-3"); err != nil {
		t.Errorf("a newer message was deleted: %v", err)
	}
	must(t, closer.Close())
}

// testHTTPMessageTenancy: a provider never reads another's message, by its
// id or by an operator's id, whatever provider it names.
func testHTTPMessageTenancy(t *testing.T, b Backend) {
	ctx := context.Background()
	st := open(t, b)
	m := bawwab.HTTPMessage{ID: "Bx-1", ProviderID: "atlasvas", Status: "accepted", Parts: 1, OperatorID: "iam",
		SMSCIDs: []string{"7"}, Submitted: time.Date(2026, 5, 5, 10, 0, 0, 0, time.UTC)}
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&m}))
	if _, err := st.Outbox.FindHTTPMessage(ctx, "otherco", "Bx-1"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("provider B reads provider A's message: %v", err)
	}
	other := bawwab.NewContextWithProvider(ctx, "otherco")
	if _, err := st.Outbox.FindHTTPMessage(other, "atlasvas", "Bx-1"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("provider B's context reads provider A's message: %v", err)
	}
	if _, err := st.Outbox.FindHTTPMessageBySMSCID(other, "iam", "7"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("provider B's context finds provider A's message by its SMSC id: %v", err)
	}
	own := bawwab.NewContextWithProvider(ctx, "atlasvas")
	if got, err := st.Outbox.FindHTTPMessage(own, "atlasvas", "Bx-1"); err != nil || got.ID != "Bx-1" {
		t.Errorf("provider A's own message: %+v, %v", got, err)
	}
}

// testHTTPMessageReceipts: the receipts of a message's parts, arriving
// together, are each counted: no update is lost to another.
func testHTTPMessageReceipts(t *testing.T, b Backend) {
	ctx := context.Background()
	st := open(t, b)
	const parts = 10
	m := bawwab.HTTPMessage{ID: "Bx-1", ProviderID: "atlasvas", Status: "accepted", Parts: parts, OperatorID: "iam",
		Submitted: time.Date(2026, 5, 5, 10, 0, 0, 0, time.UTC)}
	for i := range parts {
		m.SMSCIDs = append(m.SMSCIDs, fmt.Sprint(i))
	}
	must(t, st.Outbox.PutHTTPMessages(ctx, []*bawwab.HTTPMessage{&m}))
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, parts)
	for i := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			found, err := st.Outbox.FindHTTPMessageBySMSCID(ctx, "iam", fmt.Sprint(i))
			if err != nil {
				errs <- err
				return
			}
			_, err = st.Outbox.UpdateHTTPMessage(ctx, found.ID, func(m *bawwab.HTTPMessage) error {
				// The others' updates come while this one is under way:
				// without the store's lock, one would overwrite another.
				time.Sleep(5 * time.Millisecond)
				m.Stats = append(m.Stats, fmt.Sprintf("P%d", i))
				if len(m.Stats) == m.Parts {
					m.Status = "delivered"
				}
				return nil
			})
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("receipt: %v", err)
		}
	}
	got, err := st.Outbox.FindHTTPMessage(ctx, "atlasvas", "Bx-1")
	must(t, err)
	slices.Sort(got.Stats)
	var want []string
	for i := range parts {
		want = append(want, fmt.Sprintf("P%d", i))
	}
	slices.Sort(want)
	if !slices.Equal(got.Stats, want) || got.Status != "delivered" {
		t.Errorf("after %d concurrent receipts: status %s, stats %v", parts, got.Status, got.Stats)
	}
}

func equalHTTP(a, b *bawwab.HTTPMessage) bool {
	x, y := *a, *b
	if !x.Submitted.Equal(y.Submitted) || !x.Until.Equal(y.Until) || !x.Done.Equal(y.Done) {
		return false
	}
	x.Submitted, y.Submitted, x.Until, y.Until, x.Done, y.Done = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}
