package smpp

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// acceptAll accepts every bind with h.
func acceptAll(h Handler) Authenticator {
	return func(context.Context, *BindRequest) (Handler, error) { return h, nil }
}

// counter answers every submit_sm with an incrementing message id.
func counter() Handler {
	var n atomic.Int64
	return HandlerFunc(func(r *Request) { r.Accept(strconv.FormatInt(n.Add(1), 10)) })
}

func startServer(t testing.TB, opts ServerOptions) *Server {
	t.Helper()
	if opts.Addr == "" && opts.Listener == nil {
		opts.Addr = "127.0.0.1:0"
	}
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	<-s.Ready()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

func dial(t testing.TB, s *Server, opts DialOptions) *Conn {
	t.Helper()
	if opts.SystemID == "" {
		opts.SystemID, opts.Password = "esme", "pw"
	}
	c, err := Dial(context.Background(), s.Addr().String(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var msg = &Body{Source: Address{5, 0, "BRAND"}, Dest: Address{1, 1, "212612345678"}, ShortMessage: []byte("Hello")}

func TestBindAuth(t *testing.T) {
	var got []BindRequest
	var mu sync.Mutex
	s := startServer(t, ServerOptions{SystemID: "SMSC1", Authenticate: func(ctx context.Context, b *BindRequest) (Handler, error) {
		mu.Lock()
		got = append(got, *b)
		mu.Unlock()
		switch {
		case b.SystemID == "down":
			return nil, errors.New("registry unavailable")
		case b.Password != "pw":
			return nil, StatusInvalidPassword
		}
		return counter(), nil
	}})
	ctx := context.Background()
	c, err := Dial(ctx, s.Addr().String(), DialOptions{Kind: Transmitter, SystemID: "prov1", Password: "pw", SystemType: "VMA"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.SystemID() != "SMSC1" || c.Kind() != Transmitter {
		t.Errorf("bound to %q as %v", c.SystemID(), c.Kind())
	}
	if resp, err := c.Send(ctx, SubmitSM, msg); err != nil || string(resp.MessageID()) != "1" {
		t.Fatalf("submit: %v", err)
	}
	_, err = Dial(ctx, s.Addr().String(), DialOptions{SystemID: "prov1", Password: "bad"})
	if !errors.Is(err, StatusInvalidPassword) {
		t.Errorf("bad password: err = %v", err)
	}
	_, err = Dial(ctx, s.Addr().String(), DialOptions{SystemID: "down", Password: "pw"})
	if !errors.Is(err, StatusBindFailed) {
		t.Errorf("failing authenticator: err = %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("%d binds seen", len(got))
	}
	b := got[0]
	if b.Kind != Transmitter || b.SystemID != "prov1" || b.Password != "pw" || b.SystemType != "VMA" ||
		b.InterfaceVersion != 0x34 || b.RemoteAddr.String() != c.LocalAddr().String() || b.TLS != nil {
		t.Errorf("bind request %+v", b)
	}
	if got[1].Kind != Transceiver {
		t.Errorf("default kind %v", got[1].Kind)
	}
}

// providerSession is what a gateway keeps per bind: the Conn, to deliver
// receipts to the provider.
type providerSession struct {
	Handler
	conn chan *Conn
}

func (p *providerSession) Bound(c *Conn) { p.conn <- c }

func TestDeliverToProvider(t *testing.T) {
	sess := &providerSession{Handler: counter(), conn: make(chan *Conn, 3)}
	s := startServer(t, ServerOptions{Authenticate: acceptAll(sess)})
	got := make(chan *Request, 1)
	c := dial(t, s, DialOptions{Kind: Transceiver, Conn: ConnOptions{Handler: HandlerFunc(func(r *Request) {
		got <- r
		r.Accept("")
	})}})
	server := <-sess.conn
	if server.Kind() != Transceiver || server.SystemID() != "esme" {
		t.Fatalf("server side %v %q", server.Kind(), server.SystemID())
	}
	resp, err := c.Send(context.Background(), SubmitSM, msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
		t.Fatal(err)
	}
	rcpt := Receipt{ID: string(resp.MessageID()), Sub: 1, Dlvrd: 1, Stat: "DELIVRD", Err: "000"}
	if _, err := server.Send(context.Background(), DeliverSM, rcpt.Body(msg.Dest, msg.Source)); err != nil {
		t.Fatal(err)
	}
	r := <-got
	// Each side numbers its own requests: the client sent 2 (after its
	// bind, 1), the server's first request is 1.
	if r.Seq() != 1 {
		t.Errorf("the server's first deliver_sm has sequence number %d", r.Seq())
	}
	back, err := ReceiptOf(&r.PDU)
	if err != nil || back.ID != "1" || back.State != StateDelivered || r.ESMClass() != ESMClassReceipt {
		t.Errorf("receipt %+v %v", back, err)
	}

	// A transmitter bind gets no deliver_sm, and may not send one.
	tx := dial(t, s, DialOptions{Kind: Transmitter})
	txServer := <-sess.conn
	if _, err := txServer.Send(context.Background(), DeliverSM, msg); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("deliver_sm to a transmitter: %v", err)
	}
	if _, err := tx.Send(context.Background(), DeliverSM, msg); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("deliver_sm from an ESME: %v", err)
	}
	// A receiver may not submit; the SMSC refuses it if it tries anyway.
	rx := dial(t, s, DialOptions{Kind: Receiver})
	<-sess.conn
	if _, err := rx.Send(context.Background(), SubmitSM, msg); !errors.Is(err, ErrNotAllowed) {
		t.Errorf("submit_sm on a receiver: %v", err)
	}
	rx.kind = Transmitter // lie, to get the submit_sm on the wire
	if _, err := rx.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusInvalidBindStatus) {
		t.Errorf("submit_sm on a receiver, server side: %v", err)
	}
}

// TestWindow: a full window makes senders wait; nothing is dropped, the
// peer never sees more outstanding requests than the window, and nothing
// deadlocks when many goroutines share a small window.
func TestWindow(t *testing.T) {
	for _, window := range []int{1, 10} {
		t.Run(strconv.Itoa(window), func(t *testing.T) {
			var cur, peak atomic.Int64
			s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
				n := cur.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(time.Millisecond)
				cur.Add(-1)
				r.Accept(string(r.ShortMessage()))
			}))})
			c := dial(t, s, DialOptions{Conn: ConnOptions{Window: window}})
			const senders, each = 30, 10
			var wg sync.WaitGroup
			var mu sync.Mutex
			ids := map[string]bool{}
			for g := range senders {
				wg.Go(func() {
					for i := range each {
						b := *msg
						b.ShortMessage = fmt.Appendf(nil, "%d-%d", g, i)
						resp, err := c.Send(context.Background(), SubmitSM, &b)
						if err != nil {
							t.Error(err)
							return
						}
						if string(resp.MessageID()) != string(b.ShortMessage) {
							t.Errorf("response %q for %q", resp.MessageID(), b.ShortMessage)
						}
						mu.Lock()
						ids[string(resp.MessageID())] = true
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(ids) != senders*each {
				t.Errorf("%d distinct answers, want %d", len(ids), senders*each)
			}
			if p := peak.Load(); p > int64(window) || window > 1 && p < 2 {
				t.Errorf("peer saw %d outstanding with a window of %d", p, window)
			}
			if c.Outstanding() != 0 {
				t.Errorf("%d window slots still held", c.Outstanding())
			}
		})
	}
}

func TestWindowWait(t *testing.T) {
	release := make(chan struct{})
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		<-release
		r.Accept("x")
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: 2, WindowTimeout: 30 * time.Millisecond}})
	results := make(chan error, 2)
	for range 2 {
		go func() { _, err := c.Send(context.Background(), SubmitSM, msg); results <- err }()
	}
	for c.Outstanding() < 2 {
		time.Sleep(time.Millisecond)
	}
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, ErrWindowFull) {
		t.Errorf("full window, WindowTimeout: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, SubmitSM, msg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("full window, context: %v", err)
	}
	close(release)
	for range 2 {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
}

func TestResponseTimeout(t *testing.T) {
	var held []*Request
	var mu sync.Mutex
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		mu.Lock()
		held = append(held, r) // never answered
		mu.Unlock()
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{ResponseTimeout: 40 * time.Millisecond}})
	start := time.Now()
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 10*time.Second {
		t.Errorf("timed out after %v", d)
	}
	if c.Outstanding() != 0 || c.Err() != nil {
		t.Errorf("after a time-out: %d outstanding, err %v", c.Outstanding(), c.Err())
	}
	// A late answer is ignored, and the session goes on.
	mu.Lock()
	held[0].Accept("late")
	mu.Unlock()
	time.Sleep(10 * time.Millisecond)
	if c.Err() != nil {
		t.Errorf("late answer closed the session: %v", c.Err())
	}
}

func TestSequenceNumbers(t *testing.T) {
	seqs := make(chan uint32, 10)
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		seqs <- r.Seq()
		r.Accept("")
	}))})
	c := dial(t, s, DialOptions{})
	c.mu.Lock()
	c.seq = MaxSeq - 1
	c.pending.put(2, &call{cmd: SubmitSM, done: make(chan struct{}, 1), deadline: time.Now().Add(time.Hour).UnixNano()})
	c.mu.Unlock()
	for range 4 {
		if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
			t.Fatal(err)
		}
	}
	var got []uint32
	for range 4 {
		got = append(got, <-seqs)
	}
	// Wraps after 0x7FFFFFFF to 1, and skips 2, still outstanding.
	if want := []uint32{MaxSeq, 1, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("sequence numbers %v, want %v", got, want)
	}
	c.mu.Lock()
	c.pending.take(2)
	c.mu.Unlock()

	// The peer's numbers are echoed as they are, whatever they are.
	nc, r := rawBind(t, s.Addr().String())
	for _, seq := range []uint32{MaxSeq, 0, 0xFFFFFFFF, 7} {
		raw, _ := msg.Encode(SubmitSM, 0, seq)
		nc.Write(raw)
		if p := readPDU(t, r); p.CommandID() != SubmitSMResp || p.Seq() != seq {
			t.Errorf("response %v to seq %d", p.String(), seq)
		}
	}
}

// rawBind opens a transceiver bind by hand, for tests that misbehave.
func rawBind(t testing.TB, addr string) (net.Conn, *Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	raw, _ := (&Body{SystemID: "raw", Password: "pw", InterfaceVersion: 0x34}).Encode(BindTransceiver, 0, 1)
	nc.Write(raw)
	r := NewReader(nc, 0)
	if p := readPDU(t, r); p.CommandID() != BindTransceiverResp || p.Status() != StatusOK {
		t.Fatalf("bind: %v", p.String())
	}
	return nc, r
}

func readPDU(t testing.TB, r *Reader) *PDU {
	t.Helper()
	raw, err := r.Read(nil)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	p := new(PDU)
	if err := p.Decode(raw); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return p
}

func TestGenericNack(t *testing.T) {
	s := startServer(t, ServerOptions{Authenticate: acceptAll(counter())})
	nc, r := rawBind(t, s.Addr().String())
	valid, _ := msg.Encode(SubmitSM, 0, 10)
	noNUL := slices.Clone(valid[:22])
	PatchLen(noNUL)
	badTLV := append(slices.Clone(valid), 0x04, 0x24, 0x00, 0x09, 'x')
	PatchLen(badTLV)
	for _, c := range []struct {
		name string
		raw  []byte
		want Status
	}{
		{"unknown command_id", AppendHeaderOnly(nil, 0x00000099, 0, 10), StatusInvalidCmdID},
		{"vendor command_id with a body", append(AppendHeaderOnly(nil, 0x00010200, 0, 10), 0, 0, 0, 0)[:16], StatusInvalidCmdID},
		{"no NUL terminator", noNUL, StatusInvalidCmdLen},
		{"truncated TLV", badTLV, StatusInvalidOptParamStream},
	} {
		nc.Write(c.raw)
		p := readPDU(t, r)
		if p.CommandID() != GenericNack || p.Status() != c.want || p.Seq() != 10 {
			t.Errorf("%s: got %v, want generic_nack %v", c.name, p.String(), c.want.Name())
		}
		// The bind is still up.
		nc.Write(valid)
		if p := readPDU(t, r); p.CommandID() != SubmitSMResp || p.Status() != StatusOK {
			t.Errorf("%s: then submit_sm got %v", c.name, p.String())
		}
	}
	// A second bind on a bound session is refused, the session kept.
	bind, _ := (&Body{SystemID: "raw"}).Encode(BindTransmitter, 0, 11)
	nc.Write(bind)
	if p := readPDU(t, r); p.CommandID() != BindTransmitterResp || p.Status() != StatusAlreadyBound {
		t.Errorf("second bind: %v", p.String())
	}
	// A response nobody asked for is ignored.
	nc.Write(AppendMessageIDResp(nil, DeliverSMResp, 0, 999, ""))
	nc.Write(valid)
	if p := readPDU(t, r); p.CommandID() != SubmitSMResp {
		t.Errorf("after a stray response: %v", p.String())
	}
}

func TestOversizeCloses(t *testing.T) {
	s := startServer(t, ServerOptions{Authenticate: acceptAll(counter()), Conn: ConnOptions{MaxCommandLength: 1000}})
	for _, n := range []uint32{1001, 12, 0xFFFFFFF0} {
		nc, r := rawBind(t, s.Addr().String())
		h := AppendHeaderOnly(nil, SubmitSM, 0, 5)
		h[0], h[1], h[2], h[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
		nc.Write(h)
		if p := readPDU(t, r); p.CommandID() != GenericNack || p.Status() != StatusInvalidCmdLen || p.Seq() != 5 {
			t.Errorf("length %d: %v", n, p.String())
		}
		nc.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := r.Read(nil); err == nil {
			t.Errorf("length %d: connection still open", n)
		}
	}
	// 1000 octets is allowed.
	nc, r := rawBind(t, s.Addr().String())
	b := *msg
	short, _ := b.Encode(SubmitSM, 0, 6)
	b.TLVs = []TLV{{0x1400, make([]byte, 1000-len(short)-4)}}
	raw, _ := b.Encode(SubmitSM, 0, 6)
	if len(raw) != 1000 {
		t.Fatalf("built %d octets", len(raw))
	}
	nc.Write(raw)
	if p := readPDU(t, r); p.CommandID() != SubmitSMResp {
		t.Errorf("1000 octets: %v", p.String())
	}
}

// TestEnquireLinkAndDeadPeer waits for events, with deadlines of seconds,
// rather than counting them in a fixed time: it ran on a loaded machine
// (2 shared cores, load average 12) and once counted too few.
func TestEnquireLinkAndDeadPeer(t *testing.T) {
	const patience = 10 * time.Second // for what should take milliseconds
	t.Run("live peer", func(t *testing.T) {
		t.Parallel()
		// A peer answering within DeadPeer is alive, however slow the
		// machine: DeadPeer here is generous, and the peer says nothing
		// but enquire_link_resp.
		opts := ConnOptions{EnquireLink: 20 * time.Millisecond, ResponseTimeout: 500 * time.Millisecond, DeadPeer: 500 * time.Millisecond}
		sess := &providerSession{Handler: counter(), conn: make(chan *Conn, 1)}
		s := startServer(t, ServerOptions{Authenticate: acceptAll(sess), Conn: opts})
		nc, r := rawBind(t, s.Addr().String())
		server := <-sess.conn
		// At least 3 enquire_link, and bound for longer than DeadPeer on
		// them alone.
		start := time.Now()
		nc.SetReadDeadline(start.Add(patience))
		enquiries := 0
		for enquiries < 3 || time.Since(start) < 3*opts.DeadPeer/2 {
			raw, err := r.Read(nil)
			if err != nil {
				t.Fatalf("after %d enquire_link in %v: %v (session err %v)", enquiries, time.Since(start).Round(time.Millisecond), err, server.Err())
			}
			var p PDU
			p.Decode(raw)
			if p.CommandID() == EnquireLink {
				enquiries++
				nc.Write(AppendHeaderOnly(nil, EnquireLinkResp, 0, p.Seq()))
			}
		}
		if err := server.Err(); err != nil {
			t.Errorf("%d enquire_link answered in %v, session err %v", enquiries, time.Since(start).Round(time.Millisecond), err)
		}
	})

	opts := ConnOptions{EnquireLink: 20 * time.Millisecond, ResponseTimeout: 60 * time.Millisecond}
	t.Run("silent peer", func(t *testing.T) {
		t.Parallel()
		sess := &providerSession{Handler: counter(), conn: make(chan *Conn, 1)}
		s := startServer(t, ServerOptions{Authenticate: acceptAll(sess), Conn: opts})
		rawBind(t, s.Addr().String())
		server := <-sess.conn
		select {
		case <-server.Done():
			if !errors.Is(server.Err(), ErrDeadPeer) {
				t.Errorf("err = %v", server.Err())
			}
		case <-time.After(patience):
			t.Fatal("a silent peer was not detected")
		}
	})

	// The client side detects a dead SMSC too: a listener that accepts,
	// answers the bind and then says nothing.
	t.Run("mute SMSC", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
			r := NewReader(nc, 0)
			raw, _ := r.Read(nil)
			var p PDU
			p.Decode(raw)
			b, _ := (&Body{SystemID: "mute"}).Encode(p.CommandID().Response(), 0, p.Seq())
			nc.Write(b)
			for {
				if _, err := r.Read(nil); err != nil {
					return
				}
			}
		}()
		c, err := Dial(context.Background(), ln.Addr().String(), DialOptions{SystemID: "x", Conn: opts})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		select {
		case <-c.Done():
			if !errors.Is(c.Err(), ErrDeadPeer) {
				t.Errorf("client err = %v", c.Err())
			}
		case <-time.After(patience):
			t.Fatal("a mute SMSC was not detected")
		}
	})
}

func TestThrottled(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	refuse := 2
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		mu.Lock()
		times = append(times, time.Now())
		n := len(times)
		mu.Unlock()
		if n <= refuse {
			r.Reject(StatusThrottled)
			return
		}
		r.Accept("ok")
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{ThrottleDelay: 20 * time.Millisecond}})
	resp, err := c.Send(context.Background(), SubmitSM, msg)
	if err != nil || string(resp.MessageID()) != "ok" {
		t.Fatalf("after back-off: %v", err)
	}
	mu.Lock()
	if len(times) != 3 || times[1].Sub(times[0]) < 20*time.Millisecond || times[2].Sub(times[1]) < 40*time.Millisecond {
		t.Errorf("attempts at %v", times)
	}
	// Bounded: refused every time, Send gives up after ThrottleRetries.
	times, refuse = nil, 100
	mu.Unlock()
	c2 := dial(t, s, DialOptions{Conn: ConnOptions{ThrottleDelay: time.Millisecond, ThrottleRetries: 2}})
	if _, err := c2.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusThrottled) {
		t.Errorf("always throttled: %v", err)
	}
	mu.Lock()
	if len(times) != 3 {
		t.Errorf("%d attempts, want 3", len(times))
	}
	times = nil
	mu.Unlock()
	c3 := dial(t, s, DialOptions{Conn: ConnOptions{ThrottleRetries: -1}})
	if _, err := c3.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusThrottled) {
		t.Errorf("no retries: %v", err)
	}
	if len(times) != 1 {
		t.Errorf("%d attempts without retries", len(times))
	}
}

// TestConcurrentHandling: a slow decision does not hold up the others, and
// responses go out in the order they are ready. The slow one is held
// until the fast ones are answered, not for a fixed time that a loaded
// machine could overrun.
func TestConcurrentHandling(t *testing.T) {
	arrived, release := make(chan struct{}), make(chan struct{})
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		if string(r.ShortMessage()) == "slow" {
			close(arrived)
			go func() { // answered later, from another goroutine
				<-release
				r.Accept("slow")
			}()
			return
		}
		r.Accept("fast")
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: 10}})
	slow := make(chan error, 1)
	go func() {
		b := *msg
		b.ShortMessage = []byte("slow")
		resp, err := c.Send(context.Background(), SubmitSM, &b)
		if err == nil && string(resp.MessageID()) != "slow" {
			err = fmt.Errorf("message id %q", resp.MessageID())
		}
		slow <- err
	}()
	<-arrived
	fast := make(chan error, 1)
	go func() {
		for range 5 {
			if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
				fast <- err
				return
			}
		}
		fast <- nil
	}()
	select {
	case err := <-fast:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("fast submits waited for the slow one")
	}
	select {
	case err := <-slow:
		t.Errorf("the slow one answered before it was released: %v", err)
	default:
	}
	close(release)
	if err := <-slow; err != nil {
		t.Errorf("the slow one: %v", err)
	}
}

func TestMaxInflight(t *testing.T) {
	release := make(chan struct{})
	s := startServer(t, ServerOptions{Conn: ConnOptions{MaxInflight: 2}, Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		<-release
		r.Accept("x")
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{ThrottleRetries: -1}})
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := c.Send(context.Background(), SubmitSM, msg); errs <- err }()
	}
	for c.Outstanding() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusThrottled) {
		t.Errorf("third request with 2 in flight: %v", err)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestForward is the in-line proxy: the provider's submit_sm goes to the
// SMSC byte for byte (sequence number apart), and the SMSC's response goes
// back the same way.
func TestForward(t *testing.T) {
	var atSMSC []byte
	smsc := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		atSMSC = slices.Clone(r.Bytes())
		r.Respond(StatusOK, &Body{MessageID: "smsc-1", TLVs: []TLV{{0x1500, []byte("vendor")}}})
	}))})
	upstream := dial(t, smsc, DialOptions{Kind: Transmitter})
	gw := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		resp, err := upstream.SendPDU(r.Context(), r.Bytes())
		if err != nil {
			r.Reject(StatusSystemError)
			return
		}
		r.Forward(resp.Bytes())
	}))})
	nc, rd := rawBind(t, gw.Addr().String())
	in := vector(t, "submit_sm UDH, duplicate and vendor TLVs")
	PatchSeq(in, 4242)
	orig := slices.Clone(in)
	nc.Write(in)
	p := readPDU(t, rd)
	if p.Seq() != 4242 || string(p.MessageID()) != "smsc-1" {
		t.Fatalf("response %v %q", p.String(), p.MessageID())
	}
	if v, ok := p.TLV(0x1500); !ok || string(v.Value) != "vendor" {
		t.Errorf("the SMSC's TLV was lost")
	}
	if len(atSMSC) != len(orig) || string(atSMSC[16:]) != string(orig[16:]) || string(atSMSC[:12]) != string(orig[:12]) {
		t.Errorf("the SMSC got\n%X\nnot\n%X", atSMSC, orig)
	}
	// Bad input to the forwarding calls.
	if _, err := upstream.SendPDU(context.Background(), orig[:20]); !errors.Is(err, ErrBadForward) {
		t.Errorf("cut PDU: %v", err)
	}
	if _, err := upstream.SendPDU(context.Background(), AppendHeaderOnly(nil, SubmitSMResp, 0, 1)); !errors.Is(err, ErrBadForward) {
		t.Errorf("response as request: %v", err)
	}
}

// TestUnbind: a clean unbind waits for the requests in flight both ways.
func TestUnbind(t *testing.T) {
	entered := make(chan struct{}, 1)
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		entered <- struct{}{}
		time.Sleep(50 * time.Millisecond)
		r.Accept("late")
	}))})
	c := dial(t, s, DialOptions{})
	result := make(chan error, 1)
	go func() {
		resp, err := c.Send(context.Background(), SubmitSM, msg)
		if err == nil && string(resp.MessageID()) != "late" {
			err = fmt.Errorf("message id %q", resp.MessageID())
		}
		result <- err
	}()
	<-entered
	if err := c.Unbind(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Errorf("the request in flight: %v", err)
	}
	if !errors.Is(c.Err(), ErrUnbound) {
		t.Errorf("err = %v", c.Err())
	}
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, ErrClosed) {
		t.Errorf("send after unbind: %v", err)
	}
	for len(s.Conns()) > 0 {
		time.Sleep(time.Millisecond)
	}
}

// TestShutdown: the server unbinds every session after answering what is
// in flight; clients see a clean unbind.
func TestShutdown(t *testing.T) {
	entered := make(chan struct{}, 1)
	s, err := NewServer(ServerOptions{Addr: "127.0.0.1:0", Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		entered <- struct{}{}
		time.Sleep(50 * time.Millisecond)
		r.Accept("drained")
	}))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	var clients []*Conn
	for range 3 {
		clients = append(clients, dial(t, s, DialOptions{}))
	}
	idle, _ := net.Dial("tcp", s.Addr().String()) // connected, never binds
	defer idle.Close()
	result := make(chan error, 1)
	go func() {
		resp, err := clients[0].Send(context.Background(), SubmitSM, msg)
		if err == nil && string(resp.MessageID()) != "drained" {
			err = fmt.Errorf("message id %q", resp.MessageID())
		}
		result <- err
	}()
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-result; err != nil {
		t.Errorf("request in flight at shutdown: %v", err)
	}
	for i, c := range clients {
		<-c.Done()
		if !errors.Is(c.Err(), ErrUnbound) {
			t.Errorf("client %d: %v", i, c.Err())
		}
	}
	if len(s.Conns()) != 0 {
		t.Errorf("%d sessions left", len(s.Conns()))
	}
	if _, err := net.Dial("tcp", s.Addr().String()); err == nil {
		t.Errorf("still accepting")
	}
}

func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	var state *tls.ConnectionState
	s := startServer(t, ServerOptions{TLS: &tls.Config{Certificates: []tls.Certificate{cert}},
		Authenticate: func(_ context.Context, b *BindRequest) (Handler, error) {
			state = b.TLS
			return counter(), nil
		}})
	c := dial(t, s, DialOptions{TLS: &tls.Config{RootCAs: pool}})
	if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
		t.Fatal(err)
	}
	if state == nil || !state.HandshakeComplete {
		t.Errorf("the authenticator did not see the TLS state")
	}
	// A client that does not trust the certificate cannot bind.
	if _, err := Dial(context.Background(), s.Addr().String(), DialOptions{SystemID: "x", TLS: &tls.Config{}}); err == nil {
		t.Errorf("untrusted certificate accepted")
	}
	// Plain SMPP to a TLS port fails cleanly.
	if _, err := Dial(context.Background(), s.Addr().String(), DialOptions{SystemID: "x", BindTimeout: 500 * time.Millisecond}); err == nil {
		t.Errorf("plain bind to a TLS port succeeded")
	}
}

func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestHandshakeBeforeBind(t *testing.T) {
	s := startServer(t, ServerOptions{Authenticate: acceptAll(counter()), BindTimeout: 200 * time.Millisecond})
	nc, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	r := NewReader(nc, 0)
	// Before a bind: enquire_link is answered, a submit_sm refused.
	nc.Write(AppendHeaderOnly(nil, EnquireLink, 0, 1))
	if p := readPDU(t, r); p.CommandID() != EnquireLinkResp {
		t.Errorf("enquire_link before bind: %v", p.String())
	}
	raw, _ := msg.Encode(SubmitSM, 0, 2)
	nc.Write(raw)
	if p := readPDU(t, r); p.CommandID() != SubmitSMResp || p.Status() != StatusInvalidBindStatus {
		t.Errorf("submit_sm before bind: %v", p.String())
	}
	// No bind in time: closed.
	nc.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := r.Read(nil); err == nil {
		t.Errorf("unbound connection kept open")
	}
}

func TestRequestMisuse(t *testing.T) {
	errs := make(chan error, 4)
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		errs <- r.Accept("a\x00b")
		errs <- r.Accept("1")
		errs <- r.Accept("2")
		errs <- r.Forward(AppendHeaderOnly(nil, QuerySMResp, 0, 1))
	}))})
	c := dial(t, s, DialOptions{})
	if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; !errors.Is(err, ErrEncode) {
		t.Errorf("NUL in message id: %v", err)
	}
	if err := <-errs; err != nil {
		t.Errorf("first answer: %v", err)
	}
	if err := <-errs; !errors.Is(err, ErrResponded) {
		t.Errorf("second answer: %v", err)
	}
	if err := <-errs; !errors.Is(err, ErrBadForward) {
		t.Errorf("forward of the wrong response: %v", err)
	}
}

func TestHandlerPanic(t *testing.T) {
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) { panic("boom") }))})
	c := dial(t, s, DialOptions{})
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusSystemError) {
		t.Errorf("panicking handler: %v", err)
	}
	if _, err := c.Send(context.Background(), SubmitSM, msg); !errors.Is(err, StatusSystemError) {
		t.Errorf("session after a panic: %v", err)
	}
}

// TestLargeWindow: windows are not capped at 255; the peer really sees
// that many requests outstanding at once.
func TestLargeWindow(t *testing.T) {
	const window = 300
	var inflight atomic.Int64
	all := make(chan struct{})
	var once sync.Once
	s := startServer(t, ServerOptions{Authenticate: acceptAll(HandlerFunc(func(r *Request) {
		if inflight.Add(1) == window {
			once.Do(func() { close(all) })
		}
		select {
		case <-all:
		case <-time.After(5 * time.Second):
		}
		r.Accept("ok")
	}))})
	c := dial(t, s, DialOptions{Conn: ConnOptions{Window: window}})
	var wg sync.WaitGroup
	for range window {
		wg.Go(func() {
			if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
				t.Error(err)
			}
		})
	}
	select {
	case <-all:
	case <-time.After(5 * time.Second):
		t.Fatalf("the peer saw at most %d outstanding", inflight.Load())
	}
	wg.Wait()
}

func TestRedial(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens yet
	go func() {
		time.Sleep(50 * time.Millisecond)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		s, _ := NewServer(ServerOptions{Listener: ln, Authenticate: func(_ context.Context, b *BindRequest) (Handler, error) {
			if b.Password != "pw" {
				return nil, StatusInvalidPassword
			}
			return counter(), nil
		}})
		s.Start()
		t.Cleanup(func() { s.Shutdown(context.Background()) })
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Redial(ctx, addr, DialOptions{SystemID: "x", Password: "pw"}, 10*time.Millisecond, 40*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	// Not retried: a retry would wait a minute, past ctx (whose error
	// wraps the last, so the time is what tells).
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	start := time.Now()
	if _, err := Redial(ctx2, addr, DialOptions{SystemID: "x", Password: "bad"}, time.Minute, time.Minute); !errors.Is(err, StatusInvalidPassword) || time.Since(start) > 10*time.Second {
		t.Errorf("wrong password: %v after %v", err, time.Since(start))
	}
}

// TestPeerResponses: what a misbehaving SMSC answers reaches the caller as
// an error, and the session survives it.
func TestPeerResponses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		r := NewReader(nc, 0)
		n := 0
		for {
			raw, err := r.Read(nil)
			if err != nil {
				return
			}
			var p PDU
			p.Decode(raw)
			seq := p.Seq()
			var out []byte
			switch {
			case bindKindOf(p.CommandID()) != 0:
				out, _ = (&Body{SystemID: "odd"}).Encode(p.CommandID().Response(), 0, seq)
			case p.CommandID() == SubmitSM:
				n++
				switch n {
				case 1:
					out = AppendHeaderOnly(nil, GenericNack, StatusInvalidCmdID, seq)
				case 2: // message_id without NUL
					out = append(AppendHeaderOnly(nil, SubmitSMResp, 0, seq), 'a', 'b')
					PatchLen(out)
				case 3:
					out = AppendMessageIDResp(nil, DataSMResp, 0, seq, "x")
				case 4:
					out = AppendHeaderOnly(nil, SubmitSMResp, StatusInvalidDestAddr, seq)
				default:
					out = AppendMessageIDResp(nil, SubmitSMResp, 0, seq, "ok")
				}
			default:
				out = AppendHeaderOnly(nil, p.CommandID().Response(), 0, seq)
			}
			nc.Write(out)
		}
	}()
	c, err := Dial(context.Background(), ln.Addr().String(), DialOptions{SystemID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var de *DecodeError
	for i, check := range []func(*PDU, error) bool{
		func(_ *PDU, err error) bool { return errors.Is(err, StatusInvalidCmdID) },
		func(_ *PDU, err error) bool { return errors.As(err, &de) && de.Field == FieldMessageID },
		func(_ *PDU, err error) bool { return errors.Is(err, ErrBadResponse) },
		func(p *PDU, err error) bool {
			return errors.Is(err, StatusInvalidDestAddr) && p != nil && p.Body().HeaderOnly
		},
		func(p *PDU, err error) bool { return err == nil && string(p.MessageID()) == "ok" },
	} {
		resp, err := c.Send(context.Background(), SubmitSM, msg)
		if !check(resp, err) {
			t.Errorf("answer %d: %v %v", i+1, resp, err)
		}
	}
	if c.Err() != nil || c.Outstanding() != 0 {
		t.Errorf("session: %v, %d outstanding", c.Err(), c.Outstanding())
	}
}
