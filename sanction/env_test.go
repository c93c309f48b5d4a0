package sanction_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sqlite"
)

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

var t0 = time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC)

// change is a provider status change seen by the callback.
type change struct {
	provider string
	status   sanction.Status
}

// env is a gateway node: the store, the ledger, the report feeder and a
// monitor whose callback records what it is told.
type env struct {
	t       testing.TB
	dir     string
	db      *sqlite.DB
	st      bawwab.Store
	keys    *ledger.Keyring
	ledger  *ledger.Ledger
	feeder  *report.Feeder
	clock   *clock
	mon     *sanction.Monitor
	mu      sync.Mutex
	changes []change
	cfg     sanction.Config
	// allow is the monitor's WebhookAllow: the test's receivers are on
	// 127.0.0.1, allowed explicitly.
	allow []netip.Prefix
}

func newEnv(t testing.TB, cfg sanction.Config) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: t0}, cfg: cfg, allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
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
	if err := os.MkdirAll(filepath.Join(e.dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	e.keys, err = ledger.OpenKeyring(filepath.Join(e.dir, "keys", "pseudonym.keys"), ledger.KeyringOptions{Create: true, Rand: rnd, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.openLedger()
	e.feeder = &report.Feeder{Store: e.st.Reports, Ledger: e.ledger, Origin: "node1"}
	e.mon = e.newMonitor()
	return e
}

func (e *env) openLedger() {
	e.t.Helper()
	var err error
	e.ledger, err = ledger.Open(filepath.Join(e.dir, "ledger"), ledger.Options{
		SigningKeyFile: filepath.Join(e.dir, "keys", "signing.key"), Origin: "node1", Keyring: e.keys, Now: e.clock.Now, Rand: &detRand{n: 1 << 40},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	l := e.ledger
	e.t.Cleanup(func() { l.Close() })
}

func (e *env) newMonitor() *sanction.Monitor {
	e.t.Helper()
	m, err := sanction.New(sanction.Options{
		Config: e.cfg, Measures: e.st.Measures, Complaints: e.st.Complaints, Reports: e.st.Reports,
		Ledger: e.ledger, Origin: "node1", Now: e.clock.Now,
		WebhookAllow: e.allow, Signer: testSigner,
		OnChange: func(p string, s sanction.Status) {
			e.mu.Lock()
			e.changes = append(e.changes, change{p, s})
			e.mu.Unlock()
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// seen returns and forgets the status changes the callback was told of.
func (e *env) seen() []change {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.changes
	e.changes = nil
	return c
}

// decision is a decision entry of a provider at a time.
func decision(provider string, at time.Time, outcome bawwab.Outcome, reason, flag bawwab.Reason) *bawwab.LedgerEntry {
	en := &bawwab.LedgerEntry{Time: at, ProviderID: provider, SenderID: "ATLASMKT", OperatorID: "iam", MSISDN: "+212661234567"}
	en.SetDecision(bawwab.Decision{Outcome: outcome, Reason: reason, Flag: flag, RuleSet: "test"})
	return en
}

// decide appends decisions to the ledger, then has the monitor observe
// each, in order, as the gateway does; it returns what the callback was
// told after each observation that changed something (index in ents).
func (e *env) decide(ents ...*bawwab.LedgerEntry) map[int][]change {
	e.t.Helper()
	if _, err := e.ledger.AppendBatch(context.Background(), ents); err != nil {
		e.t.Fatal(err)
	}
	out := map[int][]change{}
	for i, en := range ents {
		e.mon.Observe(en, bawwab.CategoryCommercial)
		if c := e.seen(); len(c) > 0 {
			out[i] = c
		}
	}
	return out
}

// repeat returns n decisions a second apart from at.
func repeat(n int, provider string, at time.Time, outcome bawwab.Outcome, reason bawwab.Reason) []*bawwab.LedgerEntry {
	out := make([]*bawwab.LedgerEntry, n)
	for i := range out {
		out[i] = decision(provider, at.Add(time.Duration(i)*time.Second), outcome, reason, "")
	}
	return out
}

func (e *env) flush() {
	e.t.Helper()
	if err := e.mon.Flush(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) status(provider string) bawwab.ProviderStatus {
	e.t.Helper()
	p, err := e.st.Registry.FindProviderByID(context.Background(), provider)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.Status
}

func (e *env) measures(provider string) []*bawwab.Measure {
	e.t.Helper()
	ms, _, err := e.st.Measures.FindMeasures(context.Background(), bawwab.MeasureFilter{ProviderID: &provider})
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// confirm records a case against a provider confirmed at a time, as the
// complaint desk does, and hands it to the monitor.
func (e *env) confirm(provider string, at time.Time) *bawwab.Complaint {
	e.t.Helper()
	ctx := context.Background()
	c := &bawwab.Complaint{Status: bawwab.ComplaintOpen, Channel: "3300", Reporter: e.keys.Pseudonym("+212661234567"),
		ReportedAt: at.Add(-time.Hour), ReceivedAt: at.Add(-time.Hour), Text: "promo", ProviderID: provider,
		Matches: []bawwab.ComplaintMatch{{Origin: "node1", Index: 0, At: at.Add(-2 * time.Hour), Score: 1}},
		Events:  []bawwab.ComplaintEvent{{At: at.Add(-time.Hour), Action: bawwab.ComplaintActionOpened, Actor: bawwab.SystemActor, LedgerIndex: -1}}}
	if err := e.st.Complaints.CreateComplaint(ctx, c); err != nil {
		e.t.Fatal(err)
	}
	c, err := e.st.Complaints.DecideComplaint(ctx, c.ID, bawwab.ComplaintConfirmed, bawwab.ComplaintEvent{At: at, Action: bawwab.ComplaintActionConfirmed,
		Actor: bawwab.Actor{Name: "anrt.kbenali", Role: bawwab.RoleRegulator}, Reason: "confirmed", LedgerIndex: -1})
	if err != nil {
		e.t.Fatal(err)
	}
	// The desk appends the step and records its index.
	idx, err := e.ledger.Append(ctx, &bawwab.LedgerEntry{Kind: bawwab.EntryComplaint, Time: at, Action: "confirmed", ProviderID: provider,
		Actor: "regulator:anrt.kbenali", Subject: "complaint"})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Complaints.SetComplaintEventLedgerIndex(ctx, c.Events[1].ID, "node1", idx); err != nil {
		e.t.Fatal(err)
	}
	c.Events[1].Origin, c.Events[1].LedgerIndex = "node1", idx
	e.mon.ObserveComplaint(c)
	return c
}

// testSigner signs the webhook posts; testKeys are the keys a provider
// trusts.
var (
	testSignKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	testKeyID   = safehttp.KeyID("node1", testSignKey.Public().(ed25519.PublicKey))
	testSigner  = safehttp.NewEd25519Signer(testKeyID, testSignKey)
	testKeys    = map[string]ed25519.PublicKey{testKeyID: testSignKey.Public().(ed25519.PublicKey)}
)
