package smpptest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

var (
	brand = smpp.Address{TON: smpp.TONAlphanumeric, Addr: "BRAND"}
	sub   = smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212612345678"}
)

func TestSMSCAndESME(t *testing.T) {
	smsc := NewSMSC(t, SMSCOptions{Users: map[string]string{"prov": "pw"}, Receipts: true,
		Now: func() time.Time { return time.Date(2026, 7, 15, 12, 30, 0, 0, time.UTC) }})
	esme := NewESME(t, smsc.Addr(), ESMEOptions{SystemID: "prov", Password: "pw"})
	ctx := context.Background()

	long := strings.Repeat("Votre code est 1234. ", 10)
	ids, err := esme.Submit(ctx, brand, sub, long, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || ids[0] != "1" || ids[1] != "2" {
		t.Errorf("message ids %v", ids)
	}
	got, err := smsc.WaitReceived(smpp.SubmitSM, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].SystemID != "prov" || string(got[0].PDU.DestAddr()) != sub.Addr {
		t.Errorf("recorded %+v", got[0])
	}
	receipts, err := esme.WaitReceived(smpp.DeliverSM, 2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range receipts {
		rc, err := smpp.ReceiptOf(r.PDU)
		if err != nil || rc.State != smpp.StateDelivered || (rc.ID != "1" && rc.ID != "2") ||
			!rc.SubmitDate.Equal(time.Date(2026, 7, 15, 12, 30, 0, 0, time.UTC)) {
			t.Errorf("receipt %+v %v", rc, err)
		}
		if string(r.PDU.SourceAddr()) != sub.Addr || string(r.PDU.DestAddr()) != brand.Addr {
			t.Errorf("receipt from %q to %q", r.PDU.SourceAddr(), r.PDU.DestAddr())
		}
	}

	// A mobile-originated STOP reaches the provider.
	if _, err := smsc.DeliverMO(ctx, "prov", sub, smpp.Address{Addr: "5050"}, "STOP"); err != nil {
		t.Fatal(err)
	}
	mo, err := esme.WaitReceived(smpp.DeliverSM, 3, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := mo[2].PDU.Text(); text != "STOP" || mo[2].PDU.ESMClass() != 0 {
		t.Errorf("MO %q", text)
	}
	if _, err := smsc.DeliverMO(ctx, "nobody", sub, brand, "x"); !errors.Is(err, ErrNoReceiver) {
		t.Errorf("MO to no bind: %v", err)
	}
}

func TestSMSCRefusals(t *testing.T) {
	smsc := NewSMSC(t, SMSCOptions{Users: map[string]string{"prov": "pw"}, Decide: func(r *smpp.Request) smpp.Status {
		if string(r.DestAddr()) == "0" {
			return smpp.StatusInvalidDestAddr
		}
		return 0
	}})
	ctx := context.Background()
	if _, err := DialESME(ctx, smsc.Addr(), ESMEOptions{SystemID: "prov", Password: "bad"}); !errors.Is(err, smpp.StatusInvalidPassword) {
		t.Errorf("bad password: %v", err)
	}
	if _, err := DialESME(ctx, smsc.Addr(), ESMEOptions{SystemID: "who"}); !errors.Is(err, smpp.StatusInvalidSystemID) {
		t.Errorf("unknown system_id: %v", err)
	}
	esme := NewESME(t, smsc.Addr(), ESMEOptions{SystemID: "prov", Password: "pw", Kind: smpp.Transmitter})
	if _, err := esme.Submit(ctx, brand, smpp.Address{Addr: "0"}, "hi", false); !errors.Is(err, smpp.StatusInvalidDestAddr) {
		t.Errorf("refused submit: %v", err)
	}
	// A transmitter bind receives no MO.
	if _, err := smsc.DeliverMO(ctx, "prov", sub, brand, "x"); !errors.Is(err, ErrNoReceiver) {
		t.Errorf("MO to a transmitter: %v", err)
	}
}

// TestESMEAgainstServer: the fake ESME drives a Server written by the
// code under test (here a trivial one), and records its deliver_sm.
func TestESMEAgainstServer(t *testing.T) {
	bound := make(chan *smpp.Conn, 1)
	srv, err := smpp.NewServer(smpp.ServerOptions{Addr: "127.0.0.1:0", Authenticate: func(context.Context, *smpp.BindRequest) (smpp.Handler, error) {
		return boundHandler{bound}, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	esme := NewESME(t, srv.Addr().String(), ESMEOptions{Decide: func(r *smpp.Request) smpp.Status {
		return smpp.StatusTempAppError
	}})
	conn := <-bound
	_, err = conn.Send(context.Background(), smpp.DeliverSM, &smpp.Body{Source: sub, Dest: brand, ShortMessage: []byte("hi")})
	if !errors.Is(err, smpp.StatusTempAppError) {
		t.Errorf("deliver_sm refused by the ESME: %v", err)
	}
	if got := esme.Received(smpp.DeliverSM); len(got) != 1 {
		t.Errorf("%d recorded", len(got))
	}
}

type boundHandler struct{ c chan *smpp.Conn }

func (b boundHandler) Bound(c *smpp.Conn)        { b.c <- c }
func (b boundHandler) ServeSMPP(r *smpp.Request) { r.Accept("x") }
