package proxy

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/mo"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/smpp"
)

// SMSCConfig is the link to one operator's SMSC.
type SMSCConfig struct {
	// Operator is the operator's ID ("iam", "orange", "inwi"): messages to
	// its subscribers (after portability) go over this link.
	Operator   string
	Addr       string
	SystemID   string
	Password   string
	SystemType string
	// Binds is the number of transceiver binds kept up (default 1).
	Binds int
	// Window is each bind's window (default 100).
	Window int
	TLS    *tls.Config
}

// ConcatOptions bound the parts of concatenated messages held until the
// message is complete.
type ConcatOptions struct {
	// Timeout is how long the first part waits for the others (default
	// one minute).
	Timeout time.Duration
	// MaxBytes bounds the memory held per bind (default 1 MiB).
	MaxBytes int
}

// Options configure a Gateway.
type Options struct {
	// Registry is read at Start (and by Reload): accounts, channels, sender
	// IDs. Without it, call SetRegistry before Serve.
	Registry bawwab.RegistryService
	// Feed, if set with Registry, is followed (every RegistryPoll, default
	// one second): a change to the registry (a provider suspended, an
	// account added) reloads it.
	Feed         bawwab.ChangeService
	RegistryPoll time.Duration
	// Ledger records every decision before the provider is answered.
	// Required.
	Ledger bawwab.LedgerService
	// Engine decides. Required; the Gateway sets its view from the
	// registry.
	Engine *compliance.Engine
	// Operators routes a number to its operator, portability included
	// (nil: range holders only).
	Operators *msisdn.Operators
	// Oppositions records the oppositions MO messages express; it must
	// bring them into force before it returns (optout.Recorder).
	Oppositions bawwab.OppositionService
	// Sanctions, if set, is asked before each decision (a suspension
	// refuses, a throttle caps the rate) and told of each decision.
	Sanctions *sanction.Monitor
	// Complaints, if set, takes MO messages to the complaint short code.
	Complaints *complaint.Desk
	// Outbox keeps receipts and MO for providers with no receiver bind,
	// and the status of the messages submitted over HTTP, each written
	// before the provider has its id (nil: in memory, lost on restart).
	Outbox bawwab.OutboxService
	// SMSCs are the operators' links.
	SMSCs []SMSCConfig
	// NationalChannel is the national StopSMS short code (default: the
	// registry's national opt-out channel).
	NationalChannel string
	// ComplaintCode is the complaint short code (default: the registry's
	// complaint channels).
	ComplaintCode string
	// MaxBinds caps an account's concurrent binds when the account sets
	// none (default 4).
	MaxBinds int
	// RateLimit caps an account's submissions per second when the account
	// sets none (0: no cap).
	RateLimit float64
	// Window is the number of a provider bind's requests handled at once
	// (default 1000).
	Window int
	// MaxParts caps the parts of a text submitted over HTTP (default 10,
	// like common SMSC limits): a longer text is refused 400 rather than
	// sent as dozens of parts.
	MaxParts int
	// SMSCTimeout bounds the wait for an SMSC's answer (default 10 s).
	SMSCTimeout time.Duration
	Concat      ConcatOptions
	// SystemID is sent in bind responses (default "bawwab").
	SystemID string
	// HTTPClient posts receipts to callback_url and calls dlr-url
	// addresses. Default: a safehttp client (10 s timeout), which connects
	// only to public addresses and to CallbackAllow's, whatever a name
	// resolves to.
	HTTPClient *http.Client
	// CallbackAllow lists the address ranges that callbacks may reach
	// although they are not public (loopback, private, link-local...):
	// the default client's allow-list, and the check of a callback_url or
	// dlr-url holding a literal address when it is submitted.
	CallbackAllow []netip.Prefix
	// Signer signs every callback and dlr-url call (header
	// Bawwab-Signature); nil sends them unsigned.
	Signer *safehttp.Signer
	// Logger receives events; numbers are never logged in clear.
	Logger *slog.Logger
	// Registerer, if set, gets the gateway's metrics.
	Registerer prometheus.Registerer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Gateway is the in-line proxy. Its life: New, Start (SMSC links), Serve
// (provider binds) and HTTPHandler, then Shutdown.
type Gateway struct {
	opts   Options
	log    *slog.Logger
	now    func() time.Time
	outbox bawwab.OutboxService
	// httpStore keeps the HTTP messages' status: Options.Outbox (nil
	// without it: in memory only).
	httpStore bawwab.OutboxService
	httpw     *httpWriter // its writes (nil without it)

	reg atomic.Pointer[regState] // never nil: empty until the registry is set

	links map[string]*link // by operator ID

	mu        sync.Mutex
	regSet    bool
	sessions  map[string][]*session // by account ID
	servers   []*smpp.Server
	listeners []net.Listener // the servers', closed first at Shutdown
	closed    bool

	authMu    sync.Mutex
	authCache map[[32]byte]string // sha256(account, password) -> the hash it matched

	limits  limiter
	routes  routes
	ids     atomic.Uint64
	idBase  string
	http    *httpState
	moReasm *smpp.Reassembler
	split   smpp.Splitter

	inflight sync.WaitGroup
	watchers sync.WaitGroup // the provider sessions' watch goroutines
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	stats   counters
	metrics *metrics
}

// regState is the registry as the gateway reads it, swapped whole.
type regState struct {
	reg       *bawwab.Registry
	accounts  map[string]*bawwab.Account
	providers map[string]*bawwab.Provider
	senders   map[string]*bawwab.SenderID // by upper-case value
	channels  map[string]*bawwab.Channel
	dir       *mo.Directory
	national  string
}

// New checks opts and returns a Gateway.
func New(opts Options) (*Gateway, error) {
	if opts.Ledger == nil {
		return nil, errors.New("proxy: Options.Ledger is required")
	}
	if opts.Engine == nil {
		return nil, errors.New("proxy: Options.Engine is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxBinds <= 0 {
		opts.MaxBinds = 4
	}
	if opts.Window <= 0 {
		opts.Window = 1000
	}
	if opts.MaxParts <= 0 {
		opts.MaxParts = 10
	}
	if opts.SMSCTimeout <= 0 {
		opts.SMSCTimeout = 10 * time.Second
	}
	if opts.Concat.Timeout <= 0 {
		opts.Concat.Timeout = time.Minute
	}
	if opts.Concat.MaxBytes <= 0 {
		opts.Concat.MaxBytes = 1 << 20
	}
	if opts.SystemID == "" {
		opts.SystemID = "bawwab"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = safehttp.NewClient(callbackPolicy(opts.CallbackAllow))
	}
	g := &Gateway{
		opts:      opts,
		log:       opts.Logger,
		now:       opts.Now,
		outbox:    opts.Outbox,
		httpStore: opts.Outbox,
		links:     map[string]*link{},
		sessions:  map[string][]*session{},
		authCache: map[[32]byte]string{},
		// Message ids Bawwab issues (held parts of concatenated messages,
		// HTTP messages) start with "B" and the start time, so they never
		// collide with an earlier run's or an SMSC's decimal ids.
		idBase: "B" + strconv.FormatInt(opts.Now().Unix(), 36),
	}
	if g.outbox == nil {
		g.outbox = NewMemOutbox()
	}
	g.reg.Store(&regState{reg: &bawwab.Registry{}}) // no account binds before the registry is set
	g.ctx, g.cancel = context.WithCancel(context.Background())
	g.limits.init()
	g.routes.init()
	g.http = newHTTPState()
	if g.httpStore != nil {
		g.httpw = newHTTPWriter(g.httpStore, g.log)
	}
	g.moReasm = smpp.NewReassembler(smpp.ReassemblerOptions{Timeout: opts.Concat.Timeout, MaxBytes: opts.Concat.MaxBytes, Now: opts.Now})
	for _, c := range opts.SMSCs {
		if _, err := msisdn.ParseOperator(c.Operator); err != nil {
			return nil, fmt.Errorf("proxy: SMSC %q: %w", c.Addr, err)
		}
		op, _ := msisdn.ParseOperator(c.Operator)
		if _, dup := g.links[op.String()]; dup {
			return nil, fmt.Errorf("proxy: two SMSC links for operator %q", op)
		}
		if c.Addr == "" {
			return nil, fmt.Errorf("proxy: SMSC link for operator %q has no address", op)
		}
		g.links[op.String()] = newLink(g, op.String(), c)
	}
	var err error
	if g.metrics, err = newMetrics(opts.Registerer); err != nil {
		return nil, err
	}
	return g, nil
}

// SetRegistry swaps in a registry snapshot: the rules' view, the accounts,
// the channels and the MO directory.
func (g *Gateway) SetRegistry(reg *bawwab.Registry) error {
	view, err := compliance.NewView(reg)
	if err != nil {
		return fmt.Errorf("proxy: registry view: %w", err)
	}
	st := &regState{
		reg:       reg,
		accounts:  make(map[string]*bawwab.Account, len(reg.Accounts)),
		providers: make(map[string]*bawwab.Provider, len(reg.Providers)),
		senders:   make(map[string]*bawwab.SenderID, len(reg.SenderIDs)),
		channels:  make(map[string]*bawwab.Channel, len(reg.Channels)),
		national:  g.opts.NationalChannel,
	}
	recs := mo.Records{}
	for _, a := range reg.Accounts {
		st.accounts[a.ID] = a
	}
	for _, p := range reg.Providers {
		st.providers[p.ID] = p
		recs.Providers = append(recs.Providers, *p)
	}
	for _, s := range reg.SenderIDs {
		st.senders[strings.ToUpper(s.Value)] = s
		recs.SenderIDs = append(recs.SenderIDs, *s)
	}
	for _, a := range reg.Advertisers {
		recs.Advertisers = append(recs.Advertisers, *a)
	}
	for _, c := range reg.Channels {
		st.channels[c.Code] = c
		recs.Channels = append(recs.Channels, *c)
		if st.national == "" && c.Purpose == bawwab.PurposeOptOut && c.Scope == bawwab.ChannelNational {
			st.national = c.Code
		}
	}
	if st.dir, err = mo.NewDirectory(recs); err != nil {
		return fmt.Errorf("proxy: MO directory: %w", err)
	}
	if err := g.opts.Engine.SetView(view); err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	g.reg.Store(st)
	g.mu.Lock()
	g.regSet = true
	g.mu.Unlock()
	return nil
}

func (g *Gateway) hasRegistry() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.regSet
}

// Reload reads the registry again (after a change).
func (g *Gateway) Reload(ctx context.Context) error {
	if g.opts.Registry == nil {
		return errors.New("proxy: no registry to reload from")
	}
	reg, err := g.opts.Registry.Snapshot(ctx)
	if err != nil {
		return fmt.Errorf("proxy: registry snapshot: %w", err)
	}
	return g.SetRegistry(reg)
}

// Start loads the registry (if Options.Registry is set) and brings up the
// SMSC links, which rebind with back-off for as long as the Gateway runs.
// It does not wait for the links to be up (see Ready).
func (g *Gateway) Start(ctx context.Context) error {
	if g.opts.Registry != nil {
		if err := g.Reload(ctx); err != nil {
			return err
		}
	}
	if !g.hasRegistry() {
		return errors.New("proxy: no registry: set Options.Registry or call SetRegistry")
	}
	for _, l := range g.links {
		l.start()
	}
	if g.opts.Registry != nil && g.opts.Feed != nil {
		g.wg.Add(1)
		go g.followRegistry()
	}
	g.wg.Add(1)
	go g.housekeeping()
	if g.httpw != nil {
		g.httpw.start(g.ctx, &g.wg)
	}
	return nil
}

// Ready returns once every SMSC link has at least one bind up, or ctx ends.
func (g *Gateway) Ready(ctx context.Context) error {
	for {
		ready := true
		for _, l := range g.links {
			if l.up() == 0 {
				ready = false
			}
		}
		if ready {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// followRegistry reloads the registry when the change feed shows a change
// to it (oppositions and consents, which the feed carries too, do not need
// a reload).
func (g *Gateway) followRegistry() {
	defer g.wg.Done()
	poll := g.opts.RegistryPoll
	if poll <= 0 {
		poll = time.Second
	}
	seq := g.reg.Load().reg.Seq
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case <-t.C:
		}
		changed := false
		for g.ctx.Err() == nil {
			cs, err := g.opts.Feed.Changes(g.ctx, seq, 0)
			if err != nil {
				if g.ctx.Err() == nil {
					g.log.Warn("registry feed not read", "err", err)
				}
				break
			}
			if len(cs) == 0 {
				break
			}
			for _, c := range cs {
				if slices.Contains(bawwab.RegistryKinds, c.Kind) {
					changed = true
				}
			}
			seq = cs[len(cs)-1].Seq
		}
		if changed {
			if err := g.Reload(g.ctx); err != nil {
				if g.ctx.Err() == nil {
					g.log.Error("registry not reloaded", "err", err)
				}
				continue
			}
			seq = max(seq, g.reg.Load().reg.Seq)
			g.log.Info("registry reloaded", "seq", seq)
		}
	}
}

func (g *Gateway) housekeeping() {
	defer g.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	flush := time.NewTicker(20 * time.Millisecond)
	defer flush.Stop()
	lastPurge := time.Time{}
	for {
		select {
		case <-g.ctx.Done():
			return
		case <-flush.C:
			if err := g.routes.flush(g.ctx, g.outbox); err != nil && g.ctx.Err() == nil {
				g.log.Error("receipt routes not recorded", "err", err)
			}
		case <-t.C:
			now := g.now()
			g.moReasm.Expire()
			g.routes.expire(now)
			g.http.expire(now)
			if now.Sub(lastPurge) > time.Hour {
				lastPurge = now
				if _, err := g.outbox.DeleteRoutes(g.ctx, now.Add(-routeTTL)); err != nil && g.ctx.Err() == nil {
					g.log.Warn("old receipt routes not purged", "err", err)
				}
				if g.httpStore != nil {
					if _, err := g.httpStore.DeleteHTTPMessages(g.ctx, now.Add(-httpTTL)); err != nil && g.ctx.Err() == nil {
						g.log.Warn("old HTTP messages not purged", "err", err)
					}
				}
			}
		}
	}
}

// Serve accepts providers' binds on ln until Shutdown; it returns nil
// after Shutdown. It may be called in a goroutine just before Shutdown: a
// Serve that comes after it closes ln and returns nil at once, so a caller
// need not wait for the listener to accept before it may shut down.
func (g *Gateway) Serve(ln net.Listener) error {
	g.mu.Lock()
	closed := g.closed
	g.mu.Unlock()
	if closed {
		ln.Close()
		return nil
	}
	srv, err := smpp.NewServer(smpp.ServerOptions{
		Listener:     ln,
		SystemID:     g.opts.SystemID,
		Authenticate: g.authenticate,
		Conn:         smpp.ConnOptions{MaxInflight: g.opts.Window, Logger: g.log},
		Logger:       g.log,
	})
	if err != nil {
		return err
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		ln.Close()
		return nil
	}
	// Started under the lock, so that Shutdown sees it started or not at
	// all.
	err = srv.Start()
	if err == nil {
		g.servers = append(g.servers, srv)
		g.listeners = append(g.listeners, ln)
	}
	g.mu.Unlock()
	if err != nil {
		return err
	}
	<-g.ctx.Done()
	return nil
}

// Shutdown stops taking binds and requests, waits for the messages in
// flight to be answered, then unbinds the providers and the SMSC links.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true // from now on, a new submission is answered ESME_RTHROTTLED (enter)
	servers := g.servers
	listeners := g.listeners
	g.mu.Unlock()
	var errs []error
	// No new binds; the binds up stay up while the submissions in flight
	// are decided, forwarded, recorded and answered: a provider is never
	// unbound under a request it is waiting for.
	for _, ln := range listeners {
		ln.Close()
	}
	inflight := make(chan struct{})
	go func() { g.inflight.Wait(); close(inflight) }()
	select {
	case <-inflight:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	// Then the unbinds (each session drains what is still in flight either
	// way: receipts, refusals of the last requests).
	for _, s := range servers {
		if err := s.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	done := make(chan struct{})
	go func() { g.inflight.Wait(); g.watchers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, ctx.Err())
	}
	g.cancel()
	for _, l := range g.links {
		l.stop(ctx)
	}
	g.wg.Wait()
	fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := g.routes.flush(fctx, g.outbox); err != nil {
		errs = append(errs, fmt.Errorf("record receipt routes: %w", err))
	}
	cancel()
	return errors.Join(errs...)
}

// authenticate checks a bind against the registry's hashed passwords and
// the account's bind limit.
func (g *Gateway) authenticate(ctx context.Context, b *smpp.BindRequest) (smpp.Handler, error) {
	// A refusal wraps its Status with the reason: the SMPP server logs it
	// once, with the bind's kind and address.
	st := g.reg.Load()
	a := st.accounts[b.SystemID]
	if a == nil || a.Kind != bawwab.AccountSMPP {
		g.metrics.binds.WithLabelValues("refused").Inc()
		return nil, fmt.Errorf("no SMPP account %q: %w", b.SystemID, smpp.StatusInvalidSystemID)
	}
	if a.Disabled {
		g.metrics.binds.WithLabelValues("refused").Inc()
		return nil, fmt.Errorf("account disabled: %w", smpp.StatusBindFailed)
	}
	if !g.checkSecret(a, b.Password) {
		g.metrics.binds.WithLabelValues("refused").Inc()
		return nil, fmt.Errorf("wrong password: %w", smpp.StatusInvalidPassword)
	}
	max := a.MaxBinds
	if max <= 0 {
		max = g.opts.MaxBinds
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, fmt.Errorf("shutting down: %w", smpp.StatusSystemError)
	}
	if len(g.sessions[a.ID]) >= max {
		g.metrics.binds.WithLabelValues("refused").Inc()
		return nil, fmt.Errorf("bind limit %d reached: %w", max, smpp.StatusBindFailed)
	}
	s := newSession(g, a, b.Kind)
	// Counted at once so that concurrent binds cannot pass the limit; the
	// session leaves the list when its connection ends.
	g.sessions[a.ID] = append(g.sessions[a.ID], s)
	g.metrics.binds.WithLabelValues("accepted").Inc()
	// A handshake that fails after this point never calls Bound: the
	// session must not count against the limit for ever.
	time.AfterFunc(time.Minute, func() {
		if s.conn.Load() == nil {
			g.removeSession(s)
		}
	})
	return s, nil
}

// checkSecret verifies a password or API key against the account's hash,
// remembering a success so that a rebind does not pay the hash again.
func (g *Gateway) checkSecret(a *bawwab.Account, pw string) bool {
	key := sha256.Sum256([]byte(a.ID + "\x00" + pw))
	g.authMu.Lock()
	h, ok := g.authCache[key]
	g.authMu.Unlock()
	if ok && h == a.SecretHash {
		return true
	}
	if secret.Verify(a.SecretHash, pw) != nil {
		return false
	}
	g.authMu.Lock()
	if len(g.authCache) > 100000 {
		clear(g.authCache)
	}
	g.authCache[key] = a.SecretHash
	g.authMu.Unlock()
	return true
}

func (g *Gateway) removeSession(s *session) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.removeSessionLocked(s)
}

func (g *Gateway) removeSessionLocked(s *session) {
	list := g.sessions[s.account.ID]
	for i, x := range list {
		if x == s {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(g.sessions, s.account.ID)
	} else {
		g.sessions[s.account.ID] = list
	}
}

// receivers returns the bound sessions that can take a deliver_sm for an
// account (or, with accountID empty, for any account of the provider),
// prefer first when it can.
func (g *Gateway) receivers(providerID, accountID string, prefer *session) []*session {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*session
	if prefer != nil && prefer.canReceive() {
		out = append(out, prefer)
	}
	add := func(list []*session) {
		for _, s := range list {
			if s != prefer && s.canReceive() && s.account.ProviderID == providerID {
				out = append(out, s)
			}
		}
	}
	if accountID != "" {
		add(g.sessions[accountID])
		return out
	}
	for _, list := range g.sessions {
		add(list)
	}
	return out
}

// newID issues a message id of Bawwab's own.
func (g *Gateway) newID() string {
	return g.idBase + "-" + strconv.FormatUint(g.ids.Add(1), 10)
}

// Stats are the gateway's counts since it started, for a live summary.
type Stats struct {
	Submitted  int64 // messages decided (a concatenated message counts once)
	Accepted   int64 // accepted by the rules and taken by an SMSC
	Deferred   int64 // deferred and taken by an SMSC
	Rejected   int64 // refused by the rules (or the SMSC unavailable)
	Throttled  int64 // refused ESME_RTHROTTLED before deciding (rate limits)
	RejectedBy map[bawwab.Reason]int64
	Receipts   int64          // receipts passed to providers or their outbox
	MO         int64          // MO messages received
	Stops      int64          // oppositions recorded from MO (STOP)
	Starts     int64          // oppositions lifted from MO (START)
	Complaints int64          // MO to the complaint code
	Relayed    int64          // MO relayed to a provider
	System     int64          // system messages sent (confirmations)
	Binds      int            // provider binds up
	Links      map[string]int // binds up, by operator
	// SMSCs is each operator link's state: a health check reports the
	// gateway degraded while one is (LinkState.Degraded).
	SMSCs map[string]LinkState
}

// Degraded lists the operators whose SMSC link has a bind down, sorted.
func (s Stats) Degraded() []string {
	var out []string
	for op, l := range s.SMSCs {
		if l.Degraded() {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	return out
}

type counters struct {
	submitted, accepted, deferred, rejected, throttled atomic.Int64
	receipts, mo, stops, starts, complaints, relayed   atomic.Int64
	system                                             atomic.Int64
	mu                                                 sync.Mutex
	by                                                 map[bawwab.Reason]int64
}

func (c *counters) reject(r bawwab.Reason) {
	c.rejected.Add(1)
	c.mu.Lock()
	if c.by == nil {
		c.by = map[bawwab.Reason]int64{}
	}
	c.by[r]++
	c.mu.Unlock()
}

// Stats returns the counts.
func (g *Gateway) Stats() Stats {
	s := Stats{
		Submitted: g.stats.submitted.Load(), Accepted: g.stats.accepted.Load(), Deferred: g.stats.deferred.Load(),
		Rejected: g.stats.rejected.Load(), Throttled: g.stats.throttled.Load(),
		Receipts: g.stats.receipts.Load(), MO: g.stats.mo.Load(), Stops: g.stats.stops.Load(), Starts: g.stats.starts.Load(),
		Complaints: g.stats.complaints.Load(), Relayed: g.stats.relayed.Load(), System: g.stats.system.Load(),
		RejectedBy: map[bawwab.Reason]int64{}, Links: map[string]int{}, SMSCs: map[string]LinkState{},
	}
	g.stats.mu.Lock()
	for k, v := range g.stats.by {
		s.RejectedBy[k] = v
	}
	g.stats.mu.Unlock()
	g.mu.Lock()
	for _, l := range g.sessions {
		s.Binds += len(l)
	}
	g.mu.Unlock()
	for op, l := range g.links {
		st := l.state()
		s.Links[op] = st.Up
		s.SMSCs[op] = st
	}
	return s
}
