package proxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestHTTPInput: the HTTP paths' limits, encodings and missing fields.
func TestHTTPInput(t *testing.T) {
	e := newEnv(t, envOptions{})
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	ok := "Atlas Market: -30% ! STOP au 5050"
	for _, tc := range []struct {
		name, body string
		code       int
		reason     string
		message    string
	}{
		{"30000 characters", `{"from":"ATLASMKT","to":"` + iamNumber + `","text":"` + strings.Repeat("a", 30000) + ` STOP au 5050"}`, 400, "text-too-long", "at most 10"},
		{"10 parts", `{"from":"ATLASMKT","to":"` + iamNumber + `","text":"` + strings.Repeat("a", 1500) + ` STOP au 5050"}`, 202, "", ""},
		{"invalid UTF-8", `{"from":"ATLASMKT","to":"` + iamNumber + `","text":"Caf` + "\xe9" + ` STOP au 5050"}`, 400, "invalid-encoding", ""},
		{"no to", `{"from":"ATLASMKT","text":"` + ok + `"}`, 400, "bad-request", "to is required"},
		{"no from", `{"to":"` + iamNumber + `","text":"` + ok + `"}`, 400, "bad-request", "from is required"},
		{"no text", `{"from":"ATLASMKT","to":"` + iamNumber + `"}`, 400, "bad-request", "text is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, r := e.api(t, srv, "POST", "/api/v1/messages", e.apiKey, tc.body)
			if code != tc.code || r.Error.Reason != tc.reason || !strings.Contains(r.Error.Message, tc.message) {
				t.Errorf("%d %+v, want %d %s %q", code, r.Error, tc.code, tc.reason, tc.message)
			}
		})
	}

	get := func(raw string) (int, string) {
		resp, err := http.Get(srv.URL + "/cgi-bin/sendsms?" + raw)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	base := "username=atlas&password=" + password + "&to=" + orangeNumber
	for _, tc := range []struct {
		name, query string
		code        int
		body        string
		reached     string // the text as the SMSC got it
	}{
		{"Latin-1 without charset", base + "&from=ATLASMKT&text=" + url.QueryEscape("Caf\xe9 d\xe9j\xe0 ouvert STOP au 5050"), 202, "0: Accepted", "Café déjà ouvert"},
		{"UTF-8 without charset", base + "&from=ATLASMKT&text=" + url.QueryEscape("Thé à la menthe STOP au 5050"), 202, "0: Accepted", "Thé à la menthe"},
		{"Latin-1 as UTF-8", base + "&from=ATLASMKT&charset=UTF-8&text=" + url.QueryEscape("Caf\xe9 STOP au 5050"), 400, "invalid-encoding", ""},
		{"no from", base + "&text=" + url.QueryEscape(ok), 400, "Missing sender", ""},
		{"too long", base + "&from=ATLASMKT&text=" + strings.Repeat("a", 30000), 400, "text-too-long", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(tc.query)
			if code != tc.code || !strings.Contains(body, tc.body) {
				t.Errorf("%d %q, want %d %q", code, body, tc.code, tc.body)
			}
			if tc.reached != "" && e.reached("orange", tc.reached) != 1 {
				t.Errorf("the SMSC did not get %q: %q", tc.reached, e.submitted["orange"])
			}
		})
	}
}

// TestCallbackURL: https, or http to the loopback address only.
func TestCallbackURL(t *testing.T) {
	e := newEnv(t, envOptions{})
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	for _, tc := range []struct {
		url  string
		code int
	}{
		{"https://hooks.atlasvas.ma/bawwab", 202},
		{"http://127.0.0.1:8080/cb", 202},
		{"http://localhost/cb", 202},
		{"http://[::1]:9/cb", 202},
		{"http://169.254.169.254/latest/meta-data", 400},
		{"http://10.0.0.5/admin", 400},
		{"http://hooks.atlasvas.ma/bawwab", 400},
		{"ftp://127.0.0.1/x", 400},
		{"https://user:pw@hooks.atlasvas.ma/", 400},
		{"/relative", 400},
	} {
		t.Run(tc.url, func(t *testing.T) {
			// Refused by the rules (no opt-out mention) when the URL is
			// good: nothing reaches an SMSC.
			code, r := e.api(t, srv, "POST", "/api/v1/messages", e.apiKey,
				`{"from":"ATLASMKT","to":"`+iamNumber+`","text":"Atlas Market","callback_url":"`+tc.url+`"}`)
			want := tc.code
			if want == 202 {
				want = http.StatusUnprocessableEntity
			}
			if code != want || (want == 400 && !strings.Contains(r.Error.Message, "callback_url")) {
				t.Errorf("%d %+v, want %d", code, r.Error, want)
			}
		})
	}
}
