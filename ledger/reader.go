package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Reader reads a ledger: entries by index, filtered iteration, checkpoints
// and proofs. A Ledger is a Reader of its durable entries; OpenReader
// reads a ledger directory without writing to it, for inspectors, also
// while the gateway appends.
type Reader struct {
	store Store
	limit func() int64 // entries that may be read
	owns  bool         // Close closes the store
}

// OpenReader opens the ledger in dir for reading only.
func OpenReader(dir string) (*Reader, error) {
	st, err := OpenFileStore(dir, FileStoreOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	return NewReader(st), nil
}

// NewReader reads the records of st.
func NewReader(st Store) *Reader {
	return &Reader{store: st, limit: st.Len, owns: true}
}

// Store returns the store the reader reads.
func (r *Reader) Store() Store { return r.store }

// Len returns the number of entries that can be read.
func (r *Reader) Len() int64 { return r.limit() }

// Close closes the store of a reader from OpenReader or NewReader.
func (r *Reader) Close() error {
	if r.owns {
		return r.store.Close()
	}
	return nil
}

// decodeRecord turns a stored record into an entry (with its text when
// the record carries one).
func decodeRecord(rec *Record, e *bawwab.LedgerEntry) error {
	if err := UnmarshalEntry(rec.Data, e); err != nil {
		return &CorruptError{Index: rec.Index, What: err.Error()}
	}
	e.Index = rec.Index
	if rec.Text != nil {
		e.Text = string(rec.Text.Body)
		e.TextNonce = append([]byte(nil), rec.Text.Nonce[:]...)
	}
	return nil
}

// FindEntryByIndex returns the entry at index, with its text if kept.
func (r *Reader) FindEntryByIndex(ctx context.Context, index int64) (*bawwab.LedgerEntry, error) {
	if n := r.limit(); index < 0 || index >= n {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no entry %d (the ledger has %d)", index, n)
	}
	rec, err := r.store.Record(index)
	if err != nil {
		return nil, fmt.Errorf("read entry %d: %w", index, err)
	}
	e := new(bawwab.LedgerEntry)
	if err := decodeRecord(rec, e); err != nil {
		return nil, err
	}
	return e, nil
}

// FindEntries iterates over the entries that match f, in index order. A
// damaged record ends the iteration with a *CorruptError.
func (r *Reader) FindEntries(ctx context.Context, f bawwab.LedgerFilter) iter.Seq2[*bawwab.LedgerEntry, error] {
	return func(yield func(*bawwab.LedgerEntry, error) bool) {
		to := r.limit()
		if f.ToIndex > 0 && f.ToIndex < to {
			to = f.ToIndex
		}
		var v entryView
		var n int
		for rec, err := range r.store.Scan(f.FromIndex, to) {
			if err != nil {
				yield(nil, err)
				return
			}
			if n++; n%1024 == 0 && ctx.Err() != nil {
				yield(nil, ctx.Err())
				return
			}
			if err := v.parse(rec.Data); err != nil {
				yield(nil, &CorruptError{Index: rec.Index, What: err.Error()})
				return
			}
			if !quickMatch(&v, &f) {
				continue
			}
			e := new(bawwab.LedgerEntry)
			v.entry(e)
			e.Index = rec.Index
			if !f.Match(e) {
				continue
			}
			if f.WithText && rec.Text != nil {
				e.Text = string(rec.Text.Body)
				e.TextNonce = append([]byte(nil), rec.Text.Nonce[:]...)
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// quickMatch rejects entries on the fields that need no allocation, before
// an entry is built.
func quickMatch(v *entryView, f *bawwab.LedgerFilter) bool {
	if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, bawwab.EntryKind(v.kind)) {
		return false
	}
	if !f.Since.IsZero() && v.time < f.Since.UnixNano() || !f.Before.IsZero() && v.time >= f.Before.UnixNano() {
		return false
	}
	for _, c := range [...]struct {
		tag  byte
		want string
	}{{tagProvider, f.ProviderID}, {tagAdvertiser, f.AdvertiserID}, {tagSender, f.SenderID}, {tagOperator, f.OperatorID}} {
		if c.want != "" && string(v.bytesValue(c.tag)) != c.want {
			return false
		}
	}
	if len(f.Recipients) > 0 {
		raw := v.fields[tagRecipient]
		if raw == nil {
			return false
		}
		found := false
		for _, p := range f.Recipients {
			if uint32(raw[0])<<24|uint32(raw[1])<<16|uint32(raw[2])<<8|uint32(raw[3]) == p.KeyID && bytes.Equal(raw[4:], p.Sum[:]) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Checkpoints returns the stored checkpoints, oldest first, each checked
// against the known keys.
func (r *Reader) Checkpoints(known note.Verifiers) ([]*Checkpoint, error) {
	stored, err := r.store.Checkpoints()
	if err != nil {
		return nil, err
	}
	cps := make([]*Checkpoint, 0, len(stored))
	for i, s := range stored {
		c, err := OpenCheckpoint(s.Note, known)
		if err != nil {
			return nil, fmt.Errorf("checkpoint %d: %w", i, err)
		}
		if c.N != s.N {
			return nil, fmt.Errorf("checkpoint %d: covers %d entries, stored as %d", i, c.N, s.N)
		}
		cps = append(cps, c)
	}
	return cps, nil
}

// latestCheckpoint returns the last stored checkpoint, unverified.
func (r *Reader) latestCheckpoint() (*Checkpoint, error) {
	stored, err := r.store.Checkpoints()
	if len(stored) == 0 {
		if err == nil {
			err = bawwab.Errorf(bawwab.ENOTFOUND, "the ledger has no checkpoint yet")
		}
		return nil, err
	}
	return ParseCheckpoint(stored[len(stored)-1].Note)
}

// Proof shows that an entry is in the ledger: the entry's canonical bytes,
// the Merkle audit path from it to the tree hash of a signed checkpoint,
// and that checkpoint. Whoever holds it and the ledger's public key can
// check it offline (VerifyInclusion); the text, when included, is checked
// against the entry's text hash.
type Proof struct {
	Index      int64       `json:"index"`
	Entry      []byte      `json:"entry"`
	Text       string      `json:"text,omitempty"`
	TextNonce  []byte      `json:"text_nonce,omitempty"`
	Path       []tlog.Hash `json:"path"`
	Checkpoint string      `json:"checkpoint"`
}

// ProveEntry proves that entry index is in the tree of the latest
// checkpoint, which must cover it.
func (r *Reader) ProveEntry(ctx context.Context, index int64) (*Proof, error) {
	cp, err := r.latestCheckpoint()
	if err != nil {
		return nil, err
	}
	return r.proveAgainst(index, cp)
}

func (r *Reader) proveAgainst(index int64, cp *Checkpoint) (*Proof, error) {
	if index < 0 || index >= cp.N {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "entry %d is not covered by the latest checkpoint (%d entries)", index, cp.N)
	}
	rec, err := r.store.Record(index)
	if err != nil {
		return nil, fmt.Errorf("prove entry %d: %w", index, err)
	}
	path, err := tlog.ProveRecord(cp.N, index, r.store)
	if err != nil {
		return nil, fmt.Errorf("prove entry %d: %w", index, err)
	}
	p := &Proof{Index: index, Entry: bytes.Clone(rec.Data), Path: path, Checkpoint: string(cp.Note)}
	if rec.Text != nil {
		p.Text = string(rec.Text.Body)
		p.TextNonce = rec.Text.Nonce[:]
	}
	return p, nil
}

// VerifyInclusion checks a proof against the known public keys and returns
// the entry it proves and the checkpoint it was proved against.
func VerifyInclusion(p *Proof, known note.Verifiers) (*bawwab.LedgerEntry, *Checkpoint, error) {
	cp, err := OpenCheckpoint([]byte(p.Checkpoint), known)
	if err != nil {
		return nil, nil, err
	}
	if p.Index < 0 || p.Index >= cp.N {
		return nil, nil, fmt.Errorf("entry %d is outside the checkpoint's %d entries", p.Index, cp.N)
	}
	e := new(bawwab.LedgerEntry)
	if err := UnmarshalEntry(p.Entry, e); err != nil {
		return nil, nil, err
	}
	e.Index = p.Index
	if err := tlog.CheckRecord(p.Path, cp.N, cp.Hash, p.Index, tlog.RecordHash(p.Entry)); err != nil {
		return nil, nil, fmt.Errorf("entry %d is not in the tree of the checkpoint: %w", p.Index, err)
	}
	if p.Text != "" || p.TextNonce != nil {
		if len(p.TextNonce) != TextNonceSize || TextHash(p.TextNonce, p.Text) != e.TextHash {
			return nil, nil, errors.New("the text does not match the entry's text hash")
		}
		e.Text, e.TextNonce = p.Text, p.TextNonce
	}
	return e, cp, nil
}

// ProveConsistency proves that the tree of newN entries extends the tree
// of oldN entries (a Merkle consistency proof, RFC 6962).
func (r *Reader) ProveConsistency(oldN, newN int64) (tlog.TreeProof, error) {
	if newN > r.limit() {
		return nil, fmt.Errorf("prove consistency: the ledger has only %d entries", r.limit())
	}
	return tlog.ProveTree(newN, oldN, r.store)
}

// VerifyConsistency checks that checkpoint newer extends checkpoint older:
// no entry older covers was changed or removed to make newer.
func VerifyConsistency(older, newer *Checkpoint, p tlog.TreeProof) error {
	switch {
	case older.Origin != newer.Origin:
		return fmt.Errorf("checkpoints of different ledgers (%s, %s)", older.Origin, newer.Origin)
	case older.N > newer.N:
		return fmt.Errorf("checkpoint of %d entries is older than one of %d", newer.N, older.N)
	case older.N == 0:
		return nil
	case older.N == newer.N:
		if older.Hash != newer.Hash {
			return errors.New("two checkpoints of the same size with different tree hashes")
		}
		return nil
	}
	if err := tlog.CheckTree(p, newer.N, newer.Hash, older.N, older.Hash); err != nil {
		return fmt.Errorf("checkpoint of %d entries does not extend the one of %d: %w", newer.N, older.N, err)
	}
	return nil
}
