package subscriber_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/web/subscriber"
)

const (
	numberA = "+212612345678"
	numberB = "+212698765432"
)

// A subscriber types the number as people do, proves it with the code the
// SMS carried, stops a brand and then everything, and gets signed receipts;
// the register enforces the STOP and the ledger records it.
func TestPagesSignInStopAndReceipt(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	st, body := b.get("/subscriber/")
	if st != http.StatusOK || !strings.Contains(body, `lang="fr" dir="ltr"`) || !strings.Contains(body, `action="/subscriber/code"`) {
		t.Fatalf("start page: %d\n%s", st, body)
	}
	b.signIn(numberA, "06 12 34 56 78")
	if n := e.sender.count(); n != 1 {
		t.Fatalf("%d SMS sent, want 1", n)
	}
	msg := e.sender.msgs[0]
	if msg.from != "StopSMS" || !strings.Contains(msg.text, "code") || !strings.Contains(msg.text, "رمز") {
		t.Errorf("code SMS %+v: want French and Arabic from StopSMS", msg)
	}
	_, body = b.get("/subscriber/")
	for _, want := range []string{"Vos oppositions", "2126••••5678", "Atlas Market", "ATLASMKT", "سوق النور", "STOP — tout refuser"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(body, "612345678") {
		t.Error("home page shows the number in clear")
	}

	st, loc, body := b.post("/subscriber/oppositions", url.Values{"scope": {"advertiser:atlas-market"}, "action": {"stop"}})
	if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/subscriber/?done=") {
		t.Fatalf("stop: %d %s\n%s", st, loc, body)
	}
	_, body = b.get(loc)
	if !strings.Contains(body, "Atlas Market\u2069 ne vous enverra plus de SMS commerciaux") || !strings.Contains(body, "/subscriber/receipts/") {
		t.Errorf("no confirmation after STOP:\n%s", body)
	}
	// Enforced: the register has the STOP in force.
	ctx := context.Background()
	inForce, err := e.store.Oppositions.FindOppositionsInForce(ctx, numberA)
	if err != nil || len(inForce) != 1 || inForce[0].Scope.String() != "advertiser:atlas-market" || inForce[0].Channel != "web" {
		t.Fatalf("in force: %+v, %v", inForce, err)
	}
	seq := inForce[0].Seq
	// The receipt downloads and verifies.
	resp, err := b.c.Get(e.ts.URL + "/subscriber/receipts/" + itoa(seq))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("receipt: %d %s", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	r, err := subscriber.VerifyReceipt(e.pub(), data)
	if err != nil {
		t.Fatalf("verify receipt: %v\n%s", err, data)
	}
	if r.MSISDN != numberA || r.Scope != "advertiser:atlas-market" || r.ScopeName != "Atlas Market" || r.Action != "stop" || r.Seq != seq || r.Channel != "web" {
		t.Errorf("receipt %+v", r)
	}
	// The ledger holds the change, under the number's pseudonym.
	var entries []*bawwab.LedgerEntry
	for en, err := range e.ledger.FindEntries(ctx, bawwab.LedgerFilter{Recipients: e.keys.Pseudonyms(numberA)}) {
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, en)
	}
	if len(entries) != 1 || entries[0].Kind != bawwab.EntryOpposition || entries[0].Action != "stop" ||
		entries[0].Subject != "advertiser:atlas-market" || entries[0].AdvertiserID != "atlas-market" || entries[0].Channel != "web" || entries[0].Actor != "subscriber" {
		t.Fatalf("ledger entries %+v", entries)
	}

	// STOP again changes nothing; STOP ALL then START ALL.
	st, loc, _ = b.post("/subscriber/oppositions", url.Values{"scope": {"advertiser:atlas-market"}, "action": {"stop"}})
	if st != http.StatusSeeOther || !strings.Contains(loc, "unchanged=1") {
		t.Errorf("second stop: %d %s", st, loc)
	}
	b.post("/subscriber/oppositions", url.Values{"scope": {"national"}, "action": {"stop"}})
	_, body = b.get("/subscriber/")
	if !strings.Contains(body, "Vous refusez tous les SMS commerciaux depuis le") {
		t.Errorf("national STOP not shown")
	}
	b.post("/subscriber/oppositions", url.Values{"scope": {"national"}, "action": {"start"}})
	inForce, _ = e.store.Oppositions.FindOppositionsInForce(ctx, numberA)
	if len(inForce) != 1 {
		t.Errorf("after START ALL: %+v", inForce)
	}
	// Sign out: the session is gone.
	st, _, _ = b.post("/subscriber/logout", url.Values{})
	if st != http.StatusSeeOther {
		t.Errorf("logout: %d", st)
	}
	st, _, _ = b.post("/subscriber/oppositions", url.Values{"scope": {"national"}, "action": {"stop"}})
	if st != http.StatusUnauthorized {
		t.Errorf("change after logout: %d", st)
	}
	if logs := e.logs.String(); strings.Contains(logs, "612345678") {
		t.Errorf("the logs hold the number in clear:\n%s", logs)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPagesCSRF(t *testing.T) {
	e := newEnv(t)
	a, b := e.browser(t), e.browser(t)
	a.signIn(numberA, numberA)
	b.signIn(numberB, numberB)
	stop := func() url.Values { return url.Values{"scope": {"national"}, "action": {"stop"}} }
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"no token", func() url.Values { f := stop(); f.Set("csrf", ""); return f }(), nil},
		{"wrong token", func() url.Values { f := stop(); f.Set("csrf", "x"); return f }(), nil},
		{"another session's token", func() url.Values { f := stop(); f.Set("csrf", b.csrf); return f }(), nil},
		{"cross-site", stop(), []string{"Sec-Fetch-Site", "cross-site"}},
		{"other origin", stop(), []string{"Origin", "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _, _ := a.post("/subscriber/oppositions", tc.form, tc.headers...)
			if st != http.StatusForbidden {
				t.Errorf("status %d, want 403", st)
			}
		})
	}
	// A trusted origin passes.
	tr := newEnv(t, func(o *subscriber.Options) { o.TrustedOrigins = []string{"https://stopsms.example"} })
	c0 := tr.browser(t)
	c0.signIn(numberA, numberA)
	if st, _, _ := c0.post("/subscriber/oppositions", stop(), "Origin", "https://stopsms.example", "Sec-Fetch-Site", "cross-site"); st != http.StatusSeeOther {
		t.Errorf("trusted origin: %d", st)
	}
	// A code request needs the token too: a page elsewhere cannot make a
	// visitor's browser send codes.
	c := e.browser(t)
	c.get("/subscriber/")
	if st, _, _ := c.post("/subscriber/code", url.Values{"msisdn": {numberA}, "csrf": {"forged"}}); st != http.StatusForbidden {
		t.Errorf("code request with a forged token: %d", st)
	}
	in, _ := e.store.Oppositions.FindOppositionsInForce(context.Background(), numberA)
	if len(in) != 0 {
		t.Errorf("a refused request changed the register: %+v", in)
	}
}

func TestPagesWrongCodes(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	b.get("/subscriber/")
	b.post("/subscriber/code", url.Values{"msisdn": {"+212 6 12 34 56 78"}})
	b.get("/subscriber/verify")
	good := e.sender.lastCode(t, numberA)
	wrong := "000000"
	if good == wrong {
		wrong = "111111"
	}
	for i := range 5 {
		st, _, body := b.post("/subscriber/verify", url.Values{"code": {wrong}})
		if st != http.StatusUnauthorized || !strings.Contains(body, "Code incorrect") {
			t.Fatalf("attempt %d: %d", i, st)
		}
	}
	// Five wrong attempts used the code up: even the right one fails now.
	st, _, body := b.post("/subscriber/verify", url.Values{"code": {good}})
	if st != http.StatusUnauthorized || !strings.Contains(body, "plus valable") {
		t.Fatalf("good code after 5 wrong: %d\n%s", st, body)
	}
	// An expired code fails.
	b.get("/subscriber/")
	b.post("/subscriber/code", url.Values{"msisdn": {numberA}})
	b.get("/subscriber/verify")
	e.clock.Advance(11 * time.Minute)
	if st, _, _ := b.post("/subscriber/verify", url.Values{"code": {e.sender.lastCode(t, numberA)}}); st != http.StatusUnauthorized {
		t.Errorf("expired code: %d", st)
	}
	// A bad number is refused with a message, and no SMS.
	n := e.sender.count()
	for _, typed := range []string{"", "hello", "0522 12 34 56", "06 12 34"} {
		st, _, body := b.post("/subscriber/code", url.Values{"msisdn": {typed}})
		if st != http.StatusBadRequest || !strings.Contains(body, `role="alert"`) {
			t.Errorf("%q: %d", typed, st)
		}
	}
	if e.sender.count() != n {
		t.Error("an SMS went to a bad number")
	}
}

func TestPagesLanguages(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	_, body := b.get("/subscriber/?lang=ar")
	if !strings.Contains(body, `<html lang="ar" dir="rtl">`) || !strings.Contains(body, "الوصول إلى اعتراضاتك") {
		t.Fatalf("Arabic page:\n%s", body)
	}
	// The choice is kept.
	_, body = b.get("/subscriber/")
	if !strings.Contains(body, `lang="ar"`) {
		t.Error("language not kept")
	}
	_, body = b.get("/subscriber/?lang=en")
	if !strings.Contains(body, `<html lang="en" dir="ltr">`) || !strings.Contains(body, "See your objections") {
		t.Error("English page")
	}
	_, body = b.get("/subscriber/?lang=xx")
	if !strings.Contains(body, `lang="en"`) {
		t.Error("an unknown language changed the choice")
	}
	// Every text exists in every language.
	for _, l := range []string{"fr", "ar", "en"} {
		if missing := subscriber.MissingTexts(l); len(missing) > 0 {
			t.Errorf("%s lacks %v", l, missing)
		}
	}
}

func TestPagesSessionExpires(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	b.signIn(numberA, numberA)
	e.clock.Advance(31 * time.Minute)
	if st, _, _ := b.post("/subscriber/oppositions", url.Values{"scope": {"national"}, "action": {"stop"}}); st != http.StatusUnauthorized {
		t.Errorf("after 31 idle minutes: %d", st)
	}
	_, body := b.get("/subscriber/")
	if !strings.Contains(body, `action="/subscriber/code"`) {
		t.Error("an expired session still shows the oppositions")
	}
}

func TestPagesHeadersAndStatic(t *testing.T) {
	e := newEnv(t)
	b := e.browser(t)
	resp, err := b.c.Get(e.ts.URL + "/subscriber/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	checkCookie := func(resp *http.Response, name string) {
		t.Helper()
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == name {
				cookie = c
			}
		}
		if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/" || len(cookie.Value) != 43 {
			t.Errorf("cookie %s: %+v", name, cookie)
		}
	}
	// A visitor gets only the CSRF cookie; the session starts with a code
	// sent, and holds no number.
	checkCookie(resp, "__Host-bawwab-sub-pre")
	b.get("/subscriber/")
	form := url.Values{"msisdn": {numberA}, "csrf": {b.csrf}}
	req, _ := http.NewRequest("POST", e.ts.URL+"/subscriber/code", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("code: %d", resp.StatusCode)
	}
	checkCookie(resp, "__Host-bawwab-sub")
	resp, err = b.c.Get(e.ts.URL + "/subscriber/static/style.css")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(css), "inset-inline-start") {
		t.Errorf("style sheet: %d", resp.StatusCode)
	}
	if st, _ := b.get("/subscriber/nope"); st != http.StatusNotFound {
		t.Errorf("unknown page: %d", st)
	}
}

func TestSendFailure(t *testing.T) {
	e := newEnv(t)
	e.sender.fail = errors.New("SMSC down")
	b := e.browser(t)
	b.get("/subscriber/")
	st, _, body := b.post("/subscriber/code", url.Values{"msisdn": {numberA}})
	if st != http.StatusBadGateway || !strings.Contains(body, "pas pu être envoyé") {
		t.Errorf("send failure: %d\n%s", st, body)
	}
}

// An opposition recorded elsewhere (STOP to a provider's own short code)
// shows on the page with the provider's name, and START lifts it.
func TestPagesProviderScope(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := &bawwab.Opposition{MSISDN: numberA, Scope: bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}, Action: bawwab.ActionStop, At: e.clock.Now().Add(-time.Hour), Channel: "5050"}
	if err := e.store.Oppositions.RecordOpposition(ctx, o); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	b.signIn(numberA, numberA)
	_, body := b.get("/subscriber/?lang=en")
	if !strings.Contains(body, "Atlas VAS SARL (all its brands)") {
		t.Fatalf("provider opposition not shown:\n%s", body)
	}
	st, loc, _ := b.post("/subscriber/oppositions", url.Values{"scope": {"provider:atlasvas"}, "action": {"start"}})
	if st != http.StatusSeeOther || !strings.Contains(loc, "done=") {
		t.Fatalf("start: %d %s", st, loc)
	}
	in, _ := e.store.Oppositions.FindOppositionsInForce(ctx, numberA)
	if len(in) != 0 {
		t.Errorf("still in force: %+v", in)
	}
	_, body = b.get(loc)
	if !strings.Contains(body, "you will receive commercial SMS from \u2066Atlas VAS SARL\u2069 again") {
		t.Errorf("confirmation:\n%s", body)
	}
}

// With many brands, the page shows 50 and says how many more; a search
// by name or sender ID finds the others.
func TestPagesManyBrands(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 120 {
		id := fmt.Sprintf("brand-%03d", i)
		if err := e.store.Registry.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: id, Name: fmt.Sprintf("Brand %03d", i), ProviderIDs: []string{"atlasvas"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.Registry.CreateSenderID(ctx, &bawwab.SenderID{Value: "PROMO119", ProviderID: "atlasvas", AdvertiserID: "brand-119", Category: bawwab.CategoryCommercial}); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	b.signIn(numberA, numberA)
	_, body := b.get("/subscriber/?lang=en")
	if n := strings.Count(body, `name="scope" value="advertiser:`); n != 50 {
		t.Errorf("%d brands shown, want 50", n)
	}
	if !strings.Contains(body, "73 more brands") {
		t.Error("no count of the others")
	}
	_, body = b.get("/subscriber/?q=promo119")
	if strings.Count(body, `value="advertiser:`) != 1 || !strings.Contains(body, "Brand 119") {
		t.Errorf("search by sender ID:\n%s", body)
	}
	// The search is kept across a STOP.
	st, loc, _ := b.post("/subscriber/oppositions", url.Values{"scope": {"advertiser:brand-119"}, "action": {"stop"}, "q": {"promo119"}})
	if st != http.StatusSeeOther || !strings.Contains(loc, "q=promo119") {
		t.Errorf("stop: %d %s", st, loc)
	}
}
