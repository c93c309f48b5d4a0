package compliance_test

import (
	"fmt"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
)

// The gateway's life with the engine: build it from a registry snapshot and
// the opposition index, give each SMPP session a Decider, decide each
// message, give back the cap slot of a message the SMSC refused, and swap
// the view when the registry changes.
func Example() {
	declared := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	snapshot := &bawwab.Registry{ // in the gateway: store.Registry.Snapshot(ctx)
		Providers: []*bawwab.Provider{{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT-17", DeclaredAt: declared}},
		Accounts:  []*bawwab.Account{{ID: "atlas", ProviderID: "atlasvas"}},
		Contracts: []*bawwab.Contract{{ID: "c1", ProviderID: "atlasvas", OperatorID: "iam", ValidFrom: declared}},
		Advertisers: []*bawwab.Advertiser{
			{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}},
		},
		SenderIDs: []*bawwab.SenderID{
			{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
		},
		Channels: []*bawwab.Channel{
			{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
			{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
		},
	}
	view, err := compliance.NewView(snapshot)
	if err != nil {
		panic(err)
	}
	oppositions := optout.New() // optout.Load(path) or optout.Build(changes) in the gateway
	engine, err := compliance.New(compliance.DefaultConfig(), view, compliance.Deps{
		Oppositions: compliance.IndexOppositions(oppositions),
	})
	if err != nil {
		panic(err)
	}

	// One Decider per SMPP session; one Submission value reused.
	d := engine.NewDecider()
	operators := msisdn.NewOperators() // with the portability table loaded
	var s compliance.Submission
	decide := func(text string, at time.Time) compliance.Result {
		s.AccountID, s.Sender, s.Text, s.Time = "atlas", "ATLASMKT", text, at
		s.Recipient, s.RecipientErr = msisdn.ParseAddress(msisdn.TONInternational, []byte("212611223344"))
		s.Operator = operators.Operator(s.Recipient)
		return d.Decide(&s)
	}
	casablanca, _ := time.LoadLocation("Africa/Casablanca")
	morning := time.Date(2026, 5, 5, 10, 0, 0, 0, casablanca)

	r := decide("Atlas Market : -30% ce week-end ! STOP au 5050", morning)
	fmt.Println(r.Decision, r.RuleSet == engine.RuleSet())
	// The SMSC refused it: the recipient's daily slot is given back.
	engine.Release(r.Reservation)

	r = decide("Atlas Market : -30% ce week-end !", morning)
	fmt.Println(r.Decision, r.Rule, r.Detail)

	r = decide("Atlas Market : -30% ce week-end ! STOP au 5050", morning.Add(12*time.Hour))
	fmt.Println(r.Decision)

	// The registry changed: the provider is suspended.
	snapshot.Providers[0].Status = bawwab.ProviderSuspended
	view, _ = compliance.NewView(snapshot)
	if err := engine.SetView(view); err != nil {
		panic(err)
	}
	r = decide("Atlas Market : -30% ce week-end ! STOP au 5050", morning)
	fmt.Println(r.Explain())

	// Output:
	// accept true
	// reject(optout-mention-missing) R4 mention-missing
	// defer(quiet-hours) until 2026-05-06T08:00:00+01:00
	// reject(provider-not-authorised) by R1 (provider-not-allowed): provider "atlasvas" is suspended or withdrawn; only a regulator lifts a suspension
}
