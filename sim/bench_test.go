package sim

import (
	"context"
	"strconv"
	"testing"
	"time"
)

// BenchmarkSMSC is the simulated SMSC under the load generator, one bind,
// without and with delivery receipts: what the demo and the bench can
// ask of it.
func BenchmarkSMSC(b *testing.B) {
	for _, receipts := range []bool{false, true} {
		for _, window := range []int{10, 100} {
			b.Run("receipts="+strconv.FormatBool(receipts)+"/window="+strconv.Itoa(window), func(b *testing.B) {
				s := startSMSC(b, SMSCConfig{Name: "bench"})
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				res, err := RunLoad(context.Background(), LoadConfig{Addr: s.Addr().String(), Count: int64(b.N),
					Window: window, Receipts: receipts})
				if err != nil {
					b.Fatal(err)
				}
				if res.Acked != int64(b.N) || (receipts && res.ReceiptsMatched != int64(b.N)) {
					b.Fatalf("%v", res)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			})
		}
	}
}
