package bawwab

import (
	"fmt"
	"net/http"
)

// Reason names why a message was refused, deferred or flagged. Reasons are
// stable strings: they are written in the ledger, returned over HTTP and
// mapped to SMPP command_status values, so a reason is never renamed or
// reused, only added. The list below is the one place where they are defined;
// docs/REASONS.md is generated from it (go test -run TestReasonsDoc -update).
type Reason string

// The reasons of the rules R1–R9 (docs/RULES.md), in rule order, then the
// reasons the gateway itself adds.
const (
	// ReasonNone is the empty reason of an accepted, unflagged message.
	ReasonNone Reason = ""

	// R1: the account does not belong to a declared, active provider with a
	// valid contract with the recipient's operator (or the provider is
	// suspended or withdrawn, or an operator's own account writes to another
	// operator's subscriber).
	ReasonProviderNotAuthorised Reason = "provider-not-authorised"
	// R2: the sender ID is not registered to this provider, or its category
	// is unknown.
	ReasonSenderNotRegistered Reason = "sender-not-registered"
	// R3: the recipient is not a valid Moroccan mobile number (or an allowed
	// foreign one), or its operator is unknown.
	ReasonInvalidRecipient Reason = "invalid-recipient"
	// R4: a commercial message carries no legible opt-out instruction (a
	// keyword and a means).
	ReasonOptOutMentionMissing Reason = "optout-mention-missing"
	// R4: a commercial message names a means that is not a registered, free
	// opt-out channel of this provider or advertiser (or the national one).
	ReasonOptOutChannelInvalid Reason = "optout-channel-invalid"
	// R5: the recipient opposed this advertiser, this provider, or all
	// commercial SMS.
	ReasonRecipientOptedOut Reason = "recipient-opted-out"
	// R6: consent mode is on and no consent or existing-customer record
	// exists for this recipient and advertiser.
	ReasonNoConsent Reason = "no-consent"
	// R7: commercial sending outside the allowed hours or on a day without
	// sending, when the configuration rejects rather than defers.
	ReasonQuietHours Reason = "quiet-hours"
	// R8: the per-recipient daily cap (per advertiser or overall) is reached.
	ReasonFrequencyCap Reason = "frequency-cap"
	// R9: a message under a transactional sender ID reads as commercial
	// prospecting.
	ReasonMislabelledCommercial Reason = "mislabelled-commercial"

	// The provider is under a throttling measure, or its account exceeds its
	// configured rate: a temporary condition the client should retry.
	ReasonRateLimited Reason = "rate-limited"
	// The parts of a concatenated message did not all arrive in time, or the
	// message exceeded the reassembly bounds, so it could not be decided as a
	// whole.
	ReasonConcatenationIncomplete Reason = "concatenation-incomplete"
	// The operator's SMSC is unreachable or refused the message after it was
	// accepted by the rules.
	ReasonSMSCUnavailable Reason = "smsc-unavailable"
)

// ReasonInfo documents one reason: what it means, which rule raises it, and
// how each transport reports it.
type ReasonInfo struct {
	Reason Reason
	// Rule is the rule of docs/RULES.md that raises the reason ("R1".."R9"),
	// or "gateway" for the reasons the gateway adds.
	Rule string
	// SMPPStatus is the submit_sm_resp command_status. The rule reasons use
	// the vendor range 0x400–0x4FF, one code each; rate-limited uses the
	// standard ESME_RTHROTTLED so that clients back off and retry.
	SMPPStatus uint32
	// HTTPStatus is the status of the JSON error of the HTTP API.
	HTTPStatus int
	// Summary is one line for people: an integrator reading a refusal.
	Summary string
	// Fix tells a provider's integrator what to change.
	Fix string
}

// reasons is the table of every reason, in rule order. It is append-only.
var reasons = []ReasonInfo{
	{ReasonProviderNotAuthorised, "R1", 0x400, http.StatusForbidden,
		"the account is not a declared, active provider with a valid contract for the recipient's operator",
		"check the provider's status and its contract with this operator; a suspension is lifted only by a regulator"},
	{ReasonSenderNotRegistered, "R2", 0x401, http.StatusForbidden,
		"the sender ID is not registered to this provider",
		"register the sender ID, with its advertiser and category, before sending under it"},
	{ReasonInvalidRecipient, "R3", 0x402, http.StatusBadRequest,
		"the recipient is not a valid Moroccan mobile number or an allowed foreign one",
		"clean the contact list, for example with `bawwab numbers`"},
	{ReasonOptOutMentionMissing, "R4", 0x403, http.StatusUnprocessableEntity,
		"the commercial text carries no legible opt-out instruction (a STOP keyword and a short code)",
		"add an instruction such as \"STOP au 5050\" naming a registered free channel; do not space or disguise the keyword"},
	{ReasonOptOutChannelInvalid, "R4", 0x404, http.StatusUnprocessableEntity,
		"the opt-out instruction names a number that is not a registered, free channel of this provider or advertiser",
		"name one of your registered free opt-out channels, or the national StopSMS channel"},
	{ReasonRecipientOptedOut, "R5", 0x405, http.StatusForbidden,
		"the recipient has opposed this advertiser, this provider, or all commercial SMS",
		"remove the number from the list; download the opted-out numbers from the console"},
	{ReasonNoConsent, "R6", 0x406, http.StatusForbidden,
		"no consent or existing-customer record exists for this recipient and advertiser",
		"record the consent (bawwab consent import) before sending"},
	{ReasonQuietHours, "R7", 0x407, http.StatusForbidden,
		"commercial sending is not allowed at this time (Africa/Casablanca)",
		"send within the allowed hours, or let the gateway defer the message"},
	{ReasonFrequencyCap, "R8", 0x408, http.StatusTooManyRequests,
		"the recipient's daily cap of commercial messages is reached",
		"send fewer commercial messages to the same recipient per day"},
	{ReasonMislabelledCommercial, "R9", 0x409, http.StatusUnprocessableEntity,
		"the text reads as commercial prospecting but the sender ID is registered as transactional",
		"send promotions under a commercial sender ID, with an opt-out instruction"},
	{ReasonRateLimited, "gateway", 0x58, http.StatusTooManyRequests,
		"the account sends faster than its rate limit or its provider is throttled",
		"slow down and retry; ESME_RTHROTTLED is temporary"},
	{ReasonConcatenationIncomplete, "gateway", 0x40A, http.StatusBadRequest,
		"the parts of a concatenated message did not all arrive in time",
		"send every part of a long message on the same bind, promptly, with consistent references"},
	{ReasonSMSCUnavailable, "gateway", 0x40B, http.StatusServiceUnavailable,
		"the recipient operator's SMSC could not take the message",
		"retry later"},
}

var reasonIndex = func() map[Reason]int {
	m := make(map[Reason]int, len(reasons))
	for i, r := range reasons {
		m[r.Reason] = i
	}
	return m
}()

// Reasons returns every reason, in rule order.
func Reasons() []ReasonInfo { return append([]ReasonInfo(nil), reasons...) }

// Info returns the documentation of r; ok is false for an unknown reason.
func (r Reason) Info() (info ReasonInfo, ok bool) {
	i, ok := reasonIndex[r]
	if !ok {
		return ReasonInfo{}, false
	}
	return reasons[i], true
}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool { _, ok := reasonIndex[r]; return ok }

// SMPPStatus returns the command_status that reports r over SMPP, or
// 0x08 (ESME_RSYSERR) for an unknown reason.
func (r Reason) SMPPStatus() uint32 {
	if info, ok := r.Info(); ok {
		return info.SMPPStatus
	}
	return 0x08
}

// HTTPStatus returns the HTTP status that reports r, or 500 for an unknown
// reason.
func (r Reason) HTTPStatus() int {
	if info, ok := r.Info(); ok {
		return info.HTTPStatus
	}
	return http.StatusInternalServerError
}

// ReasonForSMPPStatus returns the reason reported by an SMPP command_status
// in the vendor range, so that a client (or a receipt's err: field) can be
// read back.
func ReasonForSMPPStatus(status uint32) (Reason, bool) {
	for _, r := range reasons {
		if r.SMPPStatus == status {
			return r.Reason, true
		}
	}
	return ReasonNone, false
}

// ParseReason reads a reason from its stable string.
func ParseReason(s string) (Reason, error) {
	r := Reason(s)
	if !r.Valid() {
		return ReasonNone, fmt.Errorf("unknown reason %q", s)
	}
	return r, nil
}
