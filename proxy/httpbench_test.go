package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkHTTPSubmit measures POST /api/v1/messages (decided, forwarded
// to the simulated SMSC, in the durable ledger, answered) by 16 clients at
// once, with the status in memory only (store=none, the gateway without
// Options.Outbox) and written to the SQLite store before each answer
// (store=sqlite): run both in one run, and compare.
func BenchmarkHTTPSubmit(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "store=none"
		if durable {
			name = "store=sqlite"
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b, envOptions{durable: durable})
			srv := httptest.NewServer(e.gw.HTTPHandler())
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
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
