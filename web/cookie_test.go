package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/web"
)

// The session cookie is Secure when configured (the wiring sets
// SecureCookies from listen.http_tls), and whenever the login came over
// TLS, configured or not.
func TestSessionCookieSecure(t *testing.T) {
	for _, tc := range []struct {
		name          string
		secureCookies bool
		tls           bool
		want          bool
	}{
		{"plain HTTP", false, false, false},
		{"configured", true, false, true},
		{"over TLS, not configured", false, true, true},
		{"over TLS, configured", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvWith(t, func(o *web.Options) { o.SecureCookies = tc.secureCookies })
			srv := httptest.NewUnstartedServer(e.web.Handler())
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			c := srv.Client()
			check := func(what string, resp *http.Response) {
				t.Helper()
				resp.Body.Close()
				n := 0
				for _, ck := range resp.Cookies() {
					if ck.Name == web.SessionCookie || ck.Name == web.LangCookie {
						n++
						if ck.Secure != tc.want || (ck.Name == web.SessionCookie && !ck.HttpOnly) {
							t.Errorf("%s: cookie %+v, want Secure=%v", what, ck, tc.want)
						}
					}
				}
				if n == 0 {
					t.Errorf("%s: no cookie set", what)
				}
			}
			resp, err := c.Post(srv.URL+"/api/v1/login", "application/json", strings.NewReader(`{"name":"inspector","password":"inspector"}`))
			if err != nil {
				t.Fatal(err)
			}
			check("API login", resp)
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err = c.PostForm(srv.URL+"/login", map[string][]string{"name": {"inspector"}, "password": {"inspector"}})
			if err != nil {
				t.Fatal(err)
			}
			check("page login", resp)
			resp, err = c.Get(srv.URL + "/lang/en")
			if err != nil {
				t.Fatal(err)
			}
			check("language", resp)
		})
	}
}
