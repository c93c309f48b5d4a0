package proxy_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab/sim"
)

// BenchmarkGateway measures the provider → gateway → SMSC path over
// loopback, with every rule and the durable ledger on, against the same
// load sent straight to the simulated SMSC (the reference), at windows 10
// and 100. It reports messages per second and the latency percentiles of
// both, and the latency the gateway adds.
func BenchmarkGateway(b *testing.B) {
	for _, window := range []int{10, 100} {
		b.Run(fmt.Sprintf("window=%d", window), func(b *testing.B) {
			e := newEnv(b, envOptions{})
			n := int64(max(b.N, 200))
			load := func(addr, systemID string) *sim.LoadResult {
				res, err := sim.RunLoad(e.ctx, sim.LoadConfig{
					Addr: addr, SystemID: systemID, Password: password, Window: window, Count: n,
					Source: "ATLASMKT", DestBase: 212661000000, Texts: []string{"Atlas Market {n} : -30% ce week-end ! STOP au 5050"},
				})
				if err != nil {
					b.Fatal(err)
				}
				if res.Acked != n {
					b.Fatalf("%d of %d acked: %v", res.Acked, n, res.FirstError)
				}
				return res
			}
			raw := load(e.smscs["iam"].Addr().String(), "raw")
			b.ResetTimer()
			cpu := cpuTime()
			gw := load(e.addr, "atlas")
			cpu = cpuTime() - cpu
			b.StopTimer()
			// The CPU time of the whole process (load, gateway and SMSC) per
			// message: on a shared machine it varies less than the rate.
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(n)/1e3, "cpu-µs/msg")
			b.ReportMetric(gw.Rate(), "msg/s")
			b.ReportMetric(gw.Rate()/raw.Rate(), "ratio")
			b.ReportMetric(float64(gw.Latency.P50.Microseconds()), "p50-µs")
			b.ReportMetric(float64(gw.Latency.P99.Microseconds()), "p99-µs")
			b.ReportMetric(float64((gw.Latency.P50 - raw.Latency.P50).Microseconds()), "added-p50-µs")
			b.ReportMetric(float64((gw.Latency.P99 - raw.Latency.P99).Microseconds()), "added-p99-µs")
		})
	}
}

// cpuTime returns the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
