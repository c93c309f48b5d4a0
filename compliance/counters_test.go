package compliance

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

func moroccan(t testing.TB, nsn uint32) msisdn.Number {
	n, err := msisdn.MoroccanNumber(nsn)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCountersLimits walks one recipient up to the caps, exactly.
func TestCountersLimits(t *testing.T) {
	c := NewMemCounters()
	a, _ := c.AdvertiserKey("a")
	b, _ := c.AdvertiserKey("b")
	x, _ := c.AdvertiserKey("c")
	if again, _ := c.AdvertiserKey("a"); again != a || a == 0 || a == b {
		t.Fatalf("advertiser keys: a=%d again=%d b=%d", a, again, b)
	}
	n := moroccan(t, 611223344)
	const day = 20000
	res := func(adv uint32) Reservation { return Reservation{Day: day, Recipient: n, Advertiser: adv} }
	steps := []struct {
		adv  uint32
		want bool
	}{
		{a, true}, {a, true}, {a, false}, // 2 per advertiser
		{b, true}, {b, true}, // 4 in all
		{x, false}, {b, false}, {a, false},
	}
	for i, s := range steps {
		if got := c.Reserve(res(s.adv), day, 2, 4, false); got != s.want {
			t.Fatalf("step %d: within %v, want %v", i+1, got, s.want)
		}
	}
	if ac, tc := c.Count(res(a)); ac != 2 || tc != 4 {
		t.Fatalf("counts a=%d total=%d, want 2 and 4", ac, tc)
	}
	// A refused reservation counted nothing; releasing b frees one slot in
	// all, which c may now take, but not a (still at its own cap).
	c.Release(res(b))
	if c.Reserve(res(a), day, 2, 4, false) {
		t.Fatal("a went over its own cap after a release of b")
	}
	if !c.Reserve(res(x), day, 2, 4, false) {
		t.Fatal("c could not take the released slot")
	}
	// Force counts beyond the caps (a monitored rule) and reports it.
	if c.Reserve(res(x), day, 2, 4, true) {
		t.Fatal("forced reservation over the total reported within")
	}
	if _, tc := c.Count(res(x)); tc != 5 {
		t.Fatalf("total after a forced reservation: %d, want 5", tc)
	}
	// Releasing more than was reserved stops at zero, and leaves the
	// other advertisers' counts (a 2, b 1).
	for range 10 {
		c.Release(res(x))
	}
	if xc, tc := c.Count(res(x)); xc != 0 || tc != 3 {
		t.Fatalf("counts after over-release: c=%d total=%d, want 0 3", xc, tc)
	}
	// Another day, another recipient: untouched.
	if !c.Reserve(Reservation{Day: day + 1, Recipient: n, Advertiser: a}, day, 2, 4, false) {
		t.Fatal("the next day is not free")
	}
	if !c.Reserve(Reservation{Day: day, Recipient: moroccan(t, 611223345), Advertiser: a}, day, 2, 4, false) {
		t.Fatal("another recipient is not free")
	}
	// Caps of 0 are off.
	for range 300 {
		if !c.Reserve(Reservation{Day: day, Recipient: moroccan(t, 700000001), Advertiser: a}, day, 0, 0, false) {
			t.Fatal("no caps, refused")
		}
	}
	if ac, tc := c.Count(Reservation{Day: day, Recipient: moroccan(t, 700000001), Advertiser: a}); ac != 255 || tc != 255 {
		t.Fatalf("counts saturate at 255, got %d %d", ac, tc)
	}
}

// TestCountersNoAdvertiser: a message of no known advertiser counts in the
// total only.
func TestCountersNoAdvertiser(t *testing.T) {
	c := NewMemCounters()
	n := moroccan(t, 611223344)
	r := Reservation{Day: 1, Recipient: n}
	for i := range 4 {
		if !c.Reserve(r, 1, 2, 4, false) {
			t.Fatalf("message %d refused", i+1)
		}
	}
	if c.Reserve(r, 1, 2, 4, false) {
		t.Fatal("fifth message within the total")
	}
}

func TestCountersForeign(t *testing.T) {
	c := NewMemCounters()
	a, _ := c.AdvertiserKey("a")
	fr := number(t, "+33612345678")
	it := number(t, "+393123456789")
	for _, n := range []msisdn.Number{fr, it} {
		r := Reservation{Day: 5, Recipient: n, Advertiser: a}
		if !c.Reserve(r, 5, 1, 4, false) || c.Reserve(r, 5, 1, 4, false) {
			t.Fatalf("%s: per-advertiser cap of 1 not applied", n.Region())
		}
		c.Release(r)
		if ac, tc := c.Count(r); ac != 0 || tc != 0 {
			t.Fatalf("%s: counts after release %d %d", n.Region(), ac, tc)
		}
	}
}

// TestCountersDays: yesterday's counts stay for late releases, older days
// go, and future days (deferred messages) stay.
func TestCountersDays(t *testing.T) {
	c := NewMemCounters()
	a, _ := c.AdvertiserKey("a")
	n := moroccan(t, 611223344)
	for _, d := range []int32{100, 101, 102, 105} {
		c.Reserve(Reservation{Day: d, Recipient: n, Advertiser: a}, 100, 2, 4, false)
	}
	if got := sorted(c.Days()); !slices.Equal(got, []int32{100, 101, 102, 105}) {
		t.Fatalf("days %v", got)
	}
	c.Reserve(Reservation{Day: 102, Recipient: moroccan(t, 611223345), Advertiser: a}, 102, 2, 4, false)
	// The shard of n is visited again: day 100 goes.
	c.Release(Reservation{Day: 101, Recipient: n, Advertiser: a})
	if got := sorted(c.Days()); !slices.Equal(got, []int32{101, 102, 105}) {
		t.Fatalf("days after moving to 102: %v", got)
	}
	if ac, _ := c.Count(Reservation{Day: 101, Recipient: n, Advertiser: a}); ac != 0 {
		t.Fatalf("yesterday's late release not applied: %d", ac)
	}
	if ac, _ := c.Count(Reservation{Day: 100, Recipient: n, Advertiser: a}); ac != 0 {
		t.Fatalf("a dropped day still counts %d", ac)
	}
}

func sorted(d []int32) []int32 { slices.Sort(d); return d }

// TestCountersMany fills a day with many recipients, checks every count and
// the memory per recipient.
func TestCountersMany(t *testing.T) {
	c := NewMemCounters()
	a, _ := c.AdvertiserKey("a")
	b, _ := c.AdvertiserKey("b")
	const recipients = 200_000
	for i := range uint32(recipients) {
		n := moroccan(t, 600000000+i*7)
		if !c.Reserve(Reservation{Day: 9, Recipient: n, Advertiser: a}, 9, 2, 4, false) {
			t.Fatal("refused")
		}
		if i%2 == 0 {
			c.Reserve(Reservation{Day: 9, Recipient: n, Advertiser: b}, 9, 2, 4, false)
		}
	}
	for i := range uint32(recipients) {
		n := moroccan(t, 600000000+i*7)
		ac, tc := c.Count(Reservation{Day: 9, Recipient: n, Advertiser: a})
		want := 1
		if i%2 == 0 {
			want = 2
		}
		if ac != 1 || tc != want {
			t.Fatalf("recipient %d: counts %d %d, want 1 %d", i, ac, tc, want)
		}
	}
	per := float64(c.Bytes()) / recipients
	t.Logf("%.1f bytes per recipient (1.5 advertisers each)", per)
	if per > 32 {
		t.Errorf("%.1f bytes per recipient: the table is not compact", per)
	}
}

// TestCountersConcurrent: many goroutines racing for the same recipient
// never take more slots than the caps allow, and releases are not lost.
func TestCountersConcurrent(t *testing.T) {
	c := NewMemCounters()
	advs := make([]uint32, 4)
	for i := range advs {
		advs[i], _ = c.AdvertiserKey(string(rune('a' + i)))
	}
	n := moroccan(t, 611223344)
	var within [4]atomic.Int32
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				adv := (g + i) % 4
				r := Reservation{Day: 7, Recipient: n, Advertiser: advs[adv]}
				if c.Reserve(r, 7, 2, 4, false) {
					within[adv].Add(1)
				}
				// Other recipients at the same time, in other shards.
				other := Reservation{Day: 7, Recipient: moroccan(t, uint32(620000000+g*1000+i)), Advertiser: advs[adv]}
				c.Reserve(other, 7, 2, 4, false)
				c.Release(other)
			}
		}()
	}
	wg.Wait()
	total := 0
	for i := range within {
		got := int(within[i].Load())
		if got > 2 {
			t.Errorf("advertiser %d got %d slots, cap 2", i, got)
		}
		total += got
	}
	if total != 4 {
		t.Errorf("%d slots taken in all, want exactly 4", total)
	}
	if _, tc := c.Count(Reservation{Day: 7, Recipient: n}); tc != 4 {
		t.Errorf("total count %d, want 4", tc)
	}
}

// TestEngineCapsConcurrent: the same, through the whole pipeline: of many
// concurrent compliant submissions to one recipient, exactly the cap pass.
func TestEngineCapsConcurrent(t *testing.T) {
	e := newTestEnv(t, DefaultConfig())
	var accepted, capped atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.eng.NewDecider()
			for range 25 {
				s := e.submission()
				r := d.Decide(&s)
				switch {
				case r.Outcome == bawwab.Accept && r.Reason == bawwab.ReasonNone:
					accepted.Add(1)
				case r.Reason == bawwab.ReasonFrequencyCap:
					capped.Add(1)
				default:
					t.Errorf("unexpected %s", r.Explain())
				}
			}
		}()
	}
	wg.Wait()
	if accepted.Load() != 2 || capped.Load() != 198 {
		t.Fatalf("accepted %d, capped %d; want 2 and 198", accepted.Load(), capped.Load())
	}
}
