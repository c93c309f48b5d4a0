package ledger_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/ledger/ledgertest"
)

// fileBackend is FileStore for the ledger store conformance suite, with
// small segments so that the suite crosses segment boundaries.
var fileBackend = ledgertest.Backend{
	Name:        "files",
	NewLocation: func(t testing.TB) string { return filepath.Join(t.TempDir(), "ledger") },
	Open: func(t testing.TB, dir string, readOnly bool) (ledger.Store, error) {
		return ledger.OpenFileStore(dir, ledger.FileStoreOptions{ReadOnly: readOnly, SegmentSize: 32 << 10})
	},
	Tamper: func(t testing.TB, dir string, index int64) {
		for _, l := range frameLocs(t.(*testing.T), dir) {
			if l.index == index {
				b, err := os.ReadFile(l.file)
				if err != nil {
					t.Fatal(err)
				}
				b[l.data+l.n/2] ^= 0x20
				fixCRC(b, l)
				if err := os.WriteFile(l.file, b, 0o640); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no record of entry %d", index)
	},
}

func TestStoreConformance(t *testing.T) {
	ledgertest.Run(t, fileBackend)
}

// fileBench is FileStore with its default segments, for the benchmarks
// run side by side with PostgreSQL's (postgres.BenchmarkLedgerAppend).
var fileBench = ledgertest.Backend{
	Name:        "files",
	NewLocation: fileBackend.NewLocation,
	Open: func(t testing.TB, dir string, readOnly bool) (ledger.Store, error) {
		return ledger.OpenFileStore(dir, ledger.FileStoreOptions{ReadOnly: readOnly})
	},
}

func BenchmarkStoreAppend(b *testing.B) { ledgertest.BenchmarkAppend(b, fileBench) }
func BenchmarkStoreVerify(b *testing.B) { ledgertest.BenchmarkVerify(b, fileBench) }
