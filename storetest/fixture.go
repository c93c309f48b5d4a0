package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// fixture is a small registry: two VAS providers (atlasvas and rifdigital)
// sharing one advertiser, an operator's own marketing provider, the
// national StopSMS channel and a complaint code.
type fixture struct {
	operators   []*bawwab.Operator
	providers   []*bawwab.Provider
	accounts    []*bawwab.Account
	contracts   []*bawwab.Contract
	advertisers []*bawwab.Advertiser
	senders     []*bawwab.SenderID
	channels    []*bawwab.Channel
	campaigns   []*bawwab.Campaign
}

var declared = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)

const hash = "$argon2id$v=19$m=64,t=1,p=1$WlpaWlpaWlpaWlpaWlpaWg$gu74azT5qTkaaTHaoblDLvlLwwh1QxMcxR1rKCOmlcc"

func newFixture() *fixture {
	return &fixture{
		operators: []*bawwab.Operator{
			{ID: "iam", Name: "Maroc Telecom"},
			{ID: "inwi", Name: "inwi"},
			{ID: "orange", Name: "Orange Maroc"},
		},
		providers: []*bawwab.Provider{
			{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: declared},
			{ID: "iam-marketing", Name: "Maroc Telecom Marketing", OperatorID: "iam"},
			{ID: "rifdigital", Name: "Rif Digital SA", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: declared.AddDate(-1, 0, 0), Status: bawwab.ProviderWarned},
		},
		accounts: []*bawwab.Account{
			{ID: "atlas01", ProviderID: "atlasvas", Kind: bawwab.AccountSMPP, SecretHash: hash, MaxBinds: 4},
			{ID: "rif01", ProviderID: "rifdigital", Kind: bawwab.AccountSMPP, SecretHash: hash},
			{ID: "rifapikey001", ProviderID: "rifdigital", Kind: bawwab.AccountAPI, SecretHash: hash, RateLimit: 50},
		},
		contracts: []*bawwab.Contract{
			{ID: "atlas-iam", ProviderID: "atlasvas", OperatorID: "iam", ValidFrom: declared, DailyCap: 500000},
			{ID: "atlas-orange", ProviderID: "atlasvas", OperatorID: "orange", ValidFrom: declared, ValidTo: declared.AddDate(1, 0, 0)},
			{ID: "rif-inwi", ProviderID: "rifdigital", OperatorID: "inwi", ValidFrom: declared},
		},
		advertisers: []*bawwab.Advertiser{
			{ID: "atlas-market", Name: "Atlas Market", Sector: "retail", ProviderIDs: []string{"atlasvas"}, Contact: "Atlas Market SA, Casablanca"},
			{ID: "dar-lbahja", Name: "Dar Lbahja", Sector: "décoration", ProviderIDs: []string{"rifdigital"}},
			{ID: "souk-nour", Name: "سوق النور", Sector: "e-commerce", ProviderIDs: []string{"atlasvas", "rifdigital"}},
		},
		senders: []*bawwab.SenderID{
			{Value: "ATLASINFO", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryTransactional},
			{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
			{Value: "DarLbahja", ProviderID: "rifdigital", AdvertiserID: "dar-lbahja", Category: bawwab.CategoryCommercial},
			{Value: "SOUKNOUR", ProviderID: "rifdigital", AdvertiserID: "souk-nour", Category: bawwab.CategoryCommercial},
		},
		channels: []*bawwab.Channel{
			{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
			{Code: "3300", Purpose: bawwab.PurposeComplaint, Scope: bawwab.ChannelNational, Free: true},
			{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
			{Code: "5151", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelAdvertiser, Free: true, ProviderID: "rifdigital", AdvertiserID: "dar-lbahja"},
			{Code: "7070", Purpose: bawwab.PurposeService, Scope: bawwab.ChannelProvider, ProviderID: "rifdigital"},
		},
		campaigns: []*bawwab.Campaign{
			{ID: "ramadan", AdvertiserID: "dar-lbahja", SenderID: "DarLbahja", Purpose: "Offres du Ramadan", ListSource: "clients carte fidélité", Basis: bawwab.BasisCustomer},
			{ID: "soldes-ete", AdvertiserID: "atlas-market", SenderID: "ATLASMKT", Purpose: "Soldes d'été", ListSource: "inscriptions site web",
				Basis: bawwab.BasisConsent, Templates: []string{"Atlas Market : -30% sur tout ! STOP au 5050", "أطلس ماركت: تخفيضات! STOP إلى 5050"}},
		},
	}
}

// records returns the fixture's records in dependency order.
func (f *fixture) records() []bawwab.Record {
	var out []bawwab.Record
	for _, r := range f.operators {
		out = append(out, r)
	}
	for _, r := range f.providers {
		out = append(out, r)
	}
	for _, r := range f.accounts {
		out = append(out, r)
	}
	for _, r := range f.contracts {
		out = append(out, r)
	}
	for _, r := range f.advertisers {
		out = append(out, r)
	}
	for _, r := range f.senders {
		out = append(out, r)
	}
	for _, r := range f.channels {
		out = append(out, r)
	}
	for _, r := range f.campaigns {
		out = append(out, r)
	}
	return out
}

// seed creates the fixture through the Create methods.
func seed(t testing.TB, st bawwab.Store) *fixture {
	t.Helper()
	f := newFixture()
	ctx := context.Background()
	r := st.Registry
	for _, rec := range f.records() {
		var err error
		switch v := rec.(type) {
		case *bawwab.Operator:
			err = r.CreateOperator(ctx, v)
		case *bawwab.Provider:
			err = r.CreateProvider(ctx, v)
		case *bawwab.Account:
			err = r.CreateAccount(ctx, v)
		case *bawwab.Contract:
			err = r.CreateContract(ctx, v)
		case *bawwab.Advertiser:
			err = r.CreateAdvertiser(ctx, v)
		case *bawwab.SenderID:
			err = r.CreateSenderID(ctx, v)
		case *bawwab.Channel:
			err = r.CreateChannel(ctx, v)
		case *bawwab.Campaign:
			err = r.CreateCampaign(ctx, v)
		}
		if err != nil {
			t.Fatalf("create %s %s: %v", rec.RecordKind(), rec.Key(), err)
		}
	}
	return f
}
