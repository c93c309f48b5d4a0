package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// TestHTTPStatusAfterRestart: the status of messages submitted over HTTP
// survives a gateway restart: their receipts, which the SMSC sends after
// it, update the status GET shows (to its provider only), reach the
// callback_url once, and call the dlr-url once (with the receiver's
// number, %p) when a concatenated message's every part has its receipt.
func TestHTTPStatusAfterRestart(t *testing.T) {
	e := newEnv(t, envOptions{durable: true, dlrDelay: 300 * time.Millisecond, callbackAllow: loopbackCallbacks})
	callbacks := make(chan apiResult, 10)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var res apiResult
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &res)
		callbacks <- res
	}))
	defer cb.Close()
	dlrs := make(chan url.Values, 10)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { dlrs <- r.URL.Query() }))
	defer dlr.Close()

	srv := httptest.NewServer(e.gw.HTTPHandler())
	code, sent := e.api(t, srv, "POST", "/api/v1/messages", e.apiKey,
		`{"from":"ATLASMKT","to":"+`+iamNumber+`","text":"Atlas Market: -30% ! STOP au 5050","callback_url":"`+cb.URL+`"}`)
	if code != http.StatusAccepted || sent.Status != "accepted" {
		t.Fatalf("submit: %d %+v", code, sent)
	}
	if code, _ := e.api(t, srv, "GET", "/api/v1/messages/"+sent.ID, e.otherKey, ""); code != http.StatusNotFound {
		t.Errorf("another provider's GET: %d", code)
	}
	q := url.Values{"username": {"atlas"}, "password": {password}, "from": {"ATLASMKT"}, "to": {orangeNumber},
		"text": {longCompliant}, "dlr-mask": {"3"}, "dlr-url": {dlr.URL + "/dlr?type=%d&to=%p&id=%I"}}
	resp, err := http.Get(srv.URL + "/cgi-bin/sendsms?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("sendsms: %d", resp.StatusCode)
	}
	srv.Close()

	e.stop()
	time.Sleep(400 * time.Millisecond) // the receipts are due while the gateway is down
	e.start()
	srv = httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()

	select {
	case got := <-callbacks:
		if got.ID != sent.ID || got.Status != "delivered" || len(got.Stats) != 1 {
			t.Errorf("callback %+v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no callback after the restart")
	}
	var id string
	select {
	case d := <-dlrs:
		if d.Get("type") != "1" || d.Get("to") != orangeNumber {
			t.Errorf("dlr-url call %v", d)
		}
		id = d.Get("id")
	case <-time.After(10 * time.Second):
		t.Fatal("no dlr-url call after the restart")
	}
	code, st := e.api(t, srv, "GET", "/api/v1/messages/"+sent.ID, e.apiKey, "")
	if code != http.StatusOK || st.Status != "delivered" || len(st.Stats) != 1 || st.Stats[0] != "DELIVRD" || len(st.SMSCIDs) != 1 {
		t.Errorf("status after the restart: %d %+v", code, st)
	}
	// Another provider does not read it, in memory or in the store.
	if code, _ := e.api(t, srv, "GET", "/api/v1/messages/"+sent.ID, e.otherKey, ""); code != http.StatusNotFound {
		t.Errorf("another provider's GET after the restart: %d", code)
	}
	code, st = e.api(t, srv, "GET", "/api/v1/messages/"+id, e.apiKey, "")
	if code != http.StatusOK || st.Status != "delivered" || st.Parts < 2 || len(st.Stats) != st.Parts {
		t.Errorf("the concatenated message's status after the restart: %d %+v", code, st)
	}
	// Reported once each.
	time.Sleep(300 * time.Millisecond)
	if len(callbacks)+len(dlrs) != 0 {
		t.Errorf("%d callbacks and %d dlr-url calls more", len(callbacks), len(dlrs))
	}
}
