package proxy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/smpp"
)

// submission is one complete message, from SMPP (one submit_sm, or every
// part of a concatenated one) or HTTP, as the gateway decides it.
type submission struct {
	channel  string // "smpp", "http"
	account  *bawwab.Account
	sender   string
	destTON  byte
	dest     []byte
	text     string
	category bawwab.Category
	parts    []*part // the submit_sm to forward, in order
	at       time.Time
	// register is called for each part the SMSC took, with its id, before
	// the decision is in the ledger: the receipts' route.
	register func(op string, p *part, smscID string)
	// decided, if set, is called with the outcome once it is known and
	// before the ledger append, to do in the meantime what does not
	// depend on it (the HTTP message's write to the store). The outcome
	// changes after only if the append fails (StatusSystemError).
	decided func(out *outcome)
	// answered is closed once the provider has its answer: a receipt
	// (which the SMSC may send at once) waits for it, so that no provider
	// gets the receipt of a message before the message's id.
	answered chan struct{}
}

// part is one submit_sm to forward.
type part struct {
	raw   []byte
	ownID string // the id the provider already has (a held part); "" otherwise
	// receipt is set when the part asks for a receipt (registered_delivery).
	receipt bool
	src     smpp.Address
	dst     smpp.Address
}

// outcome is what became of a submission.
type outcome struct {
	decision bawwab.Decision
	reason   bawwab.Reason // the reason of a refusal (rules, SMSC, sanctions)
	status   smpp.Status   // what the provider is answered (0: accepted)
	resp     []byte        // the SMSC's response to the last part, to pass on
	smscIDs  []string
	operator string
	entry    *bawwab.LedgerEntry
}

// rejected reports whether the message was refused (by the rules, a
// sanction, or because no SMSC took it).
func (o *outcome) rejected() bool { return o.status != smpp.StatusOK }

// process decides a submission, forwards it if accepted, records the
// decision in the ledger, and returns what to answer. It never returns
// before the ledger entry is durable.
func (g *Gateway) process(ctx context.Context, sub *submission) *outcome {
	g.stats.submitted.Add(1)
	out := &outcome{}
	cs := compliance.Submission{
		AccountID:  sub.account.ID,
		ProviderID: sub.account.ProviderID,
		Sender:     sub.sender,
		Text:       sub.text,
		Category:   sub.category,
		Time:       sub.at,
	}
	cs.Recipient, cs.RecipientErr = msisdn.ParseAddress(sub.destTON, sub.dest)
	if cs.RecipientErr == nil {
		cs.Operator = g.opts.Operators.Operator(cs.Recipient)
	}
	var msisdnText string
	if cs.RecipientErr == nil {
		msisdnText = cs.Recipient.E164()
	} else {
		msisdnText = string(sub.dest)
	}
	out.operator = cs.Operator.String()

	var res compliance.Result
	if g.opts.Sanctions != nil && g.opts.Sanctions.Status(sub.account.ProviderID).Suspended() {
		res.Decision = bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonProviderNotAuthorised, RuleSet: g.opts.Engine.RuleSet()}
		res.ProviderID = sub.account.ProviderID
	} else {
		res = g.opts.Engine.Decide(&cs)
	}
	out.decision = res.Decision
	e := &bawwab.LedgerEntry{
		Time:         sub.at,
		ProviderID:   sub.account.ProviderID,
		AccountID:    sub.account.ID,
		AdvertiserID: res.AdvertiserID,
		SenderID:     sub.sender,
		OperatorID:   out.operator,
		MSISDN:       msisdnText,
		Text:         sub.text,
		Channel:      sub.channel,
	}
	e.SetDecision(res.Decision)
	if res.Rule != compliance.NoRule {
		e.Detail = res.Rule.String() + " " + res.Detail.String()
	}
	if res.Outcome == bawwab.Reject {
		out.reason = res.Reason
		out.status = smpp.Status(res.Reason.SMPPStatus())
	} else {
		e.Fingerprint = complaint.Fingerprint(sub.text)
		if err := g.forward(ctx, sub, out); err != nil {
			// The rules accepted it but no SMSC took it: the ledger says
			// so, and the cap slot is given back.
			g.opts.Engine.Release(res.Reservation)
			e.Outcome, e.Reason, e.Until, e.Fingerprint = bawwab.Reject, bawwab.ReasonSMSCUnavailable, time.Time{}, nil
			e.Detail = strings.TrimSpace(e.Detail + " smsc: " + err.Error())
			out.reason = bawwab.ReasonSMSCUnavailable
			var st smpp.Status
			if !errors.As(err, &st) || st == smpp.StatusOK {
				st = smpp.StatusThrottled // the link dropped or is down: retry later
			}
			out.status = st
		}
		e.SMSCMessageID = strings.Join(out.smscIDs, ",")
	}
	out.entry = e
	if sub.decided != nil {
		sub.decided(out)
	}
	if err := g.appendEntry(e); err != nil {
		// Not durable: the provider must not believe it was taken.
		g.log.Error("ledger append failed", "err", err)
		out.status = smpp.StatusSystemError
		if out.reason == "" {
			out.reason = bawwab.ReasonSMSCUnavailable
		}
	}
	if g.opts.Sanctions != nil && out.status != smpp.StatusSystemError {
		g.opts.Sanctions.Observe(e, g.registeredCategory(sub.sender))
	}
	switch {
	case out.rejected():
		g.stats.reject(out.reason)
		g.metrics.decisions.WithLabelValues("reject", string(out.reason)).Inc()
	case res.Outcome == bawwab.Defer:
		g.stats.deferred.Add(1)
		g.metrics.decisions.WithLabelValues("defer", string(res.Reason)).Inc()
	default:
		g.stats.accepted.Add(1)
		g.metrics.decisions.WithLabelValues("accept", "").Inc()
	}
	return out
}

func (g *Gateway) appendEntry(e *bawwab.LedgerEntry) error {
	// Not the request's context: a provider gone mid-message does not stop
	// the record of what was done. The wait is bounded (30 to 31 s) by a
	// context shared by the appends of a second, not a timer each.
	_, err := g.opts.Ledger.Append(ledgerDeadline.get(context.Background(), 30*time.Second), e)
	return err
}

// ledgerDeadline bounds the wait of the appends for their durability.
var ledgerDeadline sharedDeadline

// sharedDeadline hands out a context with a deadline at least timeout
// away, derived from a parent, and shared by every call with that parent
// in the same second: a context with its own timer per message costs
// three allocations, a timer and a channel.
type sharedDeadline struct {
	cur atomic.Pointer[deadlineCtx]
}

type deadlineCtx struct {
	parent context.Context
	ctx    context.Context
	cancel context.CancelFunc // never called: the others share it; it ends at its deadline
	until  time.Time
}

// get returns a context of parent whose deadline is between timeout and
// timeout + 1 s away.
func (d *sharedDeadline) get(parent context.Context, timeout time.Duration) context.Context {
	now := time.Now()
	if c := d.cur.Load(); c != nil && c.parent == parent && c.until.Sub(now) >= timeout {
		return c.ctx
	}
	until := now.Add(timeout + time.Second)
	ctx, cancel := context.WithDeadline(parent, until)
	d.cur.Store(&deadlineCtx{parent: parent, ctx: ctx, cancel: cancel, until: until})
	return ctx
}

func (g *Gateway) registeredCategory(sender string) bawwab.Category {
	if s := g.reg.Load().senders[strings.ToUpper(sender)]; s != nil {
		return s.Category
	}
	return bawwab.CategoryUnknown
}

// forward sends every part to the recipient's operator, in order, with
// schedule_delivery_time set for a deferred message.
func (g *Gateway) forward(ctx context.Context, sub *submission, out *outcome) error {
	l := g.links[out.operator]
	if l == nil {
		return fmt.Errorf("%w %q", errNoLink, out.operator)
	}
	// Bounded, unless the caller's context already is (a session's
	// shared deadline, see sharedDeadline).
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > g.opts.SMSCTimeout+2*time.Second {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, g.opts.SMSCTimeout+time.Second)
		defer cancel()
	}
	for i, p := range sub.parts {
		raw := p.raw
		if out.decision.Outcome == bawwab.Defer {
			var err error
			if raw, err = withSchedule(raw, out.decision.Until); err != nil {
				return err
			}
		}
		resp, err := l.send(ctx, raw)
		if err != nil {
			if i > 0 {
				g.log.Warn("concatenated message cut short: the SMSC took only some parts", "parts", i, "of", len(sub.parts))
			}
			if resp != nil && p.ownID == "" {
				out.resp = resp
			}
			return err
		}
		var rp smpp.PDU
		if err := rp.Decode(resp); err != nil {
			return fmt.Errorf("SMSC response: %w", err)
		}
		id := string(rp.MessageID())
		out.smscIDs = append(out.smscIDs, id)
		if sub.register != nil {
			sub.register(out.operator, p, id)
		}
		if p.ownID == "" {
			out.resp = resp // the answer to the part that waits for one
		}
	}
	return nil
}

// withSchedule re-encodes a submit_sm with schedule_delivery_time set to
// t, in the absolute form of SMPP 3.4 §7.1.1 (UTC).
func withSchedule(raw []byte, t time.Time) ([]byte, error) {
	var p smpp.PDU
	if err := p.Decode(raw); err != nil {
		return nil, err
	}
	b := p.Body()
	b.ScheduleDeliveryTime = t.UTC().Format("060102150405") + "000+"
	return b.Encode(p.CommandID(), 0, p.Seq())
}

// errCode is the 3-character err: field of a receipt reporting a
// refusal: the low three hex digits of the reason's command_status.
func errCode(r bawwab.Reason) string {
	return fmt.Sprintf("%03X", r.SMPPStatus()&0xFFF)
}

// rejectReceipt builds the receipt stat:REJECTD for a part Bawwab answered
// before the message was refused.
func rejectReceipt(p *part, r bawwab.Reason, at time.Time) []byte {
	rc := smpp.Receipt{ID: p.ownID, Sub: 1, SubmitDate: at, DoneDate: at, Stat: "REJECTD",
		Err: errCode(r), State: smpp.StateRejected}
	raw, err := rc.Body(p.dst, p.src).Encode(smpp.DeliverSM, 0, 0)
	if err != nil {
		return nil
	}
	return raw
}

// deliver hands a deliver_sm to the provider: on the preferred session,
// else another receiver bind of the account (or of the provider, when
// accountID is empty), else the outbox. It fails only when the outbox
// does.
func (g *Gateway) deliver(ctx context.Context, providerID, accountID string, prefer *session, kind bawwab.OutboxKind, raw []byte) error {
	for _, s := range g.receivers(providerID, accountID, prefer) {
		if s.send(ctx, raw) == nil {
			return nil
		}
	}
	m := &bawwab.OutboxMessage{ProviderID: providerID, AccountID: accountID, Kind: kind, PDU: raw, At: g.now()}
	// Kept even if the gateway is shutting down meanwhile.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := g.outbox.PutOutbox(pctx, m); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	// A receiver may have bound between the look and the put.
	for _, s := range g.receivers(providerID, accountID, nil) {
		go s.flushOutbox()
		break
	}
	return nil
}
