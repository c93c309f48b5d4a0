package compliance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/textcheck"
)

// corpusTexts returns the texts of testdata/optout-public.jsonl.
func corpusTexts(t testing.TB) []string {
	fh, err := os.Open("testdata/optout-public.jsonl")
	must(t, err)
	defer fh.Close()
	var texts []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var c corpusCase
		must(t, json.Unmarshal(sc.Bytes(), &c))
		texts = append(texts, c.Text)
	}
	must(t, sc.Err())
	return texts
}

// comparable returns r without what differs between two engines deciding
// the same submissions: the state that decided.
func comparable(r Result) Result {
	r.st = nil
	return r
}

// TestTextCacheSameResults decides every corpus text under senders of both
// categories, with and without their own channels, three times each with
// the cache and once with a Decider that checks every text, on two engines
// fed the same stream: every result must be the same, and the cache must
// hold the texts seen twice.
func TestTextCacheSameResults(t *testing.T) {
	cached, fresh := newTestEnv(t, DefaultConfig()), newTestEnv(t, DefaultConfig())
	dc, df := cached.eng.NewDecider(), fresh.eng.NewDecider()
	df.noCache = true
	senders := []string{"ATLASMKT", "5050", "KECHSHOP", "KECHLIVR", "SOUKDEAL", "NOCAT", "UNKNOWN"}
	numbers := []string{iamNumber, orangeNumber, inwiNumber, "0611000001", "0611000002", "0611000003"}
	n := 0
	for _, text := range corpusTexts(t) {
		for _, snd := range senders {
			for rep := range 3 {
				s := cached.submission()
				s.Sender, s.Text = snd, text
				cached.to(numbers[(n+rep)%len(numbers)])(cached, &s)
				got := comparable(dc.Decide(&s))
				want := comparable(df.Decide(&s))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %q, time %d: cached\n\t%+v\nfresh\n\t%+v", snd, text, rep+1, got, want)
				}
			}
			n++
		}
	}
	st := cached.eng.state.Load()
	in := textcheck.Input{Text: textOK, Sender: "ATLASMKT", Category: textcheck.Commercial,
		Channels: st.view.senders["ATLASMKT"].channels, National: st.view.national}
	s := cached.submission()
	for range 2 {
		dc.Decide(&s)
	}
	var r textcheck.Result
	if !st.texts.get(&in, st.texts.hash(&in), &r) {
		t.Errorf("a text decided twice is not in the cache")
	}
}

// TestTextCacheKey sends one text under senders whose channels make it
// compliant for one and not for the other, and under both categories, in
// turn: each keeps its own verdict.
func TestTextCacheKey(t *testing.T) {
	e := newTestEnv(t, noCapsConfig())
	const promo = "KechShop : soldes -50% sur les sacs, seulement ce week-end ! STOP au 8585"
	cases := []struct {
		sender string
		want   string
	}{
		{"KECHSHOP", "accept"},
		{"ATLASMKT", "reject(optout-channel-invalid)"},
		{"KECHLIVR", "accept [flag: mislabelled-commercial]"},
		{"5050", "reject(optout-channel-invalid)"},
	}
	for round := range 4 {
		for _, c := range cases {
			s := e.submission()
			s.Sender, s.Text = c.sender, promo
			if got := e.eng.Decide(&s).Decision.String(); got != c.want {
				t.Errorf("round %d, %s: %s, want %s", round, c.sender, got, c.want)
			}
		}
	}
}

// noCapsConfig is the default configuration without R8's caps, so that
// the same recipient can be sent to again and again.
func noCapsConfig() Config {
	c := DefaultConfig()
	noCaps(&c)
	return c
}

// TestTextCacheView checks that a new view drops the verdicts (a channel
// registered makes a refused text compliant at once) and that a new
// configuration or opposition register keeps them.
func TestTextCacheView(t *testing.T) {
	e := newTestEnv(t, noCapsConfig())
	const txt = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! STOP au 9090"
	decide := func() string {
		s := e.submission()
		s.Text = txt
		return e.eng.Decide(&s).Decision.String()
	}
	for range 3 {
		if got := decide(); got != "reject(optout-channel-invalid)" {
			t.Fatalf("before: %s", got)
		}
	}
	texts := e.eng.state.Load().texts
	cfg := e.eng.Config()
	cfg.CapTotal = 5
	must(t, e.eng.SetConfig(cfg))
	must(t, e.eng.SetOppositions(IndexOppositions(e.opp.ix)))
	if e.eng.state.Load().texts != texts {
		t.Errorf("a new configuration or register dropped the text verdicts")
	}
	reg := testRegistry()
	reg.Channels = append(reg.Channels, &bawwab.Channel{Code: "9090", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"})
	v, err := NewView(reg)
	must(t, err)
	must(t, e.eng.SetView(v))
	if e.eng.state.Load().texts == texts {
		t.Errorf("a new view kept the text verdicts of the old one")
	}
	for range 3 {
		if got := decide(); got != "accept" {
			t.Fatalf("after the channel is registered: %s", got)
		}
	}
}

// TestTextCacheAllocs checks that a decision on a repeated text does not
// allocate.
func TestTextCacheAllocs(t *testing.T) {
	e := newTestEnv(t, noCapsConfig())
	d := e.eng.NewDecider()
	subs := []Submission{e.submission(), e.submission()}
	subs[1].Sender, subs[1].Text = "KECHLIVR", "Votre commande 4821 est en route, livraison demain avant 12h."
	for i := range subs {
		d.Decide(&subs[i])
		d.Decide(&subs[i])
	}
	for i := range subs {
		if n := testing.AllocsPerRun(100, func() { d.Decide(&subs[i]) }); n != 0 {
			t.Errorf("%s: %v allocations a decision on a cached text", subs[i].Sender, n)
		}
	}
}

// TestTextCacheBounds checks the cache's limits: a text seen once is only
// noted, a text longer than maxCachedText is never kept, and a slot holds
// one text (the newer one).
func TestTextCacheBounds(t *testing.T) {
	c := newTextCache()
	var seen seenTexts
	var r textcheck.Result
	in := textcheck.Input{Text: "STOP au 3030", Sender: "ATLASMKT"}
	h := c.hash(&in)
	r.Verdict = textcheck.ChannelInvalid
	c.put(&seen, &in, h, &r)
	if c.get(&in, h, &r) {
		t.Errorf("a text seen once is cached")
	}
	c.put(&seen, &in, h, &r)
	var got textcheck.Result
	if !c.get(&in, h, &got) || got.Verdict != textcheck.ChannelInvalid {
		t.Errorf("a text seen twice: got %v", got.Verdict)
	}
	other := in
	other.Text = strings.Repeat("x", maxCachedText+1)
	ho := c.hash(&other)
	for range 3 {
		c.put(&seen, &other, ho, &r)
	}
	if c.get(&other, ho, &got) {
		t.Errorf("a text of %d bytes is cached", len(other.Text))
	}
	// A bucket holds two texts; a third takes the slot of one of them.
	var same []textcheck.Input
	for i := 0; len(same) < 2; i++ {
		x := in
		x.Text = fmt.Sprintf("STOP au %d", i)
		if hx := c.hash(&x); c.bucket(hx) == c.bucket(h) && hx != h {
			same = append(same, x)
		}
	}
	held := func(x *textcheck.Input) bool { return c.get(x, c.hash(x), &got) }
	other = same[0]
	ho = c.hash(&other)
	c.put(&seen, &other, ho, &r)
	c.put(&seen, &other, ho, &r)
	if !held(&in) || !held(&other) {
		t.Errorf("a bucket does not hold two texts: %v %v", held(&in), held(&other))
	}
	third := same[1]
	for range 2 {
		c.put(&seen, &third, c.hash(&third), &r)
	}
	if n := btoi(held(&in)) + btoi(held(&other)) + btoi(held(&third)); !held(&third) || n != 2 {
		t.Errorf("after a third text in a bucket: %v %v %v", held(&in), held(&other), held(&third))
	}
	// A different sender, category or channel list is another entry.
	for _, mod := range []func(*textcheck.Input){
		func(x *textcheck.Input) { x.Sender = "KECHSHOP" },
		func(x *textcheck.Input) { x.Category = textcheck.Transactional },
		func(x *textcheck.Input) { x.Channels = []textcheck.Channel{{Code: "3030", Free: true}} },
	} {
		x := other
		mod(&x)
		if c.get(&x, ho, &got) {
			t.Errorf("%+v found under the key of %+v", x, other)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestTextCacheConcurrent decides a few texts under a few senders from many
// goroutines with the pooled Deciders while the view is swapped back and
// forth between one where a channel is registered and one where it is not;
// every verdict must be one of the two views' (run with -race).
func TestTextCacheConcurrent(t *testing.T) {
	e := newTestEnv(t, noCapsConfig())
	reg := testRegistry()
	v1, err := NewView(reg)
	must(t, err)
	reg.Channels = append(reg.Channels, &bawwab.Channel{Code: "9090", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"})
	v2, err := NewView(reg)
	must(t, err)
	texts := []string{textOK, textMissing, textPremium, textKech, textPromo, textOTP,
		"ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! STOP au 9090"}
	senders := []string{"ATLASMKT", "KECHSHOP", "KECHLIVR"}
	// want[k] holds the decisions of submission k under each view.
	want := make([][2]string, len(texts)*len(senders))
	for vi, v := range []*View{v1, v2} {
		must(t, e.eng.SetView(v))
		d := e.eng.NewDecider()
		d.noCache = true
		for k := range want {
			s := e.submission()
			s.Sender, s.Text = senders[k%len(senders)], texts[k/len(senders)]
			want[k][vi] = d.Decide(&s).Decision.String()
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := e.eng.SetView([]*View{v1, v2}[i%2]); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				k := (g*7 + i) % len(want)
				s := e.submission()
				s.Sender, s.Text = senders[k%len(senders)], texts[k/len(senders)]
				if got := e.eng.Decide(&s).Decision.String(); got != want[k][0] && got != want[k][1] {
					errs <- fmt.Sprintf("%s %q: %s, want %s or %s", s.Sender, s.Text, got, want[k][0], want[k][1])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// BenchmarkTextCache measures what the cache adds to a decision: on a miss
// (a text never seen: hashed, looked up, its hash noted) and on a hit (a
// text seen before: hashed, looked up, compared, the verdict copied): to
// set beside the text checker's 500 ns or so a text (BenchmarkDecide's
// text-only).
func BenchmarkTextCache(b *testing.B) {
	base := corpusTexts(b)
	texts := make([]textcheck.Input, 1<<16)
	for i := range texts {
		texts[i] = textcheck.Input{Text: fmt.Sprintf("Réf. A%05d : %s", i, base[i%len(base)]), Sender: "ATLASMKT", National: "3030"}
	}
	var r textcheck.Result
	b.Run("miss", func(b *testing.B) {
		c := newTextCache()
		var seen seenTexts
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			in := &texts[i&(len(texts)-1)]
			h := c.hash(in)
			if !c.get(in, h, &r) {
				c.put(&seen, in, h, &r)
			}
			i++
		}
	})
	b.Run("hit", func(b *testing.B) {
		c := newTextCache()
		var seen seenTexts
		hot := texts[:len(base)]
		for range 2 {
			for i := range hot {
				c.put(&seen, &hot[i], c.hash(&hot[i]), &r)
			}
		}
		b.ReportAllocs()
		i, hits := 0, 0
		for b.Loop() {
			in := &hot[i%len(hot)]
			if c.get(in, c.hash(in), &r) {
				hits++
			}
			i++
		}
		// Below 100 % when three of the texts fall in one bucket.
		b.ReportMetric(100*float64(hits)/float64(i), "%hit")
	})
}
