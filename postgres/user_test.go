package postgres_test

import (
	"context"
	"os"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/storetest"
)

func TestUsers(t *testing.T) {
	dsn(t)
	storetest.RunUsers(t, func(t testing.TB) (bawwab.Store, bawwab.UserService) {
		db := postgres.NewDB(os.Getenv("BAWWAB_TEST_POSTGRES"))
		db.Schema = newSchema(t)
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db.Store(), postgres.NewUserService(db)
	})
}
