package web_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
	"github.com/jackc/pgx/v5"
)

var benchEntries = flag.Int64("web.entries", 10_000_000, "ledger entries whose aggregates the overview benchmark reads")

// synthTallies returns the aggregates of n ledger entries spread over the
// 30 days before now: 20 providers on 3 operators, every hour, with the
// mix of a real gateway, plus oppositions and complaints, one day at a
// time (the generator of report's benchmark).
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

// BenchmarkOverviewPage renders the console's overview page, charts
// included, over the aggregates of 10 M ledger entries (-web.entries), on
// SQLite and PostgreSQL ($BAWWAB_TEST_POSTGRES), through the whole
// handler: session, queries, charts, template. Target: under 200 ms.
func BenchmarkOverviewPage(b *testing.B) {
	now := time.Date(2025, 6, 30, 15, 20, 0, 0, time.UTC)
	ctx := context.Background()
	clock := func() time.Time { return now }
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var st bawwab.Store
			var users bawwab.UserService
			switch name {
			case "sqlite":
				db := sqlite.NewDB(filepath.Join(b.TempDir(), "bawwab.db"))
				db.Now = clock
				if err := db.Open(ctx); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { db.Close() })
				st, users = db.Store(), sqlite.NewUserService(db)
			case "postgres":
				dsn := os.Getenv("BAWWAB_TEST_POSTGRES")
				if dsn == "" {
					b.Skip("BAWWAB_TEST_POSTGRES is not set")
				}
				db := postgres.NewDB(dsn)
				db.Schema = fmt.Sprintf("bawwab_webbench_%d", os.Getpid())
				db.Now = clock
				if err := db.Open(ctx); err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() {
					db.Close()
					if conn, err := pgx.Connect(ctx, dsn); err == nil {
						conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+db.Schema+" CASCADE")
						conn.Close(ctx)
					}
				})
				st, users = db.Store(), postgres.NewUserService(db)
			}
			benchOverview(b, st, users, now)
		})
	}
}

func benchOverview(b *testing.B, st bawwab.Store, users bawwab.UserService, now time.Time) {
	ctx := context.Background()
	t0 := time.Now()
	var next int64
	rows := 0
	synthTallies(*benchEntries, now, func(day []bawwab.Tally) {
		var sum int64
		for _, t := range day {
			sum += t.N
		}
		if err := st.Reports.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "bench", From: next, To: next + sum, Tallies: day}); err != nil {
			b.Fatal(err)
		}
		next += sum
		rows += len(day)
	})
	b.Logf("loaded the aggregates of %d entries (%d hourly tallies) in %s", next, rows, time.Since(t0).Round(time.Millisecond))
	if err := st.Registry.CreateProvider(ctx, &bawwab.Provider{ID: "provider07", Name: "Provider 7", ANRTDeclaration: "ANRT/7", DeclaredAt: now.AddDate(-1, 0, 0)}); err != nil {
		b.Fatal(err)
	}
	if _, err := web.EnsureUser(ctx, users, "inspector", "inspector", bawwab.RoleRegulator, ""); err != nil {
		b.Fatal(err)
	}
	if _, err := web.EnsureUser(ctx, users, "p7", "p7-password", bawwab.RoleProvider, "provider07"); err != nil {
		b.Fatal(err)
	}
	srv, err := web.New(web.Options{Store: st, Users: users, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	cookie := func(name, pw string) *http.Cookie {
		req := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, pw)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("login: %d %s", rec.Code, rec.Body)
		}
		return rec.Result().Cookies()[0]
	}
	// The aggregates' queries alone, for comparison: the rest is the
	// page's own cost.
	b.Run("queries-only", func(b *testing.B) {
		for b.Loop() {
			if _, err := report.BuildOverview(ctx, st.Reports, now, report.Scope{}, nil); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
	})
	for _, tc := range []struct {
		name, user, pw, path string
	}{
		{"regulator-page", "inspector", "inspector", "/"},
		{"regulator-api", "inspector", "inspector", "/api/v1/overview"},
		{"provider-page", "p7", "p7-password", "/"},
		{"providers-page", "inspector", "inspector", "/providers"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := cookie(tc.user, tc.pw)
			for b.Loop() {
				req := httptest.NewRequest("GET", tc.path, nil)
				req.AddCookie(c)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || rec.Body.Len() < 1000 {
					b.Fatalf("%s: %d %d bytes", tc.path, rec.Code, rec.Body.Len())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
