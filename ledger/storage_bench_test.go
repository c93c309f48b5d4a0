//go:build sqlitebench

package ledger_test

// The measurement behind the choice of storage (FORMAT.md, "Storage"):
// the same records, committed durably in the same batches, through the
// segment files of FileStore and through SQLite (modernc.org/sqlite, WAL,
// synchronous=FULL, one transaction per batch). Only storage is measured:
// no hashing, no group commit machinery. It is behind a build tag so that
// the ledger's tests do not compile SQLite:
//
//	go test -tags sqlitebench -run '^$' -bench Storage -benchtime 100000x ./ledger

import (
	"crypto/rand"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab/ledger"
	_ "modernc.org/sqlite"
)

func BenchmarkStorage(b *testing.B) {
	data := make([]byte, 250) // a realistic encoded decision
	text := make([]byte, 170) // a 160-character text, some of it Arabic
	rand.Read(data)
	rand.Read(text)
	for _, batch := range []int{250, 1000} {
		b.Run(fmt.Sprintf("store=segments/batch=%d", batch), func(b *testing.B) {
			fs, err := ledger.OpenFileStore(b.TempDir(), ledger.FileStoreOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer fs.Close()
			recs := make([]ledger.Record, batch)
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < b.N; i += batch {
				for j := range recs {
					recs[j] = ledger.Record{Index: int64(i + j), Data: data, HasText: true, Text: &ledger.Text{Time: 1, Body: text}}
				}
				if err := fs.Append(recs); err != nil {
					b.Fatal(err)
				}
				if err := fs.Sync(); err != nil {
					b.Fatal(err)
				}
			}
			n := (b.N + batch - 1) / batch * batch
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/record")
		})
		b.Run(fmt.Sprintf("store=sqlite/batch=%d", batch), func(b *testing.B) {
			db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "ledger.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			if _, err := db.Exec(`CREATE TABLE entries (idx INTEGER PRIMARY KEY, data BLOB NOT NULL, chain BLOB NOT NULL, text BLOB)`); err != nil {
				b.Fatal(err)
			}
			chain := make([]byte, 32)
			start, cpu0 := time.Now(), cpuTime()
			for i := 0; i < b.N; i += batch {
				tx, err := db.Begin()
				if err != nil {
					b.Fatal(err)
				}
				st, err := tx.Prepare(`INSERT INTO entries (idx, data, chain, text) VALUES (?, ?, ?, ?)`)
				if err != nil {
					b.Fatal(err)
				}
				for j := i; j < i+batch; j++ {
					if _, err := st.Exec(j, data, chain, text); err != nil {
						b.Fatal(err)
					}
				}
				st.Close()
				if err := tx.Commit(); err != nil {
					b.Fatal(err)
				}
			}
			n := (b.N + batch - 1) / batch * batch
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "records/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/record")
		})
	}
}
