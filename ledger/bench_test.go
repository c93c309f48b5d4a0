package ledger_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
)

// BenchmarkAppend measures durable appends (every Append returns after its
// batch's fdatasync) with concurrent appenders, each appending realistic
// decisions (≈250 bytes encoded, a 100–200 character text). It reports
// entries/s and entries per fdatasync. The reference is the disk itself:
// the same bytes written in 1 MiB chunks with one fdatasync each, no
// hashing — the ceiling the ledger is measured against.
func BenchmarkAppend(b *testing.B) {
	entries := make([]*bawwab.LedgerEntry, 4096)
	for i := range entries {
		entries[i] = decision(i)
	}
	for _, appenders := range []int{1, 64, 512, 2048} {
		b.Run(fmt.Sprintf("appenders=%d", appenders), func(b *testing.B) {
			e := newEnv(b)
			l := e.open(production)
			defer l.Close()
			ctx := context.Background()
			b.ReportAllocs()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			for range appenders {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						en := *entries[i%int64(len(entries))]
						if os.Getenv("NOTEXT") != "" {
							en.Text = ""
						}
						if _, err := l.Append(ctx, &en); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			st := l.Stats()
			b.ReportMetric(float64(b.N)/el.Seconds(), "entries/s")
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/entry")
			if st.Syncs > 0 {
				b.ReportMetric(float64(st.Appended)/float64(st.Syncs), "entries/fsync")
			}
		})
	}
	b.Run("batch=256", func(b *testing.B) {
		e := newEnv(b)
		l := e.open(production)
		defer l.Close()
		ctx := context.Background()
		b.ReportAllocs()
		var next atomic.Int64
		var wg sync.WaitGroup
		start, cpu0 := time.Now(), cpuTime()
		for range 8 {
			wg.Go(func() {
				batch := make([]*bawwab.LedgerEntry, 256)
				for {
					i := next.Add(256) - 256
					if i >= int64(b.N) {
						return
					}
					for k := range batch {
						en := *entries[(int(i)+k)%len(entries)]
						batch[k] = &en
					}
					if _, err := l.AppendBatch(ctx, batch); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		el := time.Since(start)
		st := l.Stats()
		b.ReportMetric(float64(st.Appended)/el.Seconds(), "entries/s")
		b.ReportMetric(float64(cpuTime()-cpu0)/float64(st.Appended), "cpu-ns/entry")
		b.ReportMetric(float64(st.Appended)/float64(st.Syncs), "entries/fsync")
	})
	b.Run("ref=disk-1MiB-fdatasync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "ref"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		l := e0Size(b, entries)
		buf := make([]byte, 0, 1<<20)
		start := time.Now()
		for range b.N {
			buf = append(buf, make([]byte, l)...)
			if len(buf) >= 1<<20 {
				if _, err := f.Write(buf); err != nil {
					b.Fatal(err)
				}
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
				buf = buf[:0]
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
	})
}

// production uses the real clock and randomness, as the gateway does, in
// benchmarks (the test clock and random source serialise their callers).
func production(o *ledger.Options) {
	o.Now, o.Rand = nil, nil
}

// e0Size is the bytes one realistic entry takes on disk (record frame and
// text record), measured on a ledger.
func e0Size(b *testing.B, entries []*bawwab.LedgerEntry) int {
	var total int
	for _, e := range entries[:64] {
		c := *e
		c.Recipient = bawwab.Pseudonym{KeyID: 1, Sum: bawwab.Digest{1}}
		c.TextHash = bawwab.Digest{1}
		c.Time = t0
		data, err := ledger.MarshalEntry(&c)
		if err != nil {
			b.Fatal(err)
		}
		total += len(data) + 49 + len(c.Text) + 40 + 8
	}
	return total / 64
}

// BenchmarkVerify measures verifying a whole ledger of b.N realistic
// entries (checksums, decoding, texts, chain, tree, index, checkpoints):
// one op is one entry verified.
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b)
	l := e.open()
	appendN(b, l, b.N)
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	keys := e.verifiers()
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	rep, err := ledger.VerifyDir(context.Background(), e.dir, ledger.VerifyOptions{Keys: keys}, nil)
	if err != nil || rep.Problem != nil || rep.Entries != int64(b.N) {
		b.Fatal(err, rep.Problem)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "entries/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/entry")
}

// BenchmarkEncode measures the canonical encoding and its record hash.
func BenchmarkEncode(b *testing.B) {
	e := decision(1)
	e.Recipient = bawwab.Pseudonym{KeyID: 1, Sum: bawwab.Digest{1}}
	e.TextHash = bawwab.Digest{2}
	e.Time = t0
	b.ReportAllocs()
	buf := make([]byte, 0, 512)
	for b.Loop() {
		var err error
		if buf, err = ledger.AppendEntry(buf[:0], e); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(buf)))
}
