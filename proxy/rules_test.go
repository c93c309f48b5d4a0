package proxy_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// TestDeferred: a commercial message in the quiet hours is forwarded with
// schedule_delivery_time set to the next allowed time, and recorded as
// deferred.
func TestDeferred(t *testing.T) {
	night := time.Date(2026, 5, 5, 23, 0, 0, 0, time.FixedZone("+01", 3600))
	e := newEnv(t, envOptions{at: night})
	p := e.bind("atlas", smpp.Transceiver, 10)
	resp, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", orangeNumber, "Atlas Market: -30% ! STOP au 5050"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.MessageID()) == 0 {
		t.Error("no message id")
	}
	ds := e.decisions()
	if len(ds) != 1 || ds[0].Outcome != bawwab.Defer || ds[0].Reason != bawwab.ReasonQuietHours || ds[0].Until.IsZero() {
		t.Fatalf("ledger %+v", ds)
	}
	schedules := func() []string {
		e.mu.Lock()
		defer e.mu.Unlock()
		return append([]string(nil), e.schedules["orange"]...)
	}
	if got := schedules(); len(got) != 1 || got[0] != ds[0].Until.UTC().Format("060102150405")+"000+" {
		t.Errorf("schedule_delivery_time %q, want %s", got, ds[0].Until.UTC())
	}
	// Transactional messages go at once.
	if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASOTP", orangeNumber, "Votre code est 1234")); err != nil {
		t.Fatal(err)
	}
	if got := schedules(); len(got) != 2 || got[1] != "" {
		t.Errorf("transactional schedule %q", got)
	}
}

// TestRateLimit: past its rate, an account is answered ESME_RTHROTTLED.
func TestRateLimit(t *testing.T) {
	e := newEnv(t, envOptions{rateLimit: 2})
	p := e.bind("atlas", smpp.Transceiver, 10)
	var throttled int
	for i := range 5 {
		_, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASOTP", iamNumber, "Votre code est 12345"+string(rune('0'+i))))
		if errors.Is(err, smpp.StatusThrottled) {
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled < 2 {
		t.Errorf("%d of 5 throttled at 2/s", throttled)
	}
	if st := e.gw.Stats(); st.Throttled != int64(throttled) {
		t.Errorf("stats %+v", st)
	}
}

// TestSanctionSuspends: the sanction monitor counts each decision; once a
// suspension threshold is crossed the provider is refused on its very next
// submission, and another provider is not.
func TestSanctionSuspends(t *testing.T) {
	e := newEnv(t, envOptions{sanctions: true})
	p := e.bind("atlas", smpp.Transceiver, 10)
	text := "Atlas Market: -30% ce week-end ! STOP au 5050"
	if err := e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "3030", "STOP"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", iamNumber, text)); !errors.Is(err, status(bawwab.ReasonRecipientOptedOut)) {
			t.Fatalf("to an opposed number: %v", err)
		}
	}
	_, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", orangeNumber, text))
	if !errors.Is(err, status(bawwab.ReasonProviderNotAuthorised)) {
		t.Fatalf("after the suspension: %v", err)
	}
	o := e.bind("other", smpp.Transceiver, 10)
	if _, err := o.conn.Send(e.ctx, smpp.SubmitSM, body("SOUK", orangeNumber, "Souk: soldes ! STOP au 3030")); err != nil {
		t.Errorf("another provider: %v", err)
	}
}
