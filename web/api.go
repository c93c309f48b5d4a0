package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/report"
)

// route is one API route, as registered and as documented in the OpenAPI
// document.
type route struct {
	method, path string
	summary      string
	roles        roles
	query        []param
	body         string // what the JSON request body holds ("" for none)
	produces     string // the media type answered (application/json by default)
}

type param struct{ name, doc string }

type apiHandler func(w http.ResponseWriter, r *http.Request, p *principal) error

// api registers an API route: authenticated, allowed to roles, CSRF
// checked on writes, with the store context restricted for a provider.
func (s *Server) api(rt route, h apiHandler) {
	s.routes = append(s.routes, rt)
	s.mux.HandleFunc(rt.method+" "+rt.path, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.logError(r, err)
			writeError(w, err)
			return
		}
		if p == nil {
			writeError(w, errf(bawwab.EUNAUTHORIZED, "log in first (POST /api/v1/login)"))
			return
		}
		if !rt.roles.allow(p.user.Role) {
			writeError(w, errf(bawwab.EFORBIDDEN, "this needs the role %s; you are %s", rt.roles, p.user.Role))
			return
		}
		if !safeMethod(r.Method) && !checkCSRF(r, p) {
			writeError(w, errf(bawwab.EFORBIDDEN, "missing or wrong CSRF token (send the header %s with the csrf_token of GET /api/v1/me)", CSRFHeader))
			return
		}
		if err := otherOrg(r.URL.Query(), p.user); err != nil {
			writeError(w, err)
			return
		}
		r = r.WithContext(context.WithValue(scopeContext(r.Context(), p.user), principalKey{}, p))
		if err := h(w, r, p); err != nil {
			s.logError(r, err)
			writeError(w, err)
		}
	})
}

// EOTHERORG is the code of a request by a provider's (an operator's) user
// that names another provider (operator): refused, rather than silently
// answered about the user's own, so that a client's mistake shows.
const EOTHERORG = "other_organisation"

// otherOrg refuses a query that names a provider other than a provider
// user's own, or an operator other than an operator user's own.
func otherOrg(q url.Values, u *bawwab.User) error {
	for _, k := range []string{"provider", "provider_id", "operator", "operator_id"} {
		for _, v := range q[k] {
			if err := checkOrg(u, k, v, "the query's "); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkOrg refuses a field (provider_id, operator...) whose value names
// another organisation than the user's own; empty is the user's own.
func checkOrg(u *bawwab.User, field, v, where string) error {
	if v == "" {
		return nil
	}
	var own, what string
	switch {
	case u.Role == bawwab.RoleProvider && strings.HasPrefix(field, "provider"):
		own, what = u.ProviderID, "provider"
	case u.Role == bawwab.RoleOperator && strings.HasPrefix(field, "operator"):
		own, what = u.OperatorID, "operator"
	default:
		return nil
	}
	if v == own {
		return nil
	}
	return &orgError{field: field, err: &bawwab.Error{Code: EOTHERORG,
		Message: fmt.Sprintf("%s%s names the %s %q, but you act for %q only: leave it out or name your own", where, field, what, v, own)}}
}

// orgError is an EOTHERORG error with the field that named the other
// organisation.
type orgError struct {
	field string
	err   *bawwab.Error
}

func (e *orgError) Error() string { return e.err.Error() }
func (e *orgError) Unwrap() error { return e.err }

// apiError is the body of every error answer. Reason repeats Code under
// the key the gateway's and the subscriber API's errors use, so that a
// client reads one key across the whole API.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, err error) {
	var body apiError
	body.Error.Code = bawwab.ErrorCode(err)
	body.Error.Reason = body.Error.Code
	body.Error.Message = bawwab.ErrorMessage(err)
	var fe *bawwab.FieldError
	var oe *orgError
	switch {
	case errors.As(err, &fe):
		body.Error.Field = fe.Field
	case errors.As(err, &oe):
		body.Error.Field = oe.field
	}
	writeJSON(w, httpStatus(body.Error.Code), body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// readJSON decodes a request body of at most 1 MiB, refusing unknown
// fields.
func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errf(bawwab.EINVALID, "bad JSON body: %v", err)
	}
	return nil
}

// page is a list answer.
type page[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func list[T any](items []T, total int) page[T] {
	if items == nil {
		items = []T{}
	}
	return page[T]{Items: items, Total: total}
}

// paging reads offset and limit (default 50, at most 1000).
func paging(r *http.Request) (offset, limit int, err error) {
	q := r.URL.Query()
	limit = 50
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return 0, 0, bawwab.InvalidField("limit", "want 1 to 1000")
		}
	}
	if v := q.Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, bawwab.InvalidField("offset", "want a number from 0")
		}
	}
	return offset, limit, nil
}

func optString(r *http.Request, name string) *string {
	if v := r.URL.Query().Get(name); v != "" {
		return &v
	}
	return nil
}

// parseDay reads a date (2025-06-01) or a time (RFC 3339).
func parseDay(field, v string, loc *time.Location) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, bawwab.InvalidField(field, "%q is not a date (2025-06-01) or a time (2025-06-01T10:00:00Z)", v)
}

func (s *Server) loc() *time.Location {
	if s.o.Location != nil {
		return s.o.Location
	}
	return report.Casablanca
}

// registerAPI registers every API route.
func (s *Server) registerAPI() {
	s.mux.HandleFunc("POST /api/v1/login", s.apiLogin)
	s.mux.HandleFunc("GET /api/v1/openapi.json", s.apiOpenAPI)
	s.routes = append(s.routes,
		route{method: "POST", path: "/api/v1/login", summary: "Log in: opens a session (cookie) and returns the user and its CSRF token", body: "{name, password}"},
		route{method: "GET", path: "/api/v1/openapi.json", summary: "This document"})

	s.api(route{method: "POST", path: "/api/v1/logout", summary: "Log out: ends the session", roles: anyRole}, s.apiLogout)
	s.api(route{method: "GET", path: "/api/v1/me", summary: "The logged-in user and its CSRF token", roles: anyRole}, s.apiMe)
	s.api(route{method: "POST", path: "/api/v1/me/password", summary: "Change one's own password (the current one, then the new one); ends the other sessions", roles: anyRole,
		body: "{current, new}"}, s.apiPassword)
	s.api(route{method: "GET", path: "/api/v1/reasons", summary: "Every refusal reason, with its rule, its SMPP and HTTP status and how to fix it", roles: anyRole}, s.apiReasons)
	s.api(route{method: "GET", path: "/api/v1/overview", summary: "Volumes per hour and day, decisions by reason, oppositions and complaints per day, top providers by violations (the caller's scope)", roles: anyRole}, s.apiOverview)

	s.api(route{method: "GET", path: "/api/v1/providers", summary: "Providers with their status and compliance figures over 30 days", roles: anyRole,
		query: []param{{"status", "active, warned, throttled, suspended or withdrawn"}}}, s.apiProviders)
	s.api(route{method: "GET", path: "/api/v1/providers/{id}", summary: "A provider with its contracts, sender IDs, channels, accounts, violations, cases and measures", roles: anyRole}, s.apiProvider)
	s.api(route{method: "POST", path: "/api/v1/providers/{id}/measures", summary: "Take a measure against a provider: warning, throttle (rate) or suspension, with a reason", roles: regulatorOnly,
		body: "{kind: warning|throttle|suspension, rate?: number, reason: string}"}, s.apiTakeMeasure)
	s.api(route{method: "GET", path: "/api/v1/measures", summary: "Measures, newest first", roles: anyRole,
		query: []param{{"provider", "a provider ID"}, {"active", "true or false"}, {"offset", ""}, {"limit", ""}}}, s.apiMeasures)
	s.api(route{method: "POST", path: "/api/v1/measures/{id}/lift", summary: "Lift a measure, with a reason", roles: regulatorOnly, body: "{reason: string}"}, s.apiLiftMeasure)
	s.api(route{method: "GET", path: "/api/v1/notifications", summary: "Notifications of measures sent to providers, newest first", roles: anyRole,
		query: []param{{"provider", "a provider ID"}, {"offset", ""}, {"limit", ""}}}, s.apiNotifications)

	s.api(route{method: "GET", path: "/api/v1/registry", summary: "The registry's kinds and how many records each holds (a provider's: its own)", roles: regProvider}, s.apiRegistryKinds)
	s.api(route{method: "GET", path: "/api/v1/registry/{kind}", summary: "Records of one kind (operator, provider, account, contract, advertiser, sender, channel, campaign); a provider's: its own", roles: regProvider,
		query: []param{{"offset", ""}, {"limit", ""}, {"format", "json (default), or csv: every record of the kind, in the format of bawwab registry import"}}, produces: "application/json, text/csv"}, s.apiRegistryList)
	s.api(route{method: "GET", path: "/api/v1/registry/{kind}/{key}", summary: "One record", roles: regProvider}, s.apiRegistryGet)
	s.api(route{method: "PUT", path: "/api/v1/registry/{kind}/{key}", summary: "Create or replace a record (JSON as GET returns it); recorded in the ledger", roles: regulatorOnly, body: "the record"}, s.apiRegistryPut)
	s.api(route{method: "DELETE", path: "/api/v1/registry/{kind}/{key}", summary: "Delete a record; recorded in the ledger", roles: regulatorOnly}, s.apiRegistryDelete)
	s.api(route{method: "POST", path: "/api/v1/registry/{kind}/import", summary: "Import the records of one kind from CSV (the export's format, as bawwab registry import): created or replaced, all or nothing; recorded in the ledger", roles: regulatorOnly,
		body: "text/csv"}, s.apiRegistryImport)

	s.api(route{method: "GET", path: "/api/v1/ledger", summary: "Search the ledger by provider, advertiser, sender, operator, kind, outcome, reason, period or subscriber number (through its pseudonyms)", roles: anyRole,
		query: []param{{"provider", ""}, {"advertiser", ""}, {"sender", ""}, {"operator", ""}, {"kind", "decision, opposition, complaint, measure, registry-change..."}, {"outcome", "accept, defer or reject"},
			{"reason", "a reason code"}, {"from", "date or time"}, {"to", "date or time (exclusive)"}, {"number", "a subscriber number, searched by its pseudonyms (regulators only)"}, {"after", "index: entries after it"}, {"limit", "at most 500 (default 100)"}}}, s.apiLedger)
	s.api(route{method: "GET", path: "/api/v1/ledger/status", summary: "The ledger's verification status and latest signed checkpoint", roles: anyRole}, s.apiLedgerStatus)
	s.api(route{method: "GET", path: "/api/v1/ledger/{index}", summary: "One ledger entry, with its text while kept", roles: anyRole}, s.apiLedgerEntry)

	s.api(route{method: "GET", path: "/api/v1/complaints", summary: "Complaint cases, newest first", roles: anyRole,
		query: []param{{"status", "unmatched, open, confirmed or dismissed"}, {"provider", ""}, {"offset", ""}, {"limit", ""}}}, s.apiComplaints)
	s.api(route{method: "GET", path: "/api/v1/complaints/{id}", summary: "One case with its matches and history", roles: anyRole}, s.apiComplaint)
	s.api(route{method: "POST", path: "/api/v1/complaints/{id}/decision", summary: "Confirm or dismiss an open case, with a reason", roles: staff,
		body: "{status: confirmed|dismissed, reason: string}"}, s.apiDecide)

	s.api(route{method: "GET", path: "/api/v1/reports", summary: "Report rows per day, provider and operator: volumes, refusals by reason, oppositions, complaints, measures", roles: anyRole,
		query: []param{{"from", "first day"}, {"to", "last day"}, {"by", "day,provider,operator"}, {"provider", ""}, {"operator", ""}, {"format", "json (default) or csv"}}, produces: "application/json, text/csv"}, s.apiReports)

	s.api(route{method: "GET", path: "/api/v1/refusals", summary: "A provider's last refused messages, each with its reason and how to fix it", roles: anyRole,
		query: []param{{"provider", "regulators: whose"}, {"limit", "at most 500 (default 100)"}}}, s.apiRefusals)
	s.api(route{method: "GET", path: "/api/v1/optouts", summary: "The opted-out numbers concerning a provider as CSV: in force (since=0) or the delta since a sequence number (STOP and START); X-Bawwab-Next-Since gives the next since", roles: regProvider,
		query: []param{{"since", "the sequence number of the last download (0: all in force)"}, {"provider", "regulators: whose"}}, produces: "text/csv"}, s.apiOptouts)
	s.api(route{method: "GET", path: "/api/v1/keys", summary: "A provider's API keys (never the secrets)", roles: regProvider, query: []param{{"provider", "regulators: whose"}}}, s.apiKeys)
	s.api(route{method: "POST", path: "/api/v1/keys", summary: "Create an API key; the key is shown once in the answer", roles: regProvider,
		body: "{provider_id?: string, rate_limit?: number}"}, s.apiCreateKey)
	s.api(route{method: "DELETE", path: "/api/v1/keys/{id}", summary: "Revoke an API key", roles: regProvider}, s.apiDeleteKey)

	s.api(route{method: "GET", path: "/api/v1/users", summary: "Console accounts", roles: regulatorOnly}, s.apiUsers)
	s.api(route{method: "POST", path: "/api/v1/users", summary: "Create a console account", roles: regulatorOnly,
		body: "{name, password, role: regulator|operator|provider, provider_id?, operator_id?}"}, s.apiCreateUser)
	s.api(route{method: "POST", path: "/api/v1/users/{name}/disable", summary: "Disable a console account and end its sessions", roles: regulatorOnly}, s.apiDisableUser)

	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errf(bawwab.ENOTFOUND, "no API route %s %s (see /api/v1/openapi.json)", r.Method, r.URL.Path))
	})
}

// loginAnswer is what a login returns.
type loginAnswer struct {
	User      *bawwab.User `json:"user"`
	CSRFToken string       `json:"csrf_token"`
	ExpiresAt time.Time    `json:"expires_at"`
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := readJSON(r, &in); err != nil {
		writeError(w, err)
		return
	}
	u, se, token, err := s.login(r.Context(), r, in.Name, in.Password)
	if err != nil {
		s.logError(r, err)
		writeError(w, err)
		return
	}
	s.setSessionCookie(w, r, token)
	writeJSON(w, http.StatusOK, loginAnswer{User: u, CSRFToken: se.CSRFToken, ExpiresAt: se.ExpiresAt})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request, p *principal) error {
	if err := s.o.Users.DeleteSession(r.Context(), p.session.ID); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, p *principal) error {
	writeJSON(w, http.StatusOK, loginAnswer{User: p.user, CSRFToken: p.session.CSRFToken, ExpiresAt: p.session.ExpiresAt})
	return nil
}

// reasonView is a reason as the API shows it.
type reasonView struct {
	Code       bawwab.Reason `json:"code"`
	Rule       string        `json:"rule"`
	SMPPStatus string        `json:"smpp_status"`
	HTTPStatus int           `json:"http_status"`
	Summary    string        `json:"summary"`
	Fix        string        `json:"fix"`
}

func viewReason(info bawwab.ReasonInfo) reasonView {
	return reasonView{Code: info.Reason, Rule: info.Rule, SMPPStatus: fmt.Sprintf("0x%08X", info.SMPPStatus), HTTPStatus: info.HTTPStatus, Summary: info.Summary, Fix: info.Fix}
}

func (s *Server) apiReasons(w http.ResponseWriter, r *http.Request, p *principal) error {
	var out []reasonView
	for _, info := range bawwab.Reasons() {
		out = append(out, viewReason(info))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// scope is what a user's overview and reports cover.
func reportScope(u *bawwab.User) report.Scope {
	return report.Scope{ProviderID: u.ProviderID, OperatorID: u.OperatorID}
}

func (s *Server) overview(ctx context.Context, u *bawwab.User) (*report.Overview, error) {
	if s.o.Store.Reports == nil {
		return nil, notImplemented("the reports")
	}
	return report.BuildOverview(ctx, s.o.Store.Reports, s.now(), reportScope(u), s.loc())
}

func (s *Server) apiOverview(w http.ResponseWriter, r *http.Request, p *principal) error {
	o, err := s.overview(r.Context(), p.user)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// providerRow is a provider in the list, with its figures over the last
// 30 days.
type providerRow struct {
	*bawwab.Provider
	Submitted           int64 `json:"submitted"`
	Rejected            int64 `json:"rejected"`
	Violations          int64 `json:"violations"`
	ComplaintsConfirmed int64 `json:"complaints_confirmed"`
	// ViolationRate is violations per submission, in percent.
	ViolationRate float64 `json:"violation_rate"`
}

// violations counts a report row's violations: refusals for the rules'
// reasons, and flags.
func violations(row *report.Row) int64 {
	n := row.Flagged
	for reason, c := range row.Rejections {
		if bawwab.IsViolation(reason) {
			n += c
		}
	}
	return n
}

// visibleProviders returns the providers a user sees: all for a
// regulator, its own for a provider, and those with a contract with its
// operator for an operator's user.
func (s *Server) visibleProviders(ctx context.Context, u *bawwab.User, status *bawwab.ProviderStatus) ([]*bawwab.Provider, error) {
	ps, _, err := s.o.Store.Registry.FindProviders(ctx, bawwab.ProviderFilter{Status: status})
	if err != nil {
		return nil, err
	}
	if u.Role != bawwab.RoleOperator {
		return ps, nil
	}
	cs, _, err := s.o.Store.Registry.FindContracts(ctx, bawwab.ContractFilter{OperatorID: &u.OperatorID})
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	for _, c := range cs {
		mine[c.ProviderID] = true
	}
	return slices.DeleteFunc(ps, func(p *bawwab.Provider) bool { return !mine[p.ID] && p.OperatorID != u.OperatorID }), nil
}

func (s *Server) providerRows(ctx context.Context, u *bawwab.User, status *bawwab.ProviderStatus) ([]providerRow, error) {
	ps, err := s.visibleProviders(ctx, u, status)
	if err != nil {
		return nil, err
	}
	figures := map[string]*report.Row{}
	if s.o.Store.Reports != nil {
		today := report.LocalDate(s.now(), s.loc())
		rows, err := report.Table(ctx, s.o.Store.Reports, report.Filter{From: today.AddDate(0, 0, -(report.OverviewDays - 1)), To: today,
			ProviderID: u.ProviderID, OperatorID: u.OperatorID, By: []report.Dim{report.ByProvider}})
		if err != nil {
			return nil, err
		}
		for i := range rows {
			figures[rows[i].ProviderID] = &rows[i]
		}
	}
	out := make([]providerRow, 0, len(ps))
	for _, p := range ps {
		row := providerRow{Provider: p}
		if f := figures[p.ID]; f != nil {
			row.Submitted, row.Rejected, row.Violations, row.ComplaintsConfirmed = f.Submitted, f.Rejected, violations(f), f.ComplaintsConfirmed
			if f.Submitted > 0 {
				row.ViolationRate = 100 * float64(row.Violations) / float64(f.Submitted)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func (s *Server) apiProviders(w http.ResponseWriter, r *http.Request, p *principal) error {
	var status *bawwab.ProviderStatus
	if v := r.URL.Query().Get("status"); v != "" {
		st, err := bawwab.ParseProviderStatus(v)
		if err != nil {
			return err
		}
		status = &st
	}
	rows, err := s.providerRows(r.Context(), p.user, status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(rows, len(rows)))
	return nil
}

// accountView is an account without its secret's hash.
type accountView struct {
	ID         string             `json:"id"`
	ProviderID string             `json:"provider_id"`
	Kind       bawwab.AccountKind `json:"kind"`
	MaxBinds   int                `json:"max_binds,omitempty"`
	RateLimit  float64            `json:"rate_limit,omitempty"`
	Disabled   bool               `json:"disabled,omitempty"`
}

func viewAccount(a *bawwab.Account) accountView {
	return accountView{ID: a.ID, ProviderID: a.ProviderID, Kind: a.Kind, MaxBinds: a.MaxBinds, RateLimit: a.RateLimit, Disabled: a.Disabled}
}

// providerDetail is a provider's page.
type providerDetail struct {
	Provider        *bawwab.Provider       `json:"provider"`
	Figures         providerRow            `json:"figures"`
	Contracts       []*bawwab.Contract     `json:"contracts"`
	Advertisers     []*bawwab.Advertiser   `json:"advertisers"`
	SenderIDs       []*bawwab.SenderID     `json:"sender_ids"`
	Channels        []*bawwab.Channel      `json:"channels"`
	Accounts        []accountView          `json:"accounts"`
	ViolationsBy    []reasonCount          `json:"violations_by_reason"`
	Complaints      []*bawwab.Complaint    `json:"complaints"`
	ComplaintsTotal int                    `json:"complaints_total"`
	Measures        []*bawwab.Measure      `json:"measures"`
	Notifications   []*bawwab.Notification `json:"notifications"`
}

type reasonCount struct {
	Reason bawwab.Reason `json:"reason"`
	N      int64         `json:"n"`
}

// providerDetail gathers a provider's page; a provider that the user may
// not see is not found.
func (s *Server) providerDetail(ctx context.Context, u *bawwab.User, id string) (*providerDetail, error) {
	rows, err := s.providerRows(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	var d providerDetail
	for _, row := range rows {
		if row.ID == id {
			d.Provider, d.Figures = row.Provider, row
		}
	}
	if d.Provider == nil {
		return nil, errf(bawwab.ENOTFOUND, "provider %q not found", id)
	}
	reg := s.o.Store.Registry
	if d.Contracts, _, err = reg.FindContracts(ctx, bawwab.ContractFilter{ProviderID: &id}); err != nil {
		return nil, err
	}
	if u.Role == bawwab.RoleOperator {
		d.Contracts = slices.DeleteFunc(d.Contracts, func(c *bawwab.Contract) bool { return c.OperatorID != u.OperatorID })
	}
	if d.Advertisers, _, err = reg.FindAdvertisers(ctx, bawwab.AdvertiserFilter{ProviderID: &id}); err != nil {
		return nil, err
	}
	if d.SenderIDs, _, err = reg.FindSenderIDs(ctx, bawwab.SenderIDFilter{ProviderID: &id}); err != nil {
		return nil, err
	}
	if d.Channels, _, err = reg.FindChannels(ctx, bawwab.ChannelFilter{ProviderID: &id}); err != nil {
		return nil, err
	}
	if u.Role != bawwab.RoleOperator {
		accs, _, err := reg.FindAccounts(ctx, bawwab.AccountFilter{ProviderID: &id})
		if err != nil {
			return nil, err
		}
		for _, a := range accs {
			d.Accounts = append(d.Accounts, viewAccount(a))
		}
	}
	if s.o.Store.Reports != nil {
		today := report.LocalDate(s.now(), s.loc())
		rs, err := report.Table(ctx, s.o.Store.Reports, report.Filter{From: today.AddDate(0, 0, -(report.OverviewDays - 1)), To: today, ProviderID: id, OperatorID: u.OperatorID, By: []report.Dim{report.ByProvider}})
		if err != nil {
			return nil, err
		}
		for _, row := range rs {
			for reason, n := range row.Rejections {
				if bawwab.IsViolation(reason) {
					d.ViolationsBy = append(d.ViolationsBy, reasonCount{reason, n})
				}
			}
			if row.Flagged > 0 {
				d.ViolationsBy = append(d.ViolationsBy, reasonCount{"flagged", row.Flagged})
			}
		}
		slices.SortFunc(d.ViolationsBy, func(a, b reasonCount) int {
			return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(string(a.Reason), string(b.Reason)))
		})
	}
	if s.o.Store.Complaints != nil {
		f := bawwab.ComplaintFilter{ProviderID: &id, Limit: 20}
		if u.Role == bawwab.RoleOperator {
			f.OperatorID = &u.OperatorID
		}
		if d.Complaints, d.ComplaintsTotal, err = s.o.Store.Complaints.FindComplaints(ctx, f); err != nil {
			return nil, err
		}
	}
	if s.o.Store.Measures != nil {
		if d.Measures, _, err = s.o.Store.Measures.FindMeasures(ctx, bawwab.MeasureFilter{ProviderID: &id, Limit: 50}); err != nil {
			return nil, err
		}
		if u.Role != bawwab.RoleOperator {
			if d.Notifications, _, err = s.o.Store.Measures.FindNotifications(ctx, bawwab.NotificationFilter{ProviderID: &id, Limit: 20}); err != nil {
				return nil, err
			}
		}
	}
	return &d, nil
}

func (s *Server) apiProvider(w http.ResponseWriter, r *http.Request, p *principal) error {
	d, err := s.providerDetail(r.Context(), p.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// measureInput is a measure a regulator takes.
type measureInput struct {
	Kind   string  `json:"kind"`
	Rate   float64 `json:"rate"`
	Reason string  `json:"reason"`
}

func (s *Server) takeMeasure(ctx context.Context, p *principal, providerID string, in measureInput) (*bawwab.Measure, error) {
	if s.o.Sanctions == nil {
		return nil, notImplemented("taking measures")
	}
	kind, err := bawwab.ParseMeasureKind(in.Kind)
	if err != nil {
		return nil, bawwab.InvalidField("kind", "%s", bawwab.ErrorMessage(err))
	}
	if strings.TrimSpace(in.Reason) == "" {
		return nil, bawwab.InvalidField("reason", "missing: say why")
	}
	if _, err := s.o.Store.Registry.FindProviderByID(ctx, providerID); err != nil {
		return nil, err
	}
	return s.o.Sanctions.Take(ctx, providerID, kind, in.Rate, p.user.Actor(), strings.TrimSpace(in.Reason))
}

func (s *Server) apiTakeMeasure(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in measureInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	m, err := s.takeMeasure(r.Context(), p, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) liftMeasure(ctx context.Context, p *principal, idText, reason string) (*bawwab.Measure, error) {
	if s.o.Sanctions == nil {
		return nil, notImplemented("lifting measures")
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, errf(bawwab.ENOTFOUND, "measure %q not found", idText)
	}
	if strings.TrimSpace(reason) == "" {
		return nil, bawwab.InvalidField("reason", "missing: say why")
	}
	return s.o.Sanctions.Lift(ctx, id, p.user.Actor(), strings.TrimSpace(reason))
}

func (s *Server) apiLiftMeasure(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	m, err := s.liftMeasure(r.Context(), p, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// measureFilter applies a user's scope to a measure filter: an operator
// sees the measures of the providers on its network.
func (s *Server) findMeasures(ctx context.Context, u *bawwab.User, f bawwab.MeasureFilter) ([]*bawwab.Measure, int, error) {
	if s.o.Store.Measures == nil {
		return nil, 0, notImplemented("the measures")
	}
	if u.Role != bawwab.RoleOperator {
		return s.o.Store.Measures.FindMeasures(ctx, f)
	}
	ps, err := s.visibleProviders(ctx, u, nil)
	if err != nil {
		return nil, 0, err
	}
	ok := map[string]bool{}
	for _, p := range ps {
		ok[p.ID] = true
	}
	if f.ProviderID != nil && !ok[*f.ProviderID] {
		return nil, 0, nil
	}
	off, lim := f.Offset, f.Limit
	f.Offset, f.Limit = 0, 0
	all, _, err := s.o.Store.Measures.FindMeasures(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	all = slices.DeleteFunc(all, func(m *bawwab.Measure) bool { return !ok[m.ProviderID] })
	total := len(all)
	all = all[min(off, len(all)):]
	if lim > 0 && len(all) > lim {
		all = all[:lim]
	}
	return all, total, nil
}

func (s *Server) apiMeasures(w http.ResponseWriter, r *http.Request, p *principal) error {
	off, lim, err := paging(r)
	if err != nil {
		return err
	}
	f := bawwab.MeasureFilter{ProviderID: optString(r, "provider"), Offset: off, Limit: lim}
	if v := r.URL.Query().Get("active"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return bawwab.InvalidField("active", "want true or false")
		}
		f.Active = &b
	}
	ms, total, err := s.findMeasures(r.Context(), p.user, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(ms, total))
	return nil
}

func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request, p *principal) error {
	if s.o.Store.Measures == nil {
		return notImplemented("the notifications")
	}
	off, lim, err := paging(r)
	if err != nil {
		return err
	}
	f := bawwab.NotificationFilter{ProviderID: optString(r, "provider"), Offset: off, Limit: lim}
	if p.user.Role == bawwab.RoleOperator {
		return errf(bawwab.EFORBIDDEN, "the notifications are between the regulators and the providers")
	}
	ns, total, err := s.o.Store.Measures.FindNotifications(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(ns, total))
	return nil
}

// audit records a change made by a person in the ledger. Without a
// ledger the change is refused, before it is made: every change by a
// person must be recorded.
func (s *Server) audit(ctx context.Context, p *principal, action, subject, detail string) error {
	if s.o.Audit == nil {
		return nil
	}
	_, err := s.o.Audit.Append(ctx, &bawwab.LedgerEntry{
		Kind: bawwab.EntryRegistryChange, Action: action, Subject: subject, Channel: "web",
		Actor: p.user.Actor().String(), Detail: detail, ProviderID: p.user.ProviderID,
	})
	if err != nil {
		return fmt.Errorf("record the change in the ledger: %w", err)
	}
	return nil
}

func (s *Server) needAudit() error {
	if s.o.Audit == nil {
		return notImplemented("changing the registry (no ledger to record the change in)")
	}
	return nil
}

// ledgerQuery reads a ledger search from a request's query, in a user's
// scope: a provider's user searches only its provider's entries, an
// operator's its network's, and only a regulator searches by number.
func (s *Server) ledgerQuery(r *http.Request, u *bawwab.User) (bawwab.LedgerFilter, int, error) {
	q := r.URL.Query()
	f := bawwab.LedgerFilter{ProviderID: q.Get("provider"), AdvertiserID: q.Get("advertiser"), SenderID: q.Get("sender"), OperatorID: q.Get("operator")}
	var err error
	if f.Since, err = parseDay("from", q.Get("from"), s.loc()); err != nil {
		return f, 0, err
	}
	if f.Before, err = parseDay("to", q.Get("to"), s.loc()); err != nil {
		return f, 0, err
	}
	if v := q.Get("kind"); v != "" {
		k, err := bawwab.ParseEntryKind(v)
		if err != nil {
			return f, 0, bawwab.InvalidField("kind", "%s", bawwab.ErrorMessage(err))
		}
		f.Kinds = []bawwab.EntryKind{k}
	}
	if v := q.Get("outcome"); v != "" {
		o, err := bawwab.ParseOutcome(v)
		if err != nil {
			return f, 0, bawwab.InvalidField("outcome", "%s", bawwab.ErrorMessage(err))
		}
		f.Outcome = &o
	}
	if v := q.Get("reason"); v != "" {
		rs, err := bawwab.ParseReason(v)
		if err != nil {
			return f, 0, bawwab.InvalidField("reason", "%s", bawwab.ErrorMessage(err))
		}
		f.Reason = rs
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, 0, bawwab.InvalidField("after", "want an entry index")
		}
		f.FromIndex = n + 1
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return f, 0, bawwab.InvalidField("limit", "want 1 to 500")
		}
	}
	if v := q.Get("number"); v != "" {
		if u.Role != bawwab.RoleRegulator {
			return f, 0, errf(bawwab.EFORBIDDEN, "only a regulator searches by subscriber number")
		}
		if s.o.Keys == nil {
			return f, 0, notImplemented("searching by number")
		}
		n, err := msisdn.Parse(v)
		if err != nil {
			return f, 0, bawwab.InvalidField("number", "not a phone number")
		}
		f.Recipients = s.o.Keys.Pseudonyms(string(n.AppendE164(nil)))
		if len(f.Recipients) == 0 {
			return f, 0, notImplemented("searching by number (no pseudonym key)")
		}
	}
	// A search without any criterion is browsing: it shows the latest
	// entries of a ledger that knows its length, not the oldest.
	browsing := true
	for _, k := range []string{"provider", "advertiser", "sender", "operator", "kind", "outcome", "reason", "from", "to", "number", "after"} {
		if q.Get(k) != "" {
			browsing = false
		}
	}
	if l, ok := s.o.Ledger.(ledgerLen); ok && browsing {
		f.FromIndex = max(0, l.Len()-int64(limit))
	}
	switch u.Role {
	case bawwab.RoleProvider:
		f.ProviderID = u.ProviderID
	case bawwab.RoleOperator:
		f.OperatorID = u.OperatorID
	}
	return f, limit, nil
}

// entryView is a ledger entry as the API shows it.
type entryView struct {
	Index         int64     `json:"index"`
	Kind          string    `json:"kind"`
	Time          time.Time `json:"time"`
	Outcome       string    `json:"outcome,omitempty"`
	Reason        string    `json:"reason,omitempty"`
	Flag          string    `json:"flag,omitempty"`
	Mode          string    `json:"mode,omitempty"`
	RuleSet       string    `json:"rule_set,omitempty"`
	ProviderID    string    `json:"provider_id,omitempty"`
	AccountID     string    `json:"account_id,omitempty"`
	AdvertiserID  string    `json:"advertiser_id,omitempty"`
	SenderID      string    `json:"sender_id,omitempty"`
	OperatorID    string    `json:"operator_id,omitempty"`
	Recipient     string    `json:"recipient,omitempty"`
	Text          string    `json:"text,omitempty"`
	TextHash      string    `json:"text_hash,omitempty"`
	SMSCMessageID string    `json:"smsc_message_id,omitempty"`
	Action        string    `json:"action,omitempty"`
	Subject       string    `json:"subject,omitempty"`
	Channel       string    `json:"channel,omitempty"`
	Actor         string    `json:"actor,omitempty"`
	Detail        string    `json:"detail,omitempty"`
	Refs          []int64   `json:"refs,omitempty"`
	Fix           string    `json:"fix,omitempty"`
}

func viewEntry(e *bawwab.LedgerEntry) entryView {
	v := entryView{Index: e.Index, Kind: e.Kind.String(), Time: e.Time, ProviderID: e.ProviderID, AccountID: e.AccountID, AdvertiserID: e.AdvertiserID,
		SenderID: e.SenderID, OperatorID: e.OperatorID, Recipient: e.Recipient.Short(), Text: e.Text, SMSCMessageID: e.SMSCMessageID,
		Action: e.Action, Subject: e.Subject, Channel: e.Channel, Actor: e.Actor, Detail: e.Detail, Refs: e.Refs}
	if e.Recipient.IsZero() {
		v.Recipient = ""
	}
	if !e.TextHash.IsZero() {
		v.TextHash = e.TextHash.String()
	}
	if e.Kind == bawwab.EntryDecision {
		v.Outcome, v.Reason, v.Flag, v.Mode, v.RuleSet = e.Outcome.String(), string(e.Reason), string(e.Flag), e.Mode.String(), e.RuleSet
		if info, ok := e.Reason.Info(); ok && e.Outcome != bawwab.Accept {
			v.Fix = info.Fix
		}
	}
	return v
}

// searchLedger returns at most limit entries matching f, in index order,
// giving up after 10 s.
func (s *Server) searchLedger(ctx context.Context, f bawwab.LedgerFilter, limit int) ([]entryView, bool, error) {
	if s.o.Ledger == nil {
		return nil, false, notImplemented("the ledger")
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var out []entryView
	more := false
	for e, err := range s.o.Ledger.FindEntries(ctx, f) {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				// Out of time: what was found so far, and a hint to
				// narrow the search.
				more = true
				break
			}
			return nil, false, err
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, viewEntry(e))
	}
	return out, more, nil
}

func (s *Server) apiLedger(w http.ResponseWriter, r *http.Request, p *principal) error {
	f, limit, err := s.ledgerQuery(r, p.user)
	if err != nil {
		return err
	}
	es, more, err := s.searchLedger(r.Context(), f, limit)
	if err != nil {
		return err
	}
	if es == nil {
		es = []entryView{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": es, "more": more})
	return nil
}

func (s *Server) apiLedgerEntry(w http.ResponseWriter, r *http.Request, p *principal) error {
	if s.o.Ledger == nil {
		return notImplemented("the ledger")
	}
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil || idx < 0 {
		return errf(bawwab.ENOTFOUND, "ledger entry %q not found", r.PathValue("index"))
	}
	e, err := s.o.Ledger.FindEntryByIndex(r.Context(), idx)
	if err != nil {
		return err
	}
	if (p.user.Role == bawwab.RoleProvider && e.ProviderID != p.user.ProviderID) || (p.user.Role == bawwab.RoleOperator && e.OperatorID != p.user.OperatorID) {
		return errf(bawwab.ENOTFOUND, "ledger entry %d not found", idx)
	}
	writeJSON(w, http.StatusOK, viewEntry(e))
	return nil
}

func (s *Server) ledgerStatus(ctx context.Context) (*LedgerStatus, error) {
	if s.o.LedgerStatus == nil {
		return nil, notImplemented("the ledger status")
	}
	return s.o.LedgerStatus(ctx)
}

func (s *Server) apiLedgerStatus(w http.ResponseWriter, r *http.Request, p *principal) error {
	st, err := s.ledgerStatus(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) complaintFilter(r *http.Request, u *bawwab.User) (bawwab.ComplaintFilter, error) {
	off, lim, err := paging(r)
	if err != nil {
		return bawwab.ComplaintFilter{}, err
	}
	f := bawwab.ComplaintFilter{ProviderID: optString(r, "provider"), Offset: off, Limit: lim}
	if v := r.URL.Query().Get("status"); v != "" {
		st, err := bawwab.ParseComplaintStatus(v)
		if err != nil {
			return f, bawwab.InvalidField("status", "%s", bawwab.ErrorMessage(err))
		}
		f.Status = &st
	}
	if u.Role == bawwab.RoleOperator {
		f.OperatorID = &u.OperatorID
	}
	return f, nil
}

func (s *Server) apiComplaints(w http.ResponseWriter, r *http.Request, p *principal) error {
	if s.o.Store.Complaints == nil {
		return notImplemented("the complaints")
	}
	f, err := s.complaintFilter(r, p.user)
	if err != nil {
		return err
	}
	cs, total, err := s.o.Store.Complaints.FindComplaints(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(cs, total))
	return nil
}

func (s *Server) findComplaint(ctx context.Context, u *bawwab.User, idText string) (*bawwab.Complaint, error) {
	if s.o.Store.Complaints == nil {
		return nil, notImplemented("the complaints")
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil, errf(bawwab.ENOTFOUND, "case %q not found", idText)
	}
	c, err := s.o.Store.Complaints.FindComplaintByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if u.Role == bawwab.RoleOperator && c.OperatorID != u.OperatorID {
		return nil, errf(bawwab.ENOTFOUND, "case %d not found", id)
	}
	return c, nil
}

func (s *Server) apiComplaint(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.findComplaint(r.Context(), p.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) decide(ctx context.Context, p *principal, idText, status, reason string) (*bawwab.Complaint, error) {
	if s.o.Complaints == nil {
		return nil, notImplemented("deciding cases")
	}
	c, err := s.findComplaint(ctx, p.user, idText)
	if err != nil {
		return nil, err
	}
	to, err := bawwab.ParseComplaintStatus(status)
	if err != nil || (to != bawwab.ComplaintConfirmed && to != bawwab.ComplaintDismissed) {
		return nil, bawwab.InvalidField("status", "want confirmed or dismissed")
	}
	if strings.TrimSpace(reason) == "" {
		return nil, bawwab.InvalidField("reason", "missing: say why")
	}
	return s.o.Complaints.Decide(ctx, c.ID, to, p.user.Actor(), strings.TrimSpace(reason))
}

func (s *Server) apiDecide(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	c, err := s.decide(r.Context(), p, r.PathValue("id"), in.Status, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// reportFilter reads a report's filter, in the user's scope.
func (s *Server) reportFilter(r *http.Request, u *bawwab.User) (report.Filter, error) {
	q := r.URL.Query()
	f := report.Filter{ProviderID: q.Get("provider"), OperatorID: q.Get("operator")}
	today := report.LocalDate(s.now(), s.loc())
	f.From, f.To = today.AddDate(0, 0, -6), today
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(x.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return f, bawwab.InvalidField(x.name, "%q is not a date (2025-06-01)", v)
			}
			*x.dst = t
		}
	}
	if f.To.Before(f.From) {
		return f, bawwab.InvalidField("to", "before from")
	}
	if v := q.Get("by"); v != "" {
		by, err := report.ParseBy(v)
		if err != nil {
			return f, bawwab.InvalidField("by", "%s", bawwab.ErrorMessage(err))
		}
		f.By = by
	}
	switch u.Role {
	case bawwab.RoleProvider:
		f.ProviderID = u.ProviderID
	case bawwab.RoleOperator:
		f.OperatorID = u.OperatorID
	}
	return f, nil
}

func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, p *principal) error {
	if s.o.Store.Reports == nil {
		return notImplemented("the reports")
	}
	f, err := s.reportFilter(r, p.user)
	if err != nil {
		return err
	}
	rows, err := report.Table(r.Context(), s.o.Store.Reports, f)
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="bawwab-report-%s-%s.csv"`, f.From.Format(time.DateOnly), f.To.Format(time.DateOnly)))
		return report.WriteCSV(w, rows)
	case "", "json":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		return report.WriteJSON(w, rows)
	}
	return bawwab.InvalidField("format", "want json or csv")
}

// ledgerLen is implemented by the ledgers that know their length, so that
// the portal reads only the recent part of a long ledger.
type ledgerLen interface{ Len() int64 }

// recentWindow is how many of the last entries the portal searches for a
// provider's refusals.
const recentWindow = 2_000_000

// refusals returns a provider's last refused submissions, newest first.
func (s *Server) refusals(ctx context.Context, providerID string, limit int) ([]entryView, error) {
	if s.o.Ledger == nil {
		return nil, notImplemented("the ledger")
	}
	reject := bawwab.Reject
	f := bawwab.LedgerFilter{ProviderID: providerID, Kinds: []bawwab.EntryKind{bawwab.EntryDecision}, Outcome: &reject, WithText: true}
	if l, ok := s.o.Ledger.(ledgerLen); ok {
		f.FromIndex = max(0, l.Len()-recentWindow)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ring := make([]entryView, 0, limit)
	for e, err := range s.o.Ledger.FindEntries(ctx, f) {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			return nil, err
		}
		if len(ring) == limit {
			copy(ring, ring[1:])
			ring = ring[:limit-1]
		}
		ring = append(ring, viewEntry(e))
	}
	slices.Reverse(ring)
	return ring, nil
}

// whose returns the provider a request is about: the user's own, or for
// a regulator the one named in the query.
func whose(r *http.Request, u *bawwab.User) (string, error) {
	if u.Role == bawwab.RoleProvider {
		return u.ProviderID, nil
	}
	id := r.URL.Query().Get("provider")
	if id == "" {
		return "", bawwab.InvalidField("provider", "missing: whose?")
	}
	return id, nil
}

func (s *Server) apiRefusals(w http.ResponseWriter, r *http.Request, p *principal) error {
	id, err := whose(r, p.user)
	if err != nil {
		return err
	}
	if p.user.Role == bawwab.RoleOperator {
		return errf(bawwab.EFORBIDDEN, "a provider's refusals are for the provider and the regulators")
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			return bawwab.InvalidField("limit", "want 1 to 500")
		}
	}
	es, err := s.refusals(r.Context(), id, limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(es, len(es)))
	return nil
}

// writeOptouts streams the opposition states concerning a provider after
// since, as CSV, and sets X-Bawwab-Next-Since before the body.
func (s *Server) writeOptouts(w http.ResponseWriter, r *http.Request, u *bawwab.User) error {
	if s.o.Store.Oppositions == nil {
		return notImplemented("the opposition register")
	}
	id, err := whose(r, u)
	if err != nil {
		return err
	}
	var since int64
	if v := r.URL.Query().Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return bawwab.InvalidField("since", "want a sequence number")
		}
	}
	ctx := bawwab.NewContextWithProvider(r.Context(), id)
	// The next since is the last sequence number seen, which is known
	// only at the end: read into a temporary buffer of rows first.
	var rows [][]string
	next := since
	for o, err := range s.o.Store.Oppositions.StreamOppositionStates(ctx, since) {
		if err != nil {
			return err
		}
		rows = append(rows, []string{o.MSISDN, o.Scope.String(), o.Action.String(), o.At.UTC().Format(time.RFC3339), strconv.FormatInt(o.Seq, 10)})
		next = max(next, o.Seq)
		if len(rows) > 5_000_000 {
			return errf(bawwab.EINVALID, "more than 5 million changes: download the list in force (since=0) or a later delta")
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="optouts-%s-since-%d.csv"`, id, since))
	w.Header().Set("X-Bawwab-Next-Since", strconv.FormatInt(next, 10))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"msisdn", "scope", "action", "at", "seq"})
	_ = cw.WriteAll(rows)
	return cw.Error()
}

func (s *Server) apiOptouts(w http.ResponseWriter, r *http.Request, p *principal) error {
	return s.writeOptouts(w, r, p.user)
}

func (s *Server) apiKeys(w http.ResponseWriter, r *http.Request, p *principal) error {
	id, err := whose(r, p.user)
	if err != nil {
		return err
	}
	keys, err := s.apiKeyList(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(keys, len(keys)))
	return nil
}

func (s *Server) apiKeyList(ctx context.Context, providerID string) ([]accountView, error) {
	kind := bawwab.AccountAPI
	accs, _, err := s.o.Store.Registry.FindAccounts(ctx, bawwab.AccountFilter{ProviderID: &providerID, Kind: &kind})
	if err != nil {
		return nil, err
	}
	out := []accountView{}
	for _, a := range accs {
		out = append(out, viewAccount(a))
	}
	return out, nil
}

// newKey is a created API key: the only time the key is shown.
type newKey struct {
	accountView
	Key string `json:"key"`
}

// createKey makes an API key in the gateway's format (internal/secret's
// NewAPIKey: "bwk_", the public ID, "_", the secret); only the hash of the
// whole key is stored, and the key is shown once.
func (s *Server) createKey(ctx context.Context, p *principal, providerID string, rate float64) (*newKey, error) {
	if err := s.needAudit(); err != nil {
		return nil, err
	}
	if rate < 0 {
		return nil, bawwab.InvalidField("rate_limit", "negative")
	}
	id, key, err := secret.NewAPIKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	h, err := hashPassword(key)
	if err != nil {
		return nil, err
	}
	a := &bawwab.Account{ID: id, ProviderID: providerID, Kind: bawwab.AccountAPI, SecretHash: h, RateLimit: rate}
	if err := s.o.Store.Registry.CreateAccount(ctx, a); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, p, "create", "account:"+id, "API key of "+providerID); err != nil {
		return nil, err
	}
	return &newKey{accountView: viewAccount(a), Key: key}, nil
}

func (s *Server) apiCreateKey(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in struct {
		ProviderID string  `json:"provider_id"`
		RateLimit  float64 `json:"rate_limit"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := checkOrg(p.user, "provider_id", in.ProviderID, ""); err != nil {
		return err
	}
	id := p.user.ProviderID
	if p.user.Role == bawwab.RoleRegulator {
		if id = in.ProviderID; id == "" {
			return bawwab.InvalidField("provider_id", "missing: whose key?")
		}
	}
	k, err := s.createKey(r.Context(), p, id, in.RateLimit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, k)
	return nil
}

func (s *Server) deleteKey(ctx context.Context, p *principal, id string) error {
	if err := s.needAudit(); err != nil {
		return err
	}
	a, err := s.o.Store.Registry.FindAccountByID(ctx, id)
	if err != nil {
		return err
	}
	if a.Kind != bawwab.AccountAPI {
		return errf(bawwab.ENOTFOUND, "API key %q not found", id)
	}
	if err := s.o.Store.Registry.DeleteAccount(ctx, id); err != nil {
		return err
	}
	return s.audit(ctx, p, "delete", "account:"+id, "API key of "+a.ProviderID+" revoked")
}

func (s *Server) apiDeleteKey(w http.ResponseWriter, r *http.Request, p *principal) error {
	if err := s.deleteKey(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) apiUsers(w http.ResponseWriter, r *http.Request, p *principal) error {
	us, total, err := s.o.Users.FindUsers(r.Context(), bawwab.UserFilter{})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(us, total))
	return nil
}

// userInput is a new console account; Org is its provider or operator
// (the API also takes provider_id and operator_id).
type userInput struct {
	Name       string `json:"name"`
	Password   string `json:"password"`
	Role       string `json:"role"`
	ProviderID string `json:"provider_id"`
	OperatorID string `json:"operator_id"`
	Org        string `json:"-"`
}

func (s *Server) createUser(ctx context.Context, p *principal, in userInput) (*bawwab.User, error) {
	if err := s.needAudit(); err != nil {
		return nil, err
	}
	role, err := bawwab.ParseRole(in.Role)
	if err != nil {
		return nil, bawwab.InvalidField("role", "%s", bawwab.ErrorMessage(err))
	}
	if in.Org != "" {
		switch role {
		case bawwab.RoleProvider:
			in.ProviderID = in.Org
		case bawwab.RoleOperator:
			in.OperatorID = in.Org
		}
	}
	if len(in.Password) < MinPasswordLen {
		return nil, bawwab.InvalidField("password", "at least %d characters", MinPasswordLen)
	}
	h, err := HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &bawwab.User{Name: in.Name, Role: role, ProviderID: in.ProviderID, OperatorID: in.OperatorID, PasswordHash: h}
	if err := s.o.Users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, s.audit(ctx, p, "create", "user:"+u.Name, "console account, role "+role.String()+" "+u.ProviderID+u.OperatorID)
}

func (s *Server) apiCreateUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in userInput
	if err := readJSON(r, &in); err != nil {
		return err
	}
	u, err := s.createUser(r.Context(), p, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) disableUser(ctx context.Context, p *principal, name string) (*bawwab.User, error) {
	if err := s.needAudit(); err != nil {
		return nil, err
	}
	yes := true
	u, err := s.o.Users.UpdateUser(ctx, name, bawwab.UserUpdate{Disabled: &yes})
	if err != nil {
		return nil, err
	}
	if _, err := s.o.Users.DeleteUserSessions(ctx, name); err != nil {
		return nil, err
	}
	return u, s.audit(ctx, p, "update", "user:"+name, "console account disabled")
}

func (s *Server) apiDisableUser(w http.ResponseWriter, r *http.Request, p *principal) error {
	u, err := s.disableUser(r.Context(), p, r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// changePassword checks the current password, stores the new one and
// ends the user's other sessions.
func (s *Server) changePassword(r *http.Request, p *principal, current, next string) error {
	if wait := s.limiter.blocked(p.user.Name, s.clientIP(r), s.now()); wait > 0 {
		return &bawwab.Error{Code: "rate_limited", Message: "too many failed attempts: try again in " + wait.Round(time.Second).String()}
	}
	if err := secret.Verify(p.user.PasswordHash, current); err != nil {
		s.limiter.fail(p.user.Name, s.clientIP(r), s.now())
		return bawwab.InvalidField("current", "wrong password")
	}
	if len(next) < MinPasswordLen {
		return bawwab.InvalidField("new", "at least %d characters", MinPasswordLen)
	}
	h, err := HashPassword(next)
	if err != nil {
		return err
	}
	// The store context of a provider's user may not change users; this
	// change is the user's own, checked above, so it is made outside it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.o.Users.UpdateUser(ctx, p.user.Name, bawwab.UserUpdate{PasswordHash: &h}); err != nil {
		return err
	}
	if _, err := s.o.Users.DeleteUserSessions(ctx, p.user.Name); err != nil {
		return err
	}
	// Keep this session: make it again with the same token.
	if err := s.o.Users.CreateSession(ctx, p.session); err != nil {
		return err
	}
	s.log.Info("web: password changed", "user", p.user.Name)
	return nil
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request, p *principal) error {
	var in struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if err := readJSON(r, &in); err != nil {
		return err
	}
	if err := s.changePassword(r, p, in.Current, in.New); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
