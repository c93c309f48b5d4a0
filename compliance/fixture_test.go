package compliance

import (
	"testing"
	"time"
	_ "time/tzdata" // the rules' time zone must not depend on the system's

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
)

// The test registry: providers in every standing, contracts that start and
// end, an operator's own account, advertisers and their sender IDs of both
// categories, and opt-out channels of every scope.

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var casablanca = func() *time.Location {
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		panic(err)
	}
	return loc
}()

// local returns a time in Africa/Casablanca.
func local(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, casablanca)
}

func testRegistry() *bawwab.Registry {
	declared := date(2020, 3, 1)
	prov := func(id string, st bawwab.ProviderStatus) *bawwab.Provider {
		return &bawwab.Provider{ID: id, Name: id + " SARL", ANRTDeclaration: "ANRT-" + id, DeclaredAt: declared, Status: st}
	}
	newvas := prov("newvas", bawwab.ProviderActive)
	newvas.DeclaredAt = date(2026, 6, 1)
	nodecl := prov("nodeclvas", bawwab.ProviderActive)
	nodecl.ANRTDeclaration = ""
	acct := func(id, p string) *bawwab.Account {
		return &bawwab.Account{ID: id, ProviderID: p, SecretHash: "$argon2id$x"}
	}
	off := acct("atlas-off", "atlasvas")
	off.Disabled = true
	contract := func(id, p, op string, from, to time.Time) *bawwab.Contract {
		return &bawwab.Contract{ID: id, ProviderID: p, OperatorID: op, ValidFrom: from, ValidTo: to}
	}
	var contracts []*bawwab.Contract
	for _, p := range []string{"warnvas", "throttlevas", "suspvas", "gonevas", "newvas", "nodeclvas", "othervas"} {
		for _, op := range []string{"iam", "orange", "inwi"} {
			contracts = append(contracts, contract(p+"-"+op, p, op, declared, time.Time{}))
		}
	}
	contracts = append(contracts,
		contract("atlas-iam", "atlasvas", "iam", declared, time.Time{}),
		contract("atlas-orange", "atlasvas", "orange", declared, date(2026, 1, 1)), // expired
		contract("atlas-inwi", "atlasvas", "inwi", date(2026, 6, 1), time.Time{}),  // not yet
		contract("atlas-inwi-old", "atlasvas", "inwi", date(2021, 1, 1), date(2022, 1, 1)),
		contract("atlas-mvno", "atlasvas", "mvno", declared, time.Time{}), // unknown operator: skipped
	)
	adv := func(id string, provs ...string) *bawwab.Advertiser {
		return &bawwab.Advertiser{ID: id, Name: id, ProviderIDs: provs}
	}
	snd := func(v, p, a string, c bawwab.Category) *bawwab.SenderID {
		return &bawwab.SenderID{Value: v, ProviderID: p, AdvertiserID: a, Category: c}
	}
	com, tra := bawwab.CategoryCommercial, bawwab.CategoryTransactional
	return &bawwab.Registry{
		Seq: 42,
		Operators: []*bawwab.Operator{
			{ID: "iam", Name: "Maroc Telecom"}, {ID: "orange", Name: "Orange Maroc"}, {ID: "inwi", Name: "inwi"},
		},
		Providers: []*bawwab.Provider{
			prov("atlasvas", bawwab.ProviderActive),
			prov("warnvas", bawwab.ProviderWarned),
			prov("throttlevas", bawwab.ProviderThrottled),
			prov("suspvas", bawwab.ProviderSuspended),
			prov("gonevas", bawwab.ProviderWithdrawn),
			prov("othervas", bawwab.ProviderActive),
			newvas, nodecl,
			{ID: "iam-marketing", Name: "Maroc Telecom (marketing)", OperatorID: "iam"},
		},
		Accounts: []*bawwab.Account{
			acct("atlas", "atlasvas"), off, acct("warn", "warnvas"), acct("throttle", "throttlevas"),
			acct("susp", "suspvas"), acct("gone", "gonevas"), acct("new", "newvas"),
			acct("nodecl", "nodeclvas"), acct("other", "othervas"), acct("iamsmpp", "iam-marketing"),
			acct("orphan", "ghostvas"),
		},
		Contracts: contracts,
		Advertisers: []*bawwab.Advertiser{
			adv("atlas-market", "atlasvas", "warnvas", "throttlevas", "suspvas", "gonevas", "newvas", "nodeclvas"),
			adv("kech-shop", "atlasvas"),
			adv("banque-sud", "atlasvas"),
			adv("souk-deal", "othervas"),
			adv("iam-offers", "iam-marketing"),
			adv("dropped-brand"), // no provider acts for it any more
		},
		SenderIDs: []*bawwab.SenderID{
			snd("ATLASMKT", "atlasvas", "atlas-market", com),
			snd("5050", "atlasvas", "atlas-market", com),
			snd("KECHSHOP", "atlasvas", "kech-shop", com),
			snd("KECHLIVR", "atlasvas", "kech-shop", tra),
			snd("BANQSUD", "atlasvas", "banque-sud", com),
			snd("SOUKDEAL", "othervas", "souk-deal", com),
			snd("WARNMKT", "warnvas", "atlas-market", com),
			snd("THRMKT", "throttlevas", "atlas-market", com),
			snd("SUSPMKT", "suspvas", "atlas-market", com),
			snd("GONEMKT", "gonevas", "atlas-market", com),
			snd("NEWMKT", "newvas", "atlas-market", com),
			snd("NODECL", "nodeclvas", "atlas-market", com),
			snd("IAMPROMO", "iam-marketing", "iam-offers", com),
			snd("DROPPED", "atlasvas", "dropped-brand", com),
			snd("NOCAT", "atlasvas", "atlas-market", bawwab.CategoryUnknown),
		},
		Channels: []*bawwab.Channel{
			{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
			{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
			{Code: "7777", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: false, ProviderID: "atlasvas"},
			{Code: "8585", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelAdvertiser, Free: true, AdvertiserID: "kech-shop"},
			{Code: "4545", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "othervas"},
			{Code: "6060", Purpose: bawwab.PurposeComplaint, Scope: bawwab.ChannelNational, Free: true},
		},
	}
}

// Numbers by range holder (msisdn's prefix table): 0611… is IAM, 0612…
// Orange, 0600… inwi.
const (
	iamNumber    = "0611223344"
	orangeNumber = "0612334455"
	inwiNumber   = "0600112233"
)

func number(t testing.TB, s string) msisdn.Number {
	t.Helper()
	n, err := msisdn.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return n
}

// testOppositions is the real opposition index, fed the way the store's
// change feed does.
type testOppositions struct {
	ix  *optout.Index
	seq int64
}

func newTestOppositions() *testOppositions { return &testOppositions{ix: optout.New()} }

func (o *testOppositions) stop(t testing.TB, s bawwab.Scope, n msisdn.Number) {
	t.Helper()
	o.seq++
	if _, err := o.ix.Apply(bawwab.Opposition{Seq: o.seq, MSISDN: n.E164(), Scope: s, Action: bawwab.ActionStop, At: date(2026, 1, 1), Channel: "3030"}); err != nil {
		t.Fatal(err)
	}
}

// mapConsents is a consent register in a Go map.
type mapConsents map[consentKey]bool

type consentKey struct {
	n   msisdn.Number
	adv string
}

func (c mapConsents) Consented(n msisdn.Number, adv string) bool { return c[consentKey{n, adv}] }
