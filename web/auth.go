package web

import (
	clist "container/list"
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
	lock, delay := s.limiter.check(name, ip, now)
	if lock > 0 {
		s.loginFailed(name, ip, "locked")
		return nil, nil, "", &bawwab.Error{Code: "rate_limited", Message: "too many failed logins: try again in " + lock.Round(time.Second).String()}
	}
	if delay > 0 {
		// Failures on this name from elsewhere slow the attempt, but do
		// not refuse it: the owner still gets in.
		if err := s.sleep(ctx, delay); err != nil {
			return nil, nil, "", err
		}
	}
	u, err := s.o.Users.FindUserByName(ctx, name)
	if err != nil && bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		return nil, nil, "", err
	}
	if u == nil || u.Disabled {
		_ = secret.Verify(dummyHash, password)
		s.limiter.fail(name, ip, now)
		why := "unknown name"
		if u != nil {
			why = "disabled"
		}
		s.loginFailed(name, ip, why)
		return nil, nil, "", errBadLogin
	}
	if err := secret.Verify(u.PasswordHash, password); err != nil {
		if !errors.Is(err, secret.ErrMismatch) {
			s.log.Error("web: stored password hash unreadable", "user", name, "err", err)
		}
		s.limiter.fail(name, ip, now)
		s.loginFailed(name, ip, "wrong password")
		return nil, nil, "", errBadLogin
	}
	s.limiter.success(name, ip)
	token := randomToken(32)
	se := &bawwab.Session{ID: sessionID(token), UserName: u.Name, CSRFToken: randomToken(24), CreatedAt: now, ExpiresAt: now.Add(s.o.SessionTTL)}
	if err := s.o.Users.CreateSession(ctx, se); err != nil {
		return nil, nil, "", err
	}
	s.log.Info("web: login", "user", u.Name, "role", u.Role.String(), "addr", ip)
	return u, se, token, nil
}

// loginFailed logs a refused login with its name and client address (never
// the password), at warning level, for the regulator's review of attacks
// on the console.
func (s *Server) loginFailed(name, ip, why string) {
	if len(name) > 64 {
		name = name[:64] + "…"
	}
	s.log.Warn("web: login failed", "user", name, "addr", ip, "why", why)
}

// sleep waits d or until ctx ends.
func (s *Server) sleep(ctx context.Context, d time.Duration) error {
	if s.sleepHook != nil {
		s.sleepHook(d)
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// setSessionCookie sets a browser-session cookie: the session's expiry
// is enforced by the server, on its own clock.
func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode,
	})
}

// secureCookies reports whether cookies are marked Secure: when
// configured (the console is served over HTTPS, perhaps behind a proxy),
// and whenever the request itself came over TLS.
func (s *Server) secureCookies(r *http.Request) bool {
	return s.o.SecureCookies || r.TLS != nil
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

// limiter counts failed logins over a window and decides what the next
// attempt gets. A (name, address) pair is locked out past a few failures,
// an address past more (one client guessing many names); a name alone is
// never locked, only slowed, so that failures from elsewhere cannot keep
// its owner out: past a threshold, each attempt on it waits a little more,
// up to a cap. The tables are bounded: past maxEntries keys, the key
// touched least recently is forgotten, so a flood of names can evict only
// stale counters, never wipe the ones being attacked.
type limiter struct {
	mu         sync.Mutex
	byPair     *failTable
	byName     *failTable
	byIP       *failTable
	window     time.Duration
	maxPair    int
	maxIP      int
	slowName   int           // failures on a name from which attempts are slowed
	delayStep  time.Duration // the added wait per failure past slowName
	maxDelay   time.Duration
	maxEntries int
}

func newLimiter() *limiter {
	return newLimiterSize(100000)
}

func newLimiterSize(maxEntries int) *limiter {
	return &limiter{
		byPair: newFailTable(), byName: newFailTable(), byIP: newFailTable(),
		window: 15 * time.Minute, maxPair: 5, maxIP: 20,
		slowName: 10, delayStep: 500 * time.Millisecond, maxDelay: 5 * time.Second,
		maxEntries: maxEntries,
	}
}

func pairKey(name, ip string) string { return strings.ToLower(name) + "\x00" + ip }

// check returns how long the client must wait before it may try again
// (0 if it may now: the attempt is refused otherwise), and how long this
// attempt should be delayed before it is checked.
func (l *limiter) check(name, ip string, now time.Time) (lock, delay time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range []struct {
		t     *failTable
		k     string
		limit int
	}{{l.byPair, pairKey(name, ip), l.maxPair}, {l.byIP, ip, l.maxIP}} {
		if f := c.t.get(c.k, now, l.window); f != nil && len(f.times) >= c.limit {
			lock = max(lock, f.times[0].Add(l.window).Sub(now))
		}
	}
	if f := l.byName.get(strings.ToLower(name), now, l.window); f != nil && len(f.times) >= l.slowName {
		delay = min(time.Duration(len(f.times)-l.slowName+1)*l.delayStep, l.maxDelay)
	}
	return lock, delay
}

// blocked returns how long to wait before the next attempt, 0 if none.
func (l *limiter) blocked(name, ip string, now time.Time) time.Duration {
	lock, _ := l.check(name, ip, now)
	return lock
}

func (l *limiter) fail(name, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byPair.add(pairKey(name, ip), now, l.maxEntries)
	l.byName.add(strings.ToLower(name), now, l.maxEntries)
	l.byIP.add(ip, now, l.maxEntries)
}

// success forgets the failures of a name from an address; the name's own
// count stays, as failures from elsewhere may still be an attack.
func (l *limiter) success(name, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byPair.remove(pairKey(name, ip))
}

// failTable is the failures per key, in the order the keys were last
// touched (oldest first), for eviction.
type failTable struct {
	m     map[string]*clist.Element
	order *clist.List // of *failures
}

type failures struct {
	key   string
	times []time.Time
}

func newFailTable() *failTable {
	return &failTable{m: map[string]*clist.Element{}, order: clist.New()}
}

func (t *failTable) len() int { return len(t.m) }

// get returns the failures of a key within the window, nil if none; a
// key checked counts as recently used.
func (t *failTable) get(k string, now time.Time, window time.Duration) *failures {
	el := t.m[k]
	if el == nil {
		return nil
	}
	f := el.Value.(*failures)
	f.prune(now, window)
	if len(f.times) == 0 {
		t.remove(k)
		return nil
	}
	t.order.MoveToBack(el)
	return f
}

func (t *failTable) add(k string, now time.Time, maxEntries int) {
	el := t.m[k]
	if el == nil {
		el = t.order.PushBack(&failures{key: k})
		t.m[k] = el
	} else {
		t.order.MoveToBack(el)
	}
	f := el.Value.(*failures)
	f.times = append(f.times, now)
	if len(f.times) > 64 {
		f.times = f.times[len(f.times)-64:]
	}
	for len(t.m) > maxEntries {
		old := t.order.Front()
		t.remove(old.Value.(*failures).key)
	}
}

func (t *failTable) remove(k string) {
	if el := t.m[k]; el != nil {
		t.order.Remove(el)
		delete(t.m, k)
	}
}

func (f *failures) prune(now time.Time, window time.Duration) {
	i := 0
	for i < len(f.times) && now.Sub(f.times[i]) >= window {
		i++
	}
	f.times = f.times[i:]
}
