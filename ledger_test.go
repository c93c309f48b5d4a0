package bawwab_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func TestPseudonymText(t *testing.T) {
	p := bawwab.Pseudonym{KeyID: 0x3fa2c1d9, Sum: bawwab.Digest{0xab, 0xcd}}
	s := p.String()
	if !strings.HasPrefix(s, "3fa2c1d9:abcd00") || len(s) != 8+1+64 {
		t.Fatalf("String() = %q", s)
	}
	back, err := bawwab.ParsePseudonym(s)
	if err != nil || back != p {
		t.Fatalf("ParsePseudonym(%q) = %v, %v", s, back, err)
	}
	if got := p.Short(); got != "p:abcd00000000" {
		t.Errorf("Short() = %q", got)
	}
	if (bawwab.Pseudonym{}).Short() != "p:-" || (bawwab.Pseudonym{}).String() != "" {
		t.Error("the zero pseudonym prints something")
	}
	data, _ := json.Marshal(struct{ P bawwab.Pseudonym }{p})
	if !strings.Contains(string(data), s) {
		t.Errorf("JSON %s", data)
	}
	for _, bad := range []string{"", "3fa2c1d9", "3fa2c1d9:abcd", "zzzzzzzz:" + strings.Repeat("0", 64), "3fa2c1d9:" + strings.Repeat("g", 64)} {
		if _, err := bawwab.ParsePseudonym(bad); bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("ParsePseudonym(%q): %v", bad, err)
		}
	}
}

func TestEntryKinds(t *testing.T) {
	for k := bawwab.EntryDecision; k <= bawwab.EntryRetention; k++ {
		back, err := bawwab.ParseEntryKind(k.String())
		if err != nil || back != k || !k.Valid() {
			t.Errorf("kind %d: %q -> %v, %v", k, k.String(), back, err)
		}
	}
	if bawwab.EntryKind(0).Valid() || bawwab.EntryKind(99).Valid() {
		t.Error("invalid kinds are valid")
	}
	if _, err := bawwab.ParseEntryKind("bogus"); err == nil {
		t.Error("unknown kind parsed")
	}
}

func TestDecisionInEntry(t *testing.T) {
	for _, d := range []bawwab.Decision{
		{Outcome: bawwab.Accept, RuleSet: "r1"},
		{Outcome: bawwab.Reject, Reason: bawwab.ReasonRecipientOptedOut, RuleSet: "r1"},
		{Outcome: bawwab.Accept, Reason: bawwab.ReasonQuietHours, Monitored: true, Flag: bawwab.ReasonMislabelledCommercial},
		{Outcome: bawwab.Defer, Reason: bawwab.ReasonQuietHours, Until: time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)},
	} {
		var e bawwab.LedgerEntry
		e.SetDecision(d)
		if e.Kind != bawwab.EntryDecision || e.Decision() != d {
			t.Errorf("%v: entry gives back %v", d, e.Decision())
		}
	}
}

func TestLedgerFilterMatch(t *testing.T) {
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	p := bawwab.Pseudonym{KeyID: 1, Sum: bawwab.Digest{1}}
	e := &bawwab.LedgerEntry{Index: 7, Kind: bawwab.EntryDecision, Time: at, Outcome: bawwab.Reject,
		Reason: bawwab.ReasonFrequencyCap, ProviderID: "atlasvas", AdvertiserID: "atlas-market", SenderID: "ATLASMKT",
		OperatorID: "iam", Recipient: p, Fingerprint: []byte{9}, Refs: []int64{3}}
	reject, accept := bawwab.Reject, bawwab.Accept
	three, four := int64(3), int64(4)
	tests := []struct {
		f    bawwab.LedgerFilter
		want bool
	}{
		{bawwab.LedgerFilter{}, true},
		{bawwab.LedgerFilter{FromIndex: 7, ToIndex: 8}, true},
		{bawwab.LedgerFilter{FromIndex: 8}, false},
		{bawwab.LedgerFilter{ToIndex: 7}, false},
		{bawwab.LedgerFilter{Since: at, Before: at.Add(time.Second)}, true},
		{bawwab.LedgerFilter{Before: at}, false},
		{bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryMeasure, bawwab.EntryDecision}}, true},
		{bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryMeasure}}, false},
		{bawwab.LedgerFilter{ProviderID: "atlasvas", OperatorID: "iam"}, true},
		{bawwab.LedgerFilter{ProviderID: "atlasvas", OperatorID: "inwi"}, false},
		{bawwab.LedgerFilter{AdvertiserID: "other"}, false},
		{bawwab.LedgerFilter{SenderID: "ATLASMKT"}, true},
		{bawwab.LedgerFilter{Outcome: &reject}, true},
		{bawwab.LedgerFilter{Outcome: &accept}, false},
		{bawwab.LedgerFilter{Reason: bawwab.ReasonFrequencyCap}, true},
		{bawwab.LedgerFilter{Reason: bawwab.ReasonNoConsent}, false},
		{bawwab.LedgerFilter{Recipients: []bawwab.Pseudonym{{KeyID: 2}, p}}, true},
		{bawwab.LedgerFilter{Recipients: []bawwab.Pseudonym{{KeyID: 2}}}, false},
		{bawwab.LedgerFilter{Fingerprint: []byte{9}}, true},
		{bawwab.LedgerFilter{Fingerprint: []byte{8}}, false},
		{bawwab.LedgerFilter{RefersTo: &three}, true},
		{bawwab.LedgerFilter{RefersTo: &four}, false},
	}
	for i, tt := range tests {
		if got := tt.f.Match(e); got != tt.want {
			t.Errorf("filter %d (%+v): %v, want %v", i, tt.f, got, tt.want)
		}
	}
}
