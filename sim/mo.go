package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// moRequest is the body of POST /mo: an MO, and the operator whose SMSC
// originates it when there are several.
type moRequest struct {
	MO
	Operator string `json:"operator"`
}

// MOHandler serves, on localhost, what a demo or a test needs to play the
// subscribers: POST /mo with {"from","to","text"} (and "operator" when
// there are several SMSCs) delivers an MO and answers once the ESME has
// acknowledged it; GET /stats returns every SMSC's counters.
func MOHandler(smscs ...*SMSC) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /mo", func(w http.ResponseWriter, r *http.Request) {
		var req moRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("bad JSON: %v", err))
			return
		}
		if err := req.check(); err != nil {
			writeError(w, http.StatusBadRequest, err.Message)
			return
		}
		s, perr := pick(smscs, req.Operator)
		if perr != nil {
			writeError(w, http.StatusNotFound, perr.Message)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		err := s.DeliverMO(ctx, req.From, req.To, req.Text)
		var st smpp.Status
		switch {
		case err == nil:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]string{"operator": s.Name(), "status": "delivered"})
		case errors.Is(err, ErrNoReceiver):
			writeError(w, http.StatusServiceUnavailable, err.Error())
		case errors.As(err, &st):
			writeError(w, http.StatusBadGateway, fmt.Sprintf("the ESME refused it: %s", st.Name()))
		case bawwab.ErrorCode(err) == bawwab.EINVALID:
			writeError(w, http.StatusBadRequest, bawwab.ErrorMessage(err))
		default:
			writeError(w, http.StatusBadGateway, err.Error())
		}
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		out := make([]Stats, len(smscs))
		for i, s := range smscs {
			out[i] = s.Stats()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
	return mux
}

func pick(smscs []*SMSC, name string) (*SMSC, *bawwab.Error) {
	if name == "" && len(smscs) == 1 {
		return smscs[0], nil
	}
	names := make([]string, len(smscs))
	for i, s := range smscs {
		if strings.EqualFold(s.Name(), name) {
			return s, nil
		}
		names[i] = s.Name()
	}
	if name == "" {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "say which operator: one of %s", strings.Join(names, ", "))
	}
	return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no operator %q: one of %s", name, strings.Join(names, ", "))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
