package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/registrycsv"
	"github.com/bawwab/bawwab/sqlite"
)

// BenchmarkOppositions loads a national opt-out list of BAWWAB_BENCH_LINES
// numbers (default 100 000; the target is 10 000 000) into each store
// through the same code as "bawwab optout import", beside a reference that
// only reads and parses the file, and reports lines per second; then it
// streams them back. For the 10 M figures, run it alone and once:
//
//	BAWWAB_BENCH_LINES=10000000 go test -run '^$' -bench Oppositions -benchtime 1x -timeout 1h ./cmd/bawwab
//
// The file is generated in the temporary directory and removed at the end.

func benchLines(b *testing.B) int {
	n := 100_000
	if v := os.Getenv("BAWWAB_BENCH_LINES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("BAWWAB_BENCH_LINES=%q: want a positive number", v)
		}
	}
	return n
}

var benchFiles sync.Map // lines → path

// benchFile writes (once per process and size) an opt-out list of n
// distinct Moroccan mobile numbers in shuffled order and mixed forms.
func benchFile(b *testing.B, n int) string {
	if p, ok := benchFiles.Load(n); ok {
		return p.(string)
	}
	f, err := os.CreateTemp("", fmt.Sprintf("bawwab-bench-%d-*.csv", n))
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("msisdn\n")
	const space = 200_000_000 // 6xxxxxxxx and 7xxxxxxxx
	for i := range n {
		// i ↦ i·k mod space is a permutation (k is prime to space).
		d := 600_000_000 + (uint64(i)*2654435761)%space
		switch i % 3 {
		case 0:
			fmt.Fprintf(w, "+212%d\n", d)
		case 1:
			fmt.Fprintf(w, "0%d\n", d)
		default:
			fmt.Fprintf(w, "00212%d\n", d)
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles.Store(n, f.Name())
	return f.Name()
}

// TestMain cannot clean up after benchmarks alone; removeBenchFiles runs
// from each top-level benchmark's cleanup.
func removeBenchFiles() {
	benchFiles.Range(func(k, v any) bool {
		os.Remove(v.(string))
		benchFiles.Delete(k)
		return true
	})
}

type benchStore struct {
	name string
	// open opens a new, empty store; close closes it and frees its disk.
	open func(b *testing.B) (st bawwab.Store, close func())
}

// benchStores returns the stores; PostgreSQL schemas live until the end of
// parent, so that a store outlives the sub-benchmark that filled it.
func benchStores(parent *testing.B) []benchStore {
	return []benchStore{
		{"sqlite", func(b *testing.B) (bawwab.Store, func()) {
			dir, err := os.MkdirTemp("", "bawwab-bench-sqlite-*")
			if err != nil {
				b.Fatal(err)
			}
			db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			return db.Store(), func() { db.Close(); os.RemoveAll(dir) }
		}},
		{"postgres", func(b *testing.B) (bawwab.Store, func()) {
			db := postgres.NewDB(pgSchemaDSN(parent))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			return db.Store(), func() { db.Close() } // the schema goes at cleanup
		}},
	}
}

func importFile(b *testing.B, st bawwab.Store, path string) bawwab.ImportResult {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	res, err := importOppositions(context.Background(), st, bufio.NewReaderSize(f, 1<<20), nil, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkOppositions imports the list into each store (beside the
// parse-only reference), then reads it back from the store it filled: every
// event in sequence order (how the opposition index loads at start), and
// the states in force (what export writes).
func BenchmarkOppositions(b *testing.B) {
	n := benchLines(b)
	b.Cleanup(removeBenchFiles)
	path := benchFile(b, n)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("import/lines=%d/parse-only", n), func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(fi.Size())
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			r, err := registrycsv.NewReader(bufio.NewReaderSize(f, 1<<20), "", oppositionFormat)
			if err != nil {
				b.Fatal(err)
			}
			var scope bawwab.Scope
			var lastScope, lastAt string
			at := time.Now()
			for {
				if err := r.Next(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
				if _, err := parseOpposition(r, &scope, &lastScope, &at, &lastAt); err != nil {
					b.Fatal(err)
				}
			}
			f.Close()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	})
	for _, s := range benchStores(b) {
		var st bawwab.Store
		var closeStore func()
		b.Run(fmt.Sprintf("import/lines=%d/%s", n, s.name), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(fi.Size())
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				if closeStore != nil {
					closeStore()
				}
				st, closeStore = s.open(b)
				b.StartTimer()
				start := time.Now()
				if res := importFile(b, st, path); res.Records != int64(n) {
					b.Fatalf("imported %d of %d", res.Records, n)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "lines/s")
		})
		if closeStore == nil {
			continue // the import was skipped or failed
		}
		for _, what := range []string{"events", "states"} {
			b.Run(fmt.Sprintf("stream-%s/rows=%d/%s", what, n, s.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					seq := st.Oppositions.StreamOppositions(context.Background(), 0)
					if what == "states" {
						seq = st.Oppositions.StreamOppositionStates(context.Background(), 0)
					}
					var got int
					for _, err := range seq {
						if err != nil {
							b.Fatal(err)
						}
						got++
					}
					if got != n {
						b.Fatalf("streamed %d of %d", got, n)
					}
				}
				b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
		closeStore()
	}
}
