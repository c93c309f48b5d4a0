package proxy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/smpp"
)

// httpMessage is a message submitted over HTTP, kept (for a day) so that
// its status can be read and its receipts reported. With a store
// (Options.Outbox), it is also written there before the provider has its
// id, and after each receipt: after a restart, GET and the receipts find
// it there.
type httpMessage struct {
	// wmu serializes the queueing of a message's states for the store
	// (the submission's, the receipts'), each with the change to memory
	// it records, so that the store never keeps an older state over a
	// newer one.
	wmu    sync.Mutex
	queued bool // the submission's state is queued for the store (under wmu)

	mu         sync.Mutex
	ID         string    `json:"id"`
	Status     string    `json:"status"` // accepted, deferred, delivered, undelivered, rejected
	Reason     string    `json:"reason,omitempty"`
	Until      time.Time `json:"until,omitzero"`
	Parts      int       `json:"parts"`
	SMSCIDs    []string  `json:"smsc_message_ids,omitempty"`
	Submitted  time.Time `json:"submitted_at"`
	Done       time.Time `json:"done_at,omitzero"`
	Stats      []string  `json:"receipts,omitempty"` // stat: of each part's receipt
	providerID string
	accountID  string
	operator   string // the operator of SMSCIDs
	from, to   string
	callback   string
	dlrURL     string
	dlrMask    int
}

// httpTTL is how long an HTTP message's status is kept.
const httpTTL = 24 * time.Hour

// record is m as stored; m.mu is held. The subscriber's number is
// stored only when a dlr-url may need it (%p).
func (m *httpMessage) record() *bawwab.HTTPMessage {
	r := &bawwab.HTTPMessage{ID: m.ID, ProviderID: m.providerID, AccountID: m.accountID, Status: m.Status, Reason: m.Reason,
		Until: m.Until, Parts: m.Parts, OperatorID: m.operator, SMSCIDs: slices.Clone(m.SMSCIDs), Stats: slices.Clone(m.Stats),
		Submitted: m.Submitted, Done: m.Done, CallbackURL: m.callback, DLRURL: m.dlrURL, DLRMask: m.dlrMask, From: m.from}
	if m.dlrURL != "" {
		r.To = m.to
	}
	return r
}

// httpMessageOf is a stored message as the API shows it.
func httpMessageOf(r *bawwab.HTTPMessage) *httpMessage {
	return &httpMessage{ID: r.ID, Status: r.Status, Reason: r.Reason, Until: r.Until, Parts: r.Parts, SMSCIDs: r.SMSCIDs,
		Submitted: r.Submitted, Done: r.Done, Stats: r.Stats, providerID: r.ProviderID, accountID: r.AccountID,
		operator: r.OperatorID, from: r.From, to: r.To, callback: r.CallbackURL, dlrURL: r.DLRURL, dlrMask: r.DLRMask}
}

// httpReport says where an HTTP message's status is reported.
type httpReport struct {
	callback string // POST of the JSON status, when final
	dlrURL   string // Kannel's dlr-url
	dlrMask  int
}

type httpState struct {
	mu   sync.Mutex
	msgs map[string]*httpMessage
}

func newHTTPState() *httpState { return &httpState{msgs: map[string]*httpMessage{}} }

func (h *httpState) put(m *httpMessage) {
	h.mu.Lock()
	h.msgs[m.ID] = m
	h.mu.Unlock()
}

func (h *httpState) get(id string) *httpMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.msgs[id]
}

func (h *httpState) expire(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, m := range h.msgs {
		if now.Sub(m.Submitted) > httpTTL {
			delete(h.msgs, k)
		}
	}
}

// HTTPHandler serves the submit API: POST /api/v1/messages, GET
// /api/v1/messages/{id}, and Kannel's GET /cgi-bin/sendsms.
func (g *Gateway) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/messages", g.apiSubmit)
	mux.HandleFunc("GET /api/v1/messages/{id}", g.apiStatus)
	mux.HandleFunc("GET /cgi-bin/sendsms", g.sendsms)
	mux.HandleFunc("POST /cgi-bin/sendsms", g.sendsms)
	return mux
}

type apiError struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, reason, msg, fix string) {
	writeJSON(w, status, map[string]apiError{"error": {Reason: reason, Message: msg, Fix: fix}})
}

func writeReason(w http.ResponseWriter, r bawwab.Reason, status smpp.Status) {
	code := r.HTTPStatus()
	if status == smpp.StatusThrottled && r == bawwab.ReasonSMSCUnavailable {
		code = http.StatusServiceUnavailable
	}
	info, _ := r.Info()
	writeJSON(w, code, map[string]apiError{"error": {Reason: string(r), Message: info.Summary, Fix: info.Fix}})
}

// apiAccount authenticates an API key (Authorization: Bearer, or
// X-API-Key).
func (g *Gateway) apiAccount(r *http.Request) *bawwab.Account {
	key := r.Header.Get("X-API-Key")
	if a, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		key = strings.TrimSpace(a)
	}
	if key == "" {
		return nil
	}
	id, ok := secret.APIKeyID(key)
	if !ok {
		return nil
	}
	a := g.reg.Load().accounts[id]
	if a == nil || a.Kind != bawwab.AccountAPI || a.Disabled || !g.checkSecret(a, key) {
		return nil
	}
	return a
}

// maxBody bounds the JSON body of a submission.
const maxBody = 64 << 10

type submitRequest struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Text        string `json:"text"`
	Category    string `json:"category,omitempty"`
	CallbackURL string `json:"callback_url,omitempty"`
}

func (g *Gateway) apiSubmit(w http.ResponseWriter, r *http.Request) {
	a := g.apiAccount(r)
	if a == nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer KEY)", "")
		return
	}
	var req submitRequest
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad-request", "the body could not be read: "+err.Error(), "")
		return
	}
	if len(raw) > maxBody {
		writeError(w, http.StatusRequestEntityTooLarge, "too-large", "the body is larger than 64 KiB", "")
		return
	}
	// encoding/json would replace invalid UTF-8 with U+FFFD silently, and
	// the rules would then read a text that is not the provider's.
	if !utf8.Valid(raw) {
		writeError(w, http.StatusBadRequest, "invalid-encoding", "the body is not valid UTF-8", "send the JSON in UTF-8")
		return
	}
	if err := json.Unmarshal(raw, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad-request", "the body is not a JSON message: "+err.Error(), `send {"from":..., "to":..., "text":...}`)
		return
	}
	for _, f := range []struct{ name, v string }{{"from", req.From}, {"to", req.To}, {"text", req.Text}} {
		if f.v == "" {
			writeError(w, http.StatusBadRequest, "bad-request", f.name+" is required", `send {"from":..., "to":..., "text":...}`)
			return
		}
	}
	var cat bawwab.Category
	if req.Category != "" {
		var err error
		if cat, err = bawwab.ParseCategory(req.Category); err != nil {
			writeError(w, http.StatusBadRequest, "bad-request", err.Error(), "")
			return
		}
	}
	// The rule of the measure webhooks: https, or http to the loopback
	// address only; and a literal address must be public or allowed.
	// The client checks again what a name resolves to when it calls.
	if err := g.checkCallback(req.CallbackURL, false); err != nil {
		writeError(w, http.StatusBadRequest, "bad-request", "callback_url: "+err.Error(), "use an https URL to a public address (http only to 127.0.0.1, ::1 or localhost, when the gateway allows them)")
		return
	}
	m, out, ok := g.httpSubmit(w, r.Context(), a, req.From, req.To, req.Text, cat, httpReport{callback: req.CallbackURL})
	if !ok {
		return
	}
	if out.rejected() {
		writeReason(w, out.reason, out.status)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	writeJSON(w, http.StatusAccepted, m)
}

// httpSubmit decides and forwards a text submitted over HTTP; ok is false
// when an answer was already written (rate limit, bad input).
func (g *Gateway) httpSubmit(w http.ResponseWriter, ctx context.Context, a *bawwab.Account, from, to, text string, cat bawwab.Category, report httpReport) (*httpMessage, *outcome, bool) {
	if !g.enter() {
		writeReason(w, bawwab.ReasonSMSCUnavailable, smpp.StatusThrottled)
		return nil, nil, false
	}
	defer g.inflight.Done()
	if !g.allow(a) {
		g.stats.throttled.Add(1)
		writeReason(w, bawwab.ReasonRateLimited, smpp.StatusThrottled)
		return nil, nil, false
	}
	dest := smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: strings.TrimPrefix(to, "+")}
	if n, err := msisdn.Parse(to); err == nil {
		dest.Addr = strings.TrimPrefix(n.E164(), "+")
	} else {
		dest.TON = smpp.TONUnknown
	}
	sp, err := g.split.Split(text)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad-request", "text: "+err.Error(), "")
		return nil, nil, false
	}
	if len(sp.Parts) > g.opts.MaxParts {
		writeError(w, http.StatusBadRequest, "text-too-long",
			fmt.Sprintf("the text needs %d SMS parts; at most %d are allowed", len(sp.Parts), g.opts.MaxParts),
			fmt.Sprintf("shorten the text (at most %d parts: about %d GSM characters, or %d in UCS-2)", g.opts.MaxParts, g.opts.MaxParts*153, g.opts.MaxParts*67))
		return nil, nil, false
	}
	m := &httpMessage{ID: g.newID(), Parts: len(sp.Parts), Submitted: g.now(), providerID: a.ProviderID, accountID: a.ID, from: from, to: to,
		callback: report.callback, dlrURL: report.dlrURL, dlrMask: report.dlrMask}
	sub := &submission{channel: "http", account: a, sender: from, destTON: dest.TON, dest: []byte(dest.Addr),
		text: text, category: cat, at: m.Submitted,
		register: func(op string, p *part, id string) {
			m.mu.Lock()
			m.operator = op
			m.mu.Unlock()
			g.routes.put(op, id, &route{providerID: a.ProviderID, accountID: a.ID, http: m, at: g.now()})
		}}
	src := smpp.Address{TON: smsTON(from), NPI: smsNPI(from), Addr: from}
	for _, b := range sp.Bodies(smpp.Body{Source: src, Dest: dest, RegisteredDelivery: smpp.RegisteredDeliveryAll}) {
		raw, err := b.Encode(smpp.SubmitSM, 0, 1)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad-request", err.Error(), "")
			return nil, nil, false
		}
		sub.parts = append(sub.parts, &part{raw: raw, src: src, dst: dest})
	}
	// The message is written to the store while the decision is written
	// to the ledger, and both are on disk before the answer: one wait for
	// the disk rather than two in a row.
	var stored chan error
	if g.httpStore != nil {
		sub.decided = func(out *outcome) {
			m.setOutcome(out)
			stored = g.queueHTTP(m)
		}
	}
	g.http.put(m) // before forwarding: a receipt may come before the answer
	out := g.process(ctx, sub)
	var serr error
	if stored != nil {
		serr = <-stored
	}
	if stored == nil || out.status == smpp.StatusSystemError {
		// No store, or no write yet, or the ledger failed after the
		// write: the status to set (and write).
		m.setOutcome(out)
		if stored = g.queueHTTP(m); stored != nil {
			serr = <-stored
		}
	}
	// What the provider is told is on disk, as with the ledger: a status
	// that could not be stored is answered as a ledger failure is.
	if serr != nil {
		g.log.Error("HTTP message status not recorded", "provider", a.ProviderID, "err", serr)
		if !out.rejected() {
			out.status, out.reason = smpp.StatusSystemError, bawwab.ReasonSMSCUnavailable
			m.mu.Lock()
			m.Status, m.Reason, m.Until = "rejected", string(out.reason), time.Time{}
			m.mu.Unlock()
		}
	}
	return m, out, true
}

// setOutcome sets a message's status from its submission's outcome.
func (m *httpMessage) setOutcome(out *outcome) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.SMSCIDs = out.smscIDs
	switch {
	case out.rejected():
		m.Status, m.Reason, m.Until = "rejected", string(out.reason), time.Time{}
	case out.decision.Outcome == bawwab.Defer:
		m.Status, m.Reason, m.Until = "deferred", string(out.decision.Reason), out.decision.Until
	default:
		if m.Status == "" {
			m.Status = "accepted"
		}
	}
}

// queueHTTP queues a submitted message's state for the store, if the
// gateway has one, and returns the channel its write's result comes on
// (nil without a store). Not the request's context: a client gone
// mid-request does not stop the record of what was done.
func (g *Gateway) queueHTTP(m *httpMessage) chan error {
	if g.httpStore == nil {
		return nil
	}
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.mu.Lock()
	r := m.record()
	m.mu.Unlock()
	m.queued = true
	return g.httpw.queue1(r)
}

func (g *Gateway) apiStatus(w http.ResponseWriter, r *http.Request) {
	a := g.apiAccount(r)
	if a == nil {
		writeError(w, http.StatusUnauthorized, "unauthorized", "a valid API key is required (Authorization: Bearer KEY)", "")
		return
	}
	id := r.PathValue("id")
	m := g.http.get(id)
	if m == nil && g.httpStore != nil {
		// Submitted before a restart: the store has it (for this
		// provider only).
		rec, err := g.httpStore.FindHTTPMessage(r.Context(), a.ProviderID, id)
		switch {
		case err == nil && g.now().Sub(rec.Submitted) <= httpTTL:
			m = httpMessageOf(rec)
		case err != nil && bawwab.ErrorCode(err) != bawwab.ENOTFOUND:
			g.log.Error("HTTP message status not read", "provider", a.ProviderID, "err", err)
			writeError(w, http.StatusServiceUnavailable, "unavailable", "the status could not be read", "try again later")
			return
		}
	}
	if m == nil || m.providerID != a.ProviderID {
		writeError(w, http.StatusNotFound, "not-found", "no such message", "")
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	writeJSON(w, http.StatusOK, m)
}

// sendsms is Kannel's sendsms interface, so that a provider's Kannel
// integration (or any HTTP client of it) switches to Bawwab unchanged.
func (g *Gateway) sendsms(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method == http.MethodPost {
		r.ParseForm()
		q = r.Form
	}
	kannel := func(code int, text string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		io.WriteString(w, text)
	}
	a := g.reg.Load().accounts[q.Get("username")]
	if a == nil || a.Disabled || !g.checkSecret(a, q.Get("password")) {
		kannel(http.StatusForbidden, "Authorization failed for sendsms")
		return
	}
	from, to, text := q.Get("from"), q.Get("to"), q.Get("text")
	if from == "" {
		kannel(http.StatusBadRequest, "Missing sender (from), rejected")
		return
	}
	if to == "" {
		kannel(http.StatusBadRequest, "Missing receiver number, rejected")
		return
	}
	if text == "" {
		kannel(http.StatusBadRequest, "Missing text, rejected")
		return
	}
	// Without charset, as Kannel: UTF-8 if the bytes are valid UTF-8,
	// Latin-1 otherwise (what most legacy integrations send).
	switch cs := strings.ToUpper(q.Get("charset")); cs {
	case "", "ISO-8859-1", "LATIN1":
		if cs == "" && utf8.ValidString(text) {
			break
		}
		b := []byte(text)
		rs := make([]rune, len(b))
		for i, c := range b {
			rs[i] = rune(c)
		}
		text = string(rs)
	case "UTF-8", "UTF8":
		if !utf8.ValidString(text) {
			kannel(http.StatusBadRequest, "Error: invalid-encoding: text is not valid UTF-8 (charset=UTF-8), rejected")
			return
		}
	case "UTF-16BE", "UCS-2", "UCS2", "UTF-16":
		b := []byte(text)
		u := make([]uint16, len(b)/2)
		for i := range u {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
		text = string(utf16.Decode(u))
	}
	// Checked before anything is sent, like callback_url, but http is
	// allowed as in Kannel: providers' dlr-urls are often plain http to
	// their own public servers. The protection from calls into the
	// operator's network is the client's dialer, and this early check of
	// a literal address.
	if err := g.checkCallback(q.Get("dlr-url"), true); err != nil {
		kannel(http.StatusBadRequest, "Invalid dlr-url: "+err.Error()+", rejected")
		return
	}
	mask, _ := strconv.Atoi(q.Get("dlr-mask"))
	m, out, ok := g.httpSubmit(kannelWriter{w}, r.Context(), a, from, to, text, bawwab.CategoryUnknown,
		httpReport{dlrURL: q.Get("dlr-url"), dlrMask: mask})
	if !ok {
		return
	}
	if out.rejected() {
		info, _ := out.reason.Info()
		kannel(out.reason.HTTPStatus(), "Error: "+string(out.reason)+": "+info.Summary)
		g.dlr(m, 16, "REJECTD")
		return
	}
	kannel(http.StatusAccepted, "0: Accepted for delivery")
	g.dlr(m, 8, "ACK")
}

// kannelWriter turns the JSON errors httpSubmit writes into Kannel's
// plain-text form.
type kannelWriter struct{ http.ResponseWriter }

func (k kannelWriter) Write(b []byte) (int, error) {
	var e map[string]apiError
	if json.Unmarshal(b, &e) == nil && e["error"].Reason != "" {
		k.ResponseWriter.Header().Set("Content-Type", "text/plain; charset=utf-8")
		return io.WriteString(k.ResponseWriter, "Error: "+e["error"].Reason+": "+e["error"].Message)
	}
	return k.ResponseWriter.Write(b)
}

func (k kannelWriter) WriteHeader(code int) { k.ResponseWriter.WriteHeader(code) }

// receiptStat is the stat of a receipt.
func receiptStat(rc smpp.Receipt) string {
	if rc.Stat != "" {
		return rc.Stat
	}
	return rc.State.Stat()
}

// addReceipt adds a receipt's stat to a message's: when every part has its
// final receipt, the message is delivered (every one DELIVRD) or
// undelivered, done at now. It reports whether this receipt completed the
// message (then its status is reported).
func addReceipt(parts int, stats *[]string, status *string, done *time.Time, stat string, now time.Time) bool {
	*stats = append(*stats, stat)
	if !smpp.StateOfStat(stat).Final() {
		return false
	}
	final := 0
	delivered := true
	for _, s := range *stats {
		if st := smpp.StateOfStat(s); st.Final() {
			final++
			delivered = delivered && st == smpp.StateDelivered
		}
	}
	if final != max(parts, 1) {
		return false // parts to come (or a final receipt again, reported already)
	}
	*status = "undelivered"
	if delivered {
		*status = "delivered"
	}
	*done = now
	return true
}

// httpReceipt records a receipt of an HTTP message the gateway has in
// memory, in the store too, and reports it.
func (g *Gateway) httpReceipt(m *httpMessage, rc smpp.Receipt) {
	m.wmu.Lock()
	m.mu.Lock()
	complete := addReceipt(m.Parts, &m.Stats, &m.Status, &m.Done, receiptStat(rc), g.now())
	status := m.Status
	var body []byte
	if complete {
		body, _ = json.Marshal(m)
	}
	var r *bawwab.HTTPMessage
	if m.queued {
		// Memory's whole state, which the store follows. (Before the
		// submission's, which will hold this receipt, nothing.)
		r = m.record()
	}
	m.mu.Unlock()
	if r != nil {
		g.httpw.state(r)
	}
	m.wmu.Unlock()
	if complete {
		g.reportHTTP(m, body, status, rc)
	}
}

// storedReceipt records a receipt of an HTTP message submitted before a
// restart, which only the store has, and reports it; false if the store
// failed (the SMSC is to send the receipt again).
func (g *Gateway) storedReceipt(id string, rc smpp.Receipt) bool {
	stat := receiptStat(rc)
	var complete bool
	rec, err := g.httpStore.UpdateHTTPMessage(writeContext(), id, func(r *bawwab.HTTPMessage) error {
		complete = addReceipt(r.Parts, &r.Stats, &r.Status, &r.Done, stat, g.now())
		return nil
	})
	if err != nil {
		g.log.Error("HTTP message receipt not recorded", "err", err)
		return false
	}
	if complete {
		m := httpMessageOf(rec)
		body, _ := json.Marshal(m)
		g.reportHTTP(m, body, m.Status, rc)
	}
	return true
}

// reportHTTP reports an HTTP message's final status: the JSON body to its
// callback_url, the receipt to its dlr-url.
func (g *Gateway) reportHTTP(m *httpMessage, body []byte, status string, rc smpp.Receipt) {
	if m.callback != "" {
		go func() {
			req, err := http.NewRequestWithContext(g.ctx, http.MethodPost, m.callback, bytes.NewReader(body))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/json")
			g.call(req, body, m.providerID, "callback_url")
		}()
	}
	typ := 1
	if status != "delivered" {
		typ = 2
	}
	g.dlr(m, typ, rc.String())
}

// dlr calls a Kannel dlr-url with its escapes (%d type, %A receipt text,
// %p receiver, %P sender, %T time, %I message id) when dlr-mask asks for
// the type.
func (g *Gateway) dlr(m *httpMessage, typ int, text string) {
	m.mu.Lock()
	u, mask := m.dlrURL, m.dlrMask
	to, from, id := m.to, m.from, m.ID
	m.mu.Unlock()
	if u == "" || mask&typ == 0 {
		return
	}
	target := expandDLR(u, typ, text, to, from, g.now().Unix(), id)
	go func() {
		req, err := http.NewRequestWithContext(g.ctx, http.MethodGet, target, nil)
		if err != nil {
			return
		}
		g.call(req, nil, m.providerID, "dlr-url")
	}()
}

// call signs and makes a call on a provider's behalf; a failure is
// logged with the provider, never with the URL or its host, which may
// hold a number (dlr-url's %p).
func (g *Gateway) call(req *http.Request, body []byte, providerID, what string) {
	req.Header.Set("User-Agent", "bawwab")
	if err := g.opts.Signer.SignRequest(req, body); err != nil {
		g.log.Error("proxy: signing a "+what+" call", "provider", providerID, "err", err)
		return
	}
	resp, err := g.opts.HTTPClient.Do(req)
	if err != nil {
		var ae *safehttp.AddrError
		if errors.As(err, &ae) {
			g.log.Warn("proxy: "+what+" refused", "provider", providerID, "err", ae)
		} else {
			g.log.Info("proxy: "+what+" failed", "provider", providerID, "err", callFailure(err))
		}
		return
	}
	safehttp.Drain(resp)
}

// callFailure says why a call failed without the URL or host names the
// error's text holds.
func callFailure(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return "name not resolved"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timed out or cancelled"
	case errors.As(err, &op):
		return op.Op + ": " + op.Err.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if to, ok := ue.Err.(interface{ Timeout() bool }); ok && to.Timeout() {
			return "timed out"
		}
	}
	return "failed"
}

// callbackPolicy is the check of the addresses of callbacks.
func callbackPolicy(allow []netip.Prefix) safehttp.Options {
	return safehttp.Options{Allow: allow, What: "callback", AllowHint: "the gateway's callback allow-list ([callbacks] allow in bawwab.toml)"}
}

// maxCallbackURL bounds a callback_url or dlr-url.
const maxCallbackURL = 2000

// checkCallback checks a callback_url (kannel false: https, or http to a
// loopback address, as the measure webhooks) or a Kannel dlr-url (kannel
// true: http or https, with its % escapes); either way, a literal address
// must be public or in CallbackAllow. "" is no callback.
func (g *Gateway) checkCallback(s string, kannel bool) error {
	if s == "" {
		return nil
	}
	if !kannel {
		if err := bawwab.ValidWebhook(s); err != nil {
			return err
		}
	}
	if len(s) > maxCallbackURL {
		return fmt.Errorf("longer than %d characters", maxCallbackURL)
	}
	// The escapes are not URL escapes: check the URL as it will be
	// called, url.Parse would refuse "%q".
	u, err := url.Parse(expandDLR(s, 1, "x", "0", "0", 0, "x"))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return errors.New("not an absolute URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("scheme %q (want http or https)", u.Scheme)
	}
	if a, err := netip.ParseAddr(u.Hostname()); err == nil {
		p := callbackPolicy(g.opts.CallbackAllow)
		if err := p.Check(a); err != nil {
			return err
		}
	}
	return nil
}

// expandDLR replaces Kannel's escapes in a dlr-url (a letter after %,
// where URL escapes have two hex digits) in one pass, so that a value's
// own URL escapes ("%C3%A9") are never read as escapes: %d the report
// type, %A its text, %p and %q the receiver, %P and %Q the sender, %T the
// time, %I the message id. Kannel's others (%i, %F, %n...) are values
// this gateway does not have: they become empty, as an absent value does
// in Kannel, rather than leave a URL that cannot be parsed.
func expandDLR(u string, typ int, text, to, from string, at int64, id string) string {
	var b strings.Builder
	b.Grow(len(u) + len(text))
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c != '%' || i+1 == len(u) || !isLetter(u[i+1]) {
			b.WriteByte(c)
			continue
		}
		i++
		switch u[i] {
		case 'd':
			b.WriteString(strconv.Itoa(typ))
		case 'A':
			b.WriteString(url.QueryEscape(text))
		case 'p', 'q':
			b.WriteString(url.QueryEscape(to))
		case 'P', 'Q':
			b.WriteString(url.QueryEscape(from))
		case 'T':
			b.WriteString(strconv.FormatInt(at, 10))
		case 'I':
			b.WriteString(url.QueryEscape(id))
		}
	}
	return b.String()
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
