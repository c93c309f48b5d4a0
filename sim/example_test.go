package sim_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
)

// The demo's network: three operators' SMSCs in one process, the gateway
// bound to each, and a subscriber's STOP injected at Orange.
func Example() {
	ctx := context.Background()
	operators := map[string]*sim.SMSC{}
	var all []*sim.SMSC
	for _, name := range []string{"IAM", "Orange", "inwi"} {
		s, err := sim.NewSMSC(sim.SMSCConfig{Name: name, Accounts: map[string]string{"bawwab": "secret"},
			DLRDelay: 50 * time.Millisecond, DLRFail: 0.05})
		if err != nil {
			log.Fatal(err)
		}
		if err := s.Start(); err != nil {
			log.Fatal(err)
		}
		defer s.Shutdown(ctx)
		operators[name], all = s, append(all, s)
	}

	// The gateway's operator-side session to Orange (in the demo, the
	// proxy dials s.Addr() of each SMSC).
	mo := make(chan string, 1)
	gw, err := smpp.Dial(ctx, operators["Orange"].Addr().String(), smpp.DialOptions{
		SystemID: "bawwab", Password: "secret",
		Conn: smpp.ConnOptions{Handler: smpp.InlineFunc(func(r *smpp.Request) {
			text, _ := r.Text()
			mo <- fmt.Sprintf("%s → %s: %s", r.SourceAddr(), r.DestAddr(), text)
			r.Accept("")
		})},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Unbind(ctx)

	// A subscriber answers STOP, from Go...
	if err := operators["Orange"].DeliverMO(ctx, "212612345678", "5050", "STOP"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(<-mo)

	// ... or over HTTP, as the demo's console and curl do.
	srv := httptest.NewServer(sim.MOHandler(all...))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/mo", "application/json",
		strings.NewReader(`{"operator":"orange","from":"212661234567","to":"5050","text":"Arrêtez"}`))
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, <-mo)
	fmt.Println(operators["Orange"].Stats().MOAcked, "MO acknowledged at Orange")
	// Output:
	// 212612345678 → 5050: STOP
	// 200 OK 212661234567 → 5050: Arrêtez
	// 2 MO acknowledged at Orange
}

// A provider's load: 200 messages from two templates, ten in flight,
// with receipts, against a simulated SMSC.
func ExampleRunLoad() {
	s, err := sim.NewSMSC(sim.SMSCConfig{Name: "IAM", DLRDelay: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	s.Start()
	defer s.Shutdown(context.Background())

	res, err := sim.RunLoad(context.Background(), sim.LoadConfig{
		Addr:     s.Addr().String(),
		Count:    200,
		Window:   10,
		Receipts: true,
		Texts: []string{
			"Promo {n}: -20% ce week-end chez BRAND ! STOP au 5050",
			"عرض {n}: تخفيض 20% ! أرسل STOP إلى 5050",
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Acked, "accepted,", res.Receipts["DELIVRD"], "delivered,", res.ReceiptsMatched, "receipts matched")
	// Output: 200 accepted, 200 delivered, 200 receipts matched
}
