package postgres

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
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
	var n int64
	var at time.Time
	if err := s.Scan(&o.Seq, &n, &o.Scope.Kind, &o.Scope.ID, &o.Action, &at, &o.Channel); err != nil {
		return fmt.Errorf("read opposition: %w", err)
	}
	o.MSISDN = msisdnOf(n)
	o.At = at.UTC()
	return nil
}

// scopeChecker checks opposition scopes against the registry during one
// write transaction. It looks scopes up one by one and remembers the
// answers, or, before a COPY (which holds the connection, so that nothing
// can be looked up during it), loads every provider and advertiser ID.
type scopeChecker struct {
	tx    pgx.Tx
	known map[bawwab.Scope]error
	// Loaded by preload: every provider and advertiser, and those the
	// tenant acts for.
	loaded                 bool
	providers, advertisers map[string]bool
	mine                   map[string]bool
	tenant                 string
	restricted             bool
}

func newScopeChecker(ctx context.Context, tx pgx.Tx) *scopeChecker {
	c := &scopeChecker{tx: tx, known: map[bawwab.Scope]error{}}
	c.tenant, c.restricted = tenant(ctx)
	return c
}

// preload reads the provider and advertiser IDs (the registry is small).
func (c *scopeChecker) preload(ctx context.Context) error {
	c.providers, c.advertisers, c.mine = map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, q := range []struct {
		query string
		args  []any
		set   map[string]bool
	}{
		{"SELECT id FROM providers", nil, c.providers},
		{"SELECT id FROM advertisers", nil, c.advertisers},
		{"SELECT advertiser_id FROM advertiser_providers WHERE provider_id = $1", []any{c.tenant}, c.mine},
	} {
		ids, err := queryStrings(ctx, c.tx, q.query, q.args...)
		if err != nil {
			return fmt.Errorf("load registry keys: %w", err)
		}
		for _, id := range ids {
			q.set[id] = true
		}
	}
	c.loaded = true
	return nil
}

func queryStrings(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
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
	if c.loaded {
		switch {
		case s.Kind == bawwab.ScopeProvider && !c.providers[s.ID]:
			return bawwab.InvalidField("scope", "no provider %q", s.ID)
		case s.Kind == bawwab.ScopeAdvertiser && !c.advertisers[s.ID]:
			return bawwab.InvalidField("scope", "no advertiser %q", s.ID)
		case !c.restricted,
			s.Kind == bawwab.ScopeProvider && s.ID == c.tenant,
			s.Kind == bawwab.ScopeAdvertiser && c.mine[s.ID]:
			return nil
		}
		return forbidden("record an opposition at scope " + s.String())
	}
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
	return s.db.writeTx(ctx, func(tx pgx.Tx) error {
		if err := newScopeChecker(ctx, tx).check(ctx, o.Scope); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx, 1)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO oppositions ("+oppositionCols+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
			seq, n, int16(o.Scope.Kind), o.Scope.ID, int16(o.Action), o.At, o.Channel); err != nil {
			return fmt.Errorf("record opposition: %w", err)
		}
		o.Seq = seq
		return nil
	})
}

// ImportOppositions implements bawwab.OppositionService. The events are
// streamed with COPY into a temporary table (no index, no WAL), then
// inserted in one statement sorted by number and scope, numbered in that
// order: both indexes of the register then grow in order instead of taking
// tens of millions of random inserts. The events of one number and scope
// keep the order of the input. The writer holds the change sequence lock
// for the whole import, so it reads the sequence once and writes it back
// at the end.
func (s *OppositionService) ImportOppositions(ctx context.Context, events iter.Seq2[bawwab.Opposition, error]) (bawwab.ImportResult, error) {
	var res bawwab.ImportResult
	now := utc(s.db.Now())
	err := s.db.writeTx(ctx, func(tx pgx.Tx) error {
		c := newScopeChecker(ctx, tx)
		if err := c.preload(ctx); err != nil {
			return err
		}
		var last int64
		if err := tx.QueryRow(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&last); err != nil {
			return fmt.Errorf("read change sequence: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_oppositions (
			line bigint, msisdn bigint, scope_kind smallint, scope_id text COLLATE "C",
			action smallint, at timestamptz, channel text) ON COMMIT DROP`); err != nil {
			return fmt.Errorf("import oppositions: %w", err)
		}
		next, stop := iter.Pull2(events)
		defer stop()
		row := make([]any, 7)
		src := &copySource{next: func() ([]any, error) {
			o, err, ok := next()
			if !ok {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			res.Records++
			if o.At.IsZero() {
				o.At = now
			}
			o.At = utc(o.At)
			if err := o.Validate(); err != nil {
				return nil, &bawwab.ImportError{Record: res.Records, Err: err}
			}
			if err := c.check(ctx, o.Scope); err != nil {
				return nil, &bawwab.ImportError{Record: res.Records, Err: err}
			}
			n, _ := number(o.MSISDN)
			row[0], row[1], row[2], row[3], row[4], row[5], row[6] = res.Records, n, int16(o.Scope.Kind), o.Scope.ID, int16(o.Action), o.At, o.Channel
			return row, nil
		}}
		copied, err := tx.CopyFrom(ctx, pgx.Identifier{"import_oppositions"},
			[]string{"line", "msisdn", "scope_kind", "scope_id", "action", "at", "channel"}, src)
		if err != nil {
			if src.err != nil {
				return src.err
			}
			return fmt.Errorf("import oppositions: %w", err)
		}
		if copied != res.Records {
			return fmt.Errorf("import oppositions: copied %d of %d rows", copied, res.Records)
		}
		if res.Records == 0 {
			return nil
		}
		// Sort in memory when it fits.
		if _, err := tx.Exec(ctx, "SET LOCAL work_mem = '256MB'"); err != nil {
			return fmt.Errorf("import oppositions: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO oppositions (`+oppositionCols+`)
			SELECT $1 + row_number() OVER (ORDER BY msisdn, scope_kind, scope_id, line),
				msisdn, scope_kind, scope_id, action, at, channel
			FROM import_oppositions`, last); err != nil {
			return fmt.Errorf("import oppositions: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE seq SET last = $1 WHERE id = 1", last+res.Records); err != nil {
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

// copySource adapts a row function to pgx.CopyFromSource; next returns nil
// at the end.
type copySource struct {
	next func() ([]any, error)
	row  []any
	err  error
}

func (c *copySource) Next() bool {
	if c.err != nil {
		return false
	}
	c.row, c.err = c.next()
	return c.row != nil && c.err == nil
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return c.err }

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
	rows, err := s.db.pool.Query(ctx, rebind("SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+
		" ORDER BY seq LIMIT ?"), append(args, limit)...)
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
	rows, err := s.db.pool.Query(ctx, rebind("SELECT "+oppositionCols+" FROM oppositions"+whereClause(conds)+" ORDER BY seq"), args...)
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
		// Stopping early cancels the query rather than draining the rest
		// of a possibly long result.
		qctx, cancel := context.WithCancel(ctx)
		rows, err := s.db.pool.Query(qctx, rebind(query), args...)
		if err != nil {
			cancel()
			yield(bawwab.Opposition{}, fmt.Errorf("stream oppositions: %w", err))
			return
		}
		defer rows.Close()
		defer cancel()
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
