package optout

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bawwab/bawwab"
)

// TestStopSeenByNextRead: once Apply returns, a read on another goroutine
// that starts afterwards sees the STOP (and then the START).
func TestStopSeenByNextRead(t *testing.T) {
	ix := New()
	atlas := ix.Advertiser("atlas")
	numbers := make(chan uint32)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for x := range numbers {
			if ix.MaySend(x, atlas, National) {
				t.Errorf("read after Apply(STOP %d) returned may send", x)
			}
		}
	}()
	for i := range 2000 {
		x := uint32(612_368_384 + 7*i)
		op := bawwab.Opposition{Seq: int64(i + 1), MSISDN: "+212" + itoa9(x), Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas"}}
		if _, err := ix.Apply(op); err != nil {
			t.Fatal(err)
		}
		numbers <- x
	}
	close(numbers)
	<-done
}

// TestConcurrentReadsAndWrites runs readers against one writer that stops
// numbers in the chunk they read (until it turns from an array into a
// bitmap), lifts them again (until it is an array again), churns others,
// adds scopes and foreign numbers, while snapshots are taken. Readers
// check what must hold at every instant; the snapshots must each be
// exactly the register at their sequence. Run it with -race.
func TestConcurrentReadsAndWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const base = 612_368_384 // 9344<<16: every number in one chunk
	var fixed, free, churn, stops []uint32
	for i, p := range r.Perm(1 << 16)[:4000] {
		x := uint32(base + p)
		switch {
		case i < 200:
			fixed = append(fixed, x)
		case i < 400:
			free = append(free, x)
		case i < 900:
			churn = append(churn, x)
		default:
			stops = append(stops, x)
		}
	}
	scopes := []bawwab.Scope{
		bawwab.NationalScope,
		{Kind: bawwab.ScopeProvider, ID: "vas1"},
		{Kind: bawwab.ScopeAdvertiser, ID: "atlas"},
	}
	scopeOf := func(k int) bawwab.Scope { // mostly national: its chunk crosses the array limit
		if k%4 == 3 {
			return scopes[1+k/4%2]
		}
		return bawwab.NationalScope
	}
	num := func(x uint32) string { return "+212" + itoa9(x) }
	adv := func(k int) bawwab.Scope {
		return bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: fmt.Sprintf("adv%d", k)}
	}

	// The register: fixed numbers stopped first, then the live changes:
	// the stops one by one, then their starts in reverse order, with churn
	// in between.
	var ops []bawwab.Opposition
	add := func(action bawwab.OppositionAction, number string, s bawwab.Scope) {
		ops = append(ops, bawwab.Opposition{Seq: int64(len(ops) + 1), MSISDN: number, Scope: s, Action: action})
	}
	for _, x := range fixed {
		add(bawwab.ActionStop, num(x), bawwab.NationalScope)
	}
	firstLive := len(ops)
	churnSome := func(k int) {
		c := churn[r.IntN(len(churn))]
		add(bawwab.OppositionAction(r.IntN(2)), num(c), scopes[r.IntN(3)])
		if k%50 == 0 {
			add(bawwab.ActionStop, num(free[0]), adv(k))
			add(bawwab.OppositionAction(r.IntN(2)), fmt.Sprintf("+3361234%04d", k%97), scopes[r.IntN(3)])
		}
	}
	stopAt := make([]int, len(stops)) // index in ops of each stop
	for k, x := range stops {
		stopAt[k] = len(ops)
		add(bawwab.ActionStop, num(x), scopeOf(k))
		churnSome(k)
	}
	startAt := make([]int, len(stops))
	for k := len(stops) - 1; k >= 0; k-- {
		startAt[k] = len(ops)
		add(bawwab.ActionStart, num(stops[k]), scopeOf(k))
		churnSome(k)
	}

	ix := New()
	atlas, vas1 := ix.Advertiser("atlas"), ix.Provider("vas1")
	for _, op := range ops[:firstLive] {
		if _, err := ix.Apply(op); err != nil {
			t.Fatal(err)
		}
	}
	// stops[:inForce] are in force. The writer raises it after a STOP and
	// lowers it before a START.
	var inForce atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rr := rand.New(rand.NewPCG(uint64(g), 9))
			for i := 0; !stop.Load(); i++ {
				if k := int(inForce.Load()); k > 0 {
					for _, j := range []int{k - 1, rr.IntN(k)} {
						// A START may have come since the load: only a
						// stop still counted in force must be seen.
						if ix.MaySend(stops[j], atlas, vas1) && inForce.Load() > int64(j) {
							t.Errorf("stop %d (%d) in force but not seen", j, stops[j])
							return
						}
						if ix.MaySendE164(num(stops[j]), atlas, vas1) && inForce.Load() > int64(j) {
							t.Errorf("stop %d (%s) in force but not seen", j, num(stops[j]))
							return
						}
					}
				}
				if x := fixed[rr.IntN(len(fixed))]; ix.MaySend(x, National, National) {
					t.Errorf("fixed stop %d not in force", x)
					return
				}
				if x := free[1+rr.IntN(len(free)-1)]; !ix.MaySend(x, atlas, vas1) {
					t.Errorf("number %d never stopped is refused", x)
					return
				}
				// Churned numbers may be either; the reads must just work.
				ix.MaySend(churn[rr.IntN(len(churn))], atlas, vas1)
				if i%64 == 0 {
					ix.MaySendTo(num(free[0]), fmt.Sprintf("adv%d", 50*rr.IntN(len(stops)/50)), "vas1")
					ix.MaySendTo(fmt.Sprintf("+3361234%04d", rr.IntN(97)), "atlas", "vas1")
					if _, err := ix.Scopes(num(churn[0])); err != nil {
						t.Error(err)
						return
					}
					ix.Counts()
				}
			}
		}()
	}
	// Snapshots taken while the writer runs.
	snaps := make(chan []byte, 8)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(snaps)
		for i := range 6 {
			for ix.Seq() < int64(i*len(ops)/6) && !stop.Load() {
				runtime.Gosched()
			}
			var buf bytes.Buffer
			if _, err := ix.WriteTo(&buf); err != nil {
				t.Error(err)
				return
			}
			snaps <- buf.Bytes()
		}
	}()

	kinds := map[bool]int{} // chunk kinds seen in the national set, at the stop marks
	nextStop, nextStart := 0, len(stops)-1
	for i, op := range ops[firstLive:] {
		at := firstLive + i
		if nextStart >= 0 && startAt[nextStart] == at {
			inForce.Store(int64(nextStart))
			nextStart--
		}
		if _, err := ix.Apply(op); err != nil {
			t.Fatal(err)
		}
		if nextStop < len(stopAt) && stopAt[nextStop] == at {
			nextStop++
			inForce.Store(int64(nextStop))
		}
		if at%500 == 0 {
			ix.mu.Lock()
			b := ix.national.set.Load()
			if i, ok := b.slot(base >> 16); ok {
				kinds[b.slots[i].words.Load() != nil]++
			}
			ix.mu.Unlock()
		}
	}
	stop.Store(true)
	wg.Wait()
	if kinds[true] == 0 || kinds[false] == 0 {
		t.Errorf("the national chunk was an array %d times and a bitmap %d times: the test does not cross the limit", kinds[false], kinds[true])
	}

	// Each snapshot is the register at its sequence, exactly.
	u := universe{scopes: scopes}
	for _, x := range slices.Concat(fixed, free, churn, stops) {
		u.numbers = append(u.numbers, num(x))
	}
	for i := range 97 {
		u.numbers = append(u.numbers, fmt.Sprintf("+3361234%04d", i))
	}
	for k := 0; k < len(stops); k += 50 {
		u.scopes = append(u.scopes, adv(k))
	}
	n := 0
	for data := range snaps {
		snap, err := decode(data)
		if err != nil {
			t.Fatal(err)
		}
		m := model{}
		for _, op := range ops[:snap.Seq()] {
			m.apply(op)
		}
		compare(t, snap, m, u)
		n++
	}
	m := model{}
	for _, op := range ops {
		m.apply(op)
	}
	compare(t, ix, m, u)
	t.Logf("%d changes, %d snapshots checked, national chunk kinds %v", len(ops), n, kinds)
}
