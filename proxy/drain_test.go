package proxy_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// TestShutdownUnderLoad: providers submitting without pause while the
// gateway shuts down get an answer to every submit_sm — the SMSC's, or
// ESME_RTHROTTLED for those that come once the shutdown has begun — and
// never a session that ends under an unanswered request.
func TestShutdownUnderLoad(t *testing.T) {
	e := newEnv(t, envOptions{})
	const binds = 4 // shut down as soon as the first is accepted: some binds are new
	var answered, throttled, accepted, lost atomic.Int64
	var firstLost atomic.Value
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	for i := range binds {
		// The client's defaults: a throttled request is sent again after a
		// back-off, as providers' clients do.
		conn, err := smpp.Dial(e.ctx, e.addr, smpp.DialOptions{Kind: smpp.Transceiver, SystemID: "atlas", Password: password,
			Conn: smpp.ConnOptions{Window: 50}})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for w := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dest := iamNumber
				if (i+w)%2 == 1 {
					dest = orangeNumber
				}
				// Transactional: no frequency cap to refuse them.
				b := body("ATLASOTP", dest, "Votre code: 123456")
				for ctx.Err() == nil {
					_, err := conn.Send(ctx, smpp.SubmitSM, b)
					var st smpp.Status
					switch {
					case err == nil:
						accepted.Add(1)
					case errors.As(err, &st) && st == smpp.StatusThrottled:
						throttled.Add(1)
					case errors.As(err, &st):
						answered.Add(1)
					case errors.Is(err, smpp.ErrUnbinding), errors.Is(err, smpp.ErrClosed):
						return // not sent: the session was ending or over
					default:
						lost.Add(1)
						firstLost.CompareAndSwap(nil, err.Error())
						return
					}
				}
			}()
		}
	}
	waitUntil(t, "load", func() bool { return accepted.Load() > 0 })
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := e.gw.Shutdown(sctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	wg.Wait()
	t.Logf("accepted %d, throttled %d, other answers %d, lost %d", accepted.Load(), throttled.Load(), answered.Load(), lost.Load())
	if n := lost.Load(); n != 0 {
		t.Errorf("%d submit_sm without an answer (%v)", n, firstLost.Load())
	}
	// Every accepted message is in the ledger.
	if n := int64(len(e.decisions())); n < accepted.Load() {
		t.Errorf("%d decisions in the ledger, %d accepted", n, accepted.Load())
	}
}
