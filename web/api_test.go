package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/web"
	"github.com/bawwab/bawwab/web/subscriber"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	// Not logged in: 401 with a JSON error.
	code, b := c.raw("GET", "/api/v1/me", nil)
	if code != http.StatusUnauthorized || errorCode(b) != "unauthorized" {
		t.Fatalf("me without a session: %d %s", code, b)
	}
	if code, b := c.raw("POST", "/api/v1/login", map[string]string{"name": "inspector", "password": "wrong"}); code != 401 || errorCode(b) != "unauthorized" {
		t.Fatalf("wrong password: %d %s", code, b)
	}
	if code, b := c.raw("POST", "/api/v1/login", map[string]string{"name": "nobody", "password": "x"}); code != 401 || !strings.Contains(string(b), "wrong name or password") {
		t.Fatalf("unknown name: %d %s", code, b)
	}
	if code, b := c.raw("POST", "/api/v1/login", `{"name": "inspector", "pass": "x"}`); code != 400 || errorCode(b) != "invalid" {
		t.Fatalf("bad body: %d %s", code, b)
	}
	a := e.login("inspector")
	var me struct {
		User struct {
			Name string `json:"name"`
			Role string `json:"role"`
		} `json:"user"`
		CSRFToken string `json:"csrf_token"`
	}
	if code := a.do("GET", "/api/v1/me", nil, &me); code != 200 || me.User.Name != "inspector" || me.User.Role != "regulator" || me.CSRFToken != a.csrf {
		t.Fatalf("me: %d %+v", code, me)
	}
	// No hash ever leaves the server.
	if _, b := a.raw("GET", "/api/v1/users", nil); strings.Contains(string(b), "argon2") || !strings.Contains(string(b), "atlasvas") {
		t.Fatalf("users: %s", b)
	}
	// A write without the CSRF token is refused.
	tok := a.csrf
	a.csrf = ""
	if code, b := a.raw("POST", "/api/v1/logout", nil); code != 403 || !strings.Contains(string(b), "CSRF") {
		t.Fatalf("logout without CSRF: %d %s", code, b)
	}
	a.csrf = "wrong"
	if code, _ := a.raw("POST", "/api/v1/logout", nil); code != 403 {
		t.Fatalf("logout with a wrong CSRF token: %d", code)
	}
	a.csrf = tok
	if code := a.do("POST", "/api/v1/logout", nil, nil); code != 200 {
		t.Fatalf("logout: %d", code)
	}
	if code, _ := a.raw("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("me after logout: %d", code)
	}
	// A cross-site login is refused.
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/login", strings.NewReader(`{"name":"inspector","password":"inspector"}`))
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site login: %d", resp.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	for i := 0; i < 5; i++ {
		if code, _ := c.raw("POST", "/api/v1/login", map[string]string{"name": "inspector", "password": "guess" + strconv.Itoa(i)}); code != 401 {
			t.Fatalf("attempt %d: %d", i, code)
		}
	}
	// The right password is refused too while the name is blocked.
	code, b := c.raw("POST", "/api/v1/login", map[string]string{"name": "inspector", "password": "inspector"})
	if code != http.StatusTooManyRequests || errorCode(b) != "rate_limited" {
		t.Fatalf("6th attempt: %d %s", code, b)
	}
	// Another account is not blocked by the name limit.
	e.login("atlasvas")
	// The window passes.
	e.clock.mu.Lock()
	e.clock.t = e.clock.t.Add(16 * 60e9)
	e.clock.mu.Unlock()
	e.login("inspector")
}

func TestDisabledUser(t *testing.T) {
	e := newEnv(t)
	rif := e.login("rif.ops")
	a := e.login("inspector")
	if code := a.do("POST", "/api/v1/users/rif.ops/disable", nil, nil); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if code, _ := rif.raw("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("a disabled user's session still works: %d", code)
	}
	c := e.anonymous()
	if code, _ := c.raw("POST", "/api/v1/login", map[string]string{"name": "rif.ops", "password": "rif-password"}); code != 401 {
		t.Fatalf("a disabled user logs in: %d", code)
	}
	// The change is in the ledger.
	var out struct {
		Entries []struct {
			Actor, Subject, Action string
		} `json:"entries"`
	}
	a.do("GET", "/api/v1/ledger?kind=registry-change", nil, &out)
	if len(out.Entries) == 0 || out.Entries[len(out.Entries)-1].Subject != "user:rif.ops" || out.Entries[len(out.Entries)-1].Actor != "regulator:inspector" {
		t.Fatalf("ledger: %+v", out)
	}
}

func TestRoles(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		user, method, path string
		body               any
		want               int
	}{
		{"atlasvas", "POST", "/api/v1/providers/atlasvas/measures", map[string]string{"kind": "warning", "reason": "x"}, 403},
		{"iam.noc", "POST", "/api/v1/providers/atlasvas/measures", map[string]string{"kind": "warning", "reason": "x"}, 403},
		{"atlasvas", "GET", "/api/v1/users", nil, 403},
		{"atlasvas", "POST", "/api/v1/complaints/1/decision", map[string]string{"status": "dismissed", "reason": "x"}, 403},
		{"iam.noc", "GET", "/api/v1/optouts", nil, 403},
		{"iam.noc", "GET", "/api/v1/keys", nil, 403},
		{"atlasvas", "PUT", "/api/v1/registry/operator/xx", map[string]string{"id": "xx", "name": "X"}, 403},
		{"atlasvas", "DELETE", "/api/v1/registry/provider/rifdigital", nil, 403},
		{"atlasvas", "GET", "/api/v1/ledger?number=%2B212612345678", nil, 403},
	} {
		c := e.login(tc.user)
		if code, b := c.raw(tc.method, tc.path, tc.body); code != tc.want {
			t.Errorf("%s %s %s: %d %s, want %d", tc.user, tc.method, tc.path, code, b, tc.want)
		}
	}
}

func TestOverviewAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	var o struct {
		Hourly  []struct{ Submitted, Rejected int64 }
		Daily   []struct{ Submitted, Rejected int64 }
		Reasons []struct {
			Reason   string
			Rejected int64
		}
		TopViolators []struct {
			ProviderID string `json:"provider_id"`
			Violations int64
		} `json:"top_violators"`
	}
	if code := a.do("GET", "/api/v1/overview", nil, &o); code != 200 {
		t.Fatalf("overview: %d", code)
	}
	var sub, rej int64
	for _, v := range o.Daily {
		sub += v.Submitted
		rej += v.Rejected
	}
	if sub != 75 || rej != 15 {
		t.Errorf("daily: %d submitted, %d rejected; want 75, 15", sub, rej)
	}
	if len(o.TopViolators) != 2 || o.TopViolators[0].ProviderID != "rifdigital" || o.TopViolators[0].Violations != 10 {
		t.Errorf("top violators: %+v", o.TopViolators)
	}
	if len(o.Reasons) != 3 {
		t.Errorf("reasons: %+v", o.Reasons)
	}
	// A provider's overview is its own.
	p := e.login("atlasvas")
	p.do("GET", "/api/v1/overview", nil, &o)
	sub = 0
	for _, v := range o.Daily {
		sub += v.Submitted
	}
	if sub != 35 || len(o.TopViolators) != 1 || o.TopViolators[0].ProviderID != "atlasvas" {
		t.Errorf("provider's overview: %d submitted, %+v", sub, o.TopViolators)
	}
}

func TestProvidersAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	var ps struct {
		Items []struct {
			ID         string  `json:"id"`
			Status     string  `json:"status"`
			Submitted  int64   `json:"submitted"`
			Violations int64   `json:"violations"`
			Rate       float64 `json:"violation_rate"`
		}
		Total int
	}
	if code := a.do("GET", "/api/v1/providers", nil, &ps); code != 200 || ps.Total != 2 {
		t.Fatalf("providers: %d %+v", code, ps)
	}
	if ps.Items[1].ID != "rifdigital" || ps.Items[1].Submitted != 40 || ps.Items[1].Violations != 10 || ps.Items[1].Rate != 25 {
		t.Errorf("rifdigital figures: %+v", ps.Items[1])
	}
	if code, b := a.raw("GET", "/api/v1/providers?status=bogus", nil); code != 400 || errorCode(b) != "invalid" {
		t.Errorf("bad status: %d %s", code, b)
	}
	// An operator sees the providers on its network.
	o := e.login("iam.noc")
	o.do("GET", "/api/v1/providers", nil, &ps)
	if ps.Total != 1 || ps.Items[0].ID != "atlasvas" {
		t.Errorf("operator's providers: %+v", ps)
	}
	if code, _ := o.raw("GET", "/api/v1/providers/rifdigital", nil); code != 404 {
		t.Errorf("operator reads another network's provider: %d", code)
	}
	var d struct {
		Provider     struct{ ID string }
		Contracts    []struct{ ID string }
		SenderIDs    []struct{ Value string } `json:"sender_ids"`
		Channels     []struct{ Code string }
		Accounts     []map[string]any
		Complaints   []struct{ ID int64 }
		ViolationsBy []struct {
			Reason string
			N      int64
		} `json:"violations_by_reason"`
	}
	if code := a.do("GET", "/api/v1/providers/rifdigital", nil, &d); code != 200 {
		t.Fatalf("provider: %d", code)
	}
	if d.Provider.ID != "rifdigital" || len(d.Contracts) != 1 || len(d.SenderIDs) != 1 || len(d.Channels) != 1 || len(d.Accounts) != 1 || len(d.Complaints) != 1 || len(d.ViolationsBy) != 2 {
		t.Errorf("provider detail: %+v", d)
	}
	if _, ok := d.Accounts[0]["secret_hash"]; ok {
		t.Error("an account's hash is shown")
	}
	if code, _ := a.raw("GET", "/api/v1/providers/nope", nil); code != 404 {
		t.Errorf("missing provider: %d", code)
	}
}

func TestMeasuresAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"kind": "ban", "reason": "x"}, "kind"},
		{map[string]any{"kind": "suspension", "reason": " "}, "reason"},
	} {
		code, b := a.raw("POST", "/api/v1/providers/atlasvas/measures", tc.body)
		var er struct{ Error struct{ Code, Field string } }
		_ = json.Unmarshal(b, &er)
		if code != 400 || er.Error.Field != tc.field {
			t.Errorf("%v: %d %s", tc.body, code, b)
		}
	}
	if code, _ := a.raw("POST", "/api/v1/providers/nope/measures", map[string]any{"kind": "warning", "reason": "x"}); code != 404 {
		t.Errorf("measure against nobody: %d", code)
	}
	var m struct {
		ID          int64
		Kind        string
		LedgerIndex int64 `json:"ledger_index"`
	}
	if code := a.do("POST", "/api/v1/providers/atlasvas/measures", map[string]any{"kind": "suspension", "reason": "unsolicited night-time SMS"}, &m); code != 201 || m.Kind != "suspension" || m.LedgerIndex < 0 {
		t.Fatalf("suspend: %d %+v", code, m)
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Fatal("the monitor does not apply the suspension")
	}
	var ps struct {
		Items []struct{ ID, Status string }
	}
	a.do("GET", "/api/v1/providers", nil, &ps)
	if ps.Items[0].Status != "suspended" {
		t.Errorf("status after the suspension: %+v", ps.Items)
	}
	var ms struct {
		Items []struct{ ID int64 }
		Total int
	}
	if a.do("GET", "/api/v1/measures?active=true", nil, &ms); ms.Total != 1 {
		t.Errorf("active measures: %+v", ms)
	}
	// The provider sees its measure and its notification; the other
	// provider sees neither.
	p := e.login("atlasvas")
	if p.do("GET", "/api/v1/measures", nil, &ms); ms.Total != 1 {
		t.Errorf("provider's measures: %+v", ms)
	}
	var ns struct{ Total int }
	if p.do("GET", "/api/v1/notifications", nil, &ns); ns.Total != 1 {
		t.Errorf("provider's notifications: %+v", ns)
	}
	r := e.login("rif.ops")
	if r.do("GET", "/api/v1/measures", nil, &ms); ms.Total != 0 {
		t.Errorf("another provider's measures: %+v", ms)
	}
	if code, _ := a.raw("POST", "/api/v1/measures/"+strconv.FormatInt(m.ID, 10)+"/lift", map[string]string{"reason": ""}); code != 400 {
		t.Errorf("lift without a reason: %d", code)
	}
	if code := a.do("POST", "/api/v1/measures/"+strconv.FormatInt(m.ID, 10)+"/lift", map[string]string{"reason": "the provider cleaned its lists"}, nil); code != 200 {
		t.Fatalf("lift: %d", code)
	}
	if e.mon.Status("atlasvas").Suspended() {
		t.Fatal("still suspended after the lift")
	}
	if code, b := a.raw("POST", "/api/v1/measures/"+strconv.FormatInt(m.ID, 10)+"/lift", map[string]string{"reason": "again"}); code != 409 || errorCode(b) != "conflict" {
		t.Errorf("lift twice: %d %s", code, b)
	}
	if code, _ := a.raw("POST", "/api/v1/measures/999/lift", map[string]string{"reason": "x"}); code != 404 {
		t.Errorf("lift a missing measure: %d", code)
	}
}

func TestRegistryAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	var kinds []struct {
		Kind  string
		Total int
	}
	if a.do("GET", "/api/v1/registry", nil, &kinds); len(kinds) != 8 || kinds[1].Kind != "provider" || kinds[1].Total != 2 {
		t.Fatalf("kinds: %+v", kinds)
	}
	var accs struct {
		Items []map[string]any
		Total int
	}
	if a.do("GET", "/api/v1/registry/account", nil, &accs); accs.Total != 2 {
		t.Fatalf("accounts: %+v", accs)
	}
	for _, x := range accs.Items {
		if _, ok := x["secret_hash"]; ok {
			t.Fatal("an account's hash is listed")
		}
	}
	if code, b := a.raw("GET", "/api/v1/registry/bogus", nil); code != 404 || errorCode(b) != "not_found" {
		t.Errorf("bogus kind: %d %s", code, b)
	}
	op := map[string]string{"id": "wana", "name": "Wana Corporate"}
	if code, b := a.raw("PUT", "/api/v1/registry/operator/wana", op); code != 200 {
		t.Fatalf("put: %d %s", code, b)
	}
	var got map[string]any
	if a.do("GET", "/api/v1/registry/operator/wana", nil, &got); got["name"] != "Wana Corporate" {
		t.Errorf("get: %+v", got)
	}
	if code, b := a.raw("PUT", "/api/v1/registry/operator/other", op); code != 400 {
		t.Errorf("put with the wrong key: %d %s", code, b)
	}
	if code, b := a.raw("PUT", "/api/v1/registry/operator/x", map[string]string{"id": "x", "name": " bad"}); code != 400 || !strings.Contains(string(b), `"field": "name"`) {
		t.Errorf("put an invalid record: %d %s", code, b)
	}
	if code, b := a.raw("DELETE", "/api/v1/registry/operator/iam", nil); code != 409 {
		t.Errorf("delete a referenced operator: %d %s", code, b)
	}
	if code := a.do("DELETE", "/api/v1/registry/operator/wana", nil, nil); code != 200 {
		t.Errorf("delete: %d", code)
	}
	if code, _ := a.raw("GET", "/api/v1/registry/operator/wana", nil); code != 404 {
		t.Errorf("get deleted: %d", code)
	}
	var out struct {
		Entries []struct{ Action, Subject, Actor string }
	}
	a.do("GET", "/api/v1/ledger?kind=registry-change", nil, &out)
	if len(out.Entries) != 2 || out.Entries[0].Subject != "operator:wana" || out.Entries[1].Action != "delete" || out.Entries[1].Actor != "regulator:inspector" {
		t.Errorf("registry changes in the ledger: %+v", out)
	}
}

func TestLedgerAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	type res struct {
		Entries []struct {
			Index      int64
			Kind       string
			ProviderID string `json:"provider_id"`
			Reason     string
			Recipient  string
			Fix        string
		}
		More bool
	}
	var out res
	if code := a.do("GET", "/api/v1/ledger?provider=rifdigital&outcome=reject", nil, &out); code != 200 || len(out.Entries) != 10 {
		t.Fatalf("rifdigital's refusals: %d %d", code, len(out.Entries))
	}
	if out.Entries[0].Fix == "" || !strings.HasPrefix(out.Entries[0].Recipient, "p:") {
		t.Errorf("entry: %+v", out.Entries[0])
	}
	if a.do("GET", "/api/v1/ledger?reason=quiet-hours&limit=2", nil, &out); len(out.Entries) != 2 || !out.More {
		t.Errorf("limit: %+v", out)
	}
	// By number: the pseudonyms of the number under every key.
	if a.do("GET", "/api/v1/ledger?number=0612345678", nil, &out); len(out.Entries) != 36 {
		t.Errorf("by number: %d entries, want 36", len(out.Entries))
	}
	for _, en := range out.Entries {
		if en.ProviderID != "atlasvas" {
			t.Fatalf("by number: %+v", en)
		}
	}
	if code, b := a.raw("GET", "/api/v1/ledger?number=abc", nil); code != 400 {
		t.Errorf("bad number: %d %s", code, b)
	}
	if code, _ := a.raw("GET", "/api/v1/ledger?from=yesterday", nil); code != 400 {
		t.Errorf("bad date: %d", code)
	}
	if a.do("GET", "/api/v1/ledger?from=2025-06-10&kind=decision", nil, &out); len(out.Entries) == 0 || len(out.Entries) >= 75 {
		t.Errorf("from today: %d", len(out.Entries))
	}
	var one struct {
		Index int64
		Text  string
	}
	if code := a.do("GET", "/api/v1/ledger/0", nil, &one); code != 200 || one.Text == "" {
		t.Errorf("entry 0: %d %+v", code, one)
	}
	if code, _ := a.raw("GET", "/api/v1/ledger/99999", nil); code != 404 {
		t.Errorf("entry past the end: %d", code)
	}
	var st struct {
		Verified    bool
		Entries     int64
		Checkpoint  string
		CheckpointN int64 `json:"checkpoint_n"`
	}
	if code := a.do("GET", "/api/v1/ledger/status", nil, &st); code != 200 || !st.Verified || st.Entries == 0 || !strings.Contains(st.Checkpoint, "node1") || st.CheckpointN != st.Entries {
		t.Errorf("status: %d %+v", code, st)
	}
}

func TestComplaintsAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	var cs struct {
		Items []struct {
			ID     int64
			Status string
		}
		Total int
	}
	if a.do("GET", "/api/v1/complaints?status=open", nil, &cs); cs.Total != 2 {
		t.Fatalf("open cases: %+v", cs)
	}
	if code, _ := a.raw("GET", "/api/v1/complaints?status=weird", nil); code != 400 {
		t.Errorf("bad status: %d", code)
	}
	id := strconv.FormatInt(e.caseID, 10)
	if code, _ := a.raw("POST", "/api/v1/complaints/"+id+"/decision", map[string]string{"status": "open", "reason": "x"}); code != 400 {
		t.Errorf("decide open: %d", code)
	}
	// The operator of the case's network decides it.
	o := e.login("iam.noc")
	if code, _ := o.raw("GET", "/api/v1/complaints/"+strconv.FormatInt(e.rifCase, 10), nil); code != 404 {
		t.Errorf("operator reads another network's case: %d", code)
	}
	var c struct {
		Status string
		Events []struct{ Action string }
	}
	if code := o.do("POST", "/api/v1/complaints/"+id+"/decision", map[string]string{"status": "confirmed", "reason": "the subscriber had opted out"}, &c); code != 200 || c.Status != "confirmed" || len(c.Events) != 2 {
		t.Fatalf("confirm: %d %+v", code, c)
	}
	if code, b := a.raw("POST", "/api/v1/complaints/"+id+"/decision", map[string]string{"status": "dismissed", "reason": "x"}); code != 409 {
		t.Errorf("decide twice: %d %s", code, b)
	}
	if code := a.do("GET", "/api/v1/complaints/"+id, nil, &c); code != 200 || c.Status != "confirmed" {
		t.Errorf("case: %d %+v", code, c)
	}
}

func TestReportsAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	var rows []struct {
		Day        string
		ProviderID string `json:"provider_id"`
		Submitted  int64
	}
	if code := a.do("GET", "/api/v1/reports?from=2025-06-01&to=2025-06-10&by=provider", nil, &rows); code != 200 || len(rows) != 2 || rows[0].Submitted != 35 {
		t.Fatalf("report: %d %+v", code, rows)
	}
	code, b := a.raw("GET", "/api/v1/reports?from=2025-06-01&to=2025-06-10&format=csv", nil)
	if code != 200 || !strings.HasPrefix(string(b), "day,provider,operator,submitted") || strings.Count(string(b), "\n") < 5 {
		t.Fatalf("csv: %d %s", code, b)
	}
	if code, _ := a.raw("GET", "/api/v1/reports?from=2025-06-10&to=2025-06-01", nil); code != 400 {
		t.Errorf("inverted period: %d", code)
	}
	if code, _ := a.raw("GET", "/api/v1/reports?by=week", nil); code != 400 {
		t.Errorf("bad by: %d", code)
	}
	p := e.login("rif.ops")
	p.do("GET", "/api/v1/reports?from=2025-06-01&to=2025-06-10&by=provider", nil, &rows)
	if len(rows) != 1 || rows[0].ProviderID != "rifdigital" {
		t.Errorf("provider's report: %+v", rows)
	}
}

func TestPortalAPI(t *testing.T) {
	e := newEnv(t)
	p := e.login("rif.ops")
	var rs struct {
		Items []struct {
			Reason string
			Fix    string
			Text   string
		}
	}
	if code := p.do("GET", "/api/v1/refusals?limit=3", nil, &rs); code != 200 || len(rs.Items) != 3 || rs.Items[0].Fix == "" {
		t.Fatalf("refusals: %d %+v", code, rs)
	}
	// Opted-out numbers: all in force, then the delta.
	code, b := p.raw("GET", "/api/v1/optouts?since=0", nil)
	if code != 200 || !strings.Contains(string(b), rifNumber) || strings.Contains(string(b), atlasNumber) {
		t.Fatalf("optouts: %d %s", code, b)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last := strings.Split(lines[len(lines)-1], ",")
	code, b = p.raw("GET", "/api/v1/optouts?since="+last[4], nil)
	if code != 200 || strings.TrimSpace(string(b)) != "msisdn,scope,action,at,seq" {
		t.Fatalf("empty delta: %d %s", code, b)
	}
	// API keys: create (shown once), list (never the key), revoke.
	var k struct {
		ID  string
		Key string
	}
	if code := p.do("POST", "/api/v1/keys", map[string]any{}, &k); code != 201 || !strings.HasPrefix(k.Key, "bwk_"+k.ID+"_") {
		t.Fatalf("create key: %d %+v", code, k)
	}
	var ks struct {
		Items []map[string]any
		Total int
	}
	p.do("GET", "/api/v1/keys", nil, &ks)
	if ks.Total != 2 {
		t.Fatalf("keys: %+v", ks)
	}
	_, b = p.raw("GET", "/api/v1/keys", nil)
	if strings.Contains(string(b), k.Key) || strings.Contains(string(b), "argon2") {
		t.Fatal("a key or its hash is listed")
	}
	a := e.login("inspector")
	var acc map[string]any
	a.do("GET", "/api/v1/registry/account/"+k.ID, nil, &acc)
	if acc["provider_id"] != "rifdigital" || acc["kind"] != "api" {
		t.Fatalf("the key's account: %+v", acc)
	}
	if code := p.do("DELETE", "/api/v1/keys/"+k.ID, nil, nil); code != 200 {
		t.Fatalf("revoke: %d", code)
	}
	if code, _ := p.raw("DELETE", "/api/v1/keys/atlas01", nil); code != 404 {
		t.Errorf("revoke another provider's account: %d", code)
	}
	// A regulator reads a provider's refusals and keys by naming it.
	if code, _ := a.raw("GET", "/api/v1/refusals", nil); code != 400 {
		t.Errorf("refusals without a provider: %d", code)
	}
	if code := a.do("GET", "/api/v1/keys?provider=rifdigital", nil, &ks); code != 200 || ks.Total != 1 {
		t.Errorf("regulator lists keys: %d %+v", code, ks)
	}
}

func TestReasonsAPI(t *testing.T) {
	e := newEnv(t)
	p := e.login("atlasvas")
	var rs []struct {
		Code, Rule, Fix string
		SMPPStatus      string `json:"smpp_status"`
	}
	if code := p.do("GET", "/api/v1/reasons", nil, &rs); code != 200 || len(rs) != len(bawwab.Reasons()) || rs[0].SMPPStatus != "0x00000400" {
		t.Fatalf("reasons: %d %+v", code, rs)
	}
}

func TestUnknownAPIRoute(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	code, b := a.raw("GET", "/api/v1/nothing", nil)
	if code != 404 || errorCode(b) != "not_found" {
		t.Fatalf("%d %s", code, b)
	}
}

// TestOpenAPI: every registered API route is in the document, with its
// method.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if code := c.do("GET", "/api/v1/openapi.json", nil, &doc); code != 200 || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi: %d", code)
	}
	routes := e.web.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes", len(routes))
	}
	n := 0
	for _, ops := range doc.Paths {
		n += len(ops)
	}
	if n != len(routes) {
		t.Errorf("the document has %d operations, the server %d routes", n, len(routes))
	}
	for _, rt := range routes {
		op := doc.Paths[rt[1]][strings.ToLower(rt[0])]
		if op == nil {
			t.Errorf("%s %s is not in openapi.json", rt[0], rt[1])
			continue
		}
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s %s has no summary", rt[0], rt[1])
		}
	}
	// And each route answers something other than the catch-all 404.
	a := e.login("inspector")
	for _, rt := range routes {
		if rt[0] != "GET" || strings.Contains(rt[1], "{") {
			continue
		}
		code, b := a.raw("GET", rt[1], nil)
		if code == 404 && strings.Contains(string(b), "no API route") {
			t.Errorf("GET %s is documented but not served", rt[1])
		}
	}
	_ = slices.Contains[[]string]
}

func TestRegistryCSV(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	code, b := a.raw("GET", "/api/v1/registry/sender?format=csv", nil)
	if code != 200 || !strings.HasPrefix(string(b), "value,provider_id,advertiser_id,category\n") || !strings.Contains(string(b), "ATLASMKT,atlasvas,atlas-market,commercial") {
		t.Fatalf("export: %d %s", code, b)
	}
	csv := "id,name\nwana,Wana Corporate\nbayn,Bayn\n"
	var res struct{ Records, Changes int64 }
	if code := a.do("POST", "/api/v1/registry/operator/import", csv, &res); code != 200 || res.Records != 2 || res.Changes != 2 {
		t.Fatalf("import: %d %+v", code, res)
	}
	// Again: nothing changes, and nothing is recorded.
	if a.do("POST", "/api/v1/registry/operator/import", csv, &res); res.Changes != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	code, b = a.raw("POST", "/api/v1/registry/operator/import", "id,name\nok,Fine\nBAD KEY,Bad\n")
	if code != 400 || !strings.Contains(string(b), "line 3, column id") {
		t.Fatalf("bad file: %d %s", code, b)
	}
	if code, _ := a.raw("GET", "/api/v1/registry/operator/ok", nil); code != 404 {
		t.Fatal("a rejected file imported a record")
	}
	var out struct {
		Entries []struct{ Action, Subject, Detail string }
	}
	a.do("GET", "/api/v1/ledger?kind=registry-change", nil, &out)
	if len(out.Entries) != 1 || out.Entries[0].Subject != "registry:operators" || !strings.Contains(out.Entries[0].Detail, "2 changes") {
		t.Fatalf("ledger: %+v", out)
	}
	if code, _ := a.raw("GET", "/api/v1/registry/operator?format=xml", nil); code != 400 {
		t.Errorf("bad format: %d", code)
	}
}

// TestOpenAPIMerged: the subscriber API's document merges into the
// console's; a path documented twice is refused at start.
func TestOpenAPIMerged(t *testing.T) {
	e := newEnv(t)
	srv, err := web.New(web.Options{Store: e.st, Users: e.users, OpenAPI: [][]byte{subscriber.OpenAPI}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Paths["/api/v1/subscriber/code"]["post"] == nil || doc.Paths["/api/v1/overview"]["get"] == nil || doc.Components.Schemas["Error"] == nil || len(doc.Components.Schemas) < 3 {
		t.Fatalf("merged document: %d paths, schemas %v", len(doc.Paths), doc.Components.Schemas)
	}
	dup := []byte(`{"paths": {"/api/v1/overview": {"get": {"summary": "again"}}}}`)
	if _, err := web.New(web.Options{Store: e.st, Users: e.users, OpenAPI: [][]byte{dup}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a path documented twice: %v", err)
	}
	if _, err := web.New(web.Options{Store: e.st, Users: e.users, OpenAPI: [][]byte{[]byte("{")}}); err == nil {
		t.Fatal("a broken document")
	}
}

func TestCreateUserAPI(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	for _, tc := range []struct {
		body  map[string]string
		code  int
		field string
	}{
		{map[string]string{"name": "orange.noc", "password": "short", "role": "operator", "operator_id": "orange"}, 400, "password"},
		{map[string]string{"name": "orange.noc", "password": "long enough", "role": "emperor"}, 400, "role"},
		{map[string]string{"name": "orange.noc", "password": "long enough", "role": "operator", "operator_id": "nowhere"}, 400, "operator_id"},
		{map[string]string{"name": "inspector", "password": "long enough", "role": "regulator"}, 409, ""},
		{map[string]string{"name": "orange.noc", "password": "long enough", "role": "operator", "operator_id": "orange"}, 201, ""},
	} {
		code, b := a.raw("POST", "/api/v1/users", tc.body)
		if code != tc.code || (tc.field != "" && !strings.Contains(string(b), `"field": "`+tc.field+`"`)) {
			t.Errorf("%v: %d %s", tc.body, code, b)
		}
	}
	c := e.anonymous()
	var out struct {
		User struct {
			Role       string
			OperatorID string `json:"operator_id"`
		} `json:"user"`
	}
	if code := c.do("POST", "/api/v1/login", map[string]string{"name": "orange.noc", "password": "long enough"}, &out); code != 200 || out.User.Role != "operator" || out.User.OperatorID != "orange" {
		t.Fatalf("the new user logs in: %d %+v", code, out)
	}
	if code, _ := a.raw("POST", "/api/v1/users/nobody/disable", nil); code != 404 {
		t.Errorf("disable nobody: %d", code)
	}
}

// TestRefusalsWindow: the portal reads only the recent part of a ledger
// that knows its length.
func TestRefusalsWindow(t *testing.T) {
	e := newEnv(t)
	if e.ledger.Len() != 77 {
		t.Fatalf("ledger length %d", e.ledger.Len())
	}
	p := e.login("rif.ops")
	var rs struct{ Items []struct{ Index int64 } }
	p.do("GET", "/api/v1/refusals", nil, &rs)
	if len(rs.Items) != 10 || rs.Items[0].Index < rs.Items[9].Index {
		t.Fatalf("refusals, newest first: %+v", rs.Items)
	}
}

func TestPasswordChange(t *testing.T) {
	e := newEnv(t)
	p := e.login("atlasvas")
	other := e.login("atlasvas")
	if code, b := p.raw("POST", "/api/v1/me/password", map[string]string{"current": "wrong", "new": "a new long one"}); code != 400 || !strings.Contains(string(b), `"field": "current"`) {
		t.Fatalf("wrong current: %d %s", code, b)
	}
	if code, b := p.raw("POST", "/api/v1/me/password", map[string]string{"current": "atlasvas", "new": "short"}); code != 400 || !strings.Contains(string(b), `"field": "new"`) {
		t.Fatalf("short new: %d %s", code, b)
	}
	if code := p.do("POST", "/api/v1/me/password", map[string]string{"current": "atlasvas", "new": "a new long one"}, nil); code != 200 {
		t.Fatalf("change: %d", code)
	}
	// This session goes on, the other ended; the new password logs in.
	if code, _ := p.raw("GET", "/api/v1/me", nil); code != 200 {
		t.Errorf("own session after the change: %d", code)
	}
	if code, _ := other.raw("GET", "/api/v1/me", nil); code != 401 {
		t.Errorf("other session after the change: %d", code)
	}
	c := e.anonymous()
	if code := c.do("POST", "/api/v1/login", map[string]string{"name": "atlasvas", "password": "a new long one"}, nil); code != 200 {
		t.Errorf("login with the new password: %d", code)
	}
	if code := c.do("POST", "/api/v1/login", map[string]string{"name": "atlasvas", "password": "atlasvas"}, nil); code != 401 {
		t.Errorf("login with the old password: %d", code)
	}
	// Through the page.
	code, loc := c.form("/account/password", url.Values{"current": {"a new long one"}, "new": {"and another one"}})
	if code != 403 {
		t.Errorf("form without a session's CSRF token: %d %s", code, loc)
	}
	a, _, _ := e.loginForm("inspector", "inspector")
	if code, loc := a.form("/account/password", url.Values{"current": {"inspector"}, "new": {"inspector-2026"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/account?msg=") {
		t.Errorf("page: %d %s", code, loc)
	}
	if code, b := a.get("/account"); code != 200 || !strings.Contains(b, "inspector") {
		t.Errorf("account page: %d", code)
	}
}
