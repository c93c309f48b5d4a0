package storetest

import (
	"context"
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func testRegistry(t *testing.T, b Backend) {
	st := open(t, b)
	f := seed(t, st)
	ctx := context.Background()
	r := st.Registry

	t.Run("FindByID", func(t *testing.T) {
		for _, want := range f.operators {
			got, err := r.FindOperatorByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "operator", got, want)
		}
		for _, want := range f.providers {
			got, err := r.FindProviderByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "provider", got, want)
		}
		for _, want := range f.accounts {
			got, err := r.FindAccountByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "account", got, want)
		}
		for _, want := range f.contracts {
			got, err := r.FindContractByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "contract", got, want)
		}
		for _, want := range f.advertisers {
			got, err := r.FindAdvertiserByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "advertiser", got, want)
		}
		for _, want := range f.senders {
			got, err := r.FindSenderIDByValue(ctx, want.Value)
			must(t, err)
			deepEqual(t, "sender ID", got, want)
		}
		for _, want := range f.channels {
			got, err := r.FindChannelByCode(ctx, want.Code)
			must(t, err)
			deepEqual(t, "channel", got, want)
		}
		for _, want := range f.campaigns {
			got, err := r.FindCampaignByID(ctx, want.ID)
			must(t, err)
			deepEqual(t, "campaign", got, want)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		_, err := r.FindProviderByID(ctx, "nobody")
		wantCode(t, err, bawwab.ENOTFOUND)
		_, err = r.FindSenderIDByValue(ctx, "atlasmkt") // lookups are exact
		wantCode(t, err, bawwab.ENOTFOUND)
		_, err = r.FindChannelByCode(ctx, "9999")
		wantCode(t, err, bawwab.ENOTFOUND)
		_, err = r.UpdateOperator(ctx, "nobody", bawwab.OperatorUpdate{Name: ptr("x")})
		wantCode(t, err, bawwab.ENOTFOUND)
		wantCode(t, r.DeleteCampaign(ctx, "nobody"), bawwab.ENOTFOUND)
	})

	t.Run("Filters", func(t *testing.T) {
		ps, n, err := r.FindProviders(ctx, bawwab.ProviderFilter{Status: ptr(bawwab.ProviderWarned)})
		must(t, err)
		if n != 1 || len(ps) != 1 || ps[0].ID != "rifdigital" {
			t.Fatalf("warned providers = %d %v", n, ps)
		}
		ps, _, err = r.FindProviders(ctx, bawwab.ProviderFilter{OperatorID: ptr("iam")})
		must(t, err)
		if len(ps) != 1 || ps[0].ID != "iam-marketing" {
			t.Fatalf("operator's providers = %v", ps)
		}
		as, n, err := r.FindAccounts(ctx, bawwab.AccountFilter{ProviderID: ptr("rifdigital"), Kind: ptr(bawwab.AccountAPI)})
		must(t, err)
		if n != 1 || as[0].ID != "rifapikey001" {
			t.Fatalf("rifdigital's API accounts = %d %v", n, as)
		}
		cs, _, err := r.FindContracts(ctx, bawwab.ContractFilter{ProviderID: ptr("atlasvas"), ValidAt: ptr(declared.AddDate(2, 0, 0))})
		must(t, err)
		if len(cs) != 1 || cs[0].ID != "atlas-iam" {
			t.Fatalf("atlasvas's contracts in force in two years = %v", cs)
		}
		cs, _, err = r.FindContracts(ctx, bawwab.ContractFilter{ValidAt: ptr(declared.Add(-time.Microsecond))})
		must(t, err)
		if len(cs) != 0 {
			t.Fatalf("contracts in force before any started = %v", cs)
		}
		ads, n, err := r.FindAdvertisers(ctx, bawwab.AdvertiserFilter{ProviderID: ptr("rifdigital")})
		must(t, err)
		if n != 2 || ads[0].ID != "dar-lbahja" || ads[1].ID != "souk-nour" {
			t.Fatalf("rifdigital's advertisers = %d %v", n, ads)
		}
		ss, n, err := r.FindSenderIDs(ctx, bawwab.SenderIDFilter{AdvertiserID: ptr("atlas-market"), Category: ptr(bawwab.CategoryCommercial)})
		must(t, err)
		if n != 1 || ss[0].Value != "ATLASMKT" {
			t.Fatalf("atlas-market's commercial senders = %d %v", n, ss)
		}
		chs, n, err := r.FindChannels(ctx, bawwab.ChannelFilter{Purpose: ptr(bawwab.PurposeOptOut), Scope: ptr(bawwab.ChannelNational)})
		must(t, err)
		if n != 1 || chs[0].Code != "3030" {
			t.Fatalf("national opt-out channels = %d %v", n, chs)
		}
		cps, n, err := r.FindCampaigns(ctx, bawwab.CampaignFilter{SenderID: ptr("ATLASMKT")})
		must(t, err)
		if n != 1 || cps[0].ID != "soldes-ete" {
			t.Fatalf("campaigns under ATLASMKT = %d %v", n, cps)
		}
	})

	t.Run("Paging", func(t *testing.T) {
		var seen []string
		for off := 0; ; off += 2 {
			page, n, err := r.FindChannels(ctx, bawwab.ChannelFilter{Offset: off, Limit: 2})
			must(t, err)
			if n != len(f.channels) {
				t.Fatalf("total = %d, want %d", n, len(f.channels))
			}
			if len(page) == 0 {
				break
			}
			if len(page) > 2 {
				t.Fatalf("page of %d with limit 2", len(page))
			}
			for _, c := range page {
				seen = append(seen, c.Code)
			}
		}
		deepEqual(t, "channels paged in key order", seen, []string{"3030", "3300", "5050", "5151", "7070"})

		// Keys sort by bytes, whatever the database's collation: "z-b"
		// comes before "za" ('-' < 'a'), where a linguistic collation that
		// ignores punctuation would put it after.
		for _, id := range []string{"za", "z-b"} {
			must(t, r.CreateOperator(ctx, &bawwab.Operator{ID: id, Name: id}))
		}
		ops, _, err := r.FindOperators(ctx, bawwab.OperatorFilter{Offset: 3})
		must(t, err)
		if len(ops) != 2 || ops[0].ID != "z-b" || ops[1].ID != "za" {
			t.Fatalf("operators after the first three = %v, want z-b then za", ops)
		}
		must(t, r.DeleteOperator(ctx, "za"))
		must(t, r.DeleteOperator(ctx, "z-b"))
	})

	t.Run("Update", func(t *testing.T) {
		before := lastSeq(t, st)
		p, err := r.UpdateProvider(ctx, "atlasvas", bawwab.ProviderUpdate{Status: ptr(bawwab.ProviderSuspended)})
		must(t, err)
		if p.Status != bawwab.ProviderSuspended || p.Name != "Atlas VAS SARL" {
			t.Fatalf("updated provider = %+v", p)
		}
		got, err := r.FindProviderByID(ctx, "atlasvas")
		must(t, err)
		deepEqual(t, "provider read back", got, p)
		if after := lastSeq(t, st); after != before+1 {
			t.Fatalf("an update moved the sequence from %d to %d", before, after)
		}
		// An update that changes nothing makes no change.
		_, err = r.UpdateProvider(ctx, "atlasvas", bawwab.ProviderUpdate{Status: ptr(bawwab.ProviderSuspended)})
		must(t, err)
		if after := lastSeq(t, st); after != before+1 {
			t.Fatalf("a no-op update moved the sequence to %d", after)
		}
		// An update is validated.
		_, err = r.UpdateProvider(ctx, "atlasvas", bawwab.ProviderUpdate{Name: ptr("")})
		wantField(t, err, "name")
		_, err = r.UpdateContract(ctx, "atlas-iam", bawwab.ContractUpdate{ValidTo: ptr(declared.AddDate(0, 0, -1))})
		wantField(t, err, "valid_to")
		a, err := r.UpdateAdvertiser(ctx, "atlas-market", bawwab.AdvertiserUpdate{ProviderIDs: &[]string{"rifdigital", "atlasvas"}, Sector: ptr("")})
		must(t, err)
		deepEqual(t, "advertiser's providers", a.ProviderIDs, []string{"atlasvas", "rifdigital"})
		got2, err := r.FindAdvertiserByID(ctx, "atlas-market")
		must(t, err)
		deepEqual(t, "advertiser read back", got2, a)
		c, err := r.UpdateCampaign(ctx, "ramadan", bawwab.CampaignUpdate{Templates: &[]string{"Ramadan Karim ! STOP au 5151"}})
		must(t, err)
		got3, err := r.FindCampaignByID(ctx, "ramadan")
		must(t, err)
		deepEqual(t, "campaign read back", got3, c)
		acc, err := r.UpdateAccount(ctx, "atlas01", bawwab.AccountUpdate{Disabled: ptr(true), RateLimit: ptr(12.5)})
		must(t, err)
		if !acc.Disabled || acc.RateLimit != 12.5 {
			t.Fatalf("updated account = %+v", acc)
		}
	})

	t.Run("Conflicts", func(t *testing.T) {
		wantCode(t, r.CreateOperator(ctx, &bawwab.Operator{ID: "iam", Name: "again"}), bawwab.ECONFLICT)
		wantCode(t, r.CreateChannel(ctx, &bawwab.Channel{Code: "3030", Scope: bawwab.ChannelNational}), bawwab.ECONFLICT)
		// Referenced records cannot be deleted.
		wantCode(t, r.DeleteOperator(ctx, "iam"), bawwab.ECONFLICT)
		wantCode(t, r.DeleteProvider(ctx, "rifdigital"), bawwab.ECONFLICT)
		wantCode(t, r.DeleteAdvertiser(ctx, "dar-lbahja"), bawwab.ECONFLICT)
		wantCode(t, r.DeleteSenderID(ctx, "DarLbahja"), bawwab.ECONFLICT)
		if _, err := r.FindOperatorByID(ctx, "iam"); err != nil {
			t.Fatalf("refused delete removed the operator: %v", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		before := lastSeq(t, st)
		must(t, r.DeleteCampaign(ctx, "ramadan"))
		_, err := r.FindCampaignByID(ctx, "ramadan")
		wantCode(t, err, bawwab.ENOTFOUND)
		must(t, r.DeleteSenderID(ctx, "DarLbahja"))
		must(t, r.DeleteChannel(ctx, "5151"))
		must(t, r.DeleteAdvertiser(ctx, "dar-lbahja"))
		if after := lastSeq(t, st); after != before+4 {
			t.Fatalf("four deletes moved the sequence from %d to %d", before, after)
		}
		cs := allChanges(t, st, before, 0)
		for _, c := range cs {
			if c.Op != bawwab.ChangeDelete || c.Record != nil {
				t.Fatalf("delete change = %+v", c)
			}
		}
		if cs[3].Kind != bawwab.KindAdvertiser || cs[3].Key != "dar-lbahja" {
			t.Fatalf("last change = %+v, want the advertiser's deletion", cs[3])
		}
	})

	t.Run("Validation", func(t *testing.T) {
		before := lastSeq(t, st)
		wantField(t, r.CreateProvider(ctx, &bawwab.Provider{ID: "Bad ID", Name: "x"}), "id")
		wantField(t, r.CreateSenderID(ctx, &bawwab.SenderID{Value: "TOOLONGSENDER", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial}), "value")
		wantField(t, r.CreateChannel(ctx, &bawwab.Channel{Code: "5052", Scope: bawwab.ChannelProvider}), "provider_id")
		if after := lastSeq(t, st); after != before {
			t.Fatalf("refused records moved the sequence from %d to %d", before, after)
		}
	})
}

func testRegistryRules(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	r := st.Registry

	// References must exist, and the error names the field.
	wantField(t, r.CreateAccount(ctx, &bawwab.Account{ID: "x1", ProviderID: "nobody", SecretHash: hash}), "provider_id")
	wantField(t, r.CreateContract(ctx, &bawwab.Contract{ID: "c9", ProviderID: "atlasvas", OperatorID: "nobody", ValidFrom: declared}), "operator_id")
	wantField(t, r.CreateProvider(ctx, &bawwab.Provider{ID: "own", Name: "Own", OperatorID: "nobody"}), "operator_id")
	wantField(t, r.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: "new", Name: "New", ProviderIDs: []string{"nobody"}}), "provider_ids")
	wantField(t, r.CreateChannel(ctx, &bawwab.Channel{Code: "6060", Scope: bawwab.ChannelAdvertiser, AdvertiserID: "nobody"}), "advertiser_id")

	// A sender's provider must act for its advertiser.
	err := r.CreateSenderID(ctx, &bawwab.SenderID{Value: "DARPROMO", ProviderID: "atlasvas", AdvertiserID: "dar-lbahja", Category: bawwab.CategoryCommercial})
	wantField(t, err, "provider_id")
	wantCode(t, err, bawwab.EINVALID)
	// So must an advertiser channel's operating provider.
	wantField(t, r.CreateChannel(ctx, &bawwab.Channel{Code: "6061", Scope: bawwab.ChannelAdvertiser, AdvertiserID: "dar-lbahja", ProviderID: "atlasvas"}), "provider_id")

	// Sender IDs are unique ignoring case.
	err = r.CreateSenderID(ctx, &bawwab.SenderID{Value: "AtlasMkt", ProviderID: "rifdigital", AdvertiserID: "souk-nour", Category: bawwab.CategoryCommercial})
	wantCode(t, err, bawwab.ECONFLICT)
	wantCode(t, r.CreateSenderID(ctx, &bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "souk-nour", Category: bawwab.CategoryCommercial}), bawwab.ECONFLICT)

	// A campaign's sender ID must be its advertiser's.
	wantField(t, r.CreateCampaign(ctx, &bawwab.Campaign{ID: "x", AdvertiserID: "souk-nour", SenderID: "ATLASMKT", Purpose: "p", ListSource: "l"}), "sender_id")
	wantField(t, r.CreateCampaign(ctx, &bawwab.Campaign{ID: "x", AdvertiserID: "souk-nour", SenderID: "NOSUCH", Purpose: "p", ListSource: "l"}), "sender_id")

	// A provider cannot be taken off an advertiser while it holds the
	// advertiser's sender IDs.
	_, err = r.UpdateAdvertiser(ctx, "souk-nour", bawwab.AdvertiserUpdate{ProviderIDs: &[]string{"atlasvas"}})
	wantCode(t, err, bawwab.ECONFLICT)
	a, err := r.FindAdvertiserByID(ctx, "souk-nour")
	must(t, err)
	deepEqual(t, "providers after refused update", a.ProviderIDs, []string{"atlasvas", "rifdigital"})
	// Without sender IDs it can.
	_, err = r.UpdateAdvertiser(ctx, "souk-nour", bawwab.AdvertiserUpdate{ProviderIDs: &[]string{"rifdigital"}})
	must(t, err)

	// Keys and owners that others hang on do not change.
	_, err = r.UpdateAccount(ctx, "atlas01", bawwab.AccountUpdate{SecretHash: ptr("not a hash")})
	wantField(t, err, "secret_hash")
}

func testRegistryImport(t *testing.T, b Backend) {
	st := open(t, b)
	ctx := context.Background()
	f := newFixture()

	res, err := st.Registry.ImportRegistry(ctx, values(f.records()))
	must(t, err)
	n := int64(len(f.records()))
	if res.Records != n || res.Changes != n || res.FirstSeq != 1 || res.LastSeq != n {
		t.Fatalf("import result = %+v, want %d records and changes from seq 1", res, n)
	}
	snap, err := st.Registry.Snapshot(ctx)
	must(t, err)
	deepEqual(t, "imported providers", snap.Providers, f.providers)
	deepEqual(t, "imported campaigns", snap.Campaigns, f.campaigns)

	// Importing the same records again changes nothing.
	res, err = st.Registry.ImportRegistry(ctx, values(newFixture().records()))
	must(t, err)
	if res.Changes != 0 || lastSeq(t, st) != n {
		t.Fatalf("re-import = %+v, sequence %d; want no changes", res, lastSeq(t, st))
	}

	// An import replaces what it names, and all or nothing: a bad record
	// in the middle leaves the store as it was.
	changed := newFixture()
	changed.providers[0].Name = "Atlas VAS SA"
	bad := append(changed.records()[:5:5], &bawwab.SenderID{Value: "ORPHAN", ProviderID: "atlasvas", AdvertiserID: "nobody", Category: bawwab.CategoryCommercial})
	_, err = st.Registry.ImportRegistry(ctx, values(bad))
	var ie *bawwab.ImportError
	if !errors.As(err, &ie) || ie.Record != 6 {
		t.Fatalf("import with a bad 6th record = %v, want an *ImportError at record 6", err)
	}
	wantField(t, err, "advertiser_id")
	p, err := st.Registry.FindProviderByID(ctx, "atlasvas")
	must(t, err)
	if p.Name != "Atlas VAS SARL" || lastSeq(t, st) != n {
		t.Fatalf("after a failed import: provider %q, sequence %d; want nothing changed", p.Name, lastSeq(t, st))
	}

	// An error from the source aborts the import too.
	boom := errors.New("disk on fire")
	src := func(yield func(bawwab.Record, error) bool) {
		if yield(changed.providers[0], nil) {
			yield(nil, boom)
		}
	}
	_, err = st.Registry.ImportRegistry(ctx, iter.Seq2[bawwab.Record, error](src))
	if !errors.Is(err, boom) {
		t.Fatalf("import with a failing source = %v, want %v", err, boom)
	}
	p, err = st.Registry.FindProviderByID(ctx, "atlasvas")
	must(t, err)
	if p.Name != "Atlas VAS SARL" {
		t.Fatal("a failed import changed a provider")
	}

	// A good import of a changed record makes one change.
	res, err = st.Registry.ImportRegistry(ctx, values(changed.records()))
	must(t, err)
	if res.Changes != 1 || res.FirstSeq != n+1 {
		t.Fatalf("import of one changed record = %+v", res)
	}
}

func testSnapshot(t *testing.T, b Backend) {
	st := open(t, b)
	f := seed(t, st)
	ctx := context.Background()
	snap, err := st.Registry.Snapshot(ctx)
	must(t, err)
	if snap.Seq != lastSeq(t, st) || snap.Seq != int64(len(f.records())) {
		t.Fatalf("snapshot at seq %d, store at %d, %d records created", snap.Seq, lastSeq(t, st), len(f.records()))
	}
	deepEqual(t, "operators", snap.Operators, f.operators)
	deepEqual(t, "providers", snap.Providers, f.providers)
	deepEqual(t, "accounts", snap.Accounts, f.accounts)
	deepEqual(t, "contracts", snap.Contracts, f.contracts)
	deepEqual(t, "advertisers", snap.Advertisers, f.advertisers)
	deepEqual(t, "sender IDs", snap.SenderIDs, f.senders)
	deepEqual(t, "channels", snap.Channels, f.channels)
	deepEqual(t, "campaigns", snap.Campaigns, f.campaigns)

	// A snapshot plus the changes after it gives the current registry.
	_, err = st.Registry.UpdateProvider(ctx, "rifdigital", bawwab.ProviderUpdate{Status: ptr(bawwab.ProviderActive)})
	must(t, err)
	must(t, st.Registry.DeleteCampaign(ctx, "ramadan"))
	cs := allChanges(t, st, snap.Seq, 0)
	if len(cs) != 2 || cs[0].Kind != bawwab.KindProvider || cs[1].Op != bawwab.ChangeDelete {
		t.Fatalf("changes after the snapshot = %+v", cs)
	}
	if p := cs[0].Record.(*bawwab.Provider); p.Status != bawwab.ProviderActive {
		t.Fatalf("change carries %+v", p)
	}
}
