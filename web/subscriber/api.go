package subscriber

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// OpenAPI is the OpenAPI 3.1 description of the subscriber API: a
// document of its own, also served at /api/v1/subscriber/openapi.json,
// whose paths and components the console's document can merge.
//
//go:embed openapi.json
var OpenAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(OpenAPI)
}

// apiError is the body of every error of the API.
type apiError struct {
	Error struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, `{"error":{"reason":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, f *failure) {
	if f.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.retryAfter/time.Second)))
	}
	var e apiError
	e.Error.Reason, e.Error.Message = f.reason, f.msg
	writeJSON(w, f.status, e)
}

func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	f := asFailure(err)
	if f.status >= 500 {
		s.opts.Logger.Error("subscriber: API request failed", "path", r.URL.Path, "err", err)
	}
	writeError(w, f)
}

// readJSON decodes a small JSON body, strictly. Requiring the JSON media
// type is what keeps a form on another site from posting here.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		return &failure{status: http.StatusUnsupportedMediaType, reason: reasonMediaType, msg: "send application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &failure{status: http.StatusBadRequest, reason: reasonBadRequest, msg: "invalid JSON body: " + err.Error()}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &failure{status: http.StatusBadRequest, reason: reasonBadRequest, msg: "invalid JSON body: more than one value"}
	}
	return nil
}

// bearerSession returns the API session of the request's Bearer token.
func (s *Server) bearerSession(r *http.Request) (*session, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return nil, &failure{status: http.StatusUnauthorized, reason: reasonUnauthorized, msg: "send the session token as Authorization: Bearer TOKEN"}
	}
	x := s.sessions.get(strings.TrimSpace(tok), s.opts.Now())
	if x == nil || !x.api || x.number == "" {
		return nil, &failure{status: http.StatusUnauthorized, reason: reasonUnauthorized, msg: "unknown or expired session token"}
	}
	return x, nil
}

type codeRequest struct {
	MSISDN string `json:"msisdn"`
}

func (s *Server) apiRequestCode(w http.ResponseWriter, r *http.Request) {
	var req codeRequest
	if err := readJSON(w, r, &req); err != nil {
		s.apiFail(w, r, err)
		return
	}
	if _, err := s.requestCode(r.Context(), req.MSISDN, s.opts.ClientAddress(r)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"sent": true, "expires_in": int(s.opts.Limits.CodeTTL / time.Second)})
}

type verifyRequest struct {
	MSISDN string `json:"msisdn"`
	Code   string `json:"code"`
}

type sessionResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	Masked    string    `json:"msisdn_masked"`
}

func (s *Server) apiVerify(w http.ResponseWriter, r *http.Request) {
	var req verifyRequest
	if err := readJSON(w, r, &req); err != nil {
		s.apiFail(w, r, err)
		return
	}
	number, err := parseNumber(req.MSISDN)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if err := s.verifyCode(number, req.Code, s.opts.ClientAddress(r)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	x, err := s.sessions.create(s.opts.Rand, session{number: number, api: true}, s.opts.Now())
	if err != nil {
		s.apiFail(w, r, busy(err))
		return
	}
	writeJSON(w, http.StatusCreated, sessionResponse{Token: x.id, ExpiresAt: x.created.Add(s.opts.Limits.SessionLifetime).UTC(), Masked: mask(number)})
}

func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) {
	x, err := s.bearerSession(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.sessions.delete(x.id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiOppositions(w http.ResponseWriter, r *http.Request) {
	x, err := s.bearerSession(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := s.overview(r.Context(), x.number, "")
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if v.InForce == nil {
		v.InForce = []scopeState{}
	}
	writeJSON(w, http.StatusOK, struct {
		*overview
		History []scopeState `json:"history"`
	}{v, nonNil(v.History)})
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

type changeRequest struct {
	Scope  string `json:"scope"`
	Action string `json:"action"`
}

type changeResponse struct {
	Changed    bool           `json:"changed"`
	Opposition *scopeState    `json:"opposition,omitempty"`
	Receipt    *SignedReceipt `json:"receipt,omitempty"`
}

func (s *Server) apiChange(w http.ResponseWriter, r *http.Request) {
	x, err := s.bearerSession(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var req changeRequest
	if err := readJSON(w, r, &req); err != nil {
		s.apiFail(w, r, err)
		return
	}
	scope, err := bawwab.ParseScope(req.Scope)
	if err != nil {
		s.apiFail(w, r, &failure{status: http.StatusBadRequest, reason: reasonInvalidScope, msg: bawwab.ErrorMessage(err)})
		return
	}
	action, err := bawwab.ParseOppositionAction(req.Action)
	if err != nil {
		s.apiFail(w, r, &failure{status: http.StatusBadRequest, reason: reasonBadRequest, msg: bawwab.ErrorMessage(err)})
		return
	}
	o, changed, err := s.change(r.Context(), x.number, scope, action, "api")
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	resp := changeResponse{Changed: changed}
	if o != nil {
		c, err := s.brands(r.Context())
		if err != nil {
			s.apiFail(w, r, internal(err))
			return
		}
		st := s.state(r.Context(), c, o)
		resp.Opposition = &st
		if changed {
			sr, err := signReceipt(s.signer, receiptOf(s.opts.Issuer, o, st.Name))
			if err != nil {
				s.apiFail(w, r, internal(err))
				return
			}
			resp.Receipt = &sr
		}
	}
	status := http.StatusOK
	if changed {
		status = http.StatusCreated
	}
	writeJSON(w, status, resp)
}

func (s *Server) apiBrands(w http.ResponseWriter, r *http.Request) {
	x, err := s.bearerSession(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := s.overview(r.Context(), x.number, r.URL.Query().Get("q"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list := []brandState{}
	for _, b := range v.Brands {
		b.Senders = nonNil(b.Senders)
		list = append(list, b)
	}
	writeJSON(w, http.StatusOK, map[string]any{"brands": list, "more": v.More})
}

func (s *Server) apiReceipt(w http.ResponseWriter, r *http.Request) {
	x, err := s.bearerSession(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil {
		s.apiFail(w, r, &failure{status: http.StatusNotFound, reason: reasonNotFound, msg: "no such change"})
		return
	}
	sr, err := s.receipt(r.Context(), x.number, seq)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sr)
}

func (s *Server) apiReceiptKey(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, map[string]string{
		"algorithm":  "Ed25519",
		"public_key": base64.StdEncoding.EncodeToString(s.pub),
		"key_id":     KeyID(s.pub),
		"context":    receiptContext,
	})
}

func (s *Server) apiVerifyReceipt(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		s.apiFail(w, r, &failure{status: http.StatusUnsupportedMediaType, reason: reasonMediaType, msg: "send application/json"})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		s.apiFail(w, r, &failure{status: http.StatusBadRequest, reason: reasonBadRequest, msg: "body too large"})
		return
	}
	rc, err := VerifyReceipt(s.pub, bytes.TrimSpace(body))
	if err != nil {
		reason := reasonBadSignature
		if strings.HasPrefix(err.Error(), "read receipt") || strings.HasPrefix(err.Error(), "not a version") {
			reason = reasonInvalidReceipt
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"valid": false, "error": map[string]string{"reason": reason, "message": err.Error()}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"valid": true, "receipt": rc})
}
