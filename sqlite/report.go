package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// ReportService keeps the aggregates and the delivery index on SQLite.
type ReportService struct {
	db *DB
}

var _ bawwab.ReportService = (*ReportService)(nil)

// NewReportService returns the aggregates of db.
func NewReportService(db *DB) *ReportService { return &ReportService{db: db} }

// FeedMark implements bawwab.ReportService.
func (s *ReportService) FeedMark(ctx context.Context, origin string) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("read the feed")
	}
	var next int64
	err := s.db.read.QueryRowContext(ctx, "SELECT next FROM feed_marks WHERE origin = ?", origin).Scan(&next)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read feed mark: %w", err)
	}
	return next, nil
}

const aggCols = "provider, operator, kind, category, outcome, reason, flag, mode, action"

// ApplyFeed implements bawwab.ReportService.
func (s *ReportService) ApplyFeed(ctx context.Context, b *bawwab.FeedBatch) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("feed reports")
	}
	if b.To < b.From || b.From < 0 {
		return bawwab.Errorf(bawwab.EINVALID, "feed batch [%d, %d)", b.From, b.To)
	}
	daily := dailyTallies(b.Tallies)
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		var mark int64
		err := tx.QueryRowContext(ctx, "SELECT next FROM feed_marks WHERE origin = ?", b.Origin).Scan(&mark)
		if err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("read feed mark: %w", err)
		}
		if mark != b.From {
			return bawwab.Errorf(bawwab.ECONFLICT, "ledger %q is fed up to entry %d, not %d", b.Origin, mark, b.From)
		}
		if err := upsertTallies(ctx, tx, "agg_hourly", "hour", b.Tallies, func(t *bawwab.Tally) int64 { return t.Hour.Unix() / 3600 }); err != nil {
			return err
		}
		if err := upsertTallies(ctx, tx, "agg_daily", "day", daily, func(t *bawwab.Tally) int64 { return t.Day.Unix() / 86400 }); err != nil {
			return err
		}
		if len(b.Deliveries) > 0 {
			st, err := tx.PrepareContext(ctx, "INSERT INTO deliveries (recipient, at, origin, idx) VALUES (?, ?, ?, ?)")
			if err != nil {
				return err
			}
			defer st.Close()
			rctx := rowContext(ctx)
			for i, d := range b.Deliveries {
				if i%cancelCheck == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				if _, err := st.ExecContext(rctx, recipientKey(d.Recipient), d.Time.UnixMicro(), d.Origin, d.Index); err != nil {
					return fmt.Errorf("index delivery: %w", err)
				}
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO feed_marks (origin, next) VALUES (?, ?) ON CONFLICT (origin) DO UPDATE SET next = excluded.next",
			b.Origin, b.To); err != nil {
			return fmt.Errorf("move feed mark: %w", err)
		}
		return nil
	})
}

// dailyTallies sums tallies per day and dimensions.
func dailyTallies(ts []bawwab.Tally) []bawwab.Tally {
	type key struct {
		day int64
		t   bawwab.Tally
	}
	sums := map[key]int64{}
	var order []key
	for _, t := range ts {
		k := key{day: t.Day.Unix(), t: t}
		k.t.Hour, k.t.Day, k.t.N = time.Time{}, time.Time{}, 0
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += t.N
	}
	out := make([]bawwab.Tally, len(order))
	for i, k := range order {
		out[i] = k.t
		out[i].Day, out[i].N = time.Unix(k.day, 0).UTC(), sums[k]
	}
	return out
}

func upsertTallies(ctx context.Context, tx *sql.Tx, table, timeCol string, ts []bawwab.Tally, at func(*bawwab.Tally) int64) error {
	if len(ts) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO "+table+" ("+timeCol+", "+aggCols+", n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "+
		"ON CONFLICT ("+timeCol+", "+aggCols+") DO UPDATE SET n = n + excluded.n")
	if err != nil {
		return err
	}
	defer st.Close()
	rctx := rowContext(ctx)
	for i := range ts {
		if i%cancelCheck == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		t := &ts[i]
		if _, err := st.ExecContext(rctx, at(t), t.ProviderID, t.OperatorID, int(t.Kind), int(t.Category), int(t.Outcome),
			string(t.Reason), string(t.Flag), int(t.Mode), t.Action, t.N); err != nil {
			return fmt.Errorf("add to %s: %w", table, err)
		}
	}
	return nil
}

// ResetFeed implements bawwab.ReportService.
func (s *ReportService) ResetFeed(ctx context.Context) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("reset the reports")
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"agg_hourly", "agg_daily", "deliveries", "feed_marks"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fmt.Errorf("reset %s: %w", t, err)
			}
		}
		return nil
	})
}

var dimCols = [bawwab.NumAggregateDims]string{"", "provider", "operator", "kind", "category", "outcome", "reason", "flag", "mode", "action"}

// Aggregate implements bawwab.ReportService. It reads the rows in range
// and sums them in Go: SQLite would sort them for a GROUP BY on columns
// that are not a prefix of the key, which costs it twice the scan.
func (s *ReportService) Aggregate(ctx context.Context, q bawwab.AggregateQuery) ([]bawwab.Tally, error) {
	table, timeCol, unit := "agg_hourly", "hour", int64(3600)
	if q.Daily {
		table, timeCol, unit = "agg_daily", "day", 86400
	}
	var cols []string
	var dims []bawwab.AggregateDim
	for d := bawwab.DimTime; d < bawwab.NumAggregateDims; d++ {
		if q.Groups(d) {
			dims = append(dims, d)
			if d == bawwab.DimTime {
				cols = append(cols, timeCol)
			} else {
				cols = append(cols, dimCols[d])
			}
		}
	}
	var conds []string
	var args []any
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	if p, ok := tenant(ctx); ok {
		add("provider = ?", p)
	}
	if !q.From.IsZero() {
		add(timeCol+" >= ?", floorUnit(q.From.Unix(), unit))
	}
	if !q.To.IsZero() {
		add(timeCol+" < ?", ceilUnit(q.To.Unix(), unit))
	}
	if q.ProviderID != "" {
		add("provider = ?", q.ProviderID)
	}
	if q.OperatorID != "" {
		add("operator = ?", q.OperatorID)
	}
	if len(q.Kinds) > 0 {
		ph := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			ph[i] = "?"
			args = append(args, int(k))
		}
		conds = append(conds, "kind IN ("+strings.Join(ph, ", ")+")")
	}
	query := "SELECT " + strings.Join(append(slices.Clone(cols), "n"), ", ") + " FROM " + table + whereClause(conds)
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	defer rows.Close()
	type key struct {
		tm                            int64
		prov, oper, reason, flag, act string
		kind, cat, outcome, mode      int
	}
	var k key
	var n int64
	dest := make([]any, len(dims)+1)
	for i, d := range dims {
		dest[i] = map[bawwab.AggregateDim]any{bawwab.DimTime: &k.tm, bawwab.DimProvider: &k.prov, bawwab.DimOperator: &k.oper,
			bawwab.DimKind: &k.kind, bawwab.DimCategory: &k.cat, bawwab.DimOutcome: &k.outcome, bawwab.DimReason: &k.reason,
			bawwab.DimFlag: &k.flag, bawwab.DimMode: &k.mode, bawwab.DimAction: &k.act}[d]
	}
	dest[len(dims)] = &n
	sums := map[key]int64{}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
		sums[k] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	out := make([]bawwab.Tally, 0, len(sums))
	for k, n := range sums {
		t := bawwab.Tally{ProviderID: k.prov, OperatorID: k.oper, Kind: bawwab.EntryKind(k.kind), Category: bawwab.Category(k.cat),
			Outcome: bawwab.Outcome(k.outcome), Reason: bawwab.Reason(k.reason), Flag: bawwab.Reason(k.flag), Mode: bawwab.Mode(k.mode), Action: k.act, N: n}
		if q.Groups(bawwab.DimTime) {
			if q.Daily {
				t.Day = time.Unix(k.tm*unit, 0).UTC()
			} else {
				t.Hour = time.Unix(k.tm*unit, 0).UTC()
			}
		}
		out = append(out, t)
	}
	if len(dims) == 0 && len(out) == 0 {
		return nil, nil
	}
	slices.SortFunc(out, compareTallies)
	return out, nil
}

// compareTallies orders tallies as ORDER BY the dimensions in their order
// would: time, provider, operator, kind, category, outcome, reason, flag,
// mode, action.
func compareTallies(a, b bawwab.Tally) int {
	return cmp.Or(a.Hour.Compare(b.Hour), a.Day.Compare(b.Day),
		strings.Compare(a.ProviderID, b.ProviderID), strings.Compare(a.OperatorID, b.OperatorID),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Outcome, b.Outcome),
		strings.Compare(string(a.Reason), string(b.Reason)), strings.Compare(string(a.Flag), string(b.Flag)),
		cmp.Compare(a.Mode, b.Mode), strings.Compare(a.Action, b.Action))
}

func floorUnit(sec, unit int64) int64 {
	q := sec / unit
	if sec%unit != 0 && sec < 0 {
		q--
	}
	return q
}

func ceilUnit(sec, unit int64) int64 {
	q := floorUnit(sec, unit)
	if q*unit < sec {
		q++
	}
	return q
}

// PurgeDeliveries implements bawwab.ReportService.
func (s *ReportService) PurgeDeliveries(ctx context.Context, before time.Time) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("purge deliveries")
	}
	var n int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM deliveries WHERE at < ?", before.UnixMicro())
		if err != nil {
			return fmt.Errorf("purge deliveries: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func sortDeliveries(ds []bawwab.Delivery) {
	slices.SortFunc(ds, func(a, b bawwab.Delivery) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Origin, b.Origin), cmp.Compare(a.Index, b.Index))
	})
}
