package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Ledger is the audit ledger, open for appending. Appends from many
// goroutines are gathered by one sequencer goroutine, which gives them
// their indexes, chains them and adds them to the Merkle tree, and written
// by one writer goroutine with a single fdatasync per batch (group commit):
// each Append returns once its batch is durable. Checkpoints are signed
// every CheckpointEvery entries, every CheckpointInterval, and on Close.
//
// A Ledger is a Reader of its durable entries.
type Ledger struct {
	*Reader
	opts   Options
	store  Store
	signer note.Signer
	vkey   string
	keys   *Keyring

	mu       sync.RWMutex // guards closed; held for reading while a request is sent
	closed   bool
	reqs     chan *request
	toWriter chan *batch
	free     chan *batch
	done     chan struct{} // closed when the writer has finished
	reqPool  sync.Pool

	nonceKey [32]byte      // random, never stored: text nonces derive from it
	nonceCtr atomic.Uint64 // and from this counter

	durable  atomic.Int64
	latest   atomic.Pointer[Checkpoint]
	failed   atomic.Pointer[error]
	appended atomic.Int64
	batches  atomic.Int64
	syncs    atomic.Int64
	signed   atomic.Int64

	recovered string // what opening repaired

	// Owned by the sequencer goroutine.
	next    int64
	chain   tlog.Hash
	tree    *frontier
	lastCPN int64
}

// Options configures a Ledger.
type Options struct {
	// SigningKeyFile holds the Ed25519 key that signs checkpoints, as a
	// note signer key ("PRIVATE+KEY+name+hash+key"); it is made, with
	// the name Origin, when absent. Keep it apart from the ledger: whoever
	// holds it can sign a rewritten ledger. Required.
	SigningKeyFile string
	// Origin names a new signing key and so the ledger in its checkpoints
	// (default "bawwab-ledger"); give each node its own.
	Origin string
	// Keyring turns the entries' MSISDN into pseudonyms. Without one,
	// appending an entry with an MSISDN fails.
	Keyring *Keyring
	// Store is where the ledger is kept; nil opens a FileStore in the
	// directory given to Open.
	Store Store
	// SegmentSize is the FileStore's segment size (default 64 MiB).
	SegmentSize int64
	// CheckpointEvery and CheckpointInterval say how often checkpoints
	// are signed (default every 100 000 entries or 10 s, whichever comes
	// first); there is always one on Close.
	CheckpointEvery    int64
	CheckpointInterval time.Duration
	// MaxBatch caps the entries of one group commit (default 16 384).
	MaxBatch int
	// Now is the clock (time.Now when nil); Rand the source of text
	// nonces and new keys (crypto/rand when nil), safe for concurrent use.
	Now    func() time.Time
	Rand   io.Reader
	Logger *slog.Logger
}

// ErrClosed is returned by the appends made after Close.
var ErrClosed = errors.New("ledger closed")

var _ bawwab.LedgerService = (*Ledger)(nil)

// Open opens (creating it if needed) the ledger in dir: a FileStore unless
// opts.Store is set. It recovers from a crash first: a torn tail is
// truncated, the tree hashes after the last checkpoint are rebuilt from the
// records, and the last checkpoint is checked against them.
func Open(dir string, opts Options) (*Ledger, error) {
	opts.defaults()
	st := opts.Store
	if st == nil {
		fs, err := OpenFileStore(dir, FileStoreOptions{SegmentSize: opts.SegmentSize, Logger: opts.Logger})
		if err != nil {
			return nil, fmt.Errorf("open ledger: %w", err)
		}
		st = fs
		defer func() {
			if fs.Recovered != "" {
				opts.Logger.Warn("ledger: recovered after a crash", "what", fs.Recovered)
			}
		}()
	}
	l, err := New(st, opts)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open ledger %s: %w", dir, err)
	}
	if fs, ok := st.(*FileStore); ok {
		l.recovered = fs.Recovered
		if err := addPublicKey(filepath.Join(dir, "ledger.pub"), l.vkey); err != nil {
			l.Close()
			return nil, fmt.Errorf("open ledger %s: %w", dir, err)
		}
	}
	return l, nil
}

func (o *Options) defaults() {
	if o.Origin == "" {
		o.Origin = DefaultOrigin
	}
	if o.CheckpointEvery <= 0 {
		o.CheckpointEvery = 100_000
	}
	if o.CheckpointInterval <= 0 {
		o.CheckpointInterval = 10 * time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 16384
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// addPublicKey adds vkey to the ledger's list of public keys, the file a
// copy of the ledger is verified with when no key is given.
func addPublicKey(path, vkey string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) == vkey {
			return nil
		}
	}
	if len(data) == 0 {
		data = []byte("# Public keys of the checkpoints of this ledger (note verifier keys), oldest first.\n" +
			"# Inspectors should get them from the operator of the ledger, not from a copy of it.\n")
	}
	return writeFileAtomic(path, append(data, vkey+"\n"...), 0o644)
}

// New opens a ledger on a store (which Close then closes).
func New(st Store, opts Options) (*Ledger, error) {
	opts.defaults()
	if opts.SigningKeyFile == "" {
		return nil, errors.New("no signing key file")
	}
	signer, vkey, err := openSigningKey(opts.SigningKeyFile, opts.Origin, opts.Rand)
	if err != nil {
		return nil, err
	}
	l := &Ledger{
		Reader:   &Reader{store: st},
		opts:     opts,
		store:    st,
		signer:   signer,
		vkey:     vkey,
		keys:     opts.Keyring,
		reqs:     make(chan *request, 4096),
		toWriter: make(chan *batch),
		free:     make(chan *batch, 4),
		done:     make(chan struct{}),
	}
	l.Reader.limit = l.durable.Load
	if _, err := io.ReadFull(opts.Rand, l.nonceKey[:]); err != nil {
		return nil, fmt.Errorf("nonce key: %w", err)
	}
	l.reqPool.New = func() any { return &request{done: make(chan error, 1)} }
	if err := l.recover(); err != nil {
		return nil, err
	}
	l.durable.Store(l.next)
	go l.sequence()
	go l.write()
	if l.next > l.lastCPN {
		// Entries no checkpoint covers (a crash came first): vouch for
		// them now that they are checked.
		if _, err := l.Checkpoint(context.Background()); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// recover checks the last checkpoint against the store and rebuilds the
// stored hashes of the entries after it, checking their chain.
func (l *Ledger) recover() error {
	st := l.store
	n := st.Len()
	stored, err := st.Checkpoints()
	if err != nil {
		return err
	}
	var cp *Checkpoint
	if len(stored) > 0 {
		last := stored[len(stored)-1]
		v, err := note.NewVerifier(l.vkey)
		if err != nil {
			return err
		}
		if cp, err = OpenCheckpoint(last.Note, note.VerifierList(v)); err != nil {
			return fmt.Errorf("last checkpoint: %w (was the signing key replaced?)", err)
		}
		if cp.N != last.N || cp.N > n {
			return &CorruptError{Index: n, What: fmt.Sprintf("the last checkpoint covers %d entries but the store holds %d: run bawwab ledger verify", cp.N, n)}
		}
		l.latest.Store(cp)
	}
	start := int64(0)
	l.tree = &frontier{}
	if cp != nil && st.HashCount() >= tlog.StoredHashCount(cp.N) {
		tree, err := loadFrontier(cp.N, st)
		if err != nil {
			return err
		}
		th, err := tree.treeHash()
		if err != nil {
			return err
		}
		if th != cp.Hash {
			return &CorruptError{Index: -1, What: fmt.Sprintf("the stored tree does not match the last checkpoint (%d entries): run bawwab ledger verify", cp.N)}
		}
		if cp.N > 0 {
			rec, err := st.Record(cp.N - 1)
			if err != nil {
				return err
			}
			if rec.Chain != cp.Chain {
				return &CorruptError{Index: cp.N - 1, What: "chain hash differs from the last checkpoint's: run bawwab ledger verify"}
			}
		}
		start, l.tree, l.chain = cp.N, tree, cp.Chain
	}
	at := tlog.StoredHashCount(start)
	if err := st.WriteHashes(at, nil); err != nil {
		return err
	}
	var hashes []tlog.Hash
	var v entryView
	for rec, err := range st.Scan(start, n) {
		if err != nil {
			return err
		}
		if err := v.parse(rec.Data); err != nil {
			return &CorruptError{Index: rec.Index, What: err.Error()}
		}
		rh := tlog.RecordHash(rec.Data)
		l.chain = ChainHash(l.chain, rh)
		if l.chain != rec.Chain {
			return &CorruptError{Index: rec.Index, What: "chain hash mismatch: run bawwab ledger verify"}
		}
		hs, err := l.tree.add(rec.Index, rh)
		if err != nil {
			return err
		}
		hashes = append(hashes, hs...)
		if cp != nil && start == 0 && rec.Index+1 == cp.N {
			if th, err := l.tree.treeHash(); err != nil || th != cp.Hash || l.chain != cp.Chain {
				return &CorruptError{Index: -1, What: fmt.Sprintf("the records do not match the last checkpoint (%d entries): run bawwab ledger verify", cp.N)}
			}
		}
		if len(hashes) >= 1<<16 {
			if err := st.WriteHashes(at, hashes); err != nil {
				return err
			}
			at += int64(len(hashes))
			hashes = hashes[:0]
		}
	}
	if err := st.WriteHashes(at, hashes); err != nil {
		return err
	}
	if l.tree.n != n {
		return fmt.Errorf("rebuilt the tree of %d entries, the store holds %d", l.tree.n, n)
	}
	l.next = n
	if cp != nil {
		l.lastCPN = cp.N
	}
	return nil
}

// PublicKey returns the verifier key of the checkpoints ("name+hash+key"),
// to hand to inspectors.
func (l *Ledger) PublicKey() string { return l.vkey }

// Keyring returns the pseudonym keys, or nil.
func (l *Ledger) Keyring() *Keyring { return l.keys }

// Recovered says what opening the ledger repaired after a crash ("" when
// nothing).
func (l *Ledger) Recovered() string { return l.recovered }

// LatestCheckpoint returns the last signed checkpoint, or nil.
func (l *Ledger) LatestCheckpoint() *Checkpoint { return l.latest.Load() }

// LogValue returns a log value that prints msisdn as its pseudonym's short
// form (see Keyring.LogValue).
func (l *Ledger) LogValue(msisdn string) slog.Value { return l.keys.LogValue(msisdn) }

// request is one Append, AppendBatch or Checkpoint on its way through the
// sequencer and the writer.
type request struct {
	entries    []*bawwab.LedgerEntry
	one        [1]*bawwab.LedgerEntry
	recs       []Record
	rhash      []tlog.Hash
	lens       []int
	texts      []Text
	buf        []byte
	checkpoint bool
	first      int64
	cp         *Checkpoint
	done       chan error
}

// batch is what the writer writes with one sync.
type batch struct {
	reqs   []*request
	recs   []Record
	hashes []tlog.Hash
	hashAt int64
	end    int64
	head   *Checkpoint // the tree head to sign after the sync, if any
}

// Append records e durably and returns its index (see
// bawwab.LedgerService).
func (l *Ledger) Append(ctx context.Context, e *bawwab.LedgerEntry) (int64, error) {
	req := l.reqPool.Get().(*request)
	req.one[0] = e
	req.entries = req.one[:]
	return l.submit(ctx, req)
}

// AppendBatch records entries at consecutive indexes, durably, and returns
// the first index.
func (l *Ledger) AppendBatch(ctx context.Context, entries []*bawwab.LedgerEntry) (int64, error) {
	if len(entries) == 0 {
		return l.durable.Load(), nil
	}
	req := l.reqPool.Get().(*request)
	req.entries = entries
	return l.submit(ctx, req)
}

// Checkpoint signs a checkpoint covering every entry appended before the
// call, and returns it once it is durable.
func (l *Ledger) Checkpoint(ctx context.Context) (*Checkpoint, error) {
	req := &request{checkpoint: true, done: make(chan error, 1)}
	if _, err := l.submit(ctx, req); err != nil {
		return nil, err
	}
	return req.cp, nil
}

func (l *Ledger) submit(ctx context.Context, req *request) (int64, error) {
	if err := l.prepare(req); err != nil {
		l.recycle(req)
		return -1, fmt.Errorf("append to ledger: %w", err)
	}
	if err := ctx.Err(); err != nil {
		l.recycle(req)
		return -1, err
	}
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		l.recycle(req)
		return -1, ErrClosed
	}
	l.reqs <- req
	l.mu.RUnlock()
	select {
	case err := <-req.done:
		if err != nil {
			l.recycle(req)
			return -1, fmt.Errorf("append to ledger: %w", err)
		}
	case <-ctx.Done():
		// The entry may still be written; the request is not reused.
		return -1, ctx.Err()
	}
	first := req.first
	for i, e := range req.entries {
		e.Index = first + int64(i)
	}
	l.recycle(req)
	return first, nil
}

func (l *Ledger) recycle(req *request) {
	if req.checkpoint {
		return // not pooled: Checkpoint reads req.cp after submit
	}
	req.entries, req.one[0] = nil, nil
	clear(req.recs)
	clear(req.texts)
	req.recs, req.rhash, req.lens, req.texts, req.buf = req.recs[:0], req.rhash[:0], req.lens[:0], req.texts[:0], req.buf[:0]
	if cap(req.buf) > 1<<20 {
		req.buf = nil
	}
	l.reqPool.Put(req)
}

// prepare does the work that needs no order, in the appender's goroutine:
// pseudonyms, text commitments, encoding, record hashes.
func (l *Ledger) prepare(req *request) error {
	now := time.Time{}
	for i, e := range req.entries {
		if e.Time.IsZero() {
			if now.IsZero() {
				now = l.opts.Now()
			}
			e.Time = now
		}
		if e.MSISDN != "" {
			if l.keys == nil {
				return errors.New("an entry with a subscriber number, but no pseudonym keyring")
			}
			e.Recipient = l.keys.Pseudonym(e.MSISDN)
		}
		hasText := e.Text != ""
		var nonce [TextNonceSize]byte
		if hasText {
			if len(e.Text) > MaxTextSize {
				return fmt.Errorf("entry %d of the batch: text of %d bytes (at most %d)", i, len(e.Text), MaxTextSize)
			}
			l.nonce(nonce[:])
			e.TextNonce = append(e.TextNonce[:0], nonce[:]...)
			e.TextHash = TextHash(nonce[:], e.Text)
		} else {
			e.TextNonce, e.TextHash = nil, bawwab.Digest{}
		}
		start := len(req.buf)
		var err error
		if req.buf, err = AppendEntry(req.buf, e); err != nil {
			return fmt.Errorf("entry %d of the batch: %w", i, err)
		}
		req.lens = append(req.lens, len(req.buf)-start)
		req.recs = append(req.recs, Record{HasText: hasText})
		if hasText {
			req.texts = append(req.texts, Text{Time: e.Time.UnixNano(), Nonce: nonce})
			req.buf = append(req.buf, e.Text...)
		}
	}
	// Point the records and texts into req.buf, now that it has stopped
	// growing, and hash the records.
	off, t := 0, 0
	for i := range req.recs {
		n := req.lens[i]
		r := &req.recs[i]
		r.Data = req.buf[off : off+n : off+n]
		off += n
		if r.HasText {
			n := len(req.entries[i].Text)
			req.texts[t].Body = req.buf[off : off+n : off+n]
			r.Text = &req.texts[t]
			off += n
			t++
		}
		req.rhash = append(req.rhash, tlog.RecordHash(r.Data))
	}
	return nil
}

// nonce fills b with a text nonce: SHA-256(key ‖ counter), the key drawn
// from Options.Rand when the ledger opens and kept only in memory. The
// nonces are unique and, to anyone without the key, as unpredictable as
// random ones, and taking one needs no lock or system call.
func (l *Ledger) nonce(b []byte) {
	var buf [40]byte
	copy(buf[:], l.nonceKey[:])
	binary.BigEndian.PutUint64(buf[32:], l.nonceCtr.Add(1))
	sum := sha256.Sum256(buf[:])
	copy(b, sum[:])
}

// sequence gathers requests into batches for the writer: while the writer
// syncs one batch the next one grows, so the batch size follows the load.
func (l *Ledger) sequence() {
	defer close(l.toWriter)
	tick := time.NewTicker(l.opts.CheckpointInterval)
	defer tick.Stop()
	var cur *batch
	for {
		var out chan *batch
		if cur != nil {
			out = l.toWriter
		}
		select {
		case req, ok := <-l.reqs:
			if !ok {
				if l.next > l.lastCPN {
					if cur == nil {
						cur = l.newBatch()
					}
					l.head(cur)
				}
				if cur != nil {
					l.toWriter <- cur
				}
				return
			}
			if cur == nil {
				cur = l.newBatch()
			}
			l.add(cur, req)
			// Take what else is waiting without going through select.
			for len(cur.recs) < l.opts.MaxBatch && len(l.reqs) > 0 {
				req, ok := <-l.reqs
				if !ok {
					break
				}
				l.add(cur, req)
			}
			if len(cur.recs) >= l.opts.MaxBatch {
				l.toWriter <- cur
				cur = nil
			}
		case out <- cur:
			cur = nil
		case <-tick.C:
			if l.next > l.lastCPN {
				if cur == nil {
					cur = l.newBatch()
				}
				l.head(cur)
			}
		}
	}
}

func (l *Ledger) newBatch() *batch {
	select {
	case b := <-l.free:
		return b
	default:
		return &batch{}
	}
}

// add gives the request's entries their indexes, chain hashes and tree
// hashes.
func (l *Ledger) add(b *batch, req *request) {
	req.first = l.next
	if len(b.recs) == 0 {
		b.hashAt = tlog.StoredHashCount(l.next)
	}
	for i := range req.recs {
		rec := req.recs[i]
		rec.Index = l.next
		l.chain = ChainHash(l.chain, req.rhash[i])
		rec.Chain = l.chain
		var err error
		if b.hashes, err = l.tree.appendStored(b.hashes, l.next, req.rhash[i]); err != nil {
			panic(err) // l.next is the tree's size, always
		}
		b.recs = append(b.recs, rec)
		l.next++
	}
	b.reqs = append(b.reqs, req)
	b.end = l.next
	if req.checkpoint || l.next-l.lastCPN >= l.opts.CheckpointEvery {
		l.head(b)
	}
}

// head makes the batch end with a checkpoint of the tree as it is now.
func (l *Ledger) head(b *batch) {
	th, err := l.tree.treeHash()
	if err != nil {
		panic(err)
	}
	b.head = &Checkpoint{Origin: l.signer.Name(), N: l.next, Hash: th, Chain: l.chain}
	l.lastCPN = l.next
}

// write writes each batch, syncs it, signs its checkpoint if it has one,
// and wakes its appenders.
func (l *Ledger) write() {
	defer close(l.done)
	for b := range l.toWriter {
		err := l.err()
		if err == nil && len(b.recs) > 0 {
			err = l.store.Append(b.recs)
			if err == nil {
				err = l.store.WriteHashes(b.hashAt, b.hashes)
			}
			if err == nil {
				err = l.store.Sync()
				l.syncs.Add(1)
			}
		}
		if err == nil && b.head != nil {
			cp := b.head
			cp.Time = l.opts.Now()
			if err = cp.sign(l.signer); err == nil {
				err = l.store.AppendCheckpoint(cp.N, cp.Note)
			}
			if err == nil {
				l.latest.Store(cp)
				l.signed.Add(1)
			}
		}
		if err != nil {
			l.failed.CompareAndSwap(nil, &err)
			l.opts.Logger.Error("ledger: write failed, appends refused until reopened", "err", err)
		} else {
			l.durable.Store(b.end)
			l.appended.Add(int64(len(b.recs)))
			l.batches.Add(1)
		}
		for _, r := range b.reqs {
			if r.checkpoint {
				r.cp = l.latest.Load()
			}
			r.done <- err
		}
		clear(b.reqs)
		clear(b.recs)
		b.reqs, b.recs, b.hashes, b.head = b.reqs[:0], b.recs[:0], b.hashes[:0], nil
		select {
		case l.free <- b:
		default:
		}
	}
}

func (l *Ledger) err() error {
	if p := l.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// Stats counts what the ledger did since it was opened.
type Stats struct {
	Entries     int64 // entries in the ledger (durable)
	Appended    int64 // entries appended since Open
	Batches     int64 // group commits
	Syncs       int64 // fdatasync rounds (one per batch)
	Checkpoints int64 // checkpoints signed
}

// Stats returns the counters.
func (l *Ledger) Stats() Stats {
	return Stats{Entries: l.durable.Load(), Appended: l.appended.Load(), Batches: l.batches.Load(),
		Syncs: l.syncs.Load(), Checkpoints: l.signed.Load()}
}

// PurgeTexts applies the retention policy: it records an EntryRetention
// (by actor), then drops the message texts of the entries dated before
// before, keeping their hashes, so that the ledger still verifies. It
// returns how many texts it dropped.
func (l *Ledger) PurgeTexts(ctx context.Context, before time.Time, actor string) (int64, error) {
	e := &bawwab.LedgerEntry{
		Kind:   bawwab.EntryRetention,
		Action: "purge-texts",
		Until:  before,
		Actor:  actor,
		Detail: "message texts of the entries dated before " + before.UTC().Format(time.RFC3339) + " dropped; their hashes kept",
	}
	at, err := l.Append(ctx, e)
	if err != nil {
		return 0, fmt.Errorf("purge texts: %w", err)
	}
	n, err := l.store.PurgeTexts(before, at)
	if err != nil {
		return n, fmt.Errorf("purge texts: %w", err)
	}
	return n, nil
}

// RotatePseudonymKey makes a new pseudonym key the current one, records
// the rotation (by actor) in the ledger, and returns the new key's id. The
// old keys stay in the keyring, so that the entries made under them can
// still be found.
func (l *Ledger) RotatePseudonymKey(ctx context.Context, actor string) (uint32, error) {
	if l.keys == nil {
		return 0, errors.New("rotate pseudonym key: no keyring")
	}
	key, err := l.keys.generate()
	if err != nil {
		return 0, fmt.Errorf("rotate pseudonym key: %w", err)
	}
	old := l.keys.CurrentKeyID()
	e := &bawwab.LedgerEntry{
		Kind:    bawwab.EntryKeyRotation,
		Action:  "rotate",
		Subject: "pseudonym-key",
		Actor:   actor,
		Detail:  fmt.Sprintf("pseudonym key %08x replaces %08x", key.id, old),
	}
	// The rotation is recorded before the key is used: no entry carries a
	// key id the ledger does not announce.
	if _, err := l.Append(ctx, e); err != nil {
		return 0, fmt.Errorf("rotate pseudonym key: %w", err)
	}
	if err := l.keys.install(key); err != nil {
		return 0, fmt.Errorf("rotate pseudonym key: %w", err)
	}
	return key.id, nil
}

// Close stops appends, signs a last checkpoint covering every entry, and
// closes the store.
func (l *Ledger) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.reqs)
	l.mu.Unlock()
	<-l.done
	return errors.Join(l.err(), l.store.Close())
}
