package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/mod/sumdb/tlog"
)

// LedgerStore keeps one ledger — one gateway node's chain, named by its
// origin — in PostgreSQL, for deployments of many nodes: a ledger.Store,
// so that the ledger package does the hashing, chaining, signing, group
// commit and verification above it as it does on files.
//
// Each batch of the group commit is one transaction: the records and their
// texts are sent with COPY, the stored tree hashes written (256 to a row),
// and Sync commits, which PostgreSQL makes durable (synchronous_commit) and
// itself groups with the other nodes' commits. Texts live in a table of
// their own that PurgeTexts deletes from. One process writes an origin at a
// time: the writer holds a session advisory lock for as long as the store
// is open. Reads (Record, Scan, ReadHashes, Checkpoints) see what was
// committed, from any process.
type LedgerStore struct {
	db       *DB
	origin   string
	readOnly bool

	lock *pgxpool.Conn // holds the advisory lock, for a writer

	// The writer's state, used by its one goroutine (ledger.Store's
	// contract), guarded by wmu against Close.
	wmu     sync.Mutex
	tx      pgx.Tx
	n       atomic.Int64 // records written, committed or not
	hashes  atomic.Int64 // stored hashes written
	last    []tlog.Hash  // the stored hashes of the last, partial chunk
	pending map[int64][]tlog.Hash
	pmu     sync.RWMutex // guards pending, read by ReadHashes
	closed  bool
}

var _ ledger.Store = (*LedgerStore)(nil)

// hashChunk is the number of stored hashes a row of ledger_hashes holds.
const hashChunk = 256

// LedgerOptions says how to open a ledger store.
type LedgerOptions struct {
	// ReadOnly opens without the writer's lock, to verify or export
	// while a node appends.
	ReadOnly bool
}

// OpenLedger opens the ledger of an origin (created empty on first
// write). For writing, it takes the origin's lock, and fails if another
// process holds it.
func (db *DB) OpenLedger(ctx context.Context, origin string, opts LedgerOptions) (*LedgerStore, error) {
	if origin == "" {
		return nil, errors.New("open ledger: no origin")
	}
	s := &LedgerStore{db: db, origin: origin, readOnly: opts.ReadOnly, pending: map[int64][]tlog.Hash{}}
	if !opts.ReadOnly {
		conn, err := db.pool.Acquire(ctx)
		if err != nil {
			return nil, fmt.Errorf("open ledger %s: %w", origin, err)
		}
		h := fnv.New64a()
		h.Write([]byte("bawwab ledger " + db.Schema + " " + origin))
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", int64(h.Sum64())).Scan(&ok); err != nil {
			conn.Release()
			return nil, fmt.Errorf("open ledger %s: %w", origin, err)
		}
		if !ok {
			conn.Release()
			return nil, fmt.Errorf("open ledger %s: the ledger is open for writing in another process", origin)
		}
		s.lock = conn
	}
	if err := s.load(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// load reads the number of records and of stored hashes, and the last
// partial chunk of hashes.
func (s *LedgerStore) load(ctx context.Context) error {
	var n, chunks int64
	var last []byte
	err := s.db.pool.QueryRow(ctx, "SELECT coalesce(max(idx) + 1, 0) FROM ledger_records WHERE origin = $1", s.origin).Scan(&n)
	if err != nil {
		return fmt.Errorf("open ledger %s: %w", s.origin, err)
	}
	err = s.db.pool.QueryRow(ctx, "SELECT chunk, hashes FROM ledger_hashes WHERE origin = $1 ORDER BY chunk DESC LIMIT 1", s.origin).Scan(&chunks, &last)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		chunks, last = 0, nil
	case err != nil:
		return fmt.Errorf("open ledger %s: %w", s.origin, err)
	case len(last)%32 != 0 || len(last) > 32*hashChunk:
		return &ledger.CorruptError{Index: -1, What: fmt.Sprintf("stored hashes chunk %d has %d bytes", chunks, len(last))}
	}
	s.n.Store(n)
	s.last = s.last[:0]
	count := int64(0)
	if last != nil {
		count = chunks*hashChunk + int64(len(last)/32)
		if len(last) < 32*hashChunk {
			for i := 0; i < len(last); i += 32 {
				s.last = append(s.last, tlog.Hash(last[i:i+32]))
			}
		}
	}
	s.hashes.Store(count)
	return nil
}

// Origin returns the ledger's origin.
func (s *LedgerStore) Origin() string { return s.origin }

// Len returns the number of records: written by this writer (committed or
// not), or committed, for a read-only store.
func (s *LedgerStore) Len() int64 {
	if s.readOnly {
		var n int64
		if err := s.db.pool.QueryRow(context.Background(), "SELECT coalesce(max(idx) + 1, 0) FROM ledger_records WHERE origin = $1", s.origin).Scan(&n); err == nil {
			s.n.Store(n)
		}
	}
	return s.n.Load()
}

func (s *LedgerStore) writable() error {
	if s.readOnly {
		return errors.New("ledger store opened read-only")
	}
	if s.closed {
		return ledger.ErrClosed
	}
	return nil
}

// begin returns the open write transaction, beginning one if needed.
func (s *LedgerStore) begin() (pgx.Tx, error) {
	if s.tx != nil {
		return s.tx, nil
	}
	tx, err := s.db.pool.Begin(context.Background())
	if err != nil {
		return nil, fmt.Errorf("ledger %s: begin: %w", s.origin, err)
	}
	s.tx = tx
	return tx, nil
}

// Append implements ledger.Store: the records and their texts are copied
// into the open transaction.
func (s *LedgerStore) Append(recs []ledger.Record) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return nil
	}
	if n := s.n.Load(); recs[0].Index != n {
		return fmt.Errorf("ledger %s: append at %d, the ledger has %d", s.origin, recs[0].Index, n)
	}
	tx, err := s.begin()
	if err != nil {
		return err
	}
	ctx := context.Background()
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"ledger_records"}, []string{"origin", "idx", "data", "chain", "has_text"},
		pgx.CopyFromSlice(len(recs), func(i int) ([]any, error) {
			r := &recs[i]
			return []any{s.origin, r.Index, r.Data, r.Chain[:], r.HasText}, nil
		}))
	if err != nil {
		return s.abort(fmt.Errorf("ledger %s: copy records: %w", s.origin, err))
	}
	texts := 0
	for i := range recs {
		if recs[i].Text != nil {
			texts++
		}
	}
	if texts > 0 {
		k := 0
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"ledger_texts"}, []string{"origin", "idx", "time", "nonce", "body"},
			pgx.CopyFromFunc(func() ([]any, error) {
				for k < len(recs) && recs[k].Text == nil {
					k++
				}
				if k == len(recs) {
					return nil, nil
				}
				r := &recs[k]
				k++
				return []any{s.origin, r.Index, r.Text.Time, r.Text.Nonce[:], r.Text.Body}, nil
			}))
		if err != nil {
			return s.abort(fmt.Errorf("ledger %s: copy texts: %w", s.origin, err))
		}
	}
	s.n.Add(int64(len(recs)))
	return nil
}

// abort rolls the open transaction back after a failed write: what it
// held is lost, and the ledger above stops appending (it fails every later
// append until reopened, which reloads the counts).
func (s *LedgerStore) abort(err error) error {
	if s.tx != nil {
		s.tx.Rollback(context.Background())
		s.tx = nil
	}
	s.pmu.Lock()
	clear(s.pending)
	s.pmu.Unlock()
	return err
}

// Sync implements ledger.Store: it commits the open transaction.
func (s *LedgerStore) Sync() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	return s.commit()
}

func (s *LedgerStore) commit() error {
	if s.tx == nil {
		return nil
	}
	err := s.tx.Commit(context.Background())
	s.tx = nil
	s.pmu.Lock()
	clear(s.pending)
	s.pmu.Unlock()
	if err != nil {
		return fmt.Errorf("ledger %s: commit: %w", s.origin, err)
	}
	return nil
}

// HashCount implements ledger.Store.
func (s *LedgerStore) HashCount() int64 {
	if s.readOnly {
		var chunk int64
		var last []byte
		err := s.db.pool.QueryRow(context.Background(), "SELECT chunk, hashes FROM ledger_hashes WHERE origin = $1 ORDER BY chunk DESC LIMIT 1", s.origin).Scan(&chunk, &last)
		if err == nil {
			s.hashes.Store(chunk*hashChunk + int64(len(last)/32))
		} else if errors.Is(err, pgx.ErrNoRows) {
			s.hashes.Store(0)
		}
	}
	return s.hashes.Load()
}

// WriteHashes implements ledger.Store: the chunks from the one holding at
// are written again with the new hashes, and those past the end deleted.
func (s *LedgerStore) WriteHashes(at int64, hashes []tlog.Hash) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	count := s.hashes.Load()
	if at < 0 || at > count {
		return fmt.Errorf("ledger %s: write hashes at %d, %d stored", s.origin, at, count)
	}
	if len(hashes) == 0 && at == count {
		return nil
	}
	ctx := context.Background()
	// The hashes before at in at's chunk: in memory when it is the last,
	// partial chunk, otherwise read.
	first := at / hashChunk
	var prefix []tlog.Hash
	lastChunk := count / hashChunk
	switch {
	case at%hashChunk == 0:
	case first == lastChunk:
		prefix = s.last[:at%hashChunk]
	default:
		idx := make([]int64, at%hashChunk)
		for i := range idx {
			idx[i] = first*hashChunk + int64(i)
		}
		var err error
		if prefix, err = s.readHashes(ctx, idx); err != nil {
			return err
		}
	}
	all := append(append([]tlog.Hash(nil), prefix...), hashes...)
	end := at + int64(len(hashes))
	tx, err := s.begin()
	if err != nil {
		return err
	}
	// Every chunk after the new end goes; then the chunks written again.
	if _, err := tx.Exec(ctx, "DELETE FROM ledger_hashes WHERE origin = $1 AND chunk >= $2", s.origin, first); err != nil {
		return s.abort(fmt.Errorf("ledger %s: write hashes: %w", s.origin, err))
	}
	var chunks [][]byte
	var nums []int64
	for c := 0; c < len(all); c += hashChunk {
		part := all[c:min(c+hashChunk, len(all))]
		b := make([]byte, 0, 32*len(part))
		for _, h := range part {
			b = append(b, h[:]...)
		}
		chunks = append(chunks, b)
		nums = append(nums, first+int64(c/hashChunk))
	}
	if len(chunks) > 0 {
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"ledger_hashes"}, []string{"origin", "chunk", "hashes"},
			pgx.CopyFromSlice(len(chunks), func(i int) ([]any, error) { return []any{s.origin, nums[i], chunks[i]}, nil }))
		if err != nil {
			return s.abort(fmt.Errorf("ledger %s: write hashes: %w", s.origin, err))
		}
	}
	s.pmu.Lock()
	for c := range s.pending {
		if c >= first {
			delete(s.pending, c)
		}
	}
	for i, c := range nums {
		hs := all[i*hashChunk : min((i+1)*hashChunk, len(all))]
		s.pending[c] = hs
	}
	s.pmu.Unlock()
	if rem := end % hashChunk; rem == 0 {
		s.last = s.last[:0]
	} else {
		s.last = append(s.last[:0], all[len(all)-int(rem):]...)
	}
	s.hashes.Store(end)
	return nil
}

// ReadHashes implements ledger.Store (a tlog.HashReader).
func (s *LedgerStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return s.readHashes(context.Background(), indexes)
}

func (s *LedgerStore) readHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	need := map[int64][]int{} // chunk -> positions in indexes
	s.pmu.RLock()
	for i, x := range indexes {
		c := x / hashChunk
		if hs, ok := s.pending[c]; ok && int(x%hashChunk) < len(hs) {
			out[i] = hs[x%hashChunk]
			continue
		}
		need[c] = append(need[c], i)
	}
	s.pmu.RUnlock()
	if len(need) == 0 {
		return out, nil
	}
	chunks := make([]int64, 0, len(need))
	for c := range need {
		chunks = append(chunks, c)
	}
	rows, err := s.db.pool.Query(ctx, "SELECT chunk, hashes FROM ledger_hashes WHERE origin = $1 AND chunk = ANY($2)", s.origin, chunks)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: read hashes: %w", s.origin, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c int64
		var b []byte
		if err := rows.Scan(&c, &b); err != nil {
			return nil, fmt.Errorf("ledger %s: read hashes: %w", s.origin, err)
		}
		for _, i := range need[c] {
			off := int(indexes[i]%hashChunk) * 32
			if off+32 > len(b) {
				return nil, fmt.Errorf("ledger %s: stored hash %d is not stored", s.origin, indexes[i])
			}
			out[i] = tlog.Hash(b[off : off+32])
		}
		delete(need, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger %s: read hashes: %w", s.origin, err)
	}
	for c := range need {
		return nil, fmt.Errorf("ledger %s: stored hashes of chunk %d are not stored", s.origin, c)
	}
	return out, nil
}

// AppendCheckpoint implements ledger.Store: it commits what is written,
// then stores the checkpoint in a transaction of its own.
func (s *LedgerStore) AppendCheckpoint(n int64, signed []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	if err := s.commit(); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(context.Background(), `INSERT INTO ledger_checkpoints (origin, seq, n, note)
		SELECT $1, coalesce(max(seq) + 1, 0), $2, $3 FROM ledger_checkpoints WHERE origin = $1`, s.origin, n, signed)
	if err != nil {
		return fmt.Errorf("ledger %s: store checkpoint: %w", s.origin, err)
	}
	return nil
}

// Checkpoints implements ledger.Store.
func (s *LedgerStore) Checkpoints() ([]ledger.StoredCheckpoint, error) {
	rows, err := s.db.pool.Query(context.Background(), "SELECT n, note FROM ledger_checkpoints WHERE origin = $1 ORDER BY seq", s.origin)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: read checkpoints: %w", s.origin, err)
	}
	defer rows.Close()
	var out []ledger.StoredCheckpoint
	for rows.Next() {
		var c ledger.StoredCheckpoint
		if err := rows.Scan(&c.N, &c.Note); err != nil {
			return nil, fmt.Errorf("ledger %s: read checkpoints: %w", s.origin, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const recordQuery = `SELECT r.idx, r.data, r.chain, r.has_text, t.time, t.nonce, t.body
	FROM ledger_records r LEFT JOIN ledger_texts t ON t.origin = r.origin AND t.idx = r.idx
	WHERE r.origin = $1 AND r.idx >= $2 AND r.idx < $3 ORDER BY r.idx`

// scanRecord reads a row of recordQuery into rec, reusing its buffers.
func scanRecord(rows pgx.Rows, rec *ledger.Record, text *ledger.Text) error {
	var data, chain, nonce, body []byte
	var tm *int64
	if err := rows.Scan(&rec.Index, &data, &chain, &rec.HasText, &tm, &nonce, &body); err != nil {
		return err
	}
	if len(chain) != len(rec.Chain) {
		return &ledger.CorruptError{Index: rec.Index, What: "chain hash of a wrong size"}
	}
	rec.Data = append(rec.Data[:0], data...)
	copy(rec.Chain[:], chain)
	rec.Text = nil
	if tm != nil {
		if len(nonce) != ledger.TextNonceSize {
			return &ledger.CorruptError{Index: rec.Index, What: "text nonce of a wrong size"}
		}
		text.Time = *tm
		copy(text.Nonce[:], nonce)
		text.Body = append(text.Body[:0], body...)
		rec.Text = text
	}
	return nil
}

// Record implements ledger.Store.
func (s *LedgerStore) Record(index int64) (*ledger.Record, error) {
	if n := s.Len(); index < 0 || index >= n {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no entry %d (the ledger has %d)", index, n)
	}
	rows, err := s.db.pool.Query(context.Background(), recordQuery, s.origin, index, index+1)
	if err != nil {
		return nil, fmt.Errorf("read entry %d: %w", index, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read entry %d: %w", index, err)
		}
		return nil, &ledger.CorruptError{Index: index, What: "missing record"}
	}
	rec, text := new(ledger.Record), new(ledger.Text)
	if err := scanRecord(rows, rec, text); err != nil {
		return nil, fmt.Errorf("read entry %d: %w", index, err)
	}
	return rec, nil
}

// scanPage is how many records one query of Scan reads.
const scanPage = 50000

// Scan implements ledger.Store, one query per page of records.
func (s *LedgerStore) Scan(from, to int64) iter.Seq2[*ledger.Record, error] {
	return func(yield func(*ledger.Record, error) bool) {
		if n := s.Len(); to < 0 || to > n {
			to = n
		}
		from = max(from, 0)
		var rec ledger.Record
		var text ledger.Text
		next := from
		for next < to {
			end := min(next+scanPage, to)
			rows, err := s.db.pool.Query(context.Background(), recordQuery, s.origin, next, end)
			if err != nil {
				yield(nil, fmt.Errorf("ledger %s: scan: %w", s.origin, err))
				return
			}
			for rows.Next() {
				if err := scanRecord(rows, &rec, &text); err != nil {
					rows.Close()
					yield(nil, err)
					return
				}
				if rec.Index != next {
					rows.Close()
					yield(nil, &ledger.CorruptError{Index: next, What: "record missing"})
					return
				}
				next++
				if !yield(&rec, nil) {
					rows.Close()
					return
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				yield(nil, fmt.Errorf("ledger %s: scan: %w", s.origin, err))
				return
			}
			if next < end {
				yield(nil, &ledger.CorruptError{Index: next, What: "record missing", Tail: end == to})
				return
			}
		}
	}
}

// PurgeTexts implements ledger.Store.
func (s *LedgerStore) PurgeTexts(before time.Time, below int64) (int64, error) {
	if s.readOnly {
		return 0, errors.New("ledger store opened read-only")
	}
	tag, err := s.db.pool.Exec(context.Background(), "DELETE FROM ledger_texts WHERE origin = $1 AND idx < $2 AND time < $3",
		s.origin, below, before.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("ledger %s: purge texts: %w", s.origin, err)
	}
	return tag.RowsAffected(), nil
}

// Close implements ledger.Store: it commits what is written and releases
// the writer's lock. The DB stays open.
func (s *LedgerStore) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var err error
	if s.tx != nil {
		err = s.tx.Commit(context.Background())
		s.tx = nil
	}
	if s.lock != nil {
		// Closing the connection ends the session and its lock, whatever
		// state it is in.
		s.lock.Conn().Close(context.Background())
		s.lock.Release()
		s.lock = nil
	}
	return err
}

// LedgerOrigins returns the origins of the ledgers stored, sorted.
func (db *DB) LedgerOrigins(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, db.pool, "SELECT DISTINCT origin FROM ledger_checkpoints UNION SELECT DISTINCT origin FROM ledger_records ORDER BY 1")
}
