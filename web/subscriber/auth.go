package subscriber

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"
)

// limiter allows at most max events per key in any window: a sliding log
// of the times of the events still in the window. Keys are numbers and
// client addresses, a few per visitor, so the log stays small; keys whose
// events all left the window are dropped as the map is swept.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	events map[string][]time.Time
	swept  time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, events: map[string][]time.Time{}}
}

// allow records an event for key at now and reports whether it is within
// the limit; an event over the limit is not recorded.
func (l *limiter) allow(key string, now time.Time) bool {
	if l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	ev := trim(l.events[key], now.Add(-l.window))
	if len(ev) >= l.max {
		l.events[key] = ev
		return false
	}
	l.events[key] = append(ev, now)
	return true
}

// blocked reports whether key is at its limit, without recording.
func (l *limiter) blocked(key string, now time.Time) bool {
	if l.max <= 0 {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := trim(l.events[key], now.Add(-l.window))
	l.events[key] = ev
	return len(ev) >= l.max
}

// add records an event for key without checking the limit.
func (l *limiter) add(key string, now time.Time) {
	if l.max <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	l.events[key] = append(trim(l.events[key], now.Add(-l.window)), now)
}

func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.window {
		return
	}
	l.swept = now
	for k, ev := range l.events {
		if ev = trim(ev, now.Add(-l.window)); len(ev) == 0 {
			delete(l.events, k)
		} else {
			l.events[k] = ev
		}
	}
}

func trim(ev []time.Time, since time.Time) []time.Time {
	i := 0
	for i < len(ev) && !ev[i].After(since) {
		i++
	}
	return ev[i:]
}

// pendingCode is a code sent and not yet used. Only its hash is kept.
type pendingCode struct {
	sum      [32]byte
	expires  time.Time
	attempts int
}

// codeBook holds the pending codes, one per number: a new request
// replaces the previous code.
type codeBook struct {
	mu    sync.Mutex
	key   []byte // HMAC key for the codes' hashes, random per process
	codes map[string]*pendingCode
}

func newCodeBook(key []byte) *codeBook {
	return &codeBook{key: key, codes: map[string]*pendingCode{}}
}

func (b *codeBook) hash(number, code string) [32]byte {
	m := hmac.New(sha256.New, b.key)
	io.WriteString(m, number)
	m.Write([]byte{0})
	io.WriteString(m, code)
	var s [32]byte
	m.Sum(s[:0])
	return s
}

func (b *codeBook) put(number, code string, expires time.Time, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, c := range b.codes { // a few thousand at most: codes live minutes
		if !now.Before(c.expires) {
			delete(b.codes, k)
		}
	}
	b.codes[number] = &pendingCode{sum: b.hash(number, code), expires: expires}
}

// codeResult is the outcome of checking a code.
type codeResult uint8

const (
	codeOK codeResult = iota
	codeWrong
	codeNone // no pending code: never sent, expired, used or out of attempts
)

// check compares a code with the number's pending one. A good code is
// used up; a wrong one counts an attempt, and the last allowed attempt
// drops the code.
func (b *codeBook) check(number, code string, now time.Time, maxAttempts int) codeResult {
	sum := b.hash(number, code)
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.codes[number]
	if c == nil {
		return codeNone
	}
	if !now.Before(c.expires) {
		delete(b.codes, number)
		return codeNone
	}
	if subtle.ConstantTimeCompare(sum[:], c.sum[:]) == 1 {
		delete(b.codes, number)
		return codeOK
	}
	c.attempts++
	if c.attempts >= maxAttempts {
		delete(b.codes, number)
	}
	return codeWrong
}

// newCode returns six uniformly random decimal digits.
func newCode(r io.Reader) (string, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("random code: %w", err)
		}
		v := binary.BigEndian.Uint32(b[:])
		if v < 4_294_000_000 { // a multiple of 10^6: no bias
			return fmt.Sprintf("%06d", v%1_000_000), nil
		}
	}
}

// session is one visitor's state. An anonymous session (Number empty)
// exists for the CSRF token and the number a code was sent to.
type session struct {
	id      string
	csrf    string
	number  string // E.164, set once the number is proved
	pending string // E.164 the code was sent to, before it is proved
	created time.Time
	seen    time.Time
	api     bool
}

// sessions is the in-memory session table.
type sessions struct {
	mu       sync.Mutex
	byID     map[string]*session
	idle     time.Duration
	lifetime time.Duration
	max      int
	swept    time.Time
}

func newSessions(idle, lifetime time.Duration, max int) *sessions {
	return &sessions{byID: map[string]*session{}, idle: idle, lifetime: lifetime, max: max}
}

func (s *sessions) expired(x *session, now time.Time) bool {
	return now.Sub(x.seen) >= s.idle || now.Sub(x.created) >= s.lifetime
}

// get returns the live session with this id and marks it seen.
func (s *sessions) get(id string, now time.Time) *session {
	if id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.byID[id]
	if x == nil {
		return nil
	}
	if s.expired(x, now) {
		delete(s.byID, id)
		return nil
	}
	x.seen = now
	c := *x
	return &c
}

// create stores a new session, or fails when the table is full of live
// sessions (a flood; the limit keeps memory bounded).
func (s *sessions) create(r io.Reader, x session, now time.Time) (*session, error) {
	id, err := randomToken(r)
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken(r)
	if err != nil {
		return nil, err
	}
	x.id, x.csrf, x.created, x.seen = id, csrf, now, now
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byID) >= s.max || now.Sub(s.swept) > time.Minute {
		s.swept = now
		for k, v := range s.byID {
			if s.expired(v, now) {
				delete(s.byID, k)
			}
		}
	}
	if len(s.byID) >= s.max {
		return nil, errSessionsFull
	}
	s.byID[id] = &x
	c := x
	return &c, nil
}

// update applies fn to the stored session with this id.
func (s *sessions) update(id string, fn func(*session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.byID[id]; x != nil {
		fn(x)
	}
}

func (s *sessions) delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

var errSessionsFull = fmt.Errorf("too many sessions")

// randomToken returns 32 random bytes in URL-safe base64.
func randomToken(r io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// mask hides the middle of a number for logs and pages: +2126••••5678.
func mask(e164 string) string {
	if len(e164) < 10 {
		return "••••"
	}
	return e164[:5] + "••••" + e164[len(e164)-4:]
}
