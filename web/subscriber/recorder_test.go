package subscriber_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/web/subscriber"
)

// Wired as the gateway wires it, with optout's Recorder: a STOP on the page
// is in the opposition index when the page answers, and in the ledger once.
func TestRecorderEnforcesAtOnce(t *testing.T) {
	ix := optout.New()
	var rec *optout.Recorder
	e := newEnv(t, func(o *subscriber.Options) {
		rec = optout.NewRecorder(o.Oppositions, ix, o.Ledger)
		o.Oppositions, o.OppositionsLedgered = rec, true
	})
	b := e.browser(t)
	b.signIn(numberA, "0612345678")
	adv := ix.Advertiser("atlas-market")
	prov := ix.Provider("atlasvas")
	if !ix.MaySendE164(numberA, adv, prov) {
		t.Fatal("opposed before the STOP")
	}
	if st, _, _ := b.post("/subscriber/oppositions", url.Values{"scope": {"advertiser:atlas-market"}, "action": {"stop"}}); st != 303 {
		t.Fatalf("stop: %d", st)
	}
	adv = ix.Advertiser("atlas-market")
	if ix.MaySendE164(numberA, adv, prov) {
		t.Error("the STOP is not in force in the index")
	}
	if !ix.MaySendE164(numberB, adv, prov) {
		t.Error("another number is opposed")
	}
	n := 0
	for en, err := range e.ledger.FindEntries(context.Background(), bawwab.LedgerFilter{Recipients: e.keys.Pseudonyms(numberA)}) {
		if err != nil {
			t.Fatal(err)
		}
		if en.Kind != bawwab.EntryOpposition || en.Channel != "web" {
			t.Errorf("entry %+v", en)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d ledger entries, want 1", n)
	}
}
