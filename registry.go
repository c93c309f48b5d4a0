package bawwab

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Registry records are keyed by short, stable, lower-case identifiers chosen
// by whoever declares them ("iam", "atlasvas", "atlas-market"): they appear
// in CSV files, the ledger, the API and the logs, where a readable key beats
// a surrogate number.

// Operator is a mobile network operator: IAM, Orange or inwi.
type Operator struct {
	ID   string `json:"id"`   // "iam", "orange", "inwi"
	Name string `json:"name"` // "Maroc Telecom"
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
	ID              string         `json:"id"`
	Name            string         `json:"name"`             // legal name
	ANRTDeclaration string         `json:"anrt_declaration"` // declaration number
	DeclaredAt      time.Time      `json:"declared_at"`      // date of the ANRT declaration
	Status          ProviderStatus `json:"status"`
	// OperatorID is set when the provider is an operator's own marketing
	// account: it may then reach only that operator's subscribers (R1), and
	// needs no ANRT declaration.
	OperatorID string `json:"operator_id,omitempty"`
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

// ParseAccountKind reads smpp or api.
func ParseAccountKind(s string) (AccountKind, error) {
	switch s {
	case "smpp":
		return AccountSMPP, nil
	case "api":
		return AccountAPI, nil
	}
	return 0, Errorf(EINVALID, "unknown account kind %q (want smpp or api)", s)
}

func (k AccountKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *AccountKind) UnmarshalText(b []byte) error {
	v, err := ParseAccountKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Account is one way a provider authenticates: an SMPP system_id with a
// password, or an HTTP API key. Secrets are stored only as hashes.
type Account struct {
	ID         string      `json:"id"` // the SMPP system_id, or the API key's public prefix
	ProviderID string      `json:"provider_id"`
	Kind       AccountKind `json:"kind"`
	// SecretHash is the hash of the password or API key, in the PHC string
	// format of the hashing function ("$argon2id$..." or "$2a$..."); see
	// internal/secret.
	SecretHash string `json:"secret_hash"`
	// MaxBinds caps concurrent SMPP binds (0: the gateway default).
	MaxBinds int `json:"max_binds,omitempty"`
	// RateLimit caps submissions per second (0: the gateway default).
	RateLimit float64 `json:"rate_limit,omitempty"`
	Disabled  bool    `json:"disabled,omitempty"`
}

// Contract binds a provider to an operator for a period.
type Contract struct {
	ID         string    `json:"id"`
	ProviderID string    `json:"provider_id"`
	OperatorID string    `json:"operator_id"`
	ValidFrom  time.Time `json:"valid_from"`
	ValidTo    time.Time `json:"valid_to"` // zero: open-ended
	// DailyCap caps the messages a day through this contract (0: none).
	DailyCap int `json:"daily_cap,omitempty"`
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
	ID     string `json:"id"`
	Name   string `json:"name"` // the brand as subscribers know it: "Atlas Market"
	Sector string `json:"sector,omitempty"`
	// ProviderIDs are the providers that act for the advertiser, sorted.
	ProviderIDs []string `json:"provider_ids"`
	// Contact is what the register answers to "CONTACT <BRAND>": the law
	// forbids hiding the sender's identity.
	Contact string `json:"contact,omitempty"`
}

// SenderID is an alphanumeric sender (at most 11 GSM characters) or a
// numeric short code, owned by one advertiser through one provider.
type SenderID struct {
	Value        string   `json:"value"` // as it appears in source_addr: "ATLASMKT", "5050"
	ProviderID   string   `json:"provider_id"`
	AdvertiserID string   `json:"advertiser_id"`
	Category     Category `json:"category"`
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
	Code    string         `json:"code"` // digits only: "5050", "0800004545"
	Purpose ChannelPurpose `json:"purpose"`
	Scope   ChannelScope   `json:"scope"`
	// Free is true when the subscriber pays nothing to write to it; only a
	// free channel is a valid opt-out means (R4).
	Free         bool   `json:"free"`
	ProviderID   string `json:"provider_id,omitempty"`   // owner, for the provider scope (operator, for the advertiser scope)
	AdvertiserID string `json:"advertiser_id,omitempty"` // owner, for the advertiser scope
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
	ID           string     `json:"id"`
	AdvertiserID string     `json:"advertiser_id"`
	SenderID     string     `json:"sender_id"` // the value of a registered sender ID of the advertiser
	Purpose      string     `json:"purpose"`
	ListSource   string     `json:"list_source"` // where the contact list comes from
	Basis        LegalBasis `json:"basis"`
	Templates    []string   `json:"templates,omitempty"`
}

// RecordKind names a kind of record in the change feed, the CSV files and
// the API.
type RecordKind string

// The record kinds. The registry kinds come first, in the order their
// records may be imported (each refers only to kinds before it).
const (
	KindOperator    RecordKind = "operator"
	KindProvider    RecordKind = "provider"
	KindAccount     RecordKind = "account"
	KindContract    RecordKind = "contract"
	KindAdvertiser  RecordKind = "advertiser"
	KindSenderID    RecordKind = "sender"
	KindChannel     RecordKind = "channel"
	KindCampaign    RecordKind = "campaign"
	KindOpposition  RecordKind = "opposition"
	KindConsent     RecordKind = "consent"
	KindNumberEvent RecordKind = "number_event"
)

// RegistryKinds are the kinds of the registry, in dependency order.
var RegistryKinds = []RecordKind{
	KindOperator, KindProvider, KindAccount, KindContract,
	KindAdvertiser, KindSenderID, KindChannel, KindCampaign,
}

// Record is any record the stores keep and the change feed carries: the
// registry records, oppositions, consents and number events. Implemented by
// the record types and by pointers to them.
type Record interface {
	RecordKind() RecordKind
	// Key identifies the record within its kind: the ID, the sender ID's
	// value, the channel's code; for the event kinds, the change sequence
	// number.
	Key() string
	// Validate checks the record on its own (not its references), and
	// names the bad field.
	Validate() error
}

func (Operator) RecordKind() RecordKind   { return KindOperator }
func (Provider) RecordKind() RecordKind   { return KindProvider }
func (Account) RecordKind() RecordKind    { return KindAccount }
func (Contract) RecordKind() RecordKind   { return KindContract }
func (Advertiser) RecordKind() RecordKind { return KindAdvertiser }
func (SenderID) RecordKind() RecordKind   { return KindSenderID }
func (Channel) RecordKind() RecordKind    { return KindChannel }
func (Campaign) RecordKind() RecordKind   { return KindCampaign }

func (o Operator) Key() string   { return o.ID }
func (p Provider) Key() string   { return p.ID }
func (a Account) Key() string    { return a.ID }
func (c Contract) Key() string   { return c.ID }
func (a Advertiser) Key() string { return a.ID }
func (s SenderID) Key() string   { return s.Value }
func (c Channel) Key() string    { return c.Code }
func (c Campaign) Key() string   { return c.ID }

// FieldError is the error Validate returns: it names the bad field with the
// name it has in JSON and in the CSV headers, so that an importer can point
// at the column. It unwraps to an *Error with code EINVALID whose message
// is "field: problem".
type FieldError struct {
	Field string
	err   *Error
}

func (e *FieldError) Error() string { return e.err.Error() }
func (e *FieldError) Unwrap() error { return e.err }

// InvalidField returns a *FieldError for field.
func InvalidField(field, format string, args ...any) error {
	return &FieldError{Field: field, err: Errorf(EINVALID, "%s: %s", field, fmt.Sprintf(format, args...))}
}

// MaxKeyLen is the length limit of record identifiers.
const MaxKeyLen = 64

// ValidKey reports whether s can identify a record: 1 to 64 characters, lower-case
// ASCII letters and digits, then also '.', '_' and '-'.
func ValidKey(s string) bool {
	if s == "" || len(s) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

func checkKey(field, s string) error {
	if s == "" {
		return InvalidField(field, "missing")
	}
	if !ValidKey(s) {
		return InvalidField(field, "%q is not an identifier (1 to %d of a-z 0-9, then also . _ -)", s, MaxKeyLen)
	}
	return nil
}

func checkOptionalKey(field, s string) error {
	if s == "" {
		return nil
	}
	return checkKey(field, s)
}

// checkText requires a non-empty, printable, trimmed text of at most max
// characters.
func checkText(field, s string, max int) error {
	if s == "" {
		return InvalidField(field, "missing")
	}
	return checkOptionalText(field, s, max)
}

func checkOptionalText(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return InvalidField(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return InvalidField(field, "%d characters, at most %d allowed", n, max)
	}
	if strings.TrimSpace(s) != s {
		return InvalidField(field, "leading or trailing space")
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return InvalidField(field, "control character %U", r)
		}
	}
	return nil
}

// Validate implements Record.
func (o Operator) Validate() error {
	if err := checkKey("id", o.ID); err != nil {
		return err
	}
	return checkText("name", o.Name, 200)
}

// Validate implements Record. A provider needs an ANRT declaration (number
// and date) unless it is an operator's own marketing account.
func (p Provider) Validate() error {
	if err := checkKey("id", p.ID); err != nil {
		return err
	}
	if err := checkText("name", p.Name, 200); err != nil {
		return err
	}
	if int(p.Status) >= len(providerStatusNames) {
		return InvalidField("status", "unknown status %d", p.Status)
	}
	if err := checkOptionalKey("operator_id", p.OperatorID); err != nil {
		return err
	}
	if p.OperatorID == "" {
		if err := checkText("anrt_declaration", p.ANRTDeclaration, 64); err != nil {
			return err
		}
		if p.DeclaredAt.IsZero() {
			return InvalidField("declared_at", "missing (the date of the ANRT declaration)")
		}
	} else if err := checkOptionalText("anrt_declaration", p.ANRTDeclaration, 64); err != nil {
		return err
	}
	return nil
}

// MaxSystemIDLen is the longest SMPP system_id (SMPP 3.4 §5.2.1: 16 octets
// with the terminating NUL).
const MaxSystemIDLen = 15

// Validate implements Record. An SMPP account's ID is its system_id: 1 to 15
// printable ASCII characters without spaces, case kept.
func (a Account) Validate() error {
	if a.ID == "" {
		return InvalidField("id", "missing")
	}
	if len(a.ID) > MaxSystemIDLen {
		return InvalidField("id", "%d characters, at most %d allowed (the SMPP system_id limit)", len(a.ID), MaxSystemIDLen)
	}
	for i := 0; i < len(a.ID); i++ {
		if c := a.ID[i]; c <= ' ' || c >= 0x7f {
			return InvalidField("id", "%q: only printable ASCII without spaces", a.ID)
		}
	}
	if err := checkKey("provider_id", a.ProviderID); err != nil {
		return err
	}
	if a.Kind > AccountAPI {
		return InvalidField("kind", "unknown account kind %d", a.Kind)
	}
	if !strings.HasPrefix(a.SecretHash, "$") || len(a.SecretHash) > 256 {
		return InvalidField("secret_hash", "missing or not a PHC hash string ($argon2id$...)")
	}
	if a.MaxBinds < 0 {
		return InvalidField("max_binds", "negative")
	}
	if a.RateLimit < 0 || math.IsNaN(a.RateLimit) || math.IsInf(a.RateLimit, 0) {
		return InvalidField("rate_limit", "must be a non-negative number")
	}
	return nil
}

// Validate implements Record.
func (c Contract) Validate() error {
	if err := checkKey("id", c.ID); err != nil {
		return err
	}
	if err := checkKey("provider_id", c.ProviderID); err != nil {
		return err
	}
	if err := checkKey("operator_id", c.OperatorID); err != nil {
		return err
	}
	if c.ValidFrom.IsZero() {
		return InvalidField("valid_from", "missing")
	}
	if !c.ValidTo.IsZero() && !c.ValidTo.After(c.ValidFrom) {
		return InvalidField("valid_to", "not after valid_from")
	}
	if c.DailyCap < 0 {
		return InvalidField("daily_cap", "negative")
	}
	return nil
}

// Validate implements Record.
func (a Advertiser) Validate() error {
	if err := checkKey("id", a.ID); err != nil {
		return err
	}
	if err := checkText("name", a.Name, 200); err != nil {
		return err
	}
	if err := checkOptionalText("sector", a.Sector, 100); err != nil {
		return err
	}
	if err := checkOptionalText("contact", a.Contact, 500); err != nil {
		return err
	}
	for i, p := range a.ProviderIDs {
		if err := checkKey("provider_ids", p); err != nil {
			return err
		}
		if slices.Contains(a.ProviderIDs[:i], p) {
			return InvalidField("provider_ids", "%q appears twice", p)
		}
	}
	return nil
}

// gsmBasic is the printable part of the GSM 03.38 default alphabet (without
// LF, CR and the escape to the extension table): what an alphanumeric
// sender ID may hold.
const gsmBasic = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// MaxAlphanumericSender is the longest alphanumeric sender ID: 11 GSM
// characters, what TON 5 addresses carry in 7 bits.
const MaxAlphanumericSender = 11

// IsNumericSender reports whether a sender ID is a number (a short code or
// a long number) rather than alphanumeric.
func IsNumericSender(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// ValidSenderValue checks a sender ID as written in source_addr: 3 to 15
// digits, or 1 to 11 GSM 03.38 characters with at least one that is not a
// digit, without leading or trailing space.
func ValidSenderValue(field, v string) error {
	if v == "" {
		return InvalidField(field, "missing")
	}
	if IsNumericSender(v) {
		if len(v) < 3 || len(v) > 15 {
			return InvalidField(field, "numeric sender %q: 3 to 15 digits", v)
		}
		return nil
	}
	if !utf8.ValidString(v) {
		return InvalidField(field, "not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > MaxAlphanumericSender {
		return InvalidField(field, "alphanumeric sender %q: %d characters, at most %d", v, n, MaxAlphanumericSender)
	}
	for _, r := range v {
		if !strings.ContainsRune(gsmBasic, r) {
			return InvalidField(field, "alphanumeric sender %q: %q is not a GSM 03.38 character", v, r)
		}
	}
	if strings.TrimSpace(v) != v {
		return InvalidField(field, "leading or trailing space in %q", v)
	}
	return nil
}

// Validate implements Record.
func (s SenderID) Validate() error {
	if err := ValidSenderValue("value", s.Value); err != nil {
		return err
	}
	if err := checkKey("provider_id", s.ProviderID); err != nil {
		return err
	}
	if err := checkKey("advertiser_id", s.AdvertiserID); err != nil {
		return err
	}
	if s.Category != CategoryCommercial && s.Category != CategoryTransactional {
		return InvalidField("category", "must be commercial or transactional")
	}
	return nil
}

// Validate implements Record. The owner fields follow the scope: none for
// the national channel, a provider for the provider scope, an advertiser
// (and optionally the provider operating the code) for the advertiser scope.
func (c Channel) Validate() error {
	if !IsNumericSender(c.Code) || len(c.Code) < 3 || len(c.Code) > 15 {
		return InvalidField("code", "%q: 3 to 15 digits", c.Code)
	}
	if int(c.Purpose) >= len(channelPurposeNames) {
		return InvalidField("purpose", "unknown purpose %d", c.Purpose)
	}
	if err := checkOptionalKey("provider_id", c.ProviderID); err != nil {
		return err
	}
	if err := checkOptionalKey("advertiser_id", c.AdvertiserID); err != nil {
		return err
	}
	switch c.Scope {
	case ChannelNational:
		if c.ProviderID != "" {
			return InvalidField("provider_id", "a national channel has no provider")
		}
		if c.AdvertiserID != "" {
			return InvalidField("advertiser_id", "a national channel has no advertiser")
		}
	case ChannelProvider:
		if c.ProviderID == "" {
			return InvalidField("provider_id", "missing (the provider scope needs its provider)")
		}
		if c.AdvertiserID != "" {
			return InvalidField("advertiser_id", "a provider-scope channel has no advertiser")
		}
	case ChannelAdvertiser:
		if c.AdvertiserID == "" {
			return InvalidField("advertiser_id", "missing (the advertiser scope needs its advertiser)")
		}
	default:
		return InvalidField("scope", "unknown scope %d", c.Scope)
	}
	return nil
}

// Validate implements Record.
func (c Campaign) Validate() error {
	if err := checkKey("id", c.ID); err != nil {
		return err
	}
	if err := checkKey("advertiser_id", c.AdvertiserID); err != nil {
		return err
	}
	if err := ValidSenderValue("sender_id", c.SenderID); err != nil {
		return err
	}
	if err := checkText("purpose", c.Purpose, 500); err != nil {
		return err
	}
	if err := checkText("list_source", c.ListSource, 500); err != nil {
		return err
	}
	if c.Basis > BasisCustomer {
		return InvalidField("basis", "unknown legal basis %d", c.Basis)
	}
	for _, t := range c.Templates {
		if t == "" || !utf8.ValidString(t) || len(t) > 4000 {
			return InvalidField("templates", "a template is empty, too long or not UTF-8")
		}
	}
	return nil
}

// The updates below carry the fields to change: a nil field is left alone.
// Keys and owners that other records hang on (a provider's ID, an account's
// provider) are not updatable; delete and create instead.

// OperatorUpdate changes an operator.
type OperatorUpdate struct {
	Name *string `json:"name"`
}

// Apply changes o.
func (u OperatorUpdate) Apply(o *Operator) {
	set(&o.Name, u.Name)
}

// ProviderUpdate changes a provider.
type ProviderUpdate struct {
	Name            *string         `json:"name"`
	ANRTDeclaration *string         `json:"anrt_declaration"`
	DeclaredAt      *time.Time      `json:"declared_at"`
	Status          *ProviderStatus `json:"status"`
	OperatorID      *string         `json:"operator_id"`
}

// Apply changes p.
func (u ProviderUpdate) Apply(p *Provider) {
	set(&p.Name, u.Name)
	set(&p.ANRTDeclaration, u.ANRTDeclaration)
	set(&p.DeclaredAt, u.DeclaredAt)
	set(&p.Status, u.Status)
	set(&p.OperatorID, u.OperatorID)
}

// AccountUpdate changes an account: its secret, limits, or whether it is
// disabled.
type AccountUpdate struct {
	SecretHash *string  `json:"secret_hash"`
	MaxBinds   *int     `json:"max_binds"`
	RateLimit  *float64 `json:"rate_limit"`
	Disabled   *bool    `json:"disabled"`
}

// Apply changes a.
func (u AccountUpdate) Apply(a *Account) {
	set(&a.SecretHash, u.SecretHash)
	set(&a.MaxBinds, u.MaxBinds)
	set(&a.RateLimit, u.RateLimit)
	set(&a.Disabled, u.Disabled)
}

// ContractUpdate changes a contract's period or cap.
type ContractUpdate struct {
	ValidFrom *time.Time `json:"valid_from"`
	ValidTo   *time.Time `json:"valid_to"`
	DailyCap  *int       `json:"daily_cap"`
}

// Apply changes c.
func (u ContractUpdate) Apply(c *Contract) {
	set(&c.ValidFrom, u.ValidFrom)
	set(&c.ValidTo, u.ValidTo)
	set(&c.DailyCap, u.DailyCap)
}

// AdvertiserUpdate changes an advertiser; ProviderIDs, when set, replaces
// the whole list.
type AdvertiserUpdate struct {
	Name        *string   `json:"name"`
	Sector      *string   `json:"sector"`
	Contact     *string   `json:"contact"`
	ProviderIDs *[]string `json:"provider_ids"`
}

// Apply changes a.
func (u AdvertiserUpdate) Apply(a *Advertiser) {
	set(&a.Name, u.Name)
	set(&a.Sector, u.Sector)
	set(&a.Contact, u.Contact)
	if u.ProviderIDs != nil {
		a.ProviderIDs = slices.Clone(*u.ProviderIDs)
	}
}

// SenderIDUpdate changes a sender ID's owners or category.
type SenderIDUpdate struct {
	ProviderID   *string   `json:"provider_id"`
	AdvertiserID *string   `json:"advertiser_id"`
	Category     *Category `json:"category"`
}

// Apply changes s.
func (u SenderIDUpdate) Apply(s *SenderID) {
	set(&s.ProviderID, u.ProviderID)
	set(&s.AdvertiserID, u.AdvertiserID)
	set(&s.Category, u.Category)
}

// ChannelUpdate changes a channel.
type ChannelUpdate struct {
	Purpose      *ChannelPurpose `json:"purpose"`
	Scope        *ChannelScope   `json:"scope"`
	Free         *bool           `json:"free"`
	ProviderID   *string         `json:"provider_id"`
	AdvertiserID *string         `json:"advertiser_id"`
}

// Apply changes c.
func (u ChannelUpdate) Apply(c *Channel) {
	set(&c.Purpose, u.Purpose)
	set(&c.Scope, u.Scope)
	set(&c.Free, u.Free)
	set(&c.ProviderID, u.ProviderID)
	set(&c.AdvertiserID, u.AdvertiserID)
}

// CampaignUpdate changes a campaign; Templates, when set, replaces the list.
type CampaignUpdate struct {
	SenderID   *string     `json:"sender_id"`
	Purpose    *string     `json:"purpose"`
	ListSource *string     `json:"list_source"`
	Basis      *LegalBasis `json:"basis"`
	Templates  *[]string   `json:"templates"`
}

// Apply changes c.
func (u CampaignUpdate) Apply(c *Campaign) {
	set(&c.SenderID, u.SenderID)
	set(&c.Purpose, u.Purpose)
	set(&c.ListSource, u.ListSource)
	set(&c.Basis, u.Basis)
	if u.Templates != nil {
		c.Templates = slices.Clone(*u.Templates)
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
