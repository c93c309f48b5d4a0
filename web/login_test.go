package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab/web"
)

// addrEnv is a console whose client address is read from the X-Test-Addr
// header, so that one test plays clients at several addresses.
func addrEnv(t *testing.T, log *bytes.Buffer) *env {
	return newEnvWith(t, func(o *web.Options) {
		o.ClientAddress = func(r *http.Request) string { return r.Header.Get("X-Test-Addr") }
		if log != nil {
			o.Logger = slog.New(slog.NewTextHandler(log, nil))
		}
	})
}

// loginFrom tries a login from an address; it returns the status.
func (e *env) loginFrom(addr, name, password string) int {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/login", strings.NewReader(`{"name":`+strconv.Quote(name)+`,"password":`+strconv.Quote(password)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Addr", addr)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Failures from one address lock that address out of the account, not the
// owner at another address.
func TestLoginLockPerAddress(t *testing.T) {
	e := addrEnv(t, nil)
	for i := range 5 {
		if code := e.loginFrom("203.0.113.7", "inspector", "guess"+strconv.Itoa(i)); code != 401 {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	if code := e.loginFrom("203.0.113.7", "inspector", "inspector"); code != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address is not locked: %d", code)
	}
	if code := e.loginFrom("192.0.2.10", "inspector", "inspector"); code != 200 {
		t.Fatalf("the owner at another address is locked out: %d", code)
	}
}

// Failures on a name from many addresses slow the next attempt on it, by
// a bounded delay, but never refuse the owner.
func TestLoginSlowedPerName(t *testing.T) {
	e := addrEnv(t, nil)
	var mu sync.Mutex
	var waits []time.Duration
	e.web.SetSleep(func(d time.Duration) {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
	})
	for i := range 40 {
		// 4 failures per address: no address is locked.
		if code := e.loginFrom("198.51.100."+strconv.Itoa(i/4), "inspector", "guess"+strconv.Itoa(i)); code != 401 {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	mu.Lock()
	n := len(waits)
	mu.Unlock()
	if n == 0 {
		t.Fatal("failures from many addresses slow nothing")
	}
	if code := e.loginFrom("192.0.2.10", "inspector", "inspector"); code != 200 {
		t.Fatalf("the owner is refused: %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != n+1 || waits[len(waits)-1] <= 0 || waits[len(waits)-1] > 5*time.Second {
		t.Fatalf("the owner's login was not slowed by a bounded delay: %v", waits)
	}
	// Another name is not slowed.
	waits = waits[:0]
	mu.Unlock()
	code := e.loginFrom("192.0.2.10", "atlasvas", "atlasvas")
	mu.Lock()
	if code != 200 || len(waits) != 0 {
		t.Fatalf("another name: %d, waits %v", code, waits)
	}
}

// Logins, failed and successful, are logged with the name and the client
// address, never the password.
func TestLoginLogged(t *testing.T) {
	var buf bytes.Buffer
	e := addrEnv(t, &buf)
	e.loginFrom("203.0.113.7", "inspector", "s3cret-guess")
	e.loginFrom("203.0.113.8", "nobody", "other-guess")
	e.loginFrom("192.0.2.10", "inspector", "inspector")
	log := buf.String()
	for _, want := range []string{
		`msg="web: login failed" user=inspector addr=203.0.113.7 why="wrong password"`,
		`msg="web: login failed" user=nobody addr=203.0.113.8 why="unknown name"`,
		`msg="web: login" user=inspector role=regulator addr=192.0.2.10`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(log, "s3cret-guess") || strings.Contains(log, "other-guess") {
		t.Errorf("a password is logged:\n%s", log)
	}
}
