package smpp_test

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// provider is what a gateway keeps per bind: the Conn, to deliver receipts
// and MO messages to the provider later.
type provider struct {
	systemID string
	conn     chan *smpp.Conn
	ids      atomic.Int64
}

// Bound is called once the bind is accepted (smpp.BoundHandler).
func (p *provider) Bound(c *smpp.Conn) { p.conn <- c }

// ServeSMPP decides each submit_sm, in its own goroutine; it may answer
// later, from another goroutine (after the operator's SMSC answered, say).
func (p *provider) ServeSMPP(r *smpp.Request) {
	if r.CommandID() != smpp.SubmitSM {
		r.Reject(smpp.StatusInvalidCmdID)
		return
	}
	text, err := r.Text() // GSM 03.38, Latin-1 or UCS-2, UDH removed
	if err != nil || text == "" {
		r.Reject(smpp.StatusInvalidMsgLen)
		return
	}
	r.Accept(strconv.FormatInt(p.ids.Add(1), 10))
}

func Example() {
	// The SMSC side: accept provider binds.
	prov := &provider{systemID: "prov1", conn: make(chan *smpp.Conn, 1)}
	srv, err := smpp.NewServer(smpp.ServerOptions{
		Addr: "127.0.0.1:0",
		Authenticate: func(ctx context.Context, b *smpp.BindRequest) (smpp.Handler, error) {
			if b.SystemID != "prov1" || b.Password != "secret" {
				return nil, smpp.StatusInvalidPassword // sent as the bind_resp's status
			}
			return prov, nil
		},
		Conn: smpp.ConnOptions{Window: 100, EnquireLink: 30 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}
	<-srv.Ready()
	defer srv.Shutdown(context.Background())

	// The ESME side: bind as a transceiver, with a handler for receipts.
	receipts := make(chan smpp.Receipt, 1)
	ctx := context.Background()
	conn, err := smpp.Dial(ctx, srv.Addr().String(), smpp.DialOptions{
		Kind: smpp.Transceiver, SystemID: "prov1", Password: "secret",
		Conn: smpp.ConnOptions{Window: 10, Handler: smpp.HandlerFunc(func(r *smpp.Request) {
			if rc, err := smpp.ReceiptOf(&r.PDU); err == nil {
				receipts <- rc
			}
			r.Accept("")
		})},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Unbind(ctx)

	// A submit waits for a window slot, then for its response.
	resp, err := conn.Send(ctx, smpp.SubmitSM, &smpp.Body{
		Source:             smpp.Address{TON: smpp.TONAlphanumeric, Addr: "BRAND"},
		Dest:               smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212612345678"},
		RegisteredDelivery: smpp.RegisteredDeliveryAll,
		ShortMessage:       []byte("Hello"),
	})
	if err != nil {
		log.Fatal(err) // a refusal is its smpp.Status: errors.Is(err, smpp.StatusInvalidDestAddr)
	}
	fmt.Println("message id:", string(resp.MessageID()))

	// The SMSC side sends a receipt to the provider's bind.
	rc := smpp.Receipt{ID: string(resp.MessageID()), Sub: 1, Dlvrd: 1, Stat: "DELIVRD", Err: "000"}
	providerConn := <-prov.conn
	if _, err := providerConn.Send(ctx, smpp.DeliverSM, rc.Body(
		smpp.Address{TON: 1, NPI: 1, Addr: "212612345678"}, smpp.Address{TON: 5, Addr: "BRAND"})); err != nil {
		log.Fatal(err)
	}
	got := <-receipts
	fmt.Println("receipt:", got.ID, got.State)
	// Output:
	// message id: 1
	// receipt: 1 DELIVRD
}

func ExampleSplitter() {
	s := smpp.Splitter{NextRef: func() uint16 { return 0x2A }}
	for _, text := range []string{
		"Votre demande STOP a bien été prise en compte.",
		"تم تسجيل طلب إلغاء الاشتراك الخاص بك. لن تتلقى رسائل إشهارية من هذا المرسل بعد الآن. للاستفسار اتصل بنا.",
	} {
		sp, err := s.Split(text)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("data_coding 0x%02X, %d part(s), esm_class 0x%02X, UDH % X\n",
			byte(sp.DataCoding), len(sp.Parts), sp.ESMClass, sp.Parts[0][:min(6, len(sp.Parts[0]))])
	}
	// Output:
	// data_coding 0x00, 1 part(s), esm_class 0x00, UDH 56 6F 74 72 65 20
	// data_coding 0x08, 2 part(s), esm_class 0x40, UDH 05 00 03 2A 02 01
}

func ExampleParseReceipt() {
	r, err := smpp.ParseReceipt([]byte("id:7F3A sub:001 dlvrd:000 submit date:2607151230 done date:2607151245 stat:UNDELIV err:034 text:Promo -20%"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ID, r.State, r.Err, r.DoneDate.Format(time.DateTime), r.State.Final())
	// Output: 7F3A UNDELIV 034 2026-07-15 12:45:00 true
}

func ExamplePDU_Decode() {
	raw := []byte{
		0x00, 0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x05, 0x00, 'B', 'R', 'A', 'N', 'D', 0x00, 0x01, 0x01, '2', '1', '2', '6', '0', '0', 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF1, 0x00, 0x02, 'H', 'i', 0x14, 0x01, 0x00, 0x00,
	}
	var p smpp.PDU
	if err := p.Decode(raw); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.CommandID(), p.Seq(), string(p.SourceAddr()), string(p.DestAddr()), p.DataCoding().Alphabet())
	for t := range p.TLVs() {
		fmt.Println(t.Tag, len(t.Value))
	}
	// Forwarding: copy and patch the sequence number; nothing else changes.
	out := append([]byte(nil), p.Bytes()...)
	smpp.PatchSeq(out, 42)
	fmt.Printf("% X\n", out[12:16])
	// Output:
	// submit_sm 7 BRAND 212600 GSM7
	// vendor_tlv(0x1401) 0
	// 00 00 00 2A
}

// proxySession is the provider side of an in-line proxy (the gateway):
// one per provider bind.
type proxySession struct {
	smsc *smpp.Conn // the operator-side session, shared by the providers
}

// Inline: ServeSMPP never blocks, so it runs on the provider session's
// reader, with no goroutine per message.
func (p *proxySession) Inline() bool { return true }

// ServeSMPP decides at once; an accepted submit_sm goes to the SMSC byte
// for byte without waiting, and the provider is answered when the SMSC
// answers, with the SMSC's own response (its message id, its status).
func (p *proxySession) ServeSMPP(r *smpp.Request) {
	if r.CommandID() != smpp.SubmitSM {
		r.Reject(smpp.StatusInvalidCmdID)
		return
	}
	if text, err := r.Text(); err != nil || !strings.Contains(text, "STOP") {
		r.Reject(smpp.StatusSubmitFailed) // the gateway's own refusal: no opt-out instruction
		return
	}
	err := p.smsc.SendPDUAsync(r.Context(), r.Bytes(), func(resp *smpp.PDU, err error) {
		// On the SMSC session's reader: forward and return. (With
		// RecycleRequests, r must not be used after Forward.)
		if resp != nil {
			r.Forward(resp.Bytes())
			return
		}
		r.Reject(smpp.StatusThrottled) // no answer in time, or the link dropped: try again later
	})
	if err != nil { // the SMSC link is down or its window stayed full
		r.Reject(smpp.StatusThrottled)
	}
}

func ExampleInlineHandler() {
	ctx := context.Background()
	listen := func(h smpp.Handler) *smpp.Server {
		s, err := smpp.NewServer(smpp.ServerOptions{Addr: "127.0.0.1:0", Conn: smpp.ConnOptions{RecycleRequests: true},
			Authenticate: func(context.Context, *smpp.BindRequest) (smpp.Handler, error) { return h, nil }})
		if err != nil {
			log.Fatal(err)
		}
		s.Start()
		return s
	}
	// The operator's SMSC, and the gateway's session to it.
	var ids atomic.Int64
	smsc := listen(smpp.InlineFunc(func(r *smpp.Request) { r.Accept("op-" + strconv.FormatInt(ids.Add(1), 10)) }))
	defer smsc.Shutdown(ctx)
	upstream, err := smpp.Dial(ctx, smsc.Addr().String(), smpp.DialOptions{Kind: smpp.Transmitter,
		Conn: smpp.ConnOptions{Window: 100}})
	if err != nil {
		log.Fatal(err)
	}
	defer upstream.Unbind(ctx)
	// The gateway's listener for providers.
	gw := listen(&proxySession{smsc: upstream})
	defer gw.Shutdown(ctx)

	provider, err := smpp.Dial(ctx, gw.Addr().String(), smpp.DialOptions{Kind: smpp.Transmitter})
	if err != nil {
		log.Fatal(err)
	}
	defer provider.Unbind(ctx)
	for _, text := range []string{"Promo -20% ! STOP au 5050", "Promo -20% !"} {
		resp, err := provider.Send(ctx, smpp.SubmitSM, &smpp.Body{
			Source: smpp.Address{TON: smpp.TONAlphanumeric, Addr: "BRAND"},
			Dest:   smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212612345678"}, ShortMessage: []byte(text)})
		if err != nil {
			fmt.Printf("%q: %v\n", text, err)
			continue
		}
		fmt.Printf("%q: %s\n", text, resp.MessageID())
	}
	// Output:
	// "Promo -20% ! STOP au 5050": op-1
	// "Promo -20% !": smpp: ESME_RSUBMITFAIL (0x00000045): submit failed
}
