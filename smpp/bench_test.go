package smpp

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkLoopback is our client submitting to our server over loopback
// TCP, the server answering at once, with 1, 10 and 100 requests in the
// window, two ways: "blocking" is the API's default (a goroutine per
// request on the server, a goroutine per window slot calling Send), and
// "async" what a proxy uses (an InlineHandler with recycled requests,
// SendAsync chained from the callbacks). The reference, the standard
// library tools smppload and smppsink, runs beside it in `bawwab bench
// smpp`.
func BenchmarkLoopback(b *testing.B) {
	for _, mode := range []string{"blocking", "async"} {
		for _, window := range []int{1, 10, 100} {
			b.Run(mode+"/window="+strconv.Itoa(window), func(b *testing.B) {
				var h Handler = counter()
				if mode == "async" {
					var n atomic.Int64
					h = InlineFunc(func(r *Request) {
						var id [20]byte // the message id on the stack: no allocation
						r.Accept(string(strconv.AppendInt(id[:0], n.Add(1), 10)))
					})
				}
				s := startServer(b, ServerOptions{Authenticate: acceptAll(h), Conn: ConnOptions{MaxInflight: 1000, RecycleRequests: true}})
				c := dial(b, s, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: window}})
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				if mode == "async" {
					pump(b, c, b.N, window)
				} else {
					sendAll(b, c, b.N, window)
				}
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			})
		}
	}
}

// BenchmarkProxy puts an in-line proxy (the gateway's shape: an
// InlineHandler that forwards with SendPDUAsync and answers with Forward)
// between the client and the server of BenchmarkLoopback's async mode:
// "direct" and "proxied" side by side give the proxy's cost.
func BenchmarkProxy(b *testing.B) {
	for _, window := range []int{1, 10, 100} {
		for _, path := range []string{"direct", "proxied"} {
			b.Run("window="+strconv.Itoa(window)+"/"+path, func(b *testing.B) {
				var n atomic.Int64
				smsc := startServer(b, ServerOptions{Conn: ConnOptions{RecycleRequests: true},
					Authenticate: acceptAll(InlineFunc(func(r *Request) {
						var id [20]byte
						r.Accept(string(strconv.AppendInt(id[:0], n.Add(1), 10)))
					}))})
				target := smsc
				if path == "proxied" {
					up := dial(b, smsc, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: 2 * window}})
					target = startServer(b, ServerOptions{Conn: ConnOptions{RecycleRequests: true},
						Authenticate: acceptAll(InlineFunc(func(r *Request) {
							if err := up.SendPDUAsync(r.Context(), r.Bytes(), func(resp *PDU, err error) {
								if err != nil && resp == nil {
									r.Reject(StatusThrottled)
									return
								}
								r.Forward(resp.Bytes())
							}); err != nil {
								r.Reject(StatusThrottled)
							}
						}))})
				}
				c := dial(b, target, DialOptions{Kind: Transmitter, Conn: ConnOptions{Window: window}})
				b.ReportAllocs()
				b.ResetTimer()
				start := time.Now()
				pump(b, c, b.N, window)
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
			})
		}
	}
}

// sendAll sends n submit_sm from as many goroutines as the window, each
// calling Send.
func sendAll(b *testing.B, c *Conn, n, window int) {
	var wg sync.WaitGroup
	for g := range window {
		k := n / window
		if g < n%window {
			k++
		}
		wg.Go(func() {
			for range k {
				if _, err := c.Send(context.Background(), SubmitSM, msg); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// pump sends n submit_sm with SendAsync, each answer sending the next.
func pump(b *testing.B, c *Conn, n, window int) {
	var sent atomic.Int64
	var wg sync.WaitGroup
	wg.Add(n)
	var next func(*PDU, error)
	next = func(_ *PDU, err error) {
		if err != nil {
			b.Error(err)
		}
		if sent.Add(1) <= int64(n) {
			if err := c.SendAsync(context.Background(), SubmitSM, msg, next); err != nil {
				b.Error(err)
				wg.Done()
			}
		}
		wg.Done()
	}
	for range min(window, n) {
		if sent.Add(1) <= int64(n) {
			if err := c.SendAsync(context.Background(), SubmitSM, msg, next); err != nil {
				b.Fatal(err)
			}
		}
	}
	wg.Wait()
}
