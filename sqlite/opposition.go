package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strings"

	"github.com/bawwab/bawwab"
)

// OppositionService is the opposition register on SQLite.
type OppositionService struct {
	db *DB
}

var _ bawwab.OppositionService = (*OppositionService)(nil)

// NewOppositionService returns the opposition register of db.
func NewOppositionService(db *DB) *OppositionService { return &OppositionService{db: db} }

const oppositionCols = "seq, msisdn, scope_kind, scope_id, action, at, channel"

// oppositionTenant restricts oppositions to the scopes that concern a
// provider: national, its own, and its advertisers'.
const oppositionTenant = "(scope_kind = 0 OR (scope_kind = 1 AND scope_id = ?) OR (scope_kind = 2 AND scope_id IN (" +
	providersAdvertisers + ")))"

func tenantOppositions(ctx context.Context, conds []string, args []any) ([]string, []any) {
	if p, ok := tenant(ctx); ok {
		conds = append(conds, oppositionTenant)
		args = append(args, p, p)
	}
	return conds, args
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func scanOpposition(s scanner, o *bawwab.Opposition) error {
	var n, at int64
	if err := s.Scan(&o.Seq, &n, &o.Scope.Kind, &o.Scope.ID, &o.Action, &at, &o.Channel); err != nil {
		return fmt.Errorf("read opposition: %w", err)
	}
	o.MSISDN = msisdnOf(n)
	o.At = fromMicros(sql.NullInt64{Int64: at, Valid: true})
	return nil
}

// scopeChecker checks opposition scopes against the registry during one
// write transaction, remembering the answers: an import names few scopes.
type scopeChecker struct {
	tx    *sql.Tx
	known map[bawwab.Scope]error
	// tenant, when restricted, is the provider the context is restricted to.
	tenant     string
	restricted bool
}

func newScopeChecker(ctx context.Context, tx *sql.Tx) *scopeChecker {
	c := &scopeChecker{tx: tx, known: map[bawwab.Scope]error{}}
	c.tenant, c.restricted = tenant(ctx)
	return c
}

func (c *scopeChecker) check(ctx context.Context, s bawwab.Scope) error {
	if err, ok := c.known[s]; ok {
		return err
	}
	err := c.lookup(ctx, s)
	if bawwab.ErrorCode(err) == bawwab.EINTERNAL {
		return err // not remembered
	}
	c.known[s] = err
	return err
}

func (c *scopeChecker) lookup(ctx context.Context, s bawwab.Scope) error {
	switch s.Kind {
	case bawwab.ScopeProvider:
		if err := refExists(ctx, c.tx, "scope", "providers", "id", s.ID, "provider"); err != nil {
			return err
		}
	case bawwab.ScopeAdvertiser:
		if err := refExists(ctx, c.tx, "scope", "advertisers", "id", s.ID, "advertiser"); err != nil {
			return err
		}
	}
	if !c.restricted {
		return nil
	}
	switch {
	case s.Kind == bawwab.ScopeProvider && s.ID == c.tenant:
		return nil
	case s.Kind == bawwab.ScopeAdvertiser:
		err := actsFor(ctx, c.tx, "scope", c.tenant, s.ID)
		if bawwab.ErrorCode(err) != bawwab.EINVALID {
			return err
		}
	}
	return forbidden("record an opposition at scope " + s.String())
}

// RecordOpposition implements bawwab.OppositionService.
func (s *OppositionService) RecordOpposition(ctx context.Context, o *bawwab.Opposition) error {
	if o.At.IsZero() {
		o.At = s.db.Now()
	}
	o.At = utc(o.At)
	if err := o.Validate(); err != nil {
		return err
	}
	n, err := number(o.MSISDN)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := newScopeChecker(ctx, tx).check(ctx, o.Scope); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx, 1)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO oppositions ("+oppositionCols+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			seq, n, int(o.Scope.Kind), o.Scope.ID, int(o.Action), o.At.UnixMicro(), o.Channel); err != nil {
			return fmt.Errorf("record opposition: %w", err)
		}
		o.Seq = seq
		return nil
	})
}

// rebuildAfter is the size from which a bulk import drops the number index
// and builds it again at the end: inserting millions of numbers in random
// order into a B-tree touches a random page for each, while building the
// index sorts them once. Into a register that holds many events already,
// the import must also reach half their number, or rebuilding the index of
// the old ones would cost more than it saves. All within the transaction,
// so that readers keep the old snapshot, index included, and a failed
// import gets the index back with the rollback.
const rebuildAfter = 200_000

// deferredIndex is an index dropped during a bulk import and created again
// from its own SQL, as sqlite_master holds it.
type deferredIndex struct {
	name string
	sql  string // set once dropped
}

func (d *deferredIndex) drop(ctx context.Context, tx *sql.Tx) error {
	if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", d.name).Scan(&d.sql); err != nil {
		return fmt.Errorf("read index %s: %w", d.name, err)
	}
	if _, err := tx.ExecContext(ctx, "DROP INDEX "+d.name); err != nil {
		return fmt.Errorf("drop index %s: %w", d.name, err)
	}
	return nil
}

func (d *deferredIndex) rebuild(ctx context.Context, tx *sql.Tx) error {
	if d.sql == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, d.sql); err != nil {
		return fmt.Errorf("build index %s: %w", d.name, err)
	}
	return nil
}

// importBatch is the number of rows per INSERT statement in bulk imports:
// fewer, larger statements cut the per-statement cost of database/sql.
const importBatch = 256

// ImportOppositions implements bawwab.OppositionService. The writer holds
// the only write connection for the whole import, so it reads the sequence
// once and writes it back at the end.
func (s *OppositionService) ImportOppositions(ctx context.Context, events iter.Seq2[bawwab.Opposition, error]) (bawwab.ImportResult, error) {
	var res bawwab.ImportResult
	now := utc(s.db.Now())
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		c := newScopeChecker(ctx, tx)
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&last); err != nil {
			return fmt.Errorf("read change sequence: %w", err)
		}
		// An estimate (from above) of the events already there: the
		// sequence numbers are dense over all events and changes.
		var existing int64
		if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM oppositions").Scan(&existing); err != nil {
			return fmt.Errorf("import oppositions: %w", err)
		}
		dropAt := max(s.db.rebuildAfter, existing/2)
		ins := newBatchInsert(tx, "oppositions", oppositionCols, 7)
		defer ins.close()
		idx := &deferredIndex{name: "oppositions_number"}
		for o, err := range events {
			if err != nil {
				return err
			}
			res.Records++
			if res.Records == dropAt {
				if err := ins.flush(ctx); err != nil {
					return fmt.Errorf("import oppositions: %w", err)
				}
				if err := idx.drop(ctx, tx); err != nil {
					return err
				}
			}
			if o.At.IsZero() {
				o.At = now
			}
			o.At = utc(o.At)
			if err := o.Validate(); err != nil {
				return &bawwab.ImportError{Record: res.Records, Err: err}
			}
			if err := c.check(ctx, o.Scope); err != nil {
				return &bawwab.ImportError{Record: res.Records, Err: err}
			}
			n, _ := number(o.MSISDN)
			if err := ins.add(ctx, last+res.Records, n, int(o.Scope.Kind), o.Scope.ID, int(o.Action), o.At.UnixMicro(), o.Channel); err != nil {
				return fmt.Errorf("import oppositions: %w", err)
			}
			if res.Records%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("import oppositions: %w", err)
		}
		if err := idx.rebuild(ctx, tx); err != nil {
			return err
		}
		if res.Records == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE seq SET last = ? WHERE id = 1", last+res.Records); err != nil {
			return fmt.Errorf("advance change sequence: %w", err)
		}
		res.Changes, res.FirstSeq, res.LastSeq = res.Records, last+1, last+res.Records
		return nil
	})
	if err != nil {
		return bawwab.ImportResult{Records: res.Records}, err
	}
	return res, nil
}

// batchInsert inserts rows importBatch at a time with a prepared
// multi-row INSERT. OR ROLLBACK: a failing row ends the whole (all or
// nothing) import anyway, and it spares SQLite a statement journal per
// statement.
type batchInsert struct {
	tx          *sql.Tx
	table, cols string
	ncols       int
	full        *sql.Stmt
	args        []any
}

func newBatchInsert(tx *sql.Tx, table, cols string, ncols int) *batchInsert {
	return &batchInsert{tx: tx, table: table, cols: cols, ncols: ncols, args: make([]any, 0, importBatch*ncols)}
}

func (b *batchInsert) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.ncols), ", ") + ")"
	return "INSERT OR ROLLBACK INTO " + b.table + " (" + b.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (b *batchInsert) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) < importBatch*b.ncols {
		return nil
	}
	if b.full == nil {
		st, err := b.tx.PrepareContext(ctx, b.query(importBatch))
		if err != nil {
			return err
		}
		b.full = st
	}
	_, err := b.full.ExecContext(ctx, b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batchInsert) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	_, err := b.tx.ExecContext(ctx, b.query(len(b.args)/b.ncols), b.args...)
	b.args = b.args[:0]
	return err
}

func (b *batchInsert) close() {
	if b.full != nil {
		b.full.Close()
	}
}

// FindOppositions implements bawwab.OppositionService.
func (s *OppositionService) FindOppositions(ctx context.Context, f bawwab.OppositionFilter) ([]*bawwab.Opposition, error) {
	var c cond
	c.conds, c.args = []string{"seq > ?"}, []any{f.AfterSeq}
	if f.MSISDN != nil {
		n, err := number(*f.MSISDN)
		if err != nil {
			return nil, err
		}
		c.eq("msisdn", n)
	}
	if f.Scope != nil {
		c.eq("scope_kind", int(f.Scope.Kind))
		c.eq("scope_id", f.Scope.ID)
	}
	eqIf(&c, "action", f.Action, func(v bawwab.OppositionAction) any { return int(v) })
	conds, args := tenantOppositions(ctx, c.conds, c.args)
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.read.QueryContext(ctx, "SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+
		" ORDER BY seq LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("find oppositions: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.Opposition
	for rows.Next() {
		o := new(bawwab.Opposition)
		if err := scanOpposition(rows, o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// FindOppositionsInForce implements bawwab.OppositionService.
func (s *OppositionService) FindOppositionsInForce(ctx context.Context, msisdn string) ([]*bawwab.Opposition, error) {
	n, err := number(msisdn)
	if err != nil {
		return nil, err
	}
	conds, args := tenantOppositions(ctx, []string{"msisdn = ?"}, []any{n})
	rows, err := s.db.read.QueryContext(ctx, "SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+" ORDER BY seq", args...)
	if err != nil {
		return nil, fmt.Errorf("find oppositions: %w", err)
	}
	defer rows.Close()
	var events []bawwab.Opposition
	for rows.Next() {
		var o bawwab.Opposition
		if err := scanOpposition(rows, &o); err != nil {
			return nil, err
		}
		events = append(events, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find oppositions: %w", err)
	}
	inForce := bawwab.OppositionsInForce(events)
	out := make([]*bawwab.Opposition, len(inForce))
	for i := range inForce {
		out[i] = &inForce[i]
	}
	return out, nil
}

// StreamOppositions implements bawwab.OppositionService: one statement,
// hence one snapshot.
func (s *OppositionService) StreamOppositions(ctx context.Context, afterSeq int64) iter.Seq2[bawwab.Opposition, error] {
	conds, args := tenantOppositions(ctx, []string{"seq > ?"}, []any{afterSeq})
	return s.stream(ctx, "SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+" ORDER BY seq", args)
}

func (s *OppositionService) stream(ctx context.Context, query string, args []any) iter.Seq2[bawwab.Opposition, error] {
	return func(yield func(bawwab.Opposition, error) bool) {
		rows, err := s.db.read.QueryContext(ctx, query, args...)
		if err != nil {
			yield(bawwab.Opposition{}, fmt.Errorf("stream oppositions: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var o bawwab.Opposition
			if err := scanOpposition(rows, &o); err != nil {
				yield(o, err)
				return
			}
			if !yield(o, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(bawwab.Opposition{}, fmt.Errorf("stream oppositions: %w", err))
		}
	}
}

// StreamOppositionStates implements bawwab.OppositionService. The events
// come ordered by number and scope from the oppositions_number index, and
// are folded one (number, scope) group at a time: memory stays constant.
func (s *OppositionService) StreamOppositionStates(ctx context.Context, sinceSeq int64) iter.Seq2[bawwab.Opposition, error] {
	var conds []string
	var args []any
	if sinceSeq > 0 {
		conds = append(conds, "msisdn IN (SELECT msisdn FROM oppositions WHERE seq > ?)")
		args = append(args, sinceSeq)
	}
	conds, args = tenantOppositions(ctx, conds, args)
	events := s.stream(ctx, "SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+
		" ORDER BY msisdn, scope_kind, scope_id, seq", args)
	return foldStates(events, sinceSeq)
}

// foldStates folds a stream of events ordered by number, scope and seq into
// one state per (number, scope): oppositions in force when sinceSeq is 0,
// every state changed after sinceSeq otherwise.
func foldStates(events iter.Seq2[bawwab.Opposition, error], sinceSeq int64) iter.Seq2[bawwab.Opposition, error] {
	return func(yield func(bawwab.Opposition, error) bool) {
		var group []bawwab.Opposition
		emit := func() bool {
			st, ok := bawwab.FoldOppositions(group)
			group = group[:0]
			if !ok {
				return true
			}
			if sinceSeq == 0 && st.Action != bawwab.ActionStop || st.Seq <= sinceSeq {
				return true
			}
			return yield(st, nil)
		}
		for o, err := range events {
			if err != nil {
				yield(o, err)
				return
			}
			if len(group) > 0 && (group[0].MSISDN != o.MSISDN || group[0].Scope != o.Scope) {
				if !emit() {
					return
				}
			}
			group = append(group, o)
		}
		emit()
	}
}
