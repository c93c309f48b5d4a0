package web_test

import (
	"context"
	"flag"
	"fmt"
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
	"github.com/bawwab/bawwab/report/reporttest"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
	"github.com/jackc/pgx/v5"
)

var benchEntries = flag.Int64("web.entries", 10_000_000, "ledger entries whose aggregates the overview benchmark reads")

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
	next, rows := reporttest.Load(b, st.Reports, *benchEntries, now)
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
