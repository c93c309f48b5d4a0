package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/sim"
	"github.com/chromedp/chromedp"
)

// gateway starts the in-line gateway over the env's store, ledger and
// sanction monitor, with a simulated IAM SMSC, and returns its HTTP API.
func (e *env) gateway(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	snap, err := e.st.Registry.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	view, err := compliance.NewView(snap)
	if err != nil {
		t.Fatal(err)
	}
	ix := optout.New()
	engine, err := compliance.New(compliance.DefaultConfig(), view, compliance.Deps{Oppositions: compliance.IndexOppositions(ix)})
	if err != nil {
		t.Fatal(err)
	}
	smsc, err := sim.NewSMSC(sim.SMSCConfig{Name: "iam"})
	if err != nil {
		t.Fatal(err)
	}
	if err := smsc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smsc.Shutdown(context.Background()) })
	gw, err := proxy.New(proxy.Options{
		Registry: e.st.Registry, Ledger: e.ledger, Engine: engine, Operators: msisdn.NewOperators(),
		Oppositions: optout.NewRecorder(e.st.Oppositions, ix, e.ledger), Sanctions: e.mon, Complaints: e.desk,
		SMSCs: []proxy.SMSCConfig{{Operator: "iam", Addr: smsc.Addr().String(), SystemID: "bawwab", Password: "x", Binds: 1}},
		Now:   e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gw.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.Shutdown(ctx)
	})
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := gw.Ready(rctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw.HTTPHandler())
	t.Cleanup(srv.Close)
	return srv
}

// submit sends a message through the gateway's HTTP API and returns the
// status and the refusal's reason.
func submit(t *testing.T, gw *httptest.Server, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", gw.URL+"/api/v1/messages", strings.NewReader(`{"from":"ATLASMKT","to":"+212661234567","text":"Atlas Market : -30% ce week-end ! STOP au 5050"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct {
		Error struct{ Reason string } `json:"error"`
	}
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out.Error.Reason
}

// TestBrowserSuspension: the provider makes an API key in the console and
// sends through the gateway; a regulator suspends it in the browser; the
// very next submission is refused, and accepted again after the lift.
func TestBrowserSuspension(t *testing.T) {
	e := newEnv(t)
	p := e.login("atlasvas")
	var k struct{ Key string }
	if code := p.do("POST", "/api/v1/keys", map[string]any{}, &k); code != 201 {
		t.Fatalf("create key: %d", code)
	}
	gw := e.gateway(t)
	if code, reason := submit(t, gw, k.Key); code != http.StatusAccepted {
		t.Fatalf("before the suspension: %d %s", code, reason)
	}

	ctx := browser(t)
	dir := artifacts(t)
	base := e.srv.URL
	login(t, ctx, base, "inspector", "inspector")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/providers/atlasvas"),
		chromedp.WaitVisible(chromedp.CSS("#measure-reason")),
		chromedp.SendKeys(chromedp.CSS("#measure-reason"), "promotions sent to opposed numbers"),
		chromedp.Click(chromedp.CSS("#suspend")),
		chromedp.WaitVisible(chromedp.CSS(".msg")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, "#provider-status"); s != "suspendu" && s != "suspended" {
		t.Fatalf("status in the console: %q", s)
	}
	code, reason := submit(t, gw, k.Key)
	if code == http.StatusAccepted || reason != string(bawwab.ReasonProviderNotAuthorised) {
		t.Fatalf("the submission after the suspension: %d %q", code, reason)
	}
	shoot(t, ctx, base, dir, "suspension-refused-ledger", "/ledger?provider=atlasvas&outcome=reject")
	// The refusal is in the ledger the console searches.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/ledger?provider=atlasvas&reason=provider-not-authorised"), chromedp.WaitVisible(chromedp.CSS("#entries"))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#entries tbody tr").length`); n != 1 {
		t.Errorf("ledger shows %d refusals for provider-not-authorised, want 1", n)
	}
	// Lifted: accepted again.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/providers/atlasvas"),
		chromedp.WaitVisible(chromedp.CSS("form.lift input[name=reason]")),
		chromedp.SendKeys(chromedp.CSS("form.lift input[name=reason]"), "lists cleaned"),
		chromedp.Click(chromedp.CSS("form.lift button")),
		chromedp.WaitVisible(chromedp.CSS(".msg")),
	); err != nil {
		t.Fatal(err)
	}
	if code, reason := submit(t, gw, k.Key); code != http.StatusAccepted {
		t.Fatalf("after the lift: %d %s", code, reason)
	}
}
