package smpp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestShutdownUnderLoad: a client sending without pause while the server
// shuts down gets an answer to every request it sent; the others fail
// before they are sent (ErrUnbinding, ErrClosed), never pending on a
// session that closes under them.
func TestShutdownUnderLoad(t *testing.T) {
	for range 30 {
		s, err := NewServer(ServerOptions{Addr: "127.0.0.1:0", Authenticate: acceptAll(counter())})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		c, err := Dial(context.Background(), s.Addr().String(), DialOptions{SystemID: "esme", Password: "pw", Conn: ConnOptions{Window: 8, ThrottleRetries: -1}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var lost []string
		ok := make(chan struct{}, 1)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					_, err := c.Send(context.Background(), SubmitSM, msg)
					var st Status
					switch {
					case err == nil:
						select {
						case ok <- struct{}{}:
						default:
						}
					case errors.As(err, &st):
					case errors.Is(err, ErrUnbinding), errors.Is(err, ErrClosed):
						return
					default:
						mu.Lock()
						lost = append(lost, err.Error())
						mu.Unlock()
						return
					}
				}
			}()
		}
		<-ok
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.Shutdown(ctx)
		cancel()
		wg.Wait()
		c.Close()
		if len(lost) > 0 {
			t.Fatalf("%d requests sent and never answered: %s", len(lost), strings.Join(lost[:1], ""))
		}
	}
}
