package sanction

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/safehttp"
)

// Load rebuilds the counters from the store, at start: the hourly
// aggregates of the decisions of the longest window (fed by the report
// feeder; run its CatchUp first so that they are complete), the complaints
// confirmed in the longest complaint window, and the measures in force.
// Call it before the first Observe.
func (m *Monitor) Load(ctx context.Context) error {
	now := m.now()
	if m.o.Reports != nil && m.ringHours > 0 {
		from := time.Unix((floorHour(now)-m.ringHours+1)*3600, 0).UTC()
		ts, err := m.o.Reports.Aggregate(ctx, bawwab.AggregateQuery{From: from, Kinds: []bawwab.EntryKind{bawwab.EntryDecision},
			GroupBy: []bawwab.AggregateDim{bawwab.DimTime, bawwab.DimProvider, bawwab.DimCategory, bawwab.DimOutcome,
				bawwab.DimReason, bawwab.DimFlag, bawwab.DimMode}})
		if err != nil {
			return fmt.Errorf("load sanction counters: %w", err)
		}
		for i := range ts {
			m.add(&ts[i])
		}
	}
	if err := m.Refresh(ctx); err != nil {
		return fmt.Errorf("load sanction counters: %w", err)
	}
	return nil
}

// add counts an hourly tally, as Observe counts its entries.
func (m *Monitor) add(t *bawwab.Tally) {
	if t.ProviderID == "" {
		return
	}
	ps := m.state(t.ProviderID)
	base := ps.slot(floorHour(t.Hour))
	if base < 0 {
		return
	}
	ps.counts[base+cSubmissions].Add(t.N)
	if t.Category == bawwab.CategoryCommercial {
		ps.counts[base+cCommercial].Add(t.N)
	}
	r := bawwab.ReasonNone
	if t.Outcome == bawwab.Reject || t.Outcome == bawwab.Accept && t.Mode == bawwab.Monitor && m.cfg.CountMonitored {
		r = t.Reason
	}
	if r != bawwab.ReasonNone && bawwab.IsViolation(r) {
		ps.counts[base+cViolations].Add(t.N)
		ps.counts[base+reasonIndex[r]].Add(t.N)
	}
	if t.Flag == bawwab.ReasonMislabelledCommercial || r == bawwab.ReasonMislabelledCommercial {
		ps.counts[base+cMislabelled].Add(t.N)
	}
}

// Refresh reads the store for what happened elsewhere: measures taken or
// lifted by other nodes, the console or the command line (each provider's
// status and baseline), complaints confirmed (counted, and checked against
// the thresholds), and the ledger entries of measures still pending.
func (m *Monitor) Refresh(ctx context.Context) error {
	ms, _, err := m.o.Measures.FindMeasures(ctx, bawwab.MeasureFilter{Active: ptr(true), Limit: 100000})
	if err != nil {
		return err
	}
	// The lifts within the longest window set the baselines: what was
	// counted before a lift does not count after it.
	since := m.now().Add(-max(m.maxCWin, time.Duration(m.ringHours)*time.Hour))
	lifted, _, err := m.o.Measures.FindMeasures(ctx, bawwab.MeasureFilter{LiftedSince: since, Limit: 100000})
	if err != nil {
		return err
	}
	byProvider := map[string][]*bawwab.Measure{}
	for _, meas := range append(ms, lifted...) {
		byProvider[meas.ProviderID] = append(byProvider[meas.ProviderID], meas)
	}
	// Providers known here but without measures in the store may have had
	// theirs lifted elsewhere.
	for id := range *m.providers.Load() {
		if _, ok := byProvider[id]; !ok {
			byProvider[id] = nil
		}
	}
	for id, list := range byProvider {
		m.apply(id, list)
	}
	if m.o.Complaints != nil && m.maxCWin > 0 {
		st := bawwab.ComplaintConfirmed
		var all []*bawwab.Complaint
		for off := 0; ; off += 1000 {
			cs, _, err := m.o.Complaints.FindComplaints(ctx, bawwab.ComplaintFilter{Status: &st, DecidedSince: m.now().Add(-m.maxCWin), Offset: off, Limit: 1000})
			if err != nil {
				return err
			}
			all = append(all, cs...)
			if len(cs) < 1000 {
				break
			}
		}
		// In the order they were confirmed, as they would have been
		// observed live, so that each threshold is judged when crossed.
		slices.SortStableFunc(all, func(a, b *bawwab.Complaint) int { return decidedAt(a).Compare(decidedAt(b)) })
		for _, c := range all {
			m.ObserveComplaint(c)
		}
	}
	return m.flushPendingLedger(ctx)
}

func ptr[T any](v T) *T { return &v }

// decidedAt is when a case was confirmed or dismissed.
func decidedAt(c *bawwab.Complaint) time.Time {
	for _, e := range c.Events {
		if e.Action == bawwab.ComplaintActionConfirmed || e.Action == bawwab.ComplaintActionDismissed {
			return e.At
		}
	}
	return c.ReceivedAt
}

// PendingGrace is how old a measure's pending ledger entry must be before
// Refresh appends it, so that it does not race the process that recorded
// the measure and is appending it itself.
const PendingGrace = 30 * time.Second

// flushPendingLedger appends the ledger entries of measures and lifts
// recorded in the store but not in a ledger.
func (m *Monitor) flushPendingLedger(ctx context.Context) error {
	if m.o.Ledger == nil {
		return nil
	}
	ms, _, err := m.o.Measures.FindMeasures(ctx, bawwab.MeasureFilter{PendingLedger: true, Limit: 1000})
	if err != nil {
		return err
	}
	cut := m.now().Add(-PendingGrace)
	for i := len(ms) - 1; i >= 0; i-- { // oldest first
		meas := ms[i]
		if meas.LedgerIndex < 0 && !meas.At.After(cut) {
			if err := m.appendLedger(ctx, meas, false); err != nil {
				return err
			}
		}
		if !meas.Active() && meas.LiftLedgerIndex < 0 && !meas.LiftedAt.After(cut) && meas.LedgerIndex >= 0 {
			if err := m.appendLedger(ctx, meas, true); err != nil {
				return err
			}
		}
	}
	// Notifications whose webhook failed: a few more attempts.
	ns, _, err := m.o.Measures.FindNotifications(ctx, bawwab.NotificationFilter{Undelivered: true, Limit: 100})
	if err != nil {
		return err
	}
	for _, n := range ns {
		if n.Attempts < maxAttempts {
			m.deliver(ctx, n)
		}
	}
	return nil
}

// Run records the measures as soon as they are raised (Flush), and
// refreshes from the store every RefreshInterval, until ctx is done.
func (m *Monitor) Run(ctx context.Context) error {
	t := time.NewTicker(m.cfg.RefreshInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// The measures raised last must not be lost on shutdown.
			c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := m.Flush(c)
			cancel()
			return err
		case <-m.wake:
			if err := m.Flush(ctx); err != nil {
				m.log.Error("sanction: recording measures", "err", err)
			}
		case <-t.C:
			if err := m.Flush(ctx); err != nil {
				m.log.Error("sanction: recording measures", "err", err)
			}
			if err := m.Refresh(ctx); err != nil && ctx.Err() == nil {
				m.log.Error("sanction: refresh", "err", err)
			}
		}
	}
}

// maxAttempts is how many times a notification is posted to a webhook.
const maxAttempts = 5

// deliver posts a notification to its webhook, if it has one, and
// records the attempt.
func (m *Monitor) deliver(ctx context.Context, n *bawwab.Notification) {
	if n == nil || n.Webhook == "" || !n.DeliveredAt.IsZero() {
		return
	}
	err := m.post(ctx, n)
	var at time.Time
	msg := ""
	if err == nil {
		at = m.now()
	} else {
		msg = err.Error()
		m.log.Warn("sanction: webhook failed", "provider", n.ProviderID, "notification", n.ID, "err", err)
	}
	n.Attempts++
	n.DeliveredAt, n.LastError = at, msg
	if err := m.o.Measures.MarkNotification(ctx, n.ID, at, msg); err != nil {
		m.log.Error("sanction: recording a webhook attempt", "notification", n.ID, "err", err)
	}
}

func (m *Monitor) post(ctx context.Context, n *bawwab.Notification) error {
	if err := bawwab.ValidWebhook(n.Webhook); err != nil {
		return err
	}
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Webhook, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "bawwab-sanctions")
	req.Header.Set("X-Bawwab-Event", "measure")
	if err := m.o.Signer.SignRequest(req, body); err != nil {
		return err
	}
	resp, err := m.client.Do(req)
	if err != nil {
		// A refused address says why and how to allow it; other errors
		// are summed up.
		var ae *safehttp.AddrError
		if errors.As(err, &ae) {
			return ae
		}
		return errors.New("webhook unreachable")
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}

// notice is the notification of a measure (or of its lift), in French and
// English. It names the provider, the measure, the rule and the counts,
// never a subscriber.
func notice(meas *bawwab.Measure, lift bool) *bawwab.Notification {
	n := &bawwab.Notification{ProviderID: meas.ProviderID, At: meas.At}
	fr := map[bawwab.MeasureKind]string{bawwab.MeasureWarning: "avertissement", bawwab.MeasureThrottle: "limitation de débit", bawwab.MeasureSuspension: "suspension"}[meas.Kind]
	var b strings.Builder
	if lift {
		n.At = meas.LiftedAt
		n.Subject = fmt.Sprintf("Bawwab : levée de la mesure n° %d (%s) / measure %d (%s) lifted — %s", meas.ID, fr, meas.ID, meas.Kind, meas.ProviderID)
		fmt.Fprintf(&b, "La mesure n° %d (%s) contre le prestataire %s est levée le %s par %s.\nMotif : %s\n\n",
			meas.ID, fr, meas.ProviderID, n.At.UTC().Format(time.RFC3339), meas.LiftedBy.Name, meas.LiftReason)
		fmt.Fprintf(&b, "Measure %d (%s) against provider %s was lifted on %s by %s.\nReason: %s\n",
			meas.ID, meas.Kind, meas.ProviderID, n.At.UTC().Format(time.RFC3339), meas.LiftedBy.Name, meas.LiftReason)
		n.Body = b.String()
		return n
	}
	n.Subject = fmt.Sprintf("Bawwab : %s du prestataire %s / %s of provider %s", fr, meas.ProviderID, meas.Kind, meas.ProviderID)
	effect := map[bawwab.MeasureKind][2]string{
		bawwab.MeasureWarning: {"Aucune restriction n'est appliquée ; le prochain seuil entraîne une limitation ou une suspension.",
			"No restriction applies; the next threshold brings throttling or suspension."},
		bawwab.MeasureThrottle: {fmt.Sprintf("Vos envois sont limités à %g messages par seconde sur toutes les passerelles.", meas.Rate),
			fmt.Sprintf("Your submissions are capped at %g messages per second on every gateway.", meas.Rate)},
		bawwab.MeasureSuspension: {"Votre trafic est bloqué sur toutes les passerelles jusqu'à la levée de la mesure.",
			"Your traffic is blocked on every gateway until the measure is lifted."},
	}[meas.Kind]
	fmt.Fprintf(&b, "Mesure : %s, prise le %s.\nMotif : %s\n%s\nSeul un régulateur (CNDP, ANRT) peut lever cette mesure.\n\n",
		fr, meas.At.UTC().Format(time.RFC3339), meas.Reason, effect[0])
	fmt.Fprintf(&b, "Measure: %s, taken on %s.\nReason: %s\n%s\nOnly a regulator (CNDP, ANRT) can lift it.\n",
		meas.Kind, meas.At.UTC().Format(time.RFC3339), meas.Reason, effect[1])
	n.Body = b.String()
	return n
}
