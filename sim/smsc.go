package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// SMSCConfig configures a simulated SMSC. The zero value (with a Name)
// accepts any account on a free port of 127.0.0.1 and sends receipts at
// once, all successful.
type SMSCConfig struct {
	// Name is the operator ("IAM", "Orange", "inwi"), for logs, counters
	// and the MO endpoint.
	Name string
	// Addr is the address to listen on (default "127.0.0.1:0").
	Addr string
	// SystemID is sent in bind responses (default Name, cut to 15
	// characters, or "sim").
	SystemID string
	// Accounts maps system_id to password; empty, any account binds.
	Accounts map[string]string
	// DLRDelay is the time from a submit_sm to its delivery receipt.
	DLRDelay time.Duration
	// DLRFail is the share (0..1) of receipts that report a failure: three
	// in four UNDELIV (absent subscriber, GSM error 27), one in four
	// REJECTD (call barred, GSM error 13).
	DLRFail float64
	// ReceiptExpiry is how long a receipt waits for a bind that can take
	// it before it is dropped (default 1 min).
	ReceiptExpiry time.Duration
	// FirstID is the first message id (default 1); ids are decimal.
	FirstID uint64
	// Rand returns a number in [0, 1) for the receipt outcomes (default
	// math/rand/v2).
	Rand func() float64
	// Now stamps receipts (default time.Now).
	Now func() time.Time
	// Conn configures the sessions (window for receipts and MO, default
	// 100; timeouts). Its Handler is ignored.
	Conn smpp.ConnOptions
	// Logger receives bind events (default: discard). Numbers are never
	// logged.
	Logger *slog.Logger
	// OnSubmit, if set, sees every submit_sm and data_sm accepted, with
	// the system_id of its bind: for tests and demos that check what
	// reached the operator. It runs on the session's reader, after the
	// answer is queued; it must not block, and p is valid only during the
	// call (copy what you keep).
	OnSubmit func(systemID string, p *smpp.PDU)
}

// Stats are an SMSC's counters since it started.
type Stats struct {
	Name                      string
	Binds                     int64 // sessions bound now
	BindsTotal                int64 // binds accepted
	BindsRefused              int64
	Submits                   int64 // submit_sm and data_sm accepted
	SubmitsRefused            int64 // refused as invalid
	ReceiptsPending           int64 // scheduled, not yet sent
	ReceiptsSent              int64 // deliver_sm sent (retries included)
	ReceiptsAcked             int64 // answered deliver_sm_resp OK
	ReceiptsFailed            int64 // refused by the ESME, or dropped after ReceiptExpiry
	Delivered                 int64 // receipts with stat DELIVRD
	Undelivered               int64 // UNDELIV
	Rejected                  int64 // REJECTD
	MOSent, MOAcked, MOFailed int64
}

type counters struct {
	binds, bindsTotal, bindsRefused  atomic.Int64
	submits, submitsRefused          atomic.Int64
	rcptSent, rcptAcked, rcptFailed  atomic.Int64
	delivered, undelivered, rejected atomic.Int64
	moSent, moAcked, moFailed        atomic.Int64
}

// SMSC is a simulated operator SMSC: it accepts binds, answers every
// submit_sm with a message id, sends a delivery receipt after a delay when
// one was asked for, and originates MO messages (DeliverMO). Its life is
// NewSMSC, Start, then Shutdown; several run side by side in one process.
type SMSC struct {
	cfg      SMSCConfig
	srv      *smpp.Server
	nextID   atomic.Uint64
	c        counters
	splitter smpp.Splitter
	log      *slog.Logger

	mu         sync.Mutex
	sessions   []*session
	rr         int
	receiverUp chan struct{} // closed at the first bind that can receive

	q       receiptQueue
	qmu     sync.Mutex
	qwake   chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	started atomic.Bool
	stopped chan struct{}
}

// NewSMSC checks cfg and returns an SMSC that is not yet listening.
func NewSMSC(cfg SMSCConfig) (*SMSC, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.SystemID == "" {
		cfg.SystemID = cfg.Name
		if cfg.SystemID == "" {
			cfg.SystemID = "sim"
		}
		cfg.SystemID = cfg.SystemID[:min(len(cfg.SystemID), maxSystemID)]
	}
	if cfg.DLRFail < 0 || cfg.DLRFail > 1 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "receipt failure ratio %v is not between 0 and 1", cfg.DLRFail)
	}
	if cfg.DLRDelay < 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "negative receipt delay %v", cfg.DLRDelay)
	}
	if cfg.ReceiptExpiry <= 0 {
		cfg.ReceiptExpiry = time.Minute
	}
	if cfg.FirstID == 0 {
		cfg.FirstID = 1
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &SMSC{cfg: cfg, log: cfg.Logger.With("smsc", cfg.Name), receiverUp: make(chan struct{}),
		qwake: make(chan struct{}, 1), stopped: make(chan struct{})}
	s.nextID.Store(cfg.FirstID)
	s.ctx, s.cancel = context.WithCancel(context.Background())
	copts := cfg.Conn
	copts.RecycleRequests = true // the handler keeps nothing of a request
	if copts.Window <= 0 {
		copts.Window = 100
	}
	srv, err := smpp.NewServer(smpp.ServerOptions{Addr: cfg.Addr, SystemID: cfg.SystemID, Authenticate: s.authenticate,
		Conn: copts, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("smsc %s: %w", cfg.Name, err)
	}
	s.srv = srv
	return s, nil
}

// Start listens and starts sending receipts.
func (s *SMSC) Start() error {
	if err := s.srv.Start(); err != nil {
		return fmt.Errorf("smsc %s: %w", s.cfg.Name, err)
	}
	s.started.Store(true)
	go s.receiptLoop()
	return nil
}

// Ready is closed once the SMSC listens.
func (s *SMSC) Ready() <-chan struct{} { return s.srv.Ready() }

// Addr returns the address the SMSC listens on (after Start).
func (s *SMSC) Addr() net.Addr { return s.srv.Addr() }

// Name returns the operator's name.
func (s *SMSC) Name() string { return s.cfg.Name }

// Shutdown stops accepting binds and receipts, unbinds every session and
// returns once they are closed or ctx ends. Receipts not yet sent are
// dropped.
func (s *SMSC) Shutdown(ctx context.Context) error {
	s.cancel()
	if !s.started.Load() {
		return nil
	}
	err := s.srv.Shutdown(ctx)
	select {
	case <-s.stopped:
	case <-ctx.Done():
	}
	return err
}

// Stats returns the counters.
func (s *SMSC) Stats() Stats {
	s.qmu.Lock()
	pending := int64(len(s.q))
	s.qmu.Unlock()
	c := &s.c
	return Stats{
		Name: s.cfg.Name, Binds: c.binds.Load(), BindsTotal: c.bindsTotal.Load(), BindsRefused: c.bindsRefused.Load(),
		Submits: c.submits.Load(), SubmitsRefused: c.submitsRefused.Load(),
		ReceiptsPending: pending, ReceiptsSent: c.rcptSent.Load(), ReceiptsAcked: c.rcptAcked.Load(),
		ReceiptsFailed: c.rcptFailed.Load(), Delivered: c.delivered.Load(), Undelivered: c.undelivered.Load(),
		Rejected: c.rejected.Load(), MOSent: c.moSent.Load(), MOAcked: c.moAcked.Load(), MOFailed: c.moFailed.Load(),
	}
}

func (s *SMSC) authenticate(_ context.Context, b *smpp.BindRequest) (smpp.Handler, error) {
	if len(s.cfg.Accounts) > 0 {
		pw, ok := s.cfg.Accounts[b.SystemID]
		if !ok {
			s.c.bindsRefused.Add(1)
			return nil, smpp.StatusInvalidSystemID
		}
		if pw != b.Password {
			s.c.bindsRefused.Add(1)
			return nil, smpp.StatusInvalidPassword
		}
	}
	return &session{smsc: s, systemID: b.SystemID, kind: b.Kind, addressRange: b.AddressRange.Addr}, nil
}

// session is one bound ESME.
type session struct {
	smsc         *SMSC
	systemID     string
	kind         smpp.BindKind
	addressRange string
	conn         *smpp.Conn
}

func (h *session) canReceive() bool { return h.kind != smpp.Transmitter && h.conn.Err() == nil }

// Inline: the SMSC decides at once and schedules receipts without waiting.
func (h *session) Inline() bool { return true }

func (h *session) Bound(c *smpp.Conn) {
	s := h.smsc
	h.conn = c
	s.c.binds.Add(1)
	s.c.bindsTotal.Add(1)
	s.mu.Lock()
	s.sessions = append(s.sessions, h)
	if h.kind != smpp.Transmitter {
		select {
		case <-s.receiverUp:
		default:
			close(s.receiverUp)
		}
	}
	s.mu.Unlock()
	s.log.Info("sim: bound", "system_id", h.systemID, "kind", h.kind)
	go func() {
		<-c.Done()
		s.c.binds.Add(-1)
		s.mu.Lock()
		for i, x := range s.sessions {
			if x == h {
				s.sessions = append(s.sessions[:i], s.sessions[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		s.wakeReceipts() // receipts waiting for this system_id may now go elsewhere
	}()
}

func (h *session) ServeSMPP(r *smpp.Request) {
	s := h.smsc
	switch r.CommandID() {
	case smpp.SubmitSM, smpp.DataSM:
		if err := r.Validate(); err != nil {
			st := smpp.StatusSubmitFailed
			errors.As(err, &st)
			s.c.submitsRefused.Add(1)
			r.Reject(st)
			return
		}
		id := s.nextID.Add(1) - 1
		var buf [20]byte
		r.Accept(string(strconv.AppendUint(buf[:0], id, 10)))
		s.c.submits.Add(1)
		if rd := r.RegisteredDelivery() & 0x03; rd == 1 || rd == 2 {
			s.scheduleReceipt(h, &r.PDU, id, rd == 2)
		}
		if s.cfg.OnSubmit != nil {
			s.cfg.OnSubmit(h.systemID, &r.PDU)
		}
	case smpp.QuerySM:
		r.Reject(smpp.StatusQueryFailed) // states are not kept
	case smpp.CancelSM:
		r.Reject(smpp.StatusCancelFailed)
	case smpp.ReplaceSM:
		r.Reject(smpp.StatusReplaceFailed)
	default:
		r.Reject(smpp.StatusInvalidCmdID)
	}
}

// Receipt outcomes of a failure: GSM MAP error codes in err: and in the
// network_error_code TLV.
var (
	outcomeDelivered = outcome{"DELIVRD", "000", 0}
	outcomeAbsent    = outcome{"UNDELIV", "027", 27} // absent subscriber
	outcomeBarred    = outcome{"REJECTD", "013", 13} // call barred
)

type outcome struct {
	stat, err string
	gsm       uint16
}

// receipt is a delivery receipt waiting for its time.
type receipt struct {
	due       time.Time
	expires   time.Time
	systemID  string
	prefer    *session
	id        uint64
	from, to  smpp.Address // from the recipient to the sender
	submitted time.Time
	text      string
	outcome   outcome
}

func (s *SMSC) scheduleReceipt(h *session, p *smpp.PDU, id uint64, onFailureOnly bool) {
	o := outcomeDelivered
	if x := s.cfg.Rand(); x < s.cfg.DLRFail {
		o = outcomeAbsent
		if x < s.cfg.DLRFail/4 {
			o = outcomeBarred
		}
	}
	if onFailureOnly && o == outcomeDelivered {
		return
	}
	text, _ := p.Text()
	if r := []rune(text); len(r) > 20 {
		text = string(r[:20])
	}
	now := time.Now()
	rc := &receipt{
		due: now.Add(s.cfg.DLRDelay), expires: now.Add(s.cfg.DLRDelay + s.cfg.ReceiptExpiry),
		systemID: h.systemID, prefer: h, id: id,
		from:      smpp.Address{TON: p.DestTON(), NPI: p.DestNPI(), Addr: string(p.DestAddr())},
		to:        smpp.Address{TON: p.SourceTON(), NPI: p.SourceNPI(), Addr: string(p.SourceAddr())},
		submitted: s.cfg.Now(), text: text, outcome: o,
	}
	s.pushReceipt(rc)
}

func (s *SMSC) pushReceipt(rc *receipt) {
	s.qmu.Lock()
	heap.Push(&s.q, rc)
	first := s.q[0] == rc
	s.qmu.Unlock()
	if first {
		s.wakeReceipts()
	}
}

func (s *SMSC) wakeReceipts() {
	select {
	case s.qwake <- struct{}{}:
	default:
	}
}

// receiptLoop sends each receipt when it is due.
func (s *SMSC) receiptLoop() {
	defer close(s.stopped)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var due []*receipt
	for {
		now := time.Now()
		wait := time.Hour
		s.qmu.Lock()
		for len(s.q) > 0 && len(due) < 256 {
			if d := s.q[0].due.Sub(now); d > 0 {
				wait = d
				break
			}
			due = append(due, heap.Pop(&s.q).(*receipt))
		}
		s.qmu.Unlock()
		if len(due) > 0 {
			for i, rc := range due {
				s.sendReceipt(rc, now)
				due[i] = nil
			}
			due = due[:0]
			continue
		}
		t.Reset(wait)
		select {
		case <-s.ctx.Done():
			return
		case <-s.qwake:
		case <-t.C:
		}
	}
}

// receiptRetry is the wait before a receipt that found no bind, or whose
// bind failed, is tried again (or ReceiptExpiry, if shorter).
const receiptRetry = time.Second

func (s *SMSC) sendReceipt(rc *receipt, now time.Time) {
	h := rc.prefer
	if h == nil || !h.canReceive() {
		h = s.receiverOf(rc.systemID)
	}
	if h == nil {
		s.retryReceipt(rc, now)
		return
	}
	r := smpp.Receipt{ID: strconv.FormatUint(rc.id, 10), Sub: 1, SubmitDate: rc.submitted, DoneDate: s.cfg.Now(),
		Stat: rc.outcome.stat, Err: rc.outcome.err, Text: rc.text}
	if rc.outcome == outcomeDelivered {
		r.Dlvrd = 1
	} else {
		r.NetworkError = smpp.NetworkError{Type: 3, Code: rc.outcome.gsm} // GSM
	}
	err := h.conn.SendAsync(s.ctx, smpp.DeliverSM, r.Body(rc.from, rc.to), func(_ *smpp.PDU, err error) {
		var st smpp.Status
		switch {
		case err == nil:
			s.c.rcptAcked.Add(1)
			switch rc.outcome {
			case outcomeDelivered:
				s.c.delivered.Add(1)
			case outcomeAbsent:
				s.c.undelivered.Add(1)
			default:
				s.c.rejected.Add(1)
			}
		case errors.As(err, &st) && !st.Temporary():
			s.c.rcptFailed.Add(1) // the ESME refused it: not sent again
		default:
			rc.prefer = nil
			s.retryReceipt(rc, time.Now())
		}
	})
	if err != nil {
		rc.prefer = nil
		s.retryReceipt(rc, now) // or dropped, if shutting down
		return
	}
	s.c.rcptSent.Add(1)
}

func (s *SMSC) retryReceipt(rc *receipt, now time.Time) {
	if now.After(rc.expires) || s.ctx.Err() != nil {
		s.c.rcptFailed.Add(1)
		return
	}
	rc.due = now.Add(min(receiptRetry, s.cfg.ReceiptExpiry))
	s.pushReceipt(rc)
}

// receiverOf returns a bound session of systemID that can take
// deliver_sm, or nil.
func (s *SMSC) receiverOf(systemID string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range s.sessions {
		if h.systemID == systemID && h.canReceive() {
			return h
		}
	}
	return nil
}

// ErrNoReceiver is returned by DeliverMO when no bind can take a
// deliver_sm.
var ErrNoReceiver = errors.New("sim: no receiver or transceiver bound")

// WaitReceiver waits until a bind that can take deliver_sm is up.
func (s *SMSC) WaitReceiver(ctx context.Context) error {
	select {
	case <-s.receiverUp:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// moTarget picks the bind for an MO to the short code to: one whose
// address_range is a prefix of it, else any that can receive, in turn.
func (s *SMSC) moTarget(to string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var any []*session
	for _, h := range s.sessions {
		if !h.canReceive() {
			continue
		}
		if h.addressRange != "" && strings.HasPrefix(to, h.addressRange) {
			return h
		}
		any = append(any, h)
	}
	if len(any) == 0 {
		return nil
	}
	s.rr++
	return any[s.rr%len(any)]
}

// DeliverMO sends the text a subscriber (from) wrote to a short code (to)
// as a deliver_sm, or several concatenated ones when it is long (GSM 03.38
// when it can, UCS-2 otherwise), and waits for the ESME's answers. A
// refusal comes back as its smpp.Status; ErrNoReceiver when nobody can
// take it.
func (s *SMSC) DeliverMO(ctx context.Context, from, to, text string) error {
	m := MO{From: from, To: to, Text: text}
	if err := m.check(); err != nil {
		return err
	}
	sp, err := s.splitter.Split(text)
	if err != nil {
		return bawwab.Errorf(bawwab.EINVALID, "MO text: %v", err)
	}
	h := s.moTarget(to)
	if h == nil {
		s.c.moFailed.Add(1)
		return fmt.Errorf("smsc %s: %w", s.cfg.Name, ErrNoReceiver)
	}
	for _, b := range sp.Bodies(smpp.Body{Source: addressOf(from), Dest: addressOf(to)}) {
		s.c.moSent.Add(1)
		if _, err := h.conn.Send(ctx, smpp.DeliverSM, b); err != nil {
			s.c.moFailed.Add(1)
			return fmt.Errorf("smsc %s: deliver MO: %w", s.cfg.Name, err)
		}
		s.c.moAcked.Add(1)
	}
	return nil
}

// addressOf types an address as operators do: international for a long
// number, unknown for a short code, alphanumeric for a name.
func addressOf(s string) smpp.Address {
	digits := strings.TrimPrefix(s, "+")
	for _, c := range digits {
		if c < '0' || c > '9' {
			return smpp.Address{TON: smpp.TONAlphanumeric, NPI: 0, Addr: s}
		}
	}
	if len(digits) >= 8 {
		return smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: digits}
	}
	return smpp.Address{TON: 0, NPI: smpp.NPIISDN, Addr: digits}
}

// receiptQueue is a min-heap of receipts by due time.
type receiptQueue []*receipt

func (q receiptQueue) Len() int           { return len(q) }
func (q receiptQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q receiptQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *receiptQueue) Push(x any)        { *q = append(*q, x.(*receipt)) }
func (q *receiptQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return x
}
