package sim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// startSMSC starts an SMSC and stops it when the test ends.
func startSMSC(t testing.TB, cfg SMSCConfig) *SMSC {
	t.Helper()
	s, err := NewSMSC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// seq returns the numbers in [0,1) it is given, in turn: injected
// randomness.
func seq(xs ...float64) func() float64 {
	i := 0
	return func() float64 {
		x := xs[i%len(xs)]
		i++
		return x
	}
}

func TestLoadWithReceipts(t *testing.T) {
	// 10 receipts: draws 0.05 (REJECTD: < 0.4/4), 0.3 (UNDELIV), then DELIVRD.
	s := startSMSC(t, SMSCConfig{Name: "IAM", DLRDelay: 20 * time.Millisecond, DLRFail: 0.4,
		Rand: seq(0.05, 0.3, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9)})
	res, err := RunLoad(context.Background(), LoadConfig{Addr: s.Addr().String(), Count: 10, Window: 3, Receipts: true,
		Texts: []string{"Promo {n} -20% STOP au 5050"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Acked != 10 || res.Sent != 10 || res.Failed != 0 {
		t.Fatalf("%v", res)
	}
	if res.Receipts["DELIVRD"] != 8 || res.Receipts["UNDELIV"] != 1 || res.Receipts["REJECTD"] != 1 || res.ReceiptsMatched != 10 {
		t.Errorf("receipts %v, %d matched", res.Receipts, res.ReceiptsMatched)
	}
	if res.ReceiptLatency.P50 < 20*time.Millisecond {
		t.Errorf("receipts came after %v, before the 20 ms delay", res.ReceiptLatency.P50)
	}
	st := s.Stats()
	if st.Submits != 10 || st.ReceiptsAcked != 10 || st.Delivered != 8 || st.Undelivered != 1 || st.Rejected != 1 || st.BindsTotal != 1 {
		t.Errorf("stats %+v", st)
	}
	if !strings.HasPrefix(res.String(), "RESULT sent=10 acked=10 ") {
		t.Errorf("result line %q", res.String())
	}
}

func TestAccounts(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "Orange", Accounts: map[string]string{"gw": "secret"}})
	ctx := context.Background()
	if _, err := smpp.Dial(ctx, s.Addr().String(), smpp.DialOptions{SystemID: "gw", Password: "bad"}); !errors.Is(err, smpp.StatusInvalidPassword) {
		t.Errorf("bad password: %v", err)
	}
	if _, err := smpp.Dial(ctx, s.Addr().String(), smpp.DialOptions{SystemID: "who", Password: "secret"}); !errors.Is(err, smpp.StatusInvalidSystemID) {
		t.Errorf("unknown account: %v", err)
	}
	c, err := smpp.Dial(ctx, s.Addr().String(), smpp.DialOptions{SystemID: "gw", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SystemID() != "Orange" {
		t.Errorf("SMSC system_id %q", c.SystemID())
	}
	if st := s.Stats(); st.BindsRefused != 2 || st.Binds != 1 {
		t.Errorf("stats %+v", st)
	}
}
