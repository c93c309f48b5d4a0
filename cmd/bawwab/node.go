package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
)

// NodeOptions are what a caller of StartNode gives besides the
// configuration: tests and the demo pass listeners already open.
type NodeOptions struct {
	Logger *slog.Logger
	// SMPPListener and HTTPListener, when set, are used instead of the
	// configuration's addresses.
	SMPPListener, HTTPListener net.Listener
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// VerifyEvery is the longest time between two verifications of a
	// growing ledger (5 minutes when 0).
	VerifyEvery time.Duration
	// Routes adds handlers to the HTTP mux before it serves (the demo's
	// /api/v1/sim/mo).
	Routes func(mux *http.ServeMux)
}

// Node is one running gateway: the store, the ledger, the opposition
// index, the rules, the control by the regulators, the listeners. serve
// and demo build one from a Config.
type Node struct {
	cfg *Config
	log *slog.Logger
	now func() time.Time

	Store      bawwab.Store
	Users      bawwab.UserService
	closeStore func() error
	Keys       *ledger.Keyring
	Ledger     *ledger.Ledger
	Index      *optout.Index
	Consents   *compliance.ConsentSet
	Engine     *compliance.Engine
	Monitor    *sanction.Monitor
	Desk       *complaint.Desk
	Feeder     *report.Feeder
	Metrics    *prometheus.Registry
	Mux        *http.ServeMux
	// Gateway is the proxy (see gateway.go); Recorder records the
	// oppositions MO messages and the console express.
	Gateway   gatewayPart
	proxy     *proxy.Gateway
	Recorder  *optout.Recorder
	Operators *msisdn.Operators

	httpSrv, metricsSrv *http.Server
	// HTTPAddr and SMPPAddr are the listeners' addresses, once listening.
	HTTPAddr, SMPPAddr string
	smppLn             net.Listener

	cancel context.CancelFunc
	wg     sync.WaitGroup
	// seq is the last change applied by the follower.
	seqMu      sync.Mutex
	seq        int64
	consentSeq int64
	ready      time.Time
	categories atomic.Pointer[func(string) bawwab.Category]
	registry   atomic.Pointer[bawwab.Registry]
	runCtx     context.Context
	verified   atomic.Pointer[web.LedgerStatus]
	// signer signs the calls made on the providers' behalf, which may
	// reach callbackAllow's non-public addresses.
	signer        *safehttp.Signer
	callbackAllow []netip.Prefix
}

// gatewayPart is what the node needs of the proxy: see gateway.go, which
// builds it once the proxy package exists.
type gatewayPart interface {
	Start(ctx context.Context) error
	Serve(ln net.Listener) error
	HTTPHandler() http.Handler
	Shutdown(ctx context.Context) error
}

// StartNode opens everything the configuration names and starts serving.
// On an error, what was opened is closed again.
func StartNode(ctx context.Context, cfg *Config, opts NodeOptions) (_ *Node, err error) {
	// n is not the named result: a "return nil, err" must leave it set
	// for the cleanup below.
	n := &Node{cfg: cfg, log: opts.Logger, now: opts.Now, Operators: msisdn.NewOperators()}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.now == nil {
		n.now = time.Now
	}
	n.log = n.log.With("node", cfg.Node)
	defer func() {
		if err != nil {
			if cerr := n.abort(); cerr != nil {
				n.log.Warn("close after a failed start", "err", cerr)
			}
		}
	}()
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	n.cancel = cancel
	n.runCtx = runCtx
	if err := n.openStore(ctx); err != nil {
		return nil, err
	}
	if err := n.openLedger(); err != nil {
		return nil, err
	}
	if err := n.loadIndex(ctx); err != nil {
		return nil, err
	}
	if err := n.loadRules(ctx); err != nil {
		return nil, err
	}
	if err := n.startControl(ctx); err != nil {
		return nil, err
	}
	n.setupMetrics()
	n.Mux = http.NewServeMux()
	if err := n.startGateway(runCtx); err != nil {
		return nil, err
	}
	if opts.Routes != nil {
		opts.Routes(n.Mux)
	}
	if err := n.routes(); err != nil {
		return nil, err
	}
	n.goRun(func() { n.recordPendingEvery(runCtx, 2*time.Second) })
	verifyEvery := opts.VerifyEvery
	if verifyEvery <= 0 {
		verifyEvery = 5 * time.Minute
	}
	n.goRun(func() { n.verifyEvery(runCtx, verifyEvery) })
	if r := time.Duration(cfg.Ledger.TextRetention); r > 0 {
		n.goRun(func() { n.purgeEvery(runCtx, time.Minute, 24*time.Hour, r) })
	}
	n.goRun(func() { n.follow(runCtx) })
	n.goRun(func() { n.saveIndexEvery(runCtx, 10*time.Minute) })
	if err := n.listen(opts); err != nil {
		return nil, err
	}
	n.ready = time.Now()
	n.log.Info("gateway ready", "smpp", n.SMPPAddr, "http", n.HTTPAddr, "rule_set", n.Engine.RuleSet(),
		"oppositions_seq", n.Index.Seq(), "ledger_entries", n.Ledger.Stats().Entries)
	return n, nil
}

func (n *Node) goRun(f func()) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		f()
	}()
}

func (n *Node) openStore(ctx context.Context) error {
	if err := os.MkdirAll(n.cfg.Store.Data, 0o700); err != nil {
		return fmt.Errorf("store.data %s: create the data directory: %w", n.cfg.Store.Data, err)
	}
	if dsn := n.cfg.Store.Postgres; dsn != "" {
		db := postgres.NewDB(dsn)
		db.Now = n.now
		if err := db.Open(ctx); err != nil {
			return fmt.Errorf("open the PostgreSQL store: %w", err)
		}
		n.Store, n.closeStore, n.Users = db.Store(), db.Close, postgres.NewUserService(db)
		return nil
	}
	db := sqlite.NewDB(filepath.Join(n.cfg.Store.Data, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		return fmt.Errorf("open the embedded store: %w", err)
	}
	n.Store, n.closeStore, n.Users = db.Store(), db.Close, sqlite.NewUserService(db)
	return nil
}

func (n *Node) openLedger() error {
	for _, f := range []string{n.cfg.signingKeyFile(), n.cfg.keyringFile()} {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			return fmt.Errorf("create the keys' directory: %w", err)
		}
	}
	keys, err := ledger.OpenKeyring(n.cfg.keyringFile(), ledger.KeyringOptions{Create: true, Now: n.now})
	if err != nil {
		return err
	}
	n.Keys = keys
	l, err := ledger.Open(n.cfg.ledgerDir(), ledger.Options{
		SigningKeyFile:     n.cfg.signingKeyFile(),
		Origin:             n.cfg.Node,
		Keyring:            keys,
		CheckpointInterval: time.Duration(n.cfg.Ledger.CheckpointInterval),
		Now:                n.now,
		Logger:             n.log,
	})
	if err != nil {
		return err
	}
	n.Ledger = l
	// The ledger's key also signs the calls made on the providers'
	// behalf, so that they verify them with the key the console
	// publishes (public_key of /api/v1/ledger/status).
	if n.signer, err = callbackSigner(n.cfg.signingKeyFile()); err != nil {
		return err
	}
	if n.callbackAllow, err = safehttp.ParseAllow(n.cfg.Callbacks.Allow); err != nil {
		return fmt.Errorf("callbacks.allow: %w", err)
	}
	return nil
}

// callbackSigner signs the callbacks, dlr-url calls and webhooks with the
// ledger's signing key (a note signer key); the key ID is the hash in its
// published verifier key ("name+keyid+key").
func callbackSigner(file string) (*safehttp.Signer, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	s, err := note.NewSigner(strings.TrimSpace(string(data)))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", file, err)
	}
	return &safehttp.Signer{KeyID: fmt.Sprintf("%08x", s.KeyHash()), Sign: s.Sign}, nil
}

func (n *Node) indexFile() string { return filepath.Join(n.cfg.Store.Data, "optout.snap") }

// loadIndex loads the opposition index's snapshot and applies the
// oppositions recorded since, or builds it from the whole register.
func (n *Node) loadIndex(ctx context.Context) error {
	ix, err := optout.Load(n.indexFile())
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist):
		ix = nil
	default:
		n.log.Warn("opposition index snapshot unusable, rebuilding", "err", err)
		ix = nil
	}
	if ix == nil {
		ix, err = optout.Build(n.Store.Oppositions.StreamOppositions(ctx, 0))
		if err != nil {
			return fmt.Errorf("build the opposition index: %w", err)
		}
		return n.setIndex(ix)
	}
	for op, err := range n.Store.Oppositions.StreamOppositions(ctx, ix.Seq()) {
		if err != nil {
			return fmt.Errorf("catch up the opposition index: %w", err)
		}
		if _, err := ix.Apply(op); err != nil {
			return err
		}
	}
	return n.setIndex(ix)
}

func (n *Node) setIndex(ix *optout.Index) error {
	n.Index = ix
	return nil
}

func (n *Node) saveIndexEvery(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := n.Index.Save(n.indexFile()); err != nil {
				n.log.Warn("save the opposition index", "err", err)
			}
		}
	}
}

// loadRules builds the engine over a registry snapshot, and the consents
// when consent mode is on. The follower starts after the snapshot's
// sequence number.
func (n *Node) loadRules(ctx context.Context) error {
	reg, err := n.Store.Registry.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("read the registry: %w", err)
	}
	view, err := compliance.NewView(reg)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	for _, s := range view.Skipped() {
		n.log.Warn("registry record skipped by the rules", "why", s)
	}
	// The ports operators reported, for the routing.
	for after := int64(0); ; {
		evs, err := n.Store.Numbers.FindNumberEvents(ctx, bawwab.NumberEventFilter{AfterSeq: after, Limit: 10000})
		if err != nil {
			return fmt.Errorf("read the number events: %w", err)
		}
		if len(evs) == 0 {
			break
		}
		for _, e := range evs {
			if e.Kind == bawwab.NumberPorted {
				n.port(e)
			}
			after = e.Seq
		}
	}
	deps := compliance.Deps{Oppositions: compliance.IndexOppositions(n.Index)}
	if n.cfg.Rules.Consent {
		n.Consents = compliance.NewConsentSet()
		// Consents up to here are read below; the follower skips them.
		if n.consentSeq, err = n.Store.Feed.LastSeq(ctx); err != nil {
			return err
		}
		var after int64
		for {
			cs, err := n.Store.Consents.FindConsents(ctx, bawwab.ConsentFilter{AfterSeq: after, Limit: 10000})
			if err != nil {
				return fmt.Errorf("read the consents: %w", err)
			}
			if len(cs) == 0 {
				break
			}
			for _, c := range cs {
				if err := n.Consents.Apply(*c); err != nil {
					return err
				}
				after = c.Seq
			}
		}
		deps.Consents = n.Consents
	}
	n.setRegistry(reg, view)
	n.Engine, err = compliance.New(n.cfg.Rules, view, deps)
	if err != nil {
		return err
	}
	// Changes up to the snapshot are in the view; the oppositions between
	// the index's sequence number and the snapshot's are applied again by
	// the follower, which the index skips.
	n.seq = min(reg.Seq, n.Index.Seq())
	return nil
}

// follow applies the store's changes as they are committed: registry
// changes make a new view, oppositions go into the index, consents and
// number events into the consent set. It polls the change feed; the
// engine and the index skip what they already have.
func (n *Node) follow(ctx context.Context) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		if err := n.catchUp(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("follow the change feed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// catchUp applies every change committed so far.
func (n *Node) catchUp(ctx context.Context) error {
	n.seqMu.Lock()
	defer n.seqMu.Unlock()
	for {
		cs, err := n.Store.Feed.Changes(ctx, n.seq, 0)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return nil
		}
		registry := false
		for _, c := range cs {
			switch r := c.Record.(type) {
			case *bawwab.Opposition:
				if _, err := n.Index.Apply(*r); err != nil {
					n.log.Warn("opposition not applied", "seq", c.Seq, "err", err)
				}
			case *bawwab.Consent:
				if n.Consents != nil && c.Seq > n.consentSeq {
					if err := n.Consents.Apply(*r); err != nil {
						n.log.Warn("consent not applied", "seq", c.Seq, "err", err)
					}
				}
			case *bawwab.NumberEvent:
				if r.Kind == bawwab.NumberPorted {
					n.port(r)
				}
				if n.Consents != nil && c.Seq > n.consentSeq && r.Kind == bawwab.NumberReassigned {
					if num, err := msisdn.Parse(r.MSISDN); err == nil {
						n.Consents.Reassigned(num)
					}
				}
			default:
				if c.Seq > n.Engine.View().Seq() {
					registry = true
				}
			}
		}
		n.seq = cs[len(cs)-1].Seq
		if registry {
			if err := n.reloadView(ctx); err != nil {
				return err
			}
		}
	}
}

// port applies a number's port to the routing.
func (n *Node) port(e *bawwab.NumberEvent) {
	num, err := msisdn.Parse(e.MSISDN)
	if err != nil {
		return
	}
	op, err := msisdn.ParseOperator(e.OperatorID)
	if err != nil {
		return
	}
	if err := n.Operators.Port(num, op); err != nil {
		n.log.Warn("port not applied", "err", err)
	}
}

func (n *Node) reloadView(ctx context.Context) error {
	reg, err := n.Store.Registry.Snapshot(ctx)
	if err != nil {
		return err
	}
	view, err := compliance.NewView(reg)
	if err != nil {
		return err
	}
	return n.setRegistry(reg, view)
}

// startControl starts the control by the regulators: the report feeder
// (caught up first, since the monitor loads its counters from the
// aggregates), the sanction monitor and the complaint desk.
func (n *Node) startControl(ctx context.Context) error {
	n.Feeder = &report.Feeder{Store: n.Store.Reports, Ledger: n.Ledger, Origin: n.cfg.Node, Logger: n.log,
		SenderCategory: n.senderCategory}
	if _, err := n.Feeder.CatchUp(ctx); err != nil {
		return fmt.Errorf("catch up the reports: %w", err)
	}
	mon, err := sanction.New(sanction.Options{Config: n.cfg.Sanctions, Measures: n.Store.Measures,
		Complaints: n.Store.Complaints, Reports: n.Store.Reports, Ledger: n.Ledger, Origin: n.cfg.Node,
		Now: n.now, Logger: n.log, OnChange: n.onMeasure, WebhookAllow: n.callbackAllow, Signer: n.signer})
	if err != nil {
		return err
	}
	if err := mon.Load(ctx); err != nil {
		return fmt.Errorf("load the sanction counters: %w", err)
	}
	n.Monitor = mon
	n.Desk = &complaint.Desk{Store: n.Store.Complaints, Ledger: n.Ledger, Origin: n.cfg.Node, Keys: n.Keys, Config: n.cfg.Complaints,
		Now: n.now, Logger: n.log, OnConfirmed: mon.ObserveComplaint}
	n.goRun(func() { n.Feeder.Run(n.runCtx) })
	n.goRun(func() { mon.Run(n.runCtx) })
	n.goRun(func() { n.Desk.Run(n.runCtx, time.Minute) })
	return nil
}

// onMeasure is the monitor's OnChange: the gateway applies it at once.
func (n *Node) onMeasure(provider string, s sanction.Status) {
	n.log.Warn("measure", "provider", provider, "kind", s.Kind)
	if g, ok := n.Gateway.(interface {
		SetProviderStatus(string, sanction.Status)
	}); ok {
		g.SetProviderStatus(provider, s)
	}
}

func (n *Node) senderCategory(sender string) bawwab.Category {
	f := n.categories.Load()
	if f == nil {
		return bawwab.CategoryUnknown
	}
	return (*f)(sender)
}

// setRegistry makes reg the registry the rules and the reports see.
func (n *Node) setRegistry(reg *bawwab.Registry, view *compliance.View) error {
	f := report.SenderCategories(reg.SenderIDs)
	n.categories.Store(&f)
	n.registry.Store(reg)
	if n.proxy != nil {
		return n.proxy.SetRegistry(reg) // the engine's view, and the gateway's accounts and channels
	}
	if n.Engine == nil {
		return nil
	}
	return n.Engine.SetView(view)
}

// Registry returns the registry snapshot the rules use.
func (n *Node) Registry() *bawwab.Registry { return n.registry.Load() }

func (n *Node) setupMetrics() {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	gauge := func(name, help string, f func() float64) {
		r.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bawwab", Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "bawwab", Name: name, Help: help}, f))
	}
	gauge("ledger_entries", "Entries in this node's ledger (durable).", func() float64 { return float64(n.Ledger.Stats().Entries) })
	counter("ledger_appended_total", "Entries appended since start.", func() float64 { return float64(n.Ledger.Stats().Appended) })
	counter("ledger_syncs_total", "Group commits (fdatasync) since start.", func() float64 { return float64(n.Ledger.Stats().Syncs) })
	counter("ledger_checkpoints_total", "Checkpoints signed since start.", func() float64 { return float64(n.Ledger.Stats().Checkpoints) })
	gauge("optout_seq", "Change sequence number of the last opposition in the index.", func() float64 { return float64(n.Index.Seq()) })
	gauge("optout_index_bytes", "Memory of the opposition index.", func() float64 { return float64(n.Index.Bytes()) })
	gauge("registry_seq", "Change sequence number of the registry view the rules use.", func() float64 { return float64(n.Engine.View().Seq()) })
	n.Metrics = r
	n.registerGatewayMetrics(r)
}

func (n *Node) routes() error {
	mux := n.Mux
	metrics := promhttp.HandlerFor(n.Metrics, promhttp.HandlerOpts{Registry: n.Metrics})
	if n.cfg.Listen.Metrics == "" {
		mux.Handle("GET /metrics", metrics)
	}
	// /healthz is 503 while a bind of an SMSC link is down, so that a load
	// balancer or an operator's monitoring sees a degraded gateway.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if n.proxy != nil {
			if d := n.proxy.Stats().Degraded(); len(d) > 0 {
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, "degraded: SMSC link down:", strings.Join(d, ", "))
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	return n.mountParts(mux)
}

// listen opens the listeners and serves them.
func (n *Node) listen(opts NodeOptions) error {
	tlsCfg, err := n.cfg.Listen.tlsConfig()
	if err != nil {
		return err
	}
	httpLn := opts.HTTPListener
	if httpLn == nil && n.cfg.Listen.HTTP != "" {
		if httpLn, err = net.Listen("tcp", n.cfg.Listen.HTTP); err != nil {
			return listenError("listen.http", n.cfg.Listen.HTTP, err)
		}
	}
	if httpLn != nil {
		if n.cfg.Listen.HTTPTLS {
			httpLn = tlsListener(httpLn, tlsCfg)
		}
		n.HTTPAddr = httpLn.Addr().String()
		n.httpSrv = &http.Server{Handler: http.MaxBytesHandler(n.Mux, n.cfg.Limits.HTTPMaxBody),
			ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(n.log.Handler(), slog.LevelWarn)}
		srv := n.httpSrv
		n.goRun(func() {
			if err := srv.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				n.log.Error("http listener", "err", err)
			}
		})
	}
	if n.cfg.Listen.Metrics != "" {
		ln, err := net.Listen("tcp", n.cfg.Listen.Metrics)
		if err != nil {
			return listenError("listen.metrics", n.cfg.Listen.Metrics, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(n.Metrics, promhttp.HandlerOpts{}))
		n.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		srv := n.metricsSrv
		n.goRun(func() { srv.Serve(ln) })
	}
	smppLn := opts.SMPPListener
	if smppLn == nil && n.cfg.Listen.SMPP != "" && n.Gateway != nil {
		if smppLn, err = net.Listen("tcp", n.cfg.Listen.SMPP); err != nil {
			return listenError("listen.smpp", n.cfg.Listen.SMPP, err)
		}
	}
	if smppLn != nil && n.Gateway != nil {
		if n.cfg.Listen.SMPPTLS {
			smppLn = tlsListener(smppLn, tlsCfg)
		}
		n.smppLn = smppLn
		n.SMPPAddr = smppLn.Addr().String()
		g, ln := n.Gateway, smppLn
		n.goRun(func() {
			if err := g.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
				n.log.Error("smpp listener", "err", err)
			}
		})
	} else if smppLn != nil {
		smppLn.Close()
	}
	return nil
}

// Shutdown stops the node gracefully: the listeners stop accepting, the
// submissions in flight are answered and recorded (within
// limits.shutdown_timeout), the measures and reports are flushed, the
// index is saved, and the ledger is checkpointed and closed.
func (n *Node) Shutdown(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(n.cfg.Limits.ShutdownTimeout))
	defer cancel()
	n.log.Info("shutting down")
	var errs []error
	if n.Gateway != nil {
		if err := n.Gateway.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("gateway: %w", err))
		}
	}
	if n.httpSrv != nil {
		if err := n.httpSrv.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http: %w", err))
		}
	}
	if n.metricsSrv != nil {
		n.metricsSrv.Shutdown(ctx)
	}
	if n.Monitor != nil {
		if err := n.Monitor.Flush(ctx); err != nil {
			errs = append(errs, fmt.Errorf("measures: %w", err))
		}
	}
	if n.Index != nil {
		if err := n.Index.Save(n.indexFile()); err != nil {
			errs = append(errs, fmt.Errorf("save the opposition index: %w", err))
		}
	}
	if err := n.close(); err != nil {
		errs = append(errs, err)
	}
	n.log.Info("stopped")
	return errors.Join(errs...)
}

// recordPendingEvery appends to the ledger the changes the command line
// made while this node held it (see audit.go), at start and then every
// so often.
func (n *Node) recordPendingEvery(ctx context.Context, every time.Duration) {
	dir := filepath.Join(n.cfg.Store.Data, pendingDirName)
	for {
		if k, err := drainPending(ctx, dir, n.Ledger, n.Store); err != nil && ctx.Err() == nil {
			n.log.Error("record the command line's changes in the ledger", "err", err)
		} else if k > 0 {
			n.log.Info("command line's changes recorded in the ledger", "entries", k)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// listenError names the configuration key and the address a listener
// could not open on, with the system's reason only ("address already in
// use" rather than "listen tcp ...: bind: address already in use").
func listenError(key, addr string, err error) error {
	cause := err
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		cause = op.Err
		var sys *os.SyscallError
		if errors.As(cause, &sys) {
			cause = sys.Err
		}
	}
	return fmt.Errorf("%s %s: %w", key, addr, cause)
}

// abort undoes a start that failed half-way: the listeners and the
// gateway that were started stop at once, then close.
func (n *Node) abort() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	if n.httpSrv != nil {
		n.httpSrv.Close()
	}
	if n.metricsSrv != nil {
		n.metricsSrv.Close()
	}
	if n.smppLn != nil {
		n.smppLn.Close()
	}
	if n.Gateway != nil {
		if err := n.Gateway.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("gateway: %w", err))
		}
	}
	if err := n.close(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// close stops the background work and closes the ledger and the store.
func (n *Node) close() error {
	if n.cancel != nil {
		n.cancel()
	}
	n.wg.Wait()
	var errs []error
	if n.Ledger != nil && n.Feeder != nil {
		// The last entries go into the aggregates before the ledger closes.
		if _, err := n.Feeder.CatchUp(context.Background()); err != nil {
			errs = append(errs, fmt.Errorf("reports: %w", err))
		}
	}
	if n.Ledger != nil {
		if err := n.Ledger.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close the ledger: %w", err))
		}
		n.Ledger = nil
	}
	if n.closeStore != nil {
		if err := n.closeStore(); err != nil {
			errs = append(errs, fmt.Errorf("close the store: %w", err))
		}
		n.closeStore = nil
	}
	return errors.Join(errs...)
}

// purgeEvery applies the texts' retention (ledger.text_retention) a while
// after start and then every day, when the ledger holds entries older
// than it: their texts are dropped, their hashes kept.
func (n *Node) purgeEvery(ctx context.Context, first, every time.Duration, retention time.Duration) {
	wait := first
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = every
		cut := n.now().Add(-retention)
		e, err := n.Ledger.FindEntryByIndex(ctx, 0)
		if err != nil || !e.Time.Before(cut) {
			continue
		}
		dropped, err := n.Ledger.PurgeTexts(ctx, cut, "retention:"+n.cfg.Node)
		if err != nil {
			n.log.Error("text retention", "err", err)
			continue
		}
		n.log.Info("text retention applied", "before", cut, "texts_dropped", dropped)
	}
}

// Ready is when the node started serving.
func (n *Node) Ready() time.Time { return n.ready }

// tuneGC lets the heap grow to five times what is live before collecting
// (GOGC=400), unless GOGC is set: a gateway's live heap is small (the
// opposition index is about 25 MB for 10 M numbers) while each message
// allocates: at the default of 100 the collector took 5–8 % of the CPU in
// a bench gateway profile, and with 400 the added latency's p99 at window
// 100 fell from 8.5–9.8 ms to 6.5–6.8 ms (throughput within the noise). A
// soft memory limit, when GOMEMLIMIT is set, still bounds the heap.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
