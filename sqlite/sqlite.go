// Package sqlite is Bawwab's embedded store: the registry, the opposition
// register, consents and number events in one SQLite file, through the
// pure-Go driver modernc.org/sqlite, so that the binary stays static.
//
// The file runs in WAL mode with foreign keys on and synchronous=FULL (an
// acknowledged STOP survives a power cut). Writes go through one connection,
// which serialises them: the change sequence is advanced in the writing
// transaction, so sequence numbers are dense and committed in order. Reads
// go through a pool of read-only connections and never wait for a writer.
// The schema is migrated at Open from the SQL files embedded from
// migrations/.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open store.
type DB struct {
	path  string
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *sql.DB // read-only pool

	// Now is the store's clock, for the times of changes and of events
	// recorded without one. Set it before Open.
	Now func() time.Time
	// ReadConns is the size of the read pool (default: GOMAXPROCS, at
	// least 2).
	ReadConns int

	rebuildAfter int64 // see rebuildAfter; tests lower it
}

// NewDB returns a store on the database file at path, to be opened.
func NewDB(path string) *DB {
	return &DB{path: path, Now: time.Now, rebuildAfter: rebuildAfter}
}

// Open opens the database file, creating it if needed, and migrates the
// schema.
func (db *DB) Open(ctx context.Context) (err error) {
	if db.path == "" {
		return errors.New("open sqlite: no path")
	}
	if strings.ContainsAny(db.path, "?#") {
		return fmt.Errorf("open sqlite: %q: path must not contain ? or #", db.path)
	}
	const common = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	db.write, err = sql.Open("sqlite", db.path+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-65536)"+
		"&_pragma=journal_size_limit(67108864)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxIdleTime(0)
	db.write.SetConnMaxLifetime(0)
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	// The first connection turns WAL on, before any reader opens.
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("open sqlite %s: %w", db.path, err)
	}
	if err := db.migrate(ctx); err != nil {
		return fmt.Errorf("open sqlite %s: %w", db.path, err)
	}
	db.read, err = sql.Open("sqlite", db.path+"?"+common+"&_pragma=mmap_size(1073741824)&_pragma=cache_size(-16384)&_pragma=query_only(1)")
	if err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	n := db.ReadConns
	if n <= 0 {
		n = max(runtime.GOMAXPROCS(0), 2)
	}
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("open sqlite %s: %w", db.path, err)
	}
	return nil
}

// Close closes the database; it waits for running statements to finish.
func (db *DB) Close() error {
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	return errors.Join(errs...)
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

// Check runs SQLite's integrity and foreign key checks.
func (db *DB) Check(ctx context.Context) error {
	var res string
	if err := db.read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	rows, err := db.read.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		return errors.New("foreign key check: dangling references")
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("foreign key check: %w", err)
	}
	// Bulk imports drop an index and build it again: it must be there.
	var n int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'oppositions_number'").Scan(&n); err != nil {
		return fmt.Errorf("index check: %w", err)
	}
	if n != 1 {
		return errors.New("index check: oppositions_number is missing")
	}
	return nil
}

// migrate applies the embedded migrations not yet applied, each in its own
// transaction, in name order.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		err := db.writeTx(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM migrations WHERE name = ?", name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", name, db.Now().UnixMicro())
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// writeTx runs fn in a write transaction (BEGIN IMMEDIATE on the single
// write connection) and commits it if fn returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// readTx runs fn in a read transaction: every query in it sees the same
// snapshot of the database.
func (db *DB) readTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// nextSeq reserves n change sequence numbers in tx and returns the first.
// The single writer makes this the only place numbers come from, so they
// are dense and commit in order.
func nextSeq(ctx context.Context, tx *sql.Tx, n int64) (int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, "UPDATE seq SET last = last + ? WHERE id = 1 RETURNING last", n).Scan(&last); err != nil {
		return 0, fmt.Errorf("advance change sequence: %w", err)
	}
	return last - n + 1, nil
}

// logChange appends a registry change to the change log and returns its
// sequence number.
func (db *DB) logChange(ctx context.Context, tx *sql.Tx, op bawwab.ChangeOp, kind bawwab.RecordKind, key string, rec any) (int64, error) {
	seq, err := nextSeq(ctx, tx, 1)
	if err != nil {
		return 0, err
	}
	var data any
	if rec != nil {
		b, err := json.Marshal(rec)
		if err != nil {
			return 0, fmt.Errorf("encode %s %s: %w", kind, key, err)
		}
		data = string(b)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO changes (seq, kind, op, key, data, at) VALUES (?, ?, ?, ?, ?, ?)",
		seq, string(kind), int(op), key, data, db.Now().UnixMicro()); err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	return seq, nil
}

// Conversions between Go values and columns.

func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
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

// sqliteCode returns the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return 0
}

func isUniqueViolation(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

func isForeignKeyViolation(err error) bool {
	return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

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

// querier is what reads need: a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// exists reports whether table has a row where col = v.
func exists(ctx context.Context, q querier, table, col string, v any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE "+col+" = ? LIMIT 1", v).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up %s: %w", table, err)
	}
	return true, nil
}
