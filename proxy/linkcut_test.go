package proxy_test

import (
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sim"
)

// TestLinkCut: the SMSC link is cut twice under load. Every submission
// gets an answer (accepted, or ESME_RTHROTTLED to retry), the provider's
// bind stays up, and every accepted message is in the ledger and reached
// the SMSC.
func TestLinkCut(t *testing.T) {
	e := newEnv(t, envOptions{cut: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, at := range []int{200, 600} {
			waitUntil(t, "load", func() bool { return e.reached("iam", "") >= at })
			e.cutter.cut()
		}
	}()
	res, err := sim.RunLoad(e.ctx, sim.LoadConfig{
		Addr: e.addr, SystemID: "atlas", Password: password, Window: 10, Count: 1500,
		Source: "ATLASMKT", DestBase: 212661000000, Texts: []string{"Atlas Market {n} : -30% ! STOP au 5050"},
	})
	if err != nil {
		t.Fatal(err)
	}
	<-done
	t.Logf("load: %v", res)
	if res.Failed != 0 || res.Acked+res.Refused != res.Messages || res.Messages != 1500 {
		t.Errorf("%d messages, %d acked, %d refused, %d never answered", res.Messages, res.Acked, res.Refused, res.Failed)
	}
	if res.Refused == 0 {
		t.Log("no submission caught by the cuts")
	}
	e.mu.Lock()
	reached := map[string]bool{}
	for _, s := range e.submitted["iam"] {
		reached[s] = true
	}
	e.mu.Unlock()
	var accepted, refused int64
	for _, d := range e.decisions() {
		switch {
		case d.Outcome == bawwab.Accept:
			accepted++
			if !reached[d.Text] {
				t.Errorf("accepted %q never reached the SMSC", d.Text)
			}
		case d.Reason == bawwab.ReasonSMSCUnavailable:
			refused++
		default:
			t.Errorf("decision %v: %s", d.Decision(), d.Detail)
		}
	}
	if accepted != res.Acked || refused != res.Refused {
		t.Errorf("ledger: %d accepted, %d refused for the SMSC; load: %d acked, %d refused", accepted, refused, res.Acked, res.Refused)
	}
	if st := e.gw.Stats(); st.Links["iam"] == 0 {
		time.Sleep(time.Second)
		if st := e.gw.Stats(); st.Links["iam"] == 0 {
			t.Error("the link did not come back")
		}
	}
}
