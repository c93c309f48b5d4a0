package bawwab

import (
	"fmt"
	"time"
)

// Registry records are keyed by short, stable, lower-case identifiers chosen
// by whoever declares them ("iam", "atlasvas", "atlas-market"): they appear
// in CSV files, the ledger, the API and the logs, where a readable key beats
// a surrogate number.

// Operator is a mobile network operator: IAM, Orange or inwi.
type Operator struct {
	ID   string // "iam", "orange", "inwi"
	Name string // "Maroc Telecom"
}

// ProviderStatus is where a VAS provider stands with the regulators.
type ProviderStatus uint8

const (
	ProviderActive ProviderStatus = iota
	ProviderWarned
	ProviderThrottled
	ProviderSuspended
	ProviderWithdrawn
)

var providerStatusNames = [...]string{"active", "warned", "throttled", "suspended", "withdrawn"}

func (s ProviderStatus) String() string {
	if int(s) < len(providerStatusNames) {
		return providerStatusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// ParseProviderStatus reads one of active, warned, throttled, suspended,
// withdrawn.
func ParseProviderStatus(s string) (ProviderStatus, error) {
	for i, n := range providerStatusNames {
		if n == s {
			return ProviderStatus(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown provider status %q (want one of active, warned, throttled, suspended, withdrawn)", s)
}

func (s ProviderStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *ProviderStatus) UnmarshalText(b []byte) error {
	v, err := ParseProviderStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MaySend reports whether a provider in this status may submit traffic.
func (s ProviderStatus) MaySend() bool { return s <= ProviderThrottled }

// Provider is a value-added-service provider declared to the ANRT, or an
// operator acting as the sender of its own marketing.
type Provider struct {
	ID              string
	Name            string // legal name
	ANRTDeclaration string // declaration number
	DeclaredAt      time.Time
	Status          ProviderStatus
	// OperatorID is set when the provider is an operator's own marketing
	// account: it may then reach only that operator's subscribers (R1).
	OperatorID string
}

// AccountKind is the transport an account authenticates on.
type AccountKind uint8

const (
	AccountSMPP AccountKind = iota // an SMPP system_id and password
	AccountAPI                     // an HTTP API key
)

func (k AccountKind) String() string {
	if k == AccountAPI {
		return "api"
	}
	return "smpp"
}

// Account is one way a provider authenticates: an SMPP system_id with a
// password, or an HTTP API key. Secrets are stored only as hashes.
type Account struct {
	ID         string // the SMPP system_id, or the API key's public prefix
	ProviderID string
	Kind       AccountKind
	// SecretHash is the hash of the password or API key, in the PHC string
	// format of the hashing function ("$argon2id$..." or "$2a$...").
	SecretHash string
	// MaxBinds caps concurrent SMPP binds (0: the gateway default).
	MaxBinds int
	// RateLimit caps submissions per second (0: the gateway default).
	RateLimit float64
	Disabled  bool
}

// Contract binds a provider to an operator for a period.
type Contract struct {
	ID         string
	ProviderID string
	OperatorID string
	ValidFrom  time.Time
	ValidTo    time.Time // zero: open-ended
	// DailyCap caps the messages a day through this contract (0: none).
	DailyCap int
}

// ValidAt reports whether the contract is in force at t.
func (c Contract) ValidAt(t time.Time) bool {
	if t.Before(c.ValidFrom) {
		return false
	}
	return c.ValidTo.IsZero() || t.Before(c.ValidTo)
}

// Advertiser is a brand, shop, product or game on whose behalf providers send.
type Advertiser struct {
	ID     string
	Name   string // the brand as subscribers know it: "Atlas Market"
	Sector string
	// ProviderIDs are the providers that act for the advertiser.
	ProviderIDs []string
	// Contact is what the register answers to "CONTACT <BRAND>": the law
	// forbids hiding the sender's identity.
	Contact string
}

// SenderID is an alphanumeric sender (at most 11 GSM characters) or a
// numeric short code, owned by one advertiser through one provider.
type SenderID struct {
	Value        string // as it appears in source_addr: "ATLASMKT", "5050"
	ProviderID   string
	AdvertiserID string
	Category     Category
}

// ChannelScope says whose oppositions a channel records.
type ChannelScope uint8

const (
	// ChannelNational is the national StopSMS channel: a STOP there applies
	// to the brand named, or to all commercial SMS.
	ChannelNational ChannelScope = iota
	// ChannelProvider records oppositions to every advertiser of a provider.
	ChannelProvider
	// ChannelAdvertiser records oppositions to one advertiser.
	ChannelAdvertiser
)

var channelScopeNames = [...]string{"national", "provider", "advertiser"}

func (s ChannelScope) String() string {
	if int(s) < len(channelScopeNames) {
		return channelScopeNames[s]
	}
	return fmt.Sprintf("scope(%d)", s)
}

// ParseChannelScope reads national, provider or advertiser.
func ParseChannelScope(s string) (ChannelScope, error) {
	for i, n := range channelScopeNames {
		if n == s {
			return ChannelScope(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown channel scope %q (want national, provider or advertiser)", s)
}

func (s ChannelScope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *ChannelScope) UnmarshalText(b []byte) error {
	v, err := ParseChannelScope(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ChannelPurpose says what a short code receives.
type ChannelPurpose uint8

const (
	// PurposeOptOut receives STOP and START.
	PurposeOptOut ChannelPurpose = iota
	// PurposeComplaint receives forwarded spam reports.
	PurposeComplaint
	// PurposeService is a provider's own short code: MO messages there are
	// relayed to the provider.
	PurposeService
)

var channelPurposeNames = [...]string{"optout", "complaint", "service"}

func (p ChannelPurpose) String() string {
	if int(p) < len(channelPurposeNames) {
		return channelPurposeNames[p]
	}
	return fmt.Sprintf("purpose(%d)", p)
}

// ParseChannelPurpose reads optout, complaint or service.
func ParseChannelPurpose(s string) (ChannelPurpose, error) {
	for i, n := range channelPurposeNames {
		if n == s {
			return ChannelPurpose(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown channel purpose %q (want optout, complaint or service)", s)
}

func (p ChannelPurpose) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

func (p *ChannelPurpose) UnmarshalText(b []byte) error {
	v, err := ParseChannelPurpose(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Channel is a short code (or number) that subscribers write to.
type Channel struct {
	Code    string // digits only: "5050", "0800004545"
	Purpose ChannelPurpose
	Scope   ChannelScope
	// Free is true when the subscriber pays nothing to write to it; only a
	// free channel is a valid opt-out means (R4).
	Free         bool
	ProviderID   string // owner, for provider and advertiser scopes
	AdvertiserID string // owner, for the advertiser scope
}

// LegalBasis is why a provider may write to a recipient (law 09-08 art. 10).
type LegalBasis uint8

const (
	BasisConsent  LegalBasis = iota // prior consent
	BasisCustomer                   // existing customer, analogous products
)

func (b LegalBasis) String() string {
	if b == BasisCustomer {
		return "customer"
	}
	return "consent"
}

// ParseLegalBasis reads consent or customer.
func ParseLegalBasis(s string) (LegalBasis, error) {
	switch s {
	case "consent":
		return BasisConsent, nil
	case "customer":
		return BasisCustomer, nil
	}
	return 0, Errorf(EINVALID, "unknown legal basis %q (want consent or customer)", s)
}

func (b LegalBasis) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

func (b *LegalBasis) UnmarshalText(p []byte) error {
	v, err := ParseLegalBasis(string(p))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// Campaign is an optional declaration of what an advertiser sends, from
// which contact list and on what legal basis.
type Campaign struct {
	ID           string
	AdvertiserID string
	SenderID     string
	Purpose      string
	ListSource   string // where the contact list comes from
	Basis        LegalBasis
	Templates    []string
}
