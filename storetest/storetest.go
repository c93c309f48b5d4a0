// Package storetest is the conformance suite every Bawwab store passes (the
// embedded SQLite store and PostgreSQL), in the manner of litestream's
// replica client tests: one set of tests, run against each backend, so that
// no caller depends on one database's quirks.
//
// A store package runs it from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Backend{Name: "sqlite", NewLocation: ..., Open: ...})
//	}
//
// The suite covers the registry services, the opposition register, consents
// and number events, the change feed (dense, ordered, complete for a reader
// that follows it while writers run concurrently), provider tenancy, and
// crash safety: a child process (the test binary, run again) is killed with
// SIGKILL in the middle of writes, and the store must reopen consistent;
// and the services of control by the regulators: complaint cases, measures
// and notifications, the report aggregates and the delivery index.
package storetest

import (
	"context"
	"errors"
	"io"
	"iter"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// Backend is a store implementation under test.
type Backend struct {
	// Name is the backend's name in messages ("sqlite", "postgres").
	Name string
	// NewLocation returns where a new, empty store lives (a file path, a
	// schema name), removed when the test ends.
	NewLocation func(t testing.TB) string
	// Open opens the store at loc with the given clock, creating and
	// migrating it if needed. Closing the Closer closes the store.
	Open func(ctx context.Context, loc string, now func() time.Time) (bawwab.Store, io.Closer, error)
	// Check, when set, verifies the backend's own consistency (SQLite's
	// integrity check) of the store at loc.
	Check func(ctx context.Context, loc string) error
}

// Run runs the conformance suite against b. When the test binary was
// started by the crash-safety test as its child, Run plays the child
// instead.
func Run(t *testing.T, b Backend) {
	if crashChild(t, b) {
		return
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"Registry", testRegistry},
		{"RegistryRules", testRegistryRules},
		{"RegistryImport", testRegistryImport},
		{"Snapshot", testSnapshot},
		{"Oppositions", testOppositions},
		{"OppositionImport", testOppositionImport},
		{"OppositionImportOrder", testOppositionImportOrder},
		{"OppositionStates", testOppositionStates},
		{"Consents", testConsents},
		{"ChangeFeed", testChangeFeed},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Tenancy", testTenancy},
		{"Complaints", testComplaints},
		{"Measures", testMeasures},
		{"Reports", testReports},
		{"Outbox", testOutbox},
		{"OutboxRoutes", testOutboxRoutes},
		{"HTTPMessages", testHTTPMessages},
		{"HTTPMessageTenancy", testHTTPMessageTenancy},
		{"HTTPMessageReceipts", testHTTPMessageReceipts},
		{"Reopen", testReopen},
		{"CrashSafety", testCrashSafety},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// clock is a deterministic clock: each call is one second after the last.
type clock struct{ n atomic.Int64 }

var epoch = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)

func (c *clock) Now() time.Time { return epoch.Add(time.Duration(c.n.Add(1)) * time.Second) }

// open opens a new, empty store for one test and closes it at the end.
func open(t testing.TB, b Backend) bawwab.Store {
	t.Helper()
	st, _ := openAt(t, b, b.NewLocation(t))
	return st
}

func openAt(t testing.TB, b Backend, loc string) (bawwab.Store, io.Closer) {
	t.Helper()
	c := new(clock)
	st, closer, err := b.Open(context.Background(), loc, c.Now)
	if err != nil {
		t.Fatalf("open %s store: %v", b.Name, err)
	}
	var once sync.Once
	closeOnce := closerFunc(func() error {
		var err error
		once.Do(func() { err = closer.Close() })
		return err
	})
	t.Cleanup(func() {
		if err := closeOnce.Close(); err != nil {
			t.Errorf("close %s store: %v", b.Name, err)
		}
	})
	return st, closeOnce
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails unless err carries the application error code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", code)
	}
	if got := bawwab.ErrorCode(err); got != code {
		t.Fatalf("got error %q (%v), want code %s", got, err, code)
	}
}

// wantField fails unless err is a *FieldError on field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	var fe *bawwab.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want an error naming field %s", err, field)
	}
	if fe.Field != field {
		t.Fatalf("error names field %q (%v), want %q", fe.Field, err, field)
	}
}

func deepEqual(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

// collect drains an iterator, failing on its error.
func collect[T any](t testing.TB, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatalf("iterate: %v", err)
		}
		out = append(out, v)
	}
	return out
}

// values turns a slice into an iterator without errors.
func values[T any](vs []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, v := range vs {
			if !yield(v, nil) {
				return
			}
		}
	}
}

func lastSeq(t testing.TB, st bawwab.Store) int64 {
	t.Helper()
	n, err := st.Feed.LastSeq(context.Background())
	must(t, err)
	return n
}

// allChanges reads the whole change feed after seq, page by page, checking
// that it is dense and ordered.
func allChanges(t testing.TB, st bawwab.Store, after int64, page int) []bawwab.Change {
	t.Helper()
	var out []bawwab.Change
	for {
		cs, err := st.Feed.Changes(context.Background(), after, page)
		must(t, err)
		if len(cs) == 0 {
			return out
		}
		for _, c := range cs {
			if c.Seq != after+1 {
				t.Fatalf("change feed jumps from %d to %d", after, c.Seq)
			}
			after = c.Seq
		}
		out = append(out, cs...)
	}
}
