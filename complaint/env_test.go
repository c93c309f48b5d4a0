package complaint_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sqlite"
)

// detRand is a deterministic random source for the ledger's keys.
type detRand struct {
	mu sync.Mutex
	n  uint64
}

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < len(p); i += 32 {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], r.n)
		r.n++
		s := sha256.Sum256(c[:])
		copy(p[i:], s[:])
	}
	return len(p), nil
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// env is a gateway's worth of what the desk needs: the SQLite store with
// the fixture's registry, a ledger with its keyring, the report feeder
// that indexes deliveries, and a desk.
type env struct {
	t      testing.TB
	dir    string
	db     *sqlite.DB
	st     bawwab.Store
	keys   *ledger.Keyring
	ledger *ledger.Ledger
	feeder *report.Feeder
	desk   *complaint.Desk
	clock  *clock
}

var t0 = time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: t0}}
	ctx := context.Background()
	e.db = sqlite.NewDB(filepath.Join(e.dir, "bawwab.db"))
	e.db.Now = e.clock.Now
	if err := e.db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	e.st = e.db.Store()
	for _, p := range []*bawwab.Provider{
		{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: t0.AddDate(-1, 0, 0)},
		{ID: "rifdigital", Name: "Rif Digital", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: t0.AddDate(-2, 0, 0)},
	} {
		if err := e.st.Registry.CreateProvider(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	rnd := &detRand{}
	var err error
	if err := os.MkdirAll(filepath.Join(e.dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.keys, err = ledger.OpenKeyring(filepath.Join(e.dir, "keys", "pseudonym.keys"), ledger.KeyringOptions{Create: true, Rand: rnd, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.ledger, err = ledger.Open(filepath.Join(e.dir, "ledger"), ledger.Options{
		SigningKeyFile: filepath.Join(e.dir, "keys", "signing.key"), Origin: "node1", Keyring: e.keys, Now: e.clock.Now, Rand: rnd,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.ledger.Close() })
	e.feeder = &report.Feeder{Store: e.st.Reports, Ledger: e.ledger, Origin: "node1"}
	e.desk = &complaint.Desk{Store: e.st.Complaints, Ledger: e.ledger, Origin: "node1", Keys: e.keys, Now: e.clock.Now}
	return e
}

// deliver appends the decision entry of a message accepted and sent to a
// subscriber, as the gateway does, and returns its index.
func (e *env) deliver(to, sender, provider, text string, at time.Time) int64 {
	e.t.Helper()
	en := &bawwab.LedgerEntry{Time: at, ProviderID: provider, AccountID: provider + "01", SenderID: sender,
		OperatorID: "iam", MSISDN: to, Text: text, Fingerprint: complaint.Fingerprint(text)}
	en.SetDecision(bawwab.Decision{Outcome: bawwab.Accept, RuleSet: "test"})
	idx, err := e.ledger.Append(context.Background(), en)
	if err != nil {
		e.t.Fatal(err)
	}
	return idx
}

// feed indexes what the ledger holds.
func (e *env) feed() {
	e.t.Helper()
	if _, err := e.feeder.CatchUp(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// entries returns the ledger's entries of one kind.
func (e *env) entries(kind bawwab.EntryKind) []*bawwab.LedgerEntry {
	e.t.Helper()
	var out []*bawwab.LedgerEntry
	for en, err := range e.ledger.FindEntries(context.Background(), bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{kind}, WithText: true}) {
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

// corpusRow is a message of the public opt-out corpus (testdata).
type corpusRow struct {
	ID, Lang, Sender, Text string
}

func loadCorpus(t testing.TB) []corpusRow {
	t.Helper()
	data, err := os.ReadFile("testdata/optout-public.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusRow
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r corpusRow
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}
