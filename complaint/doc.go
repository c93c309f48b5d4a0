// Package complaint handles subscribers' reports of unwanted SMS
// (RULES.md, "Complaints and sanctions"): it matches a report to the
// ledger's record of the message delivered — by the subscriber's
// pseudonym under every key, a time window, the sender ID and a content
// fingerprint that survives the edits people make when forwarding — and
// opens a case against the provider that sent it, which a regulator or the
// operator confirms or dismisses, each step recorded with who and why in
// the store and in the ledger.
//
// What the gateway calls:
//
//   - Fingerprint (or AppendFingerprint, which does not allocate) on the
//     text of every decision, into the ledger entry's Fingerprint field:
//     the format is documented in fingerprint.go;
//   - Desk.IntakeSMS for every MO message to the complaint short code,
//     answering the subscriber with Reply;
//   - Desk.Run in the background, and report.Feeder, which indexes the
//     deliveries the desk looks reports up in.
//
// What the console and the API call: Desk.Intake (the web form), Desk.Decide
// (confirm, dismiss), and the store's ComplaintService to list and show
// cases. No subscriber number is kept: the number of a report is used to
// compute its pseudonyms, and the numbers in the reported text are masked
// (MaskNumbers).
package complaint
