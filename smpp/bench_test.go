package smpp

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkLoopback is our client submitting to our server over loopback
// TCP, the server answering at once, with 1, 10 and 100 requests in the
// window (as many goroutines as the window, each calling Send).
func BenchmarkLoopback(b *testing.B) {
	for _, window := range []int{1, 10, 100} {
		b.Run("window="+strconv.Itoa(window), func(b *testing.B) {
			s := startServer(b, ServerOptions{Authenticate: acceptAll(counter()), Conn: ConnOptions{MaxInflight: 1000}})
			c := dial(b, s, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: window}})
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := range window {
				n := b.N / window
				if g < b.N%window {
					n++
				}
				wg.Go(func() {
					for range n {
						if _, err := c.Send(ctx, SubmitSM, msg); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
