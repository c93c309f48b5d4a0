package subscriber_test

import (
	"bytes"
	"context"
	"encoding/json"
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

type scopeState struct {
	Scope   string    `json:"scope"`
	Name    string    `json:"name"`
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
	Channel string    `json:"channel"`
	Seq     int64     `json:"seq"`
}

type oppositions struct {
	Masked      string       `json:"msisdn_masked"`
	National    *scopeState  `json:"national"`
	Oppositions []scopeState `json:"oppositions"`
	History     []scopeState `json:"history"`
}

type change struct {
	Changed    bool                      `json:"changed"`
	Opposition *scopeState               `json:"opposition"`
	Receipt    *subscriber.SignedReceipt `json:"receipt"`
}

func TestAPIFlow(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	a.signIn(numberA, "00212 6-12-34-56-78")
	// The code went to the number in E.164 form.
	if e.sender.count() != 1 || e.sender.msgs[0].to != numberA {
		t.Fatalf("SMS %+v", e.sender.msgs)
	}
	a.token = ""
	a.signIn(numberA)

	var o oppositions
	if st, _ := a.do("GET", "/api/v1/subscriber/oppositions", nil, &o); st != 200 || o.Masked != "+2126••••5678" || o.National != nil || len(o.Oppositions) != 0 {
		t.Fatalf("oppositions: %d %+v", st, o)
	}
	var c change
	st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:dar-lbahja", "action": "stop"}, &c)
	if st != http.StatusCreated || !c.Changed || c.Receipt == nil || c.Opposition.Name != "Dar Lbahja" || c.Opposition.Channel != "api" {
		t.Fatalf("stop: %d %+v", st, c)
	}
	// The receipt in the answer verifies, here and at the verify endpoint.
	raw, _ := json.Marshal(c.Receipt)
	if _, err := subscriber.VerifyReceipt(e.pub(), raw); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Valid bool `json:"valid"`
	}
	if st, _ := a.do("POST", "/api/v1/subscriber/receipts/verify", c.Receipt, &v); st != 200 || !v.Valid {
		t.Errorf("verify endpoint: %d %+v", st, v)
	}
	// A receipt changed after signing does not.
	forged := *c.Receipt
	forged.Receipt.Scope = "national"
	var bad struct {
		Valid bool   `json:"valid"`
		Error apiErr `json:"-"`
	}
	if st, _ := a.do("POST", "/api/v1/subscriber/receipts/verify", forged, &bad); st != http.StatusUnprocessableEntity || bad.Valid {
		t.Errorf("forged receipt: %d %+v", st, bad)
	}
	// The receipt is fetched again, identical but for nothing.
	var again subscriber.SignedReceipt
	if st, _ := a.do("GET", "/api/v1/subscriber/receipts/"+strconv.FormatInt(c.Opposition.Seq, 10), nil, &again); st != 200 || again.Signature != c.Receipt.Signature {
		t.Errorf("receipt again: %d %+v", st, again)
	}
	// Unchanged.
	c = change{}
	if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:dar-lbahja", "action": "stop"}, &c); st != 200 || c.Changed || c.Receipt != nil || c.Opposition == nil {
		t.Errorf("stop again: %d %+v", st, c)
	}
	c = change{}
	if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "start"}, &c); st != 200 || c.Changed || c.Opposition != nil {
		t.Errorf("start national without a stop: %d %+v", st, c)
	}
	a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "stop"}, nil)
	o = oppositions{}
	a.do("GET", "/api/v1/subscriber/oppositions", nil, &o)
	if o.National == nil || len(o.Oppositions) != 1 || o.Oppositions[0].Scope != "advertiser:dar-lbahja" || len(o.History) != 2 || o.History[0].Scope != "national" {
		t.Errorf("after national stop: %+v", o)
	}
	// Brands, with the number's state.
	var brands struct {
		Brands []struct {
			ID      string   `json:"id"`
			Senders []string `json:"sender_ids"`
			Stopped bool     `json:"stopped"`
		} `json:"brands"`
	}
	a.do("GET", "/api/v1/subscriber/brands?q=lbah", nil, &brands)
	if len(brands.Brands) != 1 || brands.Brands[0].ID != "dar-lbahja" || !brands.Brands[0].Stopped || brands.Brands[0].Senders[0] != "DarLbahja" {
		t.Errorf("brands: %+v", brands)
	}
	// The public key.
	var key struct {
		Algorithm string `json:"algorithm"`
		KeyID     string `json:"key_id"`
	}
	if a.do("GET", "/api/v1/subscriber/receipt-key", nil, &key); key.Algorithm != "Ed25519" || key.KeyID != subscriber.KeyID(e.pub()) {
		t.Errorf("key %+v", key)
	}
	// Logout ends the token.
	if st, _ := a.do("DELETE", "/api/v1/subscriber/session", nil, nil); st != http.StatusNoContent {
		t.Errorf("logout: %d", st)
	}
	var ae apiErr
	if st, _ := a.do("GET", "/api/v1/subscriber/oppositions", nil, &ae); st != 401 || ae.Error.Reason != "unauthorized" {
		t.Errorf("after logout: %d %+v", st, ae)
	}
}

func TestAPIErrors(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	a.signIn(numberA)
	for _, tc := range []struct {
		method, path string
		body         any
		status       int
		reason       string
	}{
		{"POST", "/api/v1/subscriber/code", map[string]string{"msisdn": "abc"}, 400, "invalid_number"},
		{"POST", "/api/v1/subscriber/code", map[string]string{"msisdn": "0522123456"}, 400, "not_mobile"},
		{"POST", "/api/v1/subscriber/code", map[string]string{"number": numberA}, 400, "bad_request"},
		{"POST", "/api/v1/subscriber/session", map[string]string{"msisdn": numberB, "code": "123456"}, 401, "no_code"},
		{"POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:nobody", "action": "stop"}, 404, "unknown_brand"},
		{"POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "provider:nobody", "action": "stop"}, 400, "invalid_scope"},
		{"POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "everything", "action": "stop"}, 400, "invalid_scope"},
		{"POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "pause"}, 400, "bad_request"},
		{"GET", "/api/v1/subscriber/receipts/999", nil, 404, "not_found"},
		{"GET", "/api/v1/subscriber/receipts/x", nil, 404, "not_found"},
		{"GET", "/api/v1/subscriber/nothing", nil, 404, "not_found"},
	} {
		var ae apiErr
		st, _ := a.do(tc.method, tc.path, tc.body, &ae)
		if st != tc.status || ae.Error.Reason != tc.reason || ae.Error.Message == "" {
			t.Errorf("%s %s %v: %d %+v, want %d %s", tc.method, tc.path, tc.body, st, ae, tc.status, tc.reason)
		}
	}
	// A form post is refused: only JSON, which another site's page cannot
	// send without the browser asking first.
	resp, err := e.ts.Client().Post(e.ts.URL+"/api/v1/subscriber/code", "application/x-www-form-urlencoded", strings.NewReader("msisdn="+numberA))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || !bytes.Contains(body, []byte(`"unsupported_media_type"`)) {
		t.Errorf("form post: %d %s", resp.StatusCode, body)
	}
	// The session cookie of the pages is no API credential, nor the other
	// way round.
	b := e.browser(t)
	b.signIn(numberB, numberB)
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/subscriber/oppositions", nil)
	resp, err = b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("cookie on the API: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", e.ts.URL+"/subscriber/receipts/1", nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err = e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("bearer on the pages: %d", resp.StatusCode)
	}
}

// One subscriber never sees nor changes another's oppositions, nor gets
// their receipts.
func TestAPIIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.api(t), e.api(t)
	a.signIn(numberA)
	b.signIn(numberB)
	var c change
	a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:atlas-market", "action": "stop"}, &c)
	a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "stop"}, nil)
	var o oppositions
	b.do("GET", "/api/v1/subscriber/oppositions", nil, &o)
	if o.National != nil || len(o.Oppositions) != 0 || len(o.History) != 0 || o.Masked != "+2126••••5432" {
		t.Errorf("B sees %+v", o)
	}
	var ae apiErr
	if st, _ := b.do("GET", "/api/v1/subscriber/receipts/"+strconv.FormatInt(c.Opposition.Seq, 10), nil, &ae); st != 404 {
		t.Errorf("B got A's receipt: %d", st)
	}
	// B's START of the brand changes nothing of A's.
	b.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:atlas-market", "action": "start"}, nil)
	o = oppositions{}
	a.do("GET", "/api/v1/subscriber/oppositions", nil, &o)
	if o.National == nil || len(o.Oppositions) != 1 {
		t.Errorf("A after B's START: %+v", o)
	}
	// Pages too.
	pb := e.browser(t)
	pb.signIn(numberB, numberB)
	_, body := pb.get("/subscriber/")
	if strings.Contains(body, "Vous refusez tous") || strings.Contains(body, "Refusée") {
		t.Error("B's page shows A's oppositions")
	}
	if st, _ := pb.get("/subscriber/receipts/" + strconv.FormatInt(c.Opposition.Seq, 10)); st != 404 {
		t.Errorf("B's page got A's receipt: %d", st)
	}
}

func TestAPIRateLimits(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	code := func(n string) (int, apiErr, http.Header) {
		var ae apiErr
		st, h := a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": n}, &ae)
		return st, ae, h
	}
	// Per number: 5 codes an hour.
	for i := range 5 {
		if st, ae, _ := code(numberA); st != 202 {
			t.Fatalf("code %d: %d %+v", i, st, ae)
		}
	}
	st, ae, h := code(numberA)
	if st != 429 || ae.Error.Reason != "rate_limited" || h.Get("Retry-After") == "" {
		t.Fatalf("6th code: %d %+v", st, ae)
	}
	if e.sender.count() != 5 {
		t.Errorf("%d SMS sent", e.sender.count())
	}
	// An hour later, again.
	e.clock.Advance(61 * time.Minute)
	if st, _, _ := code(numberA); st != 202 {
		t.Errorf("after an hour: %d", st)
	}
	// Per address: 20 an hour, whatever the numbers.
	e.clock.Advance(61 * time.Minute)
	for i := range 20 {
		if st, ae, _ := code("+21261100" + strconv.Itoa(1000+i)); st != 202 {
			t.Fatalf("address code %d: %d %+v", i, st, ae)
		}
	}
	if st, _, _ := code(numberB); st != 429 {
		t.Errorf("21st code from one address: %d", st)
	}
}

func TestAPIAttemptLimits(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	verify := func(n, c string) (int, apiErr) {
		var ae apiErr
		st, _ := a.do("POST", "/api/v1/subscriber/session", map[string]string{"msisdn": n, "code": c}, &ae)
		return st, ae
	}
	wrong := func(good string) string {
		if good == "000000" {
			return "111111"
		}
		return "000000"
	}
	// Per number: 10 wrong codes an hour, over two codes; then even the
	// right code is refused.
	for round := range 2 {
		a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": numberA}, nil)
		good := e.sender.lastCode(t, numberA)
		for i := range 5 {
			if st, ae := verify(numberA, wrong(good)); st != 401 || ae.Error.Reason != "wrong_code" {
				t.Fatalf("round %d attempt %d: %d %+v", round, i, st, ae)
			}
		}
	}
	a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": numberA}, nil)
	if st, ae := verify(numberA, e.sender.lastCode(t, numberA)); st != 429 || ae.Error.Reason != "rate_limited" {
		t.Errorf("right code after 10 wrong: %d %+v", st, ae)
	}
	e.clock.Advance(61 * time.Minute)
	a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": numberA}, nil)
	if st, ae := verify(numberA, e.sender.lastCode(t, numberA)); st != 201 {
		t.Errorf("an hour later: %d %+v", st, ae)
	}
	// Per address: 20 wrong codes an hour, across numbers.
	e.clock.Advance(61 * time.Minute)
	n := 0
	for i := 0; n < 20; i++ {
		num := "+21262200" + strconv.Itoa(1000+i)
		a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": num}, nil)
		good := e.sender.lastCode(t, num)
		for range 5 {
			if n == 20 {
				break
			}
			verify(num, wrong(good))
			n++
		}
	}
	a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": numberB}, nil)
	if st, ae := verify(numberB, e.sender.lastCode(t, numberB)); st != 429 {
		t.Errorf("after 20 wrong codes from one address: %d %+v", st, ae)
	}
}

// Every path of the OpenAPI document is served.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(subscriber.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || len(doc.Paths) < 7 {
		t.Fatalf("document: %s, %d paths", doc.OpenAPI, len(doc.Paths))
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			p := strings.ReplaceAll(path, "{seq}", "1")
			var ae apiErr
			var body any
			if method == "post" {
				body = map[string]string{}
			}
			a.do(strings.ToUpper(method), p, body, &ae)
			if ae.Error.Message == "no such endpoint" {
				t.Errorf("%s %s is not served", method, path)
			}
		}
	}
	// And every route of the API is in the document.
	for _, r := range []string{"post /api/v1/subscriber/code", "post /api/v1/subscriber/session", "delete /api/v1/subscriber/session",
		"get /api/v1/subscriber/oppositions", "post /api/v1/subscriber/oppositions", "get /api/v1/subscriber/brands",
		"get /api/v1/subscriber/receipts/{seq}", "get /api/v1/subscriber/receipt-key", "post /api/v1/subscriber/receipts/verify"} {
		m, p, _ := strings.Cut(r, " ")
		if doc.Paths[p][m] == nil {
			t.Errorf("%s is not documented", r)
		}
	}
	var served map[string]any
	if st, _ := a.do("GET", "/api/v1/subscriber/openapi.json", nil, &served); st != 200 || served["openapi"] == nil {
		t.Errorf("served document: %d", st)
	}
}

func TestAPIBrandSearch(t *testing.T) {
	e := newEnv(t)
	a := e.api(t)
	a.signIn(numberA)
	type brands struct {
		Brands []struct {
			ID string `json:"id"`
		} `json:"brands"`
		More int `json:"more"`
	}
	for q, want := range map[string]string{
		"Dar L'bahja": "dar-lbahja",
		"DÂR":         "dar-lbahja",
		"سوق":         "souk-nour",
		"atlasmkt":    "atlas-market",
		"atlas-mar":   "atlas-market",
	} {
		var b brands
		a.do("GET", "/api/v1/subscriber/brands?q="+url.QueryEscape(q), nil, &b)
		if len(b.Brands) != 1 || b.Brands[0].ID != want {
			t.Errorf("%q finds %+v, want %s", q, b, want)
		}
	}
	// A brand declared a moment ago can be stopped at once.
	var all brands
	a.do("GET", "/api/v1/subscriber/brands", nil, &all)
	if err := e.store.Registry.CreateAdvertiser(context.Background(), &bawwab.Advertiser{ID: "new-brand", Name: "New", ProviderIDs: []string{"atlasvas"}}); err != nil {
		t.Fatal(err)
	}
	var c change
	if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "advertiser:new-brand", "action": "stop"}, &c); st != 201 {
		t.Errorf("stop a new brand: %d", st)
	}
}

// Many subscribers at once: each ends with its own oppositions only.
func TestAPIConcurrentSubscribers(t *testing.T) {
	e := newEnv(t, func(o *subscriber.Options) { o.Limits.CodesPerAddress = 1000 })
	const n = 16
	done := make(chan error, n)
	for i := range n {
		go func() {
			num := "+2126330" + strconv.Itoa(10000+i)
			a := &api{t: t, e: e}
			var ae apiErr
			if st, _ := a.do("POST", "/api/v1/subscriber/code", map[string]string{"msisdn": num}, &ae); st != 202 {
				done <- fmt.Errorf("code %s: %d %+v", num, st, ae)
				return
			}
			var s struct{ Token string }
			if st, _ := a.do("POST", "/api/v1/subscriber/session", map[string]string{"msisdn": num, "code": e.sender.lastCode(t, num)}, &s); st != 201 {
				done <- fmt.Errorf("verify %s: %d", num, st)
				return
			}
			a.token = s.Token
			scope := []string{"national", "advertiser:atlas-market", "advertiser:dar-lbahja"}[i%3]
			if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": scope, "action": "stop"}, nil); st != 201 {
				done <- fmt.Errorf("stop %s: %d", num, st)
				return
			}
			var o oppositions
			a.do("GET", "/api/v1/subscriber/oppositions", nil, &o)
			got := len(o.Oppositions)
			if o.National != nil {
				got++
			}
			if got != 1 || len(o.History) != 1 || o.History[0].Scope != scope {
				done <- fmt.Errorf("%s sees %+v", num, o)
				return
			}
			done <- nil
		}()
	}
	for range n {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestAPIChangeLimit(t *testing.T) {
	e := newEnv(t, func(o *subscriber.Options) { o.Limits.ChangesPerNumber = 4 })
	a := e.api(t)
	a.signIn(numberA)
	for i := range 4 {
		action := []string{"stop", "start"}[i%2]
		if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": action}, nil); st != 201 {
			t.Fatalf("change %d: %d", i, st)
		}
	}
	var ae apiErr
	if st, h := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "stop"}, &ae); st != 429 || ae.Error.Reason != "rate_limited" || h.Get("Retry-After") == "" {
		t.Errorf("5th change: %d %+v", st, ae)
	}
	// Asking for what is already so is no change, and not counted.
	if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "start"}, nil); st != 200 {
		t.Errorf("no-op: %d", st)
	}
}
