package sqlite_test

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/storetest"
)

// backend is the SQLite store for the conformance suite: each test gets a
// file in its own temporary directory.
var backend = storetest.Backend{
	Name:        "sqlite",
	NewLocation: func(t testing.TB) string { return filepath.Join(t.TempDir(), "bawwab.db") },
	Open: func(ctx context.Context, loc string, now func() time.Time) (bawwab.Store, io.Closer, error) {
		db := sqlite.NewDB(loc)
		db.Now = now
		// Imports of more than 1000 events take the bulk path (the number
		// index dropped and built again); smaller ones the plain one.
		sqlite.SetRebuildAfter(db, 1000)
		if err := db.Open(ctx); err != nil {
			return bawwab.Store{}, nil, err
		}
		return db.Store(), db, nil
	},
	Check: func(ctx context.Context, loc string) error {
		db := sqlite.NewDB(loc)
		if err := db.Open(ctx); err != nil {
			return err
		}
		defer db.Close()
		return db.Check(ctx)
	},
}

func TestConformance(t *testing.T) {
	storetest.Run(t, backend)
}
