package proxy_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

func status(r bawwab.Reason) smpp.Status { return smpp.Status(r.SMPPStatus()) }

// TestSubmit: compliant messages reach the recipient's operator and their
// receipts come back; refused ones get their reason's status and never
// reach an SMSC; every decision is in the ledger.
func TestSubmit(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := e.bind("atlas", smpp.Transceiver, 10)
	cases := []struct {
		name, sender, dest, text string
		want                     smpp.Status
		op                       string
	}{
		{"compliant to IAM", "ATLASMKT", iamNumber, "Atlas Market: -30% ce week-end ! STOP au 5050", 0, "iam"},
		{"compliant to Orange", "ATLASMKT", orangeNumber, "Atlas Market: -20% lundi ! STOP au 5050", 0, "orange"},
		{"transactional", "ATLASOTP", iamNumber, "Votre code est 123456", 0, "iam"},
		{"no opt-out mention", "ATLASMKT", iamNumber, "Atlas Market: -50% aujourd'hui seulement", status(bawwab.ReasonOptOutMentionMissing), ""},
		{"unregistered sender", "NOBODY", iamNumber, "Promo ! STOP au 5050", status(bawwab.ReasonSenderNotRegistered), ""},
		{"another provider's sender", "SOUK", iamNumber, "Souk promo ! STOP au 3030", status(bawwab.ReasonSenderNotRegistered), ""},
		{"invalid recipient", "ATLASMKT", "212522123456", "Atlas Market: -30% ! STOP au 5050", status(bawwab.ReasonInvalidRecipient), ""},
	}
	for _, tc := range cases {
		resp, err := p.conn.Send(e.ctx, smpp.SubmitSM, body(tc.sender, tc.dest, tc.text))
		if tc.want == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if len(resp.MessageID()) == 0 {
				t.Errorf("%s: no message id", tc.name)
			}
			if e.reached(tc.op, tc.text) != 1 {
				t.Errorf("%s: did not reach %s", tc.name, tc.op)
			}
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		if e.reached("iam", tc.text)+e.reached("orange", tc.text) != 0 {
			t.Errorf("%s: a refused message reached an SMSC", tc.name)
		}
	}
	p.waitFor(t, "3 receipts", func() bool { return len(p.receipts) == 3 })
	ds := e.decisions()
	if len(ds) != len(cases) {
		t.Fatalf("%d decisions in the ledger, want %d", len(ds), len(cases))
	}
	for i, d := range ds {
		accepted := cases[i].want == 0
		if (d.Outcome == bawwab.Accept) != accepted || d.ProviderID != "atlasvas" || d.AccountID != "atlas" || d.Text != cases[i].text {
			t.Errorf("entry %d: %+v", i, d)
		}
		if accepted && d.SMSCMessageID == "" {
			t.Errorf("entry %d: no SMSC message id", i)
		}
	}
	st := e.gw.Stats()
	if st.Submitted != 7 || st.Accepted != 3 || st.Rejected != 4 || st.RejectedBy[bawwab.ReasonSenderNotRegistered] != 2 {
		t.Errorf("stats: %+v", st)
	}
}

// TestBind: wrong passwords, unknown accounts and binds past the limit
// are refused; a bad bind does not disturb another provider.
func TestBind(t *testing.T) {
	e := newEnv(t, envOptions{})
	if _, err := e.dial("atlas", "wrong", smpp.Transceiver, 1); !errors.Is(err, smpp.StatusInvalidPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := e.dial("nobody", password, smpp.Transceiver, 1); !errors.Is(err, smpp.StatusInvalidSystemID) {
		t.Errorf("unknown account: %v", err)
	}
	e.bind("atlas2", smpp.Transceiver, 1)
	if _, err := e.dial("atlas2", password, smpp.Transceiver, 1); !errors.Is(err, smpp.StatusBindFailed) {
		t.Errorf("second bind past a limit of 1: %v", err)
	}
}

// TestStopByMO: a STOP sent as an MO makes the very next submission to the
// number fail with the opted-out status, and the confirmation goes back
// through the SMSC.
func TestStopByMO(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := e.bind("atlas", smpp.Transceiver, 10)
	text := "Atlas Market: -30% ce week-end ! STOP au 5050"
	if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", iamNumber, text)); err != nil {
		t.Fatal(err)
	}
	if err := e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "5050", "STOP"); err != nil {
		t.Fatal(err)
	}
	// The MO was answered once the opposition was in force.
	_, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", iamNumber, text))
	if !errors.Is(err, status(bawwab.ReasonRecipientOptedOut)) {
		t.Fatalf("after STOP: %v, want recipient-opted-out", err)
	}
	// Another number still gets it.
	if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", orangeNumber, text)); err != nil {
		t.Fatal(err)
	}
	// The national channel: STOP ALL, in Arabic.
	if err := e.smscs["orange"].DeliverMO(e.ctx, "+"+orangeNumber, "3030", "توقف"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", orangeNumber, text)); !errors.Is(err, status(bawwab.ReasonRecipientOptedOut)) {
		t.Fatalf("after the national STOP: %v", err)
	}
	// The confirmations (French and Arabic) reached the subscribers'
	// operators.
	waitUntil(t, "confirmations", func() bool { return e.gw.Stats().System >= 4 })
	if st := e.gw.Stats(); st.Stops != 2 || st.MO != 2 {
		t.Errorf("stats: %+v", st)
	}
}

// TestSuspended: a provider suspended in the registry is refused on its
// next submission, on a bind that stays up.
func TestSuspended(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := e.bind("atlas", smpp.Transceiver, 10)
	text := "Atlas Market: -30% ce week-end ! STOP au 5050"
	if _, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", iamNumber, text)); err != nil {
		t.Fatal(err)
	}
	suspended := bawwab.ProviderSuspended
	if _, err := e.st.Registry.UpdateProvider(e.ctx, "atlasvas", bawwab.ProviderUpdate{Status: &suspended}); err != nil {
		t.Fatal(err)
	}
	// The gateway follows the change feed.
	var err error
	n := 0
	waitUntil(t, "the suspension", func() bool {
		n++
		_, err = p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", fmt.Sprintf("2126612%05d", n), text))
		return err != nil
	})
	if !errors.Is(err, status(bawwab.ReasonProviderNotAuthorised)) {
		t.Fatalf("suspended: %v", err)
	}
	// Another provider is not affected.
	o := e.bind("other", smpp.Transceiver, 10)
	if _, err := o.conn.Send(e.ctx, smpp.SubmitSM, body("SOUK", iamNumber, "Souk: soldes ! STOP au 3030")); err != nil {
		t.Fatalf("other provider: %v", err)
	}
}

// TestReceiptIsolation: receipts go to the bind of the account that sent
// the message, never to another provider's.
func TestReceiptIsolation(t *testing.T) {
	e := newEnv(t, envOptions{})
	a := e.bind("atlas", smpp.Transceiver, 10)
	o := e.bind("other", smpp.Transceiver, 10)
	for i := range 5 {
		if _, err := a.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", fmt.Sprintf("21266123450%d", i), fmt.Sprintf("Atlas %d STOP au 5050", i))); err != nil {
			t.Fatal(err)
		}
	}
	a.waitFor(t, "5 receipts", func() bool { return len(a.receipts) == 5 })
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.receipts) != 0 {
		t.Errorf("another provider got %d receipts", len(o.receipts))
	}
}

func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	m := &esme{notify: make(chan struct{})}
	m.waitFor(t, what, cond)
}

var _ = strings.Contains
