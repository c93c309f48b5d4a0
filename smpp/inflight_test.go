package smpp

import (
	"fmt"
	"testing"
)

// TestWindowNotThrottled: a peer that keeps exactly MaxInflight requests
// outstanding, sending its next one the instant it reads an answer, is
// never throttled: a request counts as answered no later than its answer
// can reach the peer. (Counted just after, a fast peer was one ahead now
// and then: a few hundred ESME_RTHROTTLED in 20,000 at window 1.)
func TestWindowNotThrottled(t *testing.T) {
	forward := AppendMessageIDResp(nil, SubmitSMResp, StatusOK, 0, "fwd")
	answers := []struct {
		name   string
		answer func(r *Request)
	}{
		{"Accept", func(r *Request) { r.Accept("x") }},
		{"Respond", func(r *Request) { r.Respond(StatusOK, &Body{MessageID: "y"}) }},
		{"Forward", func(r *Request) { r.Forward(forward) }},
	}
	handlers := []struct {
		name string
		wrap func(func(*Request)) Handler
	}{
		{"goroutine", func(f func(*Request)) Handler { return HandlerFunc(f) }},
		{"later", func(f func(*Request)) Handler { return HandlerFunc(func(r *Request) { go f(r) }) }},
		{"inline", func(f func(*Request)) Handler { return InlineFunc(f) }},
	}
	for _, a := range answers {
		for _, h := range handlers {
			for _, window := range []int{1, 2, 100} {
				t.Run(fmt.Sprintf("%s/%s/window=%d", a.name, h.name, window), func(t *testing.T) {
					s := startServer(t, ServerOptions{Conn: ConnOptions{MaxInflight: window},
						Authenticate: acceptAll(h.wrap(a.answer))})
					rounds := 2000
					if testing.Short() {
						rounds = 500
					}
					if throttled := pipeline(t, s, window, rounds); throttled > 0 {
						t.Errorf("%d of %d requests throttled at window %d", throttled, rounds, window)
					}
				})
			}
		}
	}
}

// pipeline sends rounds submit_sm on a raw bind, window of them
// outstanding, each next one as soon as an answer is read, and returns
// how many were answered ESME_RTHROTTLED.
func pipeline(t *testing.T, s *Server, window, rounds int) int {
	nc, r := rawBind(t, s.Addr().String())
	seq := uint32(1)
	raw, _ := msg.Encode(SubmitSM, 0, seq)
	next := func() {
		seq++
		PatchSeq(raw, seq)
		if _, err := nc.Write(raw); err != nil {
			t.Fatal(err)
		}
	}
	for range window {
		next()
	}
	throttled := 0
	for i := range rounds {
		p := readPDU(t, r)
		if p.CommandID() != SubmitSMResp {
			t.Fatalf("answer %d: %v", i, p.String())
		}
		if p.Status() == StatusThrottled {
			throttled++
		}
		if i+window < rounds {
			next()
		}
	}
	return throttled
}
