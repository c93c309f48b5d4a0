package proxy_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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

// TestCallbackURL: https, or http to the loopback address only; and a
// literal address must be public or in the allow-list.
func TestCallbackURL(t *testing.T) {
	def := newEnv(t, envOptions{})
	allowed := newEnv(t, envOptions{callbackAllow: []string{"127.0.0.0/8", "::1", "10.0.0.0/8"}})
	for _, tc := range []struct {
		url           string
		code, allowed int
	}{
		{"https://hooks.atlasvas.ma/bawwab", 202, 202},
		{"http://localhost/cb", 202, 202}, // a name: checked when called
		{"http://127.0.0.1:8080/cb", 400, 202},
		{"http://[::1]:9/cb", 400, 202},
		{"https://10.0.0.5/admin", 400, 202},
		{"http://169.254.169.254/latest/meta-data", 400, 400},
		{"https://169.254.169.254/latest/meta-data", 400, 400},
		{"https://[::ffff:192.168.1.1]/", 400, 400},
		{"http://10.0.0.5/admin", 400, 400}, // http only to loopback
		{"http://hooks.atlasvas.ma/bawwab", 400, 400},
		{"ftp://127.0.0.1/x", 400, 400},
		{"https://user:pw@hooks.atlasvas.ma/", 400, 400},
		{"/relative", 400, 400},
	} {
		t.Run(tc.url, func(t *testing.T) {
			for _, c := range []struct {
				e    *env
				code int
			}{{def, tc.code}, {allowed, tc.allowed}} {
				srv := httptest.NewServer(c.e.gw.HTTPHandler())
				// Refused by the rules (no opt-out mention) when the URL is
				// good: nothing reaches an SMSC.
				code, r := c.e.api(t, srv, "POST", "/api/v1/messages", c.e.apiKey,
					`{"from":"ATLASMKT","to":"`+iamNumber+`","text":"Atlas Market","callback_url":"`+tc.url+`"}`)
				srv.Close()
				want := c.code
				if want == 202 {
					want = http.StatusUnprocessableEntity
				}
				if code != want || (want == 400 && !strings.Contains(r.Error.Message, "callback_url")) {
					t.Errorf("allow %v: %d %+v, want %d", c.e.opts.CallbackAllow, code, r.Error, want)
				}
			}
		})
	}
	// The refusal of an address says how to allow it.
	srv := httptest.NewServer(def.gw.HTTPHandler())
	defer srv.Close()
	_, r := def.api(t, srv, "POST", "/api/v1/messages", def.apiKey,
		`{"from":"ATLASMKT","to":"`+iamNumber+`","text":"Atlas Market","callback_url":"https://10.0.0.5/x"}`)
	if want := `callback_url: callback address 10.0.0.5 is not public (private network (RFC 1918)); allow it with "10.0.0.5/32" in the gateway's callback allow-list ([callbacks] allow in bawwab.toml)`; r.Error.Message != want {
		t.Errorf("message %q\nwant    %q", r.Error.Message, want)
	}
}

// TestDLRURL: Kannel's dlr-url is checked on submission like callback_url,
// but http is allowed (as in Kannel); a bad one is refused 400 in Kannel's
// plain text, and nothing is sent. A name that resolves to a refused
// address is accepted, then not called.
func TestDLRURL(t *testing.T) {
	calls := make(chan string, 10)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls <- r.URL.String() }))
	defer dlr.Close()
	_, port, _ := net.SplitHostPort(dlr.Listener.Addr().String())
	e := newEnv(t, envOptions{callbackAllow: []string{"10.0.0.0/8"}})
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	for i, tc := range []struct {
		url  string
		code int
		body string
	}{
		{"http://hooks.atlasvas.ma/dlr?type=%d&to=%p&t=%T", 202, "0: Accepted"},
		{"https://hooks.atlasvas.ma/dlr?type=%d", 202, "0: Accepted"},
		{"http://10.0.0.5/dlr?type=%d", 202, "0: Accepted"},                       // allowed
		{"http://hooks.atlasvas.ma/dlr?q=%q&smsc=%i&r=%R%2F", 202, "0: Accepted"}, // Kannel's other escapes
		{"http://localhost:" + port + "/dlr?type=%d", 202, "0: Accepted"},
		{"http://127.0.0.1:" + port + "/dlr?type=%d", 400, "Invalid dlr-url: callback address 127.0.0.1 is not public (loopback)"},
		{"http://169.254.169.254/latest/meta-data?%d", 400, "is not public (link-local, cloud metadata"},
		{"http://[fd00::1]/dlr", 400, "is not public (unique local"},
		{"http://0.0.0.0:" + port + "/dlr", 400, "is not public (unspecified"},
		{"ftp://hooks.atlasvas.ma/dlr", 400, `Invalid dlr-url: scheme "ftp"`},
		{"/dlr?type=%d", 400, "Invalid dlr-url: not an absolute URL"},
		{"http://hooks.atlasvas.ma/" + strings.Repeat("a", 2000), 400, "longer than 2000"},
	} {
		t.Run(tc.url[:min(len(tc.url), 40)], func(t *testing.T) {
			text := fmt.Sprintf("Atlas Market %d STOP au 5050", i)
			// A recipient each, below its daily cap.
			to := fmt.Sprintf("%s%02d", orangeNumber[:len(orangeNumber)-2], i)
			q := url.Values{"username": {"atlas"}, "password": {password}, "from": {"ATLASMKT"}, "to": {to},
				"text": {text}, "dlr-mask": {"31"}, "dlr-url": {tc.url}}
			resp, err := http.Get(srv.URL + "/cgi-bin/sendsms?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.body) {
				t.Errorf("%d %q, want %d %q", resp.StatusCode, b, tc.code, tc.body)
			}
			if tc.code == 400 {
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
					t.Errorf("Content-Type %q", ct)
				}
				time.Sleep(50 * time.Millisecond)
				if n := e.reached("orange", text); n != 0 {
					t.Errorf("refused, yet the SMSC got it %d times", n)
				}
			} else {
				waitUntil(t, "the text at the SMSC", func() bool { return e.reached("orange", text) == 1 })
			}
		})
	}
	// localhost's receipts (ACK at once, then delivered) were refused at
	// connect time: the receiver on 127.0.0.1 got nothing.
	time.Sleep(500 * time.Millisecond)
	select {
	case u := <-calls:
		t.Errorf("the loopback receiver was called: %s", u)
	default:
	}
}
