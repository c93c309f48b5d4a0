package optout

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
)

// ev is a change of the register in the tests' shorthand: "stop
// +212612345678 advertiser:atlas", "start +33612345678 national".
func ev(seq int64, s string) bawwab.Opposition {
	f := strings.Fields(s)
	act, err := bawwab.ParseOppositionAction(f[0])
	if err != nil {
		panic(err)
	}
	scope, err := bawwab.ParseScope(f[2])
	if err != nil {
		panic(err)
	}
	return bawwab.Opposition{Seq: seq, Action: act, MSISDN: f[1], Scope: scope, Channel: "test"}
}

func evs(lines ...string) []bawwab.Opposition {
	out := make([]bawwab.Opposition, len(lines))
	for i, l := range lines {
		out[i] = ev(int64(i+1), l)
	}
	return out
}

// applied returns an index made with Apply, one change at a time.
func applied(t testing.TB, ops []bawwab.Opposition) *Index {
	t.Helper()
	ix := New()
	for _, op := range ops {
		if ok, err := ix.Apply(op); err != nil || !ok {
			t.Fatalf("Apply(%d) = %v, %v", op.Seq, ok, err)
		}
	}
	return ix
}

// built returns an index made with a Builder.
func built(t testing.TB, ops []bawwab.Opposition) *Index {
	t.Helper()
	b := NewBuilder()
	for _, op := range ops {
		if err := b.Add(op); err != nil {
			t.Fatalf("Add(%d): %v", op.Seq, err)
		}
	}
	return b.Index()
}

// roundTrip returns the index written to a snapshot and read back.
func roundTrip(t testing.TB, ix *Index) *Index {
	t.Helper()
	var buf bytes.Buffer
	if _, err := ix.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// makers are the ways to get an index from changes; every semantic test
// runs on each.
var makers = []struct {
	name string
	make func(testing.TB, []bawwab.Opposition) *Index
}{
	{"apply", applied},
	{"build", built},
	{"apply+snapshot", func(t testing.TB, ops []bawwab.Opposition) *Index { return roundTrip(t, applied(t, ops)) }},
	{"build+snapshot", func(t testing.TB, ops []bawwab.Opposition) *Index { return roundTrip(t, built(t, ops)) }},
}

func TestSemantics(t *testing.T) {
	type check struct {
		number, adv, prov string
		by                string // the blocking scope, "" when the message may go
	}
	const (
		n1 = "+212612345678"
		n2 = "+212612345679" // n1's neighbour, same chunk
		n3 = "+212712345678" // another chunk
		f1 = "+33612345678"
		f2 = "+33612345679"
	)
	tests := []struct {
		name   string
		events []string
		checks []check
	}{
		{"empty register", nil, []check{
			{n1, "atlas", "vas1", ""},
			{f1, "atlas", "vas1", ""},
		}},
		{"advertiser stop blocks that advertiser through any provider", []string{
			"stop " + n1 + " advertiser:atlas",
		}, []check{
			{n1, "atlas", "vas1", "advertiser:atlas"},
			{n1, "atlas", "vas2", "advertiser:atlas"},
			{n1, "souk", "vas1", ""},
			{n2, "atlas", "vas1", ""},
			{n3, "atlas", "vas1", ""},
		}},
		{"provider stop blocks all its advertisers", []string{
			"stop " + n1 + " provider:vas1",
		}, []check{
			{n1, "atlas", "vas1", "provider:vas1"},
			{n1, "souk", "vas1", "provider:vas1"},
			{n1, "atlas", "vas2", ""},
			{n1, "", "vas1", "provider:vas1"},
		}},
		{"national stop blocks everyone", []string{
			"stop " + n1 + " national",
		}, []check{
			{n1, "atlas", "vas1", "national"},
			{n1, "", "", "national"},
			{n1, "never-seen", "nor-this", "national"},
			{n2, "atlas", "vas1", ""},
		}},
		{"start lifts a stop", []string{
			"stop " + n1 + " advertiser:atlas",
			"start " + n1 + " advertiser:atlas",
		}, []check{
			{n1, "atlas", "vas1", ""},
		}},
		{"last event wins: start then stop", []string{
			"start " + n1 + " advertiser:atlas",
			"stop " + n1 + " advertiser:atlas",
		}, []check{
			{n1, "atlas", "vas1", "advertiser:atlas"},
		}},
		{"repeated stops, one start", []string{
			"stop " + n1 + " provider:vas1",
			"stop " + n1 + " provider:vas1",
			"start " + n1 + " provider:vas1",
		}, []check{
			{n1, "atlas", "vas1", ""},
		}},
		{"national overrides an advertiser start", []string{
			"stop " + n1 + " national",
			"start " + n1 + " advertiser:atlas",
		}, []check{
			{n1, "atlas", "vas1", "national"},
		}},
		{"start all lifts only the national scope", []string{
			"stop " + n1 + " advertiser:atlas",
			"stop " + n1 + " national",
			"start " + n1 + " national",
		}, []check{
			{n1, "atlas", "vas1", "advertiser:atlas"},
			{n1, "souk", "vas1", ""},
		}},
		{"national is reported first", []string{
			"stop " + n1 + " advertiser:atlas",
			"stop " + n1 + " provider:vas1",
			"stop " + n1 + " national",
		}, []check{
			{n1, "atlas", "vas1", "national"},
		}},
		{"provider is reported before advertiser", []string{
			"stop " + n1 + " advertiser:atlas",
			"stop " + n1 + " provider:vas1",
		}, []check{
			{n1, "atlas", "vas1", "provider:vas1"},
			{n1, "atlas", "vas2", "advertiser:atlas"},
		}},
		{"provider and advertiser IDs are separate namespaces", []string{
			"stop " + n1 + " provider:atlas",
		}, []check{
			{n1, "atlas", "vas1", ""},
			{n1, "souk", "atlas", "provider:atlas"},
		}},
		{"foreign numbers", []string{
			"stop " + f1 + " advertiser:atlas",
			"stop " + f2 + " national",
			"start " + f2 + " national",
		}, []check{
			{f1, "atlas", "vas1", "advertiser:atlas"},
			{f1, "souk", "vas1", ""},
			{f2, "atlas", "vas1", ""},
			{"+44612345678", "atlas", "vas1", ""},
			{n1, "atlas", "vas1", ""},
		}},
		{"start for a number or scope never seen", []string{
			"start " + f1 + " national",
			"start " + n1 + " advertiser:ghost",
		}, []check{
			{f1, "atlas", "vas1", ""},
			{n1, "ghost", "vas1", ""},
		}},
		{"unknown scope IDs have no oppositions", []string{
			"stop " + n1 + " advertiser:atlas",
		}, []check{
			{n1, "unknown", "unknown", ""},
			{n1, "", "", ""},
		}},
		{"malformed numbers are refused", nil, []check{
			{"0612345678", "atlas", "vas1", "national"},
			{"+2120612345678", "atlas", "vas1", "national"},
			{"+21261234567", "atlas", "vas1", "national"},
			{"", "atlas", "vas1", "national"},
		}},
	}
	for _, tt := range tests {
		for _, m := range makers {
			t.Run(tt.name+"/"+m.name, func(t *testing.T) {
				ix := m.make(t, evs(tt.events...))
				if got, want := ix.Seq(), int64(len(tt.events)); got != want {
					t.Errorf("Seq() = %d, want %d", got, want)
				}
				for _, c := range tt.checks {
					// With handles: Lookup, as the hot path resolves them.
					adv, _ := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: c.adv})
					prov, _ := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: c.prov})
					by, opposed := ix.CheckE164(c.number, adv, prov)
					got := ""
					if opposed {
						s, _ := ix.Scope(by)
						got = s.String()
					}
					if got != c.by {
						t.Errorf("CheckE164(%s, %q, %q) opposed by %q, want %q", c.number, c.adv, c.prov, got, c.by)
					}
					if may := ix.MaySendTo(c.number, c.adv, c.prov); may != (c.by == "") {
						t.Errorf("MaySendTo(%s, %q, %q) = %v", c.number, c.adv, c.prov, may)
					}
					if nsn, foreign, ok := splitE164(c.number); ok && !foreign {
						if _, o := ix.Check(nsn, adv, prov); o != opposed {
							t.Errorf("Check(%d) = %v, CheckE164 %v", nsn, o, opposed)
						}
					}
				}
			})
		}
	}
}

func TestScopesAndCounts(t *testing.T) {
	ops := evs(
		"stop +212612345678 advertiser:souk",
		"stop +212612345678 advertiser:atlas",
		"stop +212612345678 provider:vas2",
		"stop +212612345678 national",
		"stop +212612345679 advertiser:atlas",
		"stop +33612345678 advertiser:atlas",
		"stop +212700000001 provider:vas1",
		"start +212700000001 provider:vas1",
	)
	for _, m := range makers {
		t.Run(m.name, func(t *testing.T) {
			ix := m.make(t, ops)
			got, err := ix.Scopes("+212612345678")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"national", "provider:vas2", "advertiser:atlas", "advertiser:souk"}
			if s := fmt.Sprint(got); s != fmt.Sprint(want) {
				t.Errorf("Scopes = %v, want %v", s, want)
			}
			for num, want := range map[string]int{"+33612345678": 1, "+33600000000": 0, "+212700000001": 0} {
				got, err := ix.Scopes(num)
				if err != nil || len(got) != want {
					t.Errorf("Scopes(%s) = %v, %v; want %d scopes", num, got, err, want)
				}
			}
			if _, err := ix.Scopes("0612345678"); bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Errorf("Scopes of a malformed number: %v, want an invalid error", err)
			}
			var counts []string
			for _, c := range ix.Counts() {
				counts = append(counts, fmt.Sprintf("%s=%d", c.Scope, c.Numbers))
			}
			wantCounts := "national=1 provider:vas1=0 provider:vas2=1 advertiser:atlas=3 advertiser:souk=1"
			if s := strings.Join(counts, " "); s != wantCounts {
				t.Errorf("Counts = %s, want %s", s, wantCounts)
			}
			h, _ := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas"})
			if ix.Count(h) != 3 || ix.Count(Handle(1000)) != 0 {
				t.Errorf("Count(atlas) = %d, Count(1000) = %d", ix.Count(h), ix.Count(1000))
			}
		})
	}
}

func TestHandles(t *testing.T) {
	ix := New()
	atlas := ix.Advertiser("atlas")
	if atlas == National {
		t.Fatal("Advertiser(atlas) = National")
	}
	if again := ix.Advertiser("atlas"); again != atlas {
		t.Errorf("Advertiser(atlas) twice: %d then %d", atlas, again)
	}
	vas := ix.Provider("atlas")
	if vas == atlas {
		t.Error("provider and advertiser atlas share a handle")
	}
	if ix.Provider("") != National || ix.Advertiser("") != National {
		t.Error("an empty ID does not resolve to National")
	}
	if _, ok := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "souk"}); ok {
		t.Error("Lookup added a scope")
	}
	if s, ok := ix.Scope(atlas); !ok || s.String() != "advertiser:atlas" {
		t.Errorf("Scope(atlas) = %v, %v", s, ok)
	}
	if _, ok := ix.Scope(999); ok {
		t.Error("Scope(999) found")
	}
	if _, err := ix.Handle(bawwab.Scope{Kind: 9, ID: "x"}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("Handle of an unknown kind: %v", err)
	}
	// A handle resolved before any opposition sees the ones that follow.
	if _, err := ix.Apply(ev(1, "stop +212612345678 advertiser:atlas")); err != nil {
		t.Fatal(err)
	}
	if ix.MaySend(612345678, atlas, National) {
		t.Error("a handle resolved before the STOP does not see it")
	}
	// A handle out of range (from another index) checks nothing but the
	// national list.
	if !ix.MaySend(612345678, 999, 998) {
		t.Error("out-of-range handles refused")
	}
}

func TestCheckRefusesNonNationalNumbers(t *testing.T) {
	ix := New()
	for _, nsn := range []uint32{0, 12345678, 99_999_999, 1_000_000_000, 1_000_000_001, 1<<32 - 1} {
		if by, opposed := ix.Check(nsn, National, National); !opposed || by != National {
			t.Errorf("Check(%d) = %d, %v; want refused", nsn, by, opposed)
		}
	}
	for _, nsn := range []uint32{100_000_000, 612345678, 999_999_999} {
		if !ix.MaySend(nsn, National, National) {
			t.Errorf("MaySend(%d) on an empty index = false", nsn)
		}
	}
}

func TestApplyOrderAndErrors(t *testing.T) {
	ix := New()
	stop := ev(5, "stop +212612345678 advertiser:atlas")
	if ok, err := ix.Apply(stop); !ok || err != nil {
		t.Fatalf("Apply = %v, %v", ok, err)
	}
	// A duplicate or an older change is already reflected: skipped, even
	// if it would undo the state.
	for _, op := range []bawwab.Opposition{stop, ev(3, "start +212612345678 advertiser:atlas")} {
		if ok, err := ix.Apply(op); ok || err != nil {
			t.Errorf("Apply(seq %d) after seq 5 = %v, %v; want skipped", op.Seq, ok, err)
		}
	}
	if ix.MaySendTo("+212612345678", "atlas", "") || ix.Seq() != 5 {
		t.Errorf("stale change applied: seq %d", ix.Seq())
	}

	bad := []struct {
		name string
		op   bawwab.Opposition
	}{
		{"seq 0", bawwab.Opposition{Seq: 0, MSISDN: "+212612345678", Scope: bawwab.NationalScope}},
		{"trunk zero", bawwab.Opposition{Seq: 9, MSISDN: "+2120612345678", Scope: bawwab.NationalScope}},
		{"national format", bawwab.Opposition{Seq: 9, MSISDN: "0612345678", Scope: bawwab.NationalScope}},
		{"short", bawwab.Opposition{Seq: 9, MSISDN: "+21261234567", Scope: bawwab.NationalScope}},
		{"letters", bawwab.Opposition{Seq: 9, MSISDN: "+2126123456x8", Scope: bawwab.NationalScope}},
		{"too long", bawwab.Opposition{Seq: 9, MSISDN: "+3361234567890123", Scope: bawwab.NationalScope}},
		{"advertiser without ID", bawwab.Opposition{Seq: 9, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser}}},
		{"national with ID", bawwab.Opposition{Seq: 9, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeNational, ID: "x"}}},
		{"unknown kind", bawwab.Opposition{Seq: 9, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: 7, ID: "x"}}},
		{"unknown action", bawwab.Opposition{Seq: 9, MSISDN: "+212612345678", Scope: bawwab.NationalScope, Action: 3}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := ix.Apply(tt.op)
			if ok || bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Fatalf("Apply = %v, %v; want an invalid error", ok, err)
			}
			if strings.Contains(err.Error(), "612345") {
				t.Errorf("error shows the number: %v", err)
			}
			b := NewBuilder()
			if err := b.Add(tt.op); bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Errorf("Builder.Add = %v; want an invalid error", err)
			}
		})
	}
	if ix.Seq() != 5 {
		t.Errorf("a rejected change moved Seq to %d", ix.Seq())
	}

	b := NewBuilder()
	if err := b.Add(stop); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(stop); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("Builder.Add out of order = %v", err)
	}
	b.Index()
	if err := b.Add(ev(6, "stop +212612345678 national")); err == nil {
		t.Error("Builder.Add after Index succeeded")
	}
}

func TestBuild(t *testing.T) {
	ops := evs("stop +212612345678 national", "stop +33612345678 provider:vas1")
	feed := func(fail error) func(func(bawwab.Opposition, error) bool) {
		return func(yield func(bawwab.Opposition, error) bool) {
			for _, op := range ops {
				if !yield(op, nil) {
					return
				}
			}
			if fail != nil {
				yield(bawwab.Opposition{}, fail)
			}
		}
	}
	ix, err := Build(feed(nil))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Seq() != 2 || ix.MaySendTo("+212612345678", "", "") || ix.MaySendTo("+33612345678", "", "vas1") {
		t.Errorf("Build: seq %d, oppositions not in force", ix.Seq())
	}
	broken := errors.New("connection reset")
	if _, err := Build(feed(broken)); !errors.Is(err, broken) {
		t.Errorf("Build with a failing feed = %v", err)
	}
	if _, err := Build(func(yield func(bawwab.Opposition, error) bool) {
		yield(ops[1], nil)
		yield(ops[0], nil)
	}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("Build out of order = %v", err)
	}
}

// TestBuilderBigSet builds a set past the builder's switch from a map of
// chunks to a directory, with STARTs that empty some chunks, and checks it
// against Apply.
func TestBuilderBigSet(t *testing.T) {
	var ops []bawwab.Opposition
	for i := range bigBuildSet + 300 {
		x := uint32(500_000_000 + i*65536 + i%1000)
		ops = append(ops, bawwab.Opposition{Seq: int64(len(ops) + 1), MSISDN: "+212" + itoa9(x), Scope: bawwab.NationalScope})
		if i%3 == 0 {
			ops = append(ops, bawwab.Opposition{Seq: int64(len(ops) + 1), MSISDN: "+212" + itoa9(x), Scope: bawwab.NationalScope, Action: bawwab.ActionStart})
		}
	}
	a, b := snapshotBytes(t, applied(t, ops)), snapshotBytes(t, built(t, ops))
	if !bytes.Equal(a, b) {
		t.Error("Builder and Apply disagree on a big set")
	}
	ix := built(t, ops)
	if got, want := ix.Count(National), int64(bigBuildSet+300-(bigBuildSet+300+2)/3); got != want {
		t.Errorf("Count = %d, want %d", got, want)
	}
}

// TestBytesEstimate checks Bytes, the metrics' view of the index's size,
// against the heap it really holds.
func TestBytesEstimate(t *testing.T) {
	sorted := func() []uint32 {
		_, sorted := randomMobiles(rand.New(rand.NewPCG(8, 8)), 1_000_000)
		return sorted
	}()
	before := heapInUse()
	b := NewBuilder()
	for _, x := range sorted {
		b.set(National, x, true)
	}
	b.Add(ev(1, "stop +212612345678 advertiser:atlas"))
	b.Add(ev(2, "stop +33612345678 advertiser:atlas"))
	ix := b.Index()
	b = nil
	held := float64(heapInUse() - before)
	if est := float64(ix.Bytes()); est < 0.8*held || est > 1.2*held {
		t.Errorf("Bytes() = %.0f, the heap holds %.0f", est, held)
	}
	runtime.KeepAlive(ix)
	runtime.KeepAlive(sorted)
}

func TestReadsDoNotAllocate(t *testing.T) {
	ix := built(t, evs(
		"stop +212612345678 national",
		"stop +212612345679 advertiser:atlas",
		"stop +33612345678 provider:vas1",
	))
	atlas, vas1 := ix.Advertiser("atlas"), ix.Provider("vas1")
	reads := map[string]func(){
		"MaySend":        func() { ix.MaySend(612345679, atlas, vas1) },
		"Check":          func() { ix.Check(612345679, atlas, vas1) },
		"CheckE164":      func() { ix.CheckE164("+212612345679", atlas, vas1) },
		"foreign":        func() { ix.MaySendE164("+33612345678", atlas, vas1) },
		"MaySendTo":      func() { ix.MaySendTo("+212612345679", "atlas", "vas1") },
		"unknown scopes": func() { ix.MaySendTo("+212612345679", "nobody", "none") },
	}
	for name, read := range reads {
		if n := testing.AllocsPerRun(100, read); n != 0 {
			t.Errorf("%s allocates %.0f times", name, n)
		}
	}
}
