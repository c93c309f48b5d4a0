package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
)

type apiResult struct {
	ID      string   `json:"id"`
	Status  string   `json:"status"`
	Reason  string   `json:"reason"`
	Parts   int      `json:"parts"`
	SMSCIDs []string `json:"smsc_message_ids"`
	Stats   []string `json:"receipts"`
	Error   struct {
		Reason, Message, Fix string
	} `json:"error"`
}

func (e *env) api(t *testing.T, srv *httptest.Server, method, path, key, body string) (int, apiResult) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r apiResult
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s %s: %d %q: %v", method, path, resp.StatusCode, b, err)
	}
	return resp.StatusCode, r
}

// TestHTTPAPI: the same decisions and ledger as SMPP, JSON errors naming
// the reason, the status by GET and by callback.
func TestHTTPAPI(t *testing.T) {
	e := newEnv(t, envOptions{callbackAllow: loopbackCallbacks})
	var mu sync.Mutex
	callbacks := make(chan apiResult, 10)
	sigs := make(chan error, 10)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var res apiResult
		json.Unmarshal(body, &res)
		mu.Lock()
		callbacks <- res
		sigs <- safehttp.VerifyRequest(testKeys, r, "http", body, time.Now(), 0)
		mu.Unlock()
	}))
	defer cb.Close()
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()

	code, r := e.api(t, srv, "POST", "/api/v1/messages", e.apiKey,
		`{"from":"ATLASMKT","to":"+`+iamNumber+`","text":"Atlas Market: -30% ! STOP au 5050","callback_url":"`+cb.URL+`"}`)
	if code != http.StatusAccepted || (r.Status != "accepted" && r.Status != "delivered") || len(r.SMSCIDs) != 1 {
		t.Fatalf("accepted: %d %+v", code, r)
	}
	var got apiResult
	select {
	case got = <-callbacks:
	case <-time.After(10 * time.Second):
		t.Fatal("no callback")
	}
	if got.ID != r.ID || got.Status != "delivered" {
		t.Errorf("callback %+v", got)
	}
	if err := <-sigs; err != nil {
		t.Errorf("callback signature: %v", err)
	}
	code, st := e.api(t, srv, "GET", "/api/v1/messages/"+r.ID, e.apiKey, "")
	if code != 200 || st.Status != "delivered" || len(st.Stats) != 1 || st.Stats[0] != "DELIVRD" {
		t.Errorf("status: %d %+v", code, st)
	}

	code, r = e.api(t, srv, "POST", "/api/v1/messages", e.apiKey, `{"from":"ATLASMKT","to":"`+iamNumber+`","text":"Atlas Market: -50% !"}`)
	if code != http.StatusUnprocessableEntity || r.Error.Reason != string(bawwab.ReasonOptOutMentionMissing) || r.Error.Fix == "" {
		t.Errorf("refused: %d %+v", code, r)
	}
	code, r = e.api(t, srv, "POST", "/api/v1/messages", "nope", `{"from":"ATLASMKT","to":"`+iamNumber+`","text":"x"}`)
	if code != http.StatusUnauthorized {
		t.Errorf("bad key: %d %+v", code, r)
	}
	code, r = e.api(t, srv, "POST", "/api/v1/messages", e.apiKey, `{"from":`)
	if code != http.StatusBadRequest {
		t.Errorf("bad body: %d %+v", code, r)
	}
	code, _ = e.api(t, srv, "GET", "/api/v1/messages/nope", e.apiKey, "")
	if code != http.StatusNotFound {
		t.Errorf("unknown id: %d", code)
	}
	if n := len(e.decisions()); n != 2 {
		t.Errorf("%d decisions in the ledger, want 2", n)
	}
}

// TestSendSMS: Kannel's sendsms interface, with its dlr-url.
func TestSendSMS(t *testing.T) {
	e := newEnv(t, envOptions{callbackAllow: loopbackCallbacks})
	dlrs := make(chan url.Values, 10)
	sigs := make(chan error, 10)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sigs <- safehttp.VerifyRequest(testKeys, r, "http", nil, time.Now(), 0)
		dlrs <- r.URL.Query()
	}))
	defer dlr.Close()
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	get := func(q url.Values) (int, string) {
		resp, err := http.Get(srv.URL + "/cgi-bin/sendsms?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	q := url.Values{"username": {"atlas"}, "password": {password}, "from": {"ATLASMKT"}, "to": {iamNumber},
		"text": {"Atlas Market: -30% ! STOP au 5050"}, "dlr-mask": {"1"}, "dlr-url": {dlr.URL + "/dlr?type=%d&to=%p"}}
	code, text := get(q)
	if code != http.StatusAccepted || text != "0: Accepted for delivery" {
		t.Fatalf("accepted: %d %q", code, text)
	}
	var d url.Values
	select {
	case d = <-dlrs:
	case <-time.After(10 * time.Second):
		t.Fatal("no dlr-url call")
	}
	if d.Get("type") != "1" || d.Get("to") != iamNumber {
		t.Errorf("dlr %v", d)
	}
	if err := <-sigs; err != nil {
		t.Errorf("dlr-url signature: %v", err)
	}
	q.Set("text", longArabic)
	q.Set("coding", "2")
	q.Set("charset", "UTF-8")
	if code, text := get(q); code != http.StatusAccepted {
		t.Errorf("Arabic: %d %q", code, text)
	}
	// UTF-16BE bytes, as some integrations send Arabic.
	u := utf16.Encode([]rune("عرض خاص ! STOP au 5050"))
	raw := make([]byte, 2*len(u))
	for i, c := range u {
		raw[2*i], raw[2*i+1] = byte(c>>8), byte(c)
	}
	q.Set("text", string(raw))
	q.Set("charset", "UTF-16BE")
	q.Set("to", "212661234599")
	if code, text := get(q); code != http.StatusAccepted {
		t.Errorf("UTF-16BE: %d %q", code, text)
	}
	waitUntil(t, "the UTF-16BE text at the SMSC", func() bool { return e.reached("iam", "عرض خاص ! STOP au 5050") == 1 })
	q.Set("charset", "UTF-8")
	q.Set("text", "Atlas Market: -50% !")
	if code, text := get(q); code != http.StatusUnprocessableEntity || !strings.Contains(text, "optout-mention-missing") {
		t.Errorf("refused: %d %q", code, text)
	}
	q.Set("password", "wrong")
	if code, _ := get(q); code != http.StatusForbidden {
		t.Errorf("wrong password: %d", code)
	}
}

// TestHTTPRateLimit: past its key's rate, the API answers 429 naming
// rate-limited.
func TestHTTPRateLimit(t *testing.T) {
	e := newEnv(t, envOptions{rateLimit: 2})
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	var limited int
	for i := range 5 {
		code, r := e.api(t, srv, "POST", "/api/v1/messages", e.apiKey,
			`{"from":"ATLASOTP","to":"`+iamNumber+`","text":"Votre code est 98765`+string(rune('0'+i))+`"}`)
		switch {
		case code == http.StatusTooManyRequests && r.Error.Reason == string(bawwab.ReasonRateLimited):
			limited++
		case code != http.StatusAccepted:
			t.Errorf("%d: %d %+v", i, code, r)
		}
	}
	if limited < 2 {
		t.Errorf("%d of 5 limited at 2/s", limited)
	}
}
