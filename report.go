package bawwab

import (
	"context"
	"time"
)

// Reports (RULES.md, "Control by the regulators"): volumes, rejections by
// reason, opt-outs, complaints and measures, per provider, operator and
// day. A ledger of hundreds of millions of entries cannot be scanned per
// request, so the store keeps aggregates — counts of entries per hour (and
// per day) and per provider, operator, kind, category, outcome, reason,
// flag, mode and action — that the report feeder (package report) adds to
// as the ledger grows, exactly once per entry, and that can be rebuilt
// from the ledger at any time.

// Tally is a count of ledger entries that share every dimension below.
type Tally struct {
	// Hour is the UTC hour of the entries (hourly aggregates); Day the
	// calendar day, in the report's time zone (Africa/Casablanca by
	// default), as midnight UTC of that date (daily aggregates).
	Hour time.Time `json:"hour,omitzero"`
	Day  time.Time `json:"day,omitzero"`

	ProviderID string    `json:"provider_id,omitempty"`
	OperatorID string    `json:"operator_id,omitempty"`
	Kind       EntryKind `json:"kind"`
	// Category is the traffic's category, for decisions (see
	// DecisionCategory).
	Category Category `json:"category"`
	Outcome  Outcome  `json:"outcome"`
	Reason   Reason   `json:"reason,omitempty"`
	Flag     Reason   `json:"flag,omitempty"`
	Mode     Mode     `json:"mode"`
	// Action is the entry's action: stop or start for an opposition;
	// opened, unmatched, confirmed or dismissed for a complaint; warning,
	// throttle, suspend or lift for a measure.
	Action string `json:"action,omitempty"`
	N      int64  `json:"n"`
}

// AggregateDim is one dimension of the aggregates, to group by.
type AggregateDim uint8

const (
	DimTime AggregateDim = iota // the hour or the day
	DimProvider
	DimOperator
	DimKind
	DimCategory
	DimOutcome
	DimReason
	DimFlag
	DimMode
	DimAction
	NumAggregateDims
)

var aggregateDimNames = [...]string{"time", "provider", "operator", "kind", "category", "outcome", "reason", "flag", "mode", "action"}

func (d AggregateDim) String() string {
	if int(d) < len(aggregateDimNames) {
		return aggregateDimNames[d]
	}
	return "dim?"
}

// AggregateQuery asks the store for sums of aggregates.
type AggregateQuery struct {
	// Daily reads the daily aggregates (From and To are days, as in
	// Tally.Day); otherwise the hourly ones (From and To are hours).
	Daily bool
	// From and To bound the hour or day, [From, To); zero means no bound.
	From, To   time.Time
	ProviderID string
	OperatorID string
	Kinds      []EntryKind
	// GroupBy are the dimensions kept; the others are summed over (and
	// left zero in the result).
	GroupBy []AggregateDim
}

// Groups reports whether the query keeps dimension d.
func (q *AggregateQuery) Groups(d AggregateDim) bool {
	for _, g := range q.GroupBy {
		if g == d {
			return true
		}
	}
	return false
}

// FeedBatch is what the report feeder adds to the store for the ledger
// entries [From, To) of one ledger (Origin): their tallies (each with its
// Hour and Day set) and their deliveries.
type FeedBatch struct {
	Origin     string
	From, To   int64
	Tallies    []Tally
	Deliveries []Delivery
}

// ReportService keeps the aggregates and the delivery index derived from
// the ledger, and answers the reports' queries.
//
// Exactly once: the store keeps, per ledger origin, a mark — the index of
// the first entry not yet fed — and ApplyFeed adds a batch and moves the
// mark in one transaction, only if the batch starts at the mark. A feeder
// that crashes re-reads the mark and feeds from there; two feeders of one
// ledger (a gateway and a rebuild) never count an entry twice.
//
// In a provider's context, aggregates are restricted to that provider's
// and the feed methods are EFORBIDDEN.
type ReportService interface {
	// FeedMark returns the index of the first entry of the ledger origin
	// not yet fed (0 for a ledger never fed).
	FeedMark(ctx context.Context, origin string) (int64, error)
	// ApplyFeed adds a batch (ECONFLICT when b.From is not the mark).
	ApplyFeed(ctx context.Context, b *FeedBatch) error
	// ResetFeed drops every aggregate, delivery and mark, before a rebuild
	// from the ledger.
	ResetFeed(ctx context.Context) error
	// Aggregate returns the sums asked for, sorted by the dimensions kept.
	Aggregate(ctx context.Context, q AggregateQuery) ([]Tally, error)
	// PurgeDeliveries drops the deliveries before a time (older than any
	// complaint window) and returns how many.
	PurgeDeliveries(ctx context.Context, before time.Time) (int64, error)
}

// IsCommercialReason reports whether a reason is found only in commercial
// traffic: the rules R4 to R8 apply to nothing else, and R9 finds
// commercial content under a transactional sender ID.
func IsCommercialReason(r Reason) bool {
	switch r {
	case ReasonOptOutMentionMissing, ReasonOptOutChannelInvalid, ReasonRecipientOptedOut,
		ReasonNoConsent, ReasonQuietHours, ReasonFrequencyCap, ReasonMislabelledCommercial:
		return true
	}
	return false
}

// IsViolation reports whether a reason is a rule's finding (R1 to R9), as
// opposed to a condition of the gateway (rate-limited, an SMSC down).
func IsViolation(r Reason) bool {
	info, ok := r.Info()
	return ok && info.Rule != "gateway"
}

// DecisionCategory is the category of the traffic a decision entry
// records, as the reports and the sanction counters count it: commercial
// when a rule found something only commercial traffic has (R4 to R9),
// otherwise the category registered for its sender ID (CategoryUnknown for
// a sender ID the registry does not know). The ledger does not record the
// category itself; this reads it back the same way live and on a rebuild.
func DecisionCategory(e *LedgerEntry, registered Category) Category {
	if IsCommercialReason(e.Reason) || IsCommercialReason(e.Flag) {
		return CategoryCommercial
	}
	return registered
}
