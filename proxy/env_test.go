package proxy_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
	"github.com/bawwab/bawwab/sqlite"
)

// Numbers of the tests: an IAM and an Orange subscriber.
const (
	iamNumber    = "212661234567"
	orangeNumber = "212612345678"
	password     = "s3cret-pw"
)

// cheap hashes: argon2 at its smallest, so tests bind fast.
func hash(t testing.TB, s string) string {
	h, err := secret.HashWith(secret.Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 16, SaltLen: 8}, rand.Reader, s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// env is a gateway between two simulated SMSCs (IAM, Orange) and the
// providers of the test, on a real SQLite store and a real ledger.
type env struct {
	t      testing.TB
	ctx    context.Context
	st     bawwab.Store
	ledger *ledger.Ledger
	ix     *optout.Index
	gw     *proxy.Gateway
	addr   string
	smscs  map[string]*sim.SMSC

	mu        sync.Mutex
	submitted map[string][]string // operator -> texts that reached it
	apiKey    string
}

type envOptions struct {
	concatTimeout time.Duration
	dlrDelay      time.Duration
}

// casablancaMorning is the clock of the tests: within the sending hours.
var casablancaMorning = time.Date(2026, 5, 5, 10, 0, 0, 0, time.FixedZone("+01", 3600))

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	e := &env{t: t, ctx: ctx, smscs: map[string]*sim.SMSC{}, submitted: map[string][]string{}}
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.st = db.Store()
	start := time.Now()
	now := func() time.Time { return casablancaMorning.Add(time.Since(start)) }

	keys, err := ledger.OpenKeyring(filepath.Join(dir, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	e.ledger, err = ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "signing.key"), Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.ledger.Close() })

	apiID, apiKey, err := secret.NewAPIKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e.apiKey = apiKey
	declared := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	recs := []bawwab.Record{
		&bawwab.Operator{ID: "iam", Name: "Maroc Telecom"},
		&bawwab.Operator{ID: "orange", Name: "Orange Maroc"},
		&bawwab.Operator{ID: "inwi", Name: "inwi"},
		&bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT-17", DeclaredAt: declared},
		&bawwab.Provider{ID: "otherco", Name: "Other Co", ANRTDeclaration: "ANRT-18", DeclaredAt: declared},
		&bawwab.Account{ID: "atlas", ProviderID: "atlasvas", Kind: bawwab.AccountSMPP, SecretHash: hash(t, password)},
		&bawwab.Account{ID: "atlas2", ProviderID: "atlasvas", Kind: bawwab.AccountSMPP, SecretHash: hash(t, password), MaxBinds: 1},
		&bawwab.Account{ID: "other", ProviderID: "otherco", Kind: bawwab.AccountSMPP, SecretHash: hash(t, password)},
		&bawwab.Account{ID: apiID, ProviderID: "atlasvas", Kind: bawwab.AccountAPI, SecretHash: hash(t, apiKey)},
		&bawwab.Contract{ID: "c1", ProviderID: "atlasvas", OperatorID: "iam", ValidFrom: declared},
		&bawwab.Contract{ID: "c2", ProviderID: "atlasvas", OperatorID: "orange", ValidFrom: declared},
		&bawwab.Contract{ID: "c3", ProviderID: "otherco", OperatorID: "iam", ValidFrom: declared},
		&bawwab.Contract{ID: "c4", ProviderID: "otherco", OperatorID: "orange", ValidFrom: declared},
		&bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}},
		&bawwab.Advertiser{ID: "souk", Name: "Souk", ProviderIDs: []string{"otherco"}},
		&bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
		&bawwab.SenderID{Value: "ATLASOTP", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryTransactional},
		&bawwab.SenderID{Value: "SOUK", ProviderID: "otherco", AdvertiserID: "souk", Category: bawwab.CategoryCommercial},
		&bawwab.Channel{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
		&bawwab.Channel{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
		&bawwab.Channel{Code: "3300", Purpose: bawwab.PurposeComplaint, Scope: bawwab.ChannelNational, Free: true},
		&bawwab.Channel{Code: "7070", Purpose: bawwab.PurposeService, Scope: bawwab.ChannelProvider, ProviderID: "atlasvas"},
	}
	if _, err := e.st.Registry.ImportRegistry(ctx, func(yield func(bawwab.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	snap, err := e.st.Registry.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	view, err := compliance.NewView(snap)
	if err != nil {
		t.Fatal(err)
	}
	e.ix = optout.New()
	engine, err := compliance.New(compliance.DefaultConfig(), view, compliance.Deps{Oppositions: compliance.IndexOppositions(e.ix)})
	if err != nil {
		t.Fatal(err)
	}

	var links []proxy.SMSCConfig
	for _, op := range []string{"iam", "orange"} {
		s, err := sim.NewSMSC(sim.SMSCConfig{Name: op, DLRDelay: o.dlrDelay, OnSubmit: func(_ string, p *smpp.PDU) {
			text, _ := p.Text()
			e.mu.Lock()
			e.submitted[op] = append(e.submitted[op], text)
			e.mu.Unlock()
		}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Shutdown(context.Background()) })
		e.smscs[op] = s
		links = append(links, proxy.SMSCConfig{Operator: op, Addr: s.Addr().String(), SystemID: "bawwab", Password: "x", Binds: 2})
	}
	e.gw, err = proxy.New(proxy.Options{
		Registry:    e.st.Registry,
		Ledger:      e.ledger,
		Engine:      engine,
		Operators:   msisdn.NewOperators(),
		Oppositions: optout.NewRecorder(e.st.Oppositions, e.ix, e.ledger),
		SMSCs:       links,
		Concat:      proxy.ConcatOptions{Timeout: o.concatTimeout},
		Now:         now,
		Logger:      testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.gw.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	go e.gw.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.gw.Shutdown(ctx)
	})
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.gw.Ready(rctx); err != nil {
		t.Fatal(err)
	}
	return e
}

// esme is a provider's bind, collecting what the gateway delivers.
type esme struct {
	conn     *smpp.Conn
	mu       sync.Mutex
	receipts []smpp.Receipt
	mos      []string
	notify   chan struct{}
}

func (e *env) bind(systemID string, kind smpp.BindKind, window int) *esme {
	e.t.Helper()
	c, err := e.dial(systemID, password, kind, window)
	if err != nil {
		e.t.Fatalf("bind %s: %v", systemID, err)
	}
	return c
}

func (e *env) dial(systemID, pw string, kind smpp.BindKind, window int) (*esme, error) {
	m := &esme{notify: make(chan struct{}, 1000)}
	conn, err := smpp.Dial(e.ctx, e.addr, smpp.DialOptions{Kind: kind, SystemID: systemID, Password: pw,
		Conn: smpp.ConnOptions{Window: window, Handler: smpp.HandlerFunc(func(r *smpp.Request) {
			if rc, err := smpp.ReceiptOf(&r.PDU); err == nil {
				m.mu.Lock()
				m.receipts = append(m.receipts, rc)
				m.mu.Unlock()
			} else {
				text, _ := r.Text()
				m.mu.Lock()
				m.mos = append(m.mos, text)
				m.mu.Unlock()
			}
			r.Accept("")
			m.notify <- struct{}{}
		})}})
	if err != nil {
		return nil, err
	}
	e.t.Cleanup(func() { conn.Close() })
	m.conn = conn
	return m, nil
}

// waitFor waits until cond holds on the ESME's collections.
func (m *esme) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		m.mu.Lock()
		ok := cond()
		m.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-m.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func body(sender, dest, text string) *smpp.Body {
	return &smpp.Body{
		Source:             smpp.Address{TON: smpp.TONAlphanumeric, Addr: sender},
		Dest:               smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: dest},
		RegisteredDelivery: smpp.RegisteredDeliveryAll,
		ShortMessage:       []byte(text),
	}
}

func (e *env) reached(op, substr string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range e.submitted[op] {
		if strings.Contains(s, substr) {
			n++
		}
	}
	return n
}

// decisions returns the decision entries of the ledger.
func (e *env) decisions() []*bawwab.LedgerEntry {
	var out []*bawwab.LedgerEntry
	for en, err := range e.ledger.FindEntries(e.ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryDecision}, WithText: true}) {
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
