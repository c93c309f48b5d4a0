package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/registrycsv"
	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	// Accounts are hashed with argon2id's real cost in production; the
	// tests check the format, not the cost.
	registrycsv.HashSecret = func(s string) (string, error) {
		return secret.HashWith(secret.Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16}, rand.Reader, s)
	}
	os.Exit(m.Run())
}

// result is what one run of Main produced.
type result struct {
	code        int
	out, errOut string
}

// run runs bawwab with args and stdin.
func run(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, &IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return result{code, out.String(), errOut.String()}
}

// mustRun runs bawwab and fails unless it exits 0.
func mustRun(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	r := run(t, stdin, args...)
	if r.code != 0 {
		t.Fatalf("bawwab %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r
}

// storeCase is a store the command tests run against: its flags.
type storeCase struct {
	name  string
	flags func(t testing.TB) []string
}

var storeCases = []storeCase{
	{"sqlite", func(t testing.TB) []string { return []string{"--data", filepath.Join(t.TempDir(), "data")} }},
	{"postgres", func(t testing.TB) []string { return []string{"--postgres", pgSchemaDSN(t)} }},
}

// forEachStore runs a test against each store.
func forEachStore(t *testing.T, fn func(t *testing.T, flags []string)) {
	for _, sc := range storeCases {
		t.Run(sc.name, func(t *testing.T) { fn(t, sc.flags(t)) })
	}
}

// pgSchemaDSN returns the test database's DSN with a new schema of its own
// as search path, dropped at the end; it skips without
// BAWWAB_TEST_POSTGRES, and fails in CI.
func pgSchemaDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("BAWWAB_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("BAWWAB_TEST_POSTGRES is not set, and CI is: the PostgreSQL tests must run")
		}
		t.Skip("BAWWAB_TEST_POSTGRES is not set")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("bawwab_cli_%d_%08x", os.Getpid(), mrand.Uint32())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + "search_path=" + schema
}

// writeFile writes a file in a test directory and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStoreFlags(t *testing.T) {
	r := run(t, "", "optout", "check", "0612345678", "--data", t.TempDir(), "--postgres", "postgres://x")
	if r.code != ExitUsage || !strings.Contains(r.errOut, "choose one") {
		t.Fatalf("--data with --postgres: exit %d, %s", r.code, r.errOut)
	}
	// The data directory is created, readable by its owner only.
	dir := filepath.Join(t.TempDir(), "new", "data")
	mustRun(t, "", "optout", "check", "0612345678", "--data", dir)
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Fatalf("data directory mode %v, want 0700", fi.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(dir, "bawwab.db")); err != nil {
		t.Fatal(err)
	}
}
