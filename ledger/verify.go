package ledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOptions says what to trust when verifying a ledger.
type VerifyOptions struct {
	// Keys are the public keys the checkpoints must be signed with. They
	// should come from the ledger's operator, not from the copy verified.
	Keys []note.Verifier
	// Known are signed checkpoints kept outside the ledger (handed out
	// earlier, published): the ledger must contain each of them. They
	// catch a ledger rewritten by someone who also holds the signing key.
	Known [][]byte
	// Entry, if set, is called after each entry, for progress.
	Entry func(index int64)
}

// Report is what verifying a ledger found.
type Report struct {
	Entries     int64
	Checkpoints int
	Latest      *Checkpoint // the last signed tree head
	Texts       int64       // message texts checked against their hashes
	Purged      int64       // texts dropped by the retention policy
	// Tail is damage at the very end, after every checkpoint: a write
	// cut short by a crash, which Open truncates. It is not a failure.
	Tail *CorruptError
	// Unhashed counts the last entries whose tree hashes are not stored
	// yet (a writer running, or a crash before Open rebuilt them).
	Unhashed int64
	// Unvouched counts the entries after the last checkpoint: nothing
	// signed vouches for them yet (a few seconds' worth on a running
	// ledger; none on a closed one).
	Unvouched int64
	// Problem is the first thing wrong, nil when the ledger verifies.
	Problem *CorruptError
	Elapsed time.Duration
}

// OK reports whether the ledger verified.
func (r *Report) OK() bool { return r.Problem == nil }

// root is a tree head the ledger must match.
type root struct {
	n     int64
	hash  tlog.Hash
	chain tlog.Hash
	what  string
	prev  int64 // size of the root before, to say which entries are at fault
}

// VerifyDir verifies the ledger in dir, read-only (see Verify), also
// checking its index files. wrap, if set, wraps the segment files read.
func VerifyDir(ctx context.Context, dir string, opts VerifyOptions, wrap func(io.Reader) io.Reader) (*Report, error) {
	st, err := OpenFileStore(dir, FileStoreOptions{ReadOnly: true, CheckIndex: true, WrapReader: wrap})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return Verify(ctx, st, opts)
}

// Verify checks a whole ledger: every record's checksum, encoding and
// place; the hash chain; every record hash against the stored Merkle tree;
// every checkpoint's signature, tree hash and chain hash; every kept
// message text against its hash; that a text is missing only where a
// retention purge was recorded. It stops at the first problem, which names
// the first bad entry. An error is returned only when the store cannot be
// read at all.
func Verify(ctx context.Context, st Store, opts VerifyOptions) (*Report, error) {
	start := time.Now()
	rep := &Report{}
	defer func() { rep.Elapsed = time.Since(start) }()
	fail := func(index int64, format string, args ...any) (*Report, error) {
		rep.Problem = &CorruptError{Index: index, What: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	if len(opts.Keys) == 0 {
		return nil, errors.New("verify: no public key to check the checkpoints with")
	}
	known := note.VerifierList(opts.Keys...)

	// The checkpoints: signatures first.
	stored, cpErr := st.Checkpoints()
	var roots []root
	var prevN int64
	var origin string
	for i, s := range stored {
		c, err := OpenCheckpoint(s.Note, known)
		if err != nil {
			return fail(-1, "checkpoint %d (stored as covering %d entries): %v", i, s.N, err)
		}
		if c.N != s.N {
			return fail(-1, "checkpoint %d covers %d entries but is stored as covering %d", i, c.N, s.N)
		}
		if c.N < prevN {
			return fail(-1, "checkpoint %d covers %d entries, fewer than checkpoint %d before it (%d)", i, c.N, i-1, prevN)
		}
		if origin != "" && c.Origin != origin {
			return fail(-1, "checkpoint %d is of ledger %q, the ones before of %q", i, c.Origin, origin)
		}
		origin = c.Origin
		roots = append(roots, root{n: c.N, hash: c.Hash, chain: c.Chain, what: fmt.Sprintf("checkpoint %d", i), prev: prevN})
		prevN = c.N
		rep.Latest = c
	}
	rep.Checkpoints = len(stored)
	if cpErr != nil {
		var ce *CorruptError
		if errors.As(cpErr, &ce) {
			rep.Problem = ce
			return rep, nil
		}
		return nil, cpErr
	}
	for i, k := range opts.Known {
		c, err := OpenCheckpoint(k, known)
		if err != nil {
			return fail(-1, "known checkpoint %d: %v", i, err)
		}
		roots = append(roots, root{n: c.N, hash: c.Hash, chain: c.Chain, what: fmt.Sprintf("known checkpoint %d, kept outside the ledger,", i)})
	}
	sort.SliceStable(roots, func(i, j int) bool { return roots[i].n < roots[j].n })
	var covered int64 // entries the checkpoints cover
	for _, r := range roots {
		covered = max(covered, r.n)
	}
	for len(roots) > 0 && roots[0].n == 0 {
		if roots[0].hash != (tlog.Hash{}) && roots[0].hash != emptyTreeHash {
			return fail(-1, "%s: an empty tree with a wrong hash", roots[0].what)
		}
		roots = roots[1:]
	}

	// In stages, so that verifying uses every core: a reader copies the
	// records out in chunks; workers check what each record holds on its
	// own (encoding, text, record hash); here, in order, what ties them
	// together (chain, tree, checkpoints).
	ordered := make(chan *verifyChunk, 8)
	free := make(chan *verifyChunk, 16)
	stop := make(chan struct{})
	defer close(stop)
	go readChunks(ctx, st, ordered, free, stop)

	var (
		tree      frontier
		chain     tlog.Hash
		count     int64
		stored0   int64       // stored-hash index of hashBuf[0]
		hashBuf   []tlog.Hash // stored hashes read ahead
		hs        []tlog.Hash
		hashCount = st.HashCount()
		missing   []textGap
		inGap     bool
		purges    []purge
	)
	for c := range ordered {
		<-c.done
		for k := range c.items {
			it := &c.items[k]
			if it.problem != nil {
				if it.problem.Tail && it.problem.Index >= covered {
					rep.Tail = it.problem
					break
				}
				rep.Problem = it.problem
				return rep, nil
			}
			i := it.index
			switch it.text {
			case textKept:
				rep.Texts++
				inGap = false
			case textMissing:
				rep.Purged++
				if inGap {
					g := &missing[len(missing)-1]
					g.last, g.maxTime = i, max(g.maxTime, it.time)
				} else {
					if len(missing) >= 1<<20 {
						return fail(i, "message text missing (too many gaps to check against the retention purges)")
					}
					missing = append(missing, textGap{first: i, last: i, maxTime: it.time})
					inGap = true
				}
			}
			if it.until > 0 {
				purges = append(purges, purge{index: i, until: it.until})
			}
			chain = ChainHash(chain, it.rh)
			if chain != it.chain {
				return fail(i, "chain hash mismatch: the entry, or the chain stored with it, was altered or moved")
			}
			var err error
			if hs, err = tree.appendStored(hs[:0], i, it.rh); err != nil {
				return nil, err
			}
			at := tlog.StoredHashCount(i)
			if at+int64(len(hs)) <= hashCount {
				if at+int64(len(hs)) > stored0+int64(len(hashBuf)) {
					n := min(hashCount-at, 1<<16)
					idx := make([]int64, n)
					for k := range idx {
						idx[k] = at + int64(k)
					}
					if hashBuf, err = st.ReadHashes(idx); err != nil {
						return nil, err
					}
					stored0 = at
				}
				for k, h := range hs {
					if hashBuf[at-stored0+int64(k)] != h {
						return fail(i, "the stored Merkle tree disagrees with the entry (stored hash %d): the entry or the hashes file was altered", at+int64(k))
					}
				}
			} else if i < covered {
				return fail(i, "the stored Merkle tree ends before this entry, which a checkpoint covers")
			} else {
				rep.Unhashed++
			}
			count = i + 1
			for len(roots) > 0 && roots[0].n == count {
				r := roots[0]
				roots = roots[1:]
				h, err := tree.treeHash()
				if err != nil {
					return nil, err
				}
				if h != r.hash || chain != r.chain {
					return fail(r.prev, "%s (%d entries) does not match the ledger: entries %d to %d were altered, replaced or reordered", r.what, r.n, r.prev, r.n-1)
				}
			}
			if opts.Entry != nil {
				opts.Entry(i)
			}
		}
		if rep.Tail != nil {
			break
		}
		select {
		case free <- c:
		default:
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Entries = count
	rep.Unvouched = count - covered
	if count > 0 && covered == 0 {
		return fail(0, "no signed checkpoint vouches for any of the %d entries (is the checkpoints file missing?)", count)
	}
	if len(roots) > 0 {
		r := roots[len(roots)-1]
		return fail(count, "entries %d to %d are missing: %s covers %d entries", count, r.n-1, r.what, r.n)
	}
	// Every missing text must be explained by a later retention purge
	// dated after it.
	for _, g := range missing {
		ok := false
		for _, p := range purges {
			if p.index > g.last && p.until > g.maxTime {
				ok = true
				break
			}
		}
		if !ok {
			return fail(g.first, "message text missing, and no retention purge recorded after it covers it")
		}
	}
	return rep, nil
}

// verifyItem is what the first stage of Verify learnt of one record.
type verifyItem struct {
	index   int64
	rh      tlog.Hash // record hash
	chain   tlog.Hash // chain hash stored with the record
	time    int64
	until   int64 // the cut-off of a retention entry
	text    uint8
	problem *CorruptError
}

const (
	textNone = iota
	textKept
	textMissing
)

// verifyChunk is a run of records on its way through Verify: copied out
// of the store by the reader, checked by a worker, then taken in order.
type verifyChunk struct {
	arena []byte // the records' encodings and texts
	recs  []chunkRecord
	items []verifyItem
	done  chan struct{} // closed when a worker has filled items
}

type chunkRecord struct {
	index      int64
	chain      tlog.Hash
	data       [2]int // arena[data[0]:data[1]]
	hasText    bool
	text       *[2]int // arena bounds of a kept text, nil when none
	textBounds [2]int
	textTime   int64
	nonce      [TextNonceSize]byte
	problem    *CorruptError // a problem the store reported here
}

const chunkSize = 2048

// readChunks reads the records into chunks, hands each to a worker and,
// in order, to Verify.
func readChunks(ctx context.Context, st Store, ordered chan<- *verifyChunk, free <-chan *verifyChunk, stop <-chan struct{}) {
	defer close(ordered)
	work := make(chan *verifyChunk, 4)
	defer close(work)
	for range max(runtime.GOMAXPROCS(0), 1) {
		go func() {
			for c := range work {
				c.check()
			}
		}()
	}
	newChunk := func() *verifyChunk {
		select {
		case c := <-free:
			c.arena, c.recs, c.items, c.done = c.arena[:0], c.recs[:0], c.items[:0], make(chan struct{})
			return c
		default:
			return &verifyChunk{arena: make([]byte, 0, chunkSize*512), recs: make([]chunkRecord, 0, chunkSize),
				items: make([]verifyItem, 0, chunkSize), done: make(chan struct{})}
		}
	}
	c := newChunk()
	send := func() bool {
		select {
		case work <- c:
		case <-stop:
			return false
		}
		select {
		case ordered <- c:
		case <-stop:
			return false
		}
		c = newChunk()
		return true
	}
	for rec, err := range st.Scan(0, -1) {
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				ce = &CorruptError{Index: -1, What: err.Error()}
			}
			c.recs = append(c.recs, chunkRecord{index: ce.Index, problem: ce})
			send()
			return
		}
		if rec.Index&0xFFFF == 0 && ctx.Err() != nil {
			return
		}
		cr := chunkRecord{index: rec.Index, chain: rec.Chain, hasText: rec.HasText}
		cr.data = [2]int{len(c.arena), len(c.arena) + len(rec.Data)}
		c.arena = append(c.arena, rec.Data...)
		if rec.Text != nil {
			cr.textBounds = [2]int{len(c.arena), len(c.arena) + len(rec.Text.Body)}
			cr.text = &cr.textBounds
			cr.textTime, cr.nonce = rec.Text.Time, rec.Text.Nonce
			c.arena = append(c.arena, rec.Text.Body...)
		}
		c.recs = append(c.recs, cr)
		if len(c.recs) == chunkSize && !send() {
			return
		}
	}
	if len(c.recs) > 0 {
		send()
	}
}

// check fills c.items, stopping after the first problem.
func (c *verifyChunk) check() {
	defer close(c.done)
	var v entryView
	problem := func(index int64, format string, args ...any) {
		c.items = append(c.items, verifyItem{index: index, problem: &CorruptError{Index: index, What: fmt.Sprintf(format, args...)}})
	}
	for k := range c.recs {
		r := &c.recs[k]
		if r.problem != nil {
			c.items = append(c.items, verifyItem{index: r.index, problem: r.problem})
			return
		}
		i := r.index
		data := c.arena[r.data[0]:r.data[1]]
		if err := v.parse(data); err != nil {
			problem(i, "not a canonical entry: %v", err)
			return
		}
		it := verifyItem{index: i, rh: tlog.RecordHash(data), chain: r.chain, time: v.time}
		th := v.fields[tagTextHash]
		if (th != nil) != r.hasText {
			problem(i, "the record's text flag disagrees with its entry")
			return
		}
		switch {
		case r.text != nil:
			if textHashBytes(r.nonce[:], c.arena[r.text[0]:r.text[1]]) != v.textHash() {
				problem(i, "message text altered: it does not match the entry's text hash")
				return
			}
			if r.textTime != v.time {
				problem(i, "the text record is dated %s, the entry %s", time.Unix(0, r.textTime).UTC(), time.Unix(0, v.time).UTC())
				return
			}
			it.text = textKept
		case th != nil:
			it.text = textMissing
		}
		if bawwab.EntryKind(v.kind) == bawwab.EntryRetention {
			it.until = v.until
		}
		var badRef int64 = -1
		v.refs(func(r int64) {
			if r >= i && badRef < 0 {
				badRef = r
			}
		})
		if badRef >= 0 {
			problem(i, "refers to entry %d, which is not before it", badRef)
			return
		}
		c.items = append(c.items, it)
	}
}

type textGap struct {
	first, last int64
	maxTime     int64
}

type purge struct {
	index int64
	until int64
}

// emptyTreeHash is the hash of the tree of no entries (RFC 6962: the hash
// of the empty string).
var emptyTreeHash, _ = tlog.TreeHash(0, nil)
