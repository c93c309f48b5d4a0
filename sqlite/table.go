package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/bawwab/bawwab"
)

// table describes how one kind of registry record maps to its table, so
// that finding, creating, updating, deleting and importing are written once
// for the eight kinds.
type table[T any] struct {
	kind   bawwab.RecordKind
	name   string   // SQL table
	cols   []string // columns, the key first
	values func(*T) []any
	scan   func(scanner) (*T, error)
	key    func(*T) string
	// norm brings a record to the form the store returns (times in UTC to
	// the microsecond, empty lists nil, sorted IDs), so that a record reads
	// back equal to what was written and an unchanged import is detected.
	norm func(*T)
	// tenantCond restricts rows to one provider's ('?' stands for the
	// provider's ID, as often as needed); "" when every row is visible.
	tenantCond string
	// ownedBy says whether a provider's context may write the record; nil:
	// it may not write this kind at all.
	ownedBy func(r *T, provider string) bool
	// check enforces references and cross-record rules in the writing
	// transaction; old is nil for a new record.
	check func(ctx context.Context, tx *sql.Tx, old, rec *T) error
	// afterPut writes what lives outside the table (advertisers' links).
	afterPut func(ctx context.Context, tx *sql.Tx, rec *T) error
	// load completes records read from the table.
	load func(ctx context.Context, q querier, recs []*T) error
}

type scanner interface{ Scan(dest ...any) error }

func (t *table[T]) selectCols() string { return strings.Join(t.cols, ", ") }

// where joins the conditions and adds the tenant's.
func (t *table[T]) where(ctx context.Context, conds []string, args []any) (string, []any) {
	if p, ok := tenant(ctx); ok && t.tenantCond != "" {
		conds = append(conds, t.tenantCond)
		for range strings.Count(t.tenantCond, "?") {
			args = append(args, p)
		}
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func (t *table[T]) queryAll(ctx context.Context, q querier, query string, args ...any) ([]*T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find %ss: %w", t.kind, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		r, err := t.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("find %ss: %w", t.kind, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find %ss: %w", t.kind, err)
	}
	if t.load != nil && len(out) > 0 {
		if err := t.load(ctx, q, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// get reads one record by key, as the context may see it.
func (t *table[T]) get(ctx context.Context, q querier, key string) (*T, error) {
	w, args := t.where(ctx, []string{t.cols[0] + " = ?"}, []any{key})
	recs, err := t.queryAll(ctx, q, "SELECT "+t.selectCols()+" FROM "+t.name+w, args...)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, notFound(t.kind, key)
	}
	return recs[0], nil
}

func (t *table[T]) findByKey(ctx context.Context, db *DB, key string) (*T, error) {
	return t.get(ctx, db.read, key)
}

// find returns a page of the records matching conds, and their number.
func (t *table[T]) find(ctx context.Context, db *DB, conds []string, args []any, offset, limit int) (recs []*T, n int, err error) {
	w, args := t.where(ctx, conds, args)
	err = db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+t.name+w, args...).Scan(&n); err != nil {
			return fmt.Errorf("count %ss: %w", t.kind, err)
		}
		lim := -1
		if limit > 0 {
			lim = limit
		}
		recs, err = t.queryAll(ctx, tx, "SELECT "+t.selectCols()+" FROM "+t.name+w+
			" ORDER BY "+t.cols[0]+" LIMIT ? OFFSET ?", append(args, lim, max(offset, 0))...)
		return err
	})
	return recs, n, err
}

func (t *table[T]) all(ctx context.Context, q querier) ([]*T, error) {
	return t.queryAll(ctx, q, "SELECT "+t.selectCols()+" FROM "+t.name+" ORDER BY "+t.cols[0])
}

func (t *table[T]) validate(r *T) error {
	return any(r).(bawwab.Record).Validate()
}

// mayWrite checks that the context may write r.
func (t *table[T]) mayWrite(ctx context.Context, r *T) error {
	p, ok := tenant(ctx)
	if !ok {
		return nil
	}
	if t.ownedBy == nil || !t.ownedBy(r, p) {
		return forbidden("change this " + kindName(t.kind))
	}
	return nil
}

func (t *table[T]) create(ctx context.Context, db *DB, r *T) error {
	if err := t.mayWrite(ctx, r); err != nil {
		return err
	}
	t.norm(r)
	if err := t.validate(r); err != nil {
		return err
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := t.put(ctx, db, tx, nil, r)
		return err
	})
}

// put inserts (old == nil) or replaces a record and logs the change.
func (t *table[T]) put(ctx context.Context, db *DB, tx *sql.Tx, old, r *T) (int64, error) {
	if t.check != nil {
		if err := t.check(ctx, tx, old, r); err != nil {
			return 0, err
		}
	}
	vals := t.values(r)
	var err error
	if old == nil {
		_, err = tx.ExecContext(ctx, "INSERT INTO "+t.name+" ("+t.selectCols()+") VALUES ("+
			strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ")+")", vals...)
	} else {
		set := make([]string, len(t.cols)-1)
		for i, c := range t.cols[1:] {
			set[i] = c + " = ?"
		}
		_, err = tx.ExecContext(ctx, "UPDATE "+t.name+" SET "+strings.Join(set, ", ")+" WHERE "+t.cols[0]+" = ?",
			append(vals[1:], vals[0])...)
	}
	switch {
	case isUniqueViolation(err):
		return 0, bawwab.Errorf(bawwab.ECONFLICT, "%s %q already exists", kindName(t.kind), t.key(r))
	case isForeignKeyViolation(err):
		return 0, bawwab.Errorf(bawwab.EINVALID, "%s %q refers to a record that does not exist", kindName(t.kind), t.key(r))
	case err != nil:
		return 0, fmt.Errorf("write %s: %w", t.kind, err)
	}
	if t.afterPut != nil {
		if err := t.afterPut(ctx, tx, r); err != nil {
			return 0, err
		}
	}
	return db.logChange(ctx, tx, bawwab.ChangePut, t.kind, t.key(r), r)
}

func (t *table[T]) update(ctx context.Context, db *DB, key string, apply func(*T)) (*T, error) {
	if _, ok := tenant(ctx); ok && t.ownedBy == nil {
		return nil, forbidden("change a " + kindName(t.kind))
	}
	var out *T
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		old, err := t.get(ctx, tx, key)
		if err != nil {
			return err
		}
		r := new(T)
		*r = *old
		apply(r)
		t.norm(r)
		if t.key(r) != key {
			return bawwab.Errorf(bawwab.EINVALID, "the key of a %s cannot change", kindName(t.kind))
		}
		if err := t.mayWrite(ctx, r); err != nil {
			return err
		}
		if err := t.validate(r); err != nil {
			return err
		}
		if reflect.DeepEqual(old, r) {
			out = r
			return nil
		}
		if _, err := t.put(ctx, db, tx, old, r); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

func (t *table[T]) delete(ctx context.Context, db *DB, key string) error {
	if _, ok := tenant(ctx); ok && t.ownedBy == nil {
		return forbidden("delete a " + kindName(t.kind))
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := t.get(ctx, tx, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE "+t.cols[0]+" = ?", key)
		if isForeignKeyViolation(err) {
			return bawwab.Errorf(bawwab.ECONFLICT, "%s %q is still referred to by other records; delete or change them first", kindName(t.kind), key)
		}
		if err != nil {
			return fmt.Errorf("delete %s: %w", t.kind, err)
		}
		_, err = db.logChange(ctx, tx, bawwab.ChangeDelete, t.kind, key, nil)
		return err
	})
}

// upsert creates or replaces r within an import; it reports whether
// anything changed.
func (t *table[T]) upsert(ctx context.Context, db *DB, tx *sql.Tx, r *T) (int64, error) {
	if err := t.mayWrite(ctx, r); err != nil {
		return 0, err
	}
	t.norm(r)
	if err := t.validate(r); err != nil {
		return 0, err
	}
	old, err := t.get(ctx, tx, t.key(r))
	if bawwab.ErrorCode(err) == bawwab.ENOTFOUND {
		old, err = nil, nil
	}
	if err != nil {
		return 0, err
	}
	if old != nil && reflect.DeepEqual(old, r) {
		return 0, nil
	}
	return t.put(ctx, db, tx, old, r)
}

// refExists returns a *FieldError unless table has a row with the key.
func refExists(ctx context.Context, q querier, field, table, col, key, what string) error {
	ok, err := exists(ctx, q, table, col, key)
	if err != nil {
		return err
	}
	if !ok {
		return bawwab.InvalidField(field, "no %s %q", what, key)
	}
	return nil
}

// actsFor checks that a provider acts for an advertiser.
func actsFor(ctx context.Context, q querier, field, provider, advertiser string) error {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM advertiser_providers WHERE advertiser_id = ? AND provider_id = ?",
		advertiser, provider).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return bawwab.InvalidField(field, "provider %q does not act for advertiser %q (add it to the advertiser's providers)", provider, advertiser)
	}
	if err != nil {
		return fmt.Errorf("look up advertiser's providers: %w", err)
	}
	return nil
}
