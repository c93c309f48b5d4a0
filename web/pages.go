package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/report"
)

// view is what every page template gets.
type view struct {
	Lang  string
	User  *bawwab.User
	CSRF  string
	Path  string
	Title string
	Msg   string
	Data  any
}

// Langs lists the other languages, for the switch.
func (v *view) Langs() []string { return languages }

// parseTemplates parses each page with the layout, once per language.
func (s *Server) parseTemplates() error {
	s.tmpl = map[string]*template.Template{}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	for _, lang := range languages {
		funcs := template.FuncMap{
			"t":      func(s string) string { return tr(lang, s) },
			"date":   func(t time.Time) string { return fmtTime(t, "2006-01-02") },
			"time":   func(t time.Time) string { return fmtTime(t, "2006-01-02 15:04 UTC") },
			"pct":    func(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) + " %" },
			"count":  func(n int64) string { return fmtCount(float64(n)) },
			"reason": func(r any) string { return reasonSummary(lang, bawwab.Reason(fmt.Sprint(r))) },
			"fix":    func(r any) string { return reasonFix(lang, bawwab.Reason(fmt.Sprint(r))) },
			"query":  func(k, v string) string { return url.QueryEscape(k) + "=" + url.QueryEscape(v) },
			"str":    func(v fmt.Stringer) string { return v.String() },
			"add":    func(a, b int) int { return a + b },
			"int":    func(n int64) int { return int(n) },
			"list":   func(v ...string) []string { return v },
			"json": func(v any) string {
				b, _ := json.Marshal(v)
				return string(b)
			},
		}
		for _, p := range pages {
			name := path.Base(p)
			if name == "layout.html" {
				continue
			}
			t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
			if err != nil {
				return fmt.Errorf("web: parse %s: %w", p, err)
			}
			s.tmpl[lang+"/"+name] = t
		}
	}
	return nil
}

func fmtTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(layout)
}

// reasonSummary is a reason's one line for people, in lang.
func reasonSummary(lang string, r bawwab.Reason) string {
	if fr, ok := frenchReasons[r]; ok && lang == "fr" {
		return fr.summary
	}
	if info, ok := r.Info(); ok {
		return info.Summary
	}
	return string(r)
}

// reasonFix is what to change against a reason, in lang.
func reasonFix(lang string, r bawwab.Reason) string {
	if fr, ok := frenchReasons[r]; ok && lang == "fr" {
		return fr.fix
	}
	if info, ok := r.Info(); ok {
		return info.Fix
	}
	return ""
}

// render writes a page, buffered so that a template error gives a clean
// error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	v.Lang = language(r)
	v.Path = r.URL.Path
	if v.Msg == "" {
		v.Msg = r.URL.Query().Get("msg")
	}
	t := s.tmpl[v.Lang+"/"+name]
	var buf bytes.Buffer
	if t == nil {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type pageHandler func(w http.ResponseWriter, r *http.Request, p *principal) error

// page registers a console page: a visitor without a session is sent to
// the login page; a POST must carry the session's CSRF token.
func (s *Server) page(pattern string, rs roles, h pageHandler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.logError(r, err)
			s.renderError(w, r, nil, err)
			return
		}
		if p == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if !rs.allow(p.user.Role) {
			s.renderError(w, r, p, errf(bawwab.EFORBIDDEN, "this page is for: %s", rs))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
			if !checkCSRF(r, p) {
				s.renderError(w, r, p, errf(bawwab.EFORBIDDEN, "the form expired or came from elsewhere: reload the page and try again"))
				return
			}
		}
		err = otherOrg(r.URL.Query(), p.user)
		if err == nil && r.Method == http.MethodPost {
			err = otherOrg(r.PostForm, p.user)
		}
		if err != nil {
			s.renderError(w, r, p, err)
			return
		}
		r = r.WithContext(context.WithValue(scopeContext(r.Context(), p.user), principalKey{}, p))
		if err := h(w, r, p); err != nil {
			s.logError(r, err)
			s.renderError(w, r, p, err)
		}
	})
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, p *principal, err error) {
	v := &view{Title: "Error", Data: bawwab.ErrorMessage(err)}
	if p != nil {
		v.User, v.CSRF = p.user, p.session.CSRFToken
	}
	s.render(w, r, httpStatus(bawwab.ErrorCode(err)), "error.html", v)
}

func (s *Server) show(w http.ResponseWriter, r *http.Request, p *principal, name, title string, data any) error {
	s.render(w, r, http.StatusOK, name, &view{User: p.user, CSRF: p.session.CSRFToken, Title: title, Data: data})
	return nil
}

// done redirects after a successful form with a message.
func done(w http.ResponseWriter, r *http.Request, to, msg string) error {
	http.Redirect(w, r, to+"?msg="+url.QueryEscape(msg), http.StatusSeeOther)
	return nil
}

func (s *Server) registerPages() {
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(Static)))
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.loginPost)
	s.mux.HandleFunc("GET /lang/{lang}", s.setLang)
	s.page("POST /logout", anyRole, s.logoutPost)
	s.page("GET /{$}", anyRole, s.overviewPage)
	s.page("GET /providers", anyRole, s.providersPage)
	s.page("GET /providers/{id}", anyRole, s.providerPage)
	s.page("POST /providers/{id}/measures", regulatorOnly, s.measurePost)
	s.page("POST /measures/{id}/lift", regulatorOnly, s.liftPost)
	s.page("GET /registry", regulatorOnly, s.registryPage)
	s.page("POST /registry/{kind}/{key}/delete", regulatorOnly, s.registryDeletePost)
	s.page("POST /registry/import", regulatorOnly, s.registryImportPost)
	s.page("POST /registry/put", regulatorOnly, s.registryPutPost)
	s.page("GET /account", anyRole, func(w http.ResponseWriter, r *http.Request, p *principal) error {
		return s.show(w, r, p, "account.html", "My account", p.user)
	})
	s.page("POST /account/password", anyRole, func(w http.ResponseWriter, r *http.Request, p *principal) error {
		if err := s.changePassword(r, p, r.PostFormValue("current"), r.PostFormValue("new")); err != nil {
			return err
		}
		return done(w, r, "/account", "Password changed.")
	})
	s.page("GET /users", regulatorOnly, s.usersPage)
	s.page("POST /users", regulatorOnly, s.userPost)
	s.page("POST /users/{name}/disable", regulatorOnly, s.userDisablePost)
	s.page("GET /ledger", anyRole, s.ledgerPage)
	s.page("GET /complaints", anyRole, s.complaintsPage)
	s.page("GET /complaints/{id}", anyRole, s.complaintPage)
	s.page("POST /complaints/{id}/decision", staff, s.decisionPost)
	s.page("GET /reports", anyRole, s.reportsPage)
	s.page("GET /portal", regProvider, s.portalPage)
	s.page("GET /portal/optouts.csv", regProvider, func(w http.ResponseWriter, r *http.Request, p *principal) error { return s.writeOptouts(w, r, p.user) })
	s.page("POST /portal/keys", providerOnly, s.keyPost)
	s.page("POST /portal/keys/{id}/revoke", providerOnly, s.revokePost)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p, _ := s.authenticate(r)
		s.renderError(w, r, p, errf(bawwab.ENOTFOUND, "no page %s", r.URL.Path))
	})
}

// safeNext keeps a post-login redirect on this site: a path, without
// the control characters and backslashes browsers drop or read as a
// slash ("/\t/evil" would become "//evil").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login.html", &view{Title: "Log in", Data: map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
	next := safeNext(r.PostFormValue("next"))
	_, _, token, err := s.login(r.Context(), r, r.PostFormValue("name"), r.PostFormValue("password"))
	if err != nil {
		s.logError(r, err)
		msg := bawwab.ErrorMessage(err)
		if err == errBadLogin {
			msg = tr(language(r), "Wrong name or password.")
		}
		s.render(w, r, httpStatus(bawwab.ErrorCode(err)), "login.html", &view{Title: "Log in", Msg: msg, Data: map[string]string{"Next": next, "Name": r.PostFormValue("name")}})
		return
	}
	s.setSessionCookie(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logoutPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	if err := s.o.Users.DeleteSession(r.Context(), p.session.ID); err != nil {
		return err
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	ok := false
	for _, l := range languages {
		ok = ok || l == lang
	}
	if ok {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies(r)})
	}
	http.Redirect(w, r, safeNext(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// overviewData is the overview page: the figures and their charts.
type overviewData struct {
	O            *report.Overview
	Hourly       template.HTML
	Daily        template.HTML
	Reasons      template.HTML
	Trend        template.HTML
	TopViolators template.HTML
}

func volumeChart(title string, vs []report.Volume, label func(time.Time) string, lang string) template.HTML {
	labels := make([]string, len(vs))
	acc, def, rej := make([]float64, len(vs)), make([]float64, len(vs)), make([]float64, len(vs))
	for i, v := range vs {
		labels[i] = label(v.Time)
		acc[i], def[i], rej[i] = float64(v.Accepted), float64(v.Deferred), float64(v.Rejected)
	}
	return stackedBars(tr(lang, title), labels, []series{
		{tr(lang, "accepted"), "s-accepted", acc}, {tr(lang, "deferred"), "s-deferred", def}, {tr(lang, "rejected"), "s-rejected", rej}})
}

func (s *Server) overviewCharts(o *report.Overview, lang string) *overviewData {
	d := &overviewData{O: o}
	loc := s.loc()
	d.Hourly = volumeChart("Messages per hour, last 48 hours", o.Hourly, func(t time.Time) string { return t.In(loc).Format("15h") }, lang)
	d.Daily = volumeChart("Messages per day, last 30 days", o.Daily, func(t time.Time) string { return t.Format("02/01") }, lang)
	var rows []bar
	for _, rc := range o.Reasons {
		rows = append(rows, bar{Label: string(rc.Reason), Value: float64(rc.Rejected + rc.Deferred + rc.Monitored + rc.Flagged)})
	}
	d.Reasons = hbars(tr(lang, "Decisions by reason, 30 days"), rows)
	labels := make([]string, len(o.Trend))
	stops, starts, opened, confirmed := make([]float64, len(o.Trend)), make([]float64, len(o.Trend)), make([]float64, len(o.Trend)), make([]float64, len(o.Trend))
	for i, p := range o.Trend {
		labels[i] = p.Day.Format("02/01")
		stops[i], starts[i] = float64(p.Stops), float64(p.Starts)
		opened[i], confirmed[i] = float64(p.ComplaintsOpened+p.ComplaintsUnmatched), float64(p.ComplaintsConfirmed)
	}
	d.Trend = lines(tr(lang, "Oppositions and complaints per day"), labels, []series{
		{tr(lang, "STOP"), "s-stop", stops}, {tr(lang, "START"), "s-start", starts}, {tr(lang, "complaints"), "s-complaint", opened}, {tr(lang, "confirmed"), "s-confirmed", confirmed}})
	var top []bar
	for _, v := range o.TopViolators {
		top = append(top, bar{Label: v.ProviderID, Value: float64(v.Violations + v.ComplaintsConfirmed)})
	}
	d.TopViolators = hbars(tr(lang, "Top providers by violations"), top)
	return d
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	o, err := s.overview(r.Context(), p.user)
	if err != nil {
		return err
	}
	return s.show(w, r, p, "overview.html", "Overview", s.overviewCharts(o, language(r)))
}

func (s *Server) providersPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	rows, err := s.providerRows(r.Context(), p.user, nil)
	if err != nil {
		return err
	}
	if p.user.Role == bawwab.RoleProvider && len(rows) == 1 {
		http.Redirect(w, r, "/providers/"+url.PathEscape(rows[0].ID), http.StatusSeeOther)
		return nil
	}
	return s.show(w, r, p, "providers.html", "Providers", rows)
}

func (s *Server) providerPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	d, err := s.providerDetail(r.Context(), p.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.show(w, r, p, "provider.html", d.Provider.Name, d)
}

func (s *Server) measurePost(w http.ResponseWriter, r *http.Request, p *principal) error {
	in := measureInput{Kind: r.PostFormValue("kind"), Reason: r.PostFormValue("reason")}
	if v := r.PostFormValue("rate"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return bawwab.InvalidField("rate", "not a number")
		}
		in.Rate = f
	}
	id := r.PathValue("id")
	if _, err := s.takeMeasure(r.Context(), p, id, in); err != nil {
		return err
	}
	return done(w, r, "/providers/"+url.PathEscape(id), "Measure taken.")
}

func (s *Server) liftPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	m, err := s.liftMeasure(r.Context(), p, r.PathValue("id"), r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	return done(w, r, "/providers/"+url.PathEscape(m.ProviderID), "Measure lifted.")
}

// registryData is the registry page: the kinds, and the records of one.
type registryData struct {
	Kinds   []kindCount
	Kind    string
	Records []any
	Keys    []string
	Offset  int
	Total   int
	Prev    int
	Next    int
}

func (s *Server) registryPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	counts, err := s.kindCounts(r.Context())
	if err != nil {
		return err
	}
	d := &registryData{Kinds: counts, Kind: r.URL.Query().Get("kind"), Prev: -1, Next: -1}
	if d.Kind == "" {
		d.Kind = string(bawwab.KindProvider)
	}
	k, err := lookupKind(d.Kind)
	if err != nil {
		return err
	}
	d.Offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	d.Offset = max(d.Offset, 0)
	const per = 50
	rs, n, err := k.list(r.Context(), s.o.Store.Registry, d.Offset, per)
	if err != nil {
		return err
	}
	d.Total = n
	for _, x := range rs {
		d.Records = append(d.Records, redact(x))
		d.Keys = append(d.Keys, x.Key())
	}
	if d.Offset > 0 {
		d.Prev = max(0, d.Offset-per)
	}
	if d.Offset+per < n {
		d.Next = d.Offset + per
	}
	return s.show(w, r, p, "registry.html", "Registry", d)
}

func (s *Server) registryDeletePost(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	if err := s.deleteRecord(r.Context(), p, k, r.PathValue("key")); err != nil {
		return err
	}
	http.Redirect(w, r, "/registry?kind="+url.QueryEscape(string(k.kind))+"&msg="+url.QueryEscape("Record deleted."), http.StatusSeeOther)
	return nil
}

// ledgerData is the ledger page.
type ledgerData struct {
	Q url.Values
	// Next is the query of the next page, when there is more.
	Next    string
	Status  *LedgerStatus
	Entries []entryView
	More    bool
	Err     string
	Kinds   []string
	Reasons []bawwab.ReasonInfo
}

func (s *Server) ledgerPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	d := &ledgerData{Q: r.URL.Query(), Reasons: bawwab.Reasons()}
	for k := bawwab.EntryKind(1); k.Valid(); k++ {
		d.Kinds = append(d.Kinds, k.String())
	}
	if st, err := s.ledgerStatus(r.Context()); err == nil {
		d.Status = st
	}
	if len(d.Q) > 0 && d.Q.Get("msg") == "" {
		f, limit, err := s.ledgerQuery(r, p.user)
		if err == nil {
			d.Entries, d.More, err = s.searchLedger(r.Context(), f, limit)
		}
		if err != nil {
			if bawwab.ErrorCode(err) == bawwab.EINTERNAL {
				return err
			}
			d.Err = bawwab.ErrorMessage(err)
		}
		if d.More && len(d.Entries) > 0 {
			next := url.Values{}
			for k, v := range d.Q {
				next[k] = v
			}
			next.Set("after", strconv.FormatInt(d.Entries[len(d.Entries)-1].Index, 10))
			d.Next = "/ledger?" + next.Encode()
		}
	}
	return s.show(w, r, p, "ledger.html", "Ledger", d)
}

type complaintsData struct {
	Status string
	Cases  []*bawwab.Complaint
	Total  int
}

func (s *Server) complaintsPage(w http.ResponseWriter, r *http.Request, p *principal) error {
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
	return s.show(w, r, p, "complaints.html", "Complaints", &complaintsData{Status: r.URL.Query().Get("status"), Cases: cs, Total: total})
}

func (s *Server) complaintPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.findComplaint(r.Context(), p.user, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.show(w, r, p, "complaint.html", "Case", c)
}

func (s *Server) decisionPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	c, err := s.decide(r.Context(), p, r.PathValue("id"), r.PostFormValue("status"), r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	return done(w, r, "/complaints/"+strconv.FormatInt(c.ID, 10), "Case decided.")
}

type reportsData struct {
	From, To string
	By       string
	Rows     []report.Row
	Reasons  []bawwab.ReasonInfo
	CSV      string
}

func (s *Server) reportsPage(w http.ResponseWriter, r *http.Request, p *principal) error {
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
	q := url.Values{"from": {f.From.Format(time.DateOnly)}, "to": {f.To.Format(time.DateOnly)}, "format": {"csv"}}
	if v := r.URL.Query().Get("by"); v != "" {
		q.Set("by", v)
	}
	return s.show(w, r, p, "reports.html", "Reports", &reportsData{From: f.From.Format(time.DateOnly), To: f.To.Format(time.DateOnly), By: r.URL.Query().Get("by"),
		Rows: rows, CSV: "/api/v1/reports?" + q.Encode()})
}

// portalData is a provider's own page.
type portalData struct {
	ProviderID string
	Overview   *overviewData
	Refusals   []entryView
	ByReason   []reasonCount
	Keys       []accountView
	NewKey     string
	Err        string
	// Providers is the regulator's choice of whose portal to view, when
	// no provider is named.
	Providers []*bawwab.Provider
}

func (s *Server) portalPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	if p.user.Role == bawwab.RoleRegulator && r.URL.Query().Get("provider") == "" {
		// A regulator picks the provider whose portal to see.
		ps, err := s.visibleProviders(r.Context(), p.user, nil)
		if err != nil {
			return err
		}
		return s.show(w, r, p, "portal.html", "Provider portals", &portalData{Providers: ps})
	}
	id, err := whose(r, p.user)
	if err != nil {
		return err
	}
	d := &portalData{ProviderID: id}
	u := p.user
	if u.Role == bawwab.RoleRegulator {
		scoped := *u
		scoped.ProviderID = id
		u = &scoped
	}
	o, err := s.overview(r.Context(), u)
	if err != nil {
		return err
	}
	d.Overview = s.overviewCharts(o, language(r))
	for _, rc := range o.Reasons {
		d.ByReason = append(d.ByReason, reasonCount{rc.Reason, rc.Rejected})
	}
	if d.Refusals, err = s.refusals(r.Context(), id, 50); err != nil && bawwab.ErrorCode(err) != bawwab.ENOTIMPLEMENTED {
		return err
	}
	if d.Keys, err = s.apiKeyList(r.Context(), id); err != nil {
		return err
	}
	return s.show(w, r, p, "portal.html", "My portal", d)
}

func (s *Server) keyPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := s.createKey(r.Context(), p, p.user.ProviderID, 0)
	if err != nil {
		return err
	}
	// The key is shown once, on this answer, never in a URL.
	d := &portalData{ProviderID: p.user.ProviderID, NewKey: k.Key}
	if d.Keys, err = s.apiKeyList(r.Context(), p.user.ProviderID); err != nil {
		return err
	}
	return s.show(w, r, p, "portal.html", "My portal", d)
}

func (s *Server) revokePost(w http.ResponseWriter, r *http.Request, p *principal) error {
	if err := s.deleteKey(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	return done(w, r, "/portal", "Key revoked.")
}

func (s *Server) registryImportPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PostFormValue("kind"))
	if err != nil {
		return err
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return bawwab.InvalidField("file", "missing: choose a CSV file")
	}
	defer f.Close()
	res, err := s.importCSV(r.Context(), p, k, f)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/registry?kind=%s&msg=%s", url.QueryEscape(string(k.kind)),
		url.QueryEscape(fmt.Sprintf("%s %d / %d", tr(language(r), "Records imported."), res.Changes, res.Records))), http.StatusSeeOther)
	return nil
}

// registryPutPost creates or replaces one record given as JSON, as the
// API's PUT does.
func (s *Server) registryPutPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PostFormValue("kind"))
	if err != nil {
		return err
	}
	x, _ := bawwab.NewRecord(k.kind)
	dec := json.NewDecoder(strings.NewReader(r.PostFormValue("record")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(x); err != nil {
		return bawwab.Errorf(bawwab.EINVALID, "the record is not valid JSON for a %s: %v", k.kind, err)
	}
	if err := s.putRecord(r.Context(), p, x); err != nil {
		return err
	}
	http.Redirect(w, r, "/registry?kind="+url.QueryEscape(string(k.kind))+"&msg="+url.QueryEscape("Done."), http.StatusSeeOther)
	return nil
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, p *principal) error {
	us, _, err := s.o.Users.FindUsers(r.Context(), bawwab.UserFilter{})
	if err != nil {
		return err
	}
	return s.show(w, r, p, "users.html", "Accounts", us)
}

func (s *Server) userPost(w http.ResponseWriter, r *http.Request, p *principal) error {
	in := userInput{Name: r.PostFormValue("name"), Password: r.PostFormValue("password"), Role: r.PostFormValue("role"), Org: r.PostFormValue("org")}
	if _, err := s.createUser(r.Context(), p, in); err != nil {
		return err
	}
	return done(w, r, "/users", "Done.")
}

func (s *Server) userDisablePost(w http.ResponseWriter, r *http.Request, p *principal) error {
	if _, err := s.disableUser(r.Context(), p, r.PathValue("name")); err != nil {
		return err
	}
	return done(w, r, "/users", "Done.")
}
