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
	"github.com/bawwab/bawwab/sqlite"
)

// The import benchmarks load a national opt-out list of
// BAWWAB_BENCH_LINES numbers (default 100 000; the target is 10 000 000)
// into each store through the same code as "bawwab optout import", beside
// a reference that only reads and parses the file, and report lines per
// second. Run them alone and once:
//
//	BAWWAB_BENCH_LINES=10000000 go test -run '^$' -bench 'Oppositions' -benchtime 1x ./cmd/bawwab
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
	open func(b *testing.B) bawwab.Store
}

func benchStores(b *testing.B) []benchStore {
	return []benchStore{
		{"sqlite", func(b *testing.B) bawwab.Store {
			db := sqlite.NewDB(filepath.Join(b.TempDir(), "bawwab.db"))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db.Store()
		}},
		{"postgres", func(b *testing.B) bawwab.Store {
			db := postgres.NewDB(pgSchemaDSN(b))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db.Store()
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

func BenchmarkImportOppositions(b *testing.B) {
	n := benchLines(b)
	b.Cleanup(removeBenchFiles)
	path := benchFile(b, n)
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run(fmt.Sprintf("lines=%d/parse-only", n), func(b *testing.B) {
		// The reference: the file read and every line parsed and
		// normalised, nothing stored.
		b.ReportAllocs()
		b.SetBytes(fi.Size())
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			r, err := newCSVReader(bufio.NewReaderSize(f, 1<<20), "", oppositionFormat)
			if err != nil {
				b.Fatal(err)
			}
			var scope bawwab.Scope
			var lastScope, lastAt string
			at := time.Now()
			for {
				if err := r.next(); err == io.EOF {
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
		b.Run(fmt.Sprintf("lines=%d/%s", n, s.name), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(fi.Size())
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				st := s.open(b)
				b.StartTimer()
				start := time.Now()
				res := importFile(b, st, path)
				elapsed += time.Since(start)
				if res.Records != int64(n) {
					b.Fatalf("imported %d of %d", res.Records, n)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "lines/s")
		})
	}
}

// BenchmarkStreamOppositions reads every event back in sequence order (how
// the opposition index loads at start), and the states in force (what
// export writes).
func BenchmarkStreamOppositions(b *testing.B) {
	n := benchLines(b)
	b.Cleanup(removeBenchFiles)
	path := benchFile(b, n)
	for _, s := range benchStores(b) {
		st := s.open(b)
		importFile(b, st, path)
		os.Remove(path) // the store has it; free the disk early
		benchFiles.Delete(n)
		path = benchFile(b, n)
		for _, what := range []string{"events", "states"} {
			b.Run(fmt.Sprintf("rows=%d/%s/%s", n, s.name, what), func(b *testing.B) {
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
	}
}
