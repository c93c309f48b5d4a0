package compliance

import (
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/textcheck"
)

// Submission is one message as the rules see it. The gateway fills one per
// message (it can reuse the same value from message to message: deciding
// keeps no reference to it, only to its strings).
type Submission struct {
	// AccountID is the account the message came in on: the SMPP system_id
	// of the bind, or the API key's ID.
	AccountID string
	// ProviderID is the provider the gateway authenticated the account
	// for; empty means the account's provider in the registry.
	ProviderID string
	// Sender is the source_addr, as the subscriber will see it.
	Sender string
	// Recipient is the destination address as msisdn parsed it; when it did
	// not parse, RecipientErr says why and Recipient is zero.
	Recipient    msisdn.Number
	RecipientErr error
	// Operator is the operator serving a Moroccan recipient after number
	// portability (msisdn.Operators.Operator), or, for a foreign recipient,
	// the operator whose SMSC carries the message; NoOperator when unknown
	// (R3 then refuses).
	Operator msisdn.Operator
	// Text is the complete text, every part of a concatenated message
	// reassembled and decoded.
	Text string
	// Category is the category the provider declared for this message, or
	// CategoryUnknown for the sender ID's registered category. A declared
	// category never lowers the bar: transactional declared under a
	// commercial sender ID is read as commercial, and commercial declared
	// under a transactional sender ID is commercial (R4–R8 apply) and
	// mislabelled (R9).
	Category bawwab.Category
	// Time is when the message was submitted.
	Time time.Time
}

// Detail tells, within a rule, what its finding is: the reason code says
// which rule refused, the detail says what to fix. Details are stable
// strings in the ledger and the portal, like reasons.
type Detail uint8

// The details, by rule.
const (
	DetailNone Detail = iota
	// R1
	AccountUnknown       // the account is not in the registry
	AccountDisabled      // the account is disabled
	AccountOtherProvider // the account belongs to another provider than the one authenticated
	ProviderUnknown      // the account's provider is not in the registry
	ProviderNotDeclared  // no ANRT declaration in force at the time
	ProviderNotAllowed   // suspended or withdrawn
	NoContract           // no contract with the recipient's operator in force at the time
	OtherOperatorsNumber // an operator's own account writing to another network's subscriber
	// R2
	SenderUnknown         // the sender ID is not registered
	SenderOtherProvider   // the sender ID is registered to another provider
	SenderNotActingFor    // the provider no longer acts for the sender ID's advertiser
	SenderCategoryUnknown // the sender ID has no known category
	// R3
	RecipientUnreadable // the destination address is not a number
	RecipientNotMobile  // a fixed, special or premium number
	RecipientForeign    // a foreign number, and foreign recipients are not allowed
	OperatorUnknown     // the recipient's operator is not known
	// R4
	MentionMissing // no legible opt-out instruction
	ChannelInvalid // the instruction's means is not a valid channel
	// R5
	OpposedNational   // the recipient opposed all commercial SMS
	OpposedProvider   // the recipient opposed the provider
	OpposedAdvertiser // the recipient opposed the advertiser
	// R6
	NoConsentRecord // no consent or customer record for recipient × advertiser
	// R7
	QuietHour     // outside the allowed hours
	NoSendingDay  // on a day without sending
	NoAllowedTime // no allowed time within maxDeferDays (deferral impossible)
	// R8
	CapReached // a daily cap for the recipient is reached
	// R9
	ReadsCommercial    // the classifier reads the text as prospecting
	DeclaredCommercial // the provider declared commercial a message under a transactional sender ID
	numDetails
)

var detailNames = [numDetails]string{
	"", "account-unknown", "account-disabled", "account-other-provider", "provider-unknown",
	"provider-not-declared", "provider-not-allowed", "no-contract", "other-operators-number",
	"sender-unknown", "sender-other-provider", "sender-not-acting-for", "sender-category-unknown",
	"recipient-unreadable", "recipient-not-mobile", "recipient-foreign", "operator-unknown",
	"mention-missing", "channel-invalid",
	"opposed-national", "opposed-provider", "opposed-advertiser",
	"no-consent-record",
	"quiet-hour", "no-sending-day", "no-allowed-time",
	"cap-reached",
	"reads-commercial", "declared-commercial",
}

// String returns the stable name of the detail.
func (d Detail) String() string {
	if d < numDetails {
		return detailNames[d]
	}
	return fmt.Sprintf("detail(%d)", d)
}

// Findings is a set of rules that found something in a message, enforced or
// monitored.
type Findings uint16

// Has reports whether rule r is in the set.
func (f Findings) Has(r Rule) bool { return f&(1<<r) != 0 }

func (f Findings) String() string {
	var b strings.Builder
	for r := R1; r <= NumRules; r++ {
		if f.Has(r) {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(r.String())
		}
	}
	return b.String()
}

// Result is the decision on one submission with what the gateway needs
// beside it, so that nothing is computed twice.
//
// When several rules find something, the first rule in enforce mode
// decides (reject, or defer for R7, after which R8 still counts the
// message on the day it goes out); rules in monitor mode before it are
// recorded in Findings only. When no rule enforces, the first monitored
// finding is reported in Decision.Reason with Decision.Monitored set, and
// the others are in Findings: the ledger records the reported one, the
// violation counters count them all.
type Result struct {
	bawwab.Decision
	// Rule is the rule behind Decision.Reason (enforced, or the first
	// monitored one); NoRule when there is no reason.
	Rule Rule
	// Detail says what Rule found.
	Detail Detail
	// Findings holds every rule that found something, including monitored
	// ones and an R9 flag.
	Findings Findings
	// ProviderID is the provider the message was decided for.
	ProviderID string
	// AdvertiserID is the advertiser of the sender ID, "" when unknown.
	AdvertiserID string
	// Category is the category the rules applied: commercial (R4–R8) or
	// transactional (R9).
	Category bawwab.Category
	// TextChecked is set when the text checker ran (R4 for commercial
	// traffic, R9's classifier for transactional); Text is its verdict,
	// with the span of the opt-out instruction for the portal.
	TextChecked bool
	Text        textcheck.Result
	// Reservation is the slot R8 counted for this message; the gateway
	// passes it to Engine.Release when the SMSC refuses the message. Zero
	// when nothing was counted.
	Reservation Reservation

	st    *state          // the state that decided, for Explain
	input textcheck.Input // what the text checker read, for Explain
}

// Span returns the bytes of Submission.Text the text verdict points at: the
// opt-out instruction found (valid, or the invalid one), or a keyword
// disguised to dodge filters; ok is false when there is none.
func (r *Result) Span() (start, end int, ok bool) {
	if !r.TextChecked {
		return 0, 0, false
	}
	if start, end, ok = r.Text.Span(); ok {
		return start, end, ok
	}
	if r.Text.DisguisedEnd > r.Text.DisguisedStart {
		return r.Text.DisguisedStart, r.Text.DisguisedEnd, true
	}
	return 0, 0, false
}

// Explain returns a short explanation for people — a provider's integrator
// or an inspector — of the decision: what the rule found and how to fix it.
// It allocates; call it off the hot path, for the messages shown or
// refused.
func (r *Result) Explain() string {
	var b strings.Builder
	b.WriteString(r.Decision.String())
	if r.Rule != NoRule {
		fmt.Fprintf(&b, " by %s (%s)", r.Rule, r.Detail)
		if r.Monitored {
			b.WriteString(", rule in monitor mode")
		}
		b.WriteString(": ")
		b.WriteString(r.explainDetail(r.Detail))
	}
	others := r.Findings &^ (1 << r.Rule)
	if r.Flag != bawwab.ReasonNone {
		others &^= 1 << R9
	}
	if others != 0 {
		fmt.Fprintf(&b, "; also found by %s", others)
	}
	if r.Flag != bawwab.ReasonNone && r.Rule != R9 {
		fmt.Fprintf(&b, "; flagged %s: %s", r.Flag, r.explainDetail(r.r9Detail()))
	}
	return b.String()
}

// r9Detail is the R9 detail when R9 only flagged.
func (r *Result) r9Detail() Detail {
	if r.TextChecked && r.Text.Verdict == textcheck.MislabelledCommercial {
		return ReadsCommercial
	}
	return DeclaredCommercial
}

func (r *Result) explainDetail(d Detail) string {
	var cfg *Config
	if r.st != nil {
		cfg = &r.st.cfg
	}
	switch d {
	case AccountUnknown:
		return "the account is not in the registry"
	case AccountDisabled:
		return "the account is disabled in the registry"
	case AccountOtherProvider:
		return "the account belongs to another provider"
	case ProviderUnknown:
		return fmt.Sprintf("provider %q is not in the registry", r.ProviderID)
	case ProviderNotDeclared:
		return fmt.Sprintf("provider %q has no ANRT declaration in force at the time of the message", r.ProviderID)
	case ProviderNotAllowed:
		return fmt.Sprintf("provider %q is suspended or withdrawn; only a regulator lifts a suspension", r.ProviderID)
	case NoContract:
		return fmt.Sprintf("provider %q has no contract with the recipient's operator in force at the time of the message", r.ProviderID)
	case OtherOperatorsNumber:
		return "an operator's own account may write only to that operator's subscribers (after number portability)"
	case SenderUnknown:
		return fmt.Sprintf("sender ID %q is not registered; register it with its advertiser and category", r.input.Sender)
	case SenderOtherProvider:
		return fmt.Sprintf("sender ID %q is registered to another provider", r.input.Sender)
	case SenderNotActingFor:
		return fmt.Sprintf("provider %q no longer acts for advertiser %q, the owner of sender ID %q", r.ProviderID, r.AdvertiserID, r.input.Sender)
	case SenderCategoryUnknown:
		return fmt.Sprintf("sender ID %q has no known category (commercial or transactional)", r.input.Sender)
	case RecipientUnreadable:
		return "the destination address is not a phone number"
	case RecipientNotMobile:
		return "the recipient is not a mobile number"
	case RecipientForeign:
		return "the recipient is a foreign number and foreign recipients are not allowed"
	case OperatorUnknown:
		return "the recipient's operator is not known"
	case MentionMissing, ChannelInvalid, ReadsCommercial:
		if r.TextChecked {
			in := r.input
			return r.Text.Reason(&in)
		}
	case OpposedNational:
		return "the recipient opposed all commercial SMS (national StopSMS list)"
	case OpposedProvider:
		return fmt.Sprintf("the recipient opposed every advertiser of provider %q", r.ProviderID)
	case OpposedAdvertiser:
		return fmt.Sprintf("the recipient opposed advertiser %q", r.AdvertiserID)
	case NoConsentRecord:
		return fmt.Sprintf("no consent or existing-customer record for the recipient and advertiser %q", r.AdvertiserID)
	case QuietHour, NoSendingDay, NoAllowedTime:
		if cfg == nil {
			break
		}
		s := fmt.Sprintf("commercial SMS may be sent %s–%s %s", cfg.Hours.From, cfg.Hours.Until, cfg.TimeZone)
		if len(cfg.NoSendWeekdays) > 0 || len(cfg.NoSendDates) > 0 {
			s += ", not on the days without sending"
		}
		switch {
		case d == NoAllowedTime:
			s += "; no allowed time comes within a year"
		case r.Outcome == bawwab.Defer:
			s += "; the message goes out at " + r.Until.In(r.st.hours.loc).Format("2006-01-02 15:04 MST")
		}
		return s
	case CapReached:
		if cfg == nil {
			break
		}
		return fmt.Sprintf("the recipient already got the most commercial SMS for the day (%d a day per advertiser, %d in all)", cfg.CapPerAdvertiser, cfg.CapTotal)
	case DeclaredCommercial:
		return fmt.Sprintf("the message was declared commercial but sender ID %q is registered as transactional; send promotions under a commercial sender ID", r.input.Sender)
	}
	return d.String()
}
