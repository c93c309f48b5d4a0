package bawwab

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ScopeKind says what an opposition covers.
type ScopeKind uint8

const (
	// ScopeNational covers all commercial SMS, from anyone.
	ScopeNational ScopeKind = iota
	// ScopeProvider covers every advertiser of one provider.
	ScopeProvider
	// ScopeAdvertiser covers one advertiser, whatever provider carries it.
	ScopeAdvertiser
)

// Scope is the reach of an opposition: national, or one provider, or one
// advertiser. Its text form is "national", "provider:ID" or "advertiser:ID".
type Scope struct {
	Kind ScopeKind
	ID   string // empty for ScopeNational
}

// NationalScope is the scope of a STOP ALL.
var NationalScope = Scope{Kind: ScopeNational}

func (s Scope) String() string {
	switch s.Kind {
	case ScopeNational:
		return "national"
	case ScopeProvider:
		return "provider:" + s.ID
	case ScopeAdvertiser:
		return "advertiser:" + s.ID
	}
	return fmt.Sprintf("scope(%d):%s", s.Kind, s.ID)
}

// ParseScope reads the text form of a scope.
func ParseScope(s string) (Scope, error) {
	if s == "national" {
		return NationalScope, nil
	}
	kind, id, ok := strings.Cut(s, ":")
	if ok && id != "" {
		switch kind {
		case "provider":
			return Scope{Kind: ScopeProvider, ID: id}, nil
		case "advertiser":
			return Scope{Kind: ScopeAdvertiser, ID: id}, nil
		}
	}
	return Scope{}, Errorf(EINVALID, "invalid scope %q (want national, provider:ID or advertiser:ID)", s)
}

func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Scope) UnmarshalText(b []byte) error {
	v, err := ParseScope(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// OppositionAction is a STOP or a START.
type OppositionAction uint8

const (
	ActionStop OppositionAction = iota
	ActionStart
)

func (a OppositionAction) String() string {
	if a == ActionStart {
		return "start"
	}
	return "stop"
}

// ParseOppositionAction reads stop or start.
func ParseOppositionAction(s string) (OppositionAction, error) {
	switch s {
	case "stop":
		return ActionStop, nil
	case "start":
		return ActionStart, nil
	}
	return 0, Errorf(EINVALID, "unknown action %q (want stop or start)", s)
}

func (a OppositionAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func (a *OppositionAction) UnmarshalText(b []byte) error {
	v, err := ParseOppositionAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Opposition is one event of the opposition register: a recipient said STOP
// (or START) to a scope, at a time, through a channel. Events are never
// overwritten: the state of a number is the last event per scope.
type Opposition struct {
	// Seq is the change sequence number the store assigned.
	Seq    int64            `json:"seq"`
	MSISDN string           `json:"msisdn"` // E.164, "+212612345678"
	Scope  Scope            `json:"scope"`
	Action OppositionAction `json:"action"`
	At     time.Time        `json:"at"`
	// Channel is how it arrived: a short code ("3030"), "web", "import",
	// "api".
	Channel string `json:"channel"`
}

// Consent records that a recipient may receive an advertiser's commercial
// messages (law 09-08 art. 10): a prior consent or an existing customer
// relationship.
type Consent struct {
	Seq          int64      `json:"seq"`
	MSISDN       string     `json:"msisdn"`
	AdvertiserID string     `json:"advertiser_id"`
	Basis        LegalBasis `json:"basis"`
	At           time.Time  `json:"at"`
	Channel      string     `json:"channel"` // where it was given: "web", "shop", "import"...
	// EvidenceHash is the hash of the proof kept by the advertiser (a form,
	// a recording), so that it can be checked without being stored here:
	// "sha256:" and the hex digest.
	EvidenceHash string `json:"evidence_hash,omitempty"`
	// Lapsed is set when the number was reassigned after the consent. The
	// stores compute it from the number events; it is not stored.
	Lapsed bool `json:"lapsed,omitempty"`
}

// NumberEventKind is a change in the life of a number reported by an
// operator.
type NumberEventKind uint8

const (
	// NumberReassigned: the number now belongs to a new subscriber; the
	// consents of the previous holder lapse, oppositions stay.
	NumberReassigned NumberEventKind = iota
	// NumberPorted: the number moved to another operator.
	NumberPorted
)

func (k NumberEventKind) String() string {
	if k == NumberPorted {
		return "ported"
	}
	return "reassigned"
}

// ParseNumberEventKind reads reassigned or ported.
func ParseNumberEventKind(s string) (NumberEventKind, error) {
	switch s {
	case "reassigned":
		return NumberReassigned, nil
	case "ported":
		return NumberPorted, nil
	}
	return 0, Errorf(EINVALID, "unknown number event %q (want reassigned or ported)", s)
}

// NumberEvent is an operator's report about a number.
type NumberEvent struct {
	Seq    int64           `json:"seq"`
	MSISDN string          `json:"msisdn"`
	Kind   NumberEventKind `json:"kind"`
	// OperatorID is the operator now holding the number (for NumberPorted)
	// or reporting the reassignment.
	OperatorID string    `json:"operator_id,omitempty"`
	At         time.Time `json:"at"`
}

func (k NumberEventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *NumberEventKind) UnmarshalText(b []byte) error {
	v, err := ParseNumberEventKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

func (Opposition) RecordKind() RecordKind  { return KindOpposition }
func (Consent) RecordKind() RecordKind     { return KindConsent }
func (NumberEvent) RecordKind() RecordKind { return KindNumberEvent }

// Key implements Record: events are keyed by their change sequence number.
func (o Opposition) Key() string  { return strconv.FormatInt(o.Seq, 10) }
func (c Consent) Key() string     { return strconv.FormatInt(c.Seq, 10) }
func (e NumberEvent) Key() string { return strconv.FormatInt(e.Seq, 10) }

// ValidMSISDN reports whether s is a number in the E.164 form the stores
// keep: '+', then 8 to 15 digits, the first not 0. Turning what people type
// into this form is the msisdn package's job.
func ValidMSISDN(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func checkMSISDN(s string) error {
	if s == "" {
		return InvalidField("msisdn", "missing")
	}
	if !ValidMSISDN(s) {
		return InvalidField("msisdn", "not an E.164 number (+ and 8 to 15 digits)")
	}
	return nil
}

// Validate checks the scope on its own.
func (s Scope) Validate() error {
	switch s.Kind {
	case ScopeNational:
		if s.ID != "" {
			return InvalidField("scope", "the national scope has no ID")
		}
		return nil
	case ScopeProvider, ScopeAdvertiser:
		if !ValidKey(s.ID) {
			return InvalidField("scope", "%q is not a valid ID (1 to %d of a-z 0-9, then also . _ -)", s.ID, MaxKeyLen)
		}
		return nil
	}
	return InvalidField("scope", "unknown scope kind %d", s.Kind)
}

// Validate implements Record. The number is not echoed in the error: it is
// personal data, and errors end up in logs.
func (o Opposition) Validate() error {
	if err := checkMSISDN(o.MSISDN); err != nil {
		return err
	}
	if err := o.Scope.Validate(); err != nil {
		return err
	}
	if o.Action > ActionStart {
		return InvalidField("action", "unknown action %d", o.Action)
	}
	if o.At.IsZero() {
		return InvalidField("at", "missing")
	}
	return checkText("channel", o.Channel, 64)
}

// Validate implements Record.
func (c Consent) Validate() error {
	if err := checkMSISDN(c.MSISDN); err != nil {
		return err
	}
	if err := checkKey("advertiser_id", c.AdvertiserID); err != nil {
		return err
	}
	if c.Basis > BasisCustomer {
		return InvalidField("basis", "unknown legal basis %d", c.Basis)
	}
	if c.At.IsZero() {
		return InvalidField("at", "missing")
	}
	if err := checkText("channel", c.Channel, 64); err != nil {
		return err
	}
	if c.EvidenceHash != "" {
		alg, digest, ok := strings.Cut(c.EvidenceHash, ":")
		if !ok || !ValidKey(alg) || len(digest) < 32 || len(digest) > 128 || !isHex(digest) {
			return InvalidField("evidence_hash", "want ALGORITHM:HEXDIGEST, such as sha256:9f86d0...")
		}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// Validate implements Record. A port names the operator the number moved to.
func (e NumberEvent) Validate() error {
	if err := checkMSISDN(e.MSISDN); err != nil {
		return err
	}
	if e.Kind > NumberPorted {
		return InvalidField("kind", "unknown number event %d", e.Kind)
	}
	if err := checkOptionalKey("operator_id", e.OperatorID); err != nil {
		return err
	}
	if e.Kind == NumberPorted && e.OperatorID == "" {
		return InvalidField("operator_id", "missing (the operator the number moved to)")
	}
	if e.At.IsZero() {
		return InvalidField("at", "missing")
	}
	return nil
}

// FoldOppositions returns the current state of one number towards one
// scope from its events, in sequence order: the last event decides. When it
// is a STOP, the result is in force since the first STOP after the last
// START, and carries that STOP's time and channel; when it is a START, the
// result is that START. The result's Seq is the last event's. ok is false
// when there are no events.
func FoldOppositions(events []Opposition) (state Opposition, ok bool) {
	if len(events) == 0 {
		return Opposition{}, false
	}
	last := events[len(events)-1]
	state = last
	if last.Action == ActionStop {
		for i := len(events) - 1; i >= 0 && events[i].Action == ActionStop; i-- {
			state.At, state.Channel = events[i].At, events[i].Channel
		}
	}
	state.Seq = last.Seq
	return state, true
}

// OppositionsInForce returns the oppositions in force among the events of
// one number (any scopes, any order), one per scope, sorted by scope.
func OppositionsInForce(events []Opposition) []Opposition {
	sorted := slices.Clone(events)
	slices.SortFunc(sorted, func(a, b Opposition) int {
		return cmp.Or(cmpScope(a.Scope, b.Scope), cmp.Compare(a.Seq, b.Seq))
	})
	var out []Opposition
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].Scope == sorted[i].Scope {
			j++
		}
		if st, _ := FoldOppositions(sorted[i:j]); st.Action == ActionStop {
			out = append(out, st)
		}
		i = j
	}
	return out
}

func cmpScope(a, b Scope) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), strings.Compare(a.ID, b.ID))
}
