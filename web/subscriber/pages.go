package subscriber

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// pageNames are the pages, each parsed with the layout and the parts.
var pageNames = []string{"start", "verify", "home", "error"}

func (s *Server) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return fmt.Errorf("subscriber: templates: %w", err)
		}
		s.pages[name] = t
	}
	return nil
}

// page is what a template sees.
type page struct {
	Lang       lang
	Langs      []lang
	path       string
	CSRF       string
	Error      string // a reason code
	Flash      string
	ReceiptSeq int64
	Masked     string
	Query      string
	View       *overview
	loc        *time.Location
}

// isolate keeps a number or a date in left-to-right order inside Arabic
// text (Unicode's LRI ... PDI).
func isolate(s string) string { return "\u2066" + s + "\u2069" }

// T returns a text in the page's language.
func (p *page) T(key string) string {
	if m, ok := messages[p.Lang.Code][key]; ok {
		return m
	}
	return messages["fr"][key]
}

// Tf formats a text in the page's language.
func (p *page) Tf(key string, args ...any) string { return fmt.Sprintf(p.T(key), args...) }

// Date formats a time in the pages' time zone.
func (p *page) Date(t time.Time) string { return isolate(date(t, p.loc)) }

// Join lists sender IDs.
func (p *page) Join(v []string) string { return isolate(strings.Join(v, ", ")) }

// ScopeName names a scope in the page's language.
func (p *page) ScopeName(st scopeState) string {
	switch {
	case st.Scope == "national":
		return p.T("national")
	case strings.HasPrefix(st.Scope, "provider:"):
		return st.Name + p.T("provider.all")
	}
	return st.Name
}

// LangURL is the link of the language switch.
func (p *page) LangURL(code string) string {
	return p.path + "?lang=" + url.QueryEscape(code)
}

// changeForm is one STOP or START button.
type changeForm struct {
	CSRF, Scope, Action, Text, Label, Query string
}

// Change builds a STOP or START button.
func (p *page) Change(scope, action, text, label string) changeForm {
	return changeForm{CSRF: p.CSRF, Scope: scope, Action: action, Text: text, Label: label, Query: p.Query}
}

func (s *Server) newPage(w http.ResponseWriter, r *http.Request, sess *session) *page {
	p := &page{Lang: pickLang(w, r, s.secureCookies(r)), Langs: langs, path: "/subscriber/", loc: s.opts.Location}
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/subscriber/") {
		p.path = r.URL.Path
	}
	if sess != nil {
		p.CSRF = sess.csrf
	}
	return p
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.opts.Logger.Error("subscriber: render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang.Code)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, reason string) {
	p := s.newPage(w, r, nil)
	p.Error = reason
	s.render(w, status, "error", p)
}

func (s *Server) renderFailure(w http.ResponseWriter, r *http.Request, err error) {
	f := asFailure(err)
	if f.status >= 500 {
		s.opts.Logger.Error("subscriber: request failed", "path", r.URL.Path, "err", err)
	}
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
	}
	s.renderError(w, r, f.status, f.reason)
}

func (s *Server) cookieName() string {
	if s.opts.InsecureCookies {
		return "bawwab-sub"
	}
	return "__Host-bawwab-sub"
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode,
	})
}

// secureCookies reports whether cookies are marked Secure: unless turned
// off for development, and always when the request came over TLS.
func (s *Server) secureCookies(r *http.Request) bool {
	return !s.opts.InsecureCookies || r.TLS != nil
}

// cookieSession returns the session of the request's cookie, or nil.
func (s *Server) cookieSession(r *http.Request) *session {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil
	}
	x := s.sessions.get(c.Value, s.opts.Now())
	if x == nil || x.api {
		return nil
	}
	return x
}

// preToken returns the CSRF token of a visitor without a session: the
// HMAC of a random value kept in a cookie of its own. Nothing is stored
// until a code is sent, so that visitors who only look cost no memory.
func (s *Server) preToken(w http.ResponseWriter, r *http.Request) (string, error) {
	name := s.cookieName() + "-pre"
	if c, err := r.Cookie(name); err == nil && len(c.Value) == 43 {
		return s.preMAC(c.Value), nil
	}
	v, err := randomToken(s.opts.Rand)
	if err != nil {
		return "", internal(err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: v, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode,
	})
	return s.preMAC(v), nil
}

func (s *Server) preMAC(v string) string {
	m := hmac.New(sha256.New, s.codes.key)
	io.WriteString(m, "csrf\x00")
	io.WriteString(m, v)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPreToken checks a posted token against the visitor's cookie.
func (s *Server) checkPreToken(r *http.Request) bool {
	c, err := r.Cookie(s.cookieName() + "-pre")
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.preMAC(c.Value))) == 1
}

func busy(err error) *failure {
	if err == errSessionsFull {
		return &failure{status: http.StatusServiceUnavailable, reason: reasonBusy, msg: "too many sessions; try again later", retryAfter: time.Minute, err: err}
	}
	return internal(err)
}

// parseForm reads a posted form, small.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, reasonBadRequest)
		return false
	}
	return true
}

// checkForm reads a posted form (small) and checks its CSRF token against
// the session's.
func (s *Server) checkForm(w http.ResponseWriter, r *http.Request, x *session) bool {
	if !s.parseForm(w, r) {
		return false
	}
	if x == nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(x.csrf)) != 1 {
		s.renderError(w, r, http.StatusForbidden, reasonCSRF)
		return false
	}
	return true
}

func (s *Server) pageHome(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	p := s.newPage(w, r, x)
	if x == nil {
		tok, err := s.preToken(w, r)
		if err != nil {
			s.renderFailure(w, r, err)
			return
		}
		p.CSRF = tok
		s.render(w, http.StatusOK, "start", p)
		return
	}
	if x.number == "" {
		if r.URL.Query().Has("other") {
			s.sessions.update(x.id, func(x *session) { x.pending = "" })
		}
		s.render(w, http.StatusOK, "start", p)
		return
	}
	s.home(w, r, x, p, http.StatusOK)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, x *session, p *page, status int) {
	q := r.URL.Query()
	p.Query = q.Get("q")
	if len(p.Query) > 60 {
		p.Query = p.Query[:60]
	}
	p.Masked = isolate(mask(x.number))
	v, err := s.overview(r.Context(), x.number, p.Query)
	if err != nil {
		s.renderFailure(w, r, err)
		return
	}
	p.View = v
	if seq, err := strconv.ParseInt(q.Get("done"), 10, 64); err == nil {
		if o, name, err := s.event(r.Context(), x.number, seq); err == nil {
			p.Flash, p.ReceiptSeq = flash(p, o, name), o.Seq
		}
	} else if q.Has("unchanged") {
		p.Flash = p.T("unchanged")
	}
	s.render(w, status, "home", p)
}

func flash(p *page, o *bawwab.Opposition, name string) string {
	switch {
	case o.Scope.Kind == bawwab.ScopeNational && o.Action == bawwab.ActionStop:
		return p.T("done.stop.all")
	case o.Scope.Kind == bawwab.ScopeNational:
		return p.T("done.start.all")
	case o.Action == bawwab.ActionStop:
		return p.Tf("done.stop", isolate(name))
	}
	return p.Tf("done.start", isolate(name))
}

func (s *Server) pageRequestCode(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if x != nil {
		if !s.checkForm(w, r, x) {
			return
		}
	} else if !s.parseForm(w, r) {
		return
	} else if !s.checkPreToken(r) {
		s.renderError(w, r, http.StatusForbidden, reasonCSRF)
		return
	}
	number, err := s.requestCode(r.Context(), r.PostForm.Get("msisdn"), s.opts.ClientAddress(r))
	if err != nil {
		f := asFailure(err)
		if f.status >= 500 && f.reason != reasonSendFailed {
			s.renderFailure(w, r, err)
			return
		}
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		p := s.newPage(w, r, x)
		if x == nil {
			p.CSRF = r.PostForm.Get("csrf") // checked above
		}
		p.Error = f.reason
		s.render(w, f.status, "start", p)
		return
	}
	if x != nil && x.number == "" {
		s.sessions.update(x.id, func(x *session) { x.pending = number })
	} else {
		// A session is stored only now, for a visitor whose request for a
		// code passed the rate limits.
		if x != nil {
			s.sessions.delete(x.id)
		}
		nx, err := s.sessions.create(s.opts.Rand, session{pending: number}, s.opts.Now())
		if err != nil {
			s.renderFailure(w, r, busy(err))
			return
		}
		s.setCookie(w, r, nx.id, 0)
	}
	http.Redirect(w, r, "/subscriber/verify", http.StatusSeeOther)
}

func (s *Server) pageVerifyForm(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if x == nil || x.pending == "" {
		http.Redirect(w, r, "/subscriber/", http.StatusSeeOther)
		return
	}
	p := s.newPage(w, r, x)
	p.Masked = isolate(mask(x.pending))
	s.render(w, http.StatusOK, "verify", p)
}

func (s *Server) pageVerify(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if !s.checkForm(w, r, x) {
		return
	}
	if x.pending == "" {
		http.Redirect(w, r, "/subscriber/", http.StatusSeeOther)
		return
	}
	if err := s.verifyCode(x.pending, r.PostForm.Get("code"), s.opts.ClientAddress(r)); err != nil {
		f := asFailure(err)
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
		}
		p := s.newPage(w, r, x)
		p.Masked = isolate(mask(x.pending))
		p.Error = f.reason
		s.render(w, f.status, "verify", p)
		return
	}
	// A new session for the proved number: an identifier planted before
	// sign-in is worth nothing after it.
	s.sessions.delete(x.id)
	nx, err := s.sessions.create(s.opts.Rand, session{number: x.pending}, s.opts.Now())
	if err != nil {
		s.renderFailure(w, r, busy(err))
		return
	}
	s.setCookie(w, r, nx.id, 0)
	http.Redirect(w, r, "/subscriber/", http.StatusSeeOther)
}

func (s *Server) pageChange(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if x == nil || x.number == "" {
		s.renderError(w, r, http.StatusUnauthorized, reasonUnauthorized)
		return
	}
	if !s.checkForm(w, r, x) {
		return
	}
	scope, err := bawwab.ParseScope(r.PostForm.Get("scope"))
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, reasonInvalidScope)
		return
	}
	action, err := bawwab.ParseOppositionAction(r.PostForm.Get("action"))
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, reasonBadRequest)
		return
	}
	o, changed, err := s.change(r.Context(), x.number, scope, action, "web")
	if err != nil {
		s.renderFailure(w, r, err)
		return
	}
	v := url.Values{}
	if q := r.PostForm.Get("q"); q != "" {
		v.Set("q", q)
	}
	if changed {
		v.Set("done", strconv.FormatInt(o.Seq, 10))
	} else {
		v.Set("unchanged", "1")
	}
	http.Redirect(w, r, "/subscriber/?"+v.Encode(), http.StatusSeeOther)
}

func (s *Server) pageReceipt(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if x == nil || x.number == "" {
		s.renderError(w, r, http.StatusUnauthorized, reasonUnauthorized)
		return
	}
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil {
		s.renderError(w, r, http.StatusNotFound, reasonNotFound)
		return
	}
	sr, err := s.receipt(r.Context(), x.number, seq)
	if err != nil {
		s.renderFailure(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="stopsms-receipt-%d.json"`, seq))
	writeJSON(w, http.StatusOK, sr)
}

func (s *Server) pageLogout(w http.ResponseWriter, r *http.Request) {
	x := s.cookieSession(r)
	if x == nil { // already gone
		http.Redirect(w, r, "/subscriber/", http.StatusSeeOther)
		return
	}
	if !s.checkForm(w, r, x) {
		return
	}
	s.sessions.delete(x.id)
	s.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/subscriber/", http.StatusSeeOther)
}

// event returns one of number's register events and the name of its
// scope.
func (s *Server) event(ctx context.Context, number string, seq int64) (*bawwab.Opposition, string, error) {
	if seq <= 0 {
		return nil, "", &failure{status: http.StatusNotFound, reason: reasonNotFound, msg: "no such change"}
	}
	evs, err := s.opts.Oppositions.FindOppositions(ctx, bawwab.OppositionFilter{MSISDN: &number, AfterSeq: seq - 1, Limit: 1})
	if err != nil {
		return nil, "", internal(fmt.Errorf("read oppositions: %w", err))
	}
	if len(evs) == 0 || evs[0].Seq != seq || evs[0].MSISDN != number {
		return nil, "", &failure{status: http.StatusNotFound, reason: reasonNotFound, msg: "no such change for this number"}
	}
	c, err := s.brands(ctx)
	if err != nil {
		return nil, "", internal(err)
	}
	return evs[0], s.scopeName(ctx, c, evs[0].Scope), nil
}
