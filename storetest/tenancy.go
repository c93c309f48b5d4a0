package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// testTenancy checks that a provider's context sees and changes only the
// provider's data, across every service, whatever filter it passes.
func testTenancy(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	root := context.Background()
	at := epoch.Add(time.Hour)
	// Data of both providers, recorded without restriction.
	for _, e := range []*bawwab.Opposition{
		opp(num(1), national, bawwab.ActionStop, at, "3030"),
		opp(num(1), rifScope, bawwab.ActionStop, at, "7070"),
		opp(num(1), darLbahja, bawwab.ActionStop, at, "5151"),
		opp(num(2), atlasScope, bawwab.ActionStop, at, "5050"),
		opp(num(2), soukNour, bawwab.ActionStop, at, "3030"),
	} {
		must(t, st.Oppositions.RecordOpposition(root, e))
	}
	for _, c := range []*bawwab.Consent{
		{MSISDN: num(1), AdvertiserID: "atlas-market", At: at, Channel: "web"},
		{MSISDN: num(1), AdvertiserID: "dar-lbahja", At: at, Channel: "web"},
	} {
		must(t, st.Consents.RecordConsent(root, c))
	}

	ctx := bawwab.NewContextWithProvider(root, "atlasvas")
	r := st.Registry
	keys := func(n int, err error, ks ...string) []string {
		t.Helper()
		must(t, err)
		if n != len(ks) {
			t.Fatalf("total %d for %d records", n, len(ks))
		}
		return ks
	}

	t.Run("Reads", func(t *testing.T) {
		ops, n, err := r.FindOperators(ctx, bawwab.OperatorFilter{})
		if len(ops) != 3 || n != 3 || err != nil {
			t.Fatalf("operators seen by a provider: %d %v", n, err)
		}
		ps, n, err := r.FindProviders(ctx, bawwab.ProviderFilter{})
		deepEqual(t, "providers", keys(n, err, idsOf(ps, func(p *bawwab.Provider) string { return p.ID })...), []string{"atlasvas"})
		as, n, err := r.FindAccounts(ctx, bawwab.AccountFilter{})
		deepEqual(t, "accounts", keys(n, err, idsOf(as, func(a *bawwab.Account) string { return a.ID })...), []string{"atlas01"})
		cs, n, err := r.FindContracts(ctx, bawwab.ContractFilter{})
		deepEqual(t, "contracts", keys(n, err, idsOf(cs, func(c *bawwab.Contract) string { return c.ID })...), []string{"atlas-iam", "atlas-orange"})
		ads, n, err := r.FindAdvertisers(ctx, bawwab.AdvertiserFilter{})
		deepEqual(t, "advertisers", keys(n, err, idsOf(ads, func(a *bawwab.Advertiser) string { return a.ID })...), []string{"atlas-market", "souk-nour"})
		ss, n, err := r.FindSenderIDs(ctx, bawwab.SenderIDFilter{})
		deepEqual(t, "sender IDs", keys(n, err, idsOf(ss, func(s *bawwab.SenderID) string { return s.Value })...), []string{"ATLASINFO", "ATLASMKT"})
		chs, n, err := r.FindChannels(ctx, bawwab.ChannelFilter{})
		deepEqual(t, "channels", keys(n, err, idsOf(chs, func(c *bawwab.Channel) string { return c.Code })...), []string{"3030", "3300", "5050"})
		cps, n, err := r.FindCampaigns(ctx, bawwab.CampaignFilter{})
		deepEqual(t, "campaigns", keys(n, err, idsOf(cps, func(c *bawwab.Campaign) string { return c.ID })...), []string{"soldes-ete"})

		// Filters cannot reach past the restriction.
		as, n, err = r.FindAccounts(ctx, bawwab.AccountFilter{ProviderID: ptr("rifdigital")})
		if len(as) != 0 || n != 0 || err != nil {
			t.Fatalf("a provider's filter on another provider's accounts found %d (%v)", n, err)
		}
		ss, _, err = r.FindSenderIDs(ctx, bawwab.SenderIDFilter{AdvertiserID: ptr("souk-nour")})
		must(t, err)
		if len(ss) != 0 {
			t.Fatalf("atlasvas sees rifdigital's sender IDs for a shared advertiser: %v", ss)
		}

		// Another provider's records are not found (not forbidden: that
		// would tell they exist).
		for name, err := range map[string]error{
			"provider":   second(r.FindProviderByID(ctx, "rifdigital")),
			"account":    second(r.FindAccountByID(ctx, "rif01")),
			"contract":   second(r.FindContractByID(ctx, "rif-inwi")),
			"advertiser": second(r.FindAdvertiserByID(ctx, "dar-lbahja")),
			"sender":     second(r.FindSenderIDByValue(ctx, "SOUKNOUR")),
			"channel":    second(r.FindChannelByCode(ctx, "5151")),
			"campaign":   second(r.FindCampaignByID(ctx, "ramadan")),
			"consent":    second(st.Consents.FindConsent(ctx, num(1), "dar-lbahja")),
		} {
			if bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
				t.Errorf("%s of another provider: %v, want not found", name, err)
			}
		}
		// Its own are.
		if _, err := r.FindSenderIDByValue(ctx, "ATLASMKT"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Consents.FindConsent(ctx, num(1), "atlas-market"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Oppositions", func(t *testing.T) {
		seen := func(os []*bawwab.Opposition) []bawwab.Scope {
			var out []bawwab.Scope
			for _, o := range os {
				out = append(out, o.Scope)
			}
			return out
		}
		all, err := st.Oppositions.FindOppositions(ctx, bawwab.OppositionFilter{})
		must(t, err)
		deepEqual(t, "events seen by atlasvas", seen(all), []bawwab.Scope{national, atlasScope, soukNour})
		inForce, err := st.Oppositions.FindOppositionsInForce(ctx, num(1))
		must(t, err)
		deepEqual(t, "number 1 as atlasvas sees it", seen(inForce), []bawwab.Scope{national})
		var streamed []*bawwab.Opposition
		for _, o := range collect(t, st.Oppositions.StreamOppositions(ctx, 0)) {
			streamed = append(streamed, &o)
		}
		deepEqual(t, "stream seen by atlasvas", seen(streamed), []bawwab.Scope{national, atlasScope, soukNour})

		// It may record STOPs at its own scopes only.
		must(t, st.Oppositions.RecordOpposition(ctx, opp(num(3), atlasScope, bawwab.ActionStop, at, "5050")))
		must(t, st.Oppositions.RecordOpposition(ctx, opp(num(3), atlasMkt, bawwab.ActionStop, at, "5050")))
		for _, s := range []bawwab.Scope{national, rifScope, darLbahja} {
			wantCode(t, st.Oppositions.RecordOpposition(ctx, opp(num(3), s, bawwab.ActionStart, at, "5050")), bawwab.EFORBIDDEN)
		}
		before := lastSeq(t, st)
		src := func(yield func(bawwab.Opposition, error) bool) {
			if yield(*opp(num(4), atlasScope, bawwab.ActionStop, at, "5050"), nil) {
				yield(*opp(num(4), national, bawwab.ActionStop, at, "5050"), nil)
			}
		}
		_, err = st.Oppositions.ImportOppositions(ctx, src)
		wantCode(t, err, bawwab.EFORBIDDEN)
		if lastSeq(t, st) != before {
			t.Fatal("a refused import moved the sequence")
		}
	})

	t.Run("Consents", func(t *testing.T) {
		cs, err := st.Consents.FindConsents(ctx, bawwab.ConsentFilter{})
		must(t, err)
		if len(cs) != 1 || cs[0].AdvertiserID != "atlas-market" {
			t.Fatalf("consents seen by atlasvas = %+v", cs)
		}
		must(t, st.Consents.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(5), AdvertiserID: "souk-nour", At: at, Channel: "web"}))
		wantCode(t, st.Consents.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(5), AdvertiserID: "dar-lbahja", At: at, Channel: "web"}), bawwab.EFORBIDDEN)
		wantCode(t, st.Numbers.RecordNumberEvent(ctx, &bawwab.NumberEvent{MSISDN: num(5), At: at}), bawwab.EFORBIDDEN)
		_, err = st.Numbers.FindNumberEvents(ctx, bawwab.NumberEventFilter{})
		wantCode(t, err, bawwab.EFORBIDDEN)
	})

	t.Run("Writes", func(t *testing.T) {
		forbidden := map[string]error{
			"create provider":   r.CreateProvider(ctx, &bawwab.Provider{ID: "x", Name: "X", ANRTDeclaration: "D", DeclaredAt: declared}),
			"lift own status":   second(r.UpdateProvider(ctx, "atlasvas", bawwab.ProviderUpdate{Status: ptr(bawwab.ProviderActive)})),
			"create sender":     r.CreateSenderID(ctx, &bawwab.SenderID{Value: "ATLASNEW", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial}),
			"delete channel":    r.DeleteChannel(ctx, "5050"),
			"create operator":   r.CreateOperator(ctx, &bawwab.Operator{ID: "x", Name: "X"}),
			"others' account":   r.CreateAccount(ctx, &bawwab.Account{ID: "sneaky", ProviderID: "rifdigital", SecretHash: hash}),
			"import a provider": second(r.ImportRegistry(ctx, values([]bawwab.Record{&bawwab.Provider{ID: "atlasvas", Name: "Mine now"}}))),
			"snapshot":          second(r.Snapshot(ctx)),
			"last seq":          second(st.Feed.LastSeq(ctx)),
			"changes":           second(st.Feed.Changes(ctx, 0, 10)),
		}
		for name, err := range forbidden {
			if bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
				t.Errorf("%s: %v, want forbidden", name, err)
			}
		}
		// Its own accounts it manages.
		must(t, r.CreateAccount(ctx, &bawwab.Account{ID: "atlas02", ProviderID: "atlasvas", SecretHash: hash}))
		_, err := r.UpdateAccount(ctx, "atlas02", bawwab.AccountUpdate{Disabled: ptr(true)})
		must(t, err)
		must(t, r.DeleteAccount(ctx, "atlas02"))
		// Another's it cannot see, hence cannot change.
		_, err = r.UpdateAccount(ctx, "rif01", bawwab.AccountUpdate{Disabled: ptr(true)})
		wantCode(t, err, bawwab.ENOTFOUND)
		wantCode(t, r.DeleteAccount(ctx, "rif01"), bawwab.ENOTFOUND)
		a, err := r.FindAccountByID(root, "rif01")
		must(t, err)
		if a.Disabled {
			t.Fatal("atlasvas disabled rifdigital's account")
		}
	})

	t.Run("FailsClosed", func(t *testing.T) {
		empty := bawwab.NewContextWithProvider(root, "")
		as, n, err := r.FindAccounts(empty, bawwab.AccountFilter{})
		if len(as) != 0 || n != 0 || err != nil {
			t.Fatalf("a context restricted to no provider sees %d accounts (%v)", n, err)
		}
		ps, _, err := r.FindProviders(empty, bawwab.ProviderFilter{})
		if len(ps) != 0 || err != nil {
			t.Fatalf("a context restricted to no provider sees providers %v (%v)", ps, err)
		}
		_, err = r.Snapshot(empty)
		wantCode(t, err, bawwab.EFORBIDDEN)
	})
}

func idsOf[T any](rs []*T, key func(*T) string) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, key(r))
	}
	return out
}

func second[T any](_ T, err error) error { return err }
