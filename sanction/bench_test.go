package sanction_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sqlite"
)

// BenchmarkObserve is what the gateway pays per decision: the common
// accepted message, a refusal (a violation, thresholds checked), and many
// goroutines on one provider at once; beside it, the floor, one atomic
// addition.
func BenchmarkObserve(b *testing.B) {
	db := sqlite.NewDB(b.TempDir() + "/bawwab.db")
	if err := db.Open(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := db.Store()
	cfg := sanction.DefaultConfig()
	cfg.Rules = append(cfg.Rules, sanction.Rule{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Warning: 1 << 40})
	m, err := sanction.New(sanction.Options{Config: cfg, Measures: st.Measures})
	if err != nil {
		b.Fatal(err)
	}
	providers := make([]string, 20)
	for i := range providers {
		providers[i] = fmt.Sprintf("provider%02d", i)
	}
	accept := decision("provider03", t0, bawwab.Accept, "", "")
	refuse := decision("provider03", t0, bawwab.Reject, bawwab.ReasonRecipientOptedOut, "")
	b.Run("reference-atomic-add", func(b *testing.B) {
		var n atomic.Int64
		b.ReportAllocs()
		for b.Loop() {
			n.Add(1)
		}
	})
	b.Run("accept", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Observe(accept, bawwab.CategoryCommercial)
		}
	})
	b.Run("refusal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m.Observe(refuse, bawwab.CategoryCommercial)
		}
	})
	b.Run("accept-parallel-20-providers", func(b *testing.B) {
		ents := make([]*bawwab.LedgerEntry, len(providers))
		for i, p := range providers {
			ents[i] = decision(p, t0, bawwab.Accept, "", "")
		}
		var next atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			e := ents[next.Add(1)%int64(len(ents))]
			for pb.Next() {
				m.Observe(e, bawwab.CategoryCommercial)
			}
		})
	})
	b.Run("accept-parallel-one-provider", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Observe(accept, bawwab.CategoryCommercial)
			}
		})
	})
}
