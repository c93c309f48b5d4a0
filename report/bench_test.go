package report_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/report/reporttest"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/jackc/pgx/v5"
)

var benchEntries = flag.Int64("report.entries", 10_000_000, "ledger entries whose aggregates the report benchmarks query")

// BenchmarkReports runs the web console's queries over the aggregates of
// 10 M ledger entries (-report.entries), on each store: the overview
// (target: under 200 ms) and the tables of `bawwab report`.
func BenchmarkReports(b *testing.B) {
	now := time.Date(2025, 6, 30, 15, 20, 0, 0, time.UTC)
	stores := map[string]func(b *testing.B) bawwab.ReportService{
		"sqlite": func(b *testing.B) bawwab.ReportService {
			db := sqlite.NewDB(filepath.Join(b.TempDir(), "bawwab.db"))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db.Store().Reports
		},
		"postgres": func(b *testing.B) bawwab.ReportService {
			dsn := os.Getenv("BAWWAB_TEST_POSTGRES")
			if dsn == "" {
				b.Skip("BAWWAB_TEST_POSTGRES is not set")
			}
			db := postgres.NewDB(dsn)
			db.Schema = fmt.Sprintf("bawwab_bench_%d", os.Getpid())
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() {
				db.Close()
				dropSchema(dsn, db.Schema)
			})
			return db.Store().Reports
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := stores[name](b)
			t0 := time.Now()
			total, rows := reporttest.Load(b, st, *benchEntries, now)
			b.Logf("%s: loaded the aggregates of %d entries (%d hourly tallies) in %s", name, total, rows, time.Since(t0).Round(time.Millisecond))
			ctx := context.Background()
			b.Run("overview", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := report.BuildOverview(ctx, st, now, report.Scope{}, nil); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/overview")
			})
			b.Run("overview-one-provider", func(b *testing.B) {
				for b.Loop() {
					if _, err := report.BuildOverview(ctx, st, now, report.Scope{ProviderID: "provider07"}, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("table-30-days-by-day-provider-operator", func(b *testing.B) {
				for b.Loop() {
					rows, err := report.Table(ctx, st, report.Filter{From: report.Date(2025, 6, 1), To: report.Date(2025, 6, 30)})
					if err != nil || len(rows) < 1000 {
						b.Fatal(len(rows), err)
					}
				}
			})
			b.Run("table-30-days-by-provider", func(b *testing.B) {
				for b.Loop() {
					if _, err := report.Table(ctx, st, report.Filter{By: []report.Dim{report.ByProvider}}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func dropSchema(dsn, schema string) {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
}
