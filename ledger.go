package bawwab

import (
	"context"
	"encoding/hex"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The audit ledger is what the regulators control (RULES.md, "Control by
// the regulators"): every decision on a message, every opposition, every
// complaint outcome, every measure against a provider and every change made
// by a person goes into one append-only, hash-chained log. The types below
// are the domain's view of that log; the ledger package stores it, hashes
// it, signs checkpoints and verifies it.

// EntryKind says what a ledger entry records. Kinds are written in the
// ledger as numbers, so a kind is never renumbered or reused, only added.
type EntryKind uint8

const (
	// EntryDecision is the verdict of the rules on one submitted message.
	EntryDecision EntryKind = 1 + iota
	// EntryOpposition is a STOP or START recorded in the opposition
	// register (Action "stop" or "start", Subject the scope, Channel how it
	// arrived).
	EntryOpposition
	// EntryComplaint is the outcome of a subscriber's complaint (Action
	// "confirmed", "dismissed" or "unmatched"; Refs the decision entries it
	// was matched to).
	EntryComplaint
	// EntryMeasure is a measure against a provider (Action "warning",
	// "throttle", "suspend", "lift"; Refs the entries that justify it).
	EntryMeasure
	// EntryRegistryChange is a change to the registry made by a person
	// (Action "create", "update", "delete"; Subject the record, such as
	// "provider:atlasvas"; Detail what changed).
	EntryRegistryChange
	// EntryKeyRotation records a new pseudonym or signing key (Subject
	// "pseudonym-key" or "signing-key"; Detail the new key's identity,
	// never the key).
	EntryKeyRotation
	// EntryRetention records a purge of message texts: the texts of every
	// earlier entry dated before Until were dropped, their hashes kept.
	EntryRetention
)

var entryKindNames = [...]string{"", "decision", "opposition", "complaint", "measure", "registry-change", "key-rotation", "retention"}

func (k EntryKind) String() string {
	if k > 0 && int(k) < len(entryKindNames) {
		return entryKindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Valid reports whether k is a known kind.
func (k EntryKind) Valid() bool { return k > 0 && int(k) < len(entryKindNames) }

// ParseEntryKind reads the name of a kind ("decision", "measure"...).
func ParseEntryKind(s string) (EntryKind, error) {
	for i, n := range entryKindNames {
		if i > 0 && n == s {
			return EntryKind(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown entry kind %q (want one of %s)", s, strings.Join(entryKindNames[1:], ", "))
}

func (k EntryKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

func (k *EntryKind) UnmarshalText(b []byte) error {
	v, err := ParseEntryKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Digest is a SHA-256 digest. Its text form is 64 lower-case hex digits.
type Digest [32]byte

// IsZero reports whether d is unset.
func (d Digest) IsZero() bool { return d == Digest{} }

func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// ParseDigest reads 64 hex digits.
func ParseDigest(s string) (Digest, error) {
	var d Digest
	if len(s) != 2*len(d) {
		return d, Errorf(EINVALID, "invalid digest %q (want 64 hex digits)", s)
	}
	if _, err := hex.Decode(d[:], []byte(s)); err != nil {
		return Digest{}, Errorf(EINVALID, "invalid digest %q (want 64 hex digits)", s)
	}
	return d, nil
}

func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Digest) UnmarshalText(b []byte) error {
	v, err := ParseDigest(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Pseudonym stands for a subscriber number in the ledger: HMAC-SHA256 of
// the number in E.164 form under a secret key, with the identifier of that
// key. Someone who holds the ledger but not the key learns nothing about the
// number; an inspector who knows a number and holds the keys computes its
// pseudonym under every key and finds its entries. The text form is
// "KEYID:SUM", KEYID being 8 hex digits and SUM 64.
type Pseudonym struct {
	KeyID uint32
	Sum   Digest
}

// IsZero reports whether p is unset (an entry about no subscriber).
func (p Pseudonym) IsZero() bool { return p == Pseudonym{} }

func (p Pseudonym) String() string {
	if p.IsZero() {
		return ""
	}
	return fmt.Sprintf("%08x:%s", p.KeyID, p.Sum)
}

// Short is the form printed in logs: "p:" and the first 12 hex digits of
// the sum, enough to follow one subscriber through a log, nothing to
// recover the number from.
func (p Pseudonym) Short() string {
	if p.IsZero() {
		return "p:-"
	}
	return "p:" + p.Sum.String()[:12]
}

// ParsePseudonym reads the text form "KEYID:SUM".
func ParsePseudonym(s string) (Pseudonym, error) {
	id, sum, ok := strings.Cut(s, ":")
	if !ok || len(id) != 8 {
		return Pseudonym{}, Errorf(EINVALID, "invalid pseudonym %q (want KEYID:SUM)", s)
	}
	k, err := strconv.ParseUint(id, 16, 32)
	if err != nil {
		return Pseudonym{}, Errorf(EINVALID, "invalid pseudonym %q (want KEYID:SUM)", s)
	}
	d, err := ParseDigest(sum)
	if err != nil {
		return Pseudonym{}, Errorf(EINVALID, "invalid pseudonym %q (want KEYID:SUM)", s)
	}
	return Pseudonym{KeyID: uint32(k), Sum: d}, nil
}

func (p Pseudonym) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

func (p *Pseudonym) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Pseudonym{}
		return nil
	}
	v, err := ParsePseudonym(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// LedgerEntry is one record of the audit ledger. Which fields are set
// depends on the Kind; an unset field is its zero value. Once appended an
// entry never changes, except that its message text may be dropped by the
// retention policy while its hash stays.
//
// Two fields are inputs only and never stored as given: MSISDN, which the
// ledger replaces by its pseudonym (Recipient), and Text, which is kept in
// a separate, purgeable area and committed in the entry through TextHash.
type LedgerEntry struct {
	// Index is the entry's position in the ledger, from 0, assigned by
	// Append.
	Index int64
	Kind  EntryKind
	// Time is when the event happened; Append sets it to the ledger's
	// clock when zero.
	Time time.Time

	// The decision on a message (EntryDecision); see SetDecision.
	Outcome Outcome
	Reason  Reason // why it was rejected or deferred, or what monitor mode let pass
	Flag    Reason // a violation counted without refusing the message
	Mode    Mode   // Monitor when a rule in monitor mode found Reason but let the message pass
	RuleSet string // version of the rule set that decided
	Until   time.Time

	// Who sent, on whose behalf, through which operator.
	ProviderID   string
	AccountID    string // the SMPP system_id or API key prefix that submitted
	AdvertiserID string
	SenderID     string // source_addr as submitted
	OperatorID   string

	// MSISDN is an input: the subscriber's number in E.164 form (or the
	// address as submitted when it is not a valid number). Append replaces
	// it by Recipient; it is never stored, and is empty on entries read
	// back.
	MSISDN string
	// Recipient is the keyed pseudonym of the subscriber the entry is about.
	Recipient Pseudonym

	// Fingerprint identifies the content for matching complaints (a hash of
	// the normalised text, computed by whoever appends).
	Fingerprint []byte
	// Text is the message as the provider submitted it, kept while the
	// retention policy allows. TextHash commits to it: SHA-256 of
	// TextNonce followed by the text, the nonce being random so that a
	// dropped text cannot be recovered by guessing. Append computes both.
	Text      string
	TextNonce []byte
	TextHash  Digest
	// SMSCMessageID is the message id the operator's SMSC returned, passed
	// back to the provider.
	SMSCMessageID string

	// Actions by people and by the register.
	Action  string // what was done: "stop", "suspend", "update"...
	Subject string // what it was done to: a scope, a record
	Channel string // how it arrived: a short code, "web", "api"
	Actor   string // who did it, for actions by people
	Detail  string // free text
	// Refs are the indexes of earlier entries this one is about: the
	// decisions a complaint was matched to, the complaints behind a
	// measure.
	Refs []int64
}

// SetDecision copies a decision of the rules into the entry and makes it an
// EntryDecision.
func (e *LedgerEntry) SetDecision(d Decision) {
	e.Kind = EntryDecision
	e.Outcome = d.Outcome
	e.Reason = d.Reason
	e.Flag = d.Flag
	e.Mode = Enforce
	if d.Monitored {
		e.Mode = Monitor
	}
	e.RuleSet = d.RuleSet
	e.Until = d.Until
}

// Decision returns the decision an EntryDecision records.
func (e *LedgerEntry) Decision() Decision {
	return Decision{
		Outcome:   e.Outcome,
		Reason:    e.Reason,
		Monitored: e.Mode == Monitor,
		Flag:      e.Flag,
		Until:     e.Until,
		RuleSet:   e.RuleSet,
	}
}

// LedgerFilter selects entries. Every set field must match; the zero
// filter selects everything.
type LedgerFilter struct {
	// FromIndex and ToIndex bound the indexes, [FromIndex, ToIndex);
	// ToIndex 0 means no upper bound.
	FromIndex, ToIndex int64
	// Since and Before bound the entries' Time, [Since, Before).
	Since, Before time.Time
	Kinds         []EntryKind
	ProviderID    string
	AdvertiserID  string
	SenderID      string
	OperatorID    string
	Outcome       *Outcome
	Reason        Reason
	// Recipients selects the entries about any of these pseudonyms: an
	// inspector passes the pseudonyms of one number under every key.
	Recipients  []Pseudonym
	Fingerprint []byte
	// RefersTo selects the entries whose Refs include this index: the
	// complaints about a decision, the measures that cite a complaint.
	RefersTo *int64
	// WithText loads the message texts still kept; without it entries are
	// read without their text, which is faster.
	WithText bool
}

// Match reports whether e passes the filter (all but WithText).
func (f *LedgerFilter) Match(e *LedgerEntry) bool {
	switch {
	case e.Index < f.FromIndex, f.ToIndex > 0 && e.Index >= f.ToIndex:
		return false
	case !f.Since.IsZero() && e.Time.Before(f.Since), !f.Before.IsZero() && !e.Time.Before(f.Before):
		return false
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind):
		return false
	case f.ProviderID != "" && e.ProviderID != f.ProviderID,
		f.AdvertiserID != "" && e.AdvertiserID != f.AdvertiserID,
		f.SenderID != "" && e.SenderID != f.SenderID,
		f.OperatorID != "" && e.OperatorID != f.OperatorID:
		return false
	case f.Outcome != nil && (e.Kind != EntryDecision || e.Outcome != *f.Outcome):
		return false
	case f.Reason != ReasonNone && e.Reason != f.Reason && e.Flag != f.Reason:
		return false
	case len(f.Recipients) > 0 && !slices.Contains(f.Recipients, e.Recipient):
		return false
	case f.Fingerprint != nil && string(e.Fingerprint) != string(f.Fingerprint):
		return false
	case f.RefersTo != nil && !slices.Contains(e.Refs, *f.RefersTo):
		return false
	}
	return true
}

// LedgerService appends to the audit ledger and reads it back. Append
// returns only once the entry is durable: the gateway answers a provider
// after its decision is on disk.
type LedgerService interface {
	// Append records e and returns its index. It fills in e.Index,
	// e.Time (when zero), e.Recipient (from e.MSISDN), e.TextNonce and
	// e.TextHash (from e.Text).
	Append(ctx context.Context, e *LedgerEntry) (int64, error)
	// AppendBatch records entries at consecutive indexes and returns the
	// first; it is durable as a whole.
	AppendBatch(ctx context.Context, entries []*LedgerEntry) (int64, error)
	// FindEntryByIndex returns one entry, with its text if still kept; an
	// index past the end is an ENOTFOUND error.
	FindEntryByIndex(ctx context.Context, index int64) (*LedgerEntry, error)
	// FindEntries iterates over the entries that match f, in index order.
	FindEntries(ctx context.Context, f LedgerFilter) iter.Seq2[*LedgerEntry, error]
}
