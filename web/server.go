package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// LedgerReader reads the audit ledger (a *ledger.Ledger, a *ledger.Reader,
// or any bawwab.LedgerService).
type LedgerReader interface {
	FindEntryByIndex(ctx context.Context, index int64) (*bawwab.LedgerEntry, error)
	FindEntries(ctx context.Context, f bawwab.LedgerFilter) iter.Seq2[*bawwab.LedgerEntry, error]
}

// Appender records the changes people make in the ledger (a
// *ledger.Ledger).
type Appender interface {
	Append(ctx context.Context, e *bawwab.LedgerEntry) (int64, error)
}

// Keys computes a subscriber number's pseudonyms under every key, so that
// an inspector can search the ledger by number (a *ledger.Keyring). The
// number is in E.164 form.
type Keys interface {
	Pseudonyms(msisdn string) []bawwab.Pseudonym
}

// ComplaintDesk decides complaint cases (a *complaint.Desk).
type ComplaintDesk interface {
	Decide(ctx context.Context, id int64, to bawwab.ComplaintStatus, actor bawwab.Actor, reason string) (*bawwab.Complaint, error)
}

// Sanctions takes and lifts measures (a *sanction.Monitor): both apply on
// the gateway at once and are recorded in the store and the ledger.
type Sanctions interface {
	Take(ctx context.Context, providerID string, kind bawwab.MeasureKind, rate float64, by bawwab.Actor, reason string) (*bawwab.Measure, error)
	Lift(ctx context.Context, id int64, by bawwab.Actor, reason string) (*bawwab.Measure, error)
}

// LedgerStatus is what the console shows of the ledger's integrity: the
// result of the last verification and the latest signed checkpoint.
type LedgerStatus struct {
	Origin  string `json:"origin"`
	Entries int64  `json:"entries"`
	// Verified is true when the last verification found no problem;
	// VerifiedAt when it ran, VerifiedEntries how many entries it
	// checked, Problem what it found wrong.
	Verified        bool      `json:"verified"`
	VerifiedAt      time.Time `json:"verified_at,omitzero"`
	VerifiedEntries int64     `json:"verified_entries"`
	Problem         string    `json:"problem,omitempty"`
	// Checkpoint is the latest signed tree head, as a signed note; its
	// size and time below.
	Checkpoint     string    `json:"checkpoint,omitempty"`
	CheckpointN    int64     `json:"checkpoint_n"`
	CheckpointTime time.Time `json:"checkpoint_time,omitzero"`
	// PublicKey verifies the checkpoints (a note verifier key).
	PublicKey string `json:"public_key,omitempty"`
}

// Options configures a Server. Store and Users are required; a nil
// service turns off what needs it (its pages say so, its API answers
// not_implemented).
type Options struct {
	Store bawwab.Store
	Users bawwab.UserService
	// Ledger is read by the ledger search and the provider portal; Audit
	// records registry changes made by people (both usually the gateway's
	// *ledger.Ledger).
	Ledger LedgerReader
	Audit  Appender
	// LedgerStatus returns the ledger's verification status and latest
	// checkpoint.
	LedgerStatus func(ctx context.Context) (*LedgerStatus, error)
	Keys         Keys
	Complaints   ComplaintDesk
	Sanctions    Sanctions
	Logger       *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SecureCookies marks the session cookie Secure: set it whenever the
	// console is served over HTTPS.
	SecureCookies bool
	// SessionTTL is how long a session lasts (12 h when zero).
	SessionTTL time.Duration
	// Location is the time zone of the reports' days (Africa/Casablanca
	// when nil).
	Location *time.Location
	// TrustedOrigins are origins ("https://console.bawwab.ma") whose
	// cross-origin posts are accepted: needed only behind a reverse proxy
	// that changes the Host header, for browsers that send Origin without
	// Sec-Fetch-Site.
	TrustedOrigins []string
	// ClientAddress returns the address login attempts are counted
	// against (the host of RemoteAddr when nil); behind a reverse proxy,
	// pass one that reads the proxy's header.
	ClientAddress func(*http.Request) string
	// OpenAPI are the OpenAPI documents of the parts mounted beside the
	// console (web/subscriber's OpenAPI, the gateway's), whose paths and
	// component schemas are merged into /api/v1/openapi.json, so that one
	// document describes the whole API.
	OpenAPI [][]byte
}

// Server serves the console and the API.
type Server struct {
	o       Options
	log     *slog.Logger
	mux     *http.ServeMux
	tmpl    map[string]*template.Template
	limiter *limiter
	// sleepHook replaces the wait of a slowed login in tests.
	sleepHook func(time.Duration)
	routes    []route // the API's routes, for the OpenAPI document
	// openapiDoc is the OpenAPI document served, merged once at New.
	openapiDoc []byte
	// cop refuses cross-origin writes before they reach a handler.
	cop *http.CrossOriginProtection
}

//go:embed static
var staticFS embed.FS

//go:embed templates
var templateFS embed.FS

// Static is the console's stylesheet and images, to be served under
// /static/ (web/subscriber reuses it for a shared look).
var Static fs.FS = mustSub(staticFS, "static")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// New returns a server.
func New(o Options) (*Server, error) {
	if o.Store.Registry == nil {
		return nil, errors.New("web: no registry store")
	}
	if o.Users == nil {
		return nil, errors.New("web: no user store")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	s := &Server{o: o, log: o.Logger, mux: http.NewServeMux(), limiter: newLimiter()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	s.registerAPI()
	s.registerPages()
	doc, err := s.buildOpenAPI()
	if err != nil {
		return nil, err
	}
	s.openapiDoc = doc
	s.cop = http.NewCrossOriginProtection()
	for _, o := range o.TrustedOrigins {
		if err := s.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: trusted origin: %w", err)
		}
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := errf(bawwab.EFORBIDDEN, "cross-origin request refused")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, err)
			return
		}
		s.renderError(w, r, nil, err)
	}))
	return s, nil
}

// Handler returns the handler of the console (/) and the API (/api/v1/).
// Cross-origin writes are refused (http.CrossOriginProtection) before the
// session's CSRF token is even checked.
func (s *Server) Handler() http.Handler {
	return s.securityHeaders(s.cop.Handler(s.mux))
}

func (s *Server) now() time.Time { return s.o.Now().UTC() }

// securityHeaders sets the headers every answer carries: no framing, no
// sniffing, and a content policy that allows nothing from elsewhere.
func (s *Server) securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// principal is the logged-in user of a request.
type principal struct {
	user    *bawwab.User
	session *bawwab.Session
}

type principalKey struct{}

// scopeContext restricts a provider's user to its provider's data in the
// stores.
func scopeContext(ctx context.Context, u *bawwab.User) context.Context {
	if u.Role == bawwab.RoleProvider {
		return bawwab.NewContextWithProvider(ctx, u.ProviderID)
	}
	return ctx
}

// roles is a set of roles allowed on a route.
type roles []bawwab.Role

var (
	anyRole       = roles{bawwab.RoleRegulator, bawwab.RoleOperator, bawwab.RoleProvider}
	regulatorOnly = roles{bawwab.RoleRegulator}
	staff         = roles{bawwab.RoleRegulator, bawwab.RoleOperator}
	providerOnly  = roles{bawwab.RoleProvider}
	regProvider   = roles{bawwab.RoleRegulator, bawwab.RoleProvider}
)

func (rs roles) allow(r bawwab.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func (rs roles) String() string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return strings.Join(out, ", ")
}

// httpStatus maps an application error code to an HTTP status.
func httpStatus(code string) int {
	switch code {
	case bawwab.EINVALID:
		return http.StatusBadRequest
	case bawwab.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case bawwab.EFORBIDDEN:
		return http.StatusForbidden
	case bawwab.ENOTFOUND:
		return http.StatusNotFound
	case bawwab.ECONFLICT:
		return http.StatusConflict
	case bawwab.ENOTIMPLEMENTED:
		return http.StatusNotImplemented
	case EOTHERORG:
		return http.StatusForbidden
	case "rate_limited":
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// logError logs an internal error with the request it broke.
func (s *Server) logError(r *http.Request, err error) {
	if bawwab.ErrorCode(err) == bawwab.EINTERNAL {
		s.log.Error("web: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

func notImplemented(what string) error {
	return bawwab.Errorf(bawwab.ENOTIMPLEMENTED, "%s is not available on this server", what)
}

func errf(code, format string, args ...any) error { return bawwab.Errorf(code, format, args...) }
