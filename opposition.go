package bawwab

import (
	"fmt"
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
	Seq    int64
	MSISDN string // E.164, "+212612345678"
	Scope  Scope
	Action OppositionAction
	At     time.Time
	// Channel is how it arrived: a short code ("3030"), "web", "import",
	// "api".
	Channel string
}

// Consent records that a recipient may receive an advertiser's commercial
// messages (law 09-08 art. 10): a prior consent or an existing customer
// relationship.
type Consent struct {
	Seq          int64
	MSISDN       string
	AdvertiserID string
	Basis        LegalBasis
	At           time.Time
	Channel      string // where it was given: "web", "shop", "import"...
	// EvidenceHash is the hash of the proof kept by the advertiser (a form,
	// a recording), so that it can be checked without being stored here.
	EvidenceHash string
	// Lapsed is set when the number was reassigned after the consent.
	Lapsed bool
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
	Seq    int64
	MSISDN string
	Kind   NumberEventKind
	// OperatorID is the operator now holding the number (for NumberPorted)
	// or reporting the reassignment.
	OperatorID string
	At         time.Time
}
