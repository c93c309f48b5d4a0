package bawwab_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

var day = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// TestValidate checks that each record's Validate accepts good records and
// names the bad field of bad ones.
func TestValidate(t *testing.T) {
	provider := bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: day}
	sender := bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial}
	with := func(s bawwab.SenderID, f func(*bawwab.SenderID)) bawwab.SenderID { f(&s); return s }
	tests := []struct {
		name  string
		rec   bawwab.Record
		field string // "" when valid
	}{
		{"operator", bawwab.Operator{ID: "iam", Name: "Maroc Telecom"}, ""},
		{"operator upper-case id", bawwab.Operator{ID: "IAM", Name: "Maroc Telecom"}, "id"},
		{"operator no name", bawwab.Operator{ID: "iam"}, "name"},
		{"operator name with newline", bawwab.Operator{ID: "iam", Name: "Maroc\nTelecom"}, "name"},
		{"provider", provider, ""},
		{"provider without declaration", bawwab.Provider{ID: "x", Name: "X", DeclaredAt: day}, "anrt_declaration"},
		{"provider without date", bawwab.Provider{ID: "x", Name: "X", ANRTDeclaration: "D1"}, "declared_at"},
		{"operator's own provider", bawwab.Provider{ID: "iam-marketing", Name: "IAM", OperatorID: "iam"}, ""},
		{"provider bad status", bawwab.Provider{ID: "x", Name: "X", ANRTDeclaration: "D", DeclaredAt: day, Status: 9}, "status"},
		{"account", bawwab.Account{ID: "AtlasSMPP01", ProviderID: "atlasvas", SecretHash: "$argon2id$..."}, ""},
		{"account system_id too long", bawwab.Account{ID: "abcdefghijklmnop", ProviderID: "atlasvas", SecretHash: "$x"}, "id"},
		{"account with space", bawwab.Account{ID: "atlas 1", ProviderID: "atlasvas", SecretHash: "$x"}, "id"},
		{"account plain secret", bawwab.Account{ID: "a", ProviderID: "atlasvas", SecretHash: "hunter2"}, "secret_hash"},
		{"account negative binds", bawwab.Account{ID: "a", ProviderID: "atlasvas", SecretHash: "$x", MaxBinds: -1}, "max_binds"},
		{"contract", bawwab.Contract{ID: "c1", ProviderID: "p", OperatorID: "iam", ValidFrom: day}, ""},
		{"contract ends before start", bawwab.Contract{ID: "c1", ProviderID: "p", OperatorID: "iam", ValidFrom: day, ValidTo: day}, "valid_to"},
		{"contract no start", bawwab.Contract{ID: "c1", ProviderID: "p", OperatorID: "iam"}, "valid_from"},
		{"advertiser", bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}}, ""},
		{"advertiser arabic name", bawwab.Advertiser{ID: "baraka", Name: "حانوت البركة"}, ""},
		{"advertiser duplicate provider", bawwab.Advertiser{ID: "a", Name: "A", ProviderIDs: []string{"p", "p"}}, "provider_ids"},
		{"sender", sender, ""},
		{"sender 11 chars", with(sender, func(s *bawwab.SenderID) { s.Value = "ATLASMARKET" }), ""},
		{"sender 12 chars", with(sender, func(s *bawwab.SenderID) { s.Value = "ATLASMARKETS" }), "value"},
		{"sender GSM accents", with(sender, func(s *bawwab.SenderID) { s.Value = "Café-Été" }), ""},
		{"sender non-GSM char", with(sender, func(s *bawwab.SenderID) { s.Value = "ÂTLAS" }), "value"},
		{"sender arabic", with(sender, func(s *bawwab.SenderID) { s.Value = "أطلس" }), "value"},
		{"sender short code", with(sender, func(s *bawwab.SenderID) { s.Value = "5050" }), ""},
		{"sender long number", with(sender, func(s *bawwab.SenderID) { s.Value = "212612345678" }), ""},
		{"sender two digits", with(sender, func(s *bawwab.SenderID) { s.Value = "50" }), "value"},
		{"sender trailing space", with(sender, func(s *bawwab.SenderID) { s.Value = "ATLAS " }), "value"},
		{"sender unknown category", with(sender, func(s *bawwab.SenderID) { s.Category = bawwab.CategoryUnknown }), "category"},
		{"national channel", bawwab.Channel{Code: "3030", Free: true, Scope: bawwab.ChannelNational}, ""},
		{"national channel with owner", bawwab.Channel{Code: "3030", Scope: bawwab.ChannelNational, ProviderID: "p"}, "provider_id"},
		{"provider channel", bawwab.Channel{Code: "5050", Scope: bawwab.ChannelProvider, ProviderID: "atlasvas", Free: true}, ""},
		{"provider channel no owner", bawwab.Channel{Code: "5050", Scope: bawwab.ChannelProvider}, "provider_id"},
		{"advertiser channel", bawwab.Channel{Code: "5051", Scope: bawwab.ChannelAdvertiser, AdvertiserID: "a", ProviderID: "p"}, ""},
		{"advertiser channel no advertiser", bawwab.Channel{Code: "5051", Scope: bawwab.ChannelAdvertiser}, "advertiser_id"},
		{"channel letters", bawwab.Channel{Code: "50A0"}, "code"},
		{"campaign", bawwab.Campaign{ID: "soldes", AdvertiserID: "a", SenderID: "ATLASMKT", Purpose: "Soldes d'été", ListSource: "carte fidélité"}, ""},
		{"campaign no list source", bawwab.Campaign{ID: "soldes", AdvertiserID: "a", SenderID: "ATLASMKT", Purpose: "p"}, "list_source"},
		{"campaign bad sender", bawwab.Campaign{ID: "soldes", AdvertiserID: "a", SenderID: "ATLAS MARKET!", Purpose: "p", ListSource: "l"}, "sender_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkField(t, tt.rec.Validate(), tt.field)
		})
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("Validate() = %v, want nil", err)
		}
		return
	}
	var fe *bawwab.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("Validate() = %v, want a *FieldError on %s", err, field)
	}
	if fe.Field != field {
		t.Fatalf("Validate() names field %q (%v), want %q", fe.Field, err, field)
	}
	if bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Fatalf("ErrorCode = %q, want %q", bawwab.ErrorCode(err), bawwab.EINVALID)
	}
	if msg := bawwab.ErrorMessage(err); !strings.HasPrefix(msg, field+": ") {
		t.Fatalf("ErrorMessage = %q, want it to start with %q", msg, field+": ")
	}
}

func TestUpdateApply(t *testing.T) {
	p := bawwab.Provider{ID: "p", Name: "Old", Status: bawwab.ProviderActive}
	name, st := "New", bawwab.ProviderSuspended
	bawwab.ProviderUpdate{Name: &name, Status: &st}.Apply(&p)
	if p.Name != "New" || p.Status != bawwab.ProviderSuspended || p.ID != "p" {
		t.Fatalf("after Apply: %+v", p)
	}
	ids := []string{"x"}
	a := bawwab.Advertiser{ID: "a", ProviderIDs: []string{"p"}}
	bawwab.AdvertiserUpdate{ProviderIDs: &ids}.Apply(&a)
	ids[0] = "changed"
	if len(a.ProviderIDs) != 1 || a.ProviderIDs[0] != "x" {
		t.Fatalf("Apply shares the caller's slice: %v", a.ProviderIDs)
	}
}

func TestValidKey(t *testing.T) {
	for s, want := range map[string]bool{
		"iam": true, "atlas-market": true, "a.b_c-d": true, "0800": true,
		"": false, "-x": false, "Atlas": false, "a b": false, "é": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	} {
		if got := bawwab.ValidKey(s); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", s, got, want)
		}
	}
}
