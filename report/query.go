package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// Dim is what a report's rows are per.
type Dim uint8

const (
	ByDay Dim = iota
	ByProvider
	ByOperator
)

// ParseBy reads a comma-separated list of day, provider and operator.
func ParseBy(s string) ([]Dim, error) {
	var out []Dim
	for _, p := range strings.Split(s, ",") {
		var d Dim
		switch strings.TrimSpace(p) {
		case "day":
			d = ByDay
		case "provider":
			d = ByProvider
		case "operator":
			d = ByOperator
		default:
			return nil, bawwab.Errorf(bawwab.EINVALID, "unknown grouping %q (want day, provider or operator, comma-separated)", p)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

// Filter selects what a report covers.
type Filter struct {
	// From and To are local dates (as midnight UTC of the date, see
	// Date): the report covers [From, To]. Zero means no bound.
	From, To   time.Time
	ProviderID string
	OperatorID string
	// By says what a row is per (default day, provider and operator).
	By []Dim
}

// Date returns the date of t as midnight UTC, the form of report days.
func Date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// LocalDate returns the date t falls on in loc (nil: Casablanca), as
// midnight UTC.
func LocalDate(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = Casablanca
	}
	y, m, d := t.In(loc).Date()
	return Date(y, m, d)
}

// Row is one line of a report: the counts of one day, provider and
// operator (or of all of those not grouped by).
type Row struct {
	Day        time.Time `json:"day,omitzero"`
	ProviderID string    `json:"provider_id,omitempty"`
	OperatorID string    `json:"operator_id,omitempty"`
	// Decisions: every submission decided; accepted (passed on, flagged or
	// monitored ones included), deferred, rejected, and the rejections by
	// reason.
	Submitted  int64                   `json:"submitted"`
	Accepted   int64                   `json:"accepted"`
	Deferred   int64                   `json:"deferred"`
	Rejected   int64                   `json:"rejected"`
	Rejections map[bawwab.Reason]int64 `json:"rejections,omitempty"`
	// Flagged were passed and counted as violations (mislabelled
	// commercial traffic passed per configuration); Monitored were passed
	// because the rule that found them runs in monitor mode.
	Flagged   int64 `json:"flagged"`
	Monitored int64 `json:"monitored"`
	// Oppositions received: STOPs and STARTs.
	Stops  int64 `json:"stops"`
	Starts int64 `json:"starts"`
	// Complaints: reports matched (cases opened) or not, cases confirmed
	// and dismissed.
	ComplaintsOpened    int64 `json:"complaints_opened"`
	ComplaintsUnmatched int64 `json:"complaints_unmatched"`
	ComplaintsConfirmed int64 `json:"complaints_confirmed"`
	ComplaintsDismissed int64 `json:"complaints_dismissed"`
	// Measures taken and lifted.
	Warnings    int64 `json:"warnings"`
	Throttles   int64 `json:"throttles"`
	Suspensions int64 `json:"suspensions"`
	Lifts       int64 `json:"lifts"`
}

// add counts a tally into the row.
func (r *Row) add(t *bawwab.Tally) {
	switch t.Kind {
	case bawwab.EntryDecision:
		r.Submitted += t.N
		switch t.Outcome {
		case bawwab.Accept:
			r.Accepted += t.N
			if t.Mode == bawwab.Monitor && t.Reason != bawwab.ReasonNone {
				r.Monitored += t.N
			}
		case bawwab.Defer:
			r.Deferred += t.N
		case bawwab.Reject:
			r.Rejected += t.N
			if r.Rejections == nil {
				r.Rejections = map[bawwab.Reason]int64{}
			}
			r.Rejections[t.Reason] += t.N
		}
		if t.Flag != bawwab.ReasonNone && t.Outcome != bawwab.Reject {
			r.Flagged += t.N
		}
	case bawwab.EntryOpposition:
		switch t.Action {
		case "stop":
			r.Stops += t.N
		case "start":
			r.Starts += t.N
		}
	case bawwab.EntryComplaint:
		switch t.Action {
		case bawwab.ComplaintActionOpened:
			r.ComplaintsOpened += t.N
		case bawwab.ComplaintActionUnmatched:
			r.ComplaintsUnmatched += t.N
		case bawwab.ComplaintActionConfirmed:
			r.ComplaintsConfirmed += t.N
		case bawwab.ComplaintActionDismissed:
			r.ComplaintsDismissed += t.N
		}
	case bawwab.EntryMeasure:
		switch t.Action {
		case bawwab.MeasureWarning.LedgerAction():
			r.Warnings += t.N
		case bawwab.MeasureThrottle.LedgerAction():
			r.Throttles += t.N
		case bawwab.MeasureSuspension.LedgerAction():
			r.Suspensions += t.N
		case bawwab.LiftAction:
			r.Lifts += t.N
		}
	}
}

// reportKinds are the entry kinds reports count.
var reportKinds = []bawwab.EntryKind{bawwab.EntryDecision, bawwab.EntryOpposition, bawwab.EntryComplaint, bawwab.EntryMeasure}

// Table returns the rows of a report from the daily aggregates, sorted by
// day, provider and operator.
func Table(ctx context.Context, svc bawwab.ReportService, f Filter) ([]Row, error) {
	by := f.By
	if len(by) == 0 {
		by = []Dim{ByDay, ByProvider, ByOperator}
	}
	q := bawwab.AggregateQuery{Daily: true, From: f.From, ProviderID: f.ProviderID, OperatorID: f.OperatorID, Kinds: reportKinds,
		GroupBy: []bawwab.AggregateDim{bawwab.DimKind, bawwab.DimOutcome, bawwab.DimReason, bawwab.DimFlag, bawwab.DimMode, bawwab.DimAction}}
	if !f.To.IsZero() {
		q.To = f.To.AddDate(0, 0, 1)
	}
	for _, d := range by {
		q.GroupBy = append(q.GroupBy, map[Dim]bawwab.AggregateDim{ByDay: bawwab.DimTime, ByProvider: bawwab.DimProvider, ByOperator: bawwab.DimOperator}[d])
	}
	tallies, err := svc.Aggregate(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	type key struct {
		day                time.Time
		provider, operator string
	}
	rows := map[key]*Row{}
	for i := range tallies {
		t := &tallies[i]
		k := key{day: t.Day, provider: t.ProviderID, operator: t.OperatorID}
		r := rows[k]
		if r == nil {
			r = &Row{Day: t.Day, ProviderID: t.ProviderID, OperatorID: t.OperatorID}
			rows[k] = r
		}
		r.add(t)
	}
	out := make([]Row, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(a.Day.Compare(b.Day), strings.Compare(a.ProviderID, b.ProviderID), strings.Compare(a.OperatorID, b.OperatorID))
	})
	return out, nil
}

// Volume is the decisions of one hour or day.
type Volume struct {
	Time      time.Time `json:"time"`
	Submitted int64     `json:"submitted"`
	Accepted  int64     `json:"accepted"`
	Deferred  int64     `json:"deferred"`
	Rejected  int64     `json:"rejected"`
	Flagged   int64     `json:"flagged"`
}

// ReasonCount is what the rules found for one reason.
type ReasonCount struct {
	Reason    bawwab.Reason `json:"reason"`
	Rejected  int64         `json:"rejected"`
	Deferred  int64         `json:"deferred"`
	Monitored int64         `json:"monitored"`
	Flagged   int64         `json:"flagged"`
}

// TrendPoint is a day of oppositions, complaints and measures.
type TrendPoint struct {
	Day                 time.Time `json:"day"`
	Stops               int64     `json:"stops"`
	Starts              int64     `json:"starts"`
	ComplaintsOpened    int64     `json:"complaints_opened"`
	ComplaintsUnmatched int64     `json:"complaints_unmatched"`
	ComplaintsConfirmed int64     `json:"complaints_confirmed"`
	ComplaintsDismissed int64     `json:"complaints_dismissed"`
	Measures            int64     `json:"measures"`
	Lifts               int64     `json:"lifts"`
}

// Violator is a provider's violations over the overview's period.
type Violator struct {
	ProviderID string `json:"provider_id"`
	// Violations are the refusals for the rules' reasons (R1 to R9, in
	// enforce mode) and the flags.
	Violations          int64                   `json:"violations"`
	ByReason            map[bawwab.Reason]int64 `json:"by_reason"`
	ComplaintsConfirmed int64                   `json:"complaints_confirmed"`
	Submitted           int64                   `json:"submitted"`
}

// Overview is what the web console's first page shows.
type Overview struct {
	Now time.Time `json:"now"`
	// Hourly is the last 48 hours, one point an hour (UTC hours), oldest
	// first; Daily the last 30 local days.
	Hourly []Volume `json:"hourly"`
	Daily  []Volume `json:"daily"`
	// Reasons are the rules' findings over the 30 days, most frequent
	// first.
	Reasons []ReasonCount `json:"reasons"`
	// Trend is oppositions, complaints and measures per day, 30 days.
	Trend []TrendPoint `json:"trend"`
	// TopViolators are the (at most 10) providers with the most
	// violations over the 30 days.
	TopViolators []Violator `json:"top_violators"`
}

// Scope restricts an overview to a provider or an operator (a console
// user's own), or neither (a regulator).
type Scope struct {
	ProviderID string
	OperatorID string
}

// Days and hours the overview covers.
const (
	OverviewHours = 48
	OverviewDays  = 30
	TopViolators  = 10
)

// BuildOverview answers the console's overview from the aggregates, in
// two queries run side by side: the decisions per hour of the last 48
// hours, and the daily aggregates of 30 days, from which the volumes per
// day, the findings by reason, the oppositions, complaints and measures
// per day, and the providers with the most violations are all computed
// here (one scan of a few tens of thousands of rows, rather than a
// GROUP BY per view).
func BuildOverview(ctx context.Context, svc bawwab.ReportService, now time.Time, scope Scope, loc *time.Location) (*Overview, error) {
	if loc == nil {
		loc = Casablanca
	}
	now = now.UTC()
	endHour := now.Truncate(time.Hour).Add(time.Hour)
	startHour := endHour.Add(-OverviewHours * time.Hour)
	today := LocalDate(now, loc)
	startDay := today.AddDate(0, 0, -(OverviewDays - 1))
	endDay := today.AddDate(0, 0, 1)
	queries := [2]bawwab.AggregateQuery{
		{From: startHour, To: endHour, Kinds: []bawwab.EntryKind{bawwab.EntryDecision},
			GroupBy: []bawwab.AggregateDim{bawwab.DimTime, bawwab.DimOutcome, bawwab.DimFlag}},
		{Daily: true, From: startDay, To: endDay, Kinds: reportKinds,
			GroupBy: []bawwab.AggregateDim{bawwab.DimTime, bawwab.DimProvider, bawwab.DimKind, bawwab.DimOutcome, bawwab.DimReason,
				bawwab.DimFlag, bawwab.DimMode, bawwab.DimAction}},
	}
	var results [2][]bawwab.Tally
	var errs [2]error
	done := make(chan struct{})
	go func() {
		q := queries[1]
		q.ProviderID, q.OperatorID = scope.ProviderID, scope.OperatorID
		results[1], errs[1] = svc.Aggregate(ctx, q)
		close(done)
	}()
	q := queries[0]
	q.ProviderID, q.OperatorID = scope.ProviderID, scope.OperatorID
	results[0], errs[0] = svc.Aggregate(ctx, q)
	<-done
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("overview: %w", err)
		}
	}
	daily := results[1]
	o := &Overview{Now: now}
	o.Hourly = volumes(results[0], startHour, OverviewHours, func(t time.Time) time.Time { return t.Add(time.Hour) }, func(t *bawwab.Tally) time.Time { return t.Hour })
	decisions := make([]bawwab.Tally, 0, len(daily))
	for _, t := range daily {
		if t.Kind == bawwab.EntryDecision {
			decisions = append(decisions, t)
		}
	}
	o.Daily = volumes(decisions, startDay, OverviewDays, func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }, func(t *bawwab.Tally) time.Time { return t.Day })

	byReason := map[bawwab.Reason]*ReasonCount{}
	count := func(r bawwab.Reason) *ReasonCount {
		c := byReason[r]
		if c == nil {
			c = &ReasonCount{Reason: r}
			byReason[r] = c
		}
		return c
	}
	trend := make([]TrendPoint, OverviewDays)
	for i := range trend {
		trend[i].Day = startDay.AddDate(0, 0, i)
	}
	viol := map[string]*Violator{}
	violator := func(id string) *Violator {
		v := viol[id]
		if v == nil {
			v = &Violator{ProviderID: id, ByReason: map[bawwab.Reason]int64{}}
			viol[id] = v
		}
		return v
	}
	for k := range daily {
		t := &daily[k]
		switch t.Kind {
		case bawwab.EntryDecision:
			if t.Reason != bawwab.ReasonNone {
				switch {
				case t.Outcome == bawwab.Reject:
					count(t.Reason).Rejected += t.N
				case t.Outcome == bawwab.Defer:
					count(t.Reason).Deferred += t.N
				case t.Mode == bawwab.Monitor:
					count(t.Reason).Monitored += t.N
				}
			}
			if t.Flag != bawwab.ReasonNone && t.Outcome != bawwab.Reject {
				count(t.Flag).Flagged += t.N
			}
			if t.ProviderID != "" {
				v := violator(t.ProviderID)
				v.Submitted += t.N
				if t.Outcome == bawwab.Reject && bawwab.IsViolation(t.Reason) {
					v.Violations += t.N
					v.ByReason[t.Reason] += t.N
				} else if t.Flag != bawwab.ReasonNone {
					v.Violations += t.N
					v.ByReason[t.Flag] += t.N
				}
			}
		case bawwab.EntryComplaint:
			if t.Action == bawwab.ComplaintActionConfirmed && t.ProviderID != "" {
				violator(t.ProviderID).ComplaintsConfirmed += t.N
			}
		}
		if t.Kind == bawwab.EntryDecision {
			continue
		}
		i := int(t.Day.Sub(startDay).Hours() / 24)
		if i < 0 || i >= len(trend) {
			continue
		}
		p := &trend[i]
		var r Row
		r.add(t)
		p.Stops += r.Stops
		p.Starts += r.Starts
		p.ComplaintsOpened += r.ComplaintsOpened
		p.ComplaintsUnmatched += r.ComplaintsUnmatched
		p.ComplaintsConfirmed += r.ComplaintsConfirmed
		p.ComplaintsDismissed += r.ComplaintsDismissed
		p.Measures += r.Warnings + r.Throttles + r.Suspensions
		p.Lifts += r.Lifts
	}
	o.Trend = trend
	for _, c := range byReason {
		o.Reasons = append(o.Reasons, *c)
	}
	slices.SortFunc(o.Reasons, func(a, b ReasonCount) int {
		return cmp.Or(cmp.Compare(b.Rejected+b.Deferred+b.Monitored+b.Flagged, a.Rejected+a.Deferred+a.Monitored+a.Flagged), strings.Compare(string(a.Reason), string(b.Reason)))
	})
	for _, v := range viol {
		if v.Violations > 0 || v.ComplaintsConfirmed > 0 {
			o.TopViolators = append(o.TopViolators, *v)
		}
	}
	slices.SortFunc(o.TopViolators, func(a, b Violator) int {
		return cmp.Or(cmp.Compare(b.Violations+b.ComplaintsConfirmed, a.Violations+a.ComplaintsConfirmed), strings.Compare(a.ProviderID, b.ProviderID))
	})
	if len(o.TopViolators) > TopViolators {
		o.TopViolators = o.TopViolators[:TopViolators]
	}
	return o, nil
}

// volumes spreads tallies over n consecutive periods from start, zeros
// included.
func volumes(ts []bawwab.Tally, start time.Time, n int, next func(time.Time) time.Time, at func(*bawwab.Tally) time.Time) []Volume {
	out := make([]Volume, n)
	index := make(map[int64]int, n)
	t := start
	for i := range out {
		out[i].Time = t
		index[t.Unix()] = i
		t = next(t)
	}
	for k := range ts {
		tl := &ts[k]
		i, ok := index[at(tl).Unix()]
		if !ok {
			continue
		}
		v := &out[i]
		v.Submitted += tl.N
		switch tl.Outcome {
		case bawwab.Accept:
			v.Accepted += tl.N
		case bawwab.Defer:
			v.Deferred += tl.N
		case bawwab.Reject:
			v.Rejected += tl.N
		}
		if tl.Flag != bawwab.ReasonNone && tl.Outcome != bawwab.Reject {
			v.Flagged += tl.N
		}
	}
	return out
}
