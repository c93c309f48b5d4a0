package proxy_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/bawwab/bawwab/proxy"
)

// TestServeShutdownRace: Shutdown right after Serve starts (run with
// -race): no data race, Serve returns, the listener is closed.
func TestServeShutdownRace(t *testing.T) {
	e := newEnv(t, envOptions{})
	opts := e.opts
	opts.SMSCs = nil
	for i := range 20 {
		gw, err := proxy.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := gw.Start(e.ctx); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- gw.Serve(ln) }()
		if i%2 == 1 {
			time.Sleep(time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := gw.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve after Shutdown: %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after Shutdown")
		}
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			t.Errorf("the listener still accepts after Shutdown")
		}
	}
}
