package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// Brand is one sender ID a simulated provider sends under.
type Brand struct {
	// Sender is the sender ID (alphanumeric, or a short code).
	Sender string
	// Name is the advertiser's name as the texts write it.
	Name string
	// Commercial is the sender ID's registered category; false is
	// transactional.
	Commercial bool
	// OptOut is the advertiser's free opt-out short code; empty, the
	// texts name the national StopSMS code.
	OptOut string
}

// Intent is what a generated message is meant to be, so that a demo can
// compare it with the gateway's decision.
type Intent uint8

const (
	// Compliant is a commercial text with a legible opt-out instruction.
	Compliant Intent = iota
	// NoOptOut is a commercial text without one (R4 refuses it).
	NoOptOut
	// Transactional is a one-time code, an order or a bill under a
	// transactional sender ID.
	Transactional
	// Mislabelled is a promotion under a transactional sender ID (R9).
	Mislabelled
)

func (i Intent) String() string {
	return [...]string{"compliant", "no-optout", "transactional", "mislabelled"}[i]
}

// Message is one generated message.
type Message struct {
	Sender, To, Text string
	Intent           Intent
	// Lang is fr, ar (Modern Standard Arabic), dar (Darija in Arabic
	// script) or dar-latn (Darija in Latin letters, "Arabizi").
	Lang string
}

// The texts. {brand} is the advertiser's name, {code} the opt-out code,
// {n} a number that changes with every message.
var (
	promoTexts = []struct{ lang, text string }{
		{"fr", "{brand} : -30% sur toute la boutique ce week-end ! Profitez-en vite"},
		{"fr", "{brand} : nouvelle collection disponible en magasin, -20% avec le code ETE{n}"},
		{"fr", "{brand} : vos points fidélité doublés jusqu'à dimanche, venez en profiter !"},
		{"ar", "{brand}: تخفيضات 30% على كل المنتجات في نهاية هذا الأسبوع!"},
		{"ar", "{brand}: عروض حصرية لزبنائنا الأوفياء، لا تفوتوا الفرصة!"},
		{"dar", "{brand}: عرض زوين غير هاد السيمانة، -40% على كلشي!"},
		{"dar-latn", "{brand}: promo kbira had l weekend, -50% 3la kolchi!"},
		{"dar-latn", "{brand}: recharge dyal 50 DH b 100 DH ghir lyoum, zerbo!"},
	}
	optOutTexts = map[string][]string{
		"fr":       {"STOP au {code}", "Stop SMS: {code}", "Pour ne plus recevoir nos SMS, envoyez STOP au {code}"},
		"ar":       {"للتوقف أرسل STOP إلى {code}"},
		"dar":      {"باش توقف صيفط STOP ل {code}"},
		"dar-latn": {"Bach twe9ef sift STOP l {code}"},
	}
	transactionalTexts = []struct{ lang, text string }{
		{"fr", "Votre code de vérification {brand} est {n}. Il expire dans 5 minutes."},
		{"fr", "Votre commande n° {n} a été expédiée. Livraison prévue demain entre 9h et 12h."},
		{"fr", "Rappel : votre facture de 249 DH est disponible dans votre espace client."},
		{"ar", "رمز التحقق الخاص بك هو {n}، صالح لمدة 5 دقائق."},
		{"dar-latn", "Salam, commande dyalek n° {n} ghadi tewsel ghedda. Chokran 3la tiqa dyalek."},
	}
)

// Prefixes are the mobile prefixes (after +212) of the subscribers the
// default pool draws from: IAM, Orange and inwi ranges.
var Prefixes = []string{"661", "662", "666", "663", "664", "669", "600", "698", "699"}

// SubscriberPool returns n distinct subscriber numbers in E.164 form, drawn
// from Prefixes with seed: the population a demo sends to.
func SubscriberPool(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for len(out) < n {
		p := Prefixes[r.IntN(len(Prefixes))]
		num := fmt.Sprintf("+212%s%06d", p, r.IntN(1_000_000))
		if !seen[num] {
			seen[num] = true
			out = append(out, num)
		}
	}
	return out
}

// Mix is the share of each intent among the generated messages (they need
// not sum to 1). The zero Mix is DefaultMix.
type Mix struct {
	Compliant, NoOptOut, Transactional, Mislabelled float64
}

// DefaultMix is mostly compliant traffic, with the faults a regulator
// meets every day.
var DefaultMix = Mix{Compliant: 0.62, NoOptOut: 0.1, Transactional: 0.23, Mislabelled: 0.05}

// Generator makes a realistic mix of messages from a provider's brands to
// a pool of subscribers. It is safe for concurrent use.
type Generator struct {
	brands      []Brand
	commercial  []Brand
	transaction []Brand
	recipients  []string
	national    string
	mix         Mix
	mu          sync.Mutex
	r           *rand.Rand
	n           int64
}

// NewGenerator returns a generator over brands (at least one) and
// recipients; national is the national StopSMS code, named by the brands
// without a channel of their own.
func NewGenerator(brands []Brand, recipients []string, national string, mix Mix, seed uint64) (*Generator, error) {
	if len(brands) == 0 || len(recipients) == 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "traffic: no brands or no recipients")
	}
	if mix == (Mix{}) {
		mix = DefaultMix
	}
	g := &Generator{brands: brands, recipients: recipients, national: national, mix: mix,
		r: rand.New(rand.NewPCG(seed, seed+1))}
	for _, b := range brands {
		if b.Commercial {
			g.commercial = append(g.commercial, b)
		} else {
			g.transaction = append(g.transaction, b)
		}
	}
	return g, nil
}

// Next returns the next message.
func (g *Generator) Next() Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	intent := g.intent()
	m := Message{Intent: intent, To: g.recipients[g.r.IntN(len(g.recipients))]}
	var b Brand
	switch {
	case intent == Compliant || intent == NoOptOut:
		b = g.commercial[g.r.IntN(len(g.commercial))]
	default:
		b = g.transaction[g.r.IntN(len(g.transaction))]
	}
	m.Sender = b.Sender
	code := b.OptOut
	if code == "" {
		code = g.national
	}
	var text string
	switch intent {
	case Compliant, NoOptOut, Mislabelled:
		t := promoTexts[g.r.IntN(len(promoTexts))]
		m.Lang, text = t.lang, t.text
		if intent == Compliant {
			opts := optOutTexts[t.lang]
			text += " " + opts[g.r.IntN(len(opts))]
		}
	case Transactional:
		t := transactionalTexts[g.r.IntN(len(transactionalTexts))]
		m.Lang, text = t.lang, t.text
	}
	m.Text = strings.NewReplacer("{brand}", b.Name, "{code}", code,
		"{n}", fmt.Sprintf("%06d", (g.n*7919)%1_000_000)).Replace(text)
	return m
}

func (g *Generator) intent() Intent {
	mix := g.mix
	if len(g.commercial) == 0 {
		mix.Compliant, mix.NoOptOut = 0, 0
	}
	if len(g.transaction) == 0 {
		mix.Transactional, mix.Mislabelled = 0, 0
	}
	x := g.r.Float64() * (mix.Compliant + mix.NoOptOut + mix.Transactional + mix.Mislabelled)
	for i, w := range []float64{mix.Compliant, mix.NoOptOut, mix.Transactional} {
		if x < w {
			return Intent(i)
		}
		x -= w
	}
	return Mislabelled
}

// ProviderConfig configures a simulated provider: an ESME that binds to
// the gateway and sends a generator's messages at a rate.
type ProviderConfig struct {
	Addr               string
	SystemID, Password string
	Generator          *Generator
	// Rate is messages per second (default 10).
	Rate float64
	// Binds is the number of transceiver binds (default 1).
	Binds int
	// OnResult, if set, sees every message with the gateway's answer
	// (nil for ESME_ROK, an smpp.Status otherwise). It must not block.
	OnResult func(m Message, err error)
	// OnReceipt, if set, sees every delivery receipt the gateway relays.
	OnReceipt func(p *smpp.PDU)
}

// ProviderStats counts what a simulated provider sent.
type ProviderStats struct {
	// Sent, Accepted, Refused and Failed count messages (a concatenated
	// one by its first part's answer); Receipts counts the receipts, one
	// per part.
	Sent, Accepted, Refused, Failed, Receipts int64
}

// Provider is a running simulated provider.
type Provider struct {
	cfg                                       ProviderConfig
	sent, accepted, refused, failed, receipts atomic.Int64
}

// NewProvider checks cfg and returns a provider; Run sends.
func NewProvider(cfg ProviderConfig) (*Provider, error) {
	if cfg.Addr == "" || cfg.Generator == nil {
		return nil, bawwab.Errorf(bawwab.EINVALID, "provider: no address or no generator")
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 10
	}
	cfg.Binds = max(cfg.Binds, 1)
	return &Provider{cfg: cfg}, nil
}

// Stats returns the counters.
func (p *Provider) Stats() ProviderStats {
	return ProviderStats{Sent: p.sent.Load(), Accepted: p.accepted.Load(), Refused: p.refused.Load(),
		Failed: p.failed.Load(), Receipts: p.receipts.Load()}
}

// Run binds and sends at the configured rate until ctx ends; it rebinds
// after a lost session. It returns the bind error if the first bind
// fails, else nil when ctx ends.
func (p *Provider) Run(ctx context.Context) error {
	conns := make([]*smpp.Conn, 0, p.cfg.Binds)
	dial := func() (*smpp.Conn, error) {
		return smpp.Dial(ctx, p.cfg.Addr, smpp.DialOptions{Kind: smpp.Transceiver, SystemID: p.cfg.SystemID,
			Password: p.cfg.Password, Conn: smpp.ConnOptions{Window: 10, Handler: smpp.InlineFunc(p.serve)}})
	}
	for range p.cfg.Binds {
		c, err := dial()
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return fmt.Errorf("provider %s: %w", p.cfg.SystemID, err)
		}
		conns = append(conns, c)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		for _, c := range conns {
			c.Unbind(uctx)
			c.Close()
		}
	}()
	interval := time.Duration(float64(time.Second) / p.cfg.Rate)
	next := time.Now()
	var sp smpp.Splitter
	for i := 0; ; i++ {
		next = next.Add(interval)
		if d := time.Until(next); d > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(d):
			}
		} else if ctx.Err() != nil {
			return nil
		}
		k := i % len(conns)
		if conns[k].Err() != nil {
			c, err := dial()
			if err != nil {
				p.failed.Add(1)
				continue
			}
			conns[k] = c
		}
		m := p.cfg.Generator.Next()
		split, err := sp.Split(m.Text)
		if err != nil {
			p.failed.Add(1)
			continue
		}
		tmpl := smpp.Body{Source: addressOf(m.Sender),
			Dest:               smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: strings.TrimPrefix(m.To, "+")},
			RegisteredDelivery: smpp.RegisteredDeliveryAll}
		bodies := split.Bodies(tmpl)
		p.sent.Add(1)
		p.sendParts(ctx, conns[k], bodies, m)
	}
}

// sendParts sends the parts of one message in order, asynchronously, and
// counts the message by its first part's answer.
func (p *Provider) sendParts(ctx context.Context, c *smpp.Conn, bodies []*smpp.Body, m Message) {
	var once atomic.Bool
	done := func(err error) {
		if !once.CompareAndSwap(false, true) {
			return
		}
		var st smpp.Status
		switch {
		case err == nil:
			p.accepted.Add(1)
		case errors.As(err, &st):
			p.refused.Add(1)
		default:
			p.failed.Add(1)
		}
		if p.cfg.OnResult != nil {
			p.cfg.OnResult(m, err)
		}
	}
	for _, b := range bodies {
		err := c.SendAsync(ctx, smpp.SubmitSM, b, func(_ *smpp.PDU, err error) { done(err) })
		if err != nil {
			done(err)
			return
		}
	}
}

func (p *Provider) serve(r *smpp.Request) {
	if r.CommandID() == smpp.DeliverSM {
		p.receipts.Add(1)
		if p.cfg.OnReceipt != nil {
			p.cfg.OnReceipt(&r.PDU)
		}
	}
	r.Accept("")
}
