package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkHTTPSubmit measures POST /api/v1/messages (decided, forwarded
// to the simulated SMSC, in the durable ledger, answered) by 16 clients at
// once, each message's receipt 50 ms later, with the status in memory
// only (store=none, the gateway without Options.Outbox) and written to the
// SQLite store before each answer (store=sqlite): run both in one run, and
// compare. (store=sqlite also keeps the SMPP outbox in SQLite, which the
// HTTP path does not use.)
func BenchmarkHTTPSubmit(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "store=none"
		if durable {
			name = "store=sqlite"
		}
		b.Run(name, func(b *testing.B) {
			// Receipts 50 ms after each submission: after the gateway has
			// its route, as from a real SMSC (seconds later).
			e := newEnv(b, envOptions{durable: durable, dlrDelay: 50 * time.Millisecond})
			srv := httptest.NewServer(e.gw.HTTPHandler())
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			cpu := cpuTime()
			defer func() {
				// The CPU time of the process (clients, gateway, SMSC) per
				// message: on a shared machine it varies less than the time.
				b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N)/1e3, "cpu-µs/msg")
			}()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := fmt.Sprintf(`{"from":"ATLASMKT","to":"+%d","text":"Atlas Market: -30%% ! STOP au 5050"}`, 212661000000+n.Add(1))
					req, _ := http.NewRequest("POST", srv.URL+"/api/v1/messages", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+e.apiKey)
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusAccepted {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
