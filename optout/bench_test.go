package optout

import (
	"flag"
	"math/bits"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bawwab/bawwab"
)

// The benchmarks below hold 10 M opposed numbers (set -optout.n for a
// quicker run): they build their data on first use, so plain `go test`
// never pays for them. Run them side by side:
//
//	go test -run '^$' -bench . -benchtime 2000000x -count 1 ./optout/
//
// The data: n distinct random mobile numbers (6xxxxxxxx and 7xxxxxxxx,
// 200 M possible, so 5 % of them for 10 M), and lookups that are half
// members, half random mobile numbers (mostly misses). Reported besides
// ns/op: lookups per second, the CPU time per operation (steadier than
// the wall time when other work shares the machine), and the heap per
// number of each structure, measured with runtime.MemStats.
var benchN = flag.Int("optout.n", 10_000_000, "opposed numbers in the optout benchmarks")

type benchData struct {
	nums   []uint32 // the opposed numbers, sorted
	probes []uint32 // lookups: even indexes members, odd ones random
	m      map[uint64]struct{}
	rb     *roaring.Bitmap
	// flat is one bit per mobile number, 25 MB: no structure at all, the
	// floor of a random lookup on this machine.
	flat []uint64
	ix   *Index // national scope only: the same numbers as m
	// ix3 has the same national list, plus a provider with n/10 numbers
	// and an advertiser with n/100: a gateway's three lookups.
	ix3       *Index
	adv, prov Handle
	// Heap bytes per number, measured with runtime.MemStats around the
	// building of each structure.
	mapBytes, roaringBytes, ixBytes float64
}

var benchSetup struct {
	once sync.Once
	d    *benchData
}

const (
	probeMask = 1<<20 - 1
	mobileLo  = 600_000_000
	mobiles   = 200_000_000
)

// randomMobiles draws n distinct random numbers among the 200 M mobile
// ones (600,000,000 to 799,999,999) and returns them as a bitmap of the
// range and in increasing order.
func randomMobiles(r *rand.Rand, n int) (flat []uint64, sorted []uint32) {
	flat = make([]uint64, mobiles/64)
	for drawn := 0; drawn < n; {
		v := r.Uint32N(mobiles)
		if flat[v/64]&(1<<(v%64)) == 0 {
			flat[v/64] |= 1 << (v % 64)
			drawn++
		}
	}
	sorted = make([]uint32, 0, n)
	for w, word := range flat {
		for word != 0 {
			sorted = append(sorted, mobileLo+uint32(w*64+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return flat, sorted
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// setupBench makes the benchmarks' data once, a few seconds on a quiet
// machine: the numbers come sorted, so the sets are built sequentially.
func setupBench(b *testing.B) *benchData {
	benchSetup.once.Do(func() {
		n := *benchN
		r := rand.New(rand.NewPCG(10, 20))
		d := &benchData{}
		d.flat, d.nums = randomMobiles(r, n)
		d.probes = make([]uint32, probeMask+1)
		for i := range d.probes {
			if i%2 == 0 {
				d.probes[i] = d.nums[r.IntN(n)]
			} else {
				d.probes[i] = mobileLo + r.Uint32N(mobiles)
			}
		}

		h0 := heapInUse()
		d.m = make(map[uint64]struct{})
		for _, x := range d.nums {
			d.m[uint64(x)] = struct{}{}
		}
		h1 := heapInUse()
		d.mapBytes = float64(h1-h0) / float64(n)

		d.rb = roaring.New()
		d.rb.AddMany(d.nums)
		d.rb = d.rb.Clone() // without the arrays' spare capacity
		h2 := heapInUse()
		d.roaringBytes = float64(h2-h1) / float64(n)

		bl := NewBuilder()
		for _, x := range d.nums {
			bl.set(National, x, true)
		}
		d.ix = bl.Index()
		bl = nil
		h3 := heapInUse()
		d.ixBytes = float64(h3-h2) / float64(n)

		bl = NewBuilder()
		bl.handles[bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "vas"}] = 1
		bl.handles[bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "adv"}] = 2
		bl.scopes = append(bl.scopes, bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "vas"}, bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "adv"})
		bl.sets = append(bl.sets, &buildSet{}, &buildSet{})
		for _, x := range d.nums {
			bl.set(National, x, true)
		}
		_, prov := randomMobiles(r, n/10)
		for _, x := range prov {
			bl.set(1, x, true)
		}
		_, adv := randomMobiles(r, n/100)
		for _, x := range adv {
			bl.set(2, x, true)
		}
		d.ix3, d.prov, d.adv = bl.Index(), 1, 2
		benchSetup.d = d
	})
	b.ResetTimer()
	return benchSetup.d
}

var sink int

// cpuTime is the CPU time the process has used (all threads, the garbage
// collector's included). On a machine shared with other work, the CPU time
// of an operation says more than its wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU seconds per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
}

// BenchmarkLookup10M compares one lookup in the index with one in a Go map
// (the reference) and in a roaring.Bitmap, all holding the same numbers.
// Every sub-benchmark reports the heap its structure holds per number,
// and the index's ratios to the map.
func BenchmarkLookup10M(b *testing.B) {
	d := setupBench(b)
	// report adds lookups per second, the CPU time per lookup (steadier
	// than the wall time on a shared machine) and the memory per number.
	report := func(b *testing.B, start time.Duration, bytesPerNumber float64) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mlookups/s")
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		if bytesPerNumber > 0 {
			b.ReportMetric(bytesPerNumber, "B/number")
		}
	}
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			if _, ok := d.m[uint64(d.probes[i&probeMask])]; ok {
				n++
			}
		}
		sink += n
		report(b, start, d.mapBytes)
	})
	b.Run("flat", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			x := d.probes[i&probeMask] - mobileLo
			if d.flat[x/64]&(1<<(x%64)) != 0 {
				n++
			}
		}
		sink += n
		report(b, start, 0)
	})
	b.Run("roaring", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			if d.rb.Contains(d.probes[i&probeMask]) {
				n++
			}
		}
		sink += n
		report(b, start, d.roaringBytes)
	})
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			if !d.ix.MaySend(d.probes[i&probeMask], National, National) {
				n++
			}
		}
		sink += n
		report(b, start, d.ixBytes)
		b.ReportMetric(d.ixBytes/d.mapBytes, "mem/map")
	})
	b.Run("index-3-scopes", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			if !d.ix3.MaySend(d.probes[i&probeMask], d.adv, d.prov) {
				n++
			}
		}
		sink += n
		report(b, start, 0)
	})
	b.Run("index-e164", func(b *testing.B) {
		// The convenient form, with the number as text: what parsing
		// costs on top (the gateway has the NSN from msisdn already).
		texts := make([]string, 1<<16)
		for i := range texts {
			texts[i] = "+212" + itoa9(d.probes[i*(len(d.probes)/len(texts))])
		}
		b.ReportAllocs()
		b.ResetTimer()
		start := cpuTime()
		n := 0
		for i := 0; i < b.N; i++ {
			if !d.ix3.MaySendE164(texts[i&(len(texts)-1)], d.adv, d.prov) {
				n++
			}
		}
		sink += n
		report(b, start, 0)
	})
	// The same lookups from every core at once: reads share nothing
	// written, so they scale with the cores.
	b.Run("map-parallel", func(b *testing.B) {
		start := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			i, n := rand.IntN(len(d.probes)), 0
			for pb.Next() {
				if _, ok := d.m[uint64(d.probes[i&probeMask])]; ok {
					n++
				}
				i++
			}
			_ = n
		})
		report(b, start, d.mapBytes)
	})
	b.Run("index-parallel", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			i, n := rand.IntN(len(d.probes)), 0
			for pb.Next() {
				if !d.ix.MaySend(d.probes[i&probeMask], National, National) {
					n++
				}
				i++
			}
			_ = n
		})
		report(b, start, d.ixBytes)
	})
	b.Run("index-3-scopes-parallel", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		b.RunParallel(func(pb *testing.PB) {
			i, n := rand.IntN(len(d.probes)), 0
			for pb.Next() {
				if !d.ix3.MaySend(d.probes[i&probeMask], d.adv, d.prov) {
					n++
				}
				i++
			}
			_ = n
		})
		report(b, start, 0)
	})
}

// BenchmarkSnapshot10M writes the 10 M index to a file and loads it back
// (target: a load under 2 s).
func BenchmarkSnapshot10M(b *testing.B) {
	d := setupBench(b)
	path := filepath.Join(b.TempDir(), "optout.snap")
	b.Run("save", func(b *testing.B) {
		start := cpuTime()
		for i := 0; i < b.N; i++ {
			if err := d.ix3.Save(path); err != nil {
				b.Fatal(err)
			}
		}
		reportCPU(b, start)
	})
	b.Run("load", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		defer reportCPU(b, start)
		for i := 0; i < b.N; i++ {
			ix, err := Load(path)
			if err != nil {
				b.Fatal(err)
			}
			if ix.Count(National) != int64(len(d.nums)) {
				b.Fatalf("loaded %d numbers, want %d", ix.Count(National), len(d.nums))
			}
		}
	})
}

// BenchmarkBuild10M builds the index from 10 M STOP events, as from the
// store at a first start: the events carry E.164 strings, made as the
// store's rows would be.
func BenchmarkBuild10M(b *testing.B) {
	d := setupBench(b)
	// The register's order is not the numbers' order.
	events := slices.Clone(d.nums)
	rand.New(rand.NewPCG(11, 11)).Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	b.ResetTimer()
	b.Run("events", func(b *testing.B) {
		b.ReportAllocs()
		start := cpuTime()
		defer reportCPU(b, start)
		for i := 0; i < b.N; i++ {
			ix, err := Build(func(yield func(bawwab.Opposition, error) bool) {
				var text [13]byte
				copy(text[:], "+212")
				for j, x := range events {
					for k := 12; k >= 4; k-- {
						text[k] = byte('0' + x%10)
						x /= 10
					}
					if !yield(bawwab.Opposition{Seq: int64(j + 1), MSISDN: string(text[:]), Scope: bawwab.NationalScope}, nil) {
						return
					}
				}
			})
			if err != nil {
				b.Fatal(err)
			}
			if ix.Count(National) != int64(len(d.nums)) {
				b.Fatal("wrong count")
			}
		}
	})
}

// BenchmarkApply10M is the cost of one live change on the 10 M index: a
// STOP, or the START that lifts it, in the national list (a bitmap chunk
// of 8 KiB copied) or in an advertiser's (an array chunk copied).
func BenchmarkApply10M(b *testing.B) {
	d := setupBench(b)
	for _, scope := range []bawwab.Scope{bawwab.NationalScope, {Kind: bawwab.ScopeAdvertiser, ID: "adv"}} {
		b.Run(kindName(scope.Kind), func(b *testing.B) {
			ix := d.ix3
			r := rand.New(rand.NewPCG(7, 7))
			// Numbers in no scope, and all lifted at the end: the index is
			// left as it was found, for the other benchmarks.
			texts := make([]string, 0, 1024)
			for len(texts) < cap(texts) {
				num := "+212" + itoa9(mobileLo+r.Uint32N(mobiles))
				if in, _ := ix.Scopes(num); len(in) == 0 {
					texts = append(texts, num)
				}
			}
			defer func() {
				for _, num := range texts {
					ix.Apply(bawwab.Opposition{Seq: ix.Seq() + 1, MSISDN: num, Scope: scope, Action: bawwab.ActionStart})
				}
			}()
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				act := bawwab.ActionStop
				if i&1024 != 0 {
					act = bawwab.ActionStart
				}
				op := bawwab.Opposition{Seq: ix.Seq() + 1, MSISDN: texts[i&1023], Scope: scope, Action: act}
				if _, err := ix.Apply(op); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}
