package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
)

// now is the tests' clock: a Tuesday morning in Casablanca.
var now = time.Date(2025, 6, 10, 9, 30, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// env is a console over a real store, ledger, report feeder, complaint
// desk and sanction monitor, with traffic of two providers.
type env struct {
	t      testing.TB
	dir    string
	db     *sqlite.DB
	st     bawwab.Store
	users  *sqlite.UserService
	keys   *ledger.Keyring
	ledger *ledger.Ledger
	feeder *report.Feeder
	desk   *complaint.Desk
	mon    *sanction.Monitor
	web    *web.Server
	srv    *httptest.Server
	clock  *clock
	// caseID is an open case against atlasvas; rifCase one against
	// rifdigital.
	caseID, rifCase int64
}

// The accounts of the tests: name → role and organisation.
var accounts = []struct {
	name, password string
	role           bawwab.Role
	org            string
}{
	{"inspector", "inspector", bawwab.RoleRegulator, ""},
	{"atlasvas", "atlasvas", bawwab.RoleProvider, "atlasvas"},
	{"rif.ops", "rif-password", bawwab.RoleProvider, "rifdigital"},
	{"iam.noc", "iam-password", bawwab.RoleOperator, "iam"},
}

const (
	atlasNumber = "+212612345678"
	rifNumber   = "+212698765432"
)

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the server's options changed by opt.
func newEnvWith(t testing.TB, opt func(*web.Options)) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: &clock{t: now}}
	ctx := context.Background()
	e.db = sqlite.NewDB(filepath.Join(e.dir, "bawwab.db"))
	e.db.Now = e.clock.Now
	if err := e.db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	e.st = e.db.Store()
	e.users = sqlite.NewUserService(e.db)
	e.registry(ctx)
	if err := os.MkdirAll(filepath.Join(e.dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	var err error
	e.keys, err = ledger.OpenKeyring(filepath.Join(e.dir, "keys", "pseudonym.keys"), ledger.KeyringOptions{Create: true, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.ledger, err = ledger.Open(filepath.Join(e.dir, "ledger"), ledger.Options{
		SigningKeyFile: filepath.Join(e.dir, "keys", "signing.key"), Origin: "node1", Keyring: e.keys, Now: e.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.ledger.Close() })
	e.traffic(ctx)
	e.feeder = &report.Feeder{Store: e.st.Reports, Ledger: e.ledger, Origin: "node1", Now: e.clock.Now}
	if _, err := e.feeder.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	e.desk = &complaint.Desk{Store: e.st.Complaints, Ledger: e.ledger, Origin: "node1", Keys: e.keys, Now: e.clock.Now}
	e.cases(ctx)
	e.mon, err = sanction.New(sanction.Options{Config: sanction.DefaultConfig(), Measures: e.st.Measures, Complaints: e.st.Complaints,
		Reports: e.st.Reports, Ledger: e.ledger, Origin: "node1", Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.mon.Load(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		if _, err := web.EnsureUser(ctx, e.users, a.name, a.password, a.role, a.org); err != nil {
			t.Fatal(err)
		}
	}
	o := web.Options{
		Store: e.st, Users: e.users, Ledger: e.ledger, Audit: e.ledger, Keys: e.keys,
		Complaints: e.desk, Sanctions: e.mon, Now: e.clock.Now, LedgerStatus: e.ledgerStatus,
	}
	if opt != nil {
		opt(&o)
	}
	e.web, err = web.New(o)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.web.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) registry(ctx context.Context) {
	declared := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	recs := []bawwab.Record{
		&bawwab.Operator{ID: "iam", Name: "Maroc Telecom"},
		&bawwab.Operator{ID: "inwi", Name: "inwi"},
		&bawwab.Operator{ID: "orange", Name: "Orange Maroc"},
		&bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: declared},
		&bawwab.Provider{ID: "rifdigital", Name: "Rif Digital SA", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: declared},
		&bawwab.Account{ID: "atlas01", ProviderID: "atlasvas", Kind: bawwab.AccountSMPP, SecretHash: "$argon2id$v=19$m=64,t=1,p=1$WlpaWlpaWlpaWlpaWlpaWg$gu74azT5qTkaaTHaoblDLvlLwwh1QxMcxR1rKCOmlcc"},
		&bawwab.Account{ID: "rifkey0001", ProviderID: "rifdigital", Kind: bawwab.AccountAPI, SecretHash: "$argon2id$v=19$m=64,t=1,p=1$WlpaWlpaWlpaWlpaWlpaWg$gu74azT5qTkaaTHaoblDLvlLwwh1QxMcxR1rKCOmlcc"},
		&bawwab.Contract{ID: "atlas-iam", ProviderID: "atlasvas", OperatorID: "iam", ValidFrom: declared},
		&bawwab.Contract{ID: "rif-inwi", ProviderID: "rifdigital", OperatorID: "inwi", ValidFrom: declared},
		&bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}},
		&bawwab.Advertiser{ID: "dar-lbahja", Name: "Dar Lbahja", ProviderIDs: []string{"rifdigital"}},
		&bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
		&bawwab.SenderID{Value: "DarLbahja", ProviderID: "rifdigital", AdvertiserID: "dar-lbahja", Category: bawwab.CategoryCommercial},
		&bawwab.Channel{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
		&bawwab.Channel{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
		&bawwab.Channel{Code: "5151", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelAdvertiser, Free: true, ProviderID: "rifdigital", AdvertiserID: "dar-lbahja"},
	}
	if _, err := e.st.Registry.ImportRegistry(ctx, func(yield func(bawwab.Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}); err != nil {
		e.t.Fatal(err)
	}
}

// traffic appends decisions of both providers over the last days, and
// their oppositions.
func (e *env) traffic(ctx context.Context) {
	var ents []*bawwab.LedgerEntry
	add := func(provider, sender, op, number string, at time.Time, outcome bawwab.Outcome, reason bawwab.Reason, text string) {
		en := &bawwab.LedgerEntry{Time: at, ProviderID: provider, SenderID: sender, OperatorID: op, MSISDN: number, Text: text, AccountID: provider + "01"}
		en.SetDecision(bawwab.Decision{Outcome: outcome, Reason: reason, RuleSet: "test"})
		ents = append(ents, en)
	}
	for d := 0; d < 5; d++ {
		for h := 0; h < 6; h++ {
			at := now.Add(-time.Duration(d*24+h) * time.Hour)
			add("atlasvas", "ATLASMKT", "iam", atlasNumber, at, bawwab.Accept, "", "Atlas Market : -30% ! STOP au 5050")
			add("rifdigital", "DarLbahja", "inwi", rifNumber, at, bawwab.Accept, "", "Dar Lbahja: soldes. STOP au 5151")
		}
		at := now.Add(-time.Duration(d*24+1)*time.Hour - 10*time.Minute)
		add("atlasvas", "ATLASMKT", "iam", atlasNumber, at, bawwab.Reject, bawwab.ReasonRecipientOptedOut, "Atlas Market : promo secrète")
		add("rifdigital", "DarLbahja", "inwi", rifNumber, at, bawwab.Reject, bawwab.ReasonOptOutMentionMissing, "Dar Lbahja: promo sans mention")
		add("rifdigital", "DarLbahja", "inwi", rifNumber, at, bawwab.Reject, bawwab.ReasonQuietHours, "Dar Lbahja: promo de nuit")
	}
	if _, err := e.ledger.AppendBatch(ctx, ents); err != nil {
		e.t.Fatal(err)
	}
	for _, o := range []*bawwab.Opposition{
		{MSISDN: atlasNumber, Scope: bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}, Action: bawwab.ActionStop, At: now.Add(-48 * time.Hour), Channel: "5050"},
		{MSISDN: rifNumber, Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "dar-lbahja"}, Action: bawwab.ActionStop, At: now.Add(-24 * time.Hour), Channel: "5151"},
	} {
		if err := e.st.Oppositions.RecordOpposition(ctx, o); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.ledger.Append(ctx, &bawwab.LedgerEntry{Kind: bawwab.EntryOpposition, Time: o.At, MSISDN: o.MSISDN, Action: "stop", Subject: o.Scope.String(), Channel: o.Channel, ProviderID: map[string]string{"5050": "atlasvas", "5151": "rifdigital"}[o.Channel]}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// cases opens a case against each provider.
func (e *env) cases(ctx context.Context) {
	for _, c := range []struct {
		provider, operator, sender, number string
		id                                 *int64
	}{{"atlasvas", "iam", "ATLASMKT", atlasNumber, &e.caseID}, {"rifdigital", "inwi", "DarLbahja", rifNumber, &e.rifCase}} {
		cs := &bawwab.Complaint{Status: bawwab.ComplaintOpen, Channel: "3300", Reporter: e.keys.Pseudonym(c.number),
			ReportedAt: now.Add(-2 * time.Hour), ReceivedAt: now.Add(-time.Hour), SenderID: c.sender, Text: "promo non sollicitée de " + c.sender,
			ProviderID: c.provider, OperatorID: c.operator, Matches: []bawwab.ComplaintMatch{{Origin: "node1", Index: 1, At: now.Add(-3 * time.Hour), SenderID: c.sender, ProviderID: c.provider, Score: 0.9}},
			Events: []bawwab.ComplaintEvent{{At: now.Add(-time.Hour), Action: bawwab.ComplaintActionOpened, Actor: complaint.DeskActor, LedgerIndex: -1}}}
		if err := e.st.Complaints.CreateComplaint(ctx, cs); err != nil {
			e.t.Fatal(err)
		}
		*c.id = cs.ID
	}
}

func (e *env) ledgerStatus(ctx context.Context) (*web.LedgerStatus, error) {
	cp, err := e.ledger.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := ledger.ParseVerifierKeys(e.ledger.PublicKey())
	if err != nil {
		return nil, err
	}
	rep, err := ledger.VerifyDir(ctx, filepath.Join(e.dir, "ledger"), ledger.VerifyOptions{Keys: keys}, nil)
	if err != nil {
		return nil, err
	}
	st := &web.LedgerStatus{Origin: cp.Origin, Entries: rep.Entries, Verified: rep.OK(), VerifiedAt: e.clock.Now(), VerifiedEntries: rep.Entries,
		Checkpoint: string(cp.Note), CheckpointN: cp.N, CheckpointTime: cp.Time, PublicKey: e.ledger.PublicKey()}
	if rep.Problem != nil {
		st.Problem = rep.Problem.Error()
	}
	return st, nil
}

// client is a logged-in user of the API.
type client struct {
	t    testing.TB
	e    *env
	http *http.Client
	csrf string
	name string
}

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs in through the API.
func (e *env) login(name string) *client {
	e.t.Helper()
	c := e.anonymous()
	c.name = name
	var pw string
	for _, a := range accounts {
		if a.name == name {
			pw = a.password
		}
	}
	var out struct {
		CSRFToken string `json:"csrf_token"`
	}
	if code := c.do("POST", "/api/v1/login", map[string]string{"name": name, "password": pw}, &out); code != 200 {
		e.t.Fatalf("login %s: status %d", name, code)
	}
	c.csrf = out.CSRFToken
	return c
}

// do calls the API with a JSON body (nil for none) and decodes the answer
// into out (nil to skip); it returns the status.
func (c *client) do(method, path string, body, out any) int {
	c.t.Helper()
	code, b := c.raw(method, path, body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return code
}

func (c *client) raw(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set(web.CSRFHeader, c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// form posts a console form with the session's CSRF token.
func (c *client) form(path string, vals url.Values) (int, string) {
	c.t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	vals.Set("csrf", c.csrf)
	resp, err := c.http.PostForm(c.e.srv.URL+path, vals)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location") + string(b)
}

// get fetches a page.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	code, b := c.raw("GET", path, nil)
	return code, string(b)
}

func errorCode(b []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Code
}

var _ = fmt.Sprint
