package bawwab_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func TestValidateEvents(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	opp := bawwab.Opposition{MSISDN: "+212612345678", Scope: bawwab.NationalScope, At: at, Channel: "3030"}
	with := func(f func(*bawwab.Opposition)) bawwab.Opposition { o := opp; f(&o); return o }
	tests := []struct {
		name  string
		rec   bawwab.Record
		field string
	}{
		{"opposition", opp, ""},
		{"opposition advertiser scope", with(func(o *bawwab.Opposition) { o.Scope = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"} }), ""},
		{"opposition national number", with(func(o *bawwab.Opposition) { o.MSISDN = "0612345678" }), "msisdn"},
		{"opposition letters", with(func(o *bawwab.Opposition) { o.MSISDN = "+2126123456x8" }), "msisdn"},
		{"opposition too long", with(func(o *bawwab.Opposition) { o.MSISDN = "+2126123456789012" }), "msisdn"},
		{"opposition scope without id", with(func(o *bawwab.Opposition) { o.Scope = bawwab.Scope{Kind: bawwab.ScopeProvider} }), "scope"},
		{"opposition national with id", with(func(o *bawwab.Opposition) { o.Scope = bawwab.Scope{Kind: bawwab.ScopeNational, ID: "x"} }), "scope"},
		{"opposition no time", with(func(o *bawwab.Opposition) { o.At = time.Time{} }), "at"},
		{"opposition no channel", with(func(o *bawwab.Opposition) { o.Channel = "" }), "channel"},
		{"consent", bawwab.Consent{MSISDN: "+212612345678", AdvertiserID: "a", At: at, Channel: "shop",
			EvidenceHash: "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, ""},
		{"consent bad evidence", bawwab.Consent{MSISDN: "+212612345678", AdvertiserID: "a", At: at, Channel: "shop", EvidenceHash: "md5"}, "evidence_hash"},
		{"consent no advertiser", bawwab.Consent{MSISDN: "+212612345678", At: at, Channel: "shop"}, "advertiser_id"},
		{"reassigned", bawwab.NumberEvent{MSISDN: "+212612345678", Kind: bawwab.NumberReassigned, At: at}, ""},
		{"ported without operator", bawwab.NumberEvent{MSISDN: "+212612345678", Kind: bawwab.NumberPorted, At: at}, "operator_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkField(t, tt.rec.Validate(), tt.field) })
	}
}

func TestFoldOppositions(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(seq int64, a bawwab.OppositionAction, ch string) bawwab.Opposition {
		return bawwab.Opposition{Seq: seq, MSISDN: "+212600000001", Scope: bawwab.NationalScope, Action: a,
			At: t0.Add(time.Duration(seq) * time.Hour), Channel: ch}
	}
	stop, start := bawwab.ActionStop, bawwab.ActionStart
	tests := []struct {
		name    string
		events  []bawwab.Opposition
		action  bawwab.OppositionAction
		sinceAt int64 // the seq whose time and channel the state carries
		seq     int64
	}{
		{"one stop", []bawwab.Opposition{ev(1, stop, "3030")}, stop, 1, 1},
		{"repeated stops keep the first", []bawwab.Opposition{ev(1, stop, "3030"), ev(5, stop, "web")}, stop, 1, 5},
		{"stop then start", []bawwab.Opposition{ev(1, stop, "3030"), ev(2, start, "web")}, start, 2, 2},
		{"stop start stop", []bawwab.Opposition{ev(1, stop, "a"), ev(2, start, "b"), ev(3, stop, "c"), ev(4, stop, "d")}, stop, 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := bawwab.FoldOppositions(tt.events)
			if !ok {
				t.Fatal("not ok")
			}
			want := tt.events[0]
			for _, e := range tt.events {
				if e.Seq == tt.sinceAt {
					want = e
				}
			}
			if got.Action != tt.action || !got.At.Equal(want.At) || got.Channel != want.Channel || got.Seq != tt.seq {
				t.Fatalf("FoldOppositions = %+v, want action %v since seq %d (%s), seq %d", got, tt.action, tt.sinceAt, want.Channel, tt.seq)
			}
		})
	}
	if _, ok := bawwab.FoldOppositions(nil); ok {
		t.Fatal("FoldOppositions(nil) ok")
	}

	adv := bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}
	mixed := []bawwab.Opposition{ev(4, start, "web"), ev(1, stop, "3030"), ev(2, stop, "5050"), ev(3, stop, "5050")}
	mixed[2].Scope, mixed[3].Scope = adv, adv
	got := bawwab.OppositionsInForce(mixed)
	if len(got) != 1 || got[0].Scope != adv || got[0].Seq != 3 || got[0].Channel != "5050" {
		t.Fatalf("OppositionsInForce = %+v, want only the advertiser scope", got)
	}
}

func TestChangeJSON(t *testing.T) {
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []bawwab.Change{
		{Seq: 7, Kind: bawwab.KindProvider, Key: "atlasvas", At: at, Record: &bawwab.Provider{
			ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "D", DeclaredAt: at, Status: bawwab.ProviderWarned}},
		{Seq: 8, Kind: bawwab.KindOpposition, Key: "8", At: at, Record: &bawwab.Opposition{
			Seq: 8, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}, At: at, Channel: "5050"}},
		{Seq: 9, Kind: bawwab.KindChannel, Op: bawwab.ChangeDelete, Key: "5050", At: at},
	} {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var got bawwab.Change
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("round trip of %s:\ngot  %+v\nwant %+v", b, got, c)
		}
	}
}
