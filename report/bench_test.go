package report_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/jackc/pgx/v5"
)

var benchEntries = flag.Int64("report.entries", 10_000_000, "ledger entries whose aggregates the report benchmarks query")

// synthTallies returns the aggregates of n ledger entries spread over the
// 30 days before now: 20 providers on 3 operators, every hour, with the
// mix of a real gateway (most accepted, refusals over seven reasons,
// deferrals, flags, monitored findings), plus oppositions, complaints and
// measures. They come one day at a time, as batches of the feed.
func synthTallies(n int64, now time.Time, fn func(day []bawwab.Tally)) {
	rnd := rand.New(rand.NewPCG(1, 2))
	type mix struct {
		outcome      bawwab.Outcome
		reason, flag bawwab.Reason
		mode         bawwab.Mode
		share        float64
	}
	mixes := []mix{
		{bawwab.Accept, "", "", bawwab.Enforce, 0.84},
		{bawwab.Accept, bawwab.ReasonNoConsent, "", bawwab.Monitor, 0.02},
		{bawwab.Accept, "", bawwab.ReasonMislabelledCommercial, bawwab.Enforce, 0.01},
		{bawwab.Defer, bawwab.ReasonQuietHours, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonOptOutMentionMissing, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonOptOutChannelInvalid, "", bawwab.Enforce, 0.01},
		{bawwab.Reject, bawwab.ReasonRecipientOptedOut, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonFrequencyCap, "", bawwab.Enforce, 0.015},
		{bawwab.Reject, bawwab.ReasonInvalidRecipient, "", bawwab.Enforce, 0.01},
		{bawwab.Reject, bawwab.ReasonSenderNotRegistered, "", bawwab.Enforce, 0.005},
		{bawwab.Reject, bawwab.ReasonProviderNotAuthorised, "", bawwab.Enforce, 0.003},
		{bawwab.Reject, bawwab.ReasonMislabelledCommercial, "", bawwab.Enforce, 0.002},
	}
	operators := []string{"iam", "orange", "inwi"}
	start := now.Truncate(time.Hour).Add(-30 * 24 * time.Hour)
	hours := int64(30 * 24)
	perCell := float64(n) / float64(hours*20*3)
	var day []bawwab.Tally
	for h := range hours {
		hour := start.Add(time.Duration(h) * time.Hour)
		local := report.LocalDate(hour, nil)
		for p := range 20 {
			provider := fmt.Sprintf("provider%02d", p)
			for _, op := range operators {
				// Busier providers and hours: a factor 0.2 to 1.8.
				f := (0.2 + 1.6*float64(p)/19) * (0.5 + rnd.Float64())
				for _, m := range mixes {
					c := int64(perCell*f*m.share + rnd.Float64())
					if c == 0 {
						continue
					}
					day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: op, Kind: bawwab.EntryDecision,
						Category: bawwab.CategoryCommercial, Outcome: m.outcome, Reason: m.reason, Flag: m.flag, Mode: m.mode, N: c})
				}
				if s := int64(perCell * 0.004 * f); s > 0 {
					day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: op, Kind: bawwab.EntryOpposition, Action: "stop", N: s})
				}
			}
			if rnd.IntN(40) == 0 {
				day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: "iam", Kind: bawwab.EntryComplaint, Action: "opened", N: 1})
			}
			if rnd.IntN(200) == 0 {
				day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: "iam", Kind: bawwab.EntryComplaint, Action: "confirmed", N: 1})
			}
		}
		if h%24 == 23 {
			fn(day)
			day = day[:0]
		}
	}
	if len(day) > 0 {
		fn(day)
	}
}

// loadSynth fills a store with the aggregates of n entries and returns
// their total and how many rows they made.
func loadSynth(b testing.TB, st bawwab.ReportService, n int64, now time.Time) (total int64, rows int) {
	ctx := context.Background()
	var next int64
	synthTallies(n, now, func(day []bawwab.Tally) {
		var sum int64
		for _, t := range day {
			sum += t.N
		}
		if err := st.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "bench", From: next, To: next + sum, Tallies: day}); err != nil {
			b.Fatal(err)
		}
		next += sum
		rows += len(day)
	})
	return next, rows
}

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
			total, rows := loadSynth(b, st, *benchEntries, now)
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
