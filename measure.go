package bawwab

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/url"
	"strings"
	"time"
)

// Control by the regulators (RULES.md, "Complaints and sanctions"): the
// violations of each provider are counted, and thresholds raise graduated
// measures — a warning, throttling, a suspension — each recorded with who,
// when and why, in the store (so that every gateway node applies it) and in
// the ledger (so that it cannot be denied), and notified to the provider.
// Only a regulator lifts a measure.

// Role is what an actor may do. Roles come from the account a person
// authenticates with, never from what a request claims: the web console
// maps each console account to one role; the command line, run by whoever
// holds the store's credentials, takes the role from --role; the gateway's
// automatic measures act as RoleSystem.
type Role uint8

const (
	// RoleSystem is Bawwab itself: the sanction monitor raising a measure
	// when a threshold is crossed, the complaint desk matching a report.
	RoleSystem Role = iota
	// RoleRegulator is the CNDP or the ANRT: sees everything, decides
	// complaints, lifts measures.
	RoleRegulator
	// RoleOperator is an operator's staff: sees its network, decides
	// complaints about it.
	RoleOperator
	// RoleProvider is a provider's user: sees its own traffic, its cases
	// and its measures.
	RoleProvider
)

var roleNames = [...]string{"system", "regulator", "operator", "provider"}

func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", r)
}

// ParseRole reads system, regulator, operator or provider.
func ParseRole(s string) (Role, error) {
	for i, n := range roleNames {
		if n == s {
			return Role(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown role %q (want regulator, operator, provider or system)", s)
}

func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Actor is who did something the ledger records: a name ("anrt:k.benali",
// "bawwab-sanctions") and the role it acted in. Its text form, as written
// in the ledger's Actor field, is "ROLE:NAME".
type Actor struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
}

// SystemActor is Bawwab acting on its own.
var SystemActor = Actor{Name: "bawwab", Role: RoleSystem}

func (a Actor) String() string { return a.Role.String() + ":" + a.Name }

// ParseActor reads the text form "ROLE:NAME".
func ParseActor(s string) (Actor, error) {
	role, name, ok := strings.Cut(s, ":")
	if !ok {
		return Actor{}, Errorf(EINVALID, "invalid actor %q (want ROLE:NAME, such as regulator:anrt.kbenali)", s)
	}
	r, err := ParseRole(role)
	if err != nil {
		return Actor{}, err
	}
	a := Actor{Name: name, Role: r}
	return a, a.Validate()
}

// Validate checks the actor's name: 1 to 100 printable characters.
func (a Actor) Validate() error {
	if int(a.Role) >= len(roleNames) {
		return InvalidField("actor", "unknown role %d", a.Role)
	}
	return checkText("actor", a.Name, 100)
}

// MeasureKind is a graduated measure against a provider, weakest first.
type MeasureKind uint8

const (
	// MeasureWarning tells the provider it is close to a sanction.
	MeasureWarning MeasureKind = 1 + iota
	// MeasureThrottle caps the provider's submissions per second.
	MeasureThrottle
	// MeasureSuspension blocks the provider's traffic on every node.
	MeasureSuspension
)

var measureKindNames = [...]string{"", "warning", "throttle", "suspension"}

func (k MeasureKind) String() string {
	if k > 0 && int(k) < len(measureKindNames) {
		return measureKindNames[k]
	}
	return fmt.Sprintf("measure(%d)", k)
}

// Valid reports whether k is a known measure.
func (k MeasureKind) Valid() bool { return k >= MeasureWarning && k <= MeasureSuspension }

// ParseMeasureKind reads warning, throttle or suspension.
func ParseMeasureKind(s string) (MeasureKind, error) {
	for i, n := range measureKindNames {
		if i > 0 && n == s {
			return MeasureKind(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown measure %q (want warning, throttle or suspension)", s)
}

func (k MeasureKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *MeasureKind) UnmarshalText(b []byte) error {
	v, err := ParseMeasureKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// LedgerAction is the Action of the measure's ledger entry (EntryMeasure):
// "warning", "throttle" or "suspend".
func (k MeasureKind) LedgerAction() string {
	switch k {
	case MeasureWarning:
		return "warning"
	case MeasureThrottle:
		return "throttle"
	case MeasureSuspension:
		return "suspend"
	}
	return k.String()
}

// LiftAction is the Action of the ledger entry that lifts a measure.
const LiftAction = "lift"

// ProviderStatus is the status a provider under the measure has.
func (k MeasureKind) ProviderStatus() ProviderStatus {
	switch k {
	case MeasureWarning:
		return ProviderWarned
	case MeasureThrottle:
		return ProviderThrottled
	case MeasureSuspension:
		return ProviderSuspended
	}
	return ProviderActive
}

// Measure is a measure against a provider, raised by a threshold (Rule set)
// or by a person, in force until a regulator lifts it.
type Measure struct {
	ID         int64       `json:"id"`
	ProviderID string      `json:"provider_id"`
	Kind       MeasureKind `json:"kind"`
	// Rule is the threshold rule that raised the measure ("" for a measure
	// taken by a person); Count what it counted in Window, and Volume the
	// provider's commercial submissions in that window (for rules on a
	// share of the traffic).
	Rule   string        `json:"rule,omitempty"`
	Count  int64         `json:"count,omitempty"`
	Volume int64         `json:"volume,omitempty"`
	Window time.Duration `json:"window,omitempty"`
	// Rate is the cap of a throttle, in messages per second.
	Rate   float64   `json:"rate,omitempty"`
	At     time.Time `json:"at"`
	Actor  Actor     `json:"actor"`
	Reason string    `json:"reason"` // why, for the provider and the inspectors
	// Refs are ledger entries that justify the measure (the confirmed
	// complaints, the last refused submissions), of the ledger Origin.
	Refs []int64 `json:"refs,omitempty"`
	// Origin and LedgerIndex locate the measure's ledger entry; LedgerIndex
	// is -1 until the entry is appended (see MeasureService).
	Origin      string `json:"origin,omitempty"`
	LedgerIndex int64  `json:"ledger_index"`

	// Set when a regulator lifted the measure.
	LiftedAt        time.Time `json:"lifted_at,omitzero"`
	LiftedBy        Actor     `json:"lifted_by,omitzero"`
	LiftReason      string    `json:"lift_reason,omitempty"`
	LiftOrigin      string    `json:"lift_origin,omitempty"`
	LiftLedgerIndex int64     `json:"lift_ledger_index"`
}

// Active reports whether the measure is in force.
func (m *Measure) Active() bool { return m.LiftedAt.IsZero() }

// Validate checks a new measure.
func (m *Measure) Validate() error {
	if err := checkKey("provider_id", m.ProviderID); err != nil {
		return err
	}
	if !m.Kind.Valid() {
		return InvalidField("kind", "unknown measure %d", m.Kind)
	}
	if m.Kind == MeasureThrottle && (m.Rate <= 0 || math.IsInf(m.Rate, 0) || math.IsNaN(m.Rate)) {
		return InvalidField("rate", "a throttle needs a positive rate (messages per second)")
	}
	if m.Kind != MeasureThrottle && m.Rate != 0 {
		return InvalidField("rate", "only a throttle has a rate")
	}
	if m.At.IsZero() {
		return InvalidField("at", "missing")
	}
	if err := m.Actor.Validate(); err != nil {
		return err
	}
	if err := checkText("reason", m.Reason, 2000); err != nil {
		return err
	}
	if err := checkOptionalText("rule", m.Rule, 100); err != nil {
		return err
	}
	if m.Count < 0 || m.Volume < 0 || m.Window < 0 {
		return InvalidField("count", "negative")
	}
	return nil
}

// Notification is what a provider is told of a measure: kept in the store
// for the console and the API, and posted to the provider's webhook when
// it has one.
type Notification struct {
	ID         int64     `json:"id"`
	ProviderID string    `json:"provider_id"`
	MeasureID  int64     `json:"measure_id"`
	At         time.Time `json:"at"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	// Webhook is the URL the notification is posted to ("" when the
	// provider has none); DeliveredAt is set once it answered 2xx.
	Webhook     string    `json:"webhook,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	Attempts    int       `json:"attempts,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
}

// MeasureFilter selects measures, newest first.
type MeasureFilter struct {
	ID         *int64
	ProviderID *string
	Active     *bool
	Kind       *MeasureKind
	// Since and Before bound the measure's time, [Since, Before).
	Since, Before time.Time
	// LiftedSince selects the measures lifted at or after this time.
	LiftedSince time.Time
	// PendingLedger selects the measures (or lifts) whose ledger entry is
	// not appended yet.
	PendingLedger bool
	Offset, Limit int
}

// NotificationFilter selects notifications, newest first.
type NotificationFilter struct {
	ProviderID *string
	MeasureID  *int64
	// Undelivered selects the notifications with a webhook not yet
	// delivered.
	Undelivered   bool
	Offset, Limit int
}

// MeasureService keeps measures, the notifications of providers and their
// webhooks. Taking or lifting a measure sets the provider's status in the
// same transaction, through the registry, so that the change feed carries
// it to every gateway node: a suspension takes effect on each node's next
// submission. A provider's status under measures is the strongest measure
// in force (warned, throttled, suspended), or active when none is; a
// withdrawn provider stays withdrawn.
//
// The ledger entry of a measure (and of its lift) is appended after the
// store records it: the store is where the decision takes effect, and a
// record whose ledger entry is not appended yet (LedgerIndex -1) is
// pending, appended by whoever holds the ledger (the sanction monitor's
// loop, or the command that took the measure) — an outbox, so that no
// measure is ever missing from the ledger, even after a crash in between.
//
// In a provider's context, only its own measures and notifications are
// visible, it may set its own webhook, and taking or lifting a measure is
// EFORBIDDEN.
type MeasureService interface {
	// CreateMeasure records m (setting m.ID, and m.LedgerIndex to -1 unless
	// set), sets the provider's status and records n (setting its ID,
	// MeasureID and Webhook), in one transaction.
	CreateMeasure(ctx context.Context, m *Measure, n *Notification) error
	// LiftMeasure lifts an active measure (ECONFLICT when it is not), sets
	// the provider's status from the measures still in force and records
	// n, in one transaction. Only a regulator lifts (EFORBIDDEN otherwise).
	LiftMeasure(ctx context.Context, id int64, at time.Time, by Actor, reason string, n *Notification) (*Measure, error)
	FindMeasureByID(ctx context.Context, id int64) (*Measure, error)
	// FindMeasures returns a page of measures, newest first, and their
	// number.
	FindMeasures(ctx context.Context, f MeasureFilter) ([]*Measure, int, error)
	// SetMeasureLedgerIndex records where the ledger entry of a measure
	// (lift false) or of its lift (lift true) was appended.
	SetMeasureLedgerIndex(ctx context.Context, id int64, lift bool, origin string, index int64) error

	FindNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, int, error)
	// MarkNotification records an attempt to post a notification to its
	// webhook: delivered (a non-zero time) or the error.
	MarkNotification(ctx context.Context, id int64, deliveredAt time.Time, lastErr string) error
	// SetWebhook sets (or, with "", removes) the URL a provider's
	// notifications are posted to: https, or http to a loopback address.
	SetWebhook(ctx context.Context, providerID, url string) error
	// FindWebhook returns a provider's webhook URL, or ENOTFOUND.
	FindWebhook(ctx context.Context, providerID string) (string, error)
}

// ValidWebhook checks a webhook URL: https, or http to a loopback address
// (a relay on the provider's own host, and tests), with a host, at most
// 2000 characters. "" (no webhook) is valid.
func ValidWebhook(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > 2000 {
		return InvalidField("webhook", "longer than 2000 characters")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return InvalidField("webhook", "not an absolute URL without credentials")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return nil
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			return nil
		}
		return InvalidField("webhook", "http only to a loopback address; use https")
	}
	return InvalidField("webhook", "scheme %q (want https)", u.Scheme)
}
