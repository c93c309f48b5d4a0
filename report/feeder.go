package report

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Africa/Casablanca on hosts without a zone database

	"github.com/bawwab/bawwab"
)

// Source is the ledger a feeder follows: a *ledger.Ledger (its durable
// entries) or a *ledger.Reader.
type Source interface {
	Len() int64
	FindEntries(ctx context.Context, f bawwab.LedgerFilter) iter.Seq2[*bawwab.LedgerEntry, error]
}

// Feeder keeps the store's aggregates and delivery index up with one
// ledger. It reads the ledger from the store's mark (the first entry not
// yet fed) to the ledger's durable end, in batches, and adds each batch in
// one transaction that also moves the mark: every entry is counted exactly
// once, whatever crashes, restarts or concurrent rebuilds happen. It
// follows the ledger rather than being handed entries, so that everything
// appended to the ledger is counted — decisions, oppositions, complaints,
// measures — in ledger order, by whichever process appended it.
//
// The gateway starts one per ledger: CatchUp at start (before the sanction
// monitor loads its counters from the aggregates), then Run in the
// background, and Kick after appends when it wants the aggregates fresh
// sooner than Interval.
type Feeder struct {
	Store  bawwab.ReportService
	Ledger Source
	// Origin names the ledger (its checkpoints' origin: one per node).
	Origin string
	// SenderCategory returns the category registered for a sender ID,
	// from the registry (CategoryUnknown when it does not know it); nil
	// counts every sender as unknown. See bawwab.DecisionCategory.
	SenderCategory func(sender string) bawwab.Category
	// Location is the time zone of the daily aggregates (default
	// Africa/Casablanca).
	Location *time.Location
	// BatchSize is the most entries of one transaction (default 10 000).
	BatchSize int
	// Interval is how often Run looks for new entries (default 500 ms).
	Interval time.Duration
	// DeliveryRetention is how long deliveries stay indexed for the
	// complaint desk (default 8 days: the complaint window and a margin).
	DeliveryRetention time.Duration
	// Now is the clock, for the delivery purge (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger

	once sync.Once
	kick chan struct{}
}

// Casablanca is the time zone of Morocco, in which reports count days.
var Casablanca = func() *time.Location {
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		return time.FixedZone("+01", 3600)
	}
	return loc
}()

func (f *Feeder) init() {
	f.once.Do(func() { f.kick = make(chan struct{}, 1) })
}

func (f *Feeder) location() *time.Location {
	if f.Location != nil {
		return f.Location
	}
	return Casablanca
}

// Kick wakes Run to feed what was appended, without waiting for the
// interval. It never blocks.
func (f *Feeder) Kick() {
	f.init()
	select {
	case f.kick <- struct{}{}:
	default:
	}
}

// CatchUp feeds every durable entry of the ledger not yet fed, and returns
// how many it fed.
func (f *Feeder) CatchUp(ctx context.Context) (int64, error) {
	batch := f.BatchSize
	if batch <= 0 {
		batch = 10000
	}
	mark, err := f.Store.FeedMark(ctx, f.Origin)
	if err != nil {
		return 0, fmt.Errorf("feed reports: %w", err)
	}
	var fed int64
	end := f.Ledger.Len()
	var b Batch
	for mark < end {
		to := min(mark+int64(batch), end)
		b.Reset(f.Origin, mark, f.location(), f.SenderCategory)
		for e, err := range f.Ledger.FindEntries(ctx, bawwab.LedgerFilter{FromIndex: mark, ToIndex: to}) {
			if err != nil {
				return fed, fmt.Errorf("feed reports: read ledger: %w", err)
			}
			b.Add(e)
		}
		if b.next != to {
			return fed, fmt.Errorf("feed reports: the ledger yielded entries %d to %d of [%d, %d)", mark, b.next, mark, to)
		}
		err := f.Store.ApplyFeed(ctx, b.FeedBatch())
		if bawwab.ErrorCode(err) == bawwab.ECONFLICT {
			// Another feeder (a rebuild) moved the mark: go on from it.
			if mark, err = f.Store.FeedMark(ctx, f.Origin); err != nil {
				return fed, fmt.Errorf("feed reports: %w", err)
			}
			continue
		}
		if err != nil {
			return fed, fmt.Errorf("feed reports: %w", err)
		}
		fed += to - mark
		mark = to
	}
	return fed, nil
}

// Run feeds new entries every Interval (or when kicked) until ctx is
// done, and purges the deliveries past DeliveryRetention once an hour.
func (f *Feeder) Run(ctx context.Context) error {
	f.init()
	iv := f.Interval
	if iv <= 0 {
		iv = 500 * time.Millisecond
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	var lastPurge time.Time
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for {
		if _, err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
			log.Error("report feeder", "origin", f.Origin, "err", err)
		}
		now := time.Now()
		if f.Now != nil {
			now = f.Now()
		}
		if now.Sub(lastPurge) >= time.Hour {
			keep := f.DeliveryRetention
			if keep <= 0 {
				keep = 8 * 24 * time.Hour
			}
			if _, err := f.Store.PurgeDeliveries(ctx, now.Add(-keep)); err != nil && ctx.Err() == nil {
				log.Error("report feeder: purge deliveries", "err", err)
			}
			lastPurge = now
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-f.kick:
		}
	}
}

// Rebuild drops every aggregate and delivery and feeds them again from
// the ledgers, from their first entry: after a change of the rules of
// counting, or to check the live aggregates (they must come out equal).
func Rebuild(ctx context.Context, store bawwab.ReportService, feeders ...*Feeder) (int64, error) {
	if err := store.ResetFeed(ctx); err != nil {
		return 0, fmt.Errorf("rebuild reports: %w", err)
	}
	var total int64
	for _, f := range feeders {
		n, err := f.CatchUp(ctx)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// tallyKey is a Tally's dimensions, comparable.
type tallyKey struct {
	hour, day int64 // Unix hours; Unix days of the local date
	provider  string
	operator  string
	kind      bawwab.EntryKind
	category  bawwab.Category
	outcome   bawwab.Outcome
	mode      bawwab.Mode
	reason    bawwab.Reason
	flag      bawwab.Reason
	action    string
}

// Batch gathers the tallies and deliveries of consecutive ledger entries.
type Batch struct {
	origin     string
	from, next int64
	loc        *time.Location
	category   func(string) bawwab.Category
	tallies    map[tallyKey]int64
	deliveries []bawwab.Delivery
	// The local date of the last hour seen, to compute each entry's day
	// without a time zone conversion per entry.
	lastHour, lastDay int64
}

// Reset empties the batch for the entries from index from of a ledger.
func (b *Batch) Reset(origin string, from int64, loc *time.Location, category func(string) bawwab.Category) {
	b.origin, b.from, b.next, b.loc, b.category = origin, from, from, loc, category
	if b.tallies == nil {
		b.tallies = make(map[tallyKey]int64)
	}
	clear(b.tallies)
	b.deliveries = b.deliveries[:0]
	b.lastHour = -1 << 62
}

// Add counts one entry, the next of the ledger.
func (b *Batch) Add(e *bawwab.LedgerEntry) {
	b.next = e.Index + 1
	k := keyOf(e, b.category)
	sec := e.Time.Unix()
	k.hour = floorDiv(sec, 3600)
	k.day = b.localDay(e.Time, k.hour)
	b.tallies[k]++
	if e.Kind == bawwab.EntryDecision && e.Outcome != bawwab.Reject && !e.Recipient.IsZero() {
		b.deliveries = append(b.deliveries, bawwab.Delivery{Origin: b.origin, Index: e.Index, Time: e.Time, Recipient: e.Recipient})
	}
}

// localDay returns the Unix day of the local date of t. Moroccan time
// changes on whole hours, so the date is the same through an hour: it is
// computed once per hour seen.
func (b *Batch) localDay(t time.Time, hour int64) int64 {
	if hour == b.lastHour {
		return b.lastDay
	}
	y, m, d := t.In(b.loc).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	_, off := t.In(b.loc).Zone()
	if off%3600 == 0 {
		b.lastHour, b.lastDay = hour, day
	}
	return day
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// keyOf returns the dimensions an entry is counted under (without its
// hour and day).
func keyOf(e *bawwab.LedgerEntry, category func(string) bawwab.Category) tallyKey {
	k := tallyKey{provider: e.ProviderID, operator: e.OperatorID, kind: e.Kind, action: e.Action}
	if e.Kind == bawwab.EntryDecision {
		reg := bawwab.CategoryUnknown
		if category != nil && e.SenderID != "" {
			reg = category(e.SenderID)
		}
		k.category = bawwab.DecisionCategory(e, reg)
		k.outcome, k.mode, k.reason, k.flag = e.Outcome, e.Mode, e.Reason, e.Flag
		k.action = ""
	}
	return k
}

// Len returns the number of distinct tallies in the batch.
func (b *Batch) Len() int { return len(b.tallies) }

// FeedBatch returns the batch as the store takes it, tallies sorted.
func (b *Batch) FeedBatch() *bawwab.FeedBatch {
	fb := &bawwab.FeedBatch{Origin: b.origin, From: b.from, To: b.next, Deliveries: b.deliveries}
	fb.Tallies = make([]bawwab.Tally, 0, len(b.tallies))
	for k, n := range b.tallies {
		fb.Tallies = append(fb.Tallies, bawwab.Tally{
			Hour: time.Unix(k.hour*3600, 0).UTC(), Day: time.Unix(k.day*86400, 0).UTC(),
			ProviderID: k.provider, OperatorID: k.operator, Kind: k.kind, Category: k.category,
			Outcome: k.outcome, Reason: k.reason, Flag: k.flag, Mode: k.mode, Action: k.action, N: n,
		})
	}
	slices.SortFunc(fb.Tallies, CompareTallies)
	return fb
}

// CompareTallies orders tallies by hour, day, then every dimension.
func CompareTallies(a, b bawwab.Tally) int {
	return cmp.Or(a.Hour.Compare(b.Hour), a.Day.Compare(b.Day),
		strings.Compare(a.ProviderID, b.ProviderID), strings.Compare(a.OperatorID, b.OperatorID),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Outcome, b.Outcome),
		strings.Compare(string(a.Reason), string(b.Reason)), strings.Compare(string(a.Flag), string(b.Flag)),
		cmp.Compare(a.Mode, b.Mode), strings.Compare(a.Action, b.Action))
}

// SenderCategories returns the SenderCategory function of a registry's
// sender IDs: the category registered for a sender ID, matched as
// submitted or ignoring case (sender IDs are unique ignoring case). The
// gateway and `bawwab report rebuild` build it from the same registry, so
// that live and rebuilt aggregates agree.
func SenderCategories(senders []*bawwab.SenderID) func(string) bawwab.Category {
	exact := make(map[string]bawwab.Category, len(senders))
	folded := make(map[string]bawwab.Category, len(senders))
	for _, s := range senders {
		exact[s.Value] = s.Category
		folded[strings.ToLower(s.Value)] = s.Category
	}
	return func(v string) bawwab.Category {
		if c, ok := exact[v]; ok {
			return c
		}
		return folded[strings.ToLower(v)]
	}
}
