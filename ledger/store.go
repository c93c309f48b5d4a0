package ledger

import (
	"fmt"
	"iter"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Store is where a ledger keeps its records, the stored hashes of its
// Merkle tree, its message texts and its checkpoints. The Ledger does the
// hashing, chaining, signing and group commit above it, so that a store is
// plain durable storage: segment files in a directory (FileStore, the
// default), or a table appended in batches for deployments of many nodes.
//
// One goroutine writes (Append, WriteHashes, Sync, AppendCheckpoint);
// reads and PurgeTexts may run concurrently with it.
type Store interface {
	// Len returns the number of records written.
	Len() int64
	// Append writes records that continue the ledger: recs[0].Index must be
	// Len(). They need not be durable until Sync returns.
	Append(recs []Record) error
	// Sync makes every record appended so far durable, texts included.
	Sync() error

	// HashCount returns the number of stored tree hashes.
	HashCount() int64
	// WriteHashes writes stored hashes (golang.org/x/mod/sumdb/tlog's
	// StoredHashes) at stored-hash index at, dropping any beyond them;
	// at must not exceed HashCount(). They are derived data: a store may
	// defer making them durable until AppendCheckpoint.
	WriteHashes(at int64, hashes []tlog.Hash) error
	// ReadHashes returns stored hashes by index (a tlog.HashReader).
	ReadHashes(indexes []int64) ([]tlog.Hash, error)

	// AppendCheckpoint makes everything written so far durable, then
	// stores a signed checkpoint covering the first n records.
	AppendCheckpoint(n int64, signed []byte) error
	// Checkpoints returns the stored checkpoints, oldest first.
	Checkpoints() ([]StoredCheckpoint, error)

	// Record returns the record at index with its text, if any is kept.
	Record(index int64) (*Record, error)
	// Scan iterates over the records [from, to) in order (to < 0: to the
	// end), with their texts. The yielded record and its slices are reused
	// by the next iteration. A damaged or missing record is yielded as a
	// *CorruptError, after which the iteration stops.
	Scan(from, to int64) iter.Seq2[*Record, error]

	// PurgeTexts drops the message texts of the records before index
	// below whose time is before t, and returns how many it dropped.
	// Records and hashes stay.
	PurgeTexts(before time.Time, below int64) (int64, error)

	Close() error
}

// Record is one entry as stored: its canonical encoding (what is hashed),
// its chain hash, and its message text if one is kept.
type Record struct {
	Index int64
	// Data is the canonical encoding of the entry (MarshalEntry).
	Data  []byte
	Chain tlog.Hash
	// HasText says that the entry was written with a message text; Text is
	// nil when the text was not read or was dropped by the retention
	// policy.
	HasText bool
	Text    *Text
}

// Text is a message text kept beside its entry, with the nonce of its
// commitment. Time is the entry's time, so that the retention policy can
// drop texts without decoding entries.
type Text struct {
	Time  int64 // Unix nanoseconds
	Nonce [TextNonceSize]byte
	Body  []byte
}

// StoredCheckpoint is a signed checkpoint as a store keeps it.
type StoredCheckpoint struct {
	N    int64
	Note []byte
}

// CorruptError reports a record, text or checkpoint that is damaged,
// missing or out of place in a store.
type CorruptError struct {
	// Index is the first entry affected (-1 for a checkpoint).
	Index int64
	What  string
	// Tail is set when the damage is at the very end of what was written:
	// the mark of a write cut short by a crash, which opening the ledger
	// for writing truncates when no checkpoint covers it.
	Tail bool
}

func (e *CorruptError) Error() string {
	if e.Index < 0 {
		return e.What
	}
	return fmt.Sprintf("entry %d: %s", e.Index, e.What)
}
