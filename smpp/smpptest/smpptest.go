// Package smpptest runs an SMPP peer in the test process: a fake SMSC for
// code that binds as an ESME (the gateway's operator side) and a fake ESME
// for code that serves binds (its provider side), both on 127.0.0.1 with a
// port of their own. The SMSC answers submit_sm with incrementing message
// ids, sends delivery receipts when asked, can inject mobile-originated
// deliver_sm, and records what it got; the ESME submits, answers
// deliver_sm and records what it got.
package smpptest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// Received is a PDU a fake peer received.
type Received struct {
	SystemID string // who sent it: the bind's system_id
	PDU      *smpp.PDU
	At       time.Time
}

// recorder keeps what a fake peer receives and wakes those waiting.
type recorder struct {
	mu      sync.Mutex
	got     []Received
	changed chan struct{}
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) add(x Received) {
	r.mu.Lock()
	r.got = append(r.got, x)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *recorder) all(cmd smpp.CommandID) []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Received
	for _, x := range r.got {
		if cmd == 0 || x.PDU.CommandID() == cmd {
			out = append(out, x)
		}
	}
	return out
}

// wait returns the PDUs of command cmd once there are at least n, or an
// error after timeout.
func (r *recorder) wait(cmd smpp.CommandID, n int, timeout time.Duration) ([]Received, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		changed := r.changed
		r.mu.Unlock()
		if got := r.all(cmd); len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return r.all(cmd), fmt.Errorf("smpptest: %d %v after %v, want %d", len(r.all(cmd)), cmd, timeout, n)
		}
	}
}

// SMSCOptions configure a fake SMSC.
type SMSCOptions struct {
	// Users maps system_id to password; nil accepts any bind.
	Users map[string]string
	// SystemID of the SMSC (default "smpptest").
	SystemID string
	// Receipts sends a delivery receipt for every submit_sm whose
	// registered_delivery asks for one, on a bind of the submitter that
	// can receive (the same one if it is a transceiver).
	Receipts bool
	// ReceiptStat is the stat: of the receipts (default "DELIVRD").
	ReceiptStat string
	// Decide, if set, chooses the status of each submit_sm (0 accepts it);
	// to throttle, refuse, or hold the answer (Decide may block).
	Decide func(r *smpp.Request) smpp.Status
	// TLS, if set, serves over TLS.
	TLS *tls.Config
	// Conn configures the sessions.
	Conn smpp.ConnOptions
	// Now is the clock of the receipts (default time.Now).
	Now func() time.Time
}

// SMSC is a fake SMSC.
type SMSC struct {
	opts     SMSCOptions
	srv      *smpp.Server
	rec      *recorder
	nextID   atomic.Int64
	mu       sync.Mutex
	sessions map[*smpp.Conn]struct{}
	receipts sync.WaitGroup
}

// NewSMSC starts a fake SMSC on 127.0.0.1 and stops it when the test ends.
func NewSMSC(t testing.TB, opts SMSCOptions) *SMSC {
	t.Helper()
	if opts.SystemID == "" {
		opts.SystemID = "smpptest"
	}
	if opts.ReceiptStat == "" {
		opts.ReceiptStat = "DELIVRD"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &SMSC{opts: opts, rec: newRecorder(), sessions: map[*smpp.Conn]struct{}{}}
	srv, err := smpp.NewServer(smpp.ServerOptions{Addr: "127.0.0.1:0", SystemID: opts.SystemID, TLS: opts.TLS,
		Conn: opts.Conn, Authenticate: s.authenticate})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	s.srv = srv
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
	})
	return s
}

// Addr returns the address to dial.
func (s *SMSC) Addr() string { return s.srv.Addr().String() }

// Shutdown unbinds every session and stops the SMSC.
func (s *SMSC) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	s.receipts.Wait()
	return err
}

// Sessions returns the bound sessions.
func (s *SMSC) Sessions() []*smpp.Conn { return s.srv.Conns() }

// Received returns the requests received (all commands when cmd is 0).
func (s *SMSC) Received(cmd smpp.CommandID) []Received { return s.rec.all(cmd) }

// WaitReceived waits until n requests of command cmd have been received.
func (s *SMSC) WaitReceived(cmd smpp.CommandID, n int, timeout time.Duration) ([]Received, error) {
	return s.rec.wait(cmd, n, timeout)
}

type smscSession struct {
	s        *SMSC
	systemID string
	conn     *smpp.Conn
}

func (s *SMSC) authenticate(_ context.Context, b *smpp.BindRequest) (smpp.Handler, error) {
	if s.opts.Users != nil {
		pw, ok := s.opts.Users[b.SystemID]
		if !ok {
			return nil, smpp.StatusInvalidSystemID
		}
		if pw != b.Password {
			return nil, smpp.StatusInvalidPassword
		}
	}
	return &smscSession{s: s, systemID: b.SystemID}, nil
}

func (h *smscSession) Bound(c *smpp.Conn) {
	h.conn = c
	h.s.mu.Lock()
	h.s.sessions[c] = struct{}{}
	h.s.mu.Unlock()
	go func() {
		<-c.Done()
		h.s.mu.Lock()
		delete(h.s.sessions, c)
		h.s.mu.Unlock()
	}()
}

func (h *smscSession) ServeSMPP(r *smpp.Request) {
	h.s.rec.add(Received{SystemID: h.systemID, PDU: &r.PDU, At: time.Now()})
	if h.s.opts.Decide != nil {
		if st := h.s.opts.Decide(r); st != smpp.StatusOK {
			r.Reject(st)
			return
		}
	}
	switch r.CommandID() {
	case smpp.SubmitSM, smpp.DataSM:
		id := strconv.FormatInt(h.s.nextID.Add(1), 10)
		submitted := h.s.opts.Now()
		r.Accept(id)
		if h.s.opts.Receipts && r.RegisteredDelivery()&0x03 != 0 {
			h.s.sendReceipt(h, r, id, submitted)
		}
	case smpp.QuerySM:
		r.Respond(smpp.StatusOK, &smpp.Body{MessageID: string(r.MessageID()), MessageState: smpp.StateDelivered})
	case smpp.SubmitMulti:
		r.Respond(smpp.StatusOK, &smpp.Body{MessageID: strconv.FormatInt(h.s.nextID.Add(1), 10)})
	case smpp.CancelSM, smpp.ReplaceSM:
		r.Respond(smpp.StatusOK, nil)
	default:
		r.Reject(smpp.StatusInvalidCmdID)
	}
}

func (s *SMSC) sendReceipt(h *smscSession, r *smpp.Request, id string, submitted time.Time) {
	text, _ := r.Text()
	if len([]rune(text)) > 20 {
		text = string([]rune(text)[:20])
	}
	rc := smpp.Receipt{ID: id, Sub: 1, SubmitDate: submitted, DoneDate: s.opts.Now(), Stat: s.opts.ReceiptStat, Err: "000", Text: text}
	if rc.Stat == "DELIVRD" {
		rc.Dlvrd = 1
	}
	body := rc.Body(smpp.Address{TON: r.DestTON(), NPI: r.DestNPI(), Addr: string(r.DestAddr())},
		smpp.Address{TON: r.SourceTON(), NPI: r.SourceNPI(), Addr: string(r.SourceAddr())})
	s.receipts.Add(1)
	go func() {
		defer s.receipts.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.deliver(ctx, h.systemID, h.conn, body)
	}()
}

// ErrNoReceiver is returned when no bind of the system_id can take a
// deliver_sm.
var ErrNoReceiver = errors.New("smpptest: no receiver or transceiver bind")

// deliver sends a deliver_sm on prefer if it can receive, else on another
// receiving bind of systemID.
func (s *SMSC) deliver(ctx context.Context, systemID string, prefer *smpp.Conn, body *smpp.Body) (*smpp.PDU, error) {
	conn := prefer
	if conn == nil || conn.Kind() == smpp.Transmitter || conn.Err() != nil {
		conn = nil
		s.mu.Lock()
		for c := range s.sessions {
			if c.SystemID() == systemID && c.Kind() != smpp.Transmitter && c.Err() == nil {
				conn = c
				break
			}
		}
		s.mu.Unlock()
	}
	if conn == nil {
		return nil, fmt.Errorf("%w for %q", ErrNoReceiver, systemID)
	}
	return conn.Send(ctx, smpp.DeliverSM, body)
}

// DeliverMO sends a mobile-originated message (a deliver_sm) from the
// subscriber from to the short code or sender to, on a receiving bind of
// systemID; text goes as GSM 03.38 when it can, else UCS-2.
func (s *SMSC) DeliverMO(ctx context.Context, systemID string, from, to smpp.Address, text string) (*smpp.PDU, error) {
	sp, err := (&smpp.Splitter{}).Split(text)
	if err != nil {
		return nil, err
	}
	var resp *smpp.PDU
	for _, b := range sp.Bodies(smpp.Body{Source: from, Dest: to}) {
		if resp, err = s.deliver(ctx, systemID, nil, b); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// Deliver sends a deliver_sm built by the caller on a receiving bind of
// systemID.
func (s *SMSC) Deliver(ctx context.Context, systemID string, body *smpp.Body) (*smpp.PDU, error) {
	return s.deliver(ctx, systemID, nil, body)
}

// ESMEOptions configure a fake ESME.
type ESMEOptions struct {
	Kind       smpp.BindKind // default Transceiver
	SystemID   string        // default "esme"
	Password   string
	SystemType string
	TLS        *tls.Config
	// Decide, if set, chooses the status of each deliver_sm (0 accepts it).
	Decide func(r *smpp.Request) smpp.Status
	// Conn configures the session; its Handler is replaced.
	Conn smpp.ConnOptions
}

// ESME is a fake ESME: a bound session that records the deliver_sm (and
// data_sm) it gets and answers them.
type ESME struct {
	*smpp.Conn
	rec      *recorder
	splitter smpp.Splitter
}

// NewESME binds a fake ESME to addr and unbinds it when the test ends.
func NewESME(t testing.TB, addr string, opts ESMEOptions) *ESME {
	t.Helper()
	e, err := DialESME(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Unbind(ctx)
	})
	return e
}

// DialESME binds a fake ESME to addr; for tests of refused binds.
func DialESME(ctx context.Context, addr string, opts ESMEOptions) (*ESME, error) {
	if opts.SystemID == "" {
		opts.SystemID = "esme"
	}
	e := &ESME{rec: newRecorder()}
	copts := opts.Conn
	copts.Handler = smpp.HandlerFunc(func(r *smpp.Request) {
		e.rec.add(Received{SystemID: e.SystemID(), PDU: &r.PDU, At: time.Now()})
		if opts.Decide != nil {
			if st := opts.Decide(r); st != smpp.StatusOK {
				r.Reject(st)
				return
			}
		}
		r.Accept("")
	})
	c, err := smpp.Dial(ctx, addr, smpp.DialOptions{Kind: opts.Kind, SystemID: opts.SystemID, Password: opts.Password,
		SystemType: opts.SystemType, TLS: opts.TLS, Conn: copts})
	if err != nil {
		return nil, err
	}
	e.Conn = c
	return e, nil
}

// Submit sends text from one address to another, split and coded as
// smpp.Splitter does, asking for a receipt if receipt is set; it returns
// the message id of each part.
func (e *ESME) Submit(ctx context.Context, from, to smpp.Address, text string, receipt bool) ([]string, error) {
	sp, err := e.splitter.Split(text)
	if err != nil {
		return nil, err
	}
	tmpl := smpp.Body{Source: from, Dest: to}
	if receipt {
		tmpl.RegisteredDelivery = smpp.RegisteredDeliveryAll
	}
	var ids []string
	for _, b := range sp.Bodies(tmpl) {
		resp, err := e.Send(ctx, smpp.SubmitSM, b)
		if err != nil {
			return ids, err
		}
		ids = append(ids, string(resp.MessageID()))
	}
	return ids, nil
}

// Received returns the requests received (all commands when cmd is 0).
func (e *ESME) Received(cmd smpp.CommandID) []Received { return e.rec.all(cmd) }

// WaitReceived waits until n requests of command cmd have been received.
func (e *ESME) WaitReceived(cmd smpp.CommandID, n int, timeout time.Duration) ([]Received, error) {
	return e.rec.wait(cmd, n, timeout)
}
