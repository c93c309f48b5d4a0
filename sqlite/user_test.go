package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/storetest"
)

func TestUsers(t *testing.T) {
	storetest.RunUsers(t, func(t testing.TB) (bawwab.Store, bawwab.UserService) {
		db := sqlite.NewDB(filepath.Join(t.TempDir(), "bawwab.db"))
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.Store(), sqlite.NewUserService(db)
	})
}
