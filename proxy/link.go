package proxy

import (
	"context"
	"errors"
	"strconv"
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

	mu        sync.Mutex
	conns     []*smpp.Conn
	failures  int64
	lastErr   string
	downSince time.Time
	next      atomic.Uint32

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
	l := &link{g: g, op: op, cfg: cfg, downSince: time.Now()}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

func (l *link) start() {
	for i := range l.cfg.Binds {
		l.wg.Add(1)
		l.g.metrics.linkUp.WithLabelValues(l.op, strconv.Itoa(i)).Set(0)
		go l.run(i)
	}
}

// Back-off between connection attempts of a bind.
const (
	redialMin = 50 * time.Millisecond
	redialMax = 5 * time.Second
	// failureLogEvery spaces the warnings of a link that stays down.
	failureLogEvery = time.Minute
)

func (l *link) run(bind int) {
	defer l.wg.Done()
	bindLabel := strconv.Itoa(bind)
	up := l.g.metrics.linkUp.WithLabelValues(l.op, bindLabel)
	failures := l.g.metrics.linkFailures.WithLabelValues(l.op)
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
	delay := redialMin
	var failed int        // attempts failed since the bind was last up
	var lastLog time.Time // the last warning of this outage
	for l.ctx.Err() == nil {
		c, err := smpp.Dial(l.ctx, l.cfg.Addr, opts)
		if err != nil {
			if l.ctx.Err() != nil {
				return
			}
			failed++
			failures.Inc()
			l.failed(err)
			var st smpp.Status
			if errors.As(err, &st) && !st.Temporary() {
				delay = redialMax // a wrong password will not get better soon
			}
			// The first failure is told at once (an SMSC unreachable from
			// the start must not look like a quiet gateway), then at most
			// once a minute while the link stays down.
			if now := time.Now(); failed == 1 || now.Sub(lastLog) >= failureLogEvery {
				lastLog = now
				msg := "SMSC connect failed"
				if failed > 1 {
					msg = "SMSC link still down"
				}
				l.g.log.Warn(msg, "operator", l.op, "bind", bind, "addr", l.cfg.Addr, "err", err,
					"attempts", failed, "retry_in", delay.String())
			}
			t := time.NewTimer(delay)
			select {
			case <-l.ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			delay = min(2*delay, redialMax)
			continue
		}
		if failed > 0 {
			l.g.log.Info("SMSC link up", "operator", l.op, "bind", bind, "addr", l.cfg.Addr, "after_attempts", failed+1)
		} else {
			l.g.log.Info("SMSC link up", "operator", l.op, "bind", bind, "addr", l.cfg.Addr)
		}
		failed, delay, lastLog = 0, redialMin, time.Time{}
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.downSince = time.Time{}
		l.mu.Unlock()
		up.Set(1)
		select {
		case <-c.Done():
		case <-l.ctx.Done():
		}
		up.Set(0)
		l.mu.Lock()
		for i, x := range l.conns {
			if x == c {
				l.conns = append(l.conns[:i:i], l.conns[i+1:]...)
				break
			}
		}
		if len(l.conns) == 0 {
			l.downSince = time.Now()
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
		l.g.log.Warn("SMSC link down", "operator", l.op, "bind", bind, "err", c.Err())
	}
}

// failed records a failed connection attempt for the link's state.
func (l *link) failed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures++
	l.lastErr = err.Error()
}

// LinkState is an SMSC link's state, for health checks.
type LinkState struct {
	Binds    int    // binds configured
	Up       int    // binds up
	Failures int64  // failed connection attempts since the start
	LastErr  string // the last attempt's error ("" if none failed)
	// DownSince is when the last bind went down, or the start if none
	// was ever up; zero while a bind is up.
	DownSince time.Time
}

// Degraded reports whether a bind of the link is down.
func (s LinkState) Degraded() bool { return s.Up < s.Binds }

func (l *link) state() LinkState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LinkState{Binds: l.cfg.Binds, Up: len(l.conns), Failures: l.failures, LastErr: l.lastErr, DownSince: l.downSince}
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
