package bawwab

import (
	"context"
	"fmt"
	"time"
)

// A subscriber reports an unwanted SMS by forwarding it to the complaint
// short code or through the web form (RULES.md, "Complaints and
// sanctions"). The report is matched to the ledger's record of the
// delivered message — by the subscriber's pseudonym, a time window, the
// sender ID and a content fingerprint — and becomes a case against the
// provider that sent it, which a regulator (or the operator) confirms or
// dismisses. The case records hold no subscriber number: the number is
// needed only to compute its pseudonyms, and numbers in the reported text
// are masked.

// ComplaintStatus is where a case stands.
type ComplaintStatus uint8

const (
	// ComplaintUnmatched: no delivered message matched the report; it is
	// kept, and counted, but no provider is blamed.
	ComplaintUnmatched ComplaintStatus = iota
	// ComplaintOpen: matched to a delivered message, awaiting a decision.
	ComplaintOpen
	// ComplaintConfirmed: a regulator or the operator confirmed it; it
	// counts towards the provider's measures.
	ComplaintConfirmed
	// ComplaintDismissed: a regulator or the operator dismissed it.
	ComplaintDismissed
)

var complaintStatusNames = [...]string{"unmatched", "open", "confirmed", "dismissed"}

func (s ComplaintStatus) String() string {
	if int(s) < len(complaintStatusNames) {
		return complaintStatusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// ParseComplaintStatus reads unmatched, open, confirmed or dismissed.
func ParseComplaintStatus(s string) (ComplaintStatus, error) {
	for i, n := range complaintStatusNames {
		if n == s {
			return ComplaintStatus(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown complaint status %q (want unmatched, open, confirmed or dismissed)", s)
}

func (s ComplaintStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *ComplaintStatus) UnmarshalText(b []byte) error {
	v, err := ParseComplaintStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// The Actions of the complaint entries of the ledger (EntryComplaint).
const (
	ComplaintActionOpened    = "opened"    // a report matched: a case opens against the provider
	ComplaintActionUnmatched = "unmatched" // a report matched nothing
	ComplaintActionConfirmed = "confirmed"
	ComplaintActionDismissed = "dismissed"
)

// Complaint is a case: a subscriber's report and what became of it.
type Complaint struct {
	ID     int64           `json:"id"`
	Status ComplaintStatus `json:"status"`
	// Channel is how the report arrived: the complaint short code it was
	// forwarded to ("3300"), "web" or "api".
	Channel string `json:"channel"`
	// Reporter is the subscriber's pseudonym under the ledger's current
	// key: an inspector who knows the number finds the case, nobody else
	// learns it.
	Reporter Pseudonym `json:"reporter"`
	// ReportedAt is when the subscriber received the message, as far as
	// known (the time of the forward, or the time given on the form);
	// ReceivedAt when the report reached Bawwab.
	ReportedAt time.Time `json:"reported_at"`
	ReceivedAt time.Time `json:"received_at"`
	// SenderID is the sender as the subscriber gave it or as found in the
	// forwarded text ("De: ATLASMKT"); "" when unknown.
	SenderID string `json:"sender_id,omitempty"`
	// Text is the reported text with every phone number in it masked.
	Text string `json:"text"`
	// Fingerprint is the text's content fingerprint (complaint.Fingerprint).
	Fingerprint []byte `json:"fingerprint,omitempty"`
	// Of the matched message, the one the case is against.
	ProviderID   string `json:"provider_id,omitempty"`
	AdvertiserID string `json:"advertiser_id,omitempty"`
	OperatorID   string `json:"operator_id,omitempty"`
	// Matches are the delivered messages that matched, best first (the
	// first is the one the case is against).
	Matches []ComplaintMatch `json:"matches,omitempty"`
	// Events is the case's history, oldest first: opened or unmatched,
	// then confirmed or dismissed.
	Events []ComplaintEvent `json:"events"`
}

// ComplaintMatch is a decision entry of the ledger a report matched.
type ComplaintMatch struct {
	Origin     string    `json:"origin,omitempty"` // the ledger (node) holding the entry
	Index      int64     `json:"index"`
	At         time.Time `json:"at"`
	SenderID   string    `json:"sender_id,omitempty"`
	ProviderID string    `json:"provider_id,omitempty"`
	// Score is the content similarity (0 to 1) with the sender's bonus.
	Score float64 `json:"score"`
}

// ComplaintEvent is one step of a case, with who took it and why.
type ComplaintEvent struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Action string    `json:"action"` // a ComplaintAction constant
	Actor  Actor     `json:"actor"`
	Reason string    `json:"reason,omitempty"`
	// Origin and LedgerIndex locate the event's ledger entry; LedgerIndex
	// is -1 until it is appended (see ComplaintService).
	Origin      string `json:"origin,omitempty"`
	LedgerIndex int64  `json:"ledger_index"`
}

// Validate checks a new case.
func (c *Complaint) Validate() error {
	if c.Status > ComplaintDismissed {
		return InvalidField("status", "unknown status %d", c.Status)
	}
	if err := checkText("channel", c.Channel, 64); err != nil {
		return err
	}
	if c.Reporter.IsZero() {
		return InvalidField("reporter", "missing (the subscriber's pseudonym)")
	}
	if c.ReportedAt.IsZero() {
		return InvalidField("reported_at", "missing")
	}
	if c.ReceivedAt.IsZero() {
		return InvalidField("received_at", "missing")
	}
	if len(c.SenderID) > 64 {
		return InvalidField("sender_id", "longer than 64 bytes")
	}
	if len(c.Text) > 4000 {
		return InvalidField("text", "longer than 4000 bytes")
	}
	if len(c.Fingerprint) > 64 {
		return InvalidField("fingerprint", "longer than 64 bytes")
	}
	if (c.Status == ComplaintUnmatched) != (len(c.Matches) == 0) {
		return InvalidField("matches", "an unmatched case has no match, a matched one at least one")
	}
	if c.Status != ComplaintUnmatched {
		if err := checkKey("provider_id", c.ProviderID); err != nil {
			return err
		}
	}
	if len(c.Events) == 0 {
		return InvalidField("events", "missing (the case's first step)")
	}
	for _, e := range c.Events {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks an event.
func (e *ComplaintEvent) Validate() error {
	switch e.Action {
	case ComplaintActionOpened, ComplaintActionUnmatched, ComplaintActionConfirmed, ComplaintActionDismissed:
	default:
		return InvalidField("action", "unknown complaint action %q", e.Action)
	}
	if e.At.IsZero() {
		return InvalidField("at", "missing")
	}
	if err := e.Actor.Validate(); err != nil {
		return err
	}
	return checkOptionalText("reason", e.Reason, 2000)
}

// ComplaintFilter selects cases, newest first.
type ComplaintFilter struct {
	ID         *int64
	Status     *ComplaintStatus
	ProviderID *string
	OperatorID *string
	// Reporters selects the cases of a subscriber (its pseudonyms under
	// every key).
	Reporters []Pseudonym
	// Since and Before bound ReceivedAt, [Since, Before).
	Since, Before time.Time
	// DecidedSince selects the cases confirmed or dismissed at or after
	// this time.
	DecidedSince time.Time
	// PendingLedger selects the cases with an event whose ledger entry is
	// not appended yet.
	PendingLedger bool
	Offset, Limit int
}

// Delivery is a message that reached a subscriber, as the complaint desk
// looks it up: the decision entry's place in the ledger, its time and the
// recipient's pseudonym. The report feeder (package report) indexes every
// accepted or deferred decision entry; the index is derived from the
// ledger and rebuilt with it.
type Delivery struct {
	Origin    string
	Index     int64
	Time      time.Time
	Recipient Pseudonym
}

// ComplaintService keeps cases and looks up deliveries for matching.
//
// A case's events are recorded in the store first, where they take effect,
// and their ledger entries appended after (LedgerIndex -1 until then): the
// complaint desk appends the pending ones, so that every step is in the
// ledger even after a crash in between, and a console or a command that
// cannot write to the ledger (the gateway holds it) still decides cases.
//
// In a provider's context, only the cases against the provider are
// visible, and deciding is EFORBIDDEN.
type ComplaintService interface {
	// CreateComplaint records a new case with its first event (setting
	// the IDs, and LedgerIndex to -1 unless set).
	CreateComplaint(ctx context.Context, c *Complaint) error
	FindComplaintByID(ctx context.Context, id int64) (*Complaint, error)
	// FindComplaints returns a page of cases, newest first, and their
	// number.
	FindComplaints(ctx context.Context, f ComplaintFilter) ([]*Complaint, int, error)
	// DecideComplaint moves an open case to confirmed or dismissed,
	// recording ev (setting its ID); ECONFLICT when the case is not open.
	// Only a regulator or an operator decides (EFORBIDDEN otherwise).
	DecideComplaint(ctx context.Context, id int64, to ComplaintStatus, ev ComplaintEvent) (*Complaint, error)
	// SetComplaintEventLedgerIndex records where an event's ledger entry
	// was appended.
	SetComplaintEventLedgerIndex(ctx context.Context, eventID int64, origin string, index int64) error
	// FindDeliveries returns the deliveries to any of the recipients
	// (one subscriber's pseudonyms under every key) in [since, before),
	// oldest first, at most limit (0: 1000).
	FindDeliveries(ctx context.Context, recipients []Pseudonym, since, before time.Time, limit int) ([]Delivery, error)
}

// MayDecideComplaints reports whether an actor may confirm or dismiss a
// case: a regulator, or an operator's staff.
func (a Actor) MayDecideComplaints() bool { return a.Role == RoleRegulator || a.Role == RoleOperator }
