package compliance

import (
	"testing"

	"github.com/bawwab/bawwab"
)

func TestConsentSet(t *testing.T) {
	s := NewConsentSet()
	apply := func(seq int64, num, adv string, lapsed bool) {
		t.Helper()
		must(t, s.Apply(bawwab.Consent{Seq: seq, MSISDN: num, AdvertiserID: adv, Lapsed: lapsed}))
	}
	apply(1, "+212611223344", "atlas-market", false)
	apply(2, "+212611223344", "kech-shop", false)
	apply(3, "+212611223344", "kech-shop", false) // again: no change
	apply(4, "+33612345678", "atlas-market", false)
	if s.Len() != 3 {
		t.Fatalf("len %d", s.Len())
	}
	n := number(t, iamNumber)
	if !s.Consented(n, "atlas-market") || !s.Consented(n, "kech-shop") || s.Consented(n, "banque-sud") {
		t.Fatal("lookups")
	}
	if !s.Consented(number(t, "+33612345678"), "atlas-market") || s.Consented(number(t, "0612345678"), "atlas-market") {
		t.Fatal("foreign lookups")
	}
	apply(5, "0611223344", "kech-shop", true)
	if s.Consented(n, "kech-shop") || !s.Consented(n, "atlas-market") || s.Len() != 2 {
		t.Fatal("lapse")
	}
	s.Reassigned(n)
	if s.Consented(n, "atlas-market") || s.Len() != 1 {
		t.Fatal("reassignment")
	}
	if s.Apply(bawwab.Consent{Seq: 9, MSISDN: "not a number", AdvertiserID: "x"}) == nil ||
		s.Apply(bawwab.Consent{Seq: 9, MSISDN: iamNumber}) == nil {
		t.Fatal("bad consents accepted")
	}

	// Through the engine, in consent mode.
	cfg := DefaultConfig()
	cfg.Consent = true
	e := newTestEnv(t, cfg)
	must(t, e.eng.SetConsents(s))
	sub := e.submission()
	if r := e.eng.Decide(&sub); r.Reason != bawwab.ReasonNoConsent {
		t.Fatalf("no consent: %s", r.Explain())
	}
	apply(10, iamNumber, "atlas-market", false)
	if r := e.eng.Decide(&sub); r.Outcome != bawwab.Accept || r.Reason != "" {
		t.Fatalf("with consent: %s", r.Explain())
	}
}
