package smpp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// TestGosmppClient binds gosmpp v0.3.1, an independent client, to our
// Server and submits a plain, a long (split with a UDH by gosmpp) and a
// UCS-2 message; our side reassembles them and sends back a receipt.
func TestGosmppClient(t *testing.T) {
	plain := "Hello from gosmpp"
	long := strings.Repeat("Promo -20% ce week-end ! Repondez STOP au 5050. ", 8)
	arabic := "مرحبا، أرسل STOP إلى 5050"
	want := map[string]bool{plain: true, long: true, arabic: true}

	reasm := NewReassembler(ReassemblerOptions{})
	var mu sync.Mutex
	got := map[string]bool{}
	parts := 0
	bound := make(chan *Conn, 1)
	sess := &providerSession{conn: bound, Handler: HandlerFunc(func(r *Request) {
		mu.Lock()
		defer mu.Unlock()
		parts++
		if err := r.Validate(); err != nil {
			t.Errorf("gosmpp sent an invalid submit_sm: %v", err)
		}
		m, done, err := reasm.Add(&r.PDU, nil)
		if err != nil {
			t.Errorf("reassemble: %v", err)
		} else if done {
			text, err := m.Text()
			if err != nil {
				t.Errorf("text: %v", err)
			}
			got[text] = true
		}
		r.Accept("id" + string(rune('0'+parts)))
	})}
	s := startServer(t, ServerOptions{Authenticate: func(_ context.Context, b *BindRequest) (Handler, error) {
		if b.SystemID != "gosmpp" || b.Password != "secret" {
			return nil, StatusInvalidPassword
		}
		return sess, nil
	}})

	resps := make(chan *pdu.SubmitSMResp, 16)
	delivered := make(chan string, 1)
	session, err := gosmpp.NewSession(
		gosmpp.TRXConnector(gosmpp.NonTLSDialer, gosmpp.Auth{SMSC: s.Addr().String(), SystemID: "gosmpp", Password: "secret"}),
		gosmpp.Settings{
			ReadTimeout: 10 * time.Second,
			OnPDU: func(p pdu.PDU, responded bool) {
				switch p := p.(type) {
				case *pdu.SubmitSMResp:
					resps <- p
				case *pdu.DeliverSM:
					text, _ := p.Message.GetMessage()
					delivered <- text
				}
			},
		}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	server := <-bound

	submit := func(text string, enc data.Encoding) int {
		sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
		sm.SourceAddr = pdu.NewAddress()
		sm.SourceAddr.SetTon(5)
		_ = sm.SourceAddr.SetAddress("BRAND")
		sm.DestAddr = pdu.NewAddress()
		sm.DestAddr.SetTon(1)
		sm.DestAddr.SetNpi(1)
		_ = sm.DestAddr.SetAddress("212612345678")
		if err := sm.Message.SetLongMessageWithEnc(text, enc); err != nil {
			t.Fatal(err)
		}
		split, err := sm.Split()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range split {
			if err := session.Transceiver().Submit(p); err != nil {
				t.Fatal(err)
			}
		}
		return len(split)
	}
	n := submit(plain, data.GSM7BIT) + submit(long, data.GSM7BIT) + submit(arabic, data.UCS2)
	if n < 5 {
		t.Fatalf("gosmpp made %d parts; the long message should take several", n)
	}
	for range n {
		select {
		case r := <-resps:
			if r.CommandStatus != data.ESME_ROK || !strings.HasPrefix(r.MessageID, "id") {
				t.Errorf("gosmpp got %v %q", r.CommandStatus, r.MessageID)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("gosmpp got no submit_sm_resp")
		}
	}
	mu.Lock()
	for text := range want {
		if !got[text] {
			t.Errorf("not received whole: %q", text)
		}
	}
	mu.Unlock()

	// A receipt the other way; gosmpp answers deliver_sm itself.
	rcpt := Receipt{ID: "id1", Sub: 1, Dlvrd: 1, Stat: "DELIVRD", Err: "000"}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := server.Send(ctx, DeliverSM, rcpt.Body(Address{1, 1, "212612345678"}, Address{5, 0, "BRAND"})); err != nil {
		t.Fatalf("deliver_sm to gosmpp: %v", err)
	}
	if text := <-delivered; !strings.HasPrefix(text, "id:id1 ") {
		t.Errorf("gosmpp read the receipt as %q", text)
	}
}
