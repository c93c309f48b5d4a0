package sim

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/bawwab/bawwab/internal/peer"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
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
	if !strings.HasPrefix(res.String(), "RESULT sent=10 parts=10 acked=10 ") {
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

// bindESME binds a transceiver (or kind) to s whose handler records the
// deliver_sm it gets; refuse, if set, answers them with that status.
func bindESME(t *testing.T, s *SMSC, opts smpp.DialOptions, refuse smpp.Status) (*smpp.Conn, chan *smpp.PDU) {
	t.Helper()
	got := make(chan *smpp.PDU, 100)
	opts.Conn.Handler = smpp.HandlerFunc(func(r *smpp.Request) {
		got <- &r.PDU
		if refuse != 0 {
			r.Reject(refuse)
			return
		}
		r.Accept("")
	})
	if opts.SystemID == "" {
		opts.SystemID = "gw"
	}
	c, err := smpp.Dial(context.Background(), s.Addr().String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, got
}

func recv(t *testing.T, ch chan *smpp.PDU) *smpp.PDU {
	t.Helper()
	select {
	case p := <-ch:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("no deliver_sm")
		return nil
	}
}

// TestThreeOperators runs the demo's three SMSCs in one process and plays
// the subscribers through the HTTP endpoint.
func TestThreeOperators(t *testing.T) {
	var smscs []*SMSC
	for _, name := range []string{"IAM", "Orange", "inwi"} {
		smscs = append(smscs, startSMSC(t, SMSCConfig{Name: name}))
	}
	_, atOrange := bindESME(t, smscs[1], smpp.DialOptions{}, 0)
	_, atInwi := bindESME(t, smscs[2], smpp.DialOptions{}, smpp.StatusSystemError)
	srv := httptest.NewServer(MOHandler(smscs...))
	defer srv.Close()
	post := func(body string) (int, string) {
		resp, err := http.Post(srv.URL+"/mo", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	long := strings.Repeat("Je ne veux plus recevoir vos messages publicitaires. ", 4)
	for _, c := range []struct {
		body string
		code int
		msg  string
	}{
		{`{"operator":"orange","from":"212612345678","to":"5050","text":"STOP"}`, 200, `"operator":"Orange"`},
		{`{"operator":"Orange","from":"212612345678","to":"5050","text":"` + long + `"}`, 200, `"status":"delivered"`},
		{`{"from":"212612345678","to":"5050","text":"STOP"}`, 404, "say which operator: one of IAM, Orange, inwi"},
		{`{"operator":"meditel","from":"212612345678","to":"5050","text":"STOP"}`, 404, `no operator \"meditel\"`},
		{`{"operator":"IAM","from":"212612345678","to":"5050","text":"STOP"}`, 503, "no receiver"},
		{`{"operator":"inwi","from":"212612345678","to":"5050","text":"STOP"}`, 502, "ESME_RSYSERR"},
		{`{"operator":"IAM","from":"212612345678","to":"5050"}`, 400, "no text"},
		{`{"operator":"IAM","from":"212612345678","to":"5050","text":"STOP","extra":1}`, 400, "bad JSON"},
		{`not json`, 400, "bad JSON"},
	} {
		if code, body := post(c.body); code != c.code || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d %s, want %d %q", c.body, code, body, c.code, c.msg)
		}
	}
	if p := recv(t, atOrange); string(p.ShortMessage()) != "STOP" || string(p.SourceAddr()) != "212612345678" ||
		p.SourceTON() != smpp.TONInternational || string(p.DestAddr()) != "5050" || p.ESMClass() != 0 {
		t.Errorf("MO as %v %q → %q", p, p.SourceAddr(), p.DestAddr())
	}
	reasm := smpp.NewReassembler(smpp.ReassemblerOptions{})
	for {
		m, done, err := reasm.Add(recv(t, atOrange), nil)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			if text, _ := m.Text(); text != long || m.Concat.Total < 2 {
				t.Errorf("long MO read back as %q in %d parts", text, m.Concat.Total)
			}
			break
		}
	}
	recv(t, atInwi)
	resp, err := http.Get(srv.URL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats []Stats
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil || len(stats) != 3 {
		t.Fatalf("stats: %v %v", stats, err)
	}
	if o := stats[1]; o.Name != "Orange" || o.MOAcked != 3 || o.MOFailed != 0 || o.Binds != 1 {
		t.Errorf("Orange: %+v", o)
	}
	if i := stats[2]; i.MOFailed != 1 || stats[0].MOFailed != 1 {
		t.Errorf("inwi %+v, IAM %+v", i, stats[0])
	}
}

// TestMORouting: an MO goes to the bind whose address_range starts its
// short code, else to the binds that can receive, in turn; never to a
// transmitter.
func TestMORouting(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	ctx := context.Background()
	if err := s.DeliverMO(ctx, "212612345678", "5050", "STOP"); !errors.Is(err, ErrNoReceiver) {
		t.Errorf("nobody bound: %v", err)
	}
	bindESME(t, s, smpp.DialOptions{Kind: smpp.Transmitter}, 0)
	_, short := bindESME(t, s, smpp.DialOptions{Kind: smpp.Receiver, AddressRange: smpp.Address{Addr: "50"}}, 0)
	_, other := bindESME(t, s, smpp.DialOptions{Kind: smpp.Transceiver}, 0)
	if err := s.WaitReceiver(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.DeliverMO(ctx, "212612345678", "5050", "STOP"); err != nil {
			t.Fatal(err)
		}
		recv(t, short)
	}
	for range 2 {
		if err := s.DeliverMO(ctx, "212612345678", "7070", "STOP"); err != nil {
			t.Fatal(err)
		}
	}
	// 7070 matches no range: the two receiving binds take it in turn.
	if len(short)+len(other) != 2 {
		time.Sleep(100 * time.Millisecond)
	}
	if len(short) != 1 || len(other) != 1 {
		t.Errorf("round robin: %d and %d", len(short), len(other))
	}
	if err := s.DeliverMO(ctx, "212612345678", "5050", ""); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("empty text: %v", err)
	}
}

// TestReceiptsElsewhere: a receipt goes to a receiver bind of the same
// account when the submitter is a transmitter, and is dropped, counted,
// when no bind can take it before ReceiptExpiry.
func TestReceiptsElsewhere(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "Orange", ReceiptExpiry: 50 * time.Millisecond, Now: func() time.Time {
		return time.Date(2026, 7, 15, 12, 30, 0, 0, time.UTC)
	}})
	tx, _ := bindESME(t, s, smpp.DialOptions{Kind: smpp.Transmitter, SystemID: "prov"}, 0)
	_, rx := bindESME(t, s, smpp.DialOptions{Kind: smpp.Receiver, SystemID: "prov"}, 0)
	_, stranger := bindESME(t, s, smpp.DialOptions{Kind: smpp.Receiver, SystemID: "other"}, 0)
	ctx := context.Background()
	body := &smpp.Body{Source: smpp.Address{TON: 5, Addr: "BRAND"}, Dest: smpp.Address{TON: 1, NPI: 1, Addr: "212612345678"},
		ShortMessage: []byte("Votre colis arrive demain"), RegisteredDelivery: smpp.RegisteredDeliveryAll}
	resp, err := tx.Send(ctx, smpp.SubmitSM, body)
	if err != nil {
		t.Fatal(err)
	}
	p := recv(t, rx)
	rc, err := smpp.ReceiptOf(p)
	if err != nil {
		t.Fatal(err)
	}
	if rc.ID != string(resp.MessageID()) || rc.Stat != "DELIVRD" || rc.Dlvrd != 1 || rc.Text != "Votre colis arrive d" ||
		rc.SubmitDate.Format("0601021504") != "2607151230" || string(p.SourceAddr()) != "212612345678" ||
		string(p.DestAddr()) != "BRAND" || p.ESMClass() != smpp.ESMClassReceipt {
		t.Errorf("receipt %+v from %q to %q", rc, p.SourceAddr(), p.DestAddr())
	}
	if len(stranger) != 0 {
		t.Error("another account got the receipt")
	}
	// registered_delivery 2 asks for failures only: none for a success.
	body.RegisteredDelivery = 2
	if _, err := tx.Send(ctx, smpp.SubmitSM, body); err != nil {
		t.Fatal(err)
	}
	// Nobody to take the next one.
	tx2, _ := bindESME(t, s, smpp.DialOptions{Kind: smpp.Transmitter, SystemID: "lonely"}, 0)
	body.RegisteredDelivery = 1
	if _, err := tx2.Send(ctx, smpp.SubmitSM, body); err != nil {
		t.Fatal(err)
	}
	if !peer.Eventually(5*time.Second, func() bool { return s.Stats().ReceiptsFailed == 1 }) {
		t.Errorf("stats %+v", s.Stats())
	}
	if st := s.Stats(); st.ReceiptsAcked != 1 || st.Submits != 3 || st.ReceiptsPending != 0 {
		t.Errorf("stats %+v", st)
	}
	if len(rx) != 0 {
		t.Errorf("%d more receipts", len(rx))
	}
}

// TestFailedReceipts: the failure share gives UNDELIV and REJECTD receipts
// with their error codes and TLVs.
func TestFailedReceipts(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "inwi", DLRFail: 0.5, Rand: seq(0.3, 0.1)})
	c, got := bindESME(t, s, smpp.DialOptions{}, 0)
	body := &smpp.Body{Source: smpp.Address{TON: 5, Addr: "BRAND"}, Dest: smpp.Address{TON: 1, NPI: 1, Addr: "212612345678"},
		ShortMessage: []byte("x"), RegisteredDelivery: smpp.RegisteredDeliveryAll}
	for _, want := range []struct {
		stat, err string
		state     smpp.MessageState
		gsm       uint16
	}{{"UNDELIV", "027", smpp.StateUndeliverable, 27}, {"REJECTD", "013", smpp.StateRejected, 13}} {
		if _, err := c.Send(context.Background(), smpp.SubmitSM, body); err != nil {
			t.Fatal(err)
		}
		p := recv(t, got)
		rc, err := smpp.ReceiptOf(p)
		if err != nil || rc.Stat != want.stat || rc.Err != want.err || rc.Dlvrd != 0 || rc.State != want.state ||
			rc.NetworkError != (smpp.NetworkError{Type: 3, Code: want.gsm}) {
			t.Errorf("receipt %+v, %v; want %s err:%s", rc, err, want.stat, want.err)
		}
	}
	if !peer.Eventually(5*time.Second, func() bool { st := s.Stats(); return st.Undelivered == 1 && st.Rejected == 1 }) {
		t.Errorf("stats %+v", s.Stats())
	}
}

func TestInvalidSubmit(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	c, _ := bindESME(t, s, smpp.DialOptions{}, 0)
	body := &smpp.Body{Source: smpp.Address{TON: 5, Addr: strings.Repeat("X", 25)}, Dest: smpp.Address{TON: 1, NPI: 1, Addr: "212612345678"},
		ShortMessage: []byte("x")}
	if _, err := c.Send(context.Background(), smpp.SubmitSM, body); !errors.Is(err, smpp.StatusInvalidSourceAddr) {
		t.Errorf("source of 25 characters: %v", err)
	}
	if _, err := c.Send(context.Background(), smpp.QuerySM, &smpp.Body{MessageID: "1"}); !errors.Is(err, smpp.StatusQueryFailed) {
		t.Errorf("query_sm: %v", err)
	}
	if st := s.Stats(); st.SubmitsRefused != 1 || st.Submits != 0 {
		t.Errorf("stats %+v", st)
	}
	if _, err := NewSMSC(SMSCConfig{DLRFail: 2}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("DLRFail 2: %v", err)
	}
	never, err := NewSMSC(SMSCConfig{Name: "never started"})
	if err != nil {
		t.Fatal(err)
	}
	if err := never.Shutdown(context.Background()); err != nil {
		t.Errorf("shutdown before start: %v", err)
	}
}

func TestLoadModes(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	ctx := context.Background()
	// Several binds share the count; a long text goes in parts.
	res, err := RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Count: 300, Binds: 3, Window: 7,
		Texts: []string{"court {n}", strings.Repeat("long ", 50) + "{n}"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Messages != 300 || res.Acked != res.Sent || res.Sent != 150+150*2 || res.Failed != 0 || res.Latency.Count != uint64(res.Sent) {
		t.Errorf("%+v", res)
	}
	if st := s.Stats(); st.BindsTotal != 3 || st.Submits != res.Sent {
		t.Errorf("stats %+v", st)
	}
	// At a rate, for a time.
	start := time.Now()
	res, err = RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Rate: 400, Duration: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// The rate is a ceiling (at most 200 in 500 ms, with a margin for the
	// first tick); how many go out under a loaded machine's scheduling is
	// not fixed, but some must.
	if d := time.Since(start); res.Acked < 1 || res.Acked > 260 || d > 5*time.Second {
		t.Errorf("%d messages at 400/s in 500 ms (took %v)", res.Acked, d)
	}
	// Refusals are counted, not failures.
	res, err = RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Count: 5, Source: strings.Repeat("1", 30)})
	if err != nil || res.Refused != 5 || res.Acked != 0 {
		t.Errorf("refused: %+v %v", res, err)
	}
	for _, cfg := range []LoadConfig{{}, {Addr: "x"}, {Addr: "x", Count: 1, Rate: -1},
		{Addr: "x", Count: 1, Receipts: true, Kind: smpp.Transmitter}} {
		if _, err := RunLoad(ctx, cfg); bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
}

// TestLoadSessionLost: the SMSC goes away in the middle of a run; the
// messages left are counted as failed and the run ends.
func TestLoadSessionLost(t *testing.T) {
	s, err := NewSMSC(SMSCConfig{Name: "IAM", Conn: smpp.ConnOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		// Once the run is under way, however long a loaded machine takes
		// to get there (not after a fixed 100 ms).
		peer.Eventually(10*time.Second, func() bool { return s.Stats().Submits >= 5 })
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		s.Shutdown(ctx)
	}()
	res, err := RunLoad(context.Background(), LoadConfig{Addr: s.Addr().String(), Rate: 1000, Duration: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstError == nil || res.Acked == 0 || res.Elapsed > 10*time.Second {
		t.Errorf("%+v", res)
	}
}

// TestLoadInterrupted: a run stopped by its context reports what it did,
// with no failure.
func TestLoadInterrupted(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // once the run is under way, not after a fixed 200 ms
		peer.Eventually(10*time.Second, func() bool { return s.Stats().Submits >= 5 })
		cancel()
	}()
	res, err := RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Rate: 500, Window: 1, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if res.FirstError != nil || res.Failed != 0 || res.Acked == 0 || res.Acked != res.Sent {
		t.Errorf("%+v", res)
	}
}
