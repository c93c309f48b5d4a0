package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

const evidence = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func testConsents(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	c := st.Consents
	at := epoch.Add(time.Hour)

	given := &bawwab.Consent{MSISDN: num(1), AdvertiserID: "atlas-market", Basis: bawwab.BasisConsent, At: at, Channel: "web", EvidenceHash: evidence}
	must(t, c.RecordConsent(ctx, given))
	must(t, c.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(1), AdvertiserID: "dar-lbahja", Basis: bawwab.BasisCustomer, At: at, Channel: "shop"}))
	got, err := c.FindConsent(ctx, num(1), "atlas-market")
	must(t, err)
	deepEqual(t, "consent", got, given)
	_, err = c.FindConsent(ctx, num(2), "atlas-market")
	wantCode(t, err, bawwab.ENOTFOUND)
	wantField(t, c.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(1), AdvertiserID: "nobody", At: at, Channel: "web"}), "advertiser_id")

	// An opposition stays, a consent lapses, when the number is
	// reassigned.
	must(t, st.Oppositions.RecordOpposition(ctx, opp(num(1), national, bawwab.ActionStop, at, "3030")))
	re := &bawwab.NumberEvent{MSISDN: num(1), Kind: bawwab.NumberReassigned, OperatorID: "iam", At: at.Add(24 * time.Hour)}
	must(t, st.Numbers.RecordNumberEvent(ctx, re))
	_, err = c.FindConsent(ctx, num(1), "atlas-market")
	wantCode(t, err, bawwab.ENOTFOUND)
	all, err := c.FindConsents(ctx, bawwab.ConsentFilter{MSISDN: ptr(num(1))})
	must(t, err)
	if len(all) != 2 || !all[0].Lapsed || !all[1].Lapsed {
		t.Fatalf("consents after reassignment = %+v, want both lapsed", all)
	}
	inForce, err := st.Oppositions.FindOppositionsInForce(ctx, num(1))
	must(t, err)
	if len(inForce) != 1 {
		t.Fatalf("oppositions after reassignment = %+v, want the STOP kept", inForce)
	}
	// The new holder's consent counts.
	fresh := &bawwab.Consent{MSISDN: num(1), AdvertiserID: "atlas-market", Basis: bawwab.BasisConsent, At: at.Add(48 * time.Hour), Channel: "web"}
	must(t, c.RecordConsent(ctx, fresh))
	got, err = c.FindConsent(ctx, num(1), "atlas-market")
	must(t, err)
	deepEqual(t, "new holder's consent", got, fresh)

	// Ports are recorded with the operator the number moved to.
	port := &bawwab.NumberEvent{MSISDN: num(1), Kind: bawwab.NumberPorted, OperatorID: "inwi", At: at.Add(72 * time.Hour)}
	must(t, st.Numbers.RecordNumberEvent(ctx, port))
	evs, err := st.Numbers.FindNumberEvents(ctx, bawwab.NumberEventFilter{MSISDN: ptr(num(1))})
	must(t, err)
	deepEqual(t, "number events", evs, []*bawwab.NumberEvent{re, port})
	wantField(t, st.Numbers.RecordNumberEvent(ctx, &bawwab.NumberEvent{MSISDN: num(1), Kind: bawwab.NumberPorted, OperatorID: "nobody", At: at}), "operator_id")

	// Imports are all or nothing.
	before := lastSeq(t, st)
	src := func(bad bool) func(yield func(bawwab.Consent, error) bool) {
		return func(yield func(bawwab.Consent, error) bool) {
			for i := 1; i <= 1000; i++ {
				c := bawwab.Consent{MSISDN: num(100 + i), AdvertiserID: "souk-nour", Basis: bawwab.BasisCustomer, At: at, Channel: "import"}
				if bad && i == 999 {
					c.AdvertiserID = "nobody"
				}
				if !yield(c, nil) {
					return
				}
			}
		}
	}
	_, err = c.ImportConsents(ctx, src(true))
	var ie *bawwab.ImportError
	if !errors.As(err, &ie) || ie.Record != 999 {
		t.Fatalf("import with a bad 999th consent = %v", err)
	}
	if lastSeq(t, st) != before {
		t.Fatal("a failed consent import moved the sequence")
	}
	res, err := c.ImportConsents(ctx, src(false))
	must(t, err)
	if res.Records != 1000 || res.FirstSeq != before+1 || res.LastSeq != before+1000 {
		t.Fatalf("consent import = %+v", res)
	}
	page, err := c.FindConsents(ctx, bawwab.ConsentFilter{AdvertiserID: ptr("souk-nour"), AfterSeq: before + 10, Limit: 5})
	must(t, err)
	if len(page) != 5 || page[0].Seq != before+11 {
		t.Fatalf("consent page = %+v", page)
	}
}

func testChangeFeed(t *testing.T, b Backend) {
	st := open(t, b)
	f := seed(t, st)
	ctx := context.Background()
	at := epoch.Add(time.Hour)

	must(t, st.Oppositions.RecordOpposition(ctx, opp(num(1), atlasMkt, bawwab.ActionStop, at, "5050")))
	must(t, st.Consents.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(2), AdvertiserID: "souk-nour", At: at, Channel: "web"}))
	must(t, st.Numbers.RecordNumberEvent(ctx, &bawwab.NumberEvent{MSISDN: num(2), Kind: bawwab.NumberReassigned, At: at}))
	_, err := st.Registry.UpdateChannel(ctx, "7070", bawwab.ChannelUpdate{Free: ptr(true)})
	must(t, err)
	must(t, st.Registry.DeleteChannel(ctx, "7070"))

	all := allChanges(t, st, 0, 0)
	n := len(f.records())
	if len(all) != n+5 {
		t.Fatalf("feed has %d changes, want %d", len(all), n+5)
	}
	// The registry part replays the creations, in order, with the records.
	for i, rec := range f.records() {
		c := all[i]
		if c.Kind != rec.RecordKind() || c.Key != rec.Key() || c.Op != bawwab.ChangePut {
			t.Fatalf("change %d = %v %v %q, want put %v %q", c.Seq, c.Op, c.Kind, c.Key, rec.RecordKind(), rec.Key())
		}
		deepEqual(t, "record in change", c.Record, rec)
		if c.At.IsZero() {
			t.Fatalf("change %d has no time", c.Seq)
		}
	}
	tail := all[n:]
	kinds := []bawwab.RecordKind{bawwab.KindOpposition, bawwab.KindConsent, bawwab.KindNumberEvent, bawwab.KindChannel, bawwab.KindChannel}
	for i, c := range tail {
		if c.Kind != kinds[i] {
			t.Fatalf("change %d is a %s, want %s", c.Seq, c.Kind, kinds[i])
		}
	}
	if o := tail[0].Record.(*bawwab.Opposition); o.Seq != tail[0].Seq || o.Scope != atlasMkt || tail[0].Key != o.Key() {
		t.Fatalf("opposition change = %+v", tail[0])
	}
	if ch := tail[3].Record.(*bawwab.Channel); !ch.Free {
		t.Fatalf("channel change = %+v", ch)
	}
	if tail[4].Op != bawwab.ChangeDelete || tail[4].Record != nil || tail[4].Key != "7070" {
		t.Fatalf("delete change = %+v", tail[4])
	}

	// Paging: any page size gives the same feed.
	for _, page := range []int{1, 3, 7} {
		got := allChanges(t, st, 0, page)
		if len(got) != len(all) {
			t.Fatalf("feed in pages of %d has %d changes, want %d", page, len(got), len(all))
		}
	}
	cs, err := st.Feed.Changes(ctx, int64(len(all)), 10)
	must(t, err)
	if len(cs) != 0 {
		t.Fatalf("changes after the last = %+v", cs)
	}
	cs, err = st.Feed.Changes(ctx, 2, 3)
	must(t, err)
	if len(cs) != 3 || cs[0].Seq != 3 || cs[2].Seq != 5 {
		t.Fatalf("Changes(2, 3) = %+v", cs)
	}
}
