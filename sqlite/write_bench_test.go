package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
)

// The gateway's bulk writes per message, in the batches it makes under
// load: the report feeder's delivery index (ApplyFeed, up to 10 000
// entries a transaction) and the receipts' routes (PutRoutes, every
// 20 ms). Reported per row.

func openBench(b *testing.B) *sqlite.DB {
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// cpuTime returns the process's user and system CPU time: on a shared
// machine it varies less than the wall clock. Call it after ResetTimer
// and report with reportCPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkApplyFeedDeliveries(b *testing.B) {
	const batch = 2000
	// Cancellable, as the feeder's is (the driver watches such a context).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rs := sqlite.NewReportService(openBench(b))
	rnd := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var next int64
	b.ResetTimer()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for done := 0; done < b.N; done += batch {
		fb := &bawwab.FeedBatch{Origin: "node1", From: next, To: next + batch,
			Tallies: []bawwab.Tally{{Hour: at.Truncate(time.Hour), Day: at.Truncate(24 * time.Hour), ProviderID: "p", OperatorID: "iam",
				Kind: bawwab.EntryDecision, Outcome: bawwab.Accept, N: batch}}}
		for i := range batch {
			var p bawwab.Pseudonym
			p.KeyID = 1
			for j := range p.Sum {
				p.Sum[j] = byte(rnd.Uint32())
			}
			fb.Deliveries = append(fb.Deliveries, bawwab.Delivery{Origin: "node1", Index: next + int64(i), Time: at, Recipient: p})
		}
		if err := rs.ApplyFeed(ctx, fb); err != nil {
			b.Fatal(err)
		}
		next += batch
	}
}

func BenchmarkPutRoutes(b *testing.B) {
	const batch = 200
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ob := sqlite.NewOutboxService(openBench(b))
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	n := 0
	b.ResetTimer()
	cpu := cpuTime()
	defer reportCPU(b, cpu)
	for done := 0; done < b.N; done += batch {
		rs := make([]bawwab.OutboxRoute, batch)
		for i := range rs {
			n++
			rs[i] = bawwab.OutboxRoute{OperatorID: "iam", SMSCMessageID: fmt.Sprintf("%016x", n), ProviderID: "atlasvas", AccountID: "atlas", At: at}
		}
		if err := ob.PutRoutes(ctx, rs); err != nil {
			b.Fatal(err)
		}
	}
}
