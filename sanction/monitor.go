package sanction

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
)

// Status is the measure a provider is under, as the gateway applies it.
type Status struct {
	// Kind is the strongest measure in force (0: none).
	Kind bawwab.MeasureKind
	// Rate is a throttle's cap, in messages per second (0: none).
	Rate float64
}

// Suspended reports whether the provider's traffic is blocked.
func (s Status) Suspended() bool { return s.Kind == bawwab.MeasureSuspension }

// Ledger is where the monitor records measures (a *ledger.Ledger).
type Ledger interface {
	Append(ctx context.Context, e *bawwab.LedgerEntry) (int64, error)
}

// Options configures a Monitor.
type Options struct {
	Config Config
	// Measures keeps the measures and notifications; Complaints and
	// Reports are read to rebuild the counters (Load) and to learn of
	// complaints confirmed and measures lifted elsewhere (Refresh).
	Measures   bawwab.MeasureService
	Complaints bawwab.ComplaintService
	Reports    bawwab.ReportService
	// Ledger is this node's ledger (nil: the measures' entries stay
	// pending in the store for a process that has it); Origin its name.
	Ledger Ledger
	Origin string
	// OnChange is called when a provider's status changes: at once, in
	// the goroutine that observed the decision crossing a threshold,
	// before Observe returns, so that the gateway applies a suspension to
	// the very next submission; and after a lift. It must not block or
	// call the monitor.
	OnChange func(providerID string, s Status)
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
	// HTTPClient posts the notifications to the providers' webhooks.
	// Default: a safehttp client (10 s timeout), which connects only to
	// public addresses and to WebhookAllow's, whatever a name resolves to.
	HTTPClient *http.Client
	// WebhookAllow lists the address ranges webhooks may reach although
	// they are not public (loopback, private, link-local...).
	WebhookAllow []netip.Prefix
	// Signer signs the webhook posts (header Bawwab-Signature); nil sends
	// them unsigned.
	Signer *safehttp.Signer
}

// Monitor counts each provider's violations and raises measures when a
// threshold is crossed. The gateway calls Observe once per decision: on
// the common path (an accepted message) it costs two atomic additions and
// allocates nothing, and it is safe from any number of goroutines.
//
// The counts are kept per provider and per hour, in a ring covering the
// longest window, so that a window slides by the hour. They survive a
// restart through the store: the report feeder keeps the same counts per
// hour in the aggregates, and Load reads them back at start (after the
// feeder's CatchUp), so nothing is scanned in the ledger and nothing is
// counted twice. Confirmed complaints are read from the store's cases.
//
// A measure takes effect at once on this node (OnChange, Status), then is
// recorded — in the store, which sets the provider's status so that every
// node's change feed carries it, in the ledger, and as a notification to
// the provider, posted to its webhook — by Flush, which Run calls as soon
// as a measure is raised. Only a regulator lifts a measure (Lift); counting
// starts again after a lift.
type Monitor struct {
	o         Options
	cfg       Config
	rules     []rule
	ringHours int64 // hours of the ring: the longest hourly window, and one
	maxCWin   time.Duration
	log       *slog.Logger
	client    *http.Client

	providers atomic.Pointer[map[string]*providerState]
	addMu     sync.Mutex

	qmu   sync.Mutex
	queue []*bawwab.Measure
	wake  chan struct{}
}

type rule struct {
	Rule
	idx   int // hourly counter, or -2 for complaints
	hours int64
}

// MonitorActor is the actor of the measures the monitor raises.
var MonitorActor = bawwab.Actor{Name: "sanction-monitor", Role: bawwab.RoleSystem}

// New returns a monitor; call Load before the first Observe.
func New(o Options) (*Monitor, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if o.Measures == nil {
		return nil, errors.New("sanction: no measure store")
	}
	m := &Monitor{o: o, cfg: o.Config.withDefaults(), wake: make(chan struct{}, 1), log: o.Logger, client: o.HTTPClient}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.client == nil {
		m.client = safehttp.NewClient(safehttp.Options{Allow: o.WebhookAllow, What: "webhook",
			AllowHint: "the gateway's callback allow-list ([callbacks] allow in bawwab.toml)"})
	}
	m.ringHours = 25
	for _, r := range m.cfg.Rules {
		cr := rule{Rule: r, idx: counterIndex(r.Counter), hours: int64(r.Window / time.Hour)}
		if cr.idx == -2 {
			m.maxCWin = max(m.maxCWin, r.Window)
		} else {
			m.ringHours = max(m.ringHours, cr.hours+1)
		}
		m.rules = append(m.rules, cr)
	}
	empty := map[string]*providerState{}
	m.providers.Store(&empty)
	return m, nil
}

func (m *Monitor) now() time.Time {
	if m.o.Now != nil {
		return m.o.Now().UTC()
	}
	return time.Now().UTC()
}

// providerState is what the monitor keeps of one provider.
type providerState struct {
	id     string
	hours  []atomic.Int64 // the hour each slot of the ring holds
	counts []atomic.Int64 // slot*numCounters + counter
	status atomic.Pointer[Status]
	// baseline is the Unix time of the last lift: only what happened
	// after it counts (hourly counts: from the next hour).
	baseline atomic.Int64
	// recheck has bit i set while share rule i has refusals but too few
	// submissions to judge: accepted submissions then re-evaluate it,
	// since reaching the minimum volume may cross the threshold.
	recheck atomic.Uint64

	mu         sync.Mutex // the ring's slots changing hands, evaluation, complaints
	complaints []confirmed
	refs       map[int][]int64 // the last violations' ledger indexes, per counter
}

type confirmed struct {
	id    int64
	at    time.Time
	ref   int64 // ledger index of the confirmation, -1 unknown
	local bool  // ref is in this node's ledger
}

var noStatus = &Status{}

// state returns the provider's state, creating it on first sight.
func (m *Monitor) state(id string) *providerState {
	if ps := (*m.providers.Load())[id]; ps != nil {
		return ps
	}
	m.addMu.Lock()
	defer m.addMu.Unlock()
	cur := *m.providers.Load()
	if ps := cur[id]; ps != nil {
		return ps
	}
	ps := &providerState{id: id, hours: make([]atomic.Int64, m.ringHours),
		counts: make([]atomic.Int64, m.ringHours*int64(numCounters)), refs: map[int][]int64{}}
	for i := range ps.hours {
		ps.hours[i].Store(math.MinInt64)
	}
	ps.status.Store(noStatus)
	next := make(map[string]*providerState, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	next[id] = ps
	m.providers.Store(&next)
	return ps
}

// Status returns the measure a provider is under on this node.
func (m *Monitor) Status(providerID string) Status {
	if ps := (*m.providers.Load())[providerID]; ps != nil {
		return *ps.status.Load()
	}
	return Status{}
}

func floorHour(t time.Time) int64 {
	s := t.Unix()
	h := s / 3600
	if s%3600 != 0 && s < 0 {
		h--
	}
	return h
}

// slot returns the first counter of the ring slot of an hour, taking the
// slot over from an older hour; -1 when the hour is older than the ring.
func (ps *providerState) slot(hour int64) int {
	n := int64(len(ps.hours))
	i := hour % n
	if i < 0 {
		i += n
	}
	h := ps.hours[i].Load()
	if h == hour {
		return int(i) * numCounters
	}
	if h > hour {
		return -1
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if h = ps.hours[i].Load(); h < hour {
		base := int(i) * numCounters
		for c := range numCounters {
			ps.counts[base+c].Store(0)
		}
		ps.hours[i].Store(hour)
	} else if h > hour {
		return -1
	}
	return int(i) * numCounters
}

// sum adds up a counter over the window of hours ending at hour, counting
// only the hours after the baseline's.
func (ps *providerState) sum(counter int, hour, window int64) int64 {
	from := hour - window + 1
	if b := ps.baseline.Load(); b != 0 {
		from = max(from, floorHour(time.Unix(b, 0))+1)
	}
	n := int64(len(ps.hours))
	var total int64
	for h := from; h <= hour; h++ {
		i := h % n
		if i < 0 {
			i += n
		}
		if ps.hours[i].Load() == h {
			total += ps.counts[int(i)*numCounters+counter].Load()
		}
	}
	return total
}

// Observe counts one decision of the ledger: e is the decision entry the
// gateway appended (with its Index, so that a measure can cite it), and
// registered the category registered for its sender ID
// (bawwab.DecisionCategory reads the traffic's category from both, as the
// reports do). Refusals for a rule's reason, flags and (with
// CountMonitored) monitored findings are violations; the thresholds of the
// rules that count them are checked at once, and a measure crossing one
// takes effect before Observe returns (OnChange). Entries of other kinds
// are ignored.
func (m *Monitor) Observe(e *bawwab.LedgerEntry, registered bawwab.Category) {
	if e.Kind != bawwab.EntryDecision || e.ProviderID == "" {
		return
	}
	ps := m.state(e.ProviderID)
	hour := floorHour(e.Time)
	base := ps.slot(hour)
	if base < 0 {
		return
	}
	ps.counts[base+cSubmissions].Add(1)
	commercial := bawwab.DecisionCategory(e, registered) == bawwab.CategoryCommercial
	if commercial {
		ps.counts[base+cCommercial].Add(1)
	}
	r := bawwab.ReasonNone
	if e.Outcome == bawwab.Reject || e.Outcome == bawwab.Accept && e.Mode == bawwab.Monitor && m.cfg.CountMonitored {
		r = e.Reason
	}
	mislabelled := e.Flag == bawwab.ReasonMislabelledCommercial || r == bawwab.ReasonMislabelledCommercial
	if (r == bawwab.ReasonNone || !bawwab.IsViolation(r)) && !mislabelled {
		if commercial && ps.recheck.Load() != 0 {
			m.evaluate(ps, e.Time, hour, -1)
		}
		return
	}
	var changed [3]int
	k := 0
	if r != bawwab.ReasonNone && bawwab.IsViolation(r) {
		ri := reasonIndex[r]
		ps.counts[base+cViolations].Add(1)
		ps.counts[base+ri].Add(1)
		changed[k], changed[k+1] = cViolations, ri
		k += 2
	}
	if mislabelled {
		ps.counts[base+cMislabelled].Add(1)
		changed[k] = cMislabelled
		k++
	}
	ps.mu.Lock()
	for _, c := range changed[:k] {
		refs := append(ps.refs[c], e.Index)
		if len(refs) > maxRefs {
			refs = refs[len(refs)-maxRefs:]
		}
		ps.refs[c] = refs
	}
	ps.mu.Unlock()
	for _, c := range changed[:k] {
		m.evaluate(ps, e.Time, hour, c)
	}
}

// maxRefs is how many of the last violations a measure cites.
const maxRefs = 16

// ObserveComplaint counts a confirmed complaint (the complaint desk's
// OnConfirmed): once per case, at the time it was confirmed.
func (m *Monitor) ObserveComplaint(c *bawwab.Complaint) {
	if c.Status != bawwab.ComplaintConfirmed || c.ProviderID == "" {
		return
	}
	var ev *bawwab.ComplaintEvent
	for i := range c.Events {
		if c.Events[i].Action == bawwab.ComplaintActionConfirmed {
			ev = &c.Events[i]
		}
	}
	if ev == nil {
		return
	}
	ps := m.state(c.ProviderID)
	ps.mu.Lock()
	if slices.ContainsFunc(ps.complaints, func(x confirmed) bool { return x.id == c.ID }) {
		ps.mu.Unlock()
		return
	}
	ps.complaints = append(ps.complaints, confirmed{id: c.ID, at: ev.At, ref: ev.LedgerIndex, local: ev.Origin == m.o.Origin})
	slices.SortFunc(ps.complaints, func(a, b confirmed) int { return a.at.Compare(b.at) })
	// Forget what no window reaches any more.
	cut := ev.At.Add(-m.maxCWin)
	ps.complaints = slices.DeleteFunc(ps.complaints, func(x confirmed) bool { return x.at.Before(cut) && x.id != c.ID })
	ps.mu.Unlock()
	m.evaluate(ps, ev.At, floorHour(ev.At), -2)
}

// evaluate checks the rules of a counter (-2: complaints; -1: the share
// rules, after an accepted submission) at time at, and raises the
// strongest measure reached if it is stronger than the one in force.
func (m *Monitor) evaluate(ps *providerState, at time.Time, hour int64, counter int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	best := bawwab.MeasureKind(0)
	var cause *rule
	var count, volume int64
	recheck := ps.recheck.Load()
	for i := range m.rules {
		r := &m.rules[i]
		isShare := r.WarningShare > 0 || r.ThrottleShare > 0 || r.SuspensionShare > 0
		switch {
		case counter == -2 && r.idx != -2, counter >= 0 && r.idx != counter, counter == -1 && (!isShare || r.idx < 0):
			continue
		}
		bit := uint64(1) << (i % 64)
		recheck &^= bit
		var n, vol int64
		var lvl bawwab.MeasureKind
		if r.idx == -2 {
			n = ps.countComplaints(at, r.Window)
		} else {
			n = ps.sum(r.idx, hour, r.hours)
		}
		if r.Suspension > 0 && n >= r.Suspension {
			lvl = bawwab.MeasureSuspension
		} else if r.Throttle > 0 && n >= r.Throttle {
			lvl = bawwab.MeasureThrottle
		} else if r.Warning > 0 && n >= r.Warning {
			lvl = bawwab.MeasureWarning
		}
		if isShare && n > 0 {
			vol = ps.sum(cCommercial, hour, r.hours)
			if vol < r.MinVolume || vol == 0 {
				recheck |= bit
			} else {
				share := float64(n) / float64(vol)
				switch {
				case r.SuspensionShare > 0 && share > r.SuspensionShare:
					lvl = max(lvl, bawwab.MeasureSuspension)
				case r.ThrottleShare > 0 && share > r.ThrottleShare:
					lvl = max(lvl, bawwab.MeasureThrottle)
				case r.WarningShare > 0 && share > r.WarningShare:
					lvl = max(lvl, bawwab.MeasureWarning)
				}
			}
		}
		if lvl > best {
			best, cause, count, volume = lvl, r, n, vol
		}
	}
	ps.recheck.Store(recheck)
	if best == 0 || best <= ps.status.Load().Kind {
		return
	}
	m.raise(ps, best, cause, count, volume, at)
}

// countComplaints counts the confirmed complaints in the window ending at
// at, after the baseline.
func (ps *providerState) countComplaints(at time.Time, window time.Duration) int64 {
	from := at.Add(-window)
	b := ps.baseline.Load()
	var n int64
	for _, c := range ps.complaints {
		if c.at.After(from) && !c.at.After(at) && (b == 0 || c.at.Unix() > b) {
			n++
		}
	}
	return n
}

// raise takes a measure on this node at once, and queues it for the
// store, the ledger and the provider. Called with ps.mu held.
func (m *Monitor) raise(ps *providerState, kind bawwab.MeasureKind, r *rule, count, volume int64, at time.Time) {
	st := &Status{Kind: kind}
	if kind == bawwab.MeasureThrottle {
		st.Rate = m.cfg.ThrottleRate
	}
	ps.status.Store(st)
	meas := &bawwab.Measure{
		ProviderID: ps.id, Kind: kind, Rule: r.Name, Count: count, Volume: volume, Window: r.Window,
		Rate: st.Rate, At: at.UTC(), Actor: MonitorActor, LedgerIndex: -1, LiftLedgerIndex: -1,
		Reason: reasonText(r, kind, count, volume),
	}
	if r.idx == -2 {
		from, b := at.Add(-r.Window), ps.baseline.Load()
		for _, c := range ps.complaints {
			if c.local && c.ref >= 0 && c.at.After(from) && !c.at.After(at) && (b == 0 || c.at.Unix() > b) {
				meas.Refs = append(meas.Refs, c.ref)
			}
		}
	} else {
		meas.Refs = slices.Clone(ps.refs[r.idx])
	}
	slices.Sort(meas.Refs)
	meas.Refs = slices.Compact(meas.Refs)
	if m.o.OnChange != nil {
		m.o.OnChange(ps.id, *st)
	}
	m.qmu.Lock()
	m.queue = append(m.queue, meas)
	m.qmu.Unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func reasonText(r *rule, kind bawwab.MeasureKind, count, volume int64) string {
	what := string(r.Counter)
	switch r.Counter {
	case CounterComplaints:
		what = "confirmed complaints"
	case CounterViolations:
		what = "refused non-compliant submissions"
	case CounterMislabelled:
		what = "mislabelled commercial messages (flagged or refused)"
	default:
		what = "submissions refused for " + what
	}
	threshold := map[bawwab.MeasureKind]int64{bawwab.MeasureWarning: r.Warning, bawwab.MeasureThrottle: r.Throttle, bawwab.MeasureSuspension: r.Suspension}[kind]
	share := map[bawwab.MeasureKind]float64{bawwab.MeasureWarning: r.WarningShare, bawwab.MeasureThrottle: r.ThrottleShare, bawwab.MeasureSuspension: r.SuspensionShare}[kind]
	if threshold > 0 && count >= threshold {
		return fmt.Sprintf("rule %s: %d %s in %s (threshold %d for a %s)", r.Name, count, what, r.Window, threshold, kind)
	}
	return fmt.Sprintf("rule %s: %d %s out of %d commercial submissions in %s, %.1f %% (more than %.1f %% for a %s, from %d submissions)",
		r.Name, count, what, volume, r.Window, 100*float64(count)/float64(max(volume, 1)), 100*share, kind, r.MinVolume)
}

// Flush records the measures raised since the last call: in the store
// (which sets the provider's status for every node), in the ledger, and
// as notifications posted to the providers' webhooks. A measure the store
// refuses stays queued for the next call.
func (m *Monitor) Flush(ctx context.Context) error {
	m.qmu.Lock()
	q := m.queue
	m.queue = nil
	m.qmu.Unlock()
	for i, meas := range q {
		if err := m.persist(ctx, meas); err != nil {
			m.qmu.Lock()
			m.queue = append(q[i:], m.queue...)
			m.qmu.Unlock()
			return fmt.Errorf("record measure against %s: %w", meas.ProviderID, err)
		}
	}
	return nil
}

func (m *Monitor) persist(ctx context.Context, meas *bawwab.Measure) error {
	// Another node (they all count the confirmed complaints of the store)
	// may have recorded the same measure first.
	inForce, _, err := m.o.Measures.FindMeasures(ctx, bawwab.MeasureFilter{ProviderID: &meas.ProviderID, Active: ptr(true), Limit: 100})
	if err != nil {
		return err
	}
	for _, other := range inForce {
		if other.Kind >= meas.Kind {
			m.log.Info("measure already in force", "provider", meas.ProviderID, "measure", other.Kind, "id", other.ID)
			return nil
		}
	}
	n := notice(meas, false)
	if err := m.o.Measures.CreateMeasure(ctx, meas, n); err != nil {
		return err
	}
	m.log.Warn("measure taken", "provider", meas.ProviderID, "measure", meas.Kind, "id", meas.ID, "reason", meas.Reason)
	if err := m.appendLedger(ctx, meas, false); err != nil {
		m.log.Error("sanction: ledger append failed; the entry stays pending", "measure", meas.ID, "err", err)
	}
	m.deliver(ctx, n)
	return nil
}

// appendLedger appends the ledger entry of a measure (lift false) or of
// its lift, and records where.
func (m *Monitor) appendLedger(ctx context.Context, meas *bawwab.Measure, lift bool) error {
	if m.o.Ledger == nil {
		return nil
	}
	e := LedgerEntry(meas, lift, m.o.Origin)
	idx, err := m.o.Ledger.Append(ctx, e)
	if err != nil {
		return err
	}
	if lift {
		meas.LiftOrigin, meas.LiftLedgerIndex = m.o.Origin, idx
	} else {
		meas.Origin, meas.LedgerIndex = m.o.Origin, idx
	}
	return m.o.Measures.SetMeasureLedgerIndex(ctx, meas.ID, lift, m.o.Origin, idx)
}

// LedgerEntry returns the ledger entry of a measure (EntryMeasure, Action
// warning, throttle or suspend) or, with lift, of its lift (Action lift):
// the provider, who and why, and Refs to the entries that justify it (or,
// for a lift, to the measure's entry) that are in the ledger origin.
func LedgerEntry(meas *bawwab.Measure, lift bool, origin string) *bawwab.LedgerEntry {
	e := &bawwab.LedgerEntry{
		Kind:       bawwab.EntryMeasure,
		Time:       meas.At,
		Action:     meas.Kind.LedgerAction(),
		ProviderID: meas.ProviderID,
		Subject:    "measure:" + strconv.FormatInt(meas.ID, 10),
		Actor:      meas.Actor.String(),
		Detail:     meas.Reason,
	}
	if meas.Kind == bawwab.MeasureThrottle {
		e.Detail += fmt.Sprintf(" [rate %g/s]", meas.Rate)
	}
	if lift {
		e.Time, e.Action, e.Actor, e.Detail = meas.LiftedAt, bawwab.LiftAction, meas.LiftedBy.String(), meas.LiftReason
		if meas.Origin == origin && meas.LedgerIndex >= 0 {
			e.Refs = []int64{meas.LedgerIndex}
		}
		return e
	}
	if meas.Origin == "" || meas.Origin == origin {
		e.Refs = slices.Clone(meas.Refs)
	}
	return e
}

// Lift lifts a measure: only a regulator may, and must say why. The
// provider's status falls back to the strongest measure still in force,
// on every node (through the store) and on this one at once (OnChange);
// the lift is recorded in the ledger and notified to the provider, and
// the provider's counts start again from the lift.
func (m *Monitor) Lift(ctx context.Context, id int64, by bawwab.Actor, reason string) (*bawwab.Measure, error) {
	if err := by.Validate(); err != nil {
		return nil, err
	}
	if by.Role != bawwab.RoleRegulator {
		return nil, bawwab.Errorf(bawwab.EFORBIDDEN, "only a regulator lifts a measure (actor %s)", by)
	}
	if reason == "" {
		return nil, bawwab.InvalidField("reason", "missing: say why the measure is lifted")
	}
	at := m.now()
	meas, err := m.o.Measures.FindMeasureByID(ctx, id)
	if err != nil {
		return nil, err
	}
	lifted := *meas
	lifted.LiftedAt, lifted.LiftedBy, lifted.LiftReason = at, by, reason
	n := notice(&lifted, true)
	meas, err = m.o.Measures.LiftMeasure(ctx, id, at, by, reason, n)
	if err != nil {
		return nil, err
	}
	if err := m.appendLedger(ctx, meas, true); err != nil {
		m.log.Error("sanction: ledger append failed; the lift stays pending", "measure", meas.ID, "err", err)
	}
	if err := m.refreshProvider(ctx, meas.ProviderID); err != nil {
		return meas, err
	}
	m.deliver(ctx, n)
	return meas, nil
}

// refreshProvider sets a provider's status from its measures in force in
// the store, and its baseline from its last lift.
func (m *Monitor) refreshProvider(ctx context.Context, providerID string) error {
	ms, _, err := m.o.Measures.FindMeasures(ctx, bawwab.MeasureFilter{ProviderID: &providerID, Limit: 1000})
	if err != nil {
		return err
	}
	m.apply(providerID, ms)
	return nil
}

// apply sets a provider's status and baseline from its measures.
func (m *Monitor) apply(providerID string, ms []*bawwab.Measure) {
	ps := m.state(providerID)
	st := Status{}
	var lastLift int64
	for _, meas := range ms {
		if meas.Active() {
			if meas.Kind > st.Kind {
				st.Kind = meas.Kind
			}
			if meas.Kind == bawwab.MeasureThrottle {
				st.Rate = meas.Rate
			}
		} else {
			lastLift = max(lastLift, meas.LiftedAt.Unix())
		}
	}
	if st.Kind != bawwab.MeasureThrottle && st.Kind != bawwab.MeasureSuspension {
		st.Rate = 0
	}
	ps.mu.Lock()
	// A measure raised here and not yet recorded stays in force.
	m.qmu.Lock()
	for _, q := range m.queue {
		if q.ProviderID == providerID && q.Kind > st.Kind {
			st = Status{Kind: q.Kind, Rate: q.Rate}
		}
	}
	m.qmu.Unlock()
	if lastLift > ps.baseline.Load() {
		ps.baseline.Store(lastLift)
	}
	old := *ps.status.Load()
	if old != st {
		ps.status.Store(&st)
	}
	ps.mu.Unlock()
	if old != st && m.o.OnChange != nil {
		m.o.OnChange(providerID, st)
	}
}
