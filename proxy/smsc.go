package proxy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/mo"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/smpp"
)

// serveSMSC serves an operator's requests: receipts and MO messages, each
// in its own goroutine.
func (g *Gateway) serveSMSC(op string, r *smpp.Request) {
	switch r.CommandID() {
	case smpp.DeliverSM, smpp.DataSM:
	default:
		r.Reject(smpp.StatusInvalidCmdID)
		return
	}
	if r.ESMClass()&smpp.ESMClassTypeMask != 0 {
		g.handleReceipt(op, r)
		return
	}
	if _, ok := r.TLV(smpp.TagReceiptedMessageID); ok {
		g.handleReceipt(op, r)
		return
	}
	g.handleMO(op, r)
}

// handleReceipt passes a receipt to the bind that sent the message (or its
// account's other receiver binds, or the outbox).
func (g *Gateway) handleReceipt(op string, r *smpp.Request) {
	rc, err := smpp.ReceiptOf(&r.PDU)
	if err != nil {
		r.Accept("")
		return
	}
	rt := g.routes.get(op, rc.ID)
	if rt == nil {
		// Sent before a restart: the store has the route, or the HTTP
		// message.
		if or, err := g.outbox.FindRoute(g.ctx, op, rc.ID); err == nil {
			rt = &route{providerID: or.ProviderID, accountID: or.AccountID, ownID: or.OwnID, at: or.At}
		} else if g.httpStore != nil {
			m, err := g.httpStore.FindHTTPMessageBySMSCID(g.ctx, op, rc.ID)
			switch {
			case err == nil && g.routes.get(op, rc.ID) != nil:
				// Submitted by this run, and routed since the first look
				// (its route is registered before it is stored): memory
				// has it, below.
				rt = g.routes.get(op, rc.ID)
			case err == nil:
				if !g.storedReceipt(m.ID, rc) {
					r.Reject(smpp.StatusTempAppError) // the SMSC sends it again
					return
				}
				g.stats.receipts.Add(1)
				g.metrics.receipts.Inc()
				r.Accept("")
				return
			case bawwab.ErrorCode(err) != bawwab.ENOTFOUND:
				g.log.Error("receipt route not read", "operator", op, "err", err)
				r.Reject(smpp.StatusTempAppError)
				return
			}
		}
	}
	// An SMSC may send the receipt before its submit_sm_resp has been
	// read and the route recorded: wait for it a little.
	for i := 0; rt == nil && i < 50 && g.ctx.Err() == nil; i++ {
		time.Sleep(20 * time.Millisecond)
		rt = g.routes.get(op, rc.ID)
	}
	if rt == nil {
		g.log.Warn("receipt for an unknown message", "operator", op)
		r.Accept("")
		return
	}
	g.stats.receipts.Add(1)
	g.metrics.receipts.Inc()
	if rt.http != nil {
		r.Accept("")
		g.httpReceipt(rt.http, rc)
		return
	}
	if rt.answered != nil {
		select {
		case <-rt.answered:
		case <-time.After(g.opts.SMSCTimeout + 30*time.Second):
		case <-g.ctx.Done():
		}
	}
	raw := append([]byte(nil), r.Bytes()...)
	if rt.ownID != "" {
		// The provider knows this part by the id Bawwab gave it.
		rc.ID = rt.ownID
		from := smpp.Address{TON: r.SourceTON(), NPI: r.SourceNPI(), Addr: string(r.SourceAddr())}
		to := smpp.Address{TON: r.DestTON(), NPI: r.DestNPI(), Addr: string(r.DestAddr())}
		if raw, err = rc.Body(from, to).Encode(smpp.DeliverSM, 0, 0); err != nil {
			r.Accept("")
			return
		}
	}
	if err := g.deliver(g.ctx, rt.providerID, rt.accountID, rt.sess, bawwab.OutboxReceipt, raw); err != nil {
		g.log.Error("receipt not kept", "err", err)
		r.Reject(smpp.StatusTempAppError) // the SMSC sends it again
		return
	}
	r.Accept("")
}

// moPart is a part of a concatenated MO message.
type moPart struct{ raw []byte }

// handleMO reads a subscriber's message: a STOP or START to an opt-out
// channel, a report to the complaint code, or a message to a provider's
// service code.
func (g *Gateway) handleMO(op string, r *smpp.Request) {
	raw := append([]byte(nil), r.Bytes()...)
	msg, done, err := g.moReasm.Add(&r.PDU, &moPart{raw: raw})
	if err != nil {
		// Concatenation information that cannot be right: read it alone.
		msg, done = &smpp.Message{Source: string(r.SourceAddr()), Dest: string(r.DestAddr()), Values: []any{&moPart{raw: raw}}}, true
		msg.DataCoding = r.DataCoding()
		_, msg.Data, _ = r.UserData()
	}
	if !done {
		r.Accept("")
		return
	}
	g.stats.mo.Add(1)
	text, _ := msg.Text()
	at := g.now()
	from := msg.Source
	if n, err := msisdn.ParseAddress(r.SourceTON(), []byte(msg.Source)); err == nil {
		from = n.E164()
	}
	code := strings.TrimLeft(msg.Dest, "+")
	st := g.reg.Load()
	ch := st.channels[code]
	// Not the gateway's context: an MO that arrives as the gateway shuts
	// down is still recorded whole (register, ledger, index) — the store
	// change, once made, must not lose its ledger entry to a cancellation.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(g.ctx), 30*time.Second)
	defer cancel()
	switch {
	case code != "" && (code == g.opts.ComplaintCode || ch != nil && ch.Purpose == bawwab.PurposeComplaint):
		g.metrics.mo.WithLabelValues("complaint").Inc()
		if g.opts.Complaints == nil {
			r.Accept("")
			return
		}
		c, err := g.opts.Complaints.IntakeSMS(ctx, from, code, text, at)
		if err != nil {
			g.log.Error("complaint intake failed", "err", err)
			r.Reject(smpp.StatusTempAppError)
			return
		}
		g.stats.complaints.Add(1)
		r.Accept("")
		if err := g.SendSMS(ctx, code, from, complaint.Reply(c)); err != nil {
			g.log.Warn("complaint reply not sent", "err", err)
		}
	case code != "" && (code == st.national || ch != nil && ch.Purpose == bawwab.PurposeOptOut):
		g.metrics.mo.WithLabelValues("optout").Inc()
		res, err := st.dir.Handle(mo.MO{From: from, To: code, Text: text, At: at})
		if err != nil {
			g.log.Warn("MO not handled", "err", err)
			r.Accept("")
			return
		}
		for i := range res.Oppositions {
			o := res.Oppositions[i]
			if g.opts.Oppositions == nil {
				break
			}
			if err := g.opts.Oppositions.RecordOpposition(ctx, &o); err != nil {
				// Not recorded: the SMSC sends the MO again.
				g.log.Error("opposition not recorded", "err", err)
				r.Reject(smpp.StatusTempAppError)
				return
			}
			if o.Action == bawwab.ActionStop {
				g.stats.stops.Add(1)
			} else {
				g.stats.starts.Add(1)
			}
		}
		r.Accept("")
		// The oppositions are in force: now the free confirmations.
		for _, t := range []string{res.Reply.French, res.Reply.Arabic} {
			if t == "" {
				continue
			}
			if err := g.SendSMS(ctx, code, from, t); err != nil {
				g.log.Warn("MO confirmation not sent", "err", err)
			}
		}
	case ch != nil && ch.Purpose == bawwab.PurposeService && ch.ProviderID != "":
		g.metrics.mo.WithLabelValues("relay").Inc()
		for _, v := range msg.Values {
			p, _ := v.(*moPart)
			if p == nil {
				continue
			}
			if err := g.deliver(ctx, ch.ProviderID, "", nil, bawwab.OutboxMO, p.raw); err != nil {
				g.log.Error("MO not kept", "err", err)
				r.Reject(smpp.StatusTempAppError)
				return
			}
		}
		g.stats.relayed.Add(1)
		r.Accept("")
	default:
		g.metrics.mo.WithLabelValues("unknown").Inc()
		g.log.Info("MO to a code of no channel", "operator", op)
		r.Accept("")
	}
}

// SendSMS sends a system message — a confirmation, a subscriber's one-time
// code — from a short code of the gateway's to a subscriber, through the
// subscriber's operator (portability included). It is not subject to the
// commercial rules; it is recorded in the ledger.
func (g *Gateway) SendSMS(ctx context.Context, from, to, text string) error {
	n, err := msisdn.Parse(to)
	if err != nil {
		return fmt.Errorf("send SMS: recipient: %w", err)
	}
	op := g.opts.Operators.Operator(n).String()
	l := g.links[op]
	if l == nil {
		return fmt.Errorf("send SMS: %w %q", errNoLink, op)
	}
	sp, err := g.split.Split(text)
	if err != nil {
		return fmt.Errorf("send SMS: %w", err)
	}
	dest := strings.TrimPrefix(n.E164(), "+")
	var ids []string
	for _, b := range sp.Bodies(smpp.Body{
		Source: smpp.Address{TON: smsTON(from), NPI: smsNPI(from), Addr: from},
		Dest:   smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: dest},
	}) {
		raw, err := b.Encode(smpp.SubmitSM, 0, 1)
		if err != nil {
			return fmt.Errorf("send SMS: %w", err)
		}
		sctx, cancel := context.WithTimeout(ctx, g.opts.SMSCTimeout)
		resp, err := l.send(sctx, raw)
		cancel()
		if err != nil {
			return fmt.Errorf("send SMS: %w", err)
		}
		var p smpp.PDU
		if p.Decode(resp) == nil {
			ids = append(ids, string(p.MessageID()))
		}
	}
	g.stats.system.Add(1)
	e := &bawwab.LedgerEntry{Time: g.now(), SenderID: from, OperatorID: op, MSISDN: n.E164(), Text: text,
		Channel: "system", Detail: "system message", SMSCMessageID: strings.Join(ids, ",")}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Accept, RuleSet: "system"})
	if err := g.appendEntry(e); err != nil {
		return fmt.Errorf("send SMS: ledger: %w", err)
	}
	return nil
}

func smsTON(addr string) byte {
	for _, c := range addr {
		if c < '0' || c > '9' {
			return smpp.TONAlphanumeric
		}
	}
	if len(addr) <= 8 {
		return 3 // network specific: a short code
	}
	return smpp.TONInternational
}

func smsNPI(addr string) byte {
	if smsTON(addr) == smpp.TONInternational {
		return smpp.NPIISDN
	}
	return smpp.NPIUnknown
}
