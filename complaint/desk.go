package complaint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

// Ledger is what the desk needs of the audit ledger (a *ledger.Ledger):
// appending the entries of the cases, and reading the decision entries
// reports are matched to.
type Ledger interface {
	EntryReader
	Append(ctx context.Context, e *bawwab.LedgerEntry) (int64, error)
}

// EntryReader reads ledger entries by index (a *ledger.Reader).
type EntryReader interface {
	FindEntryByIndex(ctx context.Context, index int64) (*bawwab.LedgerEntry, error)
}

// Keys turns subscriber numbers into pseudonyms (a *ledger.Keyring).
type Keys interface {
	// Pseudonym is the number's pseudonym under the current key.
	Pseudonym(msisdn string) bawwab.Pseudonym
	// Pseudonyms are its pseudonyms under every key, to find the entries
	// made before a key rotation.
	Pseudonyms(msisdn string) []bawwab.Pseudonym
}

// Config tunes matching. The zero value takes the defaults.
type Config struct {
	// Window is how far before the reported time a delivery may be
	// (default 7 days): people report what they received this week.
	Window time.Duration `toml:"window"`
	// Slack is how far after the reported time a delivery may be (default
	// 2 hours): a time typed in a web form is approximate.
	Slack time.Duration `toml:"slack"`
	// Threshold is the least Similarity for a match (default 0.55: on the
	// public corpus, no two messages of different brands score above 0.52,
	// and forwarded copies with a comment, half cut off or three words
	// changed score 0.57 or more).
	Threshold float64 `toml:"threshold"`
	// MaxMatches is the most matches a case keeps (default 3).
	MaxMatches int `toml:"max_matches"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Window: 7 * 24 * time.Hour, Slack: 2 * time.Hour, Threshold: 0.55, MaxMatches: 3}
}

// Validate checks the configuration, naming the bad key.
func (c Config) Validate() error {
	switch {
	case c.Window < 0 || c.Window > 90*24*time.Hour:
		return bawwab.InvalidField("complaints.window", "must be between 0 and 90 days")
	case c.Slack < 0 || c.Slack > 48*time.Hour:
		return bawwab.InvalidField("complaints.slack", "must be between 0 and 48 hours")
	case c.Threshold < 0 || c.Threshold > 1:
		return bawwab.InvalidField("complaints.threshold", "must be between 0 and 1")
	case c.MaxMatches < 0 || c.MaxMatches > 100:
		return bawwab.InvalidField("complaints.max_matches", "must be between 0 and 100")
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Window == 0 {
		c.Window = d.Window
	}
	if c.Slack == 0 {
		c.Slack = d.Slack
	}
	if c.Threshold == 0 {
		c.Threshold = d.Threshold
	}
	if c.MaxMatches == 0 {
		c.MaxMatches = d.MaxMatches
	}
	return c
}

// Desk takes subscribers' reports, matches them to the messages delivered
// to them, opens cases against the providers that sent them, and records
// every step of a case with who took it and why, in the store and in the
// ledger.
//
// The gateway hands every MO message to the complaint short code to
// IntakeSMS; the web form and the API call Intake; the console and the
// command line call Decide. Run appends, in the background, the ledger
// entries of steps taken where the ledger could not be written (a command
// run while the gateway holds the ledger). A Desk is safe for concurrent
// use.
type Desk struct {
	// Store keeps the cases and the delivery index (fed by
	// report.Feeder).
	Store bawwab.ComplaintService
	// Ledger is the ledger this process appends to (nil: the steps stay
	// pending for a process that has it); Origin its name.
	Ledger Ledger
	Origin string
	// Readers read the ledgers of other origins (other gateway nodes on a
	// shared PostgreSQL ledger), for deliveries they recorded.
	Readers map[string]EntryReader
	Keys    Keys
	Config  Config
	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
	// OnConfirmed, if set, is called after a case is confirmed, with the
	// case: the sanction monitor counts it (sanction.Monitor.ObserveComplaint).
	OnConfirmed func(c *bawwab.Complaint)

	mu sync.Mutex // serialises the appends of pending steps
}

// DeskActor is the actor of the steps the desk takes itself.
var DeskActor = bawwab.Actor{Name: "complaint-desk", Role: bawwab.RoleSystem}

// Report is a subscriber's report, as the web form or the API takes it.
type Report struct {
	// From is the subscriber's number, in any form msisdn.Parse reads. It
	// is used only to compute the subscriber's pseudonyms, and kept
	// nowhere.
	From string
	// Channel is how the report arrived: the complaint short code, "web"
	// or "api" (default "api").
	Channel string
	// SenderID is the sender as the subscriber gives it, if known.
	SenderID string
	// Text is the message as forwarded or pasted.
	Text string
	// At is when the subscriber received the message, approximately; zero
	// means now.
	At time.Time
}

// MaxReportText is the longest report text taken, in bytes.
const MaxReportText = 4000

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now().UTC()
	}
	return time.Now().UTC()
}

func (d *Desk) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// IntakeSMS takes an MO message sent to the complaint short code: the
// gateway calls it with the subscriber's number, the short code, the text
// (every part of a concatenated message reassembled) and the time it
// arrived. It returns the case, matched or not; reply with Reply(case).
func (d *Desk) IntakeSMS(ctx context.Context, from, shortCode, text string, at time.Time) (*bawwab.Complaint, error) {
	return d.Intake(ctx, Report{From: from, Channel: shortCode, Text: text, At: at})
}

// Intake takes a report: it finds the messages delivered to the
// subscriber in the window that match it, and records a case — open
// against the provider of the best match, or unmatched — with its first
// step in the ledger.
func (d *Desk) Intake(ctx context.Context, r Report) (*bawwab.Complaint, error) {
	n, err := msisdn.Parse(r.From)
	if err != nil {
		return nil, bawwab.Errorf(bawwab.EINVALID, "the subscriber's number is not valid: %s", bawwab.ErrorMessage(err))
	}
	if strings.TrimSpace(r.Text) == "" {
		return nil, bawwab.InvalidField("text", "missing (the message reported)")
	}
	if len(r.Text) > MaxReportText || !utf8.ValidString(r.Text) {
		return nil, bawwab.InvalidField("text", "at most %d bytes of UTF-8", MaxReportText)
	}
	if r.Channel == "" {
		r.Channel = "api"
	}
	if d.Keys == nil {
		return nil, errors.New("complaint desk: no pseudonym keys")
	}
	now := d.now()
	if r.At.IsZero() {
		r.At = now
	}
	e164 := n.E164()
	fw := ParseForward(r.Text)
	sender := cleanSender(r.SenderID)
	if sender == "" {
		sender = fw.Sender
	}
	body := fw.Body
	if body == "" {
		body = r.Text
	}
	matches, entries, err := d.match(ctx, e164, sender, body, r.Text, r.At.UTC())
	if err != nil {
		return nil, fmt.Errorf("match complaint: %w", err)
	}
	c := &bawwab.Complaint{
		Channel:     r.Channel,
		Reporter:    d.Keys.Pseudonym(e164),
		ReportedAt:  r.At.UTC(),
		ReceivedAt:  now,
		SenderID:    MaskNumbers(sender),
		Text:        MaskNumbers(r.Text),
		Fingerprint: Fingerprint(body),
		Matches:     matches,
	}
	ev := bawwab.ComplaintEvent{At: now, Actor: DeskActor, LedgerIndex: -1}
	if len(matches) == 0 {
		c.Status = bawwab.ComplaintUnmatched
		ev.Action = bawwab.ComplaintActionUnmatched
		ev.Reason = fmt.Sprintf("no message delivered to the subscriber between %s and %s matches the report",
			r.At.Add(-d.Config.withDefaults().Window).UTC().Format(time.RFC3339), r.At.Add(d.Config.withDefaults().Slack).UTC().Format(time.RFC3339))
	} else {
		best := entries[0]
		c.Status = bawwab.ComplaintOpen
		c.ProviderID, c.AdvertiserID, c.OperatorID = best.ProviderID, best.AdvertiserID, best.OperatorID
		if c.SenderID == "" {
			c.SenderID = best.SenderID
		}
		ev.Action = bawwab.ComplaintActionOpened
		ev.Reason = fmt.Sprintf("matched ledger entry %s (similarity %.2f, sender %s, delivered %s)",
			entryRef(matches[0].Origin, matches[0].Index), matches[0].Score, best.SenderID, best.Time.UTC().Format(time.RFC3339))
	}
	c.Events = []bawwab.ComplaintEvent{ev}
	if err := d.Store.CreateComplaint(ctx, c); err != nil {
		return nil, fmt.Errorf("record complaint: %w", err)
	}
	if err := d.appendPending(ctx, c); err != nil {
		// The case is recorded; its step stays pending for Run.
		d.logger().Error("complaint: ledger append failed; the step stays pending", "case", c.ID, "err", err)
	}
	return c, nil
}

func entryRef(origin string, index int64) string {
	if origin == "" {
		return strconv.FormatInt(index, 10)
	}
	return origin + ":" + strconv.FormatInt(index, 10)
}

// match finds the deliveries to the subscriber in the window whose text
// matches the report, best first, with their entries.
func (d *Desk) match(ctx context.Context, e164, sender, body, raw string, at time.Time) ([]bawwab.ComplaintMatch, []*bawwab.LedgerEntry, error) {
	cfg := d.Config.withDefaults()
	ps := d.Keys.Pseudonyms(e164)
	dels, err := d.Store.FindDeliveries(ctx, ps, at.Add(-cfg.Window), at.Add(cfg.Slack), 1000)
	if err != nil {
		return nil, nil, err
	}
	var f Fingerprinter
	report := f.fullSketch(body, nil)
	rawKey := senderKey(raw)
	wantSender := senderKey(sender)
	type cand struct {
		m      bawwab.ComplaintMatch
		e      *bawwab.LedgerEntry
		sender bool // the sender matches
		dist   time.Duration
	}
	var cands []cand
	var buf []uint16
	for _, del := range dels {
		var rd EntryReader = d.Ledger
		if del.Origin != d.Origin {
			rd = d.Readers[del.Origin]
		}
		if rd == nil {
			continue
		}
		e, err := rd.FindEntryByIndex(ctx, del.Index)
		if err != nil {
			return nil, nil, fmt.Errorf("read ledger entry %s: %w", entryRef(del.Origin, del.Index), err)
		}
		if e.Kind != bawwab.EntryDecision || e.Outcome == bawwab.Reject || !slices.Contains(ps, e.Recipient) {
			continue // the index is stale or wrong: trust only the ledger
		}
		var score float64
		if e.Text != "" {
			var msg sketch
			msg, buf = f.fullSketchInto(e.Text, buf)
			score = similarity(report, msg)
		} else {
			var fbuf [sketchK]uint16
			msg, ok := parseFingerprint(e.Fingerprint, fbuf[:])
			if !ok {
				continue
			}
			score = similarity(report, msg)
		}
		if score < cfg.Threshold {
			continue
		}
		same := false
		if wantSender != "" {
			same = senderKey(e.SenderID) == wantSender
		} else {
			same = headNames(rawKey, e.SenderID)
		}
		dist := e.Time.Sub(at)
		if dist < 0 {
			dist = -dist
		}
		cands = append(cands, cand{
			m: bawwab.ComplaintMatch{Origin: del.Origin, Index: e.Index, At: e.Time.UTC(), SenderID: e.SenderID,
				ProviderID: e.ProviderID, Score: float64(int(score*1000+0.5)) / 1000},
			e: e, sender: same, dist: dist,
		})
	}
	// A sender given by the subscriber, or named in the text, narrows the
	// matches to its messages when any of them matched.
	if slices.ContainsFunc(cands, func(c cand) bool { return c.sender }) {
		cands = slices.DeleteFunc(cands, func(c cand) bool { return !c.sender })
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.m.Score, a.m.Score), cmp.Compare(a.dist, b.dist), cmp.Compare(a.m.Index, b.m.Index))
	})
	if len(cands) > cfg.MaxMatches {
		cands = cands[:cfg.MaxMatches]
	}
	ms := make([]bawwab.ComplaintMatch, len(cands))
	es := make([]*bawwab.LedgerEntry, len(cands))
	for i, c := range cands {
		ms[i], es[i] = c.m, c.e
	}
	return ms, es, nil
}

// fullSketchInto is fullSketch reusing buf, which it returns grown.
func (f *Fingerprinter) fullSketchInto(text string, buf []uint16) (sketch, []uint16) {
	s := f.fullSketch(text, buf)
	return s, s.vals
}

// Confirm confirms an open case: it counts towards the provider's
// measures. Only a regulator or an operator decides, and says why.
func (d *Desk) Confirm(ctx context.Context, id int64, actor bawwab.Actor, reason string) (*bawwab.Complaint, error) {
	return d.Decide(ctx, id, bawwab.ComplaintConfirmed, actor, reason)
}

// Dismiss dismisses an open case.
func (d *Desk) Dismiss(ctx context.Context, id int64, actor bawwab.Actor, reason string) (*bawwab.Complaint, error) {
	return d.Decide(ctx, id, bawwab.ComplaintDismissed, actor, reason)
}

// Decide moves an open case to confirmed or dismissed, recording who and
// why in the store and the ledger.
func (d *Desk) Decide(ctx context.Context, id int64, to bawwab.ComplaintStatus, actor bawwab.Actor, reason string) (*bawwab.Complaint, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if !actor.MayDecideComplaints() {
		return nil, bawwab.Errorf(bawwab.EFORBIDDEN, "only a regulator or an operator decides a complaint (actor %s)", actor)
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, bawwab.InvalidField("reason", "missing: say why the case is %s", to)
	}
	action := bawwab.ComplaintActionConfirmed
	switch to {
	case bawwab.ComplaintConfirmed:
	case bawwab.ComplaintDismissed:
		action = bawwab.ComplaintActionDismissed
	default:
		return nil, bawwab.Errorf(bawwab.EINVALID, "a case is decided confirmed or dismissed, not %s", to)
	}
	ev := bawwab.ComplaintEvent{At: d.now(), Action: action, Actor: actor, Reason: MaskNumbers(reason), LedgerIndex: -1}
	c, err := d.Store.DecideComplaint(ctx, id, to, ev)
	if err != nil {
		return nil, err
	}
	if err := d.appendPending(ctx, c); err != nil {
		d.logger().Error("complaint: ledger append failed; the step stays pending", "case", c.ID, "err", err)
	}
	if to == bawwab.ComplaintConfirmed && d.OnConfirmed != nil {
		d.OnConfirmed(c)
	}
	return c, nil
}

// PendingGrace is how old a pending step must be before FlushPending
// appends it, so that it does not race the process that recorded it and
// is appending it itself.
const PendingGrace = 30 * time.Second

// FlushPending appends the ledger entries of the steps recorded in the
// store but not yet in the ledger, older than olderThan, and returns how
// many it appended. A desk without a ledger appends nothing.
func (d *Desk) FlushPending(ctx context.Context, olderThan time.Duration) (int, error) {
	if d.Ledger == nil {
		return 0, nil
	}
	total := 0
	cut := d.now().Add(-olderThan)
	for {
		cs, _, err := d.Store.FindComplaints(ctx, bawwab.ComplaintFilter{PendingLedger: true, Limit: 100})
		if err != nil {
			return total, err
		}
		progressed := 0
		for _, c := range slices.Backward(cs) { // oldest first
			before := countPending(c)
			if err := d.appendPendingBefore(ctx, c, cut); err != nil {
				return total, err
			}
			n := before - countPending(c)
			progressed += n
			total += n
		}
		if len(cs) < 100 || progressed == 0 {
			return total, nil
		}
	}
}

func countPending(c *bawwab.Complaint) int {
	n := 0
	for _, e := range c.Events {
		if e.LedgerIndex < 0 {
			n++
		}
	}
	return n
}

// Run appends the pending steps every interval (10 s when 0) until ctx is
// done.
func (d *Desk) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := d.FlushPending(ctx, PendingGrace); err != nil && ctx.Err() == nil {
				d.logger().Error("complaint: appending pending steps", "err", err)
			}
		}
	}
}

func (d *Desk) appendPending(ctx context.Context, c *bawwab.Complaint) error {
	return d.appendPendingBefore(ctx, c, time.Time{})
}

// appendPendingBefore appends the case's pending steps (those at or
// before cut, unless cut is zero), in order.
func (d *Desk) appendPendingBefore(ctx context.Context, c *bawwab.Complaint, cut time.Time) error {
	if d.Ledger == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range c.Events {
		ev := &c.Events[i]
		if ev.LedgerIndex >= 0 {
			continue
		}
		if !cut.IsZero() && ev.At.After(cut) {
			break
		}
		e := d.entry(c, i)
		idx, err := d.Ledger.Append(ctx, e)
		if err != nil {
			return err
		}
		if err := d.Store.SetComplaintEventLedgerIndex(ctx, ev.ID, d.Origin, idx); err != nil {
			return fmt.Errorf("record ledger index of case %d: %w", c.ID, err)
		}
		ev.Origin, ev.LedgerIndex = d.Origin, idx
	}
	return nil
}

// entry is the ledger entry of step i of a case (EntryComplaint): the
// case's provider, advertiser, operator and sender, the subscriber's
// pseudonym, who and why; its first step also carries the report's text
// (numbers masked) and fingerprint. Refs are the matched decision entries
// and the earlier steps, when in this ledger.
func (d *Desk) entry(c *bawwab.Complaint, i int) *bawwab.LedgerEntry {
	ev := c.Events[i]
	e := &bawwab.LedgerEntry{
		Kind:         bawwab.EntryComplaint,
		Time:         ev.At,
		Action:       ev.Action,
		ProviderID:   c.ProviderID,
		AdvertiserID: c.AdvertiserID,
		OperatorID:   c.OperatorID,
		SenderID:     c.SenderID,
		Recipient:    c.Reporter,
		Subject:      "complaint:" + strconv.FormatInt(c.ID, 10),
		Channel:      c.Channel,
		Actor:        ev.Actor.String(),
		Detail:       ev.Reason,
	}
	if len(c.Matches) > 0 {
		e.SenderID = c.Matches[0].SenderID
	}
	if i == 0 {
		e.Text = c.Text
		e.Fingerprint = c.Fingerprint
	}
	for _, m := range c.Matches {
		if m.Origin == d.Origin {
			e.Refs = append(e.Refs, m.Index)
		}
	}
	for _, prev := range c.Events[:i] {
		if prev.Origin == d.Origin && prev.LedgerIndex >= 0 {
			e.Refs = append(e.Refs, prev.LedgerIndex)
		}
	}
	slices.Sort(e.Refs)
	e.Refs = slices.Compact(e.Refs)
	return e
}

// Reply is the free SMS that acknowledges a report, in French and Arabic:
// the case number, and whether it was matched to a message delivered.
func Reply(c *bawwab.Complaint) string {
	if c.Status == bawwab.ComplaintUnmatched {
		return fmt.Sprintf("Signalement n° %d enregistré. Nous n'avons pas retrouvé ce message : indiquez l'expéditeur et l'heure sur le site. "+
			"تم تسجيل البلاغ رقم %d. لم نجد هذه الرسالة: المرجو ذكر المرسل والوقت على الموقع.", c.ID, c.ID)
	}
	return fmt.Sprintf("Signalement n° %d enregistré contre l'expéditeur %s. Merci. تم تسجيل البلاغ رقم %d ضد المرسل %s. شكرا.",
		c.ID, c.SenderID, c.ID, c.SenderID)
}
