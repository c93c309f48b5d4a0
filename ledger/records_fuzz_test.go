package ledger

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/tlog"
)

func fuzzSeeds() (frames, texts []byte) {
	for i := range 3 {
		e := &bawwab.LedgerEntry{Kind: bawwab.EntryDecision, Time: time.Unix(1_700_000_000+int64(i), 0), ProviderID: "p", Detail: "d"}
		data, _ := MarshalEntry(e)
		frames = appendFrame(frames, &Record{Index: int64(i), Data: data, Chain: tlog.Hash{byte(i)}, HasText: i != 1})
		if i != 1 {
			texts = appendTextRecord(texts, int64(i), &Text{Time: e.Time.UnixNano(), Body: []byte("STOP au 5050")})
		}
	}
	return frames, texts
}

// FuzzRecordReader reads arbitrary bytes as records, texts and checkpoints:
// no panic, no allocation beyond the bounded read buffer, and whatever
// decodes re-encodes to the same bytes.
func FuzzRecordReader(f *testing.F) {
	frames, texts := fuzzSeeds()
	f.Add(frames)
	f.Add(texts)
	f.Add(frames[:len(frames)-3])
	f.Add(appendCheckpointRecord(nil, 3, []byte("origin\n3\nhash\n\n— sig\n")))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		rr := newRecordReader(bytes.NewReader(data), 0, len(data))
		for {
			var r Record
			if _, err := rr.frame(&r); err != nil {
				break
			}
			if again := appendFrame(nil, &r); !bytes.Equal(again, data[rr.off-int64(len(again)):rr.off]) {
				t.Fatalf("frame %x re-encodes to %x", data, again)
			}
		}
		rr = newRecordReader(bytes.NewReader(data), 0, len(data))
		for {
			var tr textRecord
			if _, err := rr.text(&tr); err != nil {
				break
			}
			if again := appendTextRecord(nil, tr.index, &tr.text); !bytes.Equal(again, data[rr.off-int64(len(again)):rr.off]) {
				t.Fatalf("text record re-encodes differently")
			}
		}
		rr = newRecordReader(bytes.NewReader(data), 0, len(data))
		for {
			var c StoredCheckpoint
			if _, err := rr.checkpoint(&c); err != nil {
				break
			}
		}
		ParseCheckpoint(data)
	})
}

// FuzzSegmentFiles opens a ledger directory whose last segment holds
// arbitrary bytes after its header, read-only, and scans it: the store must
// report damage as a *CorruptError, never panic or hang.
func FuzzSegmentFiles(f *testing.F) {
	frames, texts := fuzzSeeds()
	f.Add(frames, texts)
	f.Add(frames[:len(frames)-7], texts)
	f.Add(frames, texts[:10])
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, log, txt []byte) {
		dir := t.TempDir()
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(os.WriteFile(filepath.Join(dir, "FORMAT"), []byte(formatLine), 0o644))
		must(os.WriteFile(segmentPath(dir, 0, ".log"), append(appendHeader(nil, logMagic, 0), log...), 0o644))
		must(os.WriteFile(segmentPath(dir, 0, ".txt"), append(appendHeader(nil, textMagic, 0), txt...), 0o644))
		st, err := OpenFileStore(dir, FileStoreOptions{ReadOnly: true, CheckIndex: true})
		if err != nil {
			return
		}
		defer st.Close()
		var n int64
		for r, err := range st.Scan(0, -1) {
			if err != nil {
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Fatalf("scan error %v is not a CorruptError", err)
				}
				break
			}
			if r.Index != n {
				t.Fatalf("record %d at position %d", r.Index, n)
			}
			n++
		}
		if st.Len() > 0 {
			if _, err := st.Record(st.Len() - 1); err != nil && !errors.Is(err, io.EOF) {
				var ce *CorruptError
				if !errors.As(err, &ce) {
					t.Logf("record: %v", err)
				}
			}
		}
	})
}
