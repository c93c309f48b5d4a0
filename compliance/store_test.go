package compliance

import (
	"context"
	"iter"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
)

// TestStoreSnapshot builds the view from a real store's snapshot (the
// embedded SQLite store, as the gateway does at start) and checks that it
// decides as the view of the same records given directly.
func TestStoreSnapshot(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "bawwab.db"))
	must(t, db.Open(ctx))
	defer db.Close()

	// The test registry without the records a store refuses: a provider
	// without declaration, an unknown category, references to what is not
	// there.
	reg := testRegistry()
	refused := []string{"nodeclvas", "nodecl", "orphan", "atlas-mvno", "DROPPED", "NOCAT", "NODECL", "nodeclvas-iam", "nodeclvas-orange", "nodeclvas-inwi"}
	keep := func(r bawwab.Record) bool { return r.Validate() == nil && !slices.Contains(refused, r.Key()) }
	valid := &bawwab.Registry{}
	var records []bawwab.Record
	for _, o := range reg.Operators {
		valid.Operators, records = append(valid.Operators, o), append(records, o)
	}
	for _, p := range reg.Providers {
		if keep(p) {
			valid.Providers, records = append(valid.Providers, p), append(records, p)
		}
	}
	for _, a := range reg.Accounts {
		if keep(a) {
			valid.Accounts, records = append(valid.Accounts, a), append(records, a)
		}
	}
	for _, c := range reg.Contracts {
		if keep(c) {
			valid.Contracts, records = append(valid.Contracts, c), append(records, c)
		}
	}
	for _, a := range reg.Advertisers {
		a.ProviderIDs = slices.DeleteFunc(a.ProviderIDs, func(p string) bool { return p == "nodeclvas" })
		if keep(a) {
			valid.Advertisers, records = append(valid.Advertisers, a), append(records, a)
		}
	}
	for _, s := range reg.SenderIDs {
		if keep(s) {
			valid.SenderIDs, records = append(valid.SenderIDs, s), append(records, s)
		}
	}
	for _, c := range reg.Channels {
		if keep(c) {
			valid.Channels, records = append(valid.Channels, c), append(records, c)
		}
	}
	rs := sqlite.NewRegistryService(db)
	_, err := rs.ImportRegistry(ctx, iter.Seq2[bawwab.Record, error](func(yield func(bawwab.Record, error) bool) {
		for _, r := range records {
			if !yield(r, nil) {
				return
			}
		}
	}))
	must(t, err)
	snap, err := rs.Snapshot(ctx)
	must(t, err)
	fromStore, err := NewView(snap)
	must(t, err)
	direct, err := NewView(valid)
	must(t, err)
	if len(fromStore.Skipped()) > 0 {
		t.Errorf("the store's snapshot has dangling records: %v", fromStore.Skipped())
	}

	a, b := newTestEnv(t, DefaultConfig()), newTestEnv(t, DefaultConfig())
	must(t, a.eng.SetView(fromStore))
	must(t, b.eng.SetView(direct))
	n := 0
	for _, c := range ruleCases {
		if c.cfg != nil || c.setup != nil {
			continue
		}
		for _, st := range c.steps {
			sa, sb := a.submission(), b.submission()
			st.mod(a, &sa)
			st.mod(b, &sb)
			ra, rb := a.eng.Decide(&sa), b.eng.Decide(&sb)
			if !sameResult(&ra, &rb) {
				t.Errorf("%s: store view %s, direct view %s", c.name, ra.Explain(), rb.Explain())
			}
			n++
		}
	}
	t.Logf("%d submissions decided alike", n)
}
