package ledgertest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
)

// production are the ledger's settings in production: checkpoints every
// 100 000 entries or 10 s.
func production(o *ledger.Options) {
	o.CheckpointEvery, o.CheckpointInterval = 100_000, 10*time.Second
	o.Now, o.Rand = time.Now, nil
}

// BenchmarkAppend measures durable appends on a backend: every Append
// returns once its batch is committed (group commit), from many
// goroutines each appending one realistic decision at a time, and from a
// few appending batches of 256. It reports entries/s and entries per
// commit.
func BenchmarkAppend(b *testing.B, be Backend) {
	entries := make([]*bawwab.LedgerEntry, 4096)
	for i := range entries {
		entries[i] = Decision(i)
	}
	run := func(b *testing.B, goroutines, batch int) {
		e := newEnv(b, be)
		l := e.open(production)
		defer l.Close()
		ctx := context.Background()
		b.ReportAllocs()
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range goroutines {
			wg.Go(func() {
				buf := make([]*bawwab.LedgerEntry, batch)
				for {
					i := next.Add(int64(batch)) - int64(batch)
					if i >= int64(b.N) {
						return
					}
					n := min(batch, b.N-int(i))
					for k := range n {
						en := *entries[(int(i)+k)%len(entries)]
						buf[k] = &en
					}
					if _, err := l.AppendBatch(ctx, buf[:n]); err != nil {
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
		if st.Syncs > 0 {
			b.ReportMetric(float64(st.Appended)/float64(st.Syncs), "entries/commit")
		}
	}
	for _, g := range []int{64, 512} {
		b.Run(fmt.Sprintf("appenders=%d", g), func(b *testing.B) { run(b, g, 1) })
	}
	b.Run("batch=256x8", func(b *testing.B) { run(b, 8, 256) })
}

// BenchmarkVerify measures Verify over b.N entries of a backend, read
// through a read-only store. It reports entries/s.
func BenchmarkVerify(b *testing.B, be Backend) {
	e := newEnv(b, be)
	l := e.open(production)
	appendN(b, l, 0, b.N)
	if err := l.Close(); err != nil {
		b.Fatal(err)
	}
	st := e.store(true)
	defer st.Close()
	b.ResetTimer()
	rep, err := ledger.Verify(context.Background(), st, ledger.VerifyOptions{Keys: e.verifiers()})
	b.StopTimer()
	if err != nil || rep.Problem != nil || rep.Entries != int64(b.N) {
		b.Fatalf("verify: %v %+v", err, rep)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}
