package proxy_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
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

// slowOppositions holds each RecordOpposition until release is closed.
type slowOppositions struct {
	bawwab.OppositionService
	arrived chan struct{}
	release chan struct{}
}

func (s *slowOppositions) RecordOpposition(ctx context.Context, o *bawwab.Opposition) error {
	s.arrived <- struct{}{}
	<-s.release
	return s.OppositionService.RecordOpposition(ctx, o)
}

// TestStopDuringShutdown: a STOP whose recording is under way when the
// gateway shuts down is recorded whole: register and ledger.
func TestStopDuringShutdown(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.stop()
	slow := &slowOppositions{OppositionService: e.opts.Oppositions, arrived: make(chan struct{}, 1), release: make(chan struct{})}
	e.opts.Oppositions = slow
	e.start()
	mo := make(chan error, 1)
	go func() { mo <- e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "5050", "STOP") }()
	<-slow.arrived
	stopped := make(chan struct{})
	go func() { e.stop(); close(stopped) }()
	// The gateway's context is cancelled once the provider submissions
	// are drained (none here): then the recording goes on.
	time.Sleep(200 * time.Millisecond)
	close(slow.release)
	<-stopped
	if err := <-mo; err != nil {
		t.Errorf("the MO was refused: %v", err)
	}
	n := 0
	for en, err := range e.ledger.FindEntries(e.ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryOpposition}}) {
		if err != nil {
			t.Fatal(err)
		}
		if en.Action == bawwab.ActionStop.String() {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d STOP entries in the ledger, want 1", n)
	}
}
