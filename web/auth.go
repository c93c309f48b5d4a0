package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/secret"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "bawwab_session"

// CSRFHeader carries the session's CSRF token on API writes; forms carry
// it in the field "csrf".
const CSRFHeader = "X-CSRF-Token"

// hashPassword hashes a password for storage (tests use cheap parameters).
var hashPassword = secret.Hash

// dummyHash is checked against when a name is unknown, so that a login
// takes as long for a name that does not exist.
var dummyHash, _ = hashPassword("bawwab-no-such-user")

// MinPasswordLen is the shortest password accepted for a new account or a
// password change (the demo accounts are created with EnsureUser).
const MinPasswordLen = 8

// HashPassword returns the hash of a password to store in a User.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", bawwab.InvalidField("password", "missing")
	}
	return hashPassword(password)
}

// EnsureUser creates a console account, or resets its password, role
// scope and enabled state when it exists: what `bawwab demo` calls to
// create its inspector and provider accounts. org is the provider (for a
// provider's user) or the operator (for an operator's user) it belongs to.
func EnsureUser(ctx context.Context, users bawwab.UserService, name, password string, role bawwab.Role, org string) (*bawwab.User, error) {
	h, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	u := &bawwab.User{Name: name, Role: role, PasswordHash: h}
	switch role {
	case bawwab.RoleProvider:
		u.ProviderID = org
	case bawwab.RoleOperator:
		u.OperatorID = org
	}
	old, err := users.FindUserByName(ctx, name)
	switch {
	case bawwab.ErrorCode(err) == bawwab.ENOTFOUND:
		if err := users.CreateUser(ctx, u); err != nil {
			return nil, err
		}
		return u, nil
	case err != nil:
		return nil, err
	}
	if old.Role != u.Role || old.ProviderID != u.ProviderID || old.OperatorID != u.OperatorID {
		return nil, bawwab.Errorf(bawwab.ECONFLICT, "user %q exists as %s %s%s", name, old.Role, old.ProviderID, old.OperatorID)
	}
	enabled := false
	return users.UpdateUser(ctx, name, bawwab.UserUpdate{PasswordHash: &h, Disabled: &enabled})
}

// randomToken returns n random bytes, base64url.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessionID is how a token is stored: its SHA-256, so that a copy of the
// store lets nobody in.
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// errBadLogin is the one answer to a wrong name or password.
var errBadLogin = bawwab.Errorf(bawwab.EUNAUTHORIZED, "wrong name or password")

// login checks a name and password and opens a session; it returns the
// token for the cookie.
func (s *Server) login(ctx context.Context, r *http.Request, name, password string) (*bawwab.User, *bawwab.Session, string, error) {
	ip := s.clientIP(r)
	now := s.now()
	if wait := s.limiter.blocked(name, ip, now); wait > 0 {
		return nil, nil, "", &bawwab.Error{Code: "rate_limited", Message: "too many failed logins: try again in " + wait.Round(time.Second).String()}
	}
	u, err := s.o.Users.FindUserByName(ctx, name)
	if err != nil && bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		return nil, nil, "", err
	}
	if u == nil || u.Disabled {
		_ = secret.Verify(dummyHash, password)
		s.limiter.fail(name, ip, now)
		return nil, nil, "", errBadLogin
	}
	if err := secret.Verify(u.PasswordHash, password); err != nil {
		if !errors.Is(err, secret.ErrMismatch) {
			s.log.Error("web: stored password hash unreadable", "user", name, "err", err)
		}
		s.limiter.fail(name, ip, now)
		return nil, nil, "", errBadLogin
	}
	s.limiter.success(name)
	token := randomToken(32)
	se := &bawwab.Session{ID: sessionID(token), UserName: u.Name, CSRFToken: randomToken(24), CreatedAt: now, ExpiresAt: now.Add(s.o.SessionTTL)}
	if err := s.o.Users.CreateSession(ctx, se); err != nil {
		return nil, nil, "", err
	}
	s.log.Info("web: login", "user", u.Name, "role", u.Role.String())
	return u, se, token, nil
}

// setSessionCookie sets a browser-session cookie: the session's expiry
// is enforced by the server, on its own clock.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: s.o.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.o.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// authenticate returns the principal of a request's session cookie, or
// nil.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil, nil
	}
	se, err := s.o.Users.FindSession(r.Context(), sessionID(c.Value), s.now())
	if bawwab.ErrorCode(err) == bawwab.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := s.o.Users.FindUserByName(r.Context(), se.UserName)
	if bawwab.ErrorCode(err) == bawwab.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, nil
	}
	return &principal{user: u, session: se}, nil
}

// checkCSRF checks the token a write carries against the session's.
func checkCSRF(r *http.Request, p *principal) bool {
	tok := r.Header.Get(CSRFHeader)
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(p.session.CSRFToken)) == 1
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// clientIP is the address login attempts are counted against.
func (s *Server) clientIP(r *http.Request) string {
	if s.o.ClientAddress != nil {
		return s.o.ClientAddress(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failed logins per name and per address over a window,
// and blocks further attempts past a limit until the window passes.
type limiter struct {
	mu      sync.Mutex
	byName  map[string]*failures
	byIP    map[string]*failures
	window  time.Duration
	maxName int
	maxIP   int
}

type failures struct {
	times []time.Time
}

func newLimiter() *limiter {
	return &limiter{byName: map[string]*failures{}, byIP: map[string]*failures{}, window: 15 * time.Minute, maxName: 5, maxIP: 20}
}

func (f *failures) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(f.times) && now.Sub(f.times[i]) >= window {
		i++
	}
	f.times = f.times[i:]
}

// blocked returns how long to wait before the next attempt, 0 if none.
func (l *limiter) blocked(name, ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	check := func(m map[string]*failures, k string, limit int) {
		f := m[k]
		if f == nil {
			return
		}
		f.prune(now, l.window)
		if len(f.times) == 0 {
			delete(m, k)
			return
		}
		if len(f.times) >= limit {
			wait = max(wait, f.times[0].Add(l.window).Sub(now))
		}
	}
	check(l.byName, strings.ToLower(name), l.maxName)
	check(l.byIP, ip, l.maxIP)
	return wait
}

func (l *limiter) fail(name, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.byName) > 100000 || len(l.byIP) > 100000 {
		// Bounded memory under a flood: forget the oldest state wholesale.
		l.byName, l.byIP = map[string]*failures{}, map[string]*failures{}
	}
	for _, x := range []struct {
		m map[string]*failures
		k string
	}{{l.byName, strings.ToLower(name)}, {l.byIP, ip}} {
		f := x.m[x.k]
		if f == nil {
			f = &failures{}
			x.m[x.k] = f
		}
		f.times = append(f.times, now)
		if len(f.times) > 64 {
			f.times = f.times[len(f.times)-64:]
		}
	}
}

func (l *limiter) success(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.byName, strings.ToLower(name))
}
