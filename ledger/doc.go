// Package ledger is Bawwab's audit ledger: an append-only log of every
// decision on a commercial SMS and of everything else the regulators
// control (oppositions, complaint outcomes, measures against providers,
// changes made by people, key rotations, retention purges), kept so that
// no one can alter it quietly and a copy reveals no subscriber number.
//
// It follows Go's checksum database (golang.org/x/mod/sumdb/tlog and
// sumdb/note), itself the design of Certificate Transparency (RFC 6962):
// each entry has a canonical, versioned encoding; the encodings are the
// leaves of a Merkle tree whose stored hashes are kept beside the records
// and, in addition, are chained one to the next; checkpoints (signed tree
// heads, Ed25519 notes) are written every N entries, every T seconds and on
// Close. Anyone holding an entry, a proof and a checkpoint can check the
// entry offline (ProveEntry, VerifyInclusion), and a later checkpoint
// against an earlier one (ProveConsistency, VerifyConsistency). Verify
// checks a whole ledger and names the first bad entry.
//
// Subscriber numbers are never stored: an entry carries the keyed
// pseudonym HMAC-SHA256(key, E.164 number) and the key's id (Keyring).
// Message texts live in a separate, purgeable area and are committed in
// the entry through a salted hash, so that the retention policy can drop
// a text (PurgeTexts) and the ledger still verifies.
//
// Appends are durable when they return: a single writer goroutine writes
// batches with one fdatasync each (group commit), so that many concurrent
// appenders share a sync. Storage sits behind the Store interface;
// FileStore keeps length-prefixed, checksummed records in numbered
// segment files and truncates a torn tail on open. FORMAT.md gives every
// byte, and the measurements behind the choice of storage.
package ledger
