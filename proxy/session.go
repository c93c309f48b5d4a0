package proxy

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// session is one provider bind.
type session struct {
	g       *Gateway
	account *bawwab.Account
	kind    smpp.BindKind
	conn    atomic.Pointer[smpp.Conn]
	reasm   *smpp.Reassembler
	flushMu sync.Mutex
	ended   atomic.Bool // the bind is gone: every held part is expired
	// forwardBy bounds the forwarding of this bind's messages (the
	// SMSC's answer), one context a second.
	forwardBy sharedDeadline
	limitKey  string // the account's rate limiter key
}

// heldPart is a part of a concatenated message in the reassembler: the
// request, answered at once unless it completes the message.
type heldPart struct {
	part *part
	req  *smpp.Request
}

func newSession(g *Gateway, a *bawwab.Account, kind smpp.BindKind) *session {
	s := &session{g: g, account: a, kind: kind, limitKey: accountLimitKey(a)}
	s.reasm = smpp.NewReassembler(smpp.ReassemblerOptions{
		Timeout: g.opts.Concat.Timeout, MaxBytes: g.opts.Concat.MaxBytes,
		Now: func() time.Time {
			if s.ended.Load() {
				return g.now().Add(g.opts.Concat.Timeout + time.Hour)
			}
			return g.now()
		},
		OnDrop: s.dropped,
	})
	return s
}

// Bound implements smpp.BoundHandler.
func (s *session) Bound(c *smpp.Conn) {
	s.conn.Store(c)
	g := s.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		c.Close()
		g.removeSessionLocked(s)
		return
	}
	// Shutdown waits for the watchers (after closed is set, no Add), so
	// that the parts a bind held are refused into the outbox before the
	// store closes.
	g.watchers.Add(1)
	go func() {
		defer g.watchers.Done()
		s.watch(c)
	}()
}

// watch expires held parts while the bind is up, delivers the outbox to a
// receiver bind, and removes the session when it ends.
func (s *session) watch(c *smpp.Conn) {
	defer s.g.removeSession(s)
	if s.kind != smpp.Transmitter {
		s.flushOutbox()
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-c.Done():
			// Parts held for a message that can no longer complete on
			// this bind are refused now.
			s.ended.Store(true)
			s.reasm.Expire()
			return
		case <-t.C:
			s.reasm.Expire()
		}
	}
}

func (s *session) canReceive() bool {
	c := s.conn.Load()
	return s.kind != smpp.Transmitter && c != nil && c.Err() == nil
}

// send delivers a deliver_sm on this bind and waits for the answer.
func (s *session) send(ctx context.Context, raw []byte) error {
	c := s.conn.Load()
	if c == nil {
		return smpp.ErrClosed
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := c.SendPDU(ctx, raw)
	var st smpp.Status
	if errors.As(err, &st) && !st.Temporary() {
		// The provider refused it for good: delivering it again later
		// would not help.
		s.g.log.Warn("provider refused a deliver_sm", "account", s.account.ID, "status", st)
		return nil
	}
	return err
}

// flushOutbox delivers the provider's waiting messages on this bind.
func (s *session) flushOutbox() {
	s.flushMu.Lock()
	defer s.flushMu.Unlock()
	ctx := s.g.ctx
	var after int64
	for s.canReceive() {
		msgs, err := s.g.outbox.FindOutbox(ctx, s.account.ProviderID, after, 100)
		if err != nil {
			s.g.log.Error("outbox read failed", "provider", s.account.ProviderID, "err", err)
			return
		}
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			after = m.ID
			if m.AccountID != "" && m.AccountID != s.account.ID {
				continue
			}
			if err := s.send(ctx, m.PDU); err != nil {
				return
			}
			if err := s.g.outbox.DeleteOutbox(ctx, m.ID); err != nil {
				s.g.log.Error("outbox delete failed", "err", err)
				return
			}
		}
	}
}

// ServeSMPP serves a provider's request, in its own goroutine.
func (s *session) ServeSMPP(r *smpp.Request) {
	if !s.g.enter() {
		r.Reject(smpp.StatusThrottled)
		return
	}
	defer s.g.inflight.Done()
	switch r.CommandID() {
	case smpp.SubmitSM:
		presize(0)
		s.submit(r)
	default:
		r.Reject(smpp.StatusInvalidCmdID)
	}
}

// presizeBytes is about the stack a submission needs (the decision's
// frames are large).
const presizeBytes = 12 << 10

// presize grows the goroutine's stack to fit a submission while the
// stack is still shallow. Each request runs in a new goroutine whose
// stack starts small; grown on the way down, it was copied several times
// with every frame above (about 3 µs of CPU a message); grown here, once,
// with almost nothing to copy.
//
//go:noinline
func presize(i int) byte {
	var b [presizeBytes]byte
	return b[i&(len(b)-1)]
}

// enter counts a request in flight, or refuses it once shutting down.
func (g *Gateway) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.inflight.Add(1)
	return true
}

func (s *session) submit(r *smpp.Request) {
	g := s.g
	start := time.Now()
	defer func() { g.metrics.latency.Observe(time.Since(start).Seconds()) }()
	if err := r.Validate(); err != nil {
		st := smpp.StatusSystemError
		errors.As(err, &st)
		r.Reject(st)
		return
	}
	if !g.allowKeyed(s.account, s.limitKey) {
		g.stats.throttled.Add(1)
		r.Reject(smpp.StatusThrottled)
		return
	}
	c, concat, err := r.Concat()
	if err != nil {
		r.Reject(smpp.StatusInvalidESMClass)
		return
	}
	p := &part{
		raw:     append([]byte(nil), r.Bytes()...),
		receipt: r.RegisteredDelivery()&0x13 != 0, // SMSC receipt, or intermediate notification
		src:     smpp.Address{TON: r.SourceTON(), NPI: r.SourceNPI(), Addr: string(r.SourceAddr())},
		dst:     smpp.Address{TON: r.DestTON(), NPI: r.DestNPI(), Addr: string(r.DestAddr())},
	}
	sub := &submission{
		channel: "smpp", account: s.account, sender: p.src.Addr,
		destTON: p.dst.TON, dest: []byte(p.dst.Addr), at: g.now(),
		answered: make(chan struct{}),
	}
	sub.register = func(op string, p *part, id string) { s.register(op, p, id, sub.answered) }
	defer close(sub.answered)
	if !concat || c.Total <= 1 {
		sub.text, _ = r.Text()
		sub.parts = []*part{p}
		s.answer(r, g.process(s.forwardBy.get(r.Context(), g.opts.SMSCTimeout+time.Second), sub))
		return
	}
	// A part of a concatenated message: answered at once with an id of
	// Bawwab's unless it completes the message, which is then decided
	// whole.
	p.ownID = g.newID()
	hp := &heldPart{part: p, req: r}
	msg, done, err := s.reasm.Add(&r.PDU, hp)
	if err != nil {
		r.Reject(smpp.StatusInvalidMsgLen)
		return
	}
	if !done {
		r.Accept(p.ownID)
		return
	}
	sub.text, _ = msg.Text()
	var held []*part
	for _, v := range msg.Values {
		h := v.(*heldPart)
		if h == hp {
			h.part.ownID = "" // answered with the SMSC's own id
		} else {
			held = append(held, h.part)
		}
		sub.parts = append(sub.parts, h.part)
	}
	out := g.process(s.forwardBy.get(r.Context(), g.opts.SMSCTimeout+time.Second), sub)
	if out.rejected() {
		for _, hp := range held {
			s.deliverReceipt(rejectReceipt(hp, out.reason, sub.at))
		}
	}
	s.answer(r, out)
}

// register records where the receipts of a forwarded part go.
func (s *session) register(op string, p *part, smscID string, answered chan struct{}) {
	rt := &route{providerID: s.account.ProviderID, accountID: s.account.ID, sess: s, ownID: p.ownID, at: s.g.now(),
		durable: p.receipt}
	if p.ownID == "" {
		rt.answered = answered
	}
	s.g.routes.put(op, smscID, rt)
}

func (s *session) deliverReceipt(raw []byte) {
	if raw == nil {
		return
	}
	s.g.stats.receipts.Add(1)
	if err := s.g.deliver(s.g.ctx, s.account.ProviderID, s.account.ID, s, bawwab.OutboxReceipt, raw); err != nil {
		s.g.log.Error("receipt lost", "account", s.account.ID, "err", err)
	}
}

// answer passes on the SMSC's response, or refuses with the reason's
// status.
func (s *session) answer(r *smpp.Request, out *outcome) {
	if out.status == smpp.StatusOK && out.resp != nil {
		r.Forward(out.resp)
		return
	}
	if out.resp != nil && out.status != smpp.StatusThrottled {
		r.Forward(out.resp) // the SMSC's own refusal
		return
	}
	// A refusal carries an empty message_id (a single NUL), which Kannel
	// reads without complaint.
	r.Respond(out.status, nil)
}

// dropped refuses the parts of a message that never completed.
func (s *session) dropped(d smpp.Dropped) {
	g := s.g
	at := g.now()
	var first *part
	for _, v := range d.Values {
		if v == nil {
			continue
		}
		h := v.(*heldPart)
		if first == nil {
			first = h.part
		}
		s.deliverReceipt(rejectReceipt(h.part, bawwab.ReasonConcatenationIncomplete, at))
	}
	if first == nil {
		return
	}
	e := &bawwab.LedgerEntry{Time: at, ProviderID: s.account.ProviderID, AccountID: s.account.ID,
		SenderID: d.Source, MSISDN: d.Dest, Channel: "smpp", Detail: d.Reason.Error()}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonConcatenationIncomplete, RuleSet: g.opts.Engine.RuleSet()})
	g.stats.submitted.Add(1)
	g.stats.reject(bawwab.ReasonConcatenationIncomplete)
	if err := g.appendEntry(e); err != nil {
		g.log.Error("ledger append failed", "err", err)
	}
}

// allow applies the account's rate limit and its provider's throttle.
func (g *Gateway) allow(a *bawwab.Account) bool { return g.allowKeyed(a, "") }

// allowKeyed is allow with the account's limiter key ("a:" and its ID)
// made once per bind, not per message; "" makes it.
func (g *Gateway) allowKeyed(a *bawwab.Account, key string) bool {
	now := g.now()
	rate := a.RateLimit
	if rate <= 0 {
		rate = g.opts.RateLimit
	}
	if rate > 0 {
		if key == "" {
			key = accountLimitKey(a)
		}
		if !g.limits.allow(key, rate, now) {
			return false
		}
	}
	if g.opts.Sanctions != nil {
		if st := g.opts.Sanctions.Status(a.ProviderID); st.Rate > 0 && !st.Suspended() {
			return g.limits.allow("p:"+a.ProviderID, st.Rate, now)
		}
	}
	return true
}

func accountLimitKey(a *bawwab.Account) string { return "a:" + a.ID }
