package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/sqlite"
)

// controlEnv is a data directory as a gateway leaves it: the store with a
// registry, the ledger in DATA/ledger, its keys apart.
type controlEnv struct {
	data, keys string
	flags      []string
	pg         string // the DSN, for PostgreSQL
}

var june = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

func newControlEnv(t *testing.T, pg bool) *controlEnv {
	t.Helper()
	e := &controlEnv{data: filepath.Join(t.TempDir(), "data"), keys: filepath.Join(t.TempDir(), "keys")}
	os.MkdirAll(e.keys, 0o700)
	if pg {
		e.pg = pgSchemaDSN(t)
		e.flags = []string{"--postgres", e.pg}
	} else {
		e.flags = []string{"--data", e.data}
	}
	ctx := context.Background()
	st, done := e.store(t)
	defer done()
	for _, p := range []*bawwab.Provider{
		{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: june.AddDate(-1, 0, 0)},
		{ID: "rifdigital", Name: "Rif Digital", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: june.AddDate(-1, 0, 0)},
	} {
		if err := st.Registry.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// store opens the environment's store directly.
func (e *controlEnv) store(t *testing.T) (bawwab.Store, func()) {
	t.Helper()
	ctx := context.Background()
	if e.pg != "" {
		db := postgres.NewDB(e.pg)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		return db.Store(), func() { db.Close() }
	}
	os.MkdirAll(e.data, 0o700)
	db := sqlite.NewDB(filepath.Join(e.data, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	return db.Store(), func() { db.Close() }
}

func (e *controlEnv) keyring(t *testing.T) *ledger.Keyring {
	t.Helper()
	kr, err := ledger.OpenKeyring(filepath.Join(e.keys, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

func (e *controlEnv) signingKey() string { return filepath.Join(e.keys, "signing.key") }

// ledger opens the environment's ledger for writing: DATA/ledger, or the
// PostgreSQL ledger of origin node1.
func (e *controlEnv) ledger(t *testing.T) (*ledger.Ledger, func()) {
	t.Helper()
	opts := ledger.Options{SigningKeyFile: e.signingKey(), Origin: "node1", Keyring: e.keyring(t)}
	if e.pg != "" {
		db := postgres.NewDB(e.pg)
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		ls, err := db.OpenLedger(context.Background(), "node1", postgres.LedgerOptions{})
		if err != nil {
			t.Fatal(err)
		}
		l, err := ledger.New(ls, opts)
		if err != nil {
			t.Fatal(err)
		}
		return l, func() { l.Close(); db.Close() }
	}
	l, err := ledger.Open(filepath.Join(e.data, "ledger"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return l, func() { l.Close() }
}

func decisionAt(at time.Time, provider, operator, sender, to string, d bawwab.Decision) *bawwab.LedgerEntry {
	text := "Atlas Market : -30% sur tout le rayon chaussures ce week-end dans tous nos magasins ! STOP au 5050"
	en := &bawwab.LedgerEntry{Time: at, ProviderID: provider, OperatorID: operator, SenderID: sender, MSISDN: to, Text: text,
		Fingerprint: complaint.Fingerprint(text)}
	d.RuleSet = "test"
	en.SetDecision(d)
	return en
}

// fillLedger appends a day of traffic: atlasvas 3 accepted and 1 refused
// on iam, rifdigital 2 accepted on inwi, and a STOP.
func fillLedger(t *testing.T, l *ledger.Ledger) {
	t.Helper()
	var es []*bawwab.LedgerEntry
	for i := range 3 {
		es = append(es, decisionAt(june.Add(time.Duration(i)*time.Minute), "atlasvas", "iam", "ATLASMKT", "+212661234567", bawwab.Decision{Outcome: bawwab.Accept}))
	}
	es = append(es, decisionAt(june, "atlasvas", "iam", "ATLASMKT", "+212661234568", bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing}))
	for range 2 {
		es = append(es, decisionAt(june.Add(time.Hour), "rifdigital", "inwi", "DarLbahja", "+212700112233", bawwab.Decision{Outcome: bawwab.Accept}))
	}
	es = append(es, &bawwab.LedgerEntry{Kind: bawwab.EntryOpposition, Time: june, MSISDN: "+212661234567", OperatorID: "iam", Action: "stop", Subject: "national", Channel: "3030"})
	if _, err := l.AppendBatch(context.Background(), es); err != nil {
		t.Fatal(err)
	}
}

func TestReportCommand(t *testing.T) {
	for _, pg := range []bool{false, true} {
		name := map[bool]string{false: "sqlite", true: "postgres"}[pg]
		t.Run(name, func(t *testing.T) {
			e := newControlEnv(t, pg)
			l, done := e.ledger(t)
			fillLedger(t, l)
			done()

			// Nothing was fed yet: the report is empty.
			r := mustRun(t, "", append([]string{"report"}, e.flags...)...)
			if lines := strings.Split(strings.TrimSpace(r.out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "day,provider,operator,submitted") {
				t.Fatalf("report before feeding:\n%s", r.out)
			}
			r = mustRun(t, "", append([]string{"report", "rebuild"}, e.flags...)...)
			if !strings.Contains(r.out, "rebuilt the aggregates from 7 ledger entries of node1") {
				t.Fatalf("rebuild: %s", r.out)
			}
			r = mustRun(t, "", append([]string{"report", "--from", "2025-06-01", "--to", "2025-06-30"}, e.flags...)...)
			want := []string{
				"2025-06-02,system,iam,0,0,0,0,", // a STOP: no provider's
				"2025-06-02,atlasvas,iam,4,3,0,1,0,0,0,1,",
				"2025-06-02,rifdigital,inwi,2,2,0,0,",
			}
			lines := strings.Split(strings.TrimSpace(r.out), "\n")
			if len(lines) != 4 {
				t.Fatalf("report:\n%s", r.out)
			}
			for i, w := range want {
				if !strings.HasPrefix(lines[i+1], w) {
					t.Errorf("line %d: %s, want it to start with %s", i+1, lines[i+1], w)
				}
			}
			r = mustRun(t, "", append([]string{"report", "--by", "provider", "--provider", "atlasvas", "--format", "json"}, e.flags...)...)
			var rows []map[string]any
			if err := json.Unmarshal([]byte(r.out), &rows); err != nil || len(rows) != 1 || rows[0]["submitted"] != 4.0 || rows[0]["provider_id"] != "atlasvas" {
				t.Fatalf("json: %v %s", err, r.out)
			}
			if r := mustRun(t, "", append([]string{"report", "--from", "2025-07-01"}, e.flags...)...); strings.Count(r.out, "\n") != 1 {
				t.Errorf("a period without traffic:\n%s", r.out)
			}
			for _, n := range []string{"661234567", "700112233"} {
				if strings.Contains(r.out, n) {
					t.Errorf("a number in the report")
				}
			}
		})
	}
}

func TestReportUsage(t *testing.T) {
	data := []string{"--data", filepath.Join(t.TempDir(), "d")}
	for _, args := range [][]string{
		{"report", "--by", "week"},
		{"report", "--from", "June"},
		{"report", "--from", "2025-06-10", "--to", "2025-06-01"},
		{"report", "--format", "xml"},
		{"report", "rebuilt"},
	} {
		if r := run(t, "", append(args, data...)...); r.code != ExitUsage {
			t.Errorf("%v: exit %d (%s)", args, r.code, r.errOut)
		}
	}
	if r := run(t, "", append([]string{"report", "rebuild"}, data...)...); r.code != ExitUsage || !strings.Contains(r.errOut, "no ledger") {
		t.Errorf("rebuild without a ledger: exit %d (%s)", r.code, r.errOut)
	}
}
