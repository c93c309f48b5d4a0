// Package postgres is Bawwab's shared store on PostgreSQL, for many gateway
// nodes: the registry, the opposition register, consents and number events,
// through github.com/jackc/pgx/v5 and its connection pool. Bulk imports use
// COPY.
//
// The change sequence lives in a one-row table that every writing
// transaction locks first (SELECT ... FOR UPDATE) and advances. Writers
// therefore run one after the other and commit in sequence order, numbers
// are dense, and a reader that sees change N has seen every change before
// it: a node following the feed never skips a change. A PostgreSQL
// SEQUENCE would not do: it hands out N+1 to a transaction that may commit
// before N's, and a follower reading "after N-1" in between would move past
// N for good. The price is one writer at a time, which the write load
// (registry changes, STOPs, imports) affords; readers never wait. Every
// commit also sends NOTIFY bawwab_changes with the last sequence number, so
// that nodes can LISTEN instead of polling.
//
// The schema is migrated at Open from the SQL files embedded from
// migrations/, under an advisory lock so that nodes starting together do
// not race.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrations embed.FS

// NotifyChannel is the channel every commit notifies with its last change
// sequence number.
const NotifyChannel = "bawwab_changes"

// DB is an open store.
type DB struct {
	dsn  string
	pool *pgxpool.Pool

	// Now is the store's clock, for the times of changes and of events
	// recorded without one. Set it before Open.
	Now func() time.Time
	// Schema, when set, is created if missing and used as the search path,
	// so that several stores (or test runs) can share one database. The
	// DSN's own search_path otherwise applies.
	Schema string
	// MaxConns caps the pool (0: pgxpool's default).
	MaxConns int32
}

// NewDB returns a store on the database at dsn (a URL or key=value
// string, as libpq takes), to be opened.
func NewDB(dsn string) *DB {
	return &DB{dsn: dsn, Now: time.Now}
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects, creates the schema if asked, and migrates it.
func (db *DB) Open(ctx context.Context) error {
	cfg, err := pgxpool.ParseConfig(db.dsn)
	if err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	if db.Schema != "" {
		if !schemaName.MatchString(db.Schema) {
			return fmt.Errorf("open postgres: schema %q: want lower-case letters, digits and _", db.Schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = db.Schema
	}
	if db.MaxConns > 0 {
		cfg.MaxConns = db.MaxConns
	}
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	if db.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return fmt.Errorf("open postgres: %w", err)
	}
	if err := db.pool.Ping(ctx); err != nil {
		db.pool.Close()
		return fmt.Errorf("open postgres %s: %w", cfg.ConnConfig.Host, err)
	}
	if db.Schema != "" {
		if _, err := db.pool.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+db.Schema); err != nil && !isUniqueViolation(err) {
			db.pool.Close()
			return fmt.Errorf("open postgres: create schema: %w", err)
		}
	}
	if err := db.migrate(ctx); err != nil {
		db.pool.Close()
		return fmt.Errorf("open postgres: %w", err)
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
	}
	return nil
}

// Store returns the services of this store.
func (db *DB) Store() bawwab.Store {
	return bawwab.Store{
		Registry:    NewRegistryService(db),
		Oppositions: NewOppositionService(db),
		Consents:    NewConsentService(db),
		Numbers:     NewNumberService(db),
		Feed:        NewChangeService(db),
		Complaints:  NewComplaintService(db),
		Measures:    NewMeasureService(db),
		Reports:     NewReportService(db),
		Outbox:      NewOutboxService(db),
	}
}

// migrate applies the embedded migrations not yet applied, in name order,
// each in a transaction holding an advisory lock on the schema.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	h := fnv.New64a()
	h.Write([]byte("bawwab migrate " + db.Schema))
	lock := int64(h.Sum64())
	for _, name := range names {
		err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lock); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (
				name text PRIMARY KEY, applied_at timestamptz NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM migrations WHERE name = $1", name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, "INSERT INTO migrations (name, applied_at) VALUES ($1, $2)", name, db.Now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// writeTx runs fn in a write transaction that first locks the change
// sequence row (see the package doc), and commits it if fn returns nil.
// The last sequence number is notified on commit.
func (db *DB) writeTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	var before int64
	if err := tx.QueryRow(ctx, "SELECT last FROM seq WHERE id = 1 FOR UPDATE").Scan(&before); err != nil {
		return fmt.Errorf("lock change sequence: %w", err)
	}
	if err := fn(tx); err != nil {
		return err
	}
	var after int64
	if err := tx.QueryRow(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&after); err != nil {
		return fmt.Errorf("read change sequence: %w", err)
	}
	if after != before {
		if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", NotifyChannel, strconv.FormatInt(after, 10)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readTx runs fn in a read-only REPEATABLE READ transaction: every query
// in it sees the same snapshot.
func (db *DB) readTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginTxFunc(ctx, db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

// nextSeq reserves n change sequence numbers in tx and returns the first.
func nextSeq(ctx context.Context, tx pgx.Tx, n int64) (int64, error) {
	var last int64
	if err := tx.QueryRow(ctx, "UPDATE seq SET last = last + $1 WHERE id = 1 RETURNING last", n).Scan(&last); err != nil {
		return 0, fmt.Errorf("advance change sequence: %w", err)
	}
	return last - n + 1, nil
}

// logChange appends a registry change to the change log and returns its
// sequence number.
func (db *DB) logChange(ctx context.Context, tx pgx.Tx, op bawwab.ChangeOp, kind bawwab.RecordKind, key string, rec any) (int64, error) {
	seq, err := nextSeq(ctx, tx, 1)
	if err != nil {
		return 0, err
	}
	var data any // nil: SQL NULL
	if rec != nil {
		data = rec // pgx encodes it as JSON for the jsonb column
	}
	if _, err := tx.Exec(ctx, "INSERT INTO changes (seq, kind, op, key, data, at) VALUES ($1, $2, $3, $4, $5, $6)",
		seq, string(kind), int16(op), key, data, db.Now().UTC()); err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	return seq, nil
}

// Conversions between Go values and columns.

func tstz(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func fromTstz(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// utc brings a time to the store's precision.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// number turns "+212612345678" into 212612345678.
func number(msisdn string) (int64, error) {
	if !bawwab.ValidMSISDN(msisdn) {
		return 0, bawwab.InvalidField("msisdn", "not an E.164 number")
	}
	return strconv.ParseInt(msisdn[1:], 10, 64)
}

func msisdnOf(n int64) string {
	var b [20]byte
	b[0] = '+'
	return string(strconv.AppendInt(b[:1], n, 10))
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func isUniqueViolation(err error) bool     { return pgCode(err) == "23505" }
func isForeignKeyViolation(err error) bool { return pgCode(err) == "23503" }

func notFound(kind bawwab.RecordKind, key string) error {
	return bawwab.Errorf(bawwab.ENOTFOUND, "%s %q not found", kindName(kind), key)
}

func kindName(k bawwab.RecordKind) string {
	if k == bawwab.KindSenderID {
		return "sender ID"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// forbidden is the error of a write a provider's context may not make.
func forbidden(what string) error {
	return bawwab.Errorf(bawwab.EFORBIDDEN, "a provider may not %s", what)
}

// tenant returns the provider the context is restricted to.
func tenant(ctx context.Context) (string, bool) { return bawwab.ProviderFromContext(ctx) }

// querier is what reads need: the pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// rebind turns the '?' placeholders of a query into $1, $2...
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// exists reports whether table has a row where col = v.
func exists(ctx context.Context, q querier, table, col string, v any) (bool, error) {
	var one int
	err := q.QueryRow(ctx, "SELECT 1 FROM "+table+" WHERE "+col+" = $1 LIMIT 1", v).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", table, err)
	}
	return true, nil
}
