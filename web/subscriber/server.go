package subscriber

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/textcheck"
)

// Sender sends an SMS: the gateway implements it. The server sends the
// one-time codes through it, from Options.From.
type Sender interface {
	SendSMS(ctx context.Context, from, to, text string) error
}

// Registry is what the server reads of the registry to name brands:
// bawwab.RegistryService provides it.
type Registry interface {
	FindAdvertisers(ctx context.Context, filter bawwab.AdvertiserFilter) ([]*bawwab.Advertiser, int, error)
	FindSenderIDs(ctx context.Context, filter bawwab.SenderIDFilter) ([]*bawwab.SenderID, int, error)
	FindProviderByID(ctx context.Context, id string) (*bawwab.Provider, error)
}

// Limits are the rate limits and lifetimes; a zero field takes its
// default.
type Limits struct {
	// CodeTTL is how long a code is valid (10 minutes).
	CodeTTL time.Duration
	// CodeAttempts is how many tries one code allows (5).
	CodeAttempts int
	// Window is the period of the per-number and per-address limits (1 h).
	Window time.Duration
	// CodesPerNumber and CodesPerAddress cap the codes sent per Window to
	// one number (5) and at the request of one client address (20).
	CodesPerNumber, CodesPerAddress int
	// FailuresPerNumber and FailuresPerAddress cap the wrong codes per
	// Window for one number (10) and from one client address (20); beyond
	// them every attempt is refused until the window moves on.
	FailuresPerNumber, FailuresPerAddress int
	// ChangesPerNumber caps the STOPs and STARTs per Window for one
	// number (60): a person makes a few, a script flooding the register
	// and the ledger many.
	ChangesPerNumber int
	// SessionIdle and SessionLifetime end a session after that long
	// without a request (30 minutes) or in any case (12 hours).
	SessionIdle, SessionLifetime time.Duration
	// MaxSessions bounds the session table (100 000).
	MaxSessions int
}

func (l *Limits) defaults() {
	l.CodeTTL = cmp.Or(l.CodeTTL, 10*time.Minute)
	l.CodeAttempts = cmp.Or(l.CodeAttempts, 5)
	l.Window = cmp.Or(l.Window, time.Hour)
	l.CodesPerNumber = cmp.Or(l.CodesPerNumber, 5)
	l.CodesPerAddress = cmp.Or(l.CodesPerAddress, 20)
	l.FailuresPerNumber = cmp.Or(l.FailuresPerNumber, 10)
	l.FailuresPerAddress = cmp.Or(l.FailuresPerAddress, 20)
	l.ChangesPerNumber = cmp.Or(l.ChangesPerNumber, 60)
	l.SessionIdle = cmp.Or(l.SessionIdle, 30*time.Minute)
	l.SessionLifetime = cmp.Or(l.SessionLifetime, 12*time.Hour)
	l.MaxSessions = cmp.Or(l.MaxSessions, 100_000)
}

// Options configure a Server.
type Options struct {
	// Sender sends the codes; From is their source address ("StopSMS"
	// when empty).
	Sender Sender
	From   string
	// Oppositions records and reads the register. The gateway passes the
	// recorder that also writes the ledger and the opposition index; set
	// OppositionsLedgered then, and the server does not append a ledger
	// entry of its own for a change.
	Oppositions         bawwab.OppositionService
	OppositionsLedgered bool
	// Ledger records every change made by a subscriber (required unless
	// OppositionsLedgered).
	Ledger bawwab.LedgerService
	// Registry names the brands.
	Registry Registry
	// ReceiptKey signs receipts (an ed25519.PrivateKey, or any
	// crypto.Signer with an Ed25519 public key); or ReceiptKeyFile, read
	// or made by LoadOrCreateReceiptKey. One is required.
	ReceiptKey     crypto.Signer
	ReceiptKeyFile string
	// Issuer names the register in receipts ("bawwab" when empty).
	Issuer string
	// InsecureCookies drops the Secure attribute and the __Host- prefix
	// of the session cookie: only for development over plain HTTP.
	InsecureCookies bool
	// ClientAddress returns the address rate limits count a request
	// against (the host of RemoteAddr when nil); behind a reverse proxy,
	// pass one that reads the proxy's header.
	ClientAddress func(*http.Request) string
	// TrustedOrigins are origins ("https://stopsms.ma") whose
	// cross-origin form posts are accepted: needed only behind a reverse
	// proxy that changes the Host header, for browsers that send Origin
	// without Sec-Fetch-Site.
	TrustedOrigins []string
	// Location is the time zone of the dates on the pages
	// (Africa/Casablanca, or UTC when the system lacks it).
	Location *time.Location
	Limits   Limits
	Logger   *slog.Logger
	Now      func() time.Time
	// Rand is the source of codes and session tokens (crypto/rand when
	// nil); it must be safe for concurrent use.
	Rand io.Reader
}

// Server serves the subscriber pages and API.
type Server struct {
	opts     Options
	signer   crypto.Signer
	pub      ed25519.PublicKey
	codes    *codeBook
	sessions *sessions

	codesPerNumber, codesPerAddress       *limiter
	failuresPerNumber, failuresPerAddress *limiter
	changesPerNumber                      *limiter

	brandMu    sync.Mutex
	brandCache *catalog
	brandAt    time.Time

	pages   map[string]*template.Template
	handler http.Handler
}

// New checks the options and returns a Server.
func New(opts Options) (*Server, error) {
	switch {
	case opts.Sender == nil:
		return nil, errors.New("subscriber: Options.Sender is required")
	case opts.Oppositions == nil:
		return nil, errors.New("subscriber: Options.Oppositions is required")
	case opts.Registry == nil:
		return nil, errors.New("subscriber: Options.Registry is required")
	case opts.Ledger == nil && !opts.OppositionsLedgered:
		return nil, errors.New("subscriber: Options.Ledger is required unless OppositionsLedgered")
	}
	opts.From = cmp.Or(opts.From, "StopSMS")
	opts.Issuer = cmp.Or(opts.Issuer, "bawwab")
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	if opts.ClientAddress == nil {
		opts.ClientAddress = remoteHost
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("Africa/Casablanca")
		if err != nil {
			loc = time.UTC
		}
		opts.Location = loc
	}
	opts.Limits.defaults()
	s := &Server{opts: opts}
	switch {
	case opts.ReceiptKey != nil:
		s.signer = opts.ReceiptKey
	case opts.ReceiptKeyFile != "":
		k, err := LoadOrCreateReceiptKey(opts.ReceiptKeyFile, opts.Rand)
		if err != nil {
			return nil, fmt.Errorf("subscriber: %w", err)
		}
		s.signer = k
	default:
		return nil, errors.New("subscriber: Options.ReceiptKey or ReceiptKeyFile is required")
	}
	pub, ok := s.signer.Public().(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("subscriber: the receipt key is not an Ed25519 key")
	}
	s.pub = pub
	key := make([]byte, 32)
	if _, err := io.ReadFull(opts.Rand, key); err != nil {
		return nil, fmt.Errorf("subscriber: %w", err)
	}
	l := opts.Limits
	s.codes = newCodeBook(key)
	s.sessions = newSessions(l.SessionIdle, l.SessionLifetime, l.MaxSessions)
	s.codesPerNumber = newLimiter(l.CodesPerNumber, l.Window)
	s.codesPerAddress = newLimiter(l.CodesPerAddress, l.Window)
	s.failuresPerNumber = newLimiter(l.FailuresPerNumber, l.Window)
	s.failuresPerAddress = newLimiter(l.FailuresPerAddress, l.Window)
	s.changesPerNumber = newLimiter(l.ChangesPerNumber, l.Window)
	var err error
	if err = s.parseTemplates(); err != nil {
		return nil, err
	}
	if s.handler, err = s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler serves /subscriber/... and /api/v1/subscriber/....
func (s *Server) Handler() http.Handler { return s.handler }

// PublicKey is the key receipts are verified with.
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

func (s *Server) routes() (http.Handler, error) {
	mux := http.NewServeMux()
	// Pages.
	mux.HandleFunc("GET /subscriber", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/subscriber/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /subscriber/{$}", s.pageHome)
	mux.HandleFunc("POST /subscriber/code", s.pageRequestCode)
	mux.HandleFunc("GET /subscriber/verify", s.pageVerifyForm)
	mux.HandleFunc("POST /subscriber/verify", s.pageVerify)
	mux.HandleFunc("POST /subscriber/oppositions", s.pageChange)
	mux.HandleFunc("GET /subscriber/receipts/{seq}", s.pageReceipt)
	mux.HandleFunc("POST /subscriber/logout", s.pageLogout)
	mux.Handle("GET /subscriber/static/", http.StripPrefix("/subscriber/static/", staticHandler()))
	mux.HandleFunc("/subscriber/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, reasonNotFound)
	})
	// API.
	mux.HandleFunc("POST /api/v1/subscriber/code", s.apiRequestCode)
	mux.HandleFunc("POST /api/v1/subscriber/session", s.apiVerify)
	mux.HandleFunc("DELETE /api/v1/subscriber/session", s.apiLogout)
	mux.HandleFunc("GET /api/v1/subscriber/oppositions", s.apiOppositions)
	mux.HandleFunc("POST /api/v1/subscriber/oppositions", s.apiChange)
	mux.HandleFunc("GET /api/v1/subscriber/brands", s.apiBrands)
	mux.HandleFunc("GET /api/v1/subscriber/receipts/{seq}", s.apiReceipt)
	mux.HandleFunc("GET /api/v1/subscriber/receipt-key", s.apiReceiptKey)
	mux.HandleFunc("POST /api/v1/subscriber/receipts/verify", s.apiVerifyReceipt)
	mux.HandleFunc("GET /api/v1/subscriber/openapi.json", serveOpenAPI)
	mux.HandleFunc("/api/v1/subscriber/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &failure{status: http.StatusNotFound, reason: reasonNotFound, msg: "no such endpoint"})
	})
	cop := http.NewCrossOriginProtection()
	for _, o := range s.opts.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("subscriber: trusted origin: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, &failure{status: http.StatusForbidden, reason: reasonCSRF, msg: "cross-origin request refused"})
			return
		}
		s.renderError(w, r, http.StatusForbidden, reasonCSRF)
	}))
	return securityHeaders(cop.Handler(mux)), nil
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, "/subscriber/static/") {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Reason codes of the errors, in the API's JSON and behind the pages'
// messages.
const (
	reasonInvalidNumber  = "invalid_number"
	reasonNotMobile      = "not_mobile"
	reasonRateLimited    = "rate_limited"
	reasonSendFailed     = "send_failed"
	reasonNoCode         = "no_code"
	reasonWrongCode      = "wrong_code"
	reasonUnauthorized   = "unauthorized"
	reasonCSRF           = "csrf"
	reasonInvalidScope   = "invalid_scope"
	reasonUnknownBrand   = "unknown_brand"
	reasonNotFound       = "not_found"
	reasonBadRequest     = "bad_request"
	reasonMediaType      = "unsupported_media_type"
	reasonBusy           = "busy"
	reasonInternal       = "internal"
	reasonBadSignature   = "bad_signature"
	reasonInvalidReceipt = "invalid_receipt"
)

// failure is an error with its HTTP status and reason code; msg is the
// English message of the API (the pages translate the reason).
type failure struct {
	status     int
	reason     string
	msg        string
	retryAfter time.Duration
	err        error
}

func (f *failure) Error() string {
	if f.err != nil {
		return f.reason + ": " + f.msg + ": " + f.err.Error()
	}
	return f.reason + ": " + f.msg
}

func (f *failure) Unwrap() error { return f.err }

func internal(err error) *failure {
	return &failure{status: http.StatusInternalServerError, reason: reasonInternal, msg: "internal error", err: err}
}

func asFailure(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	return internal(err)
}

// parseNumber reads a number as people type it and keeps mobile numbers.
func parseNumber(raw string) (string, error) {
	n, err := msisdn.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", &failure{status: http.StatusBadRequest, reason: reasonInvalidNumber, msg: "not a phone number: " + err.Error()}
	}
	if !n.Mobile() {
		return "", &failure{status: http.StatusBadRequest, reason: reasonNotMobile, msg: "not a mobile number"}
	}
	return n.E164(), nil
}

// codeText is the SMS carrying a code, in French then Arabic.
func codeText(code string, ttl time.Duration) string {
	m := int(ttl / time.Minute)
	return fmt.Sprintf("StopSMS : votre code est %s, valable %d min. Ne le donnez à personne.\nرمزك %s صالح %d دقائق. لا تعطه لأحد.", code, m, code, m)
}

// requestCode sends a code to a number typed by a person.
func (s *Server) requestCode(ctx context.Context, raw, addr string) (string, error) {
	number, err := parseNumber(raw)
	if err != nil {
		return "", err
	}
	now := s.opts.Now()
	l := s.opts.Limits
	if !s.codesPerAddress.allow(addr, now) {
		s.opts.Logger.Warn("subscriber: code requests over the limit for an address", "address", addr)
		return "", &failure{status: http.StatusTooManyRequests, reason: reasonRateLimited, msg: "too many codes requested from this address", retryAfter: l.Window}
	}
	if !s.codesPerNumber.allow(number, now) {
		s.opts.Logger.Warn("subscriber: code requests over the limit for a number", "number", mask(number))
		return "", &failure{status: http.StatusTooManyRequests, reason: reasonRateLimited, msg: "too many codes requested for this number", retryAfter: l.Window}
	}
	code, err := newCode(s.opts.Rand)
	if err != nil {
		return "", internal(err)
	}
	s.codes.put(number, code, now.Add(l.CodeTTL), now)
	if err := s.opts.Sender.SendSMS(ctx, s.opts.From, number, codeText(code, l.CodeTTL)); err != nil {
		s.opts.Logger.Error("subscriber: code not sent", "number", mask(number), "err", err)
		return "", &failure{status: http.StatusBadGateway, reason: reasonSendFailed, msg: "the code could not be sent; try again later", err: err}
	}
	s.opts.Logger.Info("subscriber: code sent", "number", mask(number), "address", addr)
	return number, nil
}

// verifyCode checks a code for a number.
func (s *Server) verifyCode(number, code, addr string) error {
	now := s.opts.Now()
	l := s.opts.Limits
	if s.failuresPerAddress.blocked(addr, now) || s.failuresPerNumber.blocked(number, now) {
		return &failure{status: http.StatusTooManyRequests, reason: reasonRateLimited, msg: "too many wrong codes; try again later", retryAfter: l.Window}
	}
	code = strings.TrimSpace(code)
	switch s.codes.check(number, code, now, l.CodeAttempts) {
	case codeOK:
		s.opts.Logger.Info("subscriber: number proved", "number", mask(number), "address", addr)
		return nil
	case codeWrong:
		s.failuresPerAddress.add(addr, now)
		s.failuresPerNumber.add(number, now)
		s.opts.Logger.Info("subscriber: wrong code", "number", mask(number), "address", addr)
		return &failure{status: http.StatusUnauthorized, reason: reasonWrongCode, msg: "wrong code"}
	}
	return &failure{status: http.StatusUnauthorized, reason: reasonNoCode, msg: "no valid code for this number: request a new one"}
}

// brand is an advertiser as the pages show it.
type brand struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Senders []string `json:"sender_ids"`
	search  string
}

type catalog struct {
	list []brand // sorted by name
	byID map[string]int
}

// brands returns the advertisers, read at most every 30 seconds.
func (s *Server) brands(ctx context.Context) (*catalog, error) {
	s.brandMu.Lock()
	defer s.brandMu.Unlock()
	now := s.opts.Now()
	if s.brandCache != nil && now.Sub(s.brandAt) < 30*time.Second && !now.Before(s.brandAt) {
		return s.brandCache, nil
	}
	return s.loadBrands(ctx, now)
}

// refreshBrands reads the advertisers now.
func (s *Server) refreshBrands(ctx context.Context) (*catalog, error) {
	s.brandMu.Lock()
	defer s.brandMu.Unlock()
	return s.loadBrands(ctx, s.opts.Now())
}

func (s *Server) loadBrands(ctx context.Context, now time.Time) (*catalog, error) {
	ads, _, err := s.opts.Registry.FindAdvertisers(ctx, bawwab.AdvertiserFilter{})
	if err != nil {
		return nil, fmt.Errorf("list advertisers: %w", err)
	}
	sids, _, err := s.opts.Registry.FindSenderIDs(ctx, bawwab.SenderIDFilter{})
	if err != nil {
		return nil, fmt.Errorf("list sender IDs: %w", err)
	}
	senders := map[string][]string{}
	for _, x := range sids {
		senders[x.AdvertiserID] = append(senders[x.AdvertiserID], x.Value)
	}
	c := &catalog{byID: map[string]int{}}
	for _, a := range ads {
		b := brand{ID: a.ID, Name: cmp.Or(a.Name, a.ID), Senders: senders[a.ID]}
		slices.Sort(b.Senders)
		b.search = fold(b.Name) + "\x00" + fold(b.ID) + "\x00" + fold(strings.Join(b.Senders, "\x00"))
		c.list = append(c.list, b)
	}
	slices.SortFunc(c.list, func(a, b brand) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	for i, b := range c.list {
		c.byID[b.ID] = i
	}
	s.brandCache, s.brandAt = c, now
	return c, nil
}

// fold reduces a name to what a search compares: letters and digits,
// without case, accents or the variants of Arabic letters ("Dar
// L'bahja" finds "dar-lbahja"); a NUL separates the parts of a list.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0 || unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, textcheck.Normalize(s))
}

// scopeName names a scope for people.
func (s *Server) scopeName(ctx context.Context, c *catalog, sc bawwab.Scope) string {
	switch sc.Kind {
	case bawwab.ScopeAdvertiser:
		if i, ok := c.byID[sc.ID]; ok {
			return c.list[i].Name
		}
	case bawwab.ScopeProvider:
		if p, err := s.opts.Registry.FindProviderByID(ctx, sc.ID); err == nil && p.Name != "" {
			return p.Name
		}
	}
	return sc.ID
}

// change records a STOP or START by the holder of number, unless the
// number is already in that state (changed false, o the opposition in
// force or nil).
func (s *Server) change(ctx context.Context, number string, scope bawwab.Scope, action bawwab.OppositionAction, channel string) (o *bawwab.Opposition, changed bool, err error) {
	if err := scope.Validate(); err != nil {
		return nil, false, &failure{status: http.StatusBadRequest, reason: reasonInvalidScope, msg: bawwab.ErrorMessage(err)}
	}
	c, err := s.brands(ctx)
	if err != nil {
		return nil, false, internal(err)
	}
	if _, ok := c.byID[scope.ID]; !ok && scope.Kind == bawwab.ScopeAdvertiser {
		// A brand declared since the list was read.
		if c, err = s.refreshBrands(ctx); err != nil {
			return nil, false, internal(err)
		}
	}
	if scope.Kind == bawwab.ScopeAdvertiser {
		if _, ok := c.byID[scope.ID]; !ok {
			return nil, false, &failure{status: http.StatusNotFound, reason: reasonUnknownBrand, msg: fmt.Sprintf("no brand %q", scope.ID)}
		}
	}
	inForce, err := s.opts.Oppositions.FindOppositionsInForce(ctx, number)
	if err != nil {
		return nil, false, internal(fmt.Errorf("read oppositions: %w", err))
	}
	var current *bawwab.Opposition
	for _, x := range inForce {
		if x.Scope == scope && x.Action == bawwab.ActionStop {
			current = x
		}
	}
	if (action == bawwab.ActionStop) == (current != nil) {
		return current, false, nil
	}
	if !s.changesPerNumber.allow(number, s.opts.Now()) {
		s.opts.Logger.Warn("subscriber: changes over the limit for a number", "number", mask(number))
		return nil, false, &failure{status: http.StatusTooManyRequests, reason: reasonRateLimited, msg: "too many changes for this number; try again later", retryAfter: s.opts.Limits.Window}
	}
	o = &bawwab.Opposition{MSISDN: number, Scope: scope, Action: action, At: s.opts.Now().UTC().Truncate(time.Microsecond), Channel: channel}
	if err := s.opts.Oppositions.RecordOpposition(ctx, o); err != nil {
		if bawwab.ErrorCode(err) == bawwab.EINVALID {
			return nil, false, &failure{status: http.StatusBadRequest, reason: reasonInvalidScope, msg: bawwab.ErrorMessage(err), err: err}
		}
		return nil, false, internal(fmt.Errorf("record opposition: %w", err))
	}
	s.opts.Logger.Info("subscriber: opposition changed", "number", mask(number), "scope", scope.String(), "action", action.String(), "seq", o.Seq, "channel", channel)
	if !s.opts.OppositionsLedgered {
		e := &bawwab.LedgerEntry{
			Kind: bawwab.EntryOpposition, Time: o.At, MSISDN: number,
			Action: action.String(), Subject: scope.String(), Channel: channel,
			Actor: "subscriber", Detail: fmt.Sprintf("register seq %d, number proved by one-time code", o.Seq),
		}
		switch scope.Kind {
		case bawwab.ScopeAdvertiser:
			e.AdvertiserID = scope.ID
		case bawwab.ScopeProvider:
			e.ProviderID = scope.ID
		}
		if _, err := s.opts.Ledger.Append(ctx, e); err != nil {
			// The change is in the register (and enforced); say so in
			// the log, since the ledger misses it.
			s.opts.Logger.Error("subscriber: opposition recorded but not in the ledger", "seq", o.Seq, "err", err)
			return nil, false, internal(fmt.Errorf("ledger: %w", err))
		}
	}
	return o, true, nil
}

// receipt rebuilds and signs the receipt of one of number's changes.
func (s *Server) receipt(ctx context.Context, number string, seq int64) (SignedReceipt, error) {
	o, name, err := s.event(ctx, number, seq)
	if err != nil {
		return SignedReceipt{}, err
	}
	sr, err := signReceipt(s.signer, receiptOf(s.opts.Issuer, o, name))
	if err != nil {
		return SignedReceipt{}, internal(err)
	}
	return sr, nil
}

// scopeState is one opposition in force, or one change, for the pages and
// the API.
type scopeState struct {
	Scope   string    `json:"scope"`
	Name    string    `json:"name"`
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Seq     int64     `json:"seq"`
}

// brandState is a brand and whether the number opposes it.
type brandState struct {
	brand
	Stopped bool `json:"stopped"`
}

// overview is what a number's page shows.
type overview struct {
	Masked   string       `json:"msisdn_masked"`
	National *scopeState  `json:"national"` // nil: not opposed
	InForce  []scopeState `json:"oppositions"`
	Brands   []brandState `json:"-"`
	More     int          `json:"-"`
	History  []scopeState `json:"-"`
}

const maxBrandsShown = 50

func (s *Server) overview(ctx context.Context, number, query string) (*overview, error) {
	c, err := s.brands(ctx)
	if err != nil {
		return nil, internal(err)
	}
	inForce, err := s.opts.Oppositions.FindOppositionsInForce(ctx, number)
	if err != nil {
		return nil, internal(fmt.Errorf("read oppositions: %w", err))
	}
	v := &overview{Masked: mask(number)}
	stopped := map[string]bool{}
	for _, o := range inForce {
		if o.MSISDN != number || o.Action != bawwab.ActionStop {
			continue
		}
		st := s.state(ctx, c, o)
		if o.Scope.Kind == bawwab.ScopeNational {
			v.National = &st
			continue
		}
		v.InForce = append(v.InForce, st)
		if o.Scope.Kind == bawwab.ScopeAdvertiser {
			stopped[o.Scope.ID] = true
		}
	}
	slices.SortFunc(v.InForce, func(a, b scopeState) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	v.Brands, v.More = matchBrands(c, query, stopped)
	// The latest changes, newest first.
	var hist []scopeState
	after := int64(0)
	for range 100 { // at most 100 000 events: a person makes a few
		evs, err := s.opts.Oppositions.FindOppositions(ctx, bawwab.OppositionFilter{MSISDN: &number, AfterSeq: after, Limit: 1000})
		if err != nil {
			return nil, internal(fmt.Errorf("read oppositions: %w", err))
		}
		for _, o := range evs {
			hist = append(hist, s.state(ctx, c, o))
		}
		if len(evs) < 1000 {
			break
		}
		after = evs[len(evs)-1].Seq
	}
	slices.Reverse(hist)
	if len(hist) > 20 {
		hist = hist[:20]
	}
	v.History = hist
	return v, nil
}

func (s *Server) state(ctx context.Context, c *catalog, o *bawwab.Opposition) scopeState {
	return scopeState{Scope: o.Scope.String(), Name: s.scopeName(ctx, c, o.Scope), Action: o.Action.String(), At: o.At, Channel: o.Channel, Seq: o.Seq}
}

// matchBrands returns the brands whose name, identifier or sender ID
// contains query (all when empty), at most maxBrandsShown, and how many
// more matched.
func matchBrands(c *catalog, query string, stopped map[string]bool) ([]brandState, int) {
	q := fold(query)
	var out []brandState
	more := 0
	for _, b := range c.list {
		if q != "" && !strings.Contains(b.search, q) {
			continue
		}
		if len(out) == maxBrandsShown {
			more++
			continue
		}
		out = append(out, brandState{brand: b, Stopped: stopped[b.ID]})
	}
	return out, more
}
