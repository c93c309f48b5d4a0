package bawwab

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"time"
)

// The services below are what the stores (packages sqlite and postgres)
// provide, and what the gateway, the opposition index, the web console and
// the command line call. Both stores pass one conformance suite (package
// storetest), so a caller never depends on which one it talks to.
//
// Conventions shared by every service:
//
//   - "Not found" is an *Error with code ENOTFOUND, never a nil result; a
//     duplicate key or a record still referenced is ECONFLICT; a bad record
//     is EINVALID with a *FieldError naming the field.
//   - Times are kept in UTC to the microsecond.
//   - Every change to the registry, the oppositions, the consents and the
//     number events gets the next change sequence number (see Change).
//   - A context made with NewContextWithProvider restricts everything to
//     one provider's data (see there); without it the caller sees all, as
//     the regulators and the gateway itself do.

// Change is one entry of the change feed: a record created, replaced or
// deleted, or an event appended, with its change sequence number.
//
// Sequence numbers are assigned by the store inside the writing transaction
// and are dense: 1, 2, 3... with no gaps, each used by exactly one change,
// and a reader sees them in order (a reader that sees change N sees every
// change before N). A node can therefore load a Snapshot at sequence S, then
// ask for the changes after S, and never miss or double-apply one.
type Change struct {
	Seq  int64      `json:"seq"`
	Kind RecordKind `json:"kind"`
	Op   ChangeOp   `json:"op"`
	Key  string     `json:"key"`
	// Record is the record after the change (a pointer: *Provider,
	// *Opposition...), nil for a deletion.
	Record Record `json:"record,omitempty"`
	// At is when the store recorded the change (for events, the event's
	// own time).
	At time.Time `json:"at"`
}

// ChangeOp is what a change did.
type ChangeOp uint8

const (
	// ChangePut created or replaced a registry record, or appended an
	// event (opposition, consent, number event).
	ChangePut ChangeOp = iota
	// ChangeDelete deleted a registry record.
	ChangeDelete
)

func (o ChangeOp) String() string {
	if o == ChangeDelete {
		return "delete"
	}
	return "put"
}

// ParseChangeOp reads put or delete.
func ParseChangeOp(s string) (ChangeOp, error) {
	switch s {
	case "put":
		return ChangePut, nil
	case "delete":
		return ChangeDelete, nil
	}
	return 0, Errorf(EINVALID, "unknown change op %q (want put or delete)", s)
}

func (o ChangeOp) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func (o *ChangeOp) UnmarshalText(b []byte) error {
	v, err := ParseChangeOp(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// MaxChanges is the most changes one Changes call returns.
const MaxChanges = 10000

// ChangeService is the change feed other nodes follow.
type ChangeService interface {
	// LastSeq returns the sequence number of the last committed change (0
	// for an empty store).
	LastSeq(ctx context.Context) (int64, error)
	// Changes returns the changes after afterSeq, in order, at most limit
	// (capped at MaxChanges; 0 means MaxChanges). An empty result means the
	// caller is up to date.
	Changes(ctx context.Context, afterSeq int64, limit int) ([]Change, error)
}

// Registry is every registry record at one change sequence number: what the
// gateway loads at start before following the change feed from Seq.
type Registry struct {
	Seq         int64
	Operators   []*Operator
	Providers   []*Provider
	Accounts    []*Account
	Contracts   []*Contract
	Advertisers []*Advertiser
	SenderIDs   []*SenderID
	Channels    []*Channel
	Campaigns   []*Campaign
}

// ImportResult sums up a bulk import.
type ImportResult struct {
	// Records is the number of records read.
	Records int64
	// Changes is the number of changes made: for the registry, records
	// created or replaced with different content (unchanged records make no
	// change); for events, every record.
	Changes int64
	// FirstSeq and LastSeq are the change sequence numbers used (0 when
	// there were no changes).
	FirstSeq, LastSeq int64
}

// ImportError is the error of a bulk import that stopped at a record: the
// whole import was rolled back.
type ImportError struct {
	// Record is the position of the bad record in the input, from 1.
	Record int64
	Err    error
}

func (e *ImportError) Error() string { return fmt.Sprintf("record %d: %v", e.Record, e.Err) }
func (e *ImportError) Unwrap() error { return e.Err }

// OperatorFilter selects operators; nil fields select all. Offset and Limit
// page through the result (Limit 0: no limit).
type OperatorFilter struct {
	ID            *string
	Offset, Limit int
}

// ProviderFilter selects providers.
type ProviderFilter struct {
	ID         *string
	Status     *ProviderStatus
	OperatorID *string
	Offset     int
	Limit      int
}

// AccountFilter selects accounts.
type AccountFilter struct {
	ID         *string
	ProviderID *string
	Kind       *AccountKind
	Offset     int
	Limit      int
}

// ContractFilter selects contracts.
type ContractFilter struct {
	ID         *string
	ProviderID *string
	OperatorID *string
	// ValidAt selects the contracts in force at a time.
	ValidAt *time.Time
	Offset  int
	Limit   int
}

// AdvertiserFilter selects advertisers.
type AdvertiserFilter struct {
	ID *string
	// ProviderID selects the advertisers a provider acts for.
	ProviderID *string
	Offset     int
	Limit      int
}

// SenderIDFilter selects sender IDs.
type SenderIDFilter struct {
	Value        *string
	ProviderID   *string
	AdvertiserID *string
	Category     *Category
	Offset       int
	Limit        int
}

// ChannelFilter selects channels.
type ChannelFilter struct {
	Code         *string
	Purpose      *ChannelPurpose
	Scope        *ChannelScope
	ProviderID   *string
	AdvertiserID *string
	Offset       int
	Limit        int
}

// CampaignFilter selects campaigns.
type CampaignFilter struct {
	ID           *string
	AdvertiserID *string
	SenderID     *string
	Offset       int
	Limit        int
}

// The registry services. Find...ByID returns ENOTFOUND for a record the
// caller may not see; Find...s returns the page and the total number of
// matching records, sorted by key. Create refuses an existing key
// (ECONFLICT) and a reference to a missing record (EINVALID, naming the
// field); Delete refuses a record others still refer to (ECONFLICT).

// OperatorService manages operators.
type OperatorService interface {
	FindOperatorByID(ctx context.Context, id string) (*Operator, error)
	FindOperators(ctx context.Context, filter OperatorFilter) ([]*Operator, int, error)
	CreateOperator(ctx context.Context, o *Operator) error
	UpdateOperator(ctx context.Context, id string, upd OperatorUpdate) (*Operator, error)
	DeleteOperator(ctx context.Context, id string) error
}

// ProviderService manages VAS providers.
type ProviderService interface {
	FindProviderByID(ctx context.Context, id string) (*Provider, error)
	FindProviders(ctx context.Context, filter ProviderFilter) ([]*Provider, int, error)
	CreateProvider(ctx context.Context, p *Provider) error
	UpdateProvider(ctx context.Context, id string, upd ProviderUpdate) (*Provider, error)
	DeleteProvider(ctx context.Context, id string) error
}

// AccountService manages providers' SMPP and API accounts. Check a secret
// with internal/secret against Account.SecretHash.
type AccountService interface {
	FindAccountByID(ctx context.Context, id string) (*Account, error)
	FindAccounts(ctx context.Context, filter AccountFilter) ([]*Account, int, error)
	CreateAccount(ctx context.Context, a *Account) error
	UpdateAccount(ctx context.Context, id string, upd AccountUpdate) (*Account, error)
	DeleteAccount(ctx context.Context, id string) error
}

// ContractService manages provider × operator contracts.
type ContractService interface {
	FindContractByID(ctx context.Context, id string) (*Contract, error)
	FindContracts(ctx context.Context, filter ContractFilter) ([]*Contract, int, error)
	CreateContract(ctx context.Context, c *Contract) error
	UpdateContract(ctx context.Context, id string, upd ContractUpdate) (*Contract, error)
	DeleteContract(ctx context.Context, id string) error
}

// AdvertiserService manages advertisers (brands).
type AdvertiserService interface {
	FindAdvertiserByID(ctx context.Context, id string) (*Advertiser, error)
	FindAdvertisers(ctx context.Context, filter AdvertiserFilter) ([]*Advertiser, int, error)
	CreateAdvertiser(ctx context.Context, a *Advertiser) error
	UpdateAdvertiser(ctx context.Context, id string, upd AdvertiserUpdate) (*Advertiser, error)
	DeleteAdvertiser(ctx context.Context, id string) error
}

// SenderIDService manages sender IDs. A sender ID's value is unique,
// ignoring case ("ATLASMKT" and "AtlasMkt" cannot belong to two owners), and
// its provider must act for its advertiser.
type SenderIDService interface {
	FindSenderIDByValue(ctx context.Context, value string) (*SenderID, error)
	FindSenderIDs(ctx context.Context, filter SenderIDFilter) ([]*SenderID, int, error)
	CreateSenderID(ctx context.Context, s *SenderID) error
	UpdateSenderID(ctx context.Context, value string, upd SenderIDUpdate) (*SenderID, error)
	DeleteSenderID(ctx context.Context, value string) error
}

// ChannelService manages the short codes subscribers write to.
type ChannelService interface {
	FindChannelByCode(ctx context.Context, code string) (*Channel, error)
	FindChannels(ctx context.Context, filter ChannelFilter) ([]*Channel, int, error)
	CreateChannel(ctx context.Context, c *Channel) error
	UpdateChannel(ctx context.Context, code string, upd ChannelUpdate) (*Channel, error)
	DeleteChannel(ctx context.Context, code string) error
}

// CampaignService manages campaign declarations. A campaign's sender ID
// must belong to its advertiser.
type CampaignService interface {
	FindCampaignByID(ctx context.Context, id string) (*Campaign, error)
	FindCampaigns(ctx context.Context, filter CampaignFilter) ([]*Campaign, int, error)
	CreateCampaign(ctx context.Context, c *Campaign) error
	UpdateCampaign(ctx context.Context, id string, upd CampaignUpdate) (*Campaign, error)
	DeleteCampaign(ctx context.Context, id string) error
}

// RegistryService is the whole registry.
type RegistryService interface {
	OperatorService
	ProviderService
	AccountService
	ContractService
	AdvertiserService
	SenderIDService
	ChannelService
	CampaignService

	// Snapshot returns every registry record at one change sequence
	// number. Refused (EFORBIDDEN) in a provider's context.
	Snapshot(ctx context.Context) (*Registry, error)
	// ImportRegistry creates or replaces the records read from records
	// (pointers to registry records, in any mix of kinds, each referring
	// only to records stored or read before it), in one transaction: all or
	// nothing. It stops at the first error from records or from a record
	// (an *ImportError).
	ImportRegistry(ctx context.Context, records iter.Seq2[Record, error]) (ImportResult, error)
}

// OppositionFilter selects opposition events, in sequence order, paged by
// sequence number: the register holds tens of millions of events, too many
// to count or to skip through.
type OppositionFilter struct {
	MSISDN *string
	Scope  *Scope
	Action *OppositionAction
	// AfterSeq selects events after this sequence number.
	AfterSeq int64
	// Limit caps the result (0: 1000).
	Limit int
}

// OppositionService is the opposition register: STOP and START events,
// never overwritten. In a provider's context, only the scopes that concern
// the provider are visible and writable: its own provider scope, the
// advertisers it acts for, and (visible only) the national scope.
type OppositionService interface {
	// RecordOpposition appends an event and sets its Seq (and its At, when
	// zero, to the store's clock). A scope must name an existing provider
	// or advertiser.
	RecordOpposition(ctx context.Context, o *Opposition) error
	// ImportOppositions appends the events read from events, in one
	// transaction: all or nothing. Built for tens of millions of events in
	// constant memory. The events get dense sequence numbers; the events of
	// one number and scope keep their order, while a store may number
	// different numbers in another order than the input's (PostgreSQL
	// numbers them by number, to load its indexes in order).
	ImportOppositions(ctx context.Context, events iter.Seq2[Opposition, error]) (ImportResult, error)
	// FindOppositions returns events (the history).
	FindOppositions(ctx context.Context, filter OppositionFilter) ([]*Opposition, error)
	// FindOppositionsInForce returns the oppositions in force for one
	// number, one per scope, each as folded by FoldOppositions.
	FindOppositionsInForce(ctx context.Context, msisdn string) ([]*Opposition, error)
	// StreamOppositions yields every event after afterSeq in sequence
	// order, from one consistent read: how the opposition index loads at
	// start before following the change feed.
	StreamOppositions(ctx context.Context, afterSeq int64) iter.Seq2[Opposition, error]
	// StreamOppositionStates yields the current state of every (number,
	// scope) pair, ordered by number then scope, as folded by
	// FoldOppositions. With sinceSeq 0 it yields the oppositions in force
	// (STOPs only); with sinceSeq > 0 it yields the pairs changed after
	// sinceSeq, STOPs and STARTs (lifted oppositions): the delta a provider
	// applies to its lists.
	StreamOppositionStates(ctx context.Context, sinceSeq int64) iter.Seq2[Opposition, error]
}

// ConsentFilter selects consents, in sequence order, paged by sequence
// number.
type ConsentFilter struct {
	MSISDN       *string
	AdvertiserID *string
	AfterSeq     int64
	Limit        int // 0: 1000
}

// ConsentService keeps consents and existing-customer records (R6). A
// consent lapses when its number is reassigned after it was given
// (NumberService). In a provider's context, only the consents of the
// advertisers it acts for are visible and writable.
type ConsentService interface {
	// RecordConsent appends a consent and sets its Seq (and its At, when
	// zero). The advertiser must exist.
	RecordConsent(ctx context.Context, c *Consent) error
	// ImportConsents appends consents in one transaction: all or nothing.
	ImportConsents(ctx context.Context, consents iter.Seq2[Consent, error]) (ImportResult, error)
	FindConsents(ctx context.Context, filter ConsentFilter) ([]*Consent, error)
	// FindConsent returns the latest consent of a number for an advertiser
	// that has not lapsed, or ENOTFOUND.
	FindConsent(ctx context.Context, msisdn, advertiserID string) (*Consent, error)
}

// NumberEventFilter selects number events, in sequence order.
type NumberEventFilter struct {
	MSISDN   *string
	AfterSeq int64
	Limit    int // 0: 1000
}

// NumberService keeps what operators report about numbers: reassignments
// (the consents of the previous holder lapse; oppositions stay) and ports.
// Operators' and regulators' business: refused in a provider's context.
type NumberService interface {
	RecordNumberEvent(ctx context.Context, e *NumberEvent) error
	FindNumberEvents(ctx context.Context, filter NumberEventFilter) ([]*NumberEvent, error)
}

// Store is the set of services one store provides; sqlite.DB.Store and
// postgres.DB.Store fill it, and cmd/bawwab hands its fields to the parts
// that need them.
type Store struct {
	Registry    RegistryService
	Oppositions OppositionService
	Consents    ConsentService
	Numbers     NumberService
	Feed        ChangeService
	// Control by the regulators (complaint.go, measure.go, report.go).
	Complaints ComplaintService
	Measures   MeasureService
	Reports    ReportService
	// Outbox keeps the gateway's receipts and MO for unbound providers
	// (outbox.go).
	Outbox OutboxService
}

type providerContextKey struct{}

// NewContextWithProvider returns a context in which the stores show and
// change only the data of one provider: what the web console and the API
// use for a provider's users, so that a provider sees only its own data
// even if a handler forgets a filter. In such a context:
//
//   - reads return the provider itself, its accounts, contracts, sender
//     IDs and their campaigns, the advertisers it acts for, the channels it
//     or its advertisers own plus the national ones, every operator, and
//     the oppositions and consents concerning it; anything else is
//     ENOTFOUND (never EFORBIDDEN, which would reveal that it exists);
//   - the only registry writes allowed are to its own accounts; other
//     registry writes, the snapshot, the change feed and the number events
//     are EFORBIDDEN.
func NewContextWithProvider(ctx context.Context, providerID string) context.Context {
	return context.WithValue(ctx, providerContextKey{}, providerID)
}

// ProviderFromContext returns the provider a context is restricted to, and
// whether it is restricted. A context restricted to the empty ID sees
// nothing: the restriction fails closed.
func ProviderFromContext(ctx context.Context) (id string, ok bool) {
	id, ok = ctx.Value(providerContextKey{}).(string)
	return id, ok
}

// NewRecord returns a pointer to a zero record of a kind, to decode into.
func NewRecord(kind RecordKind) (Record, error) {
	switch kind {
	case KindOperator:
		return &Operator{}, nil
	case KindProvider:
		return &Provider{}, nil
	case KindAccount:
		return &Account{}, nil
	case KindContract:
		return &Contract{}, nil
	case KindAdvertiser:
		return &Advertiser{}, nil
	case KindSenderID:
		return &SenderID{}, nil
	case KindChannel:
		return &Channel{}, nil
	case KindCampaign:
		return &Campaign{}, nil
	case KindOpposition:
		return &Opposition{}, nil
	case KindConsent:
		return &Consent{}, nil
	case KindNumberEvent:
		return &NumberEvent{}, nil
	}
	return nil, Errorf(EINVALID, "unknown record kind %q", kind)
}

// UnmarshalJSON decodes a change, its record according to its kind.
func (c *Change) UnmarshalJSON(b []byte) error {
	type plain Change
	var v struct {
		plain
		Record json.RawMessage `json:"record"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Change(v.plain)
	c.Record = nil
	if len(v.Record) == 0 || string(v.Record) == "null" {
		return nil
	}
	r, err := NewRecord(c.Kind)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(v.Record, r); err != nil {
		return fmt.Errorf("decode %s record: %w", c.Kind, err)
	}
	c.Record = r
	return nil
}
