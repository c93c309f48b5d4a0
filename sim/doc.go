// Package sim simulates the network around the gateway, for the demo,
// end-to-end tests and benchmarks: operator SMSCs and the providers that
// load them.
//
// An SMSC (NewSMSC) accepts binds (from a list of accounts, or any),
// answers every submit_sm with a message id, sends a delivery receipt after
// a delay with a configurable share of failures (DELIVRD, UNDELIV,
// REJECTD, with the receipt text and TLVs), originates MO messages
// (DeliverMO, ReadMOs for a file, MOHandler for HTTP) and counts
// everything (Stats). It is built on smpp with an inline handler and
// recycled requests, so it is also the fast sink `bawwab bench smpp`
// measures. Several run side by side in one process.
//
// RunLoad is the other side: an ESME that binds (one or several sessions)
// and submits messages from text templates, as fast as its window allows
// (each answer starts the next message, from the session's reader) or at a
// rate, then reports the rate, the latency percentiles and the receipts it
// collected.
package sim
