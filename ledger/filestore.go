package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/tlog"
)

// FileStore keeps a ledger in a directory (FORMAT.md describes every file):
//
//	FORMAT         "bawwab ledger 1"
//	LOCK           locked by the one process writing
//	<first>.log    a segment: the records of entries first, first+1...
//	<first>.txt    the message texts of those entries (purgeable)
//	<first>.idx    where each entry's record and text are (derived)
//	hashes         the stored hashes of the Merkle tree (derived)
//	checkpoints    the signed checkpoints
//
// Records are appended to the last segment; a new segment starts when it
// reaches the segment size. Sync makes the log and text files of the last
// segment durable with fdatasync; the index and the hashes, which can be
// rebuilt from the records, are synced at each checkpoint, and the Ledger
// rebuilds what follows the last checkpoint when it opens. A record cut
// short by a crash (a torn tail) fails its length or checksum; opening
// for writing moves it to a torn-* file and truncates it, unless a
// checkpoint covers it, which means damage rather than a crash.
type FileStore struct {
	dir  string
	opts FileStoreOptions
	lock *os.File

	// Lock order: wmu, then mu.
	mu     sync.RWMutex // guards segs, cps and the swap of files by PurgeTexts
	segs   []*segment
	cps    []StoredCheckpoint
	cpErr  error         // damage found in the checkpoints file (read-only)
	tail   *CorruptError // the torn tail found on open (read-only)
	length atomic.Int64

	wmu       sync.Mutex // the writer: act, hashes, cpFile
	act       *activeSegment
	hashes    *os.File
	hashCount atomic.Int64
	cpFile    *os.File
	cpSize    int64
	failed    error
	closed    bool

	// Recovered describes what opening for writing truncated, if anything.
	Recovered string
}

// FileStoreOptions configures OpenFileStore.
type FileStoreOptions struct {
	// ReadOnly opens without the lock and without repairing anything: for
	// verification and exports, also while a writer runs.
	ReadOnly bool
	// SegmentSize starts a new segment when the last one reaches it
	// (default 64 MiB, at most 1 GiB).
	SegmentSize int64
	// WrapReader, if set, wraps the segment files Scan reads (to show
	// progress).
	WrapReader func(io.Reader) io.Reader
	// CheckIndex makes Scan compare the index files with the records it
	// reads, for the entries a checkpoint covers.
	CheckIndex bool
	Logger     *slog.Logger
}

// DefaultSegmentSize is the size at which a new segment starts.
const DefaultSegmentSize = 64 << 20

const maxSegmentSize = 1 << 30

const formatLine = "bawwab ledger 1\n"

type segment struct {
	first int64
	count atomic.Int64
}

type activeSegment struct {
	seg                *segment
	log, txt, idx      *os.File
	logSize, txtSize   int64
	idxSize            int64
	logDirty, txtDirty bool
	buf, tbuf, ibuf    []byte
}

func segmentPath(dir string, first int64, ext string) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", first, ext))
}

// OpenFileStore opens the ledger store in dir, creating it when opening
// for writing.
func OpenFileStore(dir string, opts FileStoreOptions) (*FileStore, error) {
	if opts.SegmentSize <= 0 {
		opts.SegmentSize = DefaultSegmentSize
	}
	if opts.SegmentSize > maxSegmentSize {
		opts.SegmentSize = maxSegmentSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &FileStore{dir: dir, opts: opts}
	if err := s.open(); err != nil {
		s.closeFiles()
		return nil, fmt.Errorf("open ledger store %s: %w", dir, err)
	}
	return s, nil
}

func (s *FileStore) open() error {
	if !s.opts.ReadOnly {
		if err := os.MkdirAll(s.dir, 0o750); err != nil {
			return err
		}
		f, err := os.OpenFile(filepath.Join(s.dir, "LOCK"), os.O_RDWR|os.O_CREATE, 0o640)
		if err != nil {
			return err
		}
		s.lock = f
		if err := lockFile(f); err != nil {
			return err
		}
	}
	format, err := os.ReadFile(filepath.Join(s.dir, "FORMAT"))
	switch {
	case errors.Is(err, fs.ErrNotExist) && !s.opts.ReadOnly:
		if err := writeFileAtomic(filepath.Join(s.dir, "FORMAT"), []byte(formatLine), 0o640); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("not a ledger directory (no FORMAT file)")
	case err != nil:
		return err
	case string(format) != formatLine:
		return fmt.Errorf("unknown ledger format %q", strings.TrimSpace(string(format)))
	}

	names, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	rebuild := map[int64]bool{}
	for _, e := range names {
		name := e.Name()
		base, ext, _ := strings.Cut(name, ".")
		first, err := strconv.ParseInt(base, 10, 64)
		if err != nil || len(base) != 20 {
			continue
		}
		switch ext {
		case "log":
			s.segs = append(s.segs, &segment{first: first})
		case "idx.tmp", "txt.tmp":
			// A purge was interrupted: its renames happen text first,
			// then index, so a leftover index means the index may not
			// match the text file any more.
			if !s.opts.ReadOnly {
				if err := os.Remove(filepath.Join(s.dir, name)); err != nil {
					return err
				}
				if ext == "idx.tmp" {
					rebuild[first] = true
				}
			}
		}
	}
	sort.Slice(s.segs, func(i, j int) bool { return s.segs[i].first < s.segs[j].first })

	if err := s.loadCheckpoints(); err != nil {
		return err
	}
	var cpN int64
	if len(s.cps) > 0 {
		cpN = s.cps[len(s.cps)-1].N
	}

	if len(s.segs) == 0 {
		if s.opts.ReadOnly {
			return errors.New("no segment file")
		}
		if err := s.createSegment(0); err != nil {
			return err
		}
	} else {
		for k, seg := range s.segs[:len(s.segs)-1] {
			n := s.segs[k+1].first - seg.first
			if n <= 0 {
				return fmt.Errorf("segment %d is empty or overlaps the next", seg.first)
			}
			seg.count.Store(n)
			if s.opts.ReadOnly {
				continue
			}
			if st, err := os.Stat(segmentPath(s.dir, seg.first, ".idx")); rebuild[seg.first] || err != nil || st.Size() != n*idxEntrySize {
				if err := s.rebuildIndex(seg); err != nil {
					return err
				}
			}
		}
		if err := s.openLast(cpN); err != nil {
			return err
		}
	}
	last := s.segs[len(s.segs)-1]
	s.length.Store(last.first + last.count.Load())

	if !s.opts.ReadOnly {
		f, err := os.OpenFile(filepath.Join(s.dir, "hashes"), os.O_RDWR|os.O_CREATE, 0o640)
		if err != nil {
			return err
		}
		s.hashes = f
		st, err := f.Stat()
		if err != nil {
			return err
		}
		n := st.Size() / tlog.HashSize
		if st.Size() != n*tlog.HashSize {
			if err := f.Truncate(n * tlog.HashSize); err != nil {
				return err
			}
		}
		s.hashCount.Store(n)
	} else {
		st, err := os.Stat(filepath.Join(s.dir, "hashes"))
		if err == nil {
			s.hashCount.Store(st.Size() / tlog.HashSize)
		}
	}
	return nil
}

// loadCheckpoints reads the checkpoints file. Opening for writing
// truncates a torn tail (a checkpoint cut short by a crash).
func (s *FileStore) loadCheckpoints() error {
	path := filepath.Join(s.dir, "checkpoints")
	flag := os.O_RDONLY
	if !s.opts.ReadOnly {
		flag = os.O_RDWR | os.O_CREATE
	}
	f, err := os.OpenFile(path, flag, 0o640)
	if errors.Is(err, fs.ErrNotExist) && s.opts.ReadOnly {
		return nil
	}
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if st.Size() == 0 && !s.opts.ReadOnly {
		if _, err := f.WriteAt(appendHeader(nil, cpMagic, 0), 0); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := syncDir(s.dir); err != nil {
			f.Close()
			return err
		}
		s.cpFile, s.cpSize = f, headerSize
		return nil
	}
	var hdr [headerSize]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil || string(hdr[:8]) != cpMagic {
		f.Close()
		return errors.New("checkpoints file: bad header")
	}
	rr := fileRecordReader(f, headerSize, nil)
	var end int64 = headerSize
	for {
		var c StoredCheckpoint
		_, err := rr.checkpoint(&c)
		if err == io.EOF {
			break
		}
		if err != nil {
			if s.opts.ReadOnly {
				s.cpErr = &CorruptError{Index: -1, What: fmt.Sprintf("checkpoints file damaged after checkpoint %d: %v", len(s.cps), err)}
				break
			}
			s.opts.Logger.Warn("ledger: truncating a damaged or torn checkpoint", "after", len(s.cps), "offset", end, "err", err)
			if err := s.quarantine(f, end, st.Size(), "checkpoints"); err != nil {
				f.Close()
				return err
			}
			break
		}
		c.Note = append([]byte(nil), c.Note...)
		s.cps = append(s.cps, c)
		end = rr.off
	}
	if s.opts.ReadOnly {
		f.Close()
		return nil
	}
	s.cpFile, s.cpSize = f, end
	return nil
}

// quarantine copies f[from:to] to a torn-* file for inspection, then
// truncates f at from and syncs it.
func (s *FileStore) quarantine(f *os.File, from, to int64, what string) error {
	if to > from {
		b := make([]byte, to-from)
		if _, err := f.ReadAt(b, from); err != nil && err != io.EOF {
			return err
		}
		name := filepath.Join(s.dir, fmt.Sprintf("torn-%s-%d-%d", what, from, time.Now().UnixNano()))
		if err := os.WriteFile(name, b, 0o640); err != nil {
			return err
		}
	}
	if err := f.Truncate(from); err != nil {
		return err
	}
	return f.Sync()
}

// segmentScan is what reading a whole segment finds.
type segmentScan struct {
	idx      []byte // the index entries of the valid records
	count    int64
	logEnd   int64 // offset after the last valid record (and text)
	txtEnd   int64
	logSize  int64
	txtSize  int64
	stop     error // why reading stopped before the end, if it did
	stopText bool  // stop concerns the text file
	creating bool  // the segment's creation was cut short: no header yet
}

// scanSegment reads the records and texts of a segment, up to the first
// that is damaged, incomplete, out of place, or whose text is missing.
func (s *FileStore) scanSegment(seg *segment, log, txt *os.File) (*segmentScan, error) {
	sc := &segmentScan{logEnd: headerSize, txtEnd: headerSize}
	for _, f := range []struct {
		f    *os.File
		size *int64
	}{{log, &sc.logSize}, {txt, &sc.txtSize}} {
		st, err := f.f.Stat()
		if err != nil {
			return nil, err
		}
		*f.size = st.Size()
	}
	// A segment is created text file first, log file last, each with its
	// header: a crash during the creation leaves a log file without a
	// complete header (or a text file without one, and a log with no
	// record).
	if sc.logSize < headerSize || sc.txtSize < headerSize && sc.logSize == headerSize {
		sc.creating = true
		return sc, nil
	}
	for _, f := range []struct {
		f     *os.File
		magic string
	}{{log, logMagic}, {txt, textMagic}} {
		var hdr [headerSize]byte
		if _, err := f.f.ReadAt(hdr[:], 0); err != nil {
			return nil, fmt.Errorf("segment %d: %s header: %w", seg.first, f.magic[4:7], err)
		}
		first, err := checkHeader(hdr[:], f.magic)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %s: %w", seg.first, f.magic[4:7], err)
		}
		if first != seg.first {
			return nil, fmt.Errorf("segment %d: header names first entry %d", seg.first, first)
		}
	}
	texts := fileRecordReader(txt, headerSize, nil)
	frames := fileRecordReader(log, headerSize, nil)
	var (
		rec     Record
		t       textRecord
		pending bool // t holds a text record not yet matched
		tOff    int64
		tDone   bool
	)
	nextText := func() error {
		if pending || tDone {
			return nil
		}
		off, err := texts.text(&t)
		if err == io.EOF {
			tDone = true
			return nil
		}
		if err != nil {
			return err
		}
		pending, tOff = true, off
		return nil
	}
	for index := seg.first; ; index++ {
		off, err := frames.frame(&rec)
		if err == io.EOF {
			break
		}
		if err != nil {
			sc.stop = err
			break
		}
		if rec.Index != index {
			sc.stop = bad("record out of place: it holds entry %d", rec.Index)
			break
		}
		var textOff uint32
		if rec.HasText {
			if err := nextText(); err != nil {
				sc.stop, sc.stopText = err, true
				break
			}
			if !pending || t.index != index {
				sc.stop, sc.stopText = bad("text record missing or out of place"), true
				break
			}
			textOff = uint32(tOff) + 1
			pending = false
			sc.txtEnd = texts.off
		}
		sc.idx = binary.BigEndian.AppendUint32(sc.idx, uint32(off))
		sc.idx = binary.BigEndian.AppendUint32(sc.idx, textOff)
		sc.count++
		sc.logEnd = frames.off
	}
	if sc.stop == nil && (pending || sc.txtEnd < sc.txtSize) {
		// Texts beyond the last record: written by a batch whose records
		// were cut short.
		sc.stop, sc.stopText = bad("text records after the last entry"), true
	}
	return sc, nil
}

func describeStop(err error) string {
	if err == errIncomplete {
		return "record incomplete (a write cut short)"
	}
	return err.Error()
}

// openLast reads the last segment, truncates its torn tail when opening
// for writing (never below the last checkpoint, n), and opens it for
// appending.
func (s *FileStore) openLast(cpN int64) error {
	seg := s.segs[len(s.segs)-1]
	flag := os.O_RDONLY
	if !s.opts.ReadOnly {
		flag = os.O_RDWR | os.O_CREATE
	}
	log, err := os.OpenFile(segmentPath(s.dir, seg.first, ".log"), flag, 0o640)
	if err != nil {
		return err
	}
	txt, err := os.OpenFile(segmentPath(s.dir, seg.first, ".txt"), flag, 0o640)
	if errors.Is(err, fs.ErrNotExist) && s.opts.ReadOnly {
		txt, err = os.Open(os.DevNull)
	}
	if err != nil {
		log.Close()
		return err
	}
	sc, err := s.scanSegment(seg, log, txt)
	if err != nil {
		log.Close()
		txt.Close()
		return err
	}
	seg.count.Store(sc.count)
	tailIndex := seg.first + sc.count
	torn := sc.logEnd < sc.logSize || sc.txtEnd < sc.txtSize || sc.stop != nil || sc.creating
	if s.opts.ReadOnly {
		log.Close()
		txt.Close()
		if torn && !sc.creating {
			what := "damaged data after the last entry"
			if sc.stop != nil {
				what = describeStop(sc.stop)
			}
			s.tail = &CorruptError{Index: tailIndex, What: what, Tail: true}
		}
		return nil
	}
	if torn {
		if tailIndex < cpN {
			log.Close()
			txt.Close()
			return &CorruptError{Index: tailIndex, What: fmt.Sprintf("%s, but the last checkpoint covers %d entries: the ledger is damaged, run bawwab ledger verify", describeStop(sc.stop), cpN)}
		}
		what := "the creation of the segment was cut short"
		if sc.stop != nil {
			what = describeStop(sc.stop)
		} else if !sc.creating {
			what = "data after the last entry"
		}
		s.Recovered = fmt.Sprintf("truncated a torn tail at entry %d (%d bytes of records, %d of texts): %s", tailIndex, sc.logSize-sc.logEnd, sc.txtSize-sc.txtEnd, what)
		s.opts.Logger.Warn("ledger: " + s.Recovered)
		if sc.creating {
			// Finish creating the segment.
			err := log.Truncate(0)
			if err == nil {
				_, err = log.WriteAt(appendHeader(nil, logMagic, seg.first), 0)
			}
			if err == nil {
				err = txt.Truncate(0)
			}
			if err == nil {
				_, err = txt.WriteAt(appendHeader(nil, textMagic, seg.first), 0)
			}
			if err != nil {
				log.Close()
				txt.Close()
				return err
			}
			sc.logEnd, sc.txtEnd = headerSize, headerSize
		} else {
			err := s.quarantine(log, sc.logEnd, sc.logSize, fmt.Sprintf("%020d.log", seg.first))
			if err == nil {
				err = s.quarantine(txt, sc.txtEnd, sc.txtSize, fmt.Sprintf("%020d.txt", seg.first))
			}
			if err != nil {
				log.Close()
				txt.Close()
				return err
			}
		}
	}
	idx, err := os.OpenFile(segmentPath(s.dir, seg.first, ".idx"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
	if err == nil {
		_, err = idx.WriteAt(sc.idx, 0)
		if err == nil {
			err = idx.Sync()
		}
	}
	if err == nil {
		err = log.Sync()
	}
	if err == nil {
		err = txt.Sync()
	}
	if err != nil {
		log.Close()
		txt.Close()
		if idx != nil {
			idx.Close()
		}
		return err
	}
	s.act = &activeSegment{seg: seg, log: log, txt: txt, idx: idx,
		logSize: sc.logEnd, txtSize: sc.txtEnd, idxSize: int64(len(sc.idx))}
	return syncDir(s.dir)
}

// rebuildIndex rewrites the index of a segment that is not the last one.
func (s *FileStore) rebuildIndex(seg *segment) error {
	log, err := os.Open(segmentPath(s.dir, seg.first, ".log"))
	if err != nil {
		return err
	}
	defer log.Close()
	txt, err := os.Open(segmentPath(s.dir, seg.first, ".txt"))
	if err != nil {
		return err
	}
	defer txt.Close()
	sc, err := s.scanSegment(seg, log, txt)
	if err != nil {
		return err
	}
	if sc.stop != nil || sc.count != seg.count.Load() || sc.logEnd != sc.logSize {
		what := "segment ends early"
		if sc.stop != nil {
			what = describeStop(sc.stop)
		}
		return &CorruptError{Index: seg.first + sc.count, What: what + "; run bawwab ledger verify"}
	}
	s.opts.Logger.Info("ledger: rebuilt a segment index", "segment", seg.first)
	return writeFileAtomic(segmentPath(s.dir, seg.first, ".idx"), sc.idx, 0o640)
}

// createSegment starts the segment whose first entry is first and makes it
// the active one. The log file is created last: its existence is what
// makes a segment.
func (s *FileStore) createSegment(first int64) error {
	create := func(ext string, header []byte) (*os.File, error) {
		f, err := os.OpenFile(segmentPath(s.dir, first, ext), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o640)
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(header); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		return f, nil
	}
	a := &activeSegment{seg: &segment{first: first}, logSize: headerSize, txtSize: headerSize}
	var err error
	if a.txt, err = create(".txt", appendHeader(nil, textMagic, first)); err != nil {
		return err
	}
	if a.idx, err = create(".idx", nil); err != nil {
		a.txt.Close()
		return err
	}
	if a.log, err = create(".log", appendHeader(nil, logMagic, first)); err != nil {
		a.txt.Close()
		a.idx.Close()
		return err
	}
	if err := syncDir(s.dir); err != nil {
		a.close()
		return err
	}
	s.mu.Lock()
	s.segs = append(s.segs, a.seg)
	s.mu.Unlock()
	s.act = a
	return nil
}

func (a *activeSegment) close() {
	a.log.Close()
	a.txt.Close()
	a.idx.Close()
}

// roll syncs and closes the active segment and starts the next one.
func (s *FileStore) roll() error {
	a := s.act
	for _, f := range []*os.File{a.log, a.txt, a.idx} {
		if err := datasync(f); err != nil {
			return err
		}
	}
	a.close()
	return s.createSegment(a.seg.first + a.seg.count.Load())
}

// Len returns the number of records written.
func (s *FileStore) Len() int64 { return s.length.Load() }

func (s *FileStore) writable() error {
	switch {
	case s.opts.ReadOnly:
		return errors.New("ledger store opened read-only")
	case s.closed:
		return errors.New("ledger store closed")
	}
	return s.failed
}

// fail records a write error: after a failed write or sync the state of
// the files is unknown, so the store refuses to go on (reopening recovers).
func (s *FileStore) fail(err error) error {
	if s.failed == nil {
		s.failed = fmt.Errorf("ledger store failed, reopen to recover: %w", err)
	}
	return err
}

// Append writes records to the active segment, starting a new segment
// whenever it is full.
func (s *FileStore) Append(recs []Record) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	next := s.length.Load()
	a := s.act
	a.buf, a.tbuf, a.ibuf = a.buf[:0], a.tbuf[:0], a.ibuf[:0]
	var n int64
	for i := range recs {
		r := &recs[i]
		if r.Index != next+int64(i) {
			return fmt.Errorf("append entry %d: the store expects %d", r.Index, next+int64(i))
		}
		if len(r.Data) == 0 || len(r.Data) > MaxEntrySize {
			return fmt.Errorf("append entry %d: record of %d bytes", r.Index, len(r.Data))
		}
		if r.HasText != (r.Text != nil) || r.Text != nil && (len(r.Text.Body) == 0 || len(r.Text.Body) > MaxTextSize || r.Text.Time <= 0) {
			return fmt.Errorf("append entry %d: bad text", r.Index)
		}
		if a.seg.count.Load()+n > 0 && (a.logSize+int64(len(a.buf)) >= s.opts.SegmentSize || a.txtSize+int64(len(a.tbuf)) >= s.opts.SegmentSize) {
			if err := s.flush(n); err != nil {
				return s.fail(err)
			}
			n = 0
			if err := s.roll(); err != nil {
				return s.fail(err)
			}
			a = s.act
		}
		frameOff := a.logSize + int64(len(a.buf))
		var textOff int64
		if r.HasText {
			textOff = a.txtSize + int64(len(a.tbuf)) + 1
			a.tbuf = appendTextRecord(a.tbuf, r.Index, r.Text)
		}
		a.buf = appendFrame(a.buf, r)
		a.ibuf = binary.BigEndian.AppendUint32(a.ibuf, uint32(frameOff))
		a.ibuf = binary.BigEndian.AppendUint32(a.ibuf, uint32(textOff))
		n++
	}
	if err := s.flush(n); err != nil {
		return s.fail(err)
	}
	return nil
}

// flush writes the buffered records of the active segment: texts first, so
// that a record is never durable without its text.
func (s *FileStore) flush(n int64) error {
	a := s.act
	if n == 0 {
		return nil
	}
	if len(a.tbuf) > 0 {
		if _, err := a.txt.WriteAt(a.tbuf, a.txtSize); err != nil {
			return err
		}
		a.txtSize += int64(len(a.tbuf))
		a.txtDirty = true
	}
	if _, err := a.log.WriteAt(a.buf, a.logSize); err != nil {
		return err
	}
	a.logSize += int64(len(a.buf))
	a.logDirty = true
	if _, err := a.idx.WriteAt(a.ibuf, a.idxSize); err != nil {
		return err
	}
	a.idxSize += int64(len(a.ibuf))
	a.seg.count.Add(n)
	s.length.Add(n)
	a.buf, a.tbuf, a.ibuf = a.buf[:0], a.tbuf[:0], a.ibuf[:0]
	return nil
}

// Sync makes the records and texts written so far durable: one fdatasync
// of the log file and one of the text file, in parallel.
func (s *FileStore) Sync() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	a := s.act
	var terr error
	var wg sync.WaitGroup
	if a.txtDirty {
		wg.Go(func() { terr = datasync(a.txt) })
	}
	var lerr error
	if a.logDirty {
		lerr = datasync(a.log)
	}
	wg.Wait()
	if err := errors.Join(lerr, terr); err != nil {
		return s.fail(err)
	}
	a.logDirty, a.txtDirty = false, false
	return nil
}

// HashCount returns the number of stored hashes.
func (s *FileStore) HashCount() int64 { return s.hashCount.Load() }

// WriteHashes writes stored hashes at index at, dropping any after them.
func (s *FileStore) WriteHashes(at int64, hashes []tlog.Hash) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	count := s.hashCount.Load()
	if at < 0 || at > count {
		return fmt.Errorf("write hashes at %d: only %d stored", at, count)
	}
	if at < count {
		if err := s.hashes.Truncate(at * tlog.HashSize); err != nil {
			return s.fail(err)
		}
	}
	if len(hashes) > 0 {
		b := make([]byte, 0, len(hashes)*tlog.HashSize)
		for _, h := range hashes {
			b = append(b, h[:]...)
		}
		if _, err := s.hashes.WriteAt(b, at*tlog.HashSize); err != nil {
			return s.fail(err)
		}
	}
	s.hashCount.Store(at + int64(len(hashes)))
	return nil
}

// ReadHashes reads stored hashes, with one read per run of consecutive
// indexes.
func (s *FileStore) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	f := s.hashes
	if f == nil {
		var err error
		if f, err = os.Open(filepath.Join(s.dir, "hashes")); err != nil {
			return nil, err
		}
		defer f.Close()
	}
	count := s.hashCount.Load()
	out := make([]tlog.Hash, len(indexes))
	var buf []byte
	for i := 0; i < len(indexes); {
		j := i + 1
		for j < len(indexes) && indexes[j] == indexes[j-1]+1 {
			j++
		}
		if indexes[i] < 0 || indexes[j-1] >= count {
			return nil, fmt.Errorf("read stored hash %d: only %d stored", indexes[j-1], count)
		}
		n := (j - i) * tlog.HashSize
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		if _, err := f.ReadAt(buf[:n], indexes[i]*tlog.HashSize); err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		for k := i; k < j; k++ {
			copy(out[k][:], buf[(k-i)*tlog.HashSize:])
		}
		i = j
	}
	return out, nil
}

// AppendCheckpoint syncs the index and the hashes, then appends the
// checkpoint and syncs it.
func (s *FileStore) AppendCheckpoint(n int64, signed []byte) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.writable(); err != nil {
		return err
	}
	if len(signed) == 0 || len(signed) > maxNoteSize {
		return fmt.Errorf("checkpoint of %d bytes", len(signed))
	}
	if err := datasync(s.act.idx); err != nil {
		return s.fail(err)
	}
	if err := datasync(s.hashes); err != nil {
		return s.fail(err)
	}
	rec := appendCheckpointRecord(nil, n, signed)
	if _, err := s.cpFile.WriteAt(rec, s.cpSize); err != nil {
		return s.fail(err)
	}
	if err := datasync(s.cpFile); err != nil {
		return s.fail(err)
	}
	s.cpSize += int64(len(rec))
	s.mu.Lock()
	s.cps = append(s.cps, StoredCheckpoint{N: n, Note: append([]byte(nil), signed...)})
	s.mu.Unlock()
	return nil
}

// Checkpoints returns the stored checkpoints. Opened read-only, a damaged
// checkpoints file gives the checkpoints before the damage and a
// *CorruptError.
func (s *FileStore) Checkpoints() ([]StoredCheckpoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]StoredCheckpoint(nil), s.cps...), s.cpErr
}

func (s *FileStore) lastCheckpointN() int64 {
	if len(s.cps) == 0 {
		return 0
	}
	return s.cps[len(s.cps)-1].N
}

// segmentFor returns the segment holding index (s.mu held).
func (s *FileStore) segmentFor(index int64) *segment {
	k := sort.Search(len(s.segs), func(i int) bool { return s.segs[i].first > index }) - 1
	if k < 0 {
		return nil
	}
	return s.segs[k]
}

// Record reads one record by index, through the segment's index file.
func (s *FileStore) Record(index int64) (*Record, error) {
	if n := s.Len(); index < 0 || index >= n {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no entry %d (the ledger has %d)", index, n)
	}
	s.mu.RLock()
	seg := s.segmentFor(index)
	var files [3]*os.File
	var err error
	if seg != nil {
		for i, ext := range []string{".log", ".idx", ".txt"} {
			if files[i], err = os.Open(segmentPath(s.dir, seg.first, ext)); err != nil {
				break
			}
		}
	}
	s.mu.RUnlock()
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Close()
			}
		}
	}()
	if seg == nil || index >= seg.first+seg.count.Load() {
		return nil, &CorruptError{Index: index, What: "no segment holds it"}
	}
	if err != nil {
		return nil, fmt.Errorf("read entry %d: %w", index, err)
	}
	log, idx, txt := files[0], files[1], files[2]
	var ie [idxEntrySize]byte
	if _, err := idx.ReadAt(ie[:], (index-seg.first)*idxEntrySize); err != nil {
		return s.recordByScan(index)
	}
	frameOff := int64(binary.BigEndian.Uint32(ie[:]))
	textOff := int64(binary.BigEndian.Uint32(ie[4:]))
	r := new(Record)
	if err := readRecordAt(log, frameOff, frameHeader, func(b []byte) (int, error) { return decodeFrame(b, r) }); err != nil || r.Index != index {
		return s.recordByScan(index)
	}
	if textOff > 0 {
		var t textRecord
		if err := readRecordAt(txt, textOff-1, textHeader, func(b []byte) (int, error) { return decodeTextRecord(b, &t) }); err != nil || t.index != index {
			return s.recordByScan(index)
		}
		r.Text = &t.text
	}
	return r, nil
}

// readRecordAt reads the record at off of a file into a buffer of its own.
func readRecordAt(f *os.File, off int64, hdr int, decode func([]byte) (int, error)) error {
	b := make([]byte, hdr)
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	size, err := decode(b)
	if err != errIncomplete || size <= len(b) {
		return err
	}
	b = make([]byte, size)
	if _, err := f.ReadAt(b, off); err != nil {
		return err
	}
	_, err = decode(b)
	return err
}

// recordByScan reads a record when the index file does not lead to it
// (an index not yet rebuilt after a crash, or damaged).
func (s *FileStore) recordByScan(index int64) (*Record, error) {
	for r, err := range s.Scan(index, index+1) {
		if err != nil {
			return nil, err
		}
		c := &Record{Index: r.Index, Data: append([]byte(nil), r.Data...), Chain: r.Chain, HasText: r.HasText}
		if r.Text != nil {
			c.Text = &Text{Time: r.Text.Time, Nonce: r.Text.Nonce, Body: append([]byte(nil), r.Text.Body...)}
		}
		return c, nil
	}
	return nil, &CorruptError{Index: index, What: "record missing"}
}

// Scan iterates over records [from, to) with their texts.
func (s *FileStore) Scan(from, to int64) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		s.mu.RLock()
		segs := s.segs
		length := s.Len()
		tail := s.tail
		cpN := s.lastCheckpointN()
		s.mu.RUnlock()
		if to < 0 || to > length {
			to = length
		}
		from = max(from, 0)
		next := from
		for k := sort.Search(len(segs), func(i int) bool { return segs[i].first > from }) - 1; next < to; k++ {
			if k < 0 || k >= len(segs) || segs[k].first > next {
				end := to - 1
				if k >= 0 && k < len(segs) {
					end = segs[k].first - 1
				}
				yield(nil, &CorruptError{Index: next, What: fmt.Sprintf("entries %d to %d missing: no segment file holds them", next, end)})
				return
			}
			seg := segs[k]
			end := min(to, seg.first+seg.count.Load())
			if !s.scanRange(seg, next, end, k == len(segs)-1, cpN, yield) {
				return
			}
			next = end
		}
		if tail != nil && to == length && from <= tail.Index {
			yield(nil, tail)
		}
	}
}

// scanRange yields the records [from, to) of one segment.
func (s *FileStore) scanRange(seg *segment, from, to int64, last bool, cpN int64, yield func(*Record, error) bool) bool {
	corrupt := func(index int64, tail bool, format string, args ...any) bool {
		yield(nil, &CorruptError{Index: index, What: fmt.Sprintf(format, args...), Tail: tail && last})
		return false
	}
	s.mu.RLock()
	log, err := os.Open(segmentPath(s.dir, seg.first, ".log"))
	var txt, idx *os.File
	if err == nil {
		if txt, err = os.Open(segmentPath(s.dir, seg.first, ".txt")); errors.Is(err, fs.ErrNotExist) {
			txt, err = os.Open(os.DevNull)
		}
	}
	if err == nil && (from > seg.first || s.opts.CheckIndex) {
		idx, _ = os.Open(segmentPath(s.dir, seg.first, ".idx"))
	}
	s.mu.RUnlock()
	for _, f := range []*os.File{log, txt, idx} {
		if f != nil {
			defer f.Close()
		}
	}
	if err != nil {
		return corrupt(from, false, "segment %d unreadable: %v", seg.first, err)
	}
	var hdr [headerSize]byte
	if _, err := io.ReadFull(log, hdr[:]); err != nil {
		return corrupt(from, true, "segment %d: header incomplete", seg.first)
	}
	if first, err := checkHeader(hdr[:], logMagic); err != nil || first != seg.first {
		return corrupt(from, false, "segment %d: bad header", seg.first)
	}
	textStart := int64(headerSize)
	if n, _ := io.ReadFull(txt, hdr[:]); n > 0 || !last {
		if first, err := checkHeader(hdr[:n], textMagic); err != nil || first != seg.first {
			return corrupt(from, false, "text file of segment %d: bad header", seg.first)
		}
	}
	start, logStart := seg.first, int64(headerSize)
	if from > seg.first && idx != nil {
		var ie [idxEntrySize]byte
		if _, err := idx.ReadAt(ie[:], (from-seg.first)*idxEntrySize); err == nil {
			start, logStart = from, int64(binary.BigEndian.Uint32(ie[:]))
		}
	}
	frames := fileRecordReader(log, logStart, s.opts.WrapReader)
	texts := fileRecordReader(txt, textStart, nil)
	var idxR *recordReader
	if s.opts.CheckIndex && idx != nil {
		idxR = fileRecordReader(idx, (from-seg.first)*idxEntrySize, nil)
	}
	var (
		rec     Record
		t       textRecord
		tOff    int64
		pending bool // t holds the next text record, not yet matched
		tDone   bool
	)
	nextText := func() error {
		if pending || tDone {
			return nil
		}
		off, err := texts.text(&t)
		if err == io.EOF {
			tDone = true
			return nil
		}
		if err == nil {
			pending, tOff = true, off
		}
		return err
	}
	for index := start; index < to; index++ {
		off, err := frames.frame(&rec)
		if err == io.EOF {
			if last {
				return corrupt(index, true, "record missing: the segment ends early")
			}
			return corrupt(index, false, "entries %d to %d missing: segment %d ends early (a segment file removed?)", index, seg.first+seg.count.Load()-1, seg.first)
		}
		if err != nil {
			return corrupt(index, true, "%s", describeStop(err))
		}
		if rec.Index != index {
			if index == start && start > seg.first {
				// The index file led astray: read from the start.
				frames = fileRecordReader(log, headerSize, s.opts.WrapReader)
				start = seg.first
				index = start - 1
				continue
			}
			return corrupt(index, false, "record out of place: it holds entry %d", rec.Index)
		}
		// Texts are read when an entry has one: a damaged text record is
		// then reported at the entry that expected it.
		var textOff int64
		rec.Text = nil
		if rec.HasText {
			if err := nextText(); err != nil {
				return corrupt(index, err == errIncomplete, "text record damaged: %s", describeStop(err))
			}
			for pending && t.index < from {
				pending = false // the text of an entry before from
				if err := nextText(); err != nil {
					return corrupt(index, err == errIncomplete, "text record damaged: %s", describeStop(err))
				}
			}
			if pending && t.index < index {
				return corrupt(index, false, "text record out of place: where this entry's text should be, a record names entry %d", t.index)
			}
			if pending && t.index == index {
				rec.Text, textOff, pending = &t.text, tOff+1, false
			}
		}
		if index < from {
			continue
		}
		if idxR != nil && index < cpN {
			var ie [idxEntrySize]byte
			if _, err := io.ReadFull(idxR.br, ie[:]); err != nil {
				return corrupt(index, false, "index file of segment %d ends early", seg.first)
			}
			if fo, to := int64(binary.BigEndian.Uint32(ie[:])), int64(binary.BigEndian.Uint32(ie[4:])); fo != off || to != textOff {
				return corrupt(index, false, "index file entry damaged (offsets %d/%d, want %d/%d)", fo, to, off, textOff)
			}
		}
		if !yield(&rec, nil) {
			return false
		}
	}
	if !last && to == seg.first+seg.count.Load() {
		if _, err := frames.frame(&rec); err != io.EOF {
			return corrupt(to, false, "unexpected data after the last entry of segment %d", seg.first)
		}
		if err := nextText(); err != nil || pending {
			return corrupt(to-1, false, "unexpected text records after the last entry of segment %d", seg.first)
		}
	}
	return true
}

// PurgeTexts drops the texts dated before t of the entries before below.
// It first starts a new segment,
// so that it never rewrites a file being appended to, then rewrites each
// older segment's text file without the old texts, and its index to match.
func (s *FileStore) PurgeTexts(before time.Time, below int64) (int64, error) {
	s.wmu.Lock()
	if err := s.writable(); err != nil {
		s.wmu.Unlock()
		return 0, err
	}
	if s.act.seg.count.Load() > 0 {
		if err := s.roll(); err != nil {
			s.wmu.Unlock()
			return 0, s.fail(err)
		}
	}
	active := s.act.seg.first
	s.wmu.Unlock()
	s.mu.RLock()
	segs := append([]*segment(nil), s.segs...)
	s.mu.RUnlock()
	var total int64
	for _, seg := range segs {
		if seg.first >= active {
			break
		}
		n, err := s.purgeSegment(seg, before.UnixNano(), below)
		total += n
		if err != nil {
			return total, fmt.Errorf("purge texts of segment %d: %w", seg.first, err)
		}
	}
	return total, nil
}

func (s *FileStore) purgeSegment(seg *segment, before, below int64) (int64, error) {
	txtPath := segmentPath(s.dir, seg.first, ".txt")
	idxPath := segmentPath(s.dir, seg.first, ".idx")
	data, err := os.ReadFile(txtPath)
	if err != nil {
		return 0, err
	}
	if first, err := checkHeader(data, textMagic); err != nil || first != seg.first {
		return 0, errors.New("bad text file header")
	}
	moved := map[uint32]uint32{} // old offset+1 -> new offset+1 (0: dropped)
	out := appendHeader(nil, textMagic, seg.first)
	var dropped int64
	for off := headerSize; off < len(data); {
		var t textRecord
		size, err := decodeTextRecord(data[off:], &t)
		if err != nil {
			return 0, fmt.Errorf("text record at offset %d: %s", off, describeStop(err))
		}
		if t.text.Time < before && t.index < below {
			moved[uint32(off)+1] = 0
			dropped++
		} else {
			moved[uint32(off)+1] = uint32(len(out)) + 1
			out = append(out, data[off:off+size]...)
		}
		off += size
	}
	if dropped == 0 {
		return 0, nil
	}
	idx, err := os.ReadFile(idxPath)
	if err != nil {
		return 0, err
	}
	if int64(len(idx)) != seg.count.Load()*idxEntrySize {
		return 0, errors.New("index file has the wrong size")
	}
	for i := 0; i < len(idx); i += idxEntrySize {
		if old := binary.BigEndian.Uint32(idx[i+4:]); old != 0 {
			nw, ok := moved[old]
			if !ok {
				return 0, fmt.Errorf("index entry %d points to no text record", seg.first+int64(i/idxEntrySize))
			}
			binary.BigEndian.PutUint32(idx[i+4:], nw)
		}
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{txtPath + ".tmp", out}, {idxPath + ".tmp", idx}} {
		if err := writeSynced(f.path, f.data); err != nil {
			return 0, err
		}
	}
	s.mu.Lock()
	err = os.Rename(txtPath+".tmp", txtPath)
	if err == nil {
		err = os.Rename(idxPath+".tmp", idxPath)
	}
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return dropped, syncDir(s.dir)
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Close syncs everything and releases the lock.
func (s *FileStore) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed {
		return nil
	}
	var err error
	if !s.opts.ReadOnly && s.failed == nil && s.act != nil {
		for _, f := range []*os.File{s.act.log, s.act.txt, s.act.idx, s.hashes, s.cpFile} {
			err = errors.Join(err, datasync(f))
		}
	}
	s.closed = true
	s.closeFiles()
	return err
}

func (s *FileStore) closeFiles() {
	if s.act != nil {
		s.act.close()
	}
	for _, f := range []*os.File{s.hashes, s.cpFile} {
		if f != nil {
			f.Close()
		}
	}
	if s.lock != nil {
		unlockFile(s.lock)
		s.lock.Close()
	}
}
