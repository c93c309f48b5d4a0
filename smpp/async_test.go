package smpp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// echoText answers every submit_sm with its own short_message as the
// message id, so that a test can tell every answer from the others.
func echoText(r *Request) { r.Accept(string(r.ShortMessage())) }

func numbered(i int) *Body {
	b := *msg
	b.ShortMessage = []byte("m" + strconv.Itoa(i))
	return &b
}

// TestInlineHandler: an InlineHandler runs on the reader, one request at a
// time, and still answers a full window of pipelined requests, each with
// its own answer.
func TestInlineHandler(t *testing.T) {
	var running, overlap atomic.Int32
	for _, recycle := range []bool{false, true} {
		t.Run(fmt.Sprintf("recycle=%v", recycle), func(t *testing.T) {
			s := startServer(t, ServerOptions{Conn: ConnOptions{RecycleRequests: recycle},
				Authenticate: acceptAll(InlineFunc(func(r *Request) {
					if running.Add(1) > 1 {
						overlap.Add(1)
					}
					echoText(r)
					running.Add(-1)
				}))})
			c := dial(t, s, DialOptions{Conn: ConnOptions{Window: 64}})
			var wg sync.WaitGroup
			for i := range 500 {
				wg.Go(func() {
					resp, err := c.Send(context.Background(), SubmitSM, numbered(i))
					if err != nil {
						t.Error(err)
						return
					}
					if got, want := string(resp.MessageID()), "m"+strconv.Itoa(i); got != want {
						t.Errorf("answer %q to %q", got, want)
					}
				})
			}
			wg.Wait()
			if overlap.Load() != 0 {
				t.Errorf("the inline handler ran concurrently with itself %d times", overlap.Load())
			}
		})
	}
}

// TestSendAsync: every callback is called once with its own response, the
// window is respected, and the Body may be reused as soon as SendAsync
// returns.
func TestSendAsync(t *testing.T) {
	const window, n = 8, 300
	var peak, inflight atomic.Int32
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		cur := inflight.Add(1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(time.Millisecond)
		inflight.Add(-1)
		echoText(r)
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: window}})
	calls := make([]atomic.Int32, n)
	var wg sync.WaitGroup
	wg.Add(n)
	body := *msg
	for i := range n {
		body.ShortMessage = append(body.ShortMessage[:0], "m"+strconv.Itoa(i)...)
		err := c.SendAsync(context.Background(), SubmitSM, &body, func(resp *PDU, err error) {
			defer wg.Done()
			calls[i].Add(1)
			if err != nil {
				t.Errorf("%d: %v", i, err)
				return
			}
			if got, want := string(resp.MessageID()), "m"+strconv.Itoa(i); got != want {
				t.Errorf("answer %q to %q", got, want)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Outstanding() > window {
			t.Fatalf("%d outstanding with a window of %d", c.Outstanding(), window)
		}
	}
	wg.Wait()
	for i := range calls {
		if calls[i].Load() != 1 {
			t.Errorf("callback %d called %d times", i, calls[i].Load())
		}
	}
	if peak.Load() > window {
		t.Errorf("the peer saw %d outstanding with a window of %d", peak.Load(), window)
	}
	if c.Outstanding() != 0 {
		t.Errorf("%d still outstanding", c.Outstanding())
	}
}

// TestSendAsyncErrors: refusals, time-outs, a closed session and a
// cancelled wait for a window slot each reach the caller exactly once,
// through the callback or SendAsync's error, never both.
func TestSendAsyncErrors(t *testing.T) {
	hold := make(chan struct{})
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		switch string(r.ShortMessage()) {
		case "refuse":
			r.Reject(StatusInvalidDestAddr)
		case "throttle":
			r.Reject(StatusThrottled)
		case "hold":
			<-hold
			r.Accept("late")
		default:
			r.Accept("ok")
		}
	}))})
	t.Cleanup(func() { close(hold) })
	// A generous ResponseTimeout for what is answered (a loaded machine may
	// take a while), a short one on a session of its own for the time-out.
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: 1, ResponseTimeout: 10 * time.Second,
		ThrottleDelay: 200 * time.Millisecond}})
	impatient := dial(t, s, DialOptions{Conn: ConnOptions{Window: 1, ResponseTimeout: 100 * time.Millisecond}})
	ctx := context.Background()
	send := func(c *Conn, text string) (*PDU, error) {
		b := *msg
		b.ShortMessage = []byte(text)
		type result struct {
			id  string
			err error
		}
		got := make(chan result, 2)
		if err := c.SendAsync(ctx, SubmitSM, &b, func(resp *PDU, err error) {
			var id string
			if resp != nil {
				id = string(resp.MessageID())
			}
			got <- result{id, err}
		}); err != nil {
			return nil, err
		}
		r := <-got
		select {
		case <-got:
			t.Errorf("%s: callback called twice", text)
		case <-time.After(10 * time.Millisecond):
		}
		var p *PDU
		if r.id != "" {
			p = &PDU{}
			p.Decode(AppendMessageIDResp(nil, SubmitSMResp, 0, 1, r.id))
		}
		return p, r.err
	}
	if _, err := send(c, "refuse"); !errors.Is(err, StatusInvalidDestAddr) {
		t.Errorf("refused: %v", err)
	}
	if _, err := send(c, "throttle"); !errors.Is(err, StatusThrottled) {
		t.Errorf("throttled: %v", err)
	}
	// The session backs off after ESME_RTHROTTLED: the next send waits.
	start := time.Now()
	if p, err := send(c, "x"); err != nil || string(p.MessageID()) != "ok" {
		t.Errorf("after throttling: %v", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("no back-off after ESME_RTHROTTLED: next answer after %v", d)
	}
	if _, err := send(impatient, "hold"); !errors.Is(err, ErrTimeout) {
		t.Errorf("unanswered: %v", err)
	}
	// A full window makes SendAsync wait, within its context.
	hold2 := *msg
	hold2.ShortMessage = []byte("hold")
	c2 := dial(t, s, DialOptions{Conn: ConnOptions{Window: 1}})
	first := make(chan error, 1)
	if err := c2.SendAsync(ctx, SubmitSM, &hold2, func(_ *PDU, err error) { first <- err }); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if err := c2.SendAsync(short, SubmitSM, msg, func(*PDU, error) { t.Error("callback of a request never sent") }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("full window: %v", err)
	}
	// Closing fails what is outstanding, through its callback.
	c2.Close()
	if err := <-first; !errors.Is(err, ErrClosed) {
		t.Errorf("outstanding at close: %v", err)
	}
	if err := c2.SendAsync(ctx, SubmitSM, msg, func(*PDU, error) { t.Error("callback on a closed session") }); !errors.Is(err, ErrClosed) {
		t.Errorf("send on a closed session: %v", err)
	}
	if err := c.SendAsync(ctx, SubmitSM, msg, nil); err == nil {
		t.Error("no callback accepted")
	}
	if err := c.SendAsync(ctx, DeliverSM, msg, func(*PDU, error) {}); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("deliver_sm from the ESME: %v", err)
	}
}

// TestSendAsyncChained: a callback may send the next request on the same
// session (the load generator's loop), and the requests keep flowing.
func TestSendAsyncChained(t *testing.T) {
	s := startServer(t, ServerOptions{Authenticate: acceptAll(InlineFunc(echoText))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: 4}})
	const n = 1000
	var sent, acked atomic.Int32
	done := make(chan struct{})
	var next func(*PDU, error)
	next = func(resp *PDU, err error) {
		if err != nil {
			t.Error(err)
		}
		if acked.Add(1) == n {
			close(done)
		}
		if i := sent.Add(1); i <= n {
			if err := c.SendAsync(context.Background(), SubmitSM, numbered(int(i)), next); err != nil {
				t.Error(err)
			}
		}
	}
	for range 4 {
		sent.Add(1)
		if err := c.SendAsync(context.Background(), SubmitSM, msg, next); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d of %d answered", acked.Load(), n)
	}
}

// gatewaySession is the provider side of an in-line proxy, as the gateway
// builds it: an InlineHandler that decides at once, refuses on the spot or
// forwards the PDU byte for byte to the SMSC without waiting, and answers
// the provider from the SMSC's callback.
type gatewaySession struct {
	smsc *Conn
}

func (g *gatewaySession) Inline() bool { return true }

func (g *gatewaySession) ServeSMPP(r *Request) {
	if string(r.ShortMessage()) == "forbidden" {
		r.Reject(StatusInvalidDestAddr) // the gateway's own refusal
		return
	}
	err := g.smsc.SendPDUAsync(r.Context(), r.Bytes(), func(resp *PDU, err error) {
		switch {
		case resp != nil: // the SMSC's answer, accepted or not, byte for byte
			r.Forward(resp.Bytes())
		case errors.Is(err, ErrTimeout):
			r.Reject(StatusThrottled)
		default:
			r.Reject(StatusSystemError)
		}
	})
	if err != nil {
		r.Reject(StatusThrottled)
	}
}

// TestAsyncProxy: provider → inline handler → SendPDUAsync → SMSC and
// back, with recycled requests and many in flight: every provider gets its
// own answer, and PDUs cross byte for byte.
func TestAsyncProxy(t *testing.T) {
	var atSMSC sync.Map
	smsc := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		atSMSC.Store(string(r.ShortMessage()), slices.Clone(r.Bytes()))
		if string(r.ShortMessage()) == "refused" {
			r.Reject(StatusInvalidSourceAddr)
			return
		}
		id := "s-" + string(r.ShortMessage())
		if r.ESMClass()&ESMClassUDHI != 0 {
			id = "s-udh" // binary text makes no message id
		}
		r.Respond(StatusOK, &Body{MessageID: id, TLVs: []TLV{{0x1500, []byte("vendor")}}})
	}))})
	upstream := dial(t, smsc, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: 16}})
	gw := startServer(t, ServerOptions{Conn: ConnOptions{RecycleRequests: true},
		Authenticate: acceptAll(&gatewaySession{smsc: upstream})})

	// Byte fidelity, with a PDU no library would build.
	nc, rd := rawBind(t, gw.Addr().String())
	in := vector(t, "submit_sm UDH, duplicate and vendor TLVs")
	PatchSeq(in, 4242)
	nc.Write(in)
	p := readPDU(t, rd)
	if p.Seq() != 4242 || p.CommandID() != SubmitSMResp {
		t.Fatalf("response %v", p.String())
	}
	if v, ok := p.TLV(0x1500); !ok || string(v.Value) != "vendor" {
		t.Errorf("the SMSC's TLV was lost")
	}
	var orig PDU
	orig.Decode(in)
	got, _ := atSMSC.Load(string(orig.ShortMessage()))
	if b, _ := got.([]byte); len(b) != len(in) || string(b[16:]) != string(in[16:]) || string(b[:12]) != string(in[:12]) {
		t.Errorf("the SMSC got\n%X\nnot\n%X", got, in)
	}

	// Many providers' requests in flight at once.
	var wg sync.WaitGroup
	for range 3 {
		c := dial(t, gw, DialOptions{Conn: ConnOptions{Window: 50}})
		for i := range 300 {
			wg.Go(func() {
				resp, err := c.Send(context.Background(), SubmitSM, numbered(i))
				if err != nil {
					t.Error(err)
					return
				}
				if got, want := string(resp.MessageID()), "s-m"+strconv.Itoa(i); got != want {
					t.Errorf("answer %q to %q", got, want)
				}
			})
		}
	}
	wg.Wait()
	c := dial(t, gw, DialOptions{})
	for text, want := range map[string]Status{"forbidden": StatusInvalidDestAddr, "refused": StatusInvalidSourceAddr} {
		b := *msg
		b.ShortMessage = []byte(text)
		if _, err := c.Send(context.Background(), SubmitSM, &b); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", text, err, want)
		}
	}
}

// TestQueuedWhileReaderBusy: answers queued by other goroutines while the
// reader handles a batch go out with it; a queue too long for one write
// leaves through the writer; nothing is lost either way.
func TestQueuedWhileReaderBusy(t *testing.T) {
	big := make([]byte, 200)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	s := startServer(t, ServerOptions{Conn: ConnOptions{MaxInflight: 5000}, Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		r.Respond(StatusOK, &Body{MessageID: string(r.ShortMessage()), TLVs: []TLV{{0x1501, big}}})
	}))})
	nc, rd := rawBind(t, s.Addr().String())
	const n = 2000 // 2000 answers of ~240 octets: more than one write
	var batch []byte
	for i := range n {
		batch, _ = numbered(i).Append(batch, SubmitSM, 0, uint32(i+1))
	}
	go nc.Write(batch)
	seen := make(map[uint32]bool)
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for range n {
		p := readPDU(t, rd)
		if want := "m" + strconv.Itoa(int(p.Seq())-1); string(p.MessageID()) != want {
			t.Fatalf("seq %d answered %q", p.Seq(), p.MessageID())
		}
		seen[p.Seq()] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct answers of %d", len(seen), n)
	}
	var _ net.Conn = nc
}

// TestPeerNotReading: a provider that sends and never reads its answers
// does not stall the proxy's operator-side session nor the other
// providers, and what the proxy queues for it stays bounded: its session
// stops reading it instead.
func TestPeerNotReading(t *testing.T) {
	big := make([]byte, 2000)
	smsc := startServer(t, ServerOptions{Conn: ConnOptions{RecycleRequests: true},
		Authenticate: acceptAll(InlineFunc(func(r *Request) {
			r.Respond(StatusOK, &Body{MessageID: "ok", TLVs: []TLV{{0x1501, big}}})
		}))})
	up := dial(t, smsc, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: 64}})
	gw := startServer(t, ServerOptions{Conn: ConnOptions{RecycleRequests: true, MaxInflight: 100000},
		Authenticate: acceptAll(&gatewaySession{smsc: up})})

	// The silent provider: small buffers, writes only.
	nc, rd := rawBind(t, gw.Addr().String())
	nc.(*net.TCPConn).SetReadBuffer(4096)
	_ = rd
	stop := make(chan struct{})
	var written atomic.Int64
	go func() {
		raw, _ := msg.Encode(SubmitSM, 0, 1)
		batch := make([]byte, 0, 100*len(raw))
		for range 100 {
			batch = append(batch, raw...)
		}
		for {
			select {
			case <-stop:
				return
			default:
			}
			nc.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			n, _ := nc.Write(batch)
			written.Add(int64(n))
		}
	}()
	defer close(stop)
	// Its session soon stops reading it: its writes stall (waited for
	// with a deadline of seconds, not a fixed sleep: a loaded machine may
	// take a while to fill the buffers).
	for deadline := time.Now().Add(10 * time.Second); ; {
		w1 := written.Load()
		time.Sleep(100 * time.Millisecond)
		w2 := written.Load()
		if w1 > 0 && w2-w1 <= 64<<10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the silent provider still writes (%d octets in 100 ms, more than 64 KiB): its session keeps reading", w2-w1)
		}
	}

	// Another provider is served all along.
	c := dial(t, gw, DialOptions{Conn: ConnOptions{Window: 10}})
	start := time.Now()
	for i := range 200 {
		if _, err := c.Send(context.Background(), SubmitSM, numbered(i)); err != nil {
			t.Fatalf("the other provider: %v", err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the other provider took %v for 200 submits", d)
	}
	// The silent provider's session stopped reading it.
	var silent *Conn
	for _, s := range gw.Conns() {
		if s.SystemID() == "raw" {
			silent = s
		}
	}
	if silent == nil {
		t.Fatal("the silent provider's session is gone")
	}
	w1 := written.Load()
	time.Sleep(200 * time.Millisecond)
	if w2 := written.Load(); w2-w1 > 1<<20 {
		t.Errorf("the silent provider wrote %d more octets: its session keeps reading", w2-w1)
	}
	silent.wmu.Lock()
	queued := len(silent.wbuf)
	silent.wmu.Unlock()
	// Bounded: the reader stops once the queue passes maxQueued, but only
	// after the requests it has read (up to a 64 KiB buffer of them) are
	// handled, and each answer here is some 2 KB for a 60-octet request.
	// (A fixed 8 × maxQueued was exceeded now and then under load, when
	// the last read filled the buffer.)
	req, _ := msg.Encode(SubmitSM, 0, 1)
	answer, _ := (&Body{MessageID: "ok", TLVs: []TLV{{0x1501, big}}}).Encode(SubmitSMResp, 0, 1)
	if limit := 2*maxQueued + (64<<10)/len(req)*len(answer); queued > limit {
		t.Errorf("%d octets queued for a peer that does not read (limit %d)", queued, limit)
	}
	if up.Err() != nil {
		t.Errorf("the operator-side session: %v", up.Err())
	}
}

// TestWriteDeadlineLater: a session keeps working long after the writer's
// last write deadline (WriteTimeout) has passed, whoever writes.
func TestWriteDeadlineLater(t *testing.T) {
	// Not much shorter: a thread descheduled for WriteTimeout between
	// setting the deadline and writing fails its write, and a loaded
	// machine does that for tens of milliseconds.
	opts := ConnOptions{WriteTimeout: 150 * time.Millisecond, RecycleRequests: true}
	s := startServer(t, ServerOptions{Conn: opts, Authenticate: acceptAll(InlineFunc(echoText))})
	c := dial(t, s, DialOptions{Conn: opts})
	for i := range 3 {
		time.Sleep(opts.WriteTimeout + 50*time.Millisecond)
		for j := range 5 {
			if _, err := c.Send(context.Background(), SubmitSM, numbered(10*i+j)); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
	}
}
