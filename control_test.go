package bawwab_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func TestActors(t *testing.T) {
	for _, s := range []string{"regulator:anrt.kbenali", "operator:iam.noc", "provider:atlasvas.ops", "system:sanction-monitor"} {
		a, err := bawwab.ParseActor(s)
		if err != nil || a.String() != s {
			t.Errorf("ParseActor(%q) = %v, %v", s, a, err)
		}
	}
	for _, s := range []string{"", "anrt", "king:x", "regulator:", "regulator: padded ", "regulator:" + strings.Repeat("x", 101)} {
		if _, err := bawwab.ParseActor(s); bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("ParseActor(%q): %v", s, err)
		}
	}
	reg := bawwab.Actor{Name: "x", Role: bawwab.RoleRegulator}
	op := bawwab.Actor{Name: "x", Role: bawwab.RoleOperator}
	if !reg.MayDecideComplaints() || !op.MayDecideComplaints() || bawwab.SystemActor.MayDecideComplaints() ||
		(bawwab.Actor{Name: "x", Role: bawwab.RoleProvider}).MayDecideComplaints() {
		t.Error("who may decide complaints")
	}
	data, _ := json.Marshal(reg)
	if string(data) != `{"name":"x","role":"regulator"}` {
		t.Errorf("JSON %s", data)
	}
}

func TestMeasureKinds(t *testing.T) {
	want := map[bawwab.MeasureKind][2]string{
		bawwab.MeasureWarning:    {"warning", "warned"},
		bawwab.MeasureThrottle:   {"throttle", "throttled"},
		bawwab.MeasureSuspension: {"suspend", "suspended"},
	}
	for k, w := range want {
		back, err := bawwab.ParseMeasureKind(k.String())
		if err != nil || back != k || k.LedgerAction() != w[0] || k.ProviderStatus().String() != w[1] {
			t.Errorf("%s: %v %v %s %s", k, back, err, k.LedgerAction(), k.ProviderStatus())
		}
	}
	if bawwab.MeasureKind(0).Valid() || bawwab.MeasureKind(4).Valid() {
		t.Error("invalid kinds are valid")
	}
	for s := bawwab.ComplaintUnmatched; s <= bawwab.ComplaintDismissed; s++ {
		if back, err := bawwab.ParseComplaintStatus(s.String()); err != nil || back != s {
			t.Errorf("status %s", s)
		}
	}
}

func TestMeasureValidate(t *testing.T) {
	ok := bawwab.Measure{ProviderID: "atlasvas", Kind: bawwab.MeasureThrottle, Rate: 10, At: time.Now(), Actor: bawwab.SystemActor, Reason: "r"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(m *bawwab.Measure){
		"no provider":    func(m *bawwab.Measure) { m.ProviderID = "" },
		"rate of a warn": func(m *bawwab.Measure) { m.Kind = bawwab.MeasureWarning },
		"no rate":        func(m *bawwab.Measure) { m.Rate = 0 },
		"no time":        func(m *bawwab.Measure) { m.At = time.Time{} },
		"no reason":      func(m *bawwab.Measure) { m.Reason = "" },
		"no actor":       func(m *bawwab.Measure) { m.Actor = bawwab.Actor{} },
		"negative count": func(m *bawwab.Measure) { m.Count = -1 },
	} {
		m := ok
		mod(&m)
		if err := m.Validate(); bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidWebhook(t *testing.T) {
	for _, u := range []string{"", "https://hooks.atlasvas.ma/bawwab", "http://127.0.0.1:8080/x", "http://localhost/x", "http://[::1]:9/x"} {
		if err := bawwab.ValidWebhook(u); err != nil {
			t.Errorf("%q: %v", u, err)
		}
	}
	for _, u := range []string{"http://example.com/x", "ftp://x/y", "https://user:pw@host/x", "/relative", "https://", strings.Repeat("h", 2001)} {
		if err := bawwab.ValidWebhook(u); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestDecisionCategory(t *testing.T) {
	e := &bawwab.LedgerEntry{}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing})
	if bawwab.DecisionCategory(e, bawwab.CategoryUnknown) != bawwab.CategoryCommercial {
		t.Error("a refusal for R4 is commercial")
	}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Accept, Flag: bawwab.ReasonMislabelledCommercial})
	if bawwab.DecisionCategory(e, bawwab.CategoryTransactional) != bawwab.CategoryCommercial {
		t.Error("a flagged mislabelled message is commercial")
	}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonInvalidRecipient})
	if bawwab.DecisionCategory(e, bawwab.CategoryTransactional) != bawwab.CategoryTransactional {
		t.Error("R3 says nothing of the category")
	}
	if !bawwab.IsViolation(bawwab.ReasonProviderNotAuthorised) || bawwab.IsViolation(bawwab.ReasonRateLimited) || bawwab.IsViolation("") {
		t.Error("IsViolation")
	}
}

// FuzzParseActor: the parser never panics, and what it accepts prints
// back as given.
func FuzzParseActor(f *testing.F) {
	f.Add("regulator:anrt.kbenali")
	f.Add("operator:")
	f.Add(":::")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := bawwab.ParseActor(s)
		if err == nil && a.String() != s {
			t.Fatalf("%q parsed as %q", s, a)
		}
	})
}
