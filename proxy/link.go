package proxy

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// errNoLink is returned when no bind to the operator's SMSC is up.
var errNoLink = errors.New("proxy: no SMSC link up for the operator")

// link is the set of binds to one operator's SMSC. Each bind runs in its
// own goroutine: dial and bind (with back-off), serve until the session
// ends, then again.
type link struct {
	g   *Gateway
	op  string
	cfg SMSCConfig

	mu    sync.Mutex
	conns []*smpp.Conn
	next  atomic.Uint32

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newLink(g *Gateway, op string, cfg SMSCConfig) *link {
	if cfg.Binds <= 0 {
		cfg.Binds = 1
	}
	if cfg.Window <= 0 {
		cfg.Window = 100
	}
	l := &link{g: g, op: op, cfg: cfg}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

func (l *link) start() {
	for range l.cfg.Binds {
		l.wg.Add(1)
		go l.run()
	}
}

func (l *link) run() {
	defer l.wg.Done()
	opts := smpp.DialOptions{
		Kind:       smpp.Transceiver,
		SystemID:   l.cfg.SystemID,
		Password:   l.cfg.Password,
		SystemType: l.cfg.SystemType,
		TLS:        l.cfg.TLS,
		Conn: smpp.ConnOptions{
			Window:          l.cfg.Window,
			ResponseTimeout: l.g.opts.SMSCTimeout,
			ThrottleRetries: -1, // a throttle is the provider's to retry
			Handler:         smpp.HandlerFunc(func(r *smpp.Request) { l.g.serveSMSC(l.op, r) }),
			Logger:          l.g.log,
		},
	}
	for l.ctx.Err() == nil {
		c, err := smpp.Redial(l.ctx, l.cfg.Addr, opts, 50*time.Millisecond, 5*time.Second)
		if err != nil {
			if l.ctx.Err() != nil {
				return
			}
			l.g.log.Warn("SMSC bind refused", "operator", l.op, "err", err)
			select {
			case <-l.ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
			continue
		}
		l.g.log.Info("SMSC link up", "operator", l.op, "addr", l.cfg.Addr)
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
		select {
		case <-c.Done():
		case <-l.ctx.Done():
		}
		l.mu.Lock()
		for i, x := range l.conns {
			if x == c {
				l.conns = append(l.conns[:i:i], l.conns[i+1:]...)
				break
			}
		}
		l.mu.Unlock()
		if l.ctx.Err() != nil {
			// Shutting down: unbind cleanly (Gateway.Shutdown already
			// drained the submissions in flight).
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			c.Unbind(ctx)
			cancel()
			return
		}
		l.g.log.Warn("SMSC link down", "operator", l.op, "err", c.Err())
	}
}

// pick returns a bound session, round robin, or nil.
func (l *link) pick() *smpp.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.conns)
	for i := 0; i < n; i++ {
		c := l.conns[int(l.next.Add(1))%n]
		if c.Err() == nil {
			return c
		}
	}
	return nil
}

func (l *link) up() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

func (l *link) stop(ctx context.Context) {
	l.cancel()
	done := make(chan struct{})
	go func() { l.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		l.mu.Lock()
		for _, c := range l.conns {
			c.Close()
		}
		l.mu.Unlock()
		<-done
	}
}

// send forwards a submit_sm to the operator and returns the SMSC's response
// bytes (copied). An error that is not an smpp.Status means the message
// did not reach the SMSC, or its fate is unknown.
func (l *link) send(ctx context.Context, raw []byte) ([]byte, error) {
	c := l.pick()
	if c == nil {
		return nil, errNoLink
	}
	resp, err := c.SendPDU(ctx, raw)
	if resp != nil {
		return append([]byte(nil), resp.Bytes()...), err
	}
	return nil, err
}
