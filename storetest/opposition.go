package storetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

var (
	national   = bawwab.NationalScope
	atlasScope = bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}
	rifScope   = bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "rifdigital"}
	atlasMkt   = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}
	darLbahja  = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "dar-lbahja"}
	soukNour   = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "souk-nour"}
)

// num returns the i-th test number, a Moroccan mobile.
func num(i int) string { return fmt.Sprintf("+2126%08d", i) }

func opp(msisdn string, s bawwab.Scope, a bawwab.OppositionAction, at time.Time, channel string) *bawwab.Opposition {
	return &bawwab.Opposition{MSISDN: msisdn, Scope: s, Action: a, At: at, Channel: channel}
}

func testOppositions(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	o := st.Oppositions
	at := epoch.Add(time.Hour)

	first := lastSeq(t, st)
	events := []*bawwab.Opposition{
		opp(num(1), atlasMkt, bawwab.ActionStop, at, "3030"),
		opp(num(1), atlasMkt, bawwab.ActionStop, at.Add(time.Minute), "5050"),
		opp(num(1), national, bawwab.ActionStop, at.Add(2*time.Minute), "3030"),
		opp(num(1), national, bawwab.ActionStart, at.Add(3*time.Minute), "web"),
		opp(num(2), atlasScope, bawwab.ActionStop, at.Add(4*time.Minute), "5050"),
	}
	for i, e := range events {
		must(t, o.RecordOpposition(ctx, e))
		if e.Seq != first+int64(i)+1 {
			t.Fatalf("event %d got seq %d, want %d", i, e.Seq, first+int64(i)+1)
		}
	}

	// The history is kept whole, in sequence order.
	hist, err := o.FindOppositions(ctx, bawwab.OppositionFilter{MSISDN: ptr(num(1))})
	must(t, err)
	if len(hist) != 4 {
		t.Fatalf("history of number 1 has %d events, want 4", len(hist))
	}
	for i, h := range hist {
		deepEqual(t, "event read back", h, events[i])
	}
	stops, err := o.FindOppositions(ctx, bawwab.OppositionFilter{Action: ptr(bawwab.ActionStop), Scope: &atlasMkt})
	must(t, err)
	if len(stops) != 2 {
		t.Fatalf("STOPs to atlas-market = %d, want 2", len(stops))
	}
	page, err := o.FindOppositions(ctx, bawwab.OppositionFilter{AfterSeq: events[1].Seq, Limit: 2})
	must(t, err)
	if len(page) != 2 || page[0].Seq != events[2].Seq {
		t.Fatalf("page after seq %d = %+v", events[1].Seq, page)
	}

	// In force: the advertiser scope (since the first STOP, which kept its
	// channel), not the national one, lifted by the START.
	inForce, err := o.FindOppositionsInForce(ctx, num(1))
	must(t, err)
	if len(inForce) != 1 {
		t.Fatalf("oppositions in force = %+v, want one", inForce)
	}
	got := inForce[0]
	if got.Scope != atlasMkt || !got.At.Equal(at) || got.Channel != "3030" || got.Seq != events[1].Seq || got.Action != bawwab.ActionStop {
		t.Fatalf("opposition in force = %+v", got)
	}
	none, err := o.FindOppositionsInForce(ctx, num(99))
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("a number never seen has oppositions: %+v", none)
	}

	// A scope must name a registered provider or advertiser.
	before := lastSeq(t, st)
	wantField(t, o.RecordOpposition(ctx, opp(num(3), bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "nobody"}, bawwab.ActionStop, at, "3030")), "scope")
	wantField(t, o.RecordOpposition(ctx, opp("0612345678", national, bawwab.ActionStop, at, "3030")), "msisdn")
	if lastSeq(t, st) != before {
		t.Fatal("refused events moved the sequence")
	}

	// The store's clock dates an event recorded without a time.
	e := opp(num(4), national, bawwab.ActionStop, time.Time{}, "3030")
	must(t, o.RecordOpposition(ctx, e))
	if e.At.IsZero() || e.At.Before(epoch) {
		t.Fatalf("event dated %v by the store", e.At)
	}

	// The stream yields every event in sequence order, from any point.
	all := collect(t, o.StreamOppositions(ctx, 0))
	if len(all) != len(events)+1 {
		t.Fatalf("stream has %d events, want %d", len(all), len(events)+1)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("stream out of order at %d: %d after %d", i, all[i].Seq, all[i-1].Seq)
		}
	}
	tail := collect(t, o.StreamOppositions(ctx, events[3].Seq))
	if len(tail) != 2 || tail[0].Seq != events[4].Seq {
		t.Fatalf("stream after seq %d = %+v", events[3].Seq, tail)
	}
}

// oppositionSource yields n generated events; the i-th (from 1) is bad
// when i == badAt.
func oppositionSource(n, badAt int, channel string) iter.Seq2[bawwab.Opposition, error] {
	return func(yield func(bawwab.Opposition, error) bool) {
		scopes := []bawwab.Scope{national, atlasScope, soukNour}
		for i := 1; i <= n; i++ {
			o := bawwab.Opposition{MSISDN: num(i), Scope: scopes[i%len(scopes)], At: epoch.Add(time.Duration(i) * time.Millisecond), Channel: channel}
			if i == badAt {
				o.MSISDN = "+0"
			}
			if !yield(o, nil) {
				return
			}
		}
	}
}

func testOppositionImport(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	o := st.Oppositions
	base := lastSeq(t, st)

	const n = 5000
	res, err := o.ImportOppositions(ctx, oppositionSource(n, 0, "import"))
	must(t, err)
	if res.Records != n || res.Changes != n || res.FirstSeq != base+1 || res.LastSeq != base+n {
		t.Fatalf("import result = %+v", res)
	}
	if got := lastSeq(t, st); got != base+n {
		t.Fatalf("sequence after import = %d, want %d", got, base+n)
	}
	all := collect(t, o.StreamOppositions(ctx, 0))
	if len(all) != n {
		t.Fatalf("stream has %d events, want %d", len(all), n)
	}
	for i, e := range all {
		if e.Seq != base+int64(i)+1 || e.MSISDN != num(i+1) {
			t.Fatalf("event %d = %+v, want seq %d, number %d", i, e, base+int64(i)+1, i+1)
		}
	}

	// All or nothing: a bad record, or an error from the source, rolls the
	// whole import back.
	_, err = o.ImportOppositions(ctx, oppositionSource(3000, 2345, "bad"))
	var ie *bawwab.ImportError
	if !errors.As(err, &ie) || ie.Record != 2345 {
		t.Fatalf("import with bad record 2345 = %v", err)
	}
	wantField(t, err, "msisdn")
	boom := errors.New("read error")
	src := func(yield func(bawwab.Opposition, error) bool) {
		for o := range oppositionSource(3000, 0, "bad") {
			if !yield(o, nil) {
				return
			}
		}
		yield(bawwab.Opposition{}, boom)
	}
	_, err = o.ImportOppositions(ctx, src)
	if !errors.Is(err, boom) {
		t.Fatalf("import with a failing source = %v", err)
	}
	unknown := func(yield func(bawwab.Opposition, error) bool) {
		for o := range oppositionSource(100, 0, "bad") {
			if !yield(o, nil) {
				return
			}
		}
		yield(bawwab.Opposition{MSISDN: num(1), Scope: bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "nobody"}, At: epoch, Channel: "bad"}, nil)
	}
	_, err = o.ImportOppositions(ctx, unknown)
	wantField(t, err, "scope")
	if got := lastSeq(t, st); got != base+n {
		t.Fatalf("sequence after failed imports = %d, want %d", got, base+n)
	}
	bad, err := o.FindOppositions(ctx, bawwab.OppositionFilter{AfterSeq: base + n})
	must(t, err)
	if len(bad) != 0 {
		t.Fatalf("failed imports left %d events", len(bad))
	}

	// An empty import is fine and changes nothing.
	res, err = o.ImportOppositions(ctx, oppositionSource(0, 0, "x"))
	must(t, err)
	if res.Records != 0 || lastSeq(t, st) != base+n {
		t.Fatalf("empty import = %+v", res)
	}

	// Writes after an import continue the sequence.
	e := opp(num(1), national, bawwab.ActionStart, epoch, "web")
	must(t, o.RecordOpposition(ctx, e))
	if e.Seq != base+n+1 {
		t.Fatalf("event after import got seq %d, want %d", e.Seq, base+n+1)
	}
}

func testOppositionStates(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	o := st.Oppositions
	at := epoch.Add(time.Hour)
	rec := func(e *bawwab.Opposition) int64 {
		t.Helper()
		must(t, o.RecordOpposition(ctx, e))
		return e.Seq
	}
	rec(opp(num(3), darLbahja, bawwab.ActionStop, at, "5151"))
	rec(opp(num(1), national, bawwab.ActionStop, at, "3030"))
	rec(opp(num(1), atlasMkt, bawwab.ActionStop, at, "3030"))
	rec(opp(num(2), atlasScope, bawwab.ActionStop, at, "5050"))
	mark := lastSeq(t, st)
	rec(opp(num(1), atlasMkt, bawwab.ActionStart, at.Add(time.Hour), "web"))
	s2 := rec(opp(num(2), atlasScope, bawwab.ActionStop, at.Add(time.Hour), "5050"))
	s4 := rec(opp(num(4), soukNour, bawwab.ActionStop, at.Add(time.Hour), "3030"))

	type state struct {
		msisdn string
		scope  bawwab.Scope
		action bawwab.OppositionAction
	}
	states := func(ctx context.Context, since int64) []state {
		var out []state
		for _, s := range collect(t, o.StreamOppositionStates(ctx, since)) {
			out = append(out, state{s.MSISDN, s.Scope, s.Action})
		}
		return out
	}
	stop, start := bawwab.ActionStop, bawwab.ActionStart

	// Everything in force, ordered by number then scope.
	deepEqual(t, "oppositions in force", states(ctx, 0), []state{
		{num(1), national, stop},
		{num(2), atlasScope, stop},
		{num(3), darLbahja, stop},
		{num(4), soukNour, stop},
	})
	// The delta since mark: what changed after it, lifted oppositions
	// included.
	deepEqual(t, "delta", states(ctx, mark), []state{
		{num(1), atlasMkt, start},
		{num(2), atlasScope, stop},
		{num(4), soukNour, stop},
	})
	full := collect(t, o.StreamOppositionStates(ctx, mark))
	if full[1].Seq != s2 || !full[1].At.Equal(at) || full[2].Seq != s4 {
		t.Fatalf("delta states = %+v; a repeated STOP keeps the first one's time", full)
	}
	// A provider sees the states that concern it.
	atlas := bawwab.NewContextWithProvider(ctx, "atlasvas")
	deepEqual(t, "atlasvas's oppositions", states(atlas, 0), []state{
		{num(1), national, stop},
		{num(2), atlasScope, stop},
		{num(4), soukNour, stop},
	})
	deepEqual(t, "atlasvas's delta", states(atlas, s2), []state{
		{num(4), soukNour, stop},
	})
}

// testOppositionImportOrder checks the ordering contract of imports: the
// sequence numbers of one import are dense, and the events of one number and
// scope keep the order of the input (a store may number different numbers
// in another order, to load its indexes in order).
func testOppositionImportOrder(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	base := lastSeq(t, st)
	var events []bawwab.Opposition
	const n = 1500 // crosses the SQLite test backend's bulk threshold
	for round := range 3 {
		action := bawwab.ActionStop
		if round == 1 {
			action = bawwab.ActionStart
		}
		for i := n; i >= 1; i-- { // numbers in descending order
			events = append(events, bawwab.Opposition{MSISDN: num(i), Scope: atlasMkt, Action: action,
				At: epoch.Add(time.Duration(round) * time.Hour), Channel: fmt.Sprintf("r%d", round)})
			if round < 2 {
				events = append(events, bawwab.Opposition{MSISDN: num(i), Scope: national, Action: action,
					At: epoch.Add(time.Duration(round) * time.Hour), Channel: fmt.Sprintf("r%d", round)})
			}
		}
	}
	res, err := st.Oppositions.ImportOppositions(ctx, values(events))
	must(t, err)
	if res.FirstSeq != base+1 || res.LastSeq != base+int64(len(events)) {
		t.Fatalf("import result = %+v", res)
	}
	got := collect(t, st.Oppositions.StreamOppositions(ctx, base))
	if len(got) != len(events) {
		t.Fatalf("streamed %d events, imported %d", len(got), len(events))
	}
	type key struct {
		msisdn string
		scope  bawwab.Scope
	}
	lastRound := map[key]string{}
	for i, e := range got {
		if e.Seq != base+int64(i)+1 {
			t.Fatalf("event %d has seq %d, want %d", i, e.Seq, base+int64(i)+1)
		}
		k := key{e.MSISDN, e.Scope}
		if prev, ok := lastRound[k]; ok && prev >= e.Channel {
			t.Fatalf("events of %v out of input order: %s after %s", k, e.Channel, prev)
		}
		lastRound[k] = e.Channel
	}
	// The states follow: the advertiser scope stopped again in round 2
	// (since then), the national one lifted in round 1.
	for _, i := range []int{1, n / 2, n} {
		inForce, err := st.Oppositions.FindOppositionsInForce(ctx, num(i))
		must(t, err)
		if len(inForce) != 1 || inForce[0].Scope != atlasMkt || inForce[0].Channel != "r2" {
			t.Fatalf("number %d in force: %+v", i, inForce)
		}
	}
}
