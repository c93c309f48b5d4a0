package compliance

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/textcheck"
)

// The benchmarks decide a realistic stream of submissions with every rule
// on, against the target of DESIGN.md: at least 1 M decisions a second on
// one core, p99 under 5 µs, with 10 M opposed numbers loaded. Their data
// is built on first use (a few seconds; -compliance.opposed makes it
// smaller), so plain `go test` never pays for it:
//
//	go test -run '^$' -bench 'Decide' -benchtime 1000000x -count 1 ./compliance/
//
// The stream: the corpus's compliant commercial texts and its service
// messages (three in four commercial), each under its own sender ID, from
// 20 providers, to 4 M random mobile numbers of known operators, of which
// 5 % opposed all commercial SMS (10 M among the 200 M mobile numbers),
// and some their provider or advertiser, on a Tuesday at 10:00: so most
// messages are accepted, some refused by R5, a few by R8.
var benchOpposed = flag.Int("compliance.opposed", 10_000_000, "opposed numbers in the optout index of the compliance benchmarks")

type benchData struct {
	eng        *Engine
	ix         *optout.Index
	mix        []benchText // the texts, cycled: a campaign's, repeated
	distinct   []benchText // the texts made distinct, cycled
	recipients []uint32    // national numbers
	operators  []msisdn.Operator
	setup      time.Duration
}

type benchText struct {
	account, sender, text string
	category              textcheck.Category
}

var benchSetup struct {
	once sync.Once
	d    *benchData
	err  error
}

const (
	benchDistinct   = 1 << 16 // distinct texts, 16 × the text cache's slots
	benchRecipients = 1 << 22
	mobileLo        = 600_000_000
	mobiles         = 200_000_000
	benchProviders  = 20
)

func loadCorpus(tb testing.TB) []corpusCase {
	fh, err := os.Open("testdata/optout-public.jsonl")
	must(tb, err)
	defer fh.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c corpusCase
		must(tb, json.Unmarshal(sc.Bytes(), &c))
		cases = append(cases, c)
	}
	must(tb, sc.Err())
	return cases
}

// benchRegistry registers the corpus's senders: one advertiser each, with
// its channels, spread over 20 providers under contract with every
// operator; and 5,000 more advertisers and sender IDs so that the maps
// have a registry's size.
func benchRegistry(cases []corpusCase) (*bawwab.Registry, map[string]string) {
	reg := &bawwab.Registry{}
	declared := date(2020, 1, 1)
	for i := range benchProviders {
		id := fmt.Sprintf("vas%02d", i)
		reg.Providers = append(reg.Providers, &bawwab.Provider{ID: id, Name: id, ANRTDeclaration: "D-" + id, DeclaredAt: declared})
		reg.Accounts = append(reg.Accounts, &bawwab.Account{ID: "acct-" + id, ProviderID: id, SecretHash: "$x"})
		for _, op := range []string{"iam", "orange", "inwi"} {
			reg.Contracts = append(reg.Contracts, &bawwab.Contract{ID: id + "-" + op, ProviderID: id, OperatorID: op, ValidFrom: declared})
		}
	}
	reg.Channels = append(reg.Channels, &bawwab.Channel{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true})
	accountOf := map[string]string{}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.Sender] {
			continue
		}
		seen[c.Sender] = true
		prov := reg.Providers[len(seen)%benchProviders].ID
		adv := "adv-" + strings.ToLower(c.Sender)
		accountOf[c.Sender] = "acct-" + prov
		reg.Advertisers = append(reg.Advertisers, &bawwab.Advertiser{ID: adv, Name: c.Sender, ProviderIDs: []string{prov}})
		cat, _ := bawwab.ParseCategory(c.SenderCategory)
		reg.SenderIDs = append(reg.SenderIDs, &bawwab.SenderID{Value: c.Sender, ProviderID: prov, AdvertiserID: adv, Category: cat})
		for _, ch := range c.Channels {
			reg.Channels = append(reg.Channels, &bawwab.Channel{Code: ch.Code, Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelAdvertiser, Free: ch.Free, AdvertiserID: adv})
		}
	}
	for i := range 5000 {
		prov := reg.Providers[i%benchProviders].ID
		adv := fmt.Sprintf("filler-%04d", i)
		reg.Advertisers = append(reg.Advertisers, &bawwab.Advertiser{ID: adv, Name: adv, ProviderIDs: []string{prov}})
		reg.SenderIDs = append(reg.SenderIDs, &bawwab.SenderID{Value: fmt.Sprintf("FILL%04d", i), ProviderID: prov, AdvertiserID: adv, Category: bawwab.CategoryCommercial})
	}
	return reg, accountOf
}

// randomMobiles draws n distinct mobile national numbers, in increasing
// order.
func randomMobiles(r *rand.Rand, n int) []uint32 {
	flat := make([]uint64, mobiles/64)
	for drawn := 0; drawn < n; {
		v := r.Uint32N(mobiles)
		if flat[v/64]&(1<<(v%64)) == 0 {
			flat[v/64] |= 1 << (v % 64)
			drawn++
		}
	}
	out := make([]uint32, 0, n)
	for w, word := range flat {
		for word != 0 {
			out = append(out, mobileLo+uint32(w*64+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return out
}

func setupBench(b *testing.B) *benchData {
	benchSetup.once.Do(func() {
		start := time.Now()
		d := &benchData{}
		cases := loadCorpus(b)
		reg, accountOf := benchRegistry(cases)
		view, err := NewView(reg)
		if err != nil {
			benchSetup.err = err
			return
		}

		// The opposition register: n numbers opposed all commercial SMS,
		// n/10 the first provider, n/100 the advertiser of the first text.
		r := rand.New(rand.NewPCG(7, 11))
		bl := optout.NewBuilder()
		var seq int64
		var e164 []byte
		add := func(scope bawwab.Scope, nums []uint32) {
			for _, x := range nums {
				seq++
				e164 = fmt.Appendf(e164[:0], "+212%d", x)
				if err := bl.Add(bawwab.Opposition{Seq: seq, MSISDN: string(e164), Scope: scope, Action: bawwab.ActionStop}); err != nil {
					panic(err)
				}
			}
		}
		n := *benchOpposed
		add(bawwab.NationalScope, randomMobiles(r, n))
		add(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "vas01"}, randomMobiles(r, n/10))
		add(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "adv-" + strings.ToLower(cases[0].Sender)}, randomMobiles(r, n/100))
		d.ix = bl.Index()

		d.eng, err = New(DefaultConfig(), view, Deps{Oppositions: IndexOppositions(d.ix)})
		if err != nil {
			benchSetup.err = err
			return
		}

		// The mix: the compliant commercial texts and the service
		// messages, each checked to get the corpus's verdict here too.
		tc := textcheck.NewChecker()
		for _, c := range cases {
			if c.Expect != "compliant" && c.Expect != "ok-transactional" {
				continue
			}
			cat, _ := textcheck.ParseCategory(c.SenderCategory)
			t := benchText{account: accountOf[c.Sender], sender: c.Sender, text: c.Text, category: cat}
			in := textcheck.Input{Text: c.Text, Sender: c.Sender, Category: cat, Channels: view.senders[c.Sender].channels, National: view.national}
			if v := tc.Check(&in).Verdict; v.String() != c.Expect {
				benchSetup.err = fmt.Errorf("corpus %s: %s here, %s in the corpus", c.ID, v, c.Expect)
				return
			}
			d.mix = append(d.mix, t)
		}
		rand.New(rand.NewPCG(3, 4)).Shuffle(len(d.mix), func(i, j int) { d.mix[i], d.mix[j] = d.mix[j], d.mix[i] })

		// The distinct texts: each text of the mix with a reference of its
		// own in front, as personalised messages have, each checked to keep
		// its verdict; so many that the text verdict cache never sees one
		// again before it has forgotten it.
		for i := range benchDistinct {
			t := d.mix[i%len(d.mix)]
			t.text = fmt.Sprintf("Réf. A%05d : %s", i, t.text)
			in := textcheck.Input{Text: t.text, Sender: t.sender, Category: t.category, Channels: view.senders[t.sender].channels, National: view.national}
			orig := in
			orig.Text = d.mix[i%len(d.mix)].text
			if v, w := tc.Check(&in).Verdict, tc.Check(&orig).Verdict; v != w {
				benchSetup.err = fmt.Errorf("%q: %s, %s without the reference", t.text, v, w)
				return
			}
			d.distinct = append(d.distinct, t)
		}

		// The recipients: random mobile numbers of a known operator.
		for len(d.recipients) < benchRecipients {
			x := mobileLo + r.Uint32N(mobiles)
			num, _ := msisdn.MoroccanNumber(x)
			if op := msisdn.RangeHolder(num); op != msisdn.NoOperator {
				d.recipients = append(d.recipients, x)
				d.operators = append(d.operators, op)
			}
		}
		d.setup = time.Since(start)
		benchSetup.d = d
	})
	if benchSetup.err != nil {
		b.Fatal(benchSetup.err)
	}
	return benchSetup.d
}

// fill sets s to the i-th submission of the stream, as the gateway fills
// one per message (MoroccanNumber stands for its parsing of the address).
func (d *benchData) fill(s *Submission, texts []benchText, i int) {
	t := &texts[i%len(texts)]
	k := i & (benchRecipients - 1)
	s.AccountID, s.Sender, s.Text = t.account, t.sender, t.text
	s.Recipient, _ = msisdn.MoroccanNumber(d.recipients[k])
	s.Operator = d.operators[k]
	s.Time = tuesday
}

// outcomes counts what the stream decided, reported as percentages.
type outcomes struct{ accepted, optedOut, capped, other int }

func (o *outcomes) add(r *Result) {
	switch {
	case r.Outcome == bawwab.Accept && !r.Monitored:
		o.accepted++
	case r.Reason == bawwab.ReasonRecipientOptedOut:
		o.optedOut++
	case r.Reason == bawwab.ReasonFrequencyCap:
		o.capped++
	default:
		o.other++
	}
}

func (o *outcomes) report(b *testing.B) {
	n := float64(o.accepted + o.optedOut + o.capped + o.other)
	b.ReportMetric(100*float64(o.accepted)/n, "%accept")
	b.ReportMetric(100*float64(o.optedOut)/n, "%opted-out")
	b.ReportMetric(100*float64(o.capped)/n, "%capped")
	if o.other > 0 {
		b.ReportMetric(100*float64(o.other)/n, "%other")
	}
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func runtimeKeepAlive(x any) { runtime.KeepAlive(x) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecide decides the stream on one goroutine: with every rule
// (the target), without the text checker (R4 and R9 pass untouched: the
// cost of the other rules), and the text checker alone on the same texts;
// then with every rule on all cores. Each reports decisions per second and
// the CPU time per decision (steadier on a shared machine than the wall
// time).
//
// With every rule, the stream is decided twice: distinct-texts, where no
// text comes twice (each has a reference of its own), so that every text
// is checked, as for personalised messages; and campaign-texts, the
// corpus's texts each sent again and again, as a campaign's text goes to
// many recipients, where the engine's text verdict cache answers.
func BenchmarkDecide(b *testing.B) {
	d := setupBench(b)
	b.Logf("setup %s: %d opposed numbers in %.1f MiB, %d texts, %d recipients",
		d.setup.Round(time.Millisecond), *benchOpposed, float64(d.ix.Bytes())/(1<<20), len(d.mix), len(d.recipients))
	report := func(b *testing.B, cpu0 time.Duration) {
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		if cpu := cpuTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
	serial := func(texts []benchText, noText bool) func(b *testing.B) {
		return func(b *testing.B) {
			dec := d.eng.NewDecider()
			dec.noText = noText
			var s Submission
			var o outcomes
			base := rand.IntN(benchRecipients) // other recipients each run
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			decideLoop(d, texts, dec, &s, &o, base, b.N)
			report(b, cpu0)
			o.report(b)
		}
	}
	b.Run("all-rules/distinct-texts", serial(d.distinct, false))
	b.Run("all-rules/campaign-texts", serial(d.mix, false))
	b.Run("without-text", serial(d.distinct, true))
	b.Run("text-only", func(b *testing.B) {
		tc := textcheck.NewChecker()
		ins := make([]textcheck.Input, len(d.mix))
		for i, t := range d.mix {
			ins[i] = textcheck.Input{Text: t.text, Sender: t.sender, Category: t.category, Channels: d.eng.View().senders[t.sender].channels, National: "3030"}
		}
		b.ReportAllocs()
		cpu0 := cpuTime()
		b.ResetTimer()
		textLoop(tc, ins, b.N)
		report(b, cpu0)
	})
	parallel := func(texts []benchText) func(b *testing.B) {
		return func(b *testing.B) {
			var next sync.Mutex
			base := rand.IntN(benchRecipients)
			b.ReportAllocs()
			cpu0 := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				dec := d.eng.NewDecider()
				next.Lock()
				i := base
				base += benchRecipients / 8
				next.Unlock()
				var s Submission
				for pb.Next() {
					d.fill(&s, texts, i)
					dec.Decide(&s)
					i++
				}
			})
			report(b, cpu0)
		}
	}
	b.Run("all-rules-parallel/distinct-texts", parallel(d.distinct))
	b.Run("all-rules-parallel/campaign-texts", parallel(d.mix))
}

// decideLoop decides n submissions of the stream from base: the loop of
// the serial benchmarks, in a function of its own so that callgrind can
// count its instructions, steady where the shared machine's clock is not.
// Go's runtime needs four settings under valgrind (no cgo, no RDTSCP, no
// asynchronous preemption, no stack shrinking, which callgrind takes for
// returns); the count then covers n+1 decisions (b.N and the first run):
//
//	CGO_ENABLED=0 go test -c -o /tmp/c.test ./compliance && cd compliance &&
//	GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off,gcshrinkstackoff=1 valgrind --tool=callgrind \
//	  --toggle-collect='github.com/bawwab/bawwab/compliance.decideLoop' /tmp/c.test \
//	  -test.run '^$' -test.bench '^BenchmarkDecide$/^all-rules$/^distinct-texts$' -test.benchtime 100000x
//
//go:noinline
func decideLoop(d *benchData, texts []benchText, dec *Decider, s *Submission, o *outcomes, base, n int) {
	for i := range n {
		d.fill(s, texts, base+i)
		r := dec.Decide(s)
		o.add(&r)
	}
}

// textLoop checks n texts of ins in turn: the loop of the text-only
// benchmark, for callgrind like decideLoop.
//
//go:noinline
func textLoop(tc *textcheck.Checker, ins []textcheck.Input, n int) {
	for i := range n {
		tc.Check(&ins[i%len(ins)])
	}
}

// BenchmarkDecideLatency times every decision of the stream and reports the
// percentiles of one decision's latency, with and without the text
// checker, on the streams of BenchmarkDecide. The clock read costs about
// timer-ns, included in the figures.
func BenchmarkDecideLatency(b *testing.B) {
	d := setupBench(b)
	for _, c := range []struct {
		name   string
		texts  []benchText
		noText bool
	}{
		{"all-rules/distinct-texts", d.distinct, false},
		{"all-rules/campaign-texts", d.mix, false},
		{"without-text", d.distinct, true},
	} {
		texts, noText := c.texts, c.noText
		b.Run(c.name, func(b *testing.B) {
			dec := d.eng.NewDecider()
			dec.noText = noText
			var s Submission
			var h histogram
			base := rand.IntN(benchRecipients)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				d.fill(&s, texts, base+i)
				t0 := time.Now()
				dec.Decide(&s)
				h.record(time.Since(t0).Nanoseconds())
			}
			b.StopTimer()
			b.ReportMetric(h.quantile(0.5), "p50-ns")
			b.ReportMetric(h.quantile(0.99), "p99-ns")
			b.ReportMetric(h.quantile(0.999), "p99.9-ns")
			b.ReportMetric(timerCost(), "timer-ns")
		})
	}
}

// timerCost measures what a time.Now and time.Since pair costs.
func timerCost() float64 {
	const n = 100_000
	var h histogram
	for range n {
		t0 := time.Now()
		h.record(time.Since(t0).Nanoseconds())
	}
	return h.quantile(0.5)
}

// histogram counts durations in buckets of 1/32 of their power of two (3 %
// resolution), from 1 ns to 2^40 ns.
type histogram struct {
	counts [64 + 40*32]uint64
	n      uint64
}

func (h *histogram) record(ns int64) {
	v := uint64(max(ns, 0))
	i := int(v)
	if v >= 64 {
		e := bits.Len64(v) - 6 // v>>e is in [32, 64)
		i = 64 + (e-1)*32 + int(v>>e) - 32
	}
	h.counts[min(i, len(h.counts)-1)]++
	h.n++
}

// quantile returns the upper bound of the bucket holding quantile q.
func (h *histogram) quantile(q float64) float64 {
	rank := uint64(math.Ceil(q * float64(h.n)))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank && c > 0 {
			if i < 64 {
				return float64(i)
			}
			e := (i-64)/32 + 1
			return float64(uint64((i-64)%32+32+1) << e)
		}
	}
	return math.Inf(1)
}

func TestHistogram(t *testing.T) {
	var h histogram
	for v := range int64(1000) {
		h.record(v + 1)
	}
	for _, c := range []struct{ q, lo, hi float64 }{{0.5, 500, 516}, {0.99, 990, 1024}, {1, 1000, 1024}} {
		if got := h.quantile(c.q); got < c.lo || got > c.hi {
			t.Errorf("quantile %v = %v, want in [%v, %v]", c.q, got, c.lo, c.hi)
		}
	}
}

// mapCounters is the obvious implementation of Counters — a Go map per
// (recipient, advertiser) and one per recipient, under one mutex, one pair
// per day — the reference MemCounters is measured against.
type mapCounters struct {
	mu    sync.Mutex
	adv   map[[2]uint32]uint8
	total map[uint32]uint8
}

func (c *mapCounters) reserve(nsn, adv uint32, perAdv, total int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]uint32{nsn, adv}
	if int(c.total[nsn]) >= total || int(c.adv[k]) >= perAdv {
		return false
	}
	c.total[nsn]++
	c.adv[k]++
	return true
}

// BenchmarkCounters reserves one slot per operation for 1 M recipients a
// day (1.5 advertisers each on average), in MemCounters and in the Go-map
// reference, and reports the heap each holds per recipient.
func BenchmarkCounters(b *testing.B) {
	const recipients = 1 << 20
	r := rand.New(rand.NewPCG(5, 6))
	nums := make([]msisdn.Number, recipients)
	nsns := make([]uint32, recipients)
	for i := range nums {
		nsns[i] = mobileLo + r.Uint32N(mobiles)
		nums[i], _ = msisdn.MoroccanNumber(nsns[i])
	}
	// Operation i reserves for recipient i mod 1 M, advertiser 1, then on
	// the second pass advertiser 1 or 2.
	adv := func(i int) uint32 { return uint32(1 + (i/recipients)%2*(i%2)) }
	b.Run("memcounters", func(b *testing.B) {
		h0 := heapInUse()
		c := NewMemCounters()
		b.ReportAllocs()
		cpu0 := cpuTime()
		b.ResetTimer()
		for i := range b.N {
			c.Reserve(Reservation{Day: 1, Recipient: nums[i%recipients], Advertiser: adv(i)}, 1, 2, 4, false)
		}
		b.StopTimer()
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		if b.N >= 2*recipients {
			b.ReportMetric(float64(heapInUse()-h0)/recipients, "B/recipient")
		}
		runtimeKeepAlive(c)
	})
	b.Run("reference-map", func(b *testing.B) {
		h0 := heapInUse()
		c := &mapCounters{adv: map[[2]uint32]uint8{}, total: map[uint32]uint8{}}
		b.ReportAllocs()
		cpu0 := cpuTime()
		b.ResetTimer()
		for i := range b.N {
			c.reserve(nsns[i%recipients], adv(i), 2, 4)
		}
		b.StopTimer()
		b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
		if b.N >= 2*recipients {
			b.ReportMetric(float64(heapInUse()-h0)/recipients, "B/recipient")
		}
		runtimeKeepAlive(c)
	})
}

// BenchmarkSwap builds a view of a registry of 5,000 advertisers and sender
// IDs and swaps it in: what a registry change costs the gateway.
func BenchmarkSwap(b *testing.B) {
	reg, _ := benchRegistry(loadCorpus(b))
	v, err := NewView(reg)
	must(b, err)
	e, err := New(DefaultConfig(), v, Deps{Oppositions: IndexOppositions(optout.New())})
	must(b, err)
	b.ReportAllocs()
	for b.Loop() {
		v, err := NewView(reg)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.SetView(v); err != nil {
			b.Fatal(err)
		}
	}
}
