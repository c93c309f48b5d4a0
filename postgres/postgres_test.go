package postgres_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/storetest"
	"github.com/jackc/pgx/v5"
)

// dsn returns the test database from BAWWAB_TEST_POSTGRES, skipping the
// test without it, except in CI, where a missing database is a failure.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("BAWWAB_TEST_POSTGRES")
	if d == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("BAWWAB_TEST_POSTGRES is not set, and CI is: the PostgreSQL tests must run")
		}
		t.Skip("BAWWAB_TEST_POSTGRES is not set (for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return d
}

// newSchema creates a schema of its own for one test, so that parallel
// runs do not collide, and drops it at the end.
func newSchema(t testing.TB) string {
	t.Helper()
	d := dsn(t)
	name := fmt.Sprintf("bawwab_test_%d_%08x", os.Getpid(), rand.Uint32())
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, d)
		if err != nil {
			t.Errorf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}

var backend = storetest.Backend{
	Name:        "postgres",
	NewLocation: newSchema,
	Open: func(ctx context.Context, schema string, now func() time.Time) (bawwab.Store, io.Closer, error) {
		db := postgres.NewDB(os.Getenv("BAWWAB_TEST_POSTGRES"))
		db.Schema = schema
		db.Now = now
		if err := db.Open(ctx); err != nil {
			return bawwab.Store{}, nil, err
		}
		return db.Store(), db, nil
	},
}

func TestConformance(t *testing.T) {
	dsn(t)
	storetest.Run(t, backend)
}
