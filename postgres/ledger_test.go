package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/ledger/ledgertest"
	"github.com/bawwab/bawwab/postgres"
	"github.com/jackc/pgx/v5"
)

// ledgerStore is a LedgerStore that closes its DB with it, for the suite.
type ledgerStore struct {
	*postgres.LedgerStore
	db *postgres.DB
}

func (s ledgerStore) Close() error {
	err := s.LedgerStore.Close()
	s.db.Close()
	return err
}

// openLedger opens the ledger at loc, "schema/origin".
func openLedger(loc string, readOnly bool) (ledger.Store, error) {
	schema, origin, _ := strings.Cut(loc, "/")
	db := postgres.NewDB(os.Getenv("BAWWAB_TEST_POSTGRES"))
	db.Schema = schema
	db.MaxConns = 8
	if err := db.Open(context.Background()); err != nil {
		return nil, err
	}
	st, err := db.OpenLedger(context.Background(), origin, postgres.LedgerOptions{ReadOnly: readOnly})
	if err != nil {
		db.Close()
		return nil, err
	}
	return ledgerStore{st, db}, nil
}

var ledgerBackend = ledgertest.Backend{
	Name:        "postgres",
	NewLocation: func(t testing.TB) string { return newSchema(t) + "/node1" },
	Open: func(t testing.TB, loc string, readOnly bool) (ledger.Store, error) {
		return openLedger(loc, readOnly)
	},
	Tamper: func(t testing.TB, loc string, index int64) {
		schema, origin, _ := strings.Cut(loc, "/")
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn(t))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tag, err := conn.Exec(ctx, "UPDATE "+schema+".ledger_records SET data = set_byte(data, length(data)/2, get_byte(data, length(data)/2) # 32) WHERE origin = $1 AND idx = $2", origin, index)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("tamper: %v (%d rows)", err, tag.RowsAffected())
		}
	},
}

func TestLedgerStore(t *testing.T) {
	dsn(t)
	ledgertest.Run(t, ledgerBackend)
}

func BenchmarkLedgerAppend(b *testing.B) {
	dsn(b)
	ledgertest.BenchmarkAppend(b, ledgerBackend)
}

func BenchmarkLedgerVerify(b *testing.B) {
	dsn(b)
	ledgertest.BenchmarkVerify(b, ledgerBackend)
}
