// Package proxy is the in-line gateway: the SMPP listener the providers bind
// to, the SMPP links to the operators' SMSCs, and the HTTP submit API
// (JSON, and Kannel's sendsms). Every message is decided by the rules
// (package compliance) before it reaches an operator; the decision is in
// the durable ledger before the provider gets its answer.
//
// A submit_sm goes:
//
//  1. through the account's rate limit and the provider's sanction status
//     (a suspension refuses, a throttle caps the rate);
//  2. for a part of a concatenated message that is not the last to arrive,
//     answered at once with a message id Bawwab issues, and held (bounded in
//     time and memory) until the message is complete;
//  3. to the rules, on the whole text;
//  4. if refused, answered with the reason's vendor command_status
//     (docs/REASONS.md); if accepted or deferred (schedule_delivery_time
//     set), forwarded byte for byte to the recipient's operator after
//     number portability, and answered with the SMSC's own response once
//     the decision and the SMSC's message id are in the ledger.
//
// Delivery receipts come back to the bind that sent the message (or
// another receiver bind of the same account), never before the message's
// own answer; when none is bound they wait in the outbox, durable when the
// store provides one, and are delivered when the provider binds a
// receiver. The receipts' routes (operator's message id to account) are
// recorded in the store too, so a receipt the SMSC sends after a restart
// still finds its account. MO messages to the national StopSMS
// channel and to registered opt-out channels go through the MO keyword
// engine (package mo): the oppositions are recorded and in force before the
// free confirmations go back through the SMSC. MO to the complaint short
// code become complaint reports; MO to a provider's service code are
// relayed to that provider only.
//
// If an SMSC link drops, the submissions waiting on it are answered
// ESME_RTHROTTLED (the provider retries), never left without an answer,
// and the provider's bind stays up while the link rebinds with back-off.
//
// The registry is read at Start and again whenever the change feed shows a
// change to it (Options.Feed), so that a suspension or a new account takes
// effect without a restart. docs/GATEWAY.md describes the whole.
package proxy
