package proxy_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
	"github.com/bawwab/bawwab/sqlite"
)

// Numbers of the tests: an IAM and an Orange subscriber.
const (
	iamNumber    = "212661234567"
	orangeNumber = "212612345678"
	password     = "s3cretpw" // SMPP passwords are at most 8 characters
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
	schedules map[string][]string // operator -> schedule_delivery_time of each
	opts      proxy.Options
	cutter    *cutter
	apiKey    string
	otherKey  string // an API key of the other provider (otherco)
}

type envOptions struct {
	at            time.Time // the clock's start (default casablancaMorning)
	sanctions     bool      // a sanction monitor suspending at 2 refusals for recipient-opted-out
	rateLimit     float64
	cut           bool // the IAM link goes through a relay the test can cut
	maxBinds      int
	durable       bool // the store's outbox rather than one in memory
	concatTimeout time.Duration
	dlrDelay      time.Duration
	callbackAllow []string // the non-public ranges callbacks may reach
}

// casablancaMorning is the clock of the tests: within the sending hours.
var casablancaMorning = time.Date(2026, 5, 5, 10, 0, 0, 0, time.FixedZone("+01", 3600))

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	e := &env{t: t, ctx: ctx, smscs: map[string]*sim.SMSC{}, submitted: map[string][]string{}, schedules: map[string][]string{}}
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.st = db.Store()
	start := time.Now()
	at := casablancaMorning
	if !o.at.IsZero() {
		at = o.at
	}
	now := func() time.Time { return at.Add(time.Since(start)) }

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
	otherID, otherKey, err := secret.NewAPIKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e.otherKey = otherKey
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
		&bawwab.Account{ID: otherID, ProviderID: "otherco", Kind: bawwab.AccountAPI, SecretHash: hash(t, otherKey)},
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
			e.schedules[op] = append(e.schedules[op], string(p.ScheduleDeliveryTime()))
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
		addr := s.Addr().String()
		if o.cut && op == "iam" {
			e.cutter = newCutter(t, addr)
			addr = e.cutter.addr
		}
		links = append(links, proxy.SMSCConfig{Operator: op, Addr: addr, SystemID: "bawwab", Password: "x", Binds: 2})
	}
	e.opts = proxy.Options{
		Registry:    e.st.Registry,
		Feed:        e.st.Feed,
		Ledger:      e.ledger,
		Engine:      engine,
		Operators:   msisdn.NewOperators(),
		Oppositions: optout.NewRecorder(e.st.Oppositions, e.ix, e.ledger),
		Complaints:  &complaint.Desk{Store: e.st.Complaints, Ledger: e.ledger, Origin: "test", Keys: keys},
		SMSCs:       links,
		Concat:      proxy.ConcatOptions{Timeout: o.concatTimeout},
		Now:         now,
		Logger:      testLogger(t),
		MaxBinds:    o.maxBinds,
		Signer:      testSigner,
	}
	if e.opts.CallbackAllow, err = safehttp.ParseAllow(o.callbackAllow); err != nil {
		t.Fatal(err)
	}
	if o.durable {
		e.opts.Outbox = e.st.Outbox
	}
	e.opts.RateLimit = o.rateLimit
	if o.sanctions {
		cfg := sanction.DefaultConfig()
		cfg.Rules = append(cfg.Rules, sanction.Rule{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Suspension: 2})
		mon, err := sanction.New(sanction.Options{Config: cfg, Measures: e.st.Measures, Complaints: e.st.Complaints, Reports: e.st.Reports,
			Ledger: e.ledger, Origin: "test", Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if err := mon.Load(ctx); err != nil {
			t.Fatal(err)
		}
		e.opts.Sanctions = mon
	}
	e.start()
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
		Conn: smpp.ConnOptions{Window: window, ThrottleRetries: -1, Handler: smpp.HandlerFunc(func(r *smpp.Request) {
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
	if _, fuzz := t.(*testing.F); fuzz {
		return slog.New(slog.DiscardHandler) // f.Log is not allowed in the fuzz target
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// start starts a gateway (again, after stop: a restart).
func (e *env) start() {
	t := e.t
	gw, err := proxy.New(e.opts)
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	if err := gw.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	go gw.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.Shutdown(ctx)
	})
	rctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	if err := gw.Ready(rctx); err != nil {
		t.Fatal(err)
	}
}

// stop shuts the gateway down.
func (e *env) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.gw.Shutdown(ctx); err != nil {
		e.t.Errorf("shutdown: %v", err)
	}
}

// cutter relays TCP connections to an address, and cuts them on demand:
// an SMSC link dropping.
type cutter struct {
	addr  string
	mu    sync.Mutex
	conns []net.Conn
}

func newCutter(t testing.TB, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	c := &cutter{addr: ln.Addr().String()}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			c.mu.Lock()
			c.conns = append(c.conns, in, out)
			c.mu.Unlock()
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return c
}

// cut closes every connection relayed so far.
func (c *cutter) cut() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range c.conns {
		x.Close()
	}
	c.conns = nil
}

// testSigner signs the gateway's callbacks in the tests; testKeys are the
// keys a receiver trusts.
var (
	testSignKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	testKeyID   = safehttp.KeyID("test-gateway", testSignKey.Public().(ed25519.PublicKey))
	testSigner  = safehttp.NewEd25519Signer(testKeyID, testSignKey)
	testKeys    = map[string]ed25519.PublicKey{testKeyID: testSignKey.Public().(ed25519.PublicKey)}
)

// loopbackCallbacks allows callbacks to the test's receivers on 127.0.0.1.
var loopbackCallbacks = []string{"127.0.0.0/8", "::1"}
