package compliance

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/textcheck"
)

// Deps are what the engine reads besides the registry: the opposition
// register, the consents and the frequency counters.
type Deps struct {
	// Oppositions is required: without it R5 cannot run.
	Oppositions Oppositions
	// Consents is required when consent mode is on.
	Consents Consents
	// Counters keeps R8's counts; nil means a new MemCounters. The engine
	// keeps the same counters for its life, across views and
	// configurations.
	Counters Counters
}

// Engine decides on submissions. It holds the configuration, the registry
// view and the dependencies as one immutable state behind an atomic
// pointer: SetView, SetConfig and SetOppositions build a new state and swap
// it in, so a decision never sees half a change and never waits for one.
// An Engine is safe for concurrent use; for the fastest path give each
// goroutine its own Decider.
type Engine struct {
	mu       sync.Mutex // serialises the setters
	state    atomic.Pointer[state]
	counters Counters
	deciders sync.Pool
}

// state is everything one decision reads, bound together: the handles and
// keys resolved for the view's providers and advertisers belong to the
// opposition index and counters they came from.
type state struct {
	cfg     Config
	version string
	hours   *hours
	view    *View
	opp     Oppositions
	cons    Consents
	ctr     Counters

	// enforceFrom[r] is the instant from which rule r enforces, in Unix
	// nanoseconds: math.MinInt64 for enforce, math.MaxInt64 for monitor
	// without cut-over. global is for submissions of no known provider.
	global   modeTable
	provMode []modeTable // by provider index
	provH    []uint32    // opposition handles, by provider index
	advH     []uint32    // opposition handles, by advertiser index
	advKey   []uint32    // counter keys, by advertiser index

	// texts keeps the text checker's verdicts on repeated texts; it
	// belongs to view, and goes to the next state when the view stays.
	texts *textCache
}

type modeTable [NumRules + 1]int64

// enforceAll is the mode table of rules that always enforce.
var enforceAll = modeTable{math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64,
	math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64}

// New returns an engine deciding with cfg on view.
func New(cfg Config, view *View, deps Deps) (*Engine, error) {
	if view == nil {
		return nil, errors.New("compliance: no registry view")
	}
	if deps.Oppositions == nil {
		return nil, errors.New("compliance: no opposition register")
	}
	if deps.Counters == nil {
		deps.Counters = NewMemCounters()
	}
	e := &Engine{counters: deps.Counters}
	st, err := e.bind(nil, cfg, view, deps.Oppositions, deps.Consents)
	if err != nil {
		return nil, err
	}
	e.state.Store(st)
	e.deciders.New = func() any { return e.NewDecider() }
	return e, nil
}

// SetView swaps in a new registry view, for every decision that starts
// after it returns. On error the engine keeps the view it had.
func (e *Engine) SetView(v *View) error {
	if v == nil {
		return errors.New("compliance: no registry view")
	}
	return e.update(func(st *state) (*state, error) { return e.bind(st, st.cfg, v, st.opp, st.cons) })
}

// SetConfig swaps in a new configuration (and with it a new rule-set
// version). On error the engine keeps the configuration it had.
func (e *Engine) SetConfig(cfg Config) error {
	return e.update(func(st *state) (*state, error) { return e.bind(st, cfg, st.view, st.opp, st.cons) })
}

// SetOppositions swaps in another opposition register, such as an index
// rebuilt or reloaded from a snapshot (its handles are resolved again).
func (e *Engine) SetOppositions(o Oppositions) error {
	if o == nil {
		return errors.New("compliance: no opposition register")
	}
	return e.update(func(st *state) (*state, error) { return e.bind(st, st.cfg, st.view, o, st.cons) })
}

// SetConsents swaps in another consent register.
func (e *Engine) SetConsents(c Consents) error {
	return e.update(func(st *state) (*state, error) { return e.bind(st, st.cfg, st.view, st.opp, c) })
}

func (e *Engine) update(f func(*state) (*state, error)) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, err := f(e.state.Load())
	if err != nil {
		return err
	}
	e.state.Store(st)
	return nil
}

// RuleSet returns the rule-set version decisions are taken under now.
func (e *Engine) RuleSet() string { return e.state.Load().version }

// View returns the registry view decisions are taken on now.
func (e *Engine) View() *View { return e.state.Load().view }

// Config returns the configuration decisions are taken under now.
func (e *Engine) Config() Config { return e.state.Load().cfg }

// Release gives back the frequency-cap slot of a message the SMSC refused
// (Result.Reservation). A zero Reservation does nothing.
func (e *Engine) Release(r Reservation) {
	if !r.IsZero() {
		e.counters.Release(r)
	}
}

// bind checks cfg and builds the state for it, view, o and c, after prev
// (nil for the first).
func (e *Engine) bind(prev *state, cfg Config, view *View, o Oppositions, c Consents) (*state, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Consent && c == nil {
		return nil, errors.New("compliance: consent mode is on and no consent register is given")
	}
	h, err := newHours(&cfg)
	if err != nil {
		return nil, err
	}
	st := &state{
		cfg: cfg, version: cfg.Version(), hours: h, view: view, opp: o, cons: c, ctr: e.counters,
		provMode: make([]modeTable, len(view.providers)),
		provH:    make([]uint32, len(view.providers)),
		advH:     make([]uint32, len(view.advertisers)),
		advKey:   make([]uint32, len(view.advertisers)),
	}
	if prev != nil && prev.view == view {
		st.texts = prev.texts // the verdicts depend on the view only
	} else {
		st.texts = newTextCache()
	}
	st.global = modesFor(&cfg.Rules, nil)
	for i, p := range view.providers {
		if over, ok := cfg.Providers[p.id]; ok {
			st.provMode[i] = modesFor(&cfg.Rules, &over)
		} else {
			st.provMode[i] = st.global
		}
		if st.provH[i], err = o.Resolve(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: p.id}); err != nil {
			return nil, fmt.Errorf("compliance: opposition scope of provider %q: %w", p.id, err)
		}
	}
	for i, a := range view.advertisers {
		if st.advH[i], err = o.Resolve(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: a.id}); err != nil {
			return nil, fmt.Errorf("compliance: opposition scope of advertiser %q: %w", a.id, err)
		}
		if st.advKey[i], err = e.counters.AdvertiserKey(a.id); err != nil {
			return nil, fmt.Errorf("compliance: counter key of advertiser %q: %w", a.id, err)
		}
	}
	return st, nil
}

// modesFor resolves the global modes, overridden by a provider's.
func modesFor(global, over *Modes) modeTable {
	var t modeTable
	for r := R1; r <= NumRules; r++ {
		m := global.Get(r)
		if over != nil && over.Get(r) != nil {
			m = over.Get(r)
		}
		switch {
		case m == nil || m.Mode == bawwab.Enforce:
			t[r] = math.MinInt64
		case m.EnforceFrom.IsZero():
			t[r] = math.MaxInt64
		default:
			t[r] = m.EnforceFrom.UnixNano()
		}
	}
	return t
}

// Decider decides on submissions for one goroutine: it owns a text checker
// and its buffers, so deciding does not allocate. It is not safe for
// concurrent use.
type Decider struct {
	e  *Engine
	tc *textcheck.Checker
	// noText skips the text checker (R4 passes, R9 finds nothing): only
	// for the benchmark that measures the rules without it. noCache
	// checks every text, for the tests and benchmarks that compare.
	noText, noCache bool
	// seen notes the texts checked once, for the text cache.
	seen seenTexts

	// A session sends on one account, mostly under a few sender IDs, in
	// one offset of the clocks: the last ones found are kept, for the view
	// and the hours they were found in, to save map lookups.
	view       *View
	acctID     string
	acct       *account
	senderID   string
	sender     *sender
	hours      *hours
	zoneFrom   int64 // Unix seconds: the offset below holds in [zoneFrom, zoneTo)
	zoneTo     int64
	zoneOffset int64
}

// lookups returns the account and the sender ID of s in v, from the
// Decider's cache when they are the last ones.
func (d *Decider) lookups(v *View, s *Submission) (*account, *sender) {
	if d.view != v {
		d.view, d.acct, d.sender = v, nil, nil
	}
	if d.acct == nil || s.AccountID != d.acctID {
		d.acctID, d.acct = s.AccountID, v.accounts[s.AccountID]
	}
	if d.sender == nil || s.Sender != d.senderID {
		d.senderID, d.sender = s.Sender, v.senders[s.Sender]
	}
	return d.acct, d.sender
}

// local is hours.local with the offset of the clocks kept between calls.
func (d *Decider) local(h *hours, t time.Time) (day, sec int32) {
	u := t.Unix()
	if d.hours != h || u < d.zoneFrom || u >= d.zoneTo {
		lt := t.In(h.loc)
		_, off := lt.Zone()
		from, to := lt.ZoneBounds()
		d.hours, d.zoneOffset = h, int64(off)
		d.zoneFrom, d.zoneTo = math.MinInt64, math.MaxInt64
		if !from.IsZero() {
			d.zoneFrom = from.Unix()
		}
		if !to.IsZero() {
			d.zoneTo = to.Unix()
		}
	}
	return localOf(u + d.zoneOffset)
}

// NewDecider returns a Decider for one goroutine, such as an SMPP session.
func (e *Engine) NewDecider() *Decider {
	return &Decider{e: e, tc: textcheck.NewChecker()}
}

// Decide decides on s with a pooled Decider.
func (e *Engine) Decide(s *Submission) Result {
	d := e.deciders.Get().(*Decider)
	r := d.Decide(s)
	e.deciders.Put(d)
	return r
}

// Decide checks s against the rules R1–R9 in order and returns the
// decision with its detail. A rule in enforce mode that finds a violation
// decides (reject, or for R7 defer); a rule in monitor mode records its
// finding and lets the message go on to the next rules. When the message
// passes R8, it is counted (Result.Reservation): release the slot if the
// SMSC then refuses it.
func (d *Decider) Decide(s *Submission) (r Result) {
	st := d.e.state.Load()
	r.RuleSet = st.version
	r.st = st
	r.input.Sender = s.Sender
	t := s.Time.UnixNano()
	v := st.view

	// The sender ID, looked up first so that every result names the
	// advertiser and the category, whichever rule decides.
	acct, snd := d.lookups(v, s)
	var adv *advertiser
	registered := bawwab.CategoryUnknown
	channels := []textcheck.Channel(nil)
	if snd != nil {
		adv, registered, channels = snd.adv, snd.category, snd.channels
	}
	if adv != nil {
		r.AdvertiserID = adv.id
	}
	// The category never lowers the bar: commercial if either the
	// registration or the declaration says so; unknown is commercial.
	switch {
	case registered == bawwab.CategoryCommercial || s.Category == bawwab.CategoryCommercial:
		r.Category = bawwab.CategoryCommercial
	case registered == bawwab.CategoryTransactional || s.Category == bawwab.CategoryTransactional:
		r.Category = bawwab.CategoryTransactional
	default:
		r.Category = bawwab.CategoryCommercial
	}

	// R1: the account, its provider, the provider's standing and contract.
	modes := &st.global
	var p *provider
	r.ProviderID = s.ProviderID
	if acct != nil && s.ProviderID == "" {
		r.ProviderID = acct.provID
	}
	if acct != nil && acct.prov != nil && acct.provID == r.ProviderID {
		modes = &st.provMode[acct.prov.idx]
	} else if pp := v.providerIx[r.ProviderID]; pp != nil {
		modes = &st.provMode[pp.idx]
	}
	detail := DetailNone
	switch {
	case acct == nil:
		detail = AccountUnknown
	case acct.disabled:
		detail = AccountDisabled
	case acct.provID != r.ProviderID:
		detail = AccountOtherProvider
	case acct.prov == nil:
		detail = ProviderUnknown
	default:
		p = acct.prov
		switch {
		case !p.declared || t < p.declaredAt:
			detail = ProviderNotDeclared
		case !p.status.MaySend():
			detail = ProviderNotAllowed
		case p.own != msisdn.NoOperator:
			// An operator's own account: its own subscribers only, which a
			// foreign number never is. An unknown operator is R3's.
			if (!s.Recipient.IsZero() && !s.Recipient.Moroccan()) ||
				(s.Operator != msisdn.NoOperator && s.Operator != p.own) {
				detail = OtherOperatorsNumber
			}
		case s.Operator != msisdn.NoOperator && !p.inContract(s.Operator, t):
			detail = NoContract
		}
	}
	if detail == ProviderNotAllowed {
		// A suspension or a withdrawal is a measure in force, which only a
		// regulator lifts, not a rule being rolled out: no monitor mode.
		r.finding(R1, bawwab.ReasonProviderNotAuthorised, detail, &enforceAll, t)
		return r
	}
	if detail != DetailNone && r.finding(R1, bawwab.ReasonProviderNotAuthorised, detail, modes, t) {
		return r
	}
	if snd == nil && p != nil {
		channels = p.channels // an unregistered sender (R2 monitored): the provider's channels
	}

	// R2: the sender ID, its owner and category.
	detail = DetailNone
	switch {
	case snd == nil:
		detail = SenderUnknown
	case snd.provID != r.ProviderID:
		detail = SenderOtherProvider
	case !snd.actsFor:
		detail = SenderNotActingFor
	case registered != bawwab.CategoryCommercial && registered != bawwab.CategoryTransactional:
		detail = SenderCategoryUnknown
	}
	if detail != DetailNone && r.finding(R2, bawwab.ReasonSenderNotRegistered, detail, modes, t) {
		return r
	}

	// R3: the recipient.
	n := s.Recipient
	detail = DetailNone
	switch {
	case s.RecipientErr != nil || n.IsZero():
		detail = RecipientUnreadable
		n = msisdn.Number{} // the rules below need a number; they skip
	case !n.Moroccan() && !st.cfg.ForeignRecipients:
		detail = RecipientForeign
	case !n.Mobile():
		detail = RecipientNotMobile
	case s.Operator == msisdn.NoOperator:
		detail = OperatorUnknown
	}
	if detail != DetailNone && r.finding(R3, bawwab.ReasonInvalidRecipient, detail, modes, t) {
		return r
	}

	if r.Category == bawwab.CategoryCommercial {
		if d.commercial(&r, s, st, modes, t, n, p, adv, channels) {
			return r
		}
	}

	// R9: commercial content under a transactional sender ID.
	if registered == bawwab.CategoryTransactional || r.Category == bawwab.CategoryTransactional {
		detail = DetailNone
		if r.Category == bawwab.CategoryCommercial {
			detail = DeclaredCommercial
		} else {
			r.input = textcheck.Input{Text: s.Text, Sender: s.Sender, Category: textcheck.Transactional, Channels: channels, National: v.national}
			if !d.noText {
				d.check(st, &r.input, &r.Text)
				r.TextChecked = true
			}
			if r.TextChecked && r.Text.Verdict == textcheck.MislabelledCommercial {
				detail = ReadsCommercial
			}
		}
		if detail != DetailNone {
			if st.cfg.Mislabelled == MislabelledFlag {
				r.Findings |= 1 << R9
				r.Flag = bawwab.ReasonMislabelledCommercial
			} else if r.finding(R9, bawwab.ReasonMislabelledCommercial, detail, modes, t) {
				if !r.Reservation.IsZero() {
					st.ctr.Release(r.Reservation)
					r.Reservation = Reservation{}
				}
				return r
			}
		}
	}
	return r
}

// check sets *r to the text checker's verdict on in, from the state's
// cache when the text was seen before.
func (d *Decider) check(st *state, in *textcheck.Input, r *textcheck.Result) {
	if d.noCache {
		*r = d.tc.Check(in)
		return
	}
	c := st.texts
	h := c.hash(in)
	if c.get(in, h, r) {
		return
	}
	*r = d.tc.Check(in)
	c.put(&d.seen, in, h, r)
}

// commercial runs R4–R8; it reports whether a rule decided.
func (d *Decider) commercial(r *Result, s *Submission, st *state, modes *modeTable, t int64, n msisdn.Number, p *provider, adv *advertiser, channels []textcheck.Channel) bool {
	// R4: the opt-out instruction.
	r.input = textcheck.Input{Text: s.Text, Sender: s.Sender, Category: textcheck.Commercial, Channels: channels, National: st.view.national}
	if !d.noText {
		d.check(st, &r.input, &r.Text)
		r.TextChecked = true
	}
	switch r.Text.Verdict { // Compliant (the zero Verdict) when not checked
	case textcheck.MentionMissing:
		if r.finding(R4, bawwab.ReasonOptOutMentionMissing, MentionMissing, modes, t) {
			return true
		}
	case textcheck.ChannelInvalid:
		if r.finding(R4, bawwab.ReasonOptOutChannelInvalid, ChannelInvalid, modes, t) {
			return true
		}
	}

	// R5: the opposition register. R6 and R8 too need a number: with an
	// unreadable one (R3 in monitor mode) they cannot run.
	if !n.IsZero() {
		var advH, provH uint32
		if adv != nil {
			advH = st.advH[adv.idx]
		}
		if p != nil {
			provH = st.provH[p.idx]
		}
		if by, opposed := st.opp.Opposed(n, advH, provH); opposed {
			detail := OpposedNational
			switch by {
			case bawwab.ScopeProvider:
				detail = OpposedProvider
			case bawwab.ScopeAdvertiser:
				detail = OpposedAdvertiser
			}
			if r.finding(R5, bawwab.ReasonRecipientOptedOut, detail, modes, t) {
				return true
			}
		}

		// R6: consent, in consent mode.
		if st.cfg.Consent && (adv == nil || !st.cons.Consented(n, adv.id)) {
			if r.finding(R6, bawwab.ReasonNoConsent, NoConsentRecord, modes, t) {
				return true
			}
		}
	}

	// R7: sending hours and days.
	today, sec := d.local(st.hours, s.Time)
	day := today
	if !st.hours.allowed(today, sec) {
		detail := QuietHour
		if !st.hours.dayAllowed(today) {
			detail = NoSendingDay
		}
		enforced := t >= modes[R7]
		switch {
		case st.cfg.QuietHours == QuietReject || !enforced:
			if r.finding(R7, bawwab.ReasonQuietHours, detail, modes, t) {
				return true
			}
		default:
			until, uday, ok := st.hours.next(s.Time, today, sec)
			if !ok {
				r.finding(R7, bawwab.ReasonQuietHours, NoAllowedTime, modes, t)
				return true
			}
			// A deferral decides the outcome, but R8 still counts the
			// message, on the day it goes out.
			r.Findings |= 1 << R7
			r.Outcome, r.Reason, r.Monitored = bawwab.Defer, bawwab.ReasonQuietHours, false
			r.Rule, r.Detail, r.Until = R7, detail, until
			day = uday
		}
	}

	// R8: per-recipient daily caps, counted at once.
	if !n.IsZero() && (st.cfg.CapPerAdvertiser > 0 || st.cfg.CapTotal > 0) {
		res := Reservation{Day: day, Recipient: n}
		if adv != nil {
			res.Advertiser = st.advKey[adv.idx]
		}
		enforced := t >= modes[R8]
		within := st.ctr.Reserve(res, today, st.cfg.CapPerAdvertiser, st.cfg.CapTotal, !enforced)
		if within || !enforced {
			r.Reservation = res
		}
		if !within && r.finding(R8, bawwab.ReasonFrequencyCap, CapReached, modes, t) {
			return true
		}
	}
	return false
}

// finding records that rule found a violation. In enforce mode at t the
// rule decides: the message is rejected and finding returns true. In
// monitor mode it returns false; the first monitored finding becomes the
// reported reason unless a later rule decides.
func (r *Result) finding(rule Rule, reason bawwab.Reason, detail Detail, modes *modeTable, t int64) bool {
	r.Findings |= 1 << rule
	if t >= modes[rule] {
		r.Outcome, r.Reason, r.Monitored, r.Until = bawwab.Reject, reason, false, time.Time{}
		r.Rule, r.Detail = rule, detail
		return true
	}
	if r.Rule == NoRule {
		r.Reason, r.Monitored, r.Rule, r.Detail = reason, true, rule, detail
	}
	return false
}
