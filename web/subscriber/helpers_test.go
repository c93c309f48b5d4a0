package subscriber_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web/subscriber"
)

// smsSender records the messages it is asked to send, as a phone would
// receive them.
type smsSender struct {
	mu   sync.Mutex
	msgs []sms
	fail error
}

type sms struct{ from, to, text string }

func (s *smsSender) SendSMS(ctx context.Context, from, to, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.msgs = append(s.msgs, sms{from, to, text})
	return nil
}

var codeRE = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode returns the code in the last SMS sent to a number.
func (s *smsSender) lastCode(t testing.TB, to string) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if s.msgs[i].to == to {
			m := codeRE.FindStringSubmatch(s.msgs[i].text)
			if m == nil {
				t.Fatalf("no code in %q", s.msgs[i].text)
			}
			return m[1]
		}
	}
	t.Fatalf("no SMS sent to %s", to)
	return ""
}

func (s *smsSender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.msgs)
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type env struct {
	srv    *subscriber.Server
	ts     *httptest.Server
	sender *smsSender
	store  bawwab.Store
	ledger *ledger.Ledger
	keys   *ledger.Keyring
	clock  *clock
	logs   *syncBuffer
}

type envOption func(*subscriber.Options)

// newEnv starts a server on a real SQLite store and a real ledger, behind
// TLS so that the Secure cookie is sent back.
func newEnv(t testing.TB, opts ...envOption) *env {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := db.Store()
	seedRegistry(t, st)
	keys, err := ledger.OpenKeyring(filepath.Join(dir, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "ledger.key"), Keyring: keys})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e := &env{sender: &smsSender{}, store: st, ledger: l, keys: keys, clock: &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}, logs: &syncBuffer{}}
	o := subscriber.Options{
		Sender:         e.sender,
		Oppositions:    st.Oppositions,
		Ledger:         l,
		Registry:       st.Registry,
		ReceiptKeyFile: filepath.Join(dir, "receipt.key"),
		Logger:         slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:            e.clock.Now,
	}
	for _, f := range opts {
		f(&o)
	}
	e.srv, err = subscriber.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewTLSServer(e.srv.Handler())
	t.Cleanup(e.ts.Close)
	return e
}

func seedRegistry(t testing.TB, st bawwab.Store) {
	t.Helper()
	ctx := context.Background()
	r := st.Registry
	declared := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.CreateProvider(ctx, &bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: declared}))
	must(r.CreateProvider(ctx, &bawwab.Provider{ID: "rifdigital", Name: "Rif Digital SA", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: declared}))
	must(r.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}}))
	must(r.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: "dar-lbahja", Name: "Dar Lbahja", ProviderIDs: []string{"rifdigital"}}))
	must(r.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: "souk-nour", Name: "سوق النور", ProviderIDs: []string{"atlasvas", "rifdigital"}}))
	must(r.CreateSenderID(ctx, &bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial}))
	must(r.CreateSenderID(ctx, &bawwab.SenderID{Value: "DarLbahja", ProviderID: "rifdigital", AdvertiserID: "dar-lbahja", Category: bawwab.CategoryCommercial}))
	must(r.CreateSenderID(ctx, &bawwab.SenderID{Value: "SOUKNOUR", ProviderID: "rifdigital", AdvertiserID: "souk-nour", Category: bawwab.CategoryCommercial}))
}

// browser is an HTTP client with its own cookies that does not follow
// redirects, so that tests see them.
type browser struct {
	t    testing.TB
	e    *env
	c    *http.Client
	csrf string
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	c := e.ts.Client()
	cc := *c
	cc.Jar = jar
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, e: e, c: &cc}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// get fetches a page and remembers its CSRF token.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.e.ts.URL + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, string(body)
}

// post submits a form with the remembered CSRF token (unless the form
// sets its own) and returns the status, the Location and the body.
func (b *browser) post(path string, form url.Values, headers ...string) (int, string, string) {
	b.t.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, b.e.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = html.UnescapeString(string(m[1]))
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// signIn proves a number through the pages.
func (b *browser) signIn(number, typed string) {
	b.t.Helper()
	b.get("/subscriber/")
	st, loc, body := b.post("/subscriber/code", url.Values{"msisdn": {typed}})
	if st != http.StatusSeeOther || loc != "/subscriber/verify" {
		b.t.Fatalf("request code: %d %s\n%s", st, loc, body)
	}
	b.get("/subscriber/verify")
	code := b.e.sender.lastCode(b.t, number)
	st, loc, body = b.post("/subscriber/verify", url.Values{"code": {code}})
	if st != http.StatusSeeOther || loc != "/subscriber/" {
		b.t.Fatalf("verify: %d %s\n%s", st, loc, body)
	}
	b.get("/subscriber/")
}

// api is a JSON client of the API.
type api struct {
	t     testing.TB
	e     *env
	token string
}

func (e *env) api(t testing.TB) *api { return &api{t: t, e: e} }

// do sends a JSON request and decodes the answer into out (when not nil).
func (a *api) do(method, path string, body any, out any) (int, http.Header) {
	a.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.e.ts.URL+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.e.ts.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); len(data) > 0 && !strings.HasPrefix(ct, "application/json") {
		a.t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode, resp.Header
}

type apiErr struct {
	Error struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"error"`
}

// signIn proves a number through the API and keeps the token.
func (a *api) signIn(number string, typed ...string) {
	a.t.Helper()
	var e apiErr
	as := number
	if len(typed) > 0 {
		as = typed[0]
	}
	if st, _ := a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": as}, &e); st != http.StatusAccepted {
		a.t.Fatalf("request code: %d %+v", st, e)
	}
	var s struct {
		Token string `json:"token"`
	}
	if st, _ := a.do("POST", "/api/v1/subscriber/session", map[string]string{"msisdn": as, "code": a.e.sender.lastCode(a.t, number)}, &s); st != http.StatusCreated || s.Token == "" {
		a.t.Fatalf("verify: %d", st)
	}
	a.token = s.Token
}

func (e *env) pub() ed25519.PublicKey { return e.srv.PublicKey() }
