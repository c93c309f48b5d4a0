package optout_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/sqlite"
)

func TestRecorder(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := db.Store()
	keys, err := ledger.OpenKeyring(filepath.Join(dir, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "signing.key"), Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	ix := optout.New()
	rec := optout.NewRecorder(st.Oppositions, ix, l)
	at := time.Date(2026, 5, 5, 10, 0, 0, 0, time.UTC)

	// Another writer records a STOP the index has not seen: the recorder's
	// own STOP catches the index up with it.
	other := &bawwab.Opposition{MSISDN: "+212600000001", Scope: bawwab.NationalScope, Action: bawwab.ActionStop, At: at, Channel: "web"}
	if err := st.Oppositions.RecordOpposition(ctx, other); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		msisdn string
		action bawwab.OppositionAction
		may    bool
	}{
		{"+212612345678", bawwab.ActionStop, false},
		{"+212612345678", bawwab.ActionStart, true},
		{"+212612345678", bawwab.ActionStop, false},
	} {
		o := &bawwab.Opposition{MSISDN: tc.msisdn, Scope: bawwab.NationalScope, Action: tc.action, At: at.Add(time.Duration(i) * time.Minute), Channel: "3030"}
		if err := rec.RecordOpposition(ctx, o); err != nil {
			t.Fatalf("%d: %v", i, err)
		}
		if o.Seq == 0 {
			t.Errorf("%d: no sequence number set", i)
		}
		if got := ix.MaySendTo(tc.msisdn, "any", "any"); got != tc.may {
			t.Errorf("%d: after %s, MaySendTo = %v, want %v", i, tc.action, got, tc.may)
		}
		if ix.Seq() != o.Seq {
			t.Errorf("%d: index at %d, want %d", i, ix.Seq(), o.Seq)
		}
	}
	if ix.MaySendTo(other.MSISDN, "any", "any") {
		t.Error("the other writer's STOP is not in force")
	}

	var n int
	for e, err := range l.FindEntries(ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryOpposition}}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Subject != "national" || e.Channel != "3030" || e.Recipient.IsZero() {
			t.Errorf("entry %d: %+v", e.Index, e)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d opposition entries in the ledger, want 3", n)
	}

	// A refused event changes nothing.
	bad := &bawwab.Opposition{MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "nobody"}, Action: bawwab.ActionStop, At: at}
	if err := rec.RecordOpposition(ctx, bad); err == nil {
		t.Error("an opposition to an unknown advertiser was recorded")
	}
}
