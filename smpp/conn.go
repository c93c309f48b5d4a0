package smpp

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Errors of a session.
var (
	ErrClosed       = errors.New("smpp: connection closed")
	ErrUnbound      = errors.New("smpp: session unbound")
	ErrUnbinding    = errors.New("smpp: session is unbinding")
	ErrTimeout      = errors.New("smpp: no response in time")
	ErrDeadPeer     = errors.New("smpp: peer is not answering")
	ErrPeerClosed   = errors.New("smpp: peer closed the connection")
	ErrResponded    = errors.New("smpp: request already answered")
	ErrNoResponse   = errors.New("smpp: this request takes no response")
	ErrNotAllowed   = errors.New("smpp: command not allowed on this bind")
	ErrWindowFull   = errors.New("smpp: window full for too long")
	ErrBadForward   = errors.New("smpp: PDU cannot be forwarded")
	ErrBadResponse  = errors.New("smpp: response does not match the request")
	errHandlerPanic = errors.New("smpp: handler panicked")
)

// ConnOptions configure a session, on either side. The zero value gives
// the defaults.
type ConnOptions struct {
	// Window is the number of requests this side may have outstanding
	// (sent, not yet answered); a full window makes Send wait, so nothing
	// is dropped. Default 10; any size is allowed.
	Window int
	// WindowTimeout bounds the wait for a window slot, on top of the
	// caller's context (0: the context only).
	WindowTimeout time.Duration
	// MaxInflight is the number of the peer's requests being handled at
	// once (handed to the Handler, not yet answered). Past it, requests are
	// answered ESME_RTHROTTLED, which peers treat as "retry later". Default
	// 1000.
	MaxInflight int
	// ResponseTimeout is how long a request waits for its response
	// (default 30 s; it fails within a quarter more).
	ResponseTimeout time.Duration
	// EnquireLink is the idle time after which an enquire_link is sent
	// (default 30 s; negative disables keep-alive and dead-peer detection).
	EnquireLink time.Duration
	// DeadPeer closes the connection when nothing has been received for
	// this long, or when an enquire_link is not answered within
	// ResponseTimeout (default 3 × EnquireLink).
	DeadPeer time.Duration
	// MaxCommandLength caps command_length (default 64 KiB); a longer PDU
	// is answered generic_nack ESME_RINVCMDLEN and the connection closed.
	MaxCommandLength int
	// ThrottleRetries is how many times a request refused ESME_RTHROTTLED
	// is sent again (default 3; negative: never). While backing off, every
	// request of the session waits: the peer asked to slow down.
	ThrottleRetries int
	// ThrottleDelay is the first back-off, doubled at each retry up to
	// 5 s (default 100 ms).
	ThrottleDelay time.Duration
	// WriteTimeout closes a connection whose peer does not read (default
	// 10 s): a write blocked between WriteTimeout/2 and WriteTimeout fails.
	WriteTimeout time.Duration
	// Handler serves the peer's requests. Without one, they are answered
	// ESME_RSYSERR.
	Handler Handler
	// RecycleRequests lets an InlineHandler's session reuse each Request
	// (and the memory of its PDU) once ServeSMPP has returned and the
	// request has been answered, whichever comes last: no allocation per
	// request. The handler must then keep nothing of the Request past both,
	// not even to read a field after answering it from a callback (copy
	// what you need first). Ignored for other handlers.
	RecycleRequests bool
	// Logger receives protocol warnings (never addresses or text). Default:
	// discard.
	Logger *slog.Logger
}

func (o ConnOptions) withDefaults() ConnOptions {
	if o.Window <= 0 {
		o.Window = 10
	}
	if o.MaxInflight <= 0 {
		o.MaxInflight = 1000
	}
	if o.ResponseTimeout <= 0 {
		o.ResponseTimeout = 30 * time.Second
	}
	if o.EnquireLink == 0 {
		o.EnquireLink = 30 * time.Second
	}
	if o.DeadPeer <= 0 && o.EnquireLink > 0 {
		o.DeadPeer = 3 * o.EnquireLink
	}
	if o.MaxCommandLength <= 0 {
		o.MaxCommandLength = DefaultMaxCommandLength
	}
	if o.ThrottleRetries == 0 {
		o.ThrottleRetries = 3
	}
	if o.ThrottleDelay <= 0 {
		o.ThrottleDelay = 100 * time.Millisecond
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

const maxThrottleDelay = 5 * time.Second

// Handler serves the requests a peer sends on a bound session: submit_sm
// on an SMSC's session, deliver_sm on an ESME's. Each request is served in
// its own goroutine, so a slow decision does not hold up the link; the
// Handler answers through the Request, before returning or later, from any
// goroutine, in any order. A Handler that never blocks should say so
// (InlineHandler): it then runs without a goroutine per request.
type Handler interface {
	ServeSMPP(r *Request)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(r *Request)

// ServeSMPP calls f(r).
func (f HandlerFunc) ServeSMPP(r *Request) { f(r) }

// InlineHandler is a Handler whose ServeSMPP never blocks: it decides at
// once and answers before returning, or hands the request on without
// waiting (SendPDUAsync to another session, whose callback answers) and
// returns. The session then calls it on its reader goroutine, one request
// after the other, with no goroutine and no hand-off per request, and the
// answers to a batch of requests leave in one write: this is what lets a
// proxy run at the rate of the link. While ServeSMPP runs the session reads
// nothing (enquire_link included), so waiting in it for a window slot of
// another session is back-pressure on this peer, and waiting for anything
// slower is a bug.
type InlineHandler interface {
	Handler
	// Inline reports whether ServeSMPP may run on the reader goroutine.
	Inline() bool
}

// InlineFunc adapts a function that never blocks to InlineHandler.
type InlineFunc func(r *Request)

// ServeSMPP calls f(r).
func (f InlineFunc) ServeSMPP(r *Request) { f(r) }

// Inline returns true.
func (InlineFunc) Inline() bool { return true }

func isInline(h Handler) bool {
	ih, ok := h.(InlineHandler)
	return ok && ih.Inline()
}

// BoundHandler is a Handler told of its Conn once the bind is accepted and
// before any request: a receiver bind sends none, and the gateway needs the
// Conn to deliver receipts and MO messages to the provider. Bound runs
// before the session starts: it must not wait on the Conn (start a
// goroutine to send).
type BoundHandler interface {
	Handler
	Bound(c *Conn)
}

type connState = int32

const (
	stateBound connState = iota
	stateUnbinding
	stateClosed
)

// Conn is a bound SMPP session over one connection, on either side: a
// provider's bind to our Server, or our bind to an operator's SMSC (Dial).
//
// Three goroutines run it: a reader (which answers enquire_link, matches
// responses to requests and hands requests to the Handler), a writer, and
// a timer (response time-outs, keep-alive). PDUs are queued in one buffer
// and leave in as few system calls as possible, by whoever is best placed:
// the reader writes what is queued once it has handled every complete PDU
// it has read (so the answers to a batch leave together, as in a
// hand-written sink), a sender writes its own request when nothing else is
// outstanding (no hand-off on an idle link), and the writer goroutine
// writes the rest. Sequence numbers of this side's requests run 1..MaxSeq
// and wrap, skipping any still outstanding; the peer's are echoed as
// received.
//
// Lock order: mu and wmu are never held together.
type Conn struct {
	nc      net.Conn
	raw     *rawWriter // non-blocking writes on nc; nil over TLS
	r       *Reader
	opts    ConnOptions
	esme    bool // this side is the ESME
	kind    BindKind
	peerID  string
	handler Handler
	inline  bool // handler runs on the reader goroutine
	recycle bool // and its Requests are pooled
	log     *slog.Logger
	ctx     context.Context
	cancel  context.CancelCauseFunc

	state         atomic.Int32
	window        chan struct{}
	throttleUntil atomic.Int64 // unix nanos
	lastRecv      atomic.Int64 // unix nanos, kept by the timer from recvd
	// clock is the time of the timer's last tick (unix nanos): reading the
	// clock for each request costs more than the rest of sending it on
	// some machines, and a time-out needs no better.
	clock     atomic.Int64
	tick      int64 // the timer's period (nanos)
	recvd     atomic.Uint64
	inflight  atomic.Int64
	enquiring atomic.Bool

	mu      sync.Mutex
	seq     uint32
	pending callTable

	// The reader's own: the response being read, reused when it goes to a
	// callback.
	rresp responseBox

	wmu       sync.Mutex
	wbuf      []byte
	wspare    []byte
	wbusy     bool      // a goroutine is writing; it writes what is queued meanwhile
	wdeadline time.Time // the connection's write deadline; the writer's
	wclosing  bool      // write nothing more; close once wbuf is out
	wcloseErr error     // why
	wsignal   chan struct{}
	wdrained  *sync.Cond // on wmu: the queue got short, or the session closed
	// Sessions the reader's batch queued requests on (link): it writes
	// them when it next waits for input.
	linked, linkedSpare []*Conn
	// rbusy is set while the reader handles what it read: what is queued
	// meanwhile (the answers of an inline handler, requests sent from
	// callbacks, answers from other goroutines) is written by the reader
	// before it next waits for input, so nobody needs to wake the writer.
	rbusy      atomic.Bool
	closeOnce  sync.Once
	goroutines sync.WaitGroup
}

// call is a request awaiting its response. Whoever removes it from
// pending completes it, once, with finish: a send on done (buffered), after
// which the waiter may recycle it, or a call of cb.
type call struct {
	seq      uint32
	cmd      CommandID
	windowed bool
	deadline int64 // unix nanos
	done     chan struct{}
	cb       func(*PDU, error)
	resp     *PDU
	err      error
}

// callTable holds the outstanding requests by sequence number: a ring
// indexed by the low bits of the number, at least twice as large as what
// can be outstanding (the window, an enquire_link, an unbind), so that a
// free number is found at once and a lookup is one load. (A map cost a
// tenth of a load generator's time.)
type callTable struct {
	slots []*call
	mask  uint32
}

func newCallTable(window int) callTable {
	size := 16
	for size < 2*(window+2) {
		size <<= 1
	}
	return callTable{slots: make([]*call, size), mask: uint32(size - 1)}
}

func (t *callTable) free(seq uint32) bool { return t.slots[seq&t.mask] == nil }

func (t *callTable) put(seq uint32, k *call) {
	k.seq = seq
	t.slots[seq&t.mask] = k
}

// take removes and returns the call of seq, or nil.
func (t *callTable) take(seq uint32) *call {
	k := t.slots[seq&t.mask]
	if k == nil || k.seq != seq {
		return nil
	}
	t.slots[seq&t.mask] = nil
	return k
}

// takeLate removes and returns the calls whose deadline is before t0.
func (t *callTable) takeLate(t0 int64) []*call {
	var late []*call
	for i, k := range t.slots {
		if k != nil && k.deadline < t0 {
			t.slots[i] = nil
			late = append(late, k)
		}
	}
	return late
}

// takeAll removes and returns every call.
func (t *callTable) takeAll(out []*call) []*call {
	for i, k := range t.slots {
		if k != nil {
			t.slots[i] = nil
			out = append(out, k)
		}
	}
	return out
}

var callPool = sync.Pool{New: func() any { return &call{done: make(chan struct{}, 1)} }}

func (k *call) recycle() {
	k.resp, k.err, k.cb = nil, nil, nil
	callPool.Put(k)
}

// finish completes a call removed from pending: it frees its window slot
// (first, so that a callback may send again) and delivers the outcome.
func (c *Conn) finish(k *call) {
	if k.windowed {
		<-c.window
	}
	if k.cb == nil {
		k.done <- struct{}{}
		return
	}
	cb, resp, err := k.cb, k.resp, k.err
	k.recycle()
	c.callback(cb, resp, err)
}

// callback runs a SendAsync callback; a panic in it is logged, not fatal
// to the goroutine that happened to complete the call.
func (c *Conn) callback(cb func(*PDU, error), resp *PDU, err error) {
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("smpp: SendAsync callback panicked", "system_id", c.peerID, "panic", v)
		}
	}()
	cb(resp, err)
}

func newConn(nc net.Conn, r *Reader, esme bool, kind BindKind, peerID string, firstSeq uint32, opts ConnOptions) *Conn {
	opts = opts.withDefaults()
	c := &Conn{
		nc: nc, r: r, opts: opts, esme: esme, kind: kind, peerID: peerID, handler: opts.Handler,
		inline:  isInline(opts.Handler),
		recycle: opts.RecycleRequests && isInline(opts.Handler),
		log:     opts.Logger,
		window:  make(chan struct{}, opts.Window),
		pending: newCallTable(opts.Window),
		seq:     firstSeq,
		wsignal: make(chan struct{}, 1),
	}
	c.wdrained = sync.NewCond(&c.wmu)
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.raw = newRawWriter(rc)
		}
	}
	var cctx context.Context
	cctx, c.cancel = context.WithCancelCause(context.Background())
	c.ctx = context.WithValue(cctx, connKey{}, c)
	c.lastRecv.Store(time.Now().UnixNano())
	c.clock.Store(time.Now().UnixNano())
	tick := opts.ResponseTimeout / 8
	if opts.EnquireLink > 0 {
		tick = min(tick, opts.EnquireLink/2, opts.DeadPeer/4)
	}
	c.tick = int64(max(tick, time.Millisecond))
	return c
}

func (c *Conn) start() {
	c.goroutines.Add(3)
	go c.readLoop()
	go c.writeLoop()
	go c.timerLoop()
}

// Kind returns the kind of bind.
func (c *Conn) Kind() BindKind { return c.kind }

// SystemID returns the peer's system_id: the ESME's on a Server's
// session, the SMSC's on a dialled one.
func (c *Conn) SystemID() string { return c.peerID }

// RemoteAddr returns the peer's network address.
func (c *Conn) RemoteAddr() net.Addr { return c.nc.RemoteAddr() }

// LocalAddr returns this side's network address.
func (c *Conn) LocalAddr() net.Addr { return c.nc.LocalAddr() }

// Context is cancelled when the session ends; its cause is Err.
func (c *Conn) Context() context.Context { return c.ctx }

// Done is closed when the session ends.
func (c *Conn) Done() <-chan struct{} { return c.ctx.Done() }

// Err returns why the session ended (ErrUnbound after a clean unbind,
// ErrPeerClosed, ErrDeadPeer, ...), or nil while it is up.
func (c *Conn) Err() error {
	if c.ctx.Err() == nil {
		return nil
	}
	return context.Cause(c.ctx)
}

// Outstanding returns the number of this side's requests awaiting a
// response (window slots in use).
func (c *Conn) Outstanding() int { return len(c.window) }

// Inflight returns the number of the peer's requests not yet answered.
func (c *Conn) Inflight() int { return int(c.inflight.Load()) }

// Close closes the connection at once, without unbinding; outstanding
// requests fail with ErrClosed.
func (c *Conn) Close() error {
	c.shutdown(ErrClosed)
	c.goroutines.Wait()
	return nil
}

// shutdown ends the session with err; it may run on any goroutine.
func (c *Conn) shutdown(err error) {
	c.closeOnce.Do(func() {
		c.state.Store(stateClosed)
		c.cancel(err)
		c.nc.Close()
		c.wmu.Lock()
		c.wclosing = true
		c.wdrained.Broadcast()
		c.wmu.Unlock()
		c.mu.Lock()
		pending := c.pending.takeAll(nil)
		c.mu.Unlock()
		for _, k := range pending {
			k.err = fmt.Errorf("%v: %w", k.cmd, err)
			c.finish(k)
		}
		if !errors.Is(err, ErrUnbound) && !errors.Is(err, ErrClosed) {
			c.log.Info("smpp: session closed", "system_id", c.peerID, "kind", c.kind, "err", err)
		}
	})
}

// closeAfterFlush queues a last PDU (a header only: unbind_resp,
// generic_nack), writes what is queued, then closes with err. Setting the
// reason with the last PDU matters: the peer may close as soon as it reads
// it, and the reader must not take that for a failure.
func (c *Conn) closeAfterFlush(cmd CommandID, st Status, seq uint32, err error) {
	c.wmu.Lock()
	if !c.wclosing {
		c.wbuf = AppendHeaderOnly(c.wbuf, cmd, st, seq)
		c.wclosing, c.wcloseErr = true, err
	}
	c.wmu.Unlock()
	c.kick()
}

func (c *Conn) kick() {
	select {
	case c.wsignal <- struct{}{}:
	default:
	}
}

// The write queue is a byte buffer PDUs are appended to under wmu. Whoever
// writes swaps it for the spare and writes it whole, so everything queued
// during a write leaves in the next system call. Three can write: the
// writer goroutine, woken by kick, whose writes may block (up to
// WriteTimeout); and, without blocking, the reader before it waits for
// input (flushIdle: the answers to a batch leave together) and a goroutine
// that queues a PDU when nothing else is in flight (no hand-off where
// there is nothing to batch with). Those make one non-blocking write(2)
// and leave what the socket did not take to the writer, so a peer that
// does not read never stalls a reader or a caller: it only fills the
// queue. wbusy makes the three take turns; the one writing loops until
// the queue is empty.

// How a PDU just queued gets written, unless a write is in progress (that
// writer loops) or the reader will flush anyway.
type flushMode uint8

const (
	flushKick   flushMode = iota // the writer goroutine writes it
	flushDirect                  // the caller writes it, without blocking
	flushHold                    // the caller arranges it (post, linked)
)

// queued is called with wmu held after a PDU was appended; it unlocks wmu
// and sees that the PDU gets written. It reports false when it did nothing
// because of flushHold.
func (c *Conn) queued(mode flushMode) (bool, error) {
	switch {
	case c.wbusy || c.rbusy.Load():
		c.wmu.Unlock()
		return true, nil
	case mode == flushDirect:
		err := c.writeQueued(2)
		c.wmu.Unlock()
		return true, err
	case mode == flushHold:
		c.wmu.Unlock()
		return false, nil
	}
	c.wmu.Unlock()
	c.kick()
	return true, nil
}

// mode turns a "write it now" decision into a flushMode.
func mode(direct bool) flushMode {
	if direct {
		return flushDirect
	}
	return flushKick
}

// busyReader returns the Conn whose reader is handling a batch, if ctx
// is one of its Requests' (Request.Context) and it is not c: a request
// forwarded from there can leave with the batch's other forwards, when
// that reader next waits for input.
func (c *Conn) busyReader(ctx context.Context) *Conn {
	a, _ := ctx.Value(connKey{}).(*Conn)
	if a == nil || a == c || !a.rbusy.Load() {
		return nil
	}
	return a
}

type connKey struct{}

// maxQueued is the size of the write queue past which the reader stops
// reading until it is shorter.
const maxQueued = 256 << 10

// flushHeld writes what is queued before the caller waits: requests held
// for a batch (link) may be what it waits for, and the reader that holds
// them may be the caller.
func (c *Conn) flushHeld() {
	c.wmu.Lock()
	c.queued(flushDirect)
}

// link has a's reader write c's queue when it next waits for input; if
// a's reader is not busy any more, c's writer does it now.
func (a *Conn) link(c *Conn) {
	a.wmu.Lock()
	if a.rbusy.Load() {
		if !slices.Contains(a.linked, c) {
			a.linked = append(a.linked, c)
		}
		a.wmu.Unlock()
		return
	}
	a.wmu.Unlock()
	c.kick()
}

// writeQueued writes the queue; it is called with wmu held and wbusy
// false, and returns with wmu held. With rounds < 0 (the writer) it makes
// blocking writes until the queue is empty; otherwise at most rounds
// non-blocking ones, and the writer gets what is left. A write error
// closes the connection (in another goroutine: shutdown takes wmu) and is
// returned.
func (c *Conn) writeQueued(rounds int) error {
	for ; len(c.wbuf) > 0; rounds-- {
		if rounds == 0 || (rounds > 0 && c.raw == nil) {
			c.kick()
			return nil
		}
		buf := c.wbuf
		c.wbuf, c.wspare = c.wspare[:0], nil
		c.wbusy = true
		c.wmu.Unlock()
		var n int
		var err error
		if rounds < 0 {
			// Moving the deadline costs a timer update; do it only when half
			// of WriteTimeout is used up.
			if now := time.Now(); now.Add(c.opts.WriteTimeout / 2).After(c.wdeadline) {
				c.wdeadline = now.Add(c.opts.WriteTimeout)
				c.nc.SetWriteDeadline(c.wdeadline)
			}
			n, err = c.nc.Write(buf)
		} else {
			n, err = c.raw.tryWrite(buf)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				// The writer's last deadline has passed since: it is no
				// deadline for a write that does not wait.
				c.wdeadline = time.Time{}
				c.nc.SetWriteDeadline(c.wdeadline)
				n, err = c.raw.tryWrite(buf)
			}
		}
		c.wmu.Lock()
		c.wbusy = false
		if err != nil {
			err = fmt.Errorf("smpp: write: %w", err)
			go c.shutdown(err)
			c.wclosing = true
			c.wbuf = c.wbuf[:0]
			c.wdrained.Broadcast()
			return err
		}
		if n < len(buf) { // the socket is full: the rest, first, is the writer's
			rest := append(buf[n:len(buf):len(buf)], c.wbuf...)
			c.wbuf = rest
			c.kick()
			return nil
		}
		if cap(buf) <= 1<<20 {
			c.wspare = buf[:0]
		}
		if len(c.wbuf) <= maxQueued {
			c.wdrained.Broadcast()
		}
	}
	if c.wclosing && c.wcloseErr != nil {
		c.kick() // the writer closes
	}
	return nil
}

// flushIdle is called by the reader before it may wait for input: it
// writes what was queued while it worked (the answers to the batch it
// read), unless someone is writing already, and lets later PDUs wake the
// writer.
func (c *Conn) flushIdle() {
	c.wmu.Lock()
	c.rbusy.Store(false)
	if !c.wbusy && len(c.wbuf) > 0 {
		c.writeQueued(2)
	}
	// A peer that does not read its answers is not read either: the queue
	// stays bounded, and so does what it can make this side hold.
	for len(c.wbuf) > maxQueued && !c.wclosing {
		c.kick()
		c.wdrained.Wait()
	}
	linked := c.linked
	c.linked = c.linkedSpare[:0]
	c.wmu.Unlock()
	// The sessions this batch forwarded to (link).
	for i, l := range linked {
		l.wmu.Lock()
		l.queued(flushDirect)
		linked[i] = nil
	}
	c.wmu.Lock()
	c.linkedSpare = linked[:0]
	c.wmu.Unlock()
}

func (c *Conn) writeHeader(cmd CommandID, st Status, seq uint32) error {
	c.wmu.Lock()
	if c.wclosing {
		c.wmu.Unlock()
		return ErrClosed
	}
	c.wbuf = AppendHeaderOnly(c.wbuf, cmd, st, seq)
	_, err := c.queued(flushKick)
	return err
}

// answering is called with wmu held by whoever queues (or drops) the
// answer to a request the Handler had: the request stops counting against
// MaxInflight there, before the answer can be written. A peer may send
// its next request the instant it reads an answer, and must find the
// slot free; counted any later, it could be refused ESME_RTHROTTLED at a
// window of exactly MaxInflight. (Unbind's drain still sees the answer
// queued before the unbind_resp: both are queued under wmu.)
func (c *Conn) answering(answer bool) {
	if answer {
		c.inflight.Add(-1)
	}
}

// writeMessageIDResp queues the answer to a Handler's request.
func (c *Conn) writeMessageIDResp(cmd CommandID, st Status, seq uint32, id string, direct bool) error {
	c.wmu.Lock()
	c.answering(true)
	if c.wclosing {
		c.wmu.Unlock()
		return ErrClosed
	}
	c.wbuf = AppendMessageIDResp(c.wbuf, cmd, st, seq, id)
	_, err := c.queued(mode(direct))
	return err
}

// writeBody queues a PDU; answer says it answers a Handler's request.
func (c *Conn) writeBody(cmd CommandID, st Status, seq uint32, b *Body, m flushMode, answer bool) (bool, error) {
	c.wmu.Lock()
	c.answering(answer)
	if c.wclosing {
		c.wmu.Unlock()
		return true, ErrClosed
	}
	n := len(c.wbuf)
	var err error
	c.wbuf, err = b.Append(c.wbuf, cmd, st, seq)
	if err != nil {
		c.wbuf = c.wbuf[:n]
		c.wmu.Unlock()
		return true, err
	}
	return c.queued(m)
}

// writeRaw queues raw with its sequence number replaced; answer says it
// answers a Handler's request.
func (c *Conn) writeRaw(raw []byte, seq uint32, m flushMode, answer bool) (bool, error) {
	c.wmu.Lock()
	c.answering(answer)
	if c.wclosing {
		c.wmu.Unlock()
		return true, ErrClosed
	}
	n := len(c.wbuf)
	c.wbuf = append(c.wbuf, raw...)
	PatchSeq(c.wbuf[n:], seq)
	return c.queued(m)
}

// writeMinimalResp answers request cmd, which the session refuses itself
// (not counted in flight), with status st and the smallest valid body (an
// empty message_id, say).
func (c *Conn) writeMinimalResp(cmd CommandID, st Status, seq uint32) error {
	var b Body
	_, err := c.writeBody(cmd.Response(), st, seq, &b, flushKick, false)
	return err
}

func (c *Conn) writeLoop() {
	defer c.goroutines.Done()
	for {
		select {
		case <-c.wsignal:
		case <-c.ctx.Done():
			return
		}
		// Let the goroutines that are ready to queue a PDU do so first: under
		// load this packs many PDUs per write; idle, it costs nothing.
		runtime.Gosched()
		c.wmu.Lock()
		if c.wbusy {
			c.wmu.Unlock()
			continue // that writer loops until the queue is empty
		}
		if err := c.writeQueued(-1); err != nil {
			c.wmu.Unlock()
			return
		}
		closing, why := c.wclosing, c.wcloseErr
		c.wmu.Unlock()
		if closing && why != nil {
			c.shutdown(why)
			return
		}
	}
}

// Inbound PDUs are read into memory allocated with the value that keeps
// them (a Request, a response's PDU): one allocation per PDU, not two.
// A response that goes to a callback is read into the reader's own box,
// valid during the callback only: no allocation.
const (
	requestInline  = 256 // most submit_sm and deliver_sm fit
	responseInline = 96  // a message_id response fits
)

type responseBox struct {
	PDU
	buf [responseInline]byte
}

func (c *Conn) readLoop() {
	defer c.goroutines.Done()
	defer func() {
		c.wmu.Lock()
		c.rbusy.Store(false)
		linked := c.linked
		c.linked = nil
		c.wmu.Unlock()
		c.kick()
		for _, l := range linked {
			l.kick()
		}
	}()
	busy := false
	n := 0 // PDUs in this batch
	for {
		if busy && !c.r.ready() {
			c.flushIdle() // the answers to what was read leave together
			busy = false
		}
		cmd, err := c.r.readHeader()
		if !busy {
			c.rbusy.Store(true)
			busy = true
			n = 0
		}
		// Tell the timer the peer is alive: at the start of each batch, and
		// every 64 PDUs of a long one.
		if n&63 == 0 {
			c.recvd.Add(1)
		}
		n++
		var raw []byte
		var req *Request
		if err == nil {
			if cmd.IsResponse() {
				raw, err = c.r.readBody(c.rresp.buf[:0])
			} else {
				req = c.newRequest()
				raw, err = c.r.readBody(req.buf[:0])
			}
		}
		if err != nil {
			if req != nil {
				req.unref(2)
			}
			var fe *FrameError
			switch {
			case errors.As(err, &fe):
				c.log.Warn("smpp: command_length out of bounds, closing", "system_id", c.peerID,
					"command", fe.Command, "seq", fe.Seq, "length", fe.Length)
				c.closeAfterFlush(GenericNack, StatusInvalidCmdLen, fe.Seq, err)
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
				c.wmu.Lock()
				why := c.wcloseErr
				c.wmu.Unlock()
				if why == nil { // not a close we started (after an unbind_resp)
					why = ErrPeerClosed
				}
				c.shutdown(why)
			default:
				c.shutdown(fmt.Errorf("smpp: read: %w", err))
			}
			return
		}
		if req == nil {
			c.onResponse(raw)
		} else {
			c.onRequest(raw, req)
		}
	}
}

func (c *Conn) timerLoop() {
	defer c.goroutines.Done()
	t := time.NewTicker(time.Duration(c.tick))
	defer t.Stop()
	var recvd uint64
	for {
		select {
		case <-c.ctx.Done():
			return
		case now := <-t.C:
			c.clock.Store(now.UnixNano())
			// The reader counts PDUs; the clock is read here, once a tick,
			// not once a PDU.
			if n := c.recvd.Load(); n != recvd {
				recvd = n
				c.lastRecv.Store(now.UnixNano())
			}
			c.sweep(now.UnixNano())
			c.keepAlive(now.UnixNano())
		}
	}
}

// sweep fails the requests whose response is late.
func (c *Conn) sweep(now int64) {
	c.mu.Lock()
	// The deadline was set from a clock up to a tick old: wait one more
	// tick, so that no request times out early.
	late := c.pending.takeLate(now - c.tick)
	c.mu.Unlock()
	for _, k := range late {
		cmd := k.cmd
		k.err = fmt.Errorf("%v: %w", cmd, ErrTimeout)
		c.finish(k)
		if cmd == EnquireLink {
			c.shutdown(fmt.Errorf("%w: enquire_link unanswered", ErrDeadPeer))
		}
	}
}

func (c *Conn) keepAlive(now int64) {
	if c.opts.EnquireLink <= 0 || c.state.Load() == stateClosed {
		return
	}
	idle := time.Duration(now - c.lastRecv.Load())
	if idle >= c.opts.DeadPeer {
		c.shutdown(fmt.Errorf("%w: nothing received for %v", ErrDeadPeer, idle.Round(time.Millisecond)))
		return
	}
	if idle >= c.opts.EnquireLink && c.enquiring.CompareAndSwap(false, true) {
		if _, err := c.post(context.Background(), EnquireLink, nil, nil, false, nil); err != nil {
			c.enquiring.Store(false)
		}
	}
}

// post registers a request and queues it; it does not wait. A windowed
// request holds a slot, which post frees if it fails. With cb, the call is
// completed by a call of cb, and post returns no call; if post fails, cb
// is not called, unless the session closed under it, in which case cb got
// the error and post returns none.
func (c *Conn) post(ctx context.Context, cmd CommandID, b *Body, raw []byte, windowed bool, cb func(*PDU, error)) (*call, error) {
	k := callPool.Get().(*call)
	k.cmd, k.windowed, k.cb = cmd, windowed, cb
	k.deadline = c.clock.Load() + int64(c.opts.ResponseTimeout)
	c.mu.Lock()
	if st := c.state.Load(); st == stateClosed || windowed && st == stateUnbinding {
		c.mu.Unlock()
		k.recycle()
		if windowed {
			<-c.window
		}
		if st == stateUnbinding {
			// Checked again here, with the window slot held: an unbind
			// that began after sendable's check has drained the window
			// without this request, and would close the session under it.
			return nil, ErrUnbinding
		}
		return nil, c.closedErr()
	}
	seq := c.seq
	for {
		seq++
		if seq > MaxSeq {
			seq = 1
		}
		if c.pending.free(seq) {
			break
		}
	}
	c.seq = seq
	c.pending.put(seq, k)
	c.mu.Unlock()
	// Forwarded from another session's batch, the request leaves with the
	// batch (link); alone on the link, the sender writes it itself: there
	// is nothing to batch it with, and a hand-off would only add latency.
	m := flushKick
	via := c.busyReader(ctx)
	switch {
	case via != nil:
		m = flushHold
	case windowed && len(c.window) <= 1:
		m = flushDirect
	}
	var err error
	done := true
	switch {
	case raw != nil:
		done, err = c.writeRaw(raw, seq, m, false)
	case b != nil:
		done, err = c.writeBody(cmd, 0, seq, b, m, false)
	default:
		c.wmu.Lock()
		if c.wclosing {
			c.wmu.Unlock()
			err = ErrClosed
			break
		}
		c.wbuf = AppendHeaderOnly(c.wbuf, cmd, 0, seq)
		done, err = c.queued(m)
	}
	if err == nil && !done {
		via.link(c)
	}
	if err != nil {
		c.mu.Lock()
		mine := c.pending.take(seq) != nil
		c.mu.Unlock()
		if !mine { // shutdown got it first and completed it
			if cb != nil {
				return nil, nil
			}
			<-k.done
			k.recycle()
			return nil, c.closedErr()
		}
		k.recycle()
		if windowed {
			<-c.window
		}
		if errors.Is(err, ErrClosed) {
			err = c.closedErr()
		}
		return nil, err
	}
	if cb != nil {
		return nil, nil
	}
	return k, nil
}

func (c *Conn) closedErr() error {
	if err := c.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	return ErrClosed
}

func (c *Conn) onResponse(raw []byte) {
	seq := binary.BigEndian.Uint32(raw[12:])
	c.mu.Lock()
	k := c.pending.take(seq)
	c.mu.Unlock()
	cmd := CommandID(binary.BigEndian.Uint32(raw[4:]))
	if k == nil {
		c.log.Warn("smpp: response to no outstanding request", "system_id", c.peerID, "command", cmd, "seq", seq)
		return
	}
	if k.cmd == EnquireLink {
		c.enquiring.Store(false)
	}
	if k.cmd == Unbind && cmd == UnbindResp {
		// Done: the peer may close at once, and that is no error.
		c.shutdown(ErrUnbound)
	}
	p := &c.rresp.PDU // a callback's, valid while it runs
	if k.cb == nil {  // a waiter's, which it keeps
		box := new(responseBox)
		raw = append(box.buf[:0], raw...)
		p = &box.PDU
	}
	switch err := p.Decode(raw); {
	case err != nil:
		k.err = err
	case cmd != k.cmd.Response() && cmd != GenericNack:
		k.err = fmt.Errorf("%w: %v for %v", ErrBadResponse, cmd, k.cmd)
	case p.Status() != StatusOK:
		k.resp, k.err = p, p.Status()
		if k.cb != nil && p.Status() == StatusThrottled {
			c.backOff(0) // Send backs off itself, and retries
		}
	default:
		k.resp = p
	}
	c.finish(k)
}

// onRequest serves a request or answers it itself; either way req is
// handed on or released.
func (c *Conn) onRequest(raw []byte, req *Request) {
	cmd := CommandID(binary.BigEndian.Uint32(raw[4:]))
	seq := binary.BigEndian.Uint32(raw[12:])
	served := false
	defer func() {
		if !served {
			req.unref(2)
		}
	}()
	if err := req.PDU.Decode(raw); err != nil {
		st := StatusInvalidCmdLen
		var de *DecodeError
		if errors.As(err, &de) {
			st = de.Status
		}
		c.log.Warn("smpp: undecodable request, generic_nack", "system_id", c.peerID, "err", err)
		c.writeHeader(GenericNack, st, seq)
		return
	}
	switch cmd {
	case EnquireLink:
		c.writeHeader(EnquireLinkResp, StatusOK, seq)
		return
	case Unbind:
		go c.peerUnbind(seq)
		return
	case BindTransmitter, BindReceiver, BindTransceiver:
		c.writeMinimalResp(cmd, StatusAlreadyBound, seq)
		return
	case Outbind:
		c.writeHeader(GenericNack, StatusInvalidBindStatus, seq)
		return
	}
	reply := cmd.HasResponse()
	refuse := func(st Status) {
		if reply {
			c.writeMinimalResp(cmd, st, seq)
		}
	}
	switch {
	case !allowed(cmd, c.kind, !c.esme):
		refuse(StatusInvalidBindStatus)
	case c.state.Load() != stateBound:
		refuse(StatusThrottled) // unbinding: the peer will send it again elsewhere
	case c.handler == nil:
		refuse(StatusSystemError)
	case c.inflight.Add(1) > int64(c.opts.MaxInflight):
		c.inflight.Add(-1)
		refuse(StatusThrottled)
	case c.inline:
		served = true
		c.serve(req)
	default:
		served = true
		go c.serve(req)
	}
}

var requestPool = sync.Pool{New: func() any { return new(Request) }}

func (c *Conn) newRequest() *Request {
	if !c.recycle {
		return &Request{conn: c}
	}
	r := requestPool.Get().(*Request)
	r.conn = c
	r.refs.Store(2) // ServeSMPP's and the answer's
	return r
}

// unref drops n references to a recycled Request (ServeSMPP returned, the
// request was answered), and pools it after the last.
func (r *Request) unref(n int32) {
	if !r.conn.recycle || r.refs.Add(-n) != 0 {
		return
	}
	r.PDU = PDU{}
	r.conn = nil
	r.responded.Store(false)
	requestPool.Put(r)
}

// answeredNone is called once a request that takes no response
// (alert_notification) is done with. Those that take one stop counting in
// flight as their answer is queued (answering).
func (r *Request) answeredNone() {
	r.conn.inflight.Add(-1)
	r.unref(1)
}

func (c *Conn) serve(req *Request) {
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("smpp: handler panicked", "system_id", c.peerID, "command", req.CommandID(), "panic", v)
			if req.CommandID().HasResponse() {
				req.Respond(StatusSystemError, nil)
			}
		}
		if !req.CommandID().HasResponse() && req.responded.CompareAndSwap(false, true) {
			req.answeredNone()
		}
		req.unref(1)
	}()
	c.handler.ServeSMPP(req)
}

// peerUnbind answers the peer's unbind once the requests in flight both
// ways are answered (or ResponseTimeout has passed), then closes.
func (c *Conn) peerUnbind(seq uint32) {
	c.state.CompareAndSwap(stateBound, stateUnbinding)
	ctx, cancel := context.WithTimeout(c.ctx, c.opts.ResponseTimeout)
	defer cancel()
	c.drain(ctx)
	c.closeAfterFlush(UnbindResp, StatusOK, seq, ErrUnbound)
}

// drain waits until no request is outstanding either way.
func (c *Conn) drain(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for len(c.window) > 0 || c.inflight.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// Unbind ends the session cleanly: new requests fail with ErrUnbinding
// (and the peer's get ESME_RTHROTTLED), requests in flight both ways are
// answered, then unbind is sent and the connection closed when the
// unbind_resp arrives. If ctx ends first, the connection is closed anyway
// and ctx's error returned.
func (c *Conn) Unbind(ctx context.Context) error {
	if !c.state.CompareAndSwap(stateBound, stateUnbinding) {
		select { // unbinding already (maybe the peer's doing): wait for the end
		case <-c.ctx.Done():
			return nil
		case <-ctx.Done():
			c.shutdown(ErrClosed)
			return ctx.Err()
		}
	}
	defer c.goroutines.Wait()
	if err := c.drain(ctx); err != nil {
		c.shutdown(ErrClosed)
		return fmt.Errorf("smpp: unbind: draining: %w", err)
	}
	k, err := c.post(context.Background(), Unbind, nil, nil, false, nil)
	if err != nil {
		if c.Err() != nil { // the peer got there first
			return nil
		}
		return fmt.Errorf("smpp: unbind: %w", err)
	}
	select {
	case <-k.done:
		c.shutdown(ErrUnbound)
		if k.err != nil && !errors.Is(k.err, ErrUnbound) && !errors.Is(k.err, ErrPeerClosed) {
			return fmt.Errorf("smpp: unbind: %w", k.err)
		}
		return nil
	case <-ctx.Done():
		c.shutdown(ErrClosed)
		return fmt.Errorf("smpp: unbind: %w", ctx.Err())
	}
}

// Send sends a request built from b (submit_sm, deliver_sm, query_sm, ...)
// and waits for its response. It waits for a window slot first, and for
// the end of a throttling back-off. A response with a non-zero
// command_status is returned with that Status as the error; a request
// refused ESME_RTHROTTLED is sent again after a delay, up to
// ThrottleRetries times.
//
// If ctx ends while the response is awaited, Send returns ctx's error but
// the request keeps its window slot until the response or its time-out:
// the peer may still act on it.
func (c *Conn) Send(ctx context.Context, cmd CommandID, b *Body) (*PDU, error) {
	if b == nil {
		b = &Body{}
	}
	return c.send(ctx, cmd, b, nil)
}

// SendPDU sends a request already encoded, such as a PDU received on
// another session: the bytes are copied as they are and only the sequence
// number is replaced, so data_coding, TLV order and unknown TLVs reach the
// peer unchanged. raw is not modified.
func (c *Conn) SendPDU(ctx context.Context, raw []byte) (*PDU, error) {
	cmd, err := c.checkForward(raw)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, cmd, nil, raw)
}

func (c *Conn) checkForward(raw []byte) (CommandID, error) {
	if len(raw) < HeaderLen || binary.BigEndian.Uint32(raw) != uint32(len(raw)) {
		return 0, fmt.Errorf("%w: command_length does not match %d octets", ErrBadForward, len(raw))
	}
	if len(raw) > c.opts.MaxCommandLength {
		return 0, fmt.Errorf("%w: %d octets, more than MaxCommandLength", ErrBadForward, len(raw))
	}
	cmd := CommandID(binary.BigEndian.Uint32(raw[4:]))
	if cmd.IsResponse() || !cmd.Known() {
		return 0, fmt.Errorf("%w: %v is not a request", ErrBadForward, cmd)
	}
	return cmd, nil
}

// SendAsync sends a request built from b like Send, but returns once the
// request is queued: cb receives the response or the error later. This is
// how a proxy forwards without a goroutine per outstanding request. b may
// be reused as soon as SendAsync returns.
//
// SendAsync waits, within ctx, for a window slot and for the end of a
// throttling back-off, as Send does (back-pressure on the caller); ctx has
// no effect once the request is sent. An InlineHandler forwarding a
// request should pass its Request.Context: the forwards of one batch of
// requests then leave together, when the batch is done. If SendAsync returns an error, cb is
// never called; otherwise cb is called exactly once, with the response (a
// non-zero command_status as that Status error, as Send returns it) or
// ErrTimeout, ErrClosed, ... A request refused ESME_RTHROTTLED is not sent
// again: cb gets StatusThrottled (for a proxy, the answer to pass on), and
// the session's next requests wait for the back-off.
//
// cb runs on the session's reader goroutine (or its timer's, or whichever
// closes it): it must not block, and resp and its bytes are valid only
// until it returns (copy what you keep; Request.Forward copies). The
// window slot is free when cb runs, so cb may send the next request on the
// same Conn without waiting, if nothing else sends on it.
func (c *Conn) SendAsync(ctx context.Context, cmd CommandID, b *Body, cb func(resp *PDU, err error)) error {
	if b == nil {
		b = &Body{}
	}
	return c.sendAsync(ctx, cmd, b, nil, cb)
}

// SendPDUAsync is SendPDU done as SendAsync: raw is copied into the queue
// before it returns, with its sequence number replaced.
func (c *Conn) SendPDUAsync(ctx context.Context, raw []byte, cb func(resp *PDU, err error)) error {
	cmd, err := c.checkForward(raw)
	if err != nil {
		return err
	}
	return c.sendAsync(ctx, cmd, nil, raw, cb)
}

func (c *Conn) sendAsync(ctx context.Context, cmd CommandID, b *Body, raw []byte, cb func(*PDU, error)) error {
	if cb == nil {
		return errors.New("smpp: SendAsync without a callback")
	}
	if !allowed(cmd, c.kind, c.esme) || cmd == Unbind || cmd == GenericNack {
		return fmt.Errorf("%w: %v on a %v bind", ErrNotAllowed, cmd, c.kind)
	}
	if err := c.sendable(ctx); err != nil {
		return err
	}
	if err := c.acquire(ctx); err != nil {
		return err
	}
	_, err := c.post(ctx, cmd, b, raw, true, cb)
	return err
}

func (c *Conn) send(ctx context.Context, cmd CommandID, b *Body, raw []byte) (*PDU, error) {
	if !allowed(cmd, c.kind, c.esme) || cmd == Unbind || cmd == GenericNack {
		return nil, fmt.Errorf("%w: %v on a %v bind", ErrNotAllowed, cmd, c.kind)
	}
	for attempt := 0; ; attempt++ {
		resp, err := c.roundTrip(ctx, cmd, b, raw)
		if !errors.Is(err, StatusThrottled) || attempt >= c.opts.ThrottleRetries {
			return resp, err
		}
		c.backOff(attempt)
	}
}

// backOff makes the session's requests wait after the attempt-th
// ESME_RTHROTTLED in a row.
func (c *Conn) backOff(attempt int) {
	delay := min(c.opts.ThrottleDelay<<attempt, maxThrottleDelay)
	until := time.Now().Add(delay).UnixNano()
	for {
		old := c.throttleUntil.Load()
		if old >= until || c.throttleUntil.CompareAndSwap(old, until) {
			break
		}
	}
	c.log.Debug("smpp: throttled, backing off", "system_id", c.peerID, "delay", delay)
}

// sendable waits for the end of a throttling back-off and checks that the
// session takes requests.
func (c *Conn) sendable(ctx context.Context) error {
	if until := c.throttleUntil.Load(); until != 0 {
		if d := time.Duration(until - time.Now().UnixNano()); d > 0 {
			c.flushHeld()
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-c.ctx.Done():
				t.Stop()
				return c.closedErr()
			}
		}
	}
	switch c.state.Load() {
	case stateUnbinding:
		return ErrUnbinding
	case stateClosed:
		return c.closedErr()
	}
	return nil
}

func (c *Conn) roundTrip(ctx context.Context, cmd CommandID, b *Body, raw []byte) (*PDU, error) {
	if err := c.sendable(ctx); err != nil {
		return nil, err
	}
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	k, err := c.post(ctx, cmd, b, raw, true, nil)
	if err != nil {
		return nil, err
	}
	select {
	case <-k.done:
		resp, err := k.resp, k.err
		k.recycle()
		return resp, err
	case <-ctx.Done():
		return nil, ctx.Err() // k is completed later, and not recycled
	}
}

func (c *Conn) acquire(ctx context.Context) error {
	select {
	case c.window <- struct{}{}:
		return nil
	default:
	}
	c.flushHeld()
	var timeout <-chan time.Time
	if c.opts.WindowTimeout > 0 {
		t := time.NewTimer(c.opts.WindowTimeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case c.window <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return c.closedErr()
	case <-timeout:
		return ErrWindowFull
	}
}

// Request is a request received from the peer, handed to the Handler. It
// embeds the decoded PDU, which owns its bytes: the Handler may keep it
// (unless the session recycles requests: ConnOptions.RecycleRequests).
// Every request except alert_notification must be answered exactly once,
// with Respond, Accept, Reject or Forward, from any goroutine; until then
// it counts against MaxInflight.
type Request struct {
	PDU
	conn      *Conn
	responded atomic.Bool
	refs      atomic.Int32 // with RecycleRequests
	buf       [requestInline]byte
}

// Conn returns the session the request came on.
func (r *Request) Conn() *Conn { return r.conn }

// Context is cancelled when the session ends.
func (r *Request) Context() context.Context { return r.conn.ctx }

func (r *Request) claim() error {
	if !r.CommandID().HasResponse() {
		return fmt.Errorf("%w: %v", ErrNoResponse, r.CommandID())
	}
	if !r.responded.CompareAndSwap(false, true) {
		return ErrResponded
	}
	return nil
}

// Respond answers with status and body (nil: the smallest valid body, an
// empty message_id for instance).
func (r *Request) Respond(status Status, body *Body) error {
	if err := r.claim(); err != nil {
		return err
	}
	defer r.unref(1)
	if body == nil {
		body = &Body{}
	}
	_, err := r.conn.writeBody(r.CommandID().Response(), status, r.Seq(), body, mode(r.alone()), true)
	return err
}

// alone reports whether this is the only request of its session in
// flight: its answer is then written at once by whoever gives it, there
// being nothing to batch it with.
func (r *Request) alone() bool { return r.conn.inflight.Load() <= 1 }

// Accept answers a submit_sm, deliver_sm or data_sm with success and the
// message id (deliver_sm_resp's is normally empty).
func (r *Request) Accept(messageID string) error {
	switch r.CommandID() {
	case SubmitSM, DeliverSM, DataSM:
	default:
		return r.Respond(StatusOK, &Body{MessageID: messageID})
	}
	for i := 0; i < len(messageID); i++ {
		if messageID[i] == 0 {
			return fmt.Errorf("%w: message_id contains NUL", ErrEncode)
		}
	}
	if err := r.claim(); err != nil {
		return err
	}
	defer r.unref(1)
	return r.conn.writeMessageIDResp(r.CommandID().Response(), StatusOK, r.Seq(), messageID, r.alone())
}

// Reject answers with an error status and the smallest valid body.
func (r *Request) Reject(status Status) error { return r.Respond(status, nil) }

// Forward answers with a response received on another session (the SMSC's
// submit_sm_resp, say), copied as it is with this request's sequence
// number.
func (r *Request) Forward(resp []byte) error {
	if len(resp) < HeaderLen || binary.BigEndian.Uint32(resp) != uint32(len(resp)) {
		return fmt.Errorf("%w: command_length does not match %d octets", ErrBadForward, len(resp))
	}
	if got := CommandID(binary.BigEndian.Uint32(resp[4:])); got != r.CommandID().Response() && got != GenericNack {
		return fmt.Errorf("%w: %v for %v", ErrBadForward, got, r.CommandID())
	}
	if err := r.claim(); err != nil {
		return err
	}
	defer r.unref(1)
	_, err := r.conn.writeRaw(resp, r.Seq(), mode(r.alone()), true)
	return err
}

// Responded reports whether the request has been answered.
func (r *Request) Responded() bool { return r.responded.Load() }
