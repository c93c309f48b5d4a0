package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/web"
)

// loginForm logs in through the login page.
func (e *env) loginForm(name, password string) (*client, int, string) {
	e.t.Helper()
	c := e.anonymous()
	resp, err := c.http.PostForm(e.srv.URL+"/login", url.Values{"name": {name}, "password": {password}, "next": {"/providers"}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusSeeOther {
		// Read the CSRF token from a page's form.
		_, b := c.get("/")
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(b)
		if m == nil {
			e.t.Fatalf("no CSRF token on the overview: %s", b)
		}
		c.csrf = m[1]
	}
	return c, resp.StatusCode, resp.Header.Get("Location")
}

func TestLoginPage(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	code, b := c.get("/providers")
	if code != http.StatusSeeOther || !strings.HasPrefix(b, "") {
		t.Fatalf("anonymous page: %d", code)
	}
	code, b = c.get("/login")
	if code != 200 || !strings.Contains(b, `name="password"`) {
		t.Fatalf("login page: %d %s", code, b)
	}
	_, code, _ = e.loginForm("inspector", "nope")
	if code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", code)
	}
	a, code, loc := e.loginForm("inspector", "inspector")
	if code != http.StatusSeeOther || loc != "/providers" {
		t.Fatalf("login: %d %q", code, loc)
	}
	// A form without the CSRF token is refused.
	tok := a.csrf
	a.csrf = "forged"
	if code, _ := a.form("/providers/atlasvas/measures", url.Values{"kind": {"warning"}, "reason": {"x"}}); code != 403 {
		t.Fatalf("forged form: %d", code)
	}
	a.csrf = tok
	if code, b := a.form("/logout", nil); code != http.StatusSeeOther || !strings.HasPrefix(b, "/login") {
		t.Fatalf("logout: %d %s", code, b)
	}
	if code, _ := a.get("/"); code != http.StatusSeeOther {
		t.Fatalf("after logout: %d", code)
	}
	// An open redirect is refused.
	c2 := e.anonymous()
	resp, err := c2.http.PostForm(e.srv.URL+"/login", url.Values{"name": {"inspector"}, "password": {"inspector"}, "next": {"//evil.example/"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("next=//evil: %q", resp.Header.Get("Location"))
	}
}

// TestPages renders every page for each role, in both languages.
func TestPages(t *testing.T) {
	e := newEnv(t)
	pages := map[string][]string{
		"inspector": {"/", "/providers", "/providers/atlasvas", "/registry", "/registry?kind=account", "/registry?kind=sender&offset=0", "/ledger",
			"/ledger?provider=atlasvas&outcome=reject", "/ledger?number=0612345678", "/complaints", "/complaints?status=open", "/complaints/" + strconv.FormatInt(e.caseID, 10),
			"/reports", "/reports?by=provider&from=2025-06-01&to=2025-06-10", "/portal?provider=rifdigital", "/users", "/account"},
		"atlasvas": {"/", "/providers/atlasvas", "/ledger", "/ledger?kind=decision", "/complaints", "/reports", "/portal", "/account"},
		"iam.noc":  {"/", "/providers", "/providers/atlasvas", "/ledger?outcome=reject", "/complaints", "/reports"},
	}
	for user, paths := range pages {
		c := e.login(user)
		for _, lang := range []string{"fr", "en"} {
			for _, p := range paths {
				req, _ := http.NewRequest("GET", e.srv.URL+p, nil)
				req.Header.Set("Accept-Language", lang)
				resp, err := c.http.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var sb strings.Builder
				buf := make([]byte, 32<<10)
				for {
					n, err := resp.Body.Read(buf)
					sb.Write(buf[:n])
					if err != nil {
						break
					}
				}
				resp.Body.Close()
				b := sb.String()
				if resp.StatusCode != 200 {
					t.Errorf("%s %s %s: %d %s", user, lang, p, resp.StatusCode, b)
					continue
				}
				if !strings.Contains(b, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s %s: not in %s", user, lang, p, lang)
				}
				if strings.Contains(b, "http://") || strings.Contains(b, "https://") || strings.Contains(b, "<script") {
					t.Errorf("%s %s: external resource or script", user, p)
				}
			}
		}
	}
	// The overview's charts have bars.
	a := e.login("inspector")
	_, b := a.get("/")
	for _, id := range []string{"chart-hourly", "chart-daily", "chart-reasons", "chart-trend", "top-violators"} {
		if !strings.Contains(b, `id="`+id+`"`) {
			t.Errorf("overview lacks %s", id)
		}
	}
	if n := strings.Count(b, `<rect class="s-accepted"`); n < 15 {
		t.Errorf("overview has %d accepted bars", n)
	}
	if !strings.Contains(b, "<polyline") {
		t.Error("overview has no trend line")
	}
	// Pages a role may not see.
	for _, tc := range []struct{ user, path string }{{"atlasvas", "/registry"}, {"iam.noc", "/registry"}, {"iam.noc", "/portal"}, {"atlasvas", "/users"}} {
		c := e.login(tc.user)
		if code, _ := c.get(tc.path); code != 403 {
			t.Errorf("%s %s: %d", tc.user, tc.path, code)
		}
	}
	if code, _ := a.get("/nothing-here"); code != 404 {
		t.Errorf("missing page: %d", code)
	}
	if code, b := a.get("/static/style.css"); code != 200 || !strings.Contains(b, "svg.chart") {
		t.Errorf("stylesheet: %d", code)
	}
}

func TestLanguage(t *testing.T) {
	e := newEnv(t)
	c := e.login("inspector")
	for _, tc := range []struct{ accept, want string }{
		{"", "Vue d&#39;ensemble"}, {"en-US,en;q=0.9", ">Overview<"}, {"ar-MA, fr;q=0.8, en;q=0.5", "Vue d&#39;ensemble"},
		{"de, en;q=0.9, fr;q=0.2", ">Overview<"},
	} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/", nil)
		req.Header.Set("Accept-Language", tc.accept)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		buf := make([]byte, 64<<10)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		if !strings.Contains(sb.String(), tc.want) {
			t.Errorf("Accept-Language %q: want %q", tc.accept, tc.want)
		}
	}
	// The switch wins over the header and sends back.
	code, b := c.get("/lang/en?back=/providers")
	if code != http.StatusSeeOther || !strings.HasPrefix(b, "") {
		t.Fatalf("switch: %d", code)
	}
	if _, b = c.get("/providers"); !strings.Contains(b, `<html lang="en">`) {
		t.Error("the switch did not take")
	}
	if code, _ := c.get("/lang/en?back=https://evil.example"); code != http.StatusSeeOther {
		t.Error("switch with a foreign back")
	}
}

// TestForms: the console's actions through their forms.
func TestForms(t *testing.T) {
	e := newEnv(t)
	a, _, _ := e.loginForm("inspector", "inspector")
	if code, loc := a.form("/providers/atlasvas/measures", url.Values{"kind": {"suspension"}, "reason": {"night-time promotions"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/providers/atlasvas?msg=") {
		t.Fatalf("suspend: %d %s", code, loc)
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Fatal("not suspended")
	}
	_, b := a.get("/providers/atlasvas?msg=Measure+taken.")
	if !strings.Contains(b, `id="provider-status">suspendu`) || !strings.Contains(b, "Mesure prise.") {
		t.Fatalf("provider page after the suspension: %s", b)
	}
	if code, b := a.form("/providers/atlasvas/measures", url.Values{"kind": {"suspension"}, "reason": {""}}); code != 400 || !strings.Contains(b, "reason") {
		t.Errorf("measure without a reason: %d", code)
	}
	m := regexp.MustCompile(`action="/measures/(\d+)/lift"`).FindStringSubmatch(b)
	if m == nil {
		t.Fatal("no lift form")
	}
	if code, _ := a.form("/measures/"+m[1]+"/lift", url.Values{"reason": {"lists cleaned"}}); code != http.StatusSeeOther {
		t.Fatalf("lift: %d", code)
	}
	if e.mon.Status("atlasvas").Suspended() {
		t.Fatal("still suspended")
	}
	id := strconv.FormatInt(e.caseID, 10)
	if code, _ := a.form("/complaints/"+id+"/decision", url.Values{"status": {"dismissed"}, "reason": {"a transactional message"}}); code != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", code)
	}
	if _, b := a.get("/complaints/" + id); !strings.Contains(b, `id="case-status">classé`) {
		t.Error("case not dismissed")
	}
	if code, _ := a.form("/registry/channel/3030/delete", nil); code != http.StatusSeeOther {
		t.Fatalf("delete a channel: %d", code)
	}
	if code, b := a.form("/registry/provider/atlasvas/delete", nil); code != 409 {
		t.Errorf("delete a provider still referenced: %d %s", code, b)
	}
	// A CSV import through the form.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", a.csrf)
	mw.WriteField("kind", "operator")
	fw, _ := mw.CreateFormFile("file", "operators.csv")
	fw.Write([]byte("id,name\nwana,Wana Corporate\n"))
	mw.Close()
	resp, err := a.http.Post(e.srv.URL+"/registry/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "kind=operator") {
		t.Fatalf("import form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, b := a.get("/registry?kind=operator"); !strings.Contains(b, "Wana Corporate") {
		t.Fatal("imported operator not listed")
	}
	// A record through the JSON form, an account through its form.
	if code, loc := a.form("/registry/put", url.Values{"kind": {"operator"}, "record": {`{"id":"bayn","name":"Bayn Telecom"}`}}); code != http.StatusSeeOther || !strings.Contains(loc, "kind=operator") {
		t.Fatalf("put form: %d %s", code, loc)
	}
	if code, _ := a.form("/registry/put", url.Values{"kind": {"operator"}, "record": {`{"id":"x","nom":"X"}`}}); code != 400 {
		t.Errorf("put an unknown field: %d", code)
	}
	if code, _ := a.form("/users", url.Values{"name": {"orange.noc"}, "password": {"long enough"}, "role": {"operator"}, "org": {"orange"}}); code != http.StatusSeeOther {
		t.Fatalf("user form: %d", code)
	}
	if u, err := e.users.FindUserByName(context.Background(), "orange.noc"); err != nil || u.OperatorID != "orange" {
		t.Fatalf("created user: %+v %v", u, err)
	}
	if code, _ := a.form("/users/orange.noc/disable", nil); code != http.StatusSeeOther {
		t.Fatalf("disable form: %d", code)
	}
	if _, b := a.get("/users"); !strings.Contains(b, "orange.noc") || !strings.Contains(b, "désactivé") {
		t.Errorf("users page: %s", b)
	}
	// A provider creates and revokes an API key.
	p, _, _ := e.loginForm("atlasvas", "atlasvas")
	code, b := p.form("/portal/keys", nil)
	km := regexp.MustCompile(`<pre>bwk_([a-z2-7]{12})_([A-Za-z0-9_-]+)</pre>`).FindStringSubmatch(b)
	if code != 200 || km == nil {
		t.Fatalf("create key: %d %s", code, b)
	}
	if code, _ := p.form("/portal/keys/"+km[1]+"/revoke", nil); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if _, b := p.get("/portal"); strings.Contains(b, km[1]) {
		t.Error("revoked key still listed")
	}
	// The opted-out numbers download.
	code, b = p.get("/portal/optouts.csv?since=0")
	if code != 200 || !strings.Contains(b, atlasNumber) {
		t.Errorf("optouts: %d %s", code, b)
	}
}

// TestLedgerPaging: a search with more results links to the next page,
// and browsing without criteria shows the latest entries.
func TestLedgerPaging(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	_, b := a.get("/ledger?kind=decision&limit=10")
	m := regexp.MustCompile(`href="(/ledger\?[^"]+)" id="next"`).FindStringSubmatch(b)
	if m == nil || !strings.Contains(m[1], "after=9") {
		t.Fatalf("no next link: %s", b)
	}
	_, b = a.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if !strings.Contains(b, "<td>10</td>") || strings.Contains(b, "<td>9</td>") {
		t.Fatalf("second page: %s", b)
	}
	var out struct{ Entries []struct{ Index int64 } }
	a.do("GET", "/api/v1/ledger?limit=5", nil, &out)
	if len(out.Entries) != 5 || out.Entries[0].Index != e.ledger.Len()-5 {
		t.Fatalf("browsing: %+v", out)
	}
}

// TestCrossOrigin: a browser's cross-site write is refused before any
// handler, unless its origin is trusted; the login limit counts the
// address ClientAddress gives.
func TestCrossOrigin(t *testing.T) {
	e := newEnv(t)
	post := func(h http.Handler, path string, hdr map[string]string) int {
		req := httptest.NewRequest("POST", path, strings.NewReader("name=inspector&password=inspector"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	h := e.web.Handler()
	if code := post(h, "/login", map[string]string{"Sec-Fetch-Site": "cross-site"}); code != 403 {
		t.Errorf("cross-site login: %d", code)
	}
	if code := post(h, "/login", map[string]string{"Sec-Fetch-Site": "same-origin"}); code != http.StatusSeeOther {
		t.Errorf("same-origin login: %d", code)
	}
	if code := post(h, "/api/v1/logout", map[string]string{"Origin": "https://evil.example"}); code != 403 {
		t.Errorf("cross-origin API write: %d", code)
	}
	var addrs []string
	srv, err := web.New(web.Options{Store: e.st, Users: e.users, TrustedOrigins: []string{"https://console.bawwab.ma"},
		ClientAddress: func(r *http.Request) string {
			addrs = append(addrs, r.Header.Get("X-Real-IP"))
			return r.Header.Get("X-Real-IP")
		}})
	if err != nil {
		t.Fatal(err)
	}
	if code := post(srv.Handler(), "/login", map[string]string{"Origin": "https://console.bawwab.ma", "X-Real-IP": "203.0.113.7"}); code != http.StatusSeeOther {
		t.Errorf("trusted origin: %d", code)
	}
	if len(addrs) != 1 || addrs[0] != "203.0.113.7" {
		t.Errorf("client addresses: %v", addrs)
	}
	if _, err := web.New(web.Options{Store: e.st, Users: e.users, TrustedOrigins: []string{"not a url"}}); err == nil {
		t.Error("a bad trusted origin")
	}
}
