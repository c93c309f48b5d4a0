package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
)

// ReportService keeps the aggregates and the delivery index on
// PostgreSQL. Each node feeds the batches of its own ledger (origin); the
// aggregates are added to with upserts in a fixed order (the tallies
// sorted), so that nodes feeding at once wait for each other rather than
// deadlock.
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
	err := s.db.pool.QueryRow(ctx, "SELECT next FROM feed_marks WHERE origin = $1", origin).Scan(&next)
	if errors.Is(err, pgx.ErrNoRows) {
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
	hourly := sortedTallies(b.Tallies, func(t *bawwab.Tally) int64 { return t.Hour.Unix() / 3600 })
	daily := sortedTallies(b.Tallies, func(t *bawwab.Tally) int64 { return t.Day.Unix() / 86400 })
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO feed_marks (origin, next) VALUES ($1, 0) ON CONFLICT (origin) DO NOTHING", b.Origin); err != nil {
			return fmt.Errorf("read feed mark: %w", err)
		}
		var mark int64
		if err := tx.QueryRow(ctx, "SELECT next FROM feed_marks WHERE origin = $1 FOR UPDATE", b.Origin).Scan(&mark); err != nil {
			return fmt.Errorf("read feed mark: %w", err)
		}
		if mark != b.From {
			return bawwab.Errorf(bawwab.ECONFLICT, "ledger %q is fed up to entry %d, not %d", b.Origin, mark, b.From)
		}
		if err := upsertTallies(ctx, tx, "agg_hourly", "hour", hourly); err != nil {
			return err
		}
		if err := upsertTallies(ctx, tx, "agg_daily", "day", daily); err != nil {
			return err
		}
		if len(b.Deliveries) > 0 {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{"deliveries"}, []string{"recipient", "at", "origin", "idx"},
				pgx.CopyFromSlice(len(b.Deliveries), func(i int) ([]any, error) {
					d := &b.Deliveries[i]
					return []any{recipientKey(d.Recipient), d.Time, d.Origin, d.Index}, nil
				}))
			if err != nil {
				return fmt.Errorf("index deliveries: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE feed_marks SET next = $2 WHERE origin = $1", b.Origin, b.To); err != nil {
			return fmt.Errorf("move feed mark: %w", err)
		}
		return nil
	})
}

// aggRow is a tally as a row of an aggregate table: its time in units.
type aggRow struct {
	at int64
	t  bawwab.Tally
}

// sortedTallies sums tallies per time unit and dimensions, sorted.
func sortedTallies(ts []bawwab.Tally, at func(*bawwab.Tally) int64) []aggRow {
	sums := map[aggRow]int64{}
	for i := range ts {
		t := ts[i]
		k := aggRow{at: at(&t), t: t}
		k.t.Hour, k.t.Day, k.t.N = time.Time{}, time.Time{}, 0
		sums[k] += t.N
	}
	out := make([]aggRow, 0, len(sums))
	for k, n := range sums {
		k.t.N = n
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b aggRow) int {
		return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.t.ProviderID, b.t.ProviderID), strings.Compare(a.t.OperatorID, b.t.OperatorID),
			cmp.Compare(a.t.Kind, b.t.Kind), cmp.Compare(a.t.Category, b.t.Category), cmp.Compare(a.t.Outcome, b.t.Outcome),
			strings.Compare(string(a.t.Reason), string(b.t.Reason)), strings.Compare(string(a.t.Flag), string(b.t.Flag)),
			cmp.Compare(a.t.Mode, b.t.Mode), strings.Compare(a.t.Action, b.t.Action))
	})
	return out
}

func upsertTallies(ctx context.Context, tx pgx.Tx, table, timeCol string, rows []aggRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	at, n64 := make([]int64, n), make([]int64, n)
	prov, oper, reason, flag, act := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	kind, cat, outcome, mode := make([]int16, n), make([]int16, n), make([]int16, n), make([]int16, n)
	for i, r := range rows {
		t := &r.t
		at[i], n64[i] = r.at, t.N
		prov[i], oper[i], reason[i], flag[i], act[i] = t.ProviderID, t.OperatorID, string(t.Reason), string(t.Flag), t.Action
		kind[i], cat[i], outcome[i], mode[i] = int16(t.Kind), int16(t.Category), int16(t.Outcome), int16(t.Mode)
	}
	_, err := tx.Exec(ctx, "INSERT INTO "+table+" ("+timeCol+", "+aggCols+", n) "+
		"SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::smallint[], $6::smallint[], $7::text[], $8::text[], $9::smallint[], $10::text[], $11::bigint[]) "+
		"ON CONFLICT ("+timeCol+", "+aggCols+") DO UPDATE SET n = "+table+".n + excluded.n",
		at, prov, oper, kind, cat, outcome, reason, flag, mode, act, n64)
	if err != nil {
		return fmt.Errorf("add to %s: %w", table, err)
	}
	return nil
}

// ResetFeed implements bawwab.ReportService.
func (s *ReportService) ResetFeed(ctx context.Context) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("reset the reports")
	}
	_, err := s.db.pool.Exec(ctx, "TRUNCATE agg_hourly, agg_daily, deliveries, feed_marks")
	if err != nil {
		return fmt.Errorf("reset reports: %w", err)
	}
	return nil
}

var dimCols = [bawwab.NumAggregateDims]string{"", "provider", "operator", "kind", "category", "outcome", "reason", "flag", "mode", "action"}

// Aggregate implements bawwab.ReportService.
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
		ks := make([]int16, len(q.Kinds))
		for i, k := range q.Kinds {
			ks[i] = int16(k)
		}
		add("kind = ANY(?)", ks)
	}
	query := "SELECT " + strings.Join(append(slices.Clone(cols), "sum(n)::bigint"), ", ") + " FROM " + table + whereClause(conds)
	if len(cols) > 0 {
		query += " GROUP BY " + strings.Join(cols, ", ") + " ORDER BY " + strings.Join(cols, ", ")
	}
	rows, err := s.db.pool.Query(ctx, rebind(query), args...)
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	defer rows.Close()
	var out []bawwab.Tally
	dest := make([]any, len(dims)+1)
	var (
		tm                            int64
		prov, oper, reason, flag, act string
		kind, cat, outcome, mode      int16
		n                             *int64
	)
	for i, d := range dims {
		dest[i] = map[bawwab.AggregateDim]any{bawwab.DimTime: &tm, bawwab.DimProvider: &prov, bawwab.DimOperator: &oper,
			bawwab.DimKind: &kind, bawwab.DimCategory: &cat, bawwab.DimOutcome: &outcome, bawwab.DimReason: &reason,
			bawwab.DimFlag: &flag, bawwab.DimMode: &mode, bawwab.DimAction: &act}[d]
	}
	dest[len(dims)] = &n
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
		if n == nil {
			continue
		}
		t := bawwab.Tally{ProviderID: prov, OperatorID: oper, Kind: bawwab.EntryKind(kind), Category: bawwab.Category(cat),
			Outcome: bawwab.Outcome(outcome), Reason: bawwab.Reason(reason), Flag: bawwab.Reason(flag), Mode: bawwab.Mode(mode), Action: act, N: *n}
		if q.Groups(bawwab.DimTime) {
			if q.Daily {
				t.Day = time.Unix(tm*unit, 0).UTC()
			} else {
				t.Hour = time.Unix(tm*unit, 0).UTC()
			}
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	return out, nil
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
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM deliveries WHERE at < $1", before)
	if err != nil {
		return 0, fmt.Errorf("purge deliveries: %w", err)
	}
	return tag.RowsAffected(), nil
}

func sortDeliveries(ds []bawwab.Delivery) {
	slices.SortFunc(ds, func(a, b bawwab.Delivery) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Origin, b.Origin), cmp.Compare(a.Index, b.Index))
	})
}
