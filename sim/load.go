package sim

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// DefaultLoadText is the message a load generator sends when given none: a
// commercial SMS with its opt-out instruction.
const DefaultLoadText = "Promo -20% ce week-end chez BRAND ! STOP au 5050"

// LoadConfig configures a load generator: an ESME that binds to an SMSC
// (or to the gateway) and submits messages, as fast as its window allows
// or at a rate, and collects the receipts.
type LoadConfig struct {
	Addr     string // where to bind
	SystemID string // default "load"
	Password string
	// Kind of bind: default Transmitter, or Transceiver when Receipts.
	Kind smpp.BindKind
	// Binds is the number of sessions (default 1); messages are shared
	// among them.
	Binds int
	// Window is the number of submit_sm outstanding per bind (default 10).
	Window int
	// Count is the number of messages to send; 0 means until Duration
	// has passed or ctx ends. One of Count and Duration is required.
	Count int64
	// Duration bounds the sending time.
	Duration time.Duration
	// Rate is the messages per second over all binds; 0 sends as fast as
	// the windows allow.
	Rate float64
	// Source is the sender (default "BENCH", alphanumeric).
	Source string
	// DestBase is the first recipient (default 212600000000); message n
	// (from 0) goes to DestBase+n.
	DestBase uint64
	// Texts are the messages, used in turn; "{n}" in a text becomes the
	// message's number. A text too long for one message is sent
	// concatenated (several submit_sm). Default DefaultLoadText.
	Texts []string
	// Receipts asks for a delivery receipt with every message and waits
	// for them after the last answer, up to ReceiptWait (default 10 s).
	Receipts    bool
	ReceiptWait time.Duration
	// Conn configures the sessions (Window and Handler are set here).
	Conn smpp.ConnOptions
}

// LoadResult is what a load run measured.
type LoadResult struct {
	Messages int64 // messages started
	// Sent and the counts after it are of submit_sm: a concatenated
	// message is several.
	Sent    int64 // submit_sm sent
	Acked   int64 // answered ESME_ROK
	Refused int64 // answered with an error status
	Failed  int64 // never answered (time-out, session lost) or not sent
	// RefusedBy counts the refusals by command_status.
	RefusedBy map[smpp.Status]int64
	Elapsed   time.Duration // first submit to last answer
	Latency   Summary       // submit_sm to its response
	// Receipts counts the receipts received by stat (DELIVRD, UNDELIV...);
	// ReceiptsMatched those whose id was one of this run's.
	Receipts        map[string]int64
	ReceiptsMatched int64
	ReceiptLatency  Summary // submit_sm to its receipt
	// FirstError is the first failure, if any.
	FirstError error
}

// Rate returns the answers per second.
func (r *LoadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Acked+r.Refused) / r.Elapsed.Seconds()
}

// String is one line in the shape of smppload's RESULT line, so that the
// same scripts read both.
func (r *LoadResult) String() string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/1e6) }
	s := fmt.Sprintf("RESULT sent=%d parts=%d acked=%d errors=%d failed=%d elapsed_s=%.3f rate=%.1f p50=%s p90=%s p99=%s max=%s",
		r.Messages, r.Sent, r.Acked, r.Refused, r.Failed, r.Elapsed.Seconds(), r.Rate(),
		ms(r.Latency.P50), ms(r.Latency.P90), ms(r.Latency.P99), ms(r.Latency.Max))
	if len(r.Receipts) > 0 {
		var total int64
		for _, n := range r.Receipts {
			total += n
		}
		s += fmt.Sprintf(" receipts=%d matched=%d delivered=%d receipt_p50=%s receipt_p99=%s", total, r.ReceiptsMatched,
			r.Receipts["DELIVRD"], ms(r.ReceiptLatency.P50), ms(r.ReceiptLatency.P99))
	}
	return s
}

// RefusalCounts lists the refusals by command_status, most frequent
// first: "ESME_RTHROTTLED=3", and for the gateway's vendor statuses its
// reason code, "recipient-opted-out(R5,0x405)=2".
func (r *LoadResult) RefusalCounts() []string {
	type kv struct {
		st smpp.Status
		n  int64
	}
	var all []kv
	for st, n := range r.RefusedBy {
		all = append(all, kv{st, n})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].st < all[j].st
	})
	out := make([]string, len(all))
	for i, e := range all {
		out[i] = fmt.Sprintf("%s=%d", StatusName(e.st), e.n)
	}
	return out
}

// StatusName names a command_status: its SMPP name, or for a status of
// the vendor range that Bawwab uses, the reason it reports.
func StatusName(st smpp.Status) string {
	if st >= 0x400 && st <= 0x4FF {
		if r, ok := bawwab.ReasonForSMPPStatus(uint32(st)); ok {
			if info, ok := r.Info(); ok && info.Rule != "gateway" {
				return fmt.Sprintf("%s(%s,0x%X)", r, info.Rule, uint32(st))
			}
			return fmt.Sprintf("%s(0x%X)", r, uint32(st))
		}
	}
	return st.Name()
}

// RunLoad binds, sends the messages, waits for the answers (and the
// receipts, if asked), unbinds and reports. It fails only if it cannot
// bind or is misconfigured; what goes wrong afterwards is counted in the
// result.
func RunLoad(ctx context.Context, cfg LoadConfig) (*LoadResult, error) {
	g, err := newLoad(cfg)
	if err != nil {
		return nil, err
	}
	return g.run(ctx)
}

type load struct {
	cfg   LoadConfig
	msgs  messageSource
	binds []*loadBind

	start    time.Time
	claimed  atomic.Int64
	stop     atomic.Bool
	inflight sync.WaitGroup

	sent, acked, refused, failed atomic.Int64
	lastAnswer                   atomic.Int64 // since start
	errOnce                      sync.Once
	firstErr                     error

	rmu       sync.Mutex
	submitted map[string]int64 // message id -> submit time, with Receipts
	receipts  map[string]int64
	matched   int64
	rcvd      atomic.Int64
	expected  atomic.Int64 // receipts to wait for
}

type loadBind struct {
	g       *load
	conn    *smpp.Conn
	scratch scratch // the reader's, for building PDUs
	// The parts of the message under way, without a goroutine to send
	// them (fill, complete).
	qmu     sync.Mutex
	queue   scratch
	qoff    int
	lat     Histogram
	rcptLat Histogram
	pool    sync.Pool // *pending
	// refusedBy counts the refusals by status.
	rmu       sync.Mutex
	refusedBy map[smpp.Status]int64
}

// pending is one submit_sm in flight; its done method value is made once,
// so a send allocates nothing.
type pending struct {
	b     *loadBind
	start int64
	done  func(*smpp.PDU, error)
}

func newLoad(cfg LoadConfig) (*load, error) {
	if cfg.Addr == "" {
		return nil, bawwab.Errorf(bawwab.EINVALID, "load: no address to bind to")
	}
	if cfg.Count <= 0 && cfg.Duration <= 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "load: give a count or a duration")
	}
	if cfg.Rate < 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "load: negative rate")
	}
	if cfg.SystemID == "" {
		cfg.SystemID = "load"
	}
	if cfg.Kind == 0 {
		cfg.Kind = smpp.Transmitter
		if cfg.Receipts {
			cfg.Kind = smpp.Transceiver
		}
	}
	if cfg.Receipts && cfg.Kind == smpp.Transmitter {
		return nil, bawwab.Errorf(bawwab.EINVALID, "load: a transmitter bind cannot receive receipts")
	}
	cfg.Binds = max(cfg.Binds, 1)
	if cfg.Window <= 0 {
		cfg.Window = 10
	}
	if cfg.Source == "" {
		cfg.Source = "BENCH"
	}
	if cfg.DestBase == 0 {
		cfg.DestBase = 212600000000
	}
	if len(cfg.Texts) == 0 {
		cfg.Texts = []string{DefaultLoadText}
	}
	if cfg.ReceiptWait <= 0 {
		cfg.ReceiptWait = 10 * time.Second
	}
	g := &load{cfg: cfg, receipts: map[string]int64{}}
	if cfg.Receipts {
		g.submitted = map[string]int64{}
	}
	if err := g.msgs.init(cfg); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *load) run(ctx context.Context) (*LoadResult, error) {
	if err := g.bind(ctx); err != nil {
		return nil, err
	}
	defer g.unbind()
	g.start = time.Now()
	stopWatch := context.AfterFunc(ctx, func() { g.stop.Store(true) })
	defer stopWatch()
	var senders sync.WaitGroup
	for _, b := range g.binds {
		senders.Go(func() {
			if g.cfg.Rate > 0 {
				b.paced(ctx)
			} else {
				b.fill(ctx)
			}
		})
	}
	senders.Wait()
	g.inflight.Wait()
	if g.cfg.Receipts {
		g.waitReceipts(ctx)
	}
	return g.result(), nil
}

func (g *load) bind(ctx context.Context) error {
	for range g.cfg.Binds {
		b := &loadBind{g: g}
		b.pool.New = func() any {
			p := &pending{b: b}
			p.done = p.complete
			return p
		}
		copts := g.cfg.Conn
		copts.Window = g.cfg.Window
		copts.Handler = smpp.InlineFunc(b.serve)
		c, err := smpp.Dial(ctx, g.cfg.Addr, smpp.DialOptions{Kind: g.cfg.Kind, SystemID: g.cfg.SystemID,
			Password: g.cfg.Password, Conn: copts})
		if err != nil {
			g.unbind()
			return fmt.Errorf("load: %w", err)
		}
		b.conn = c
		g.binds = append(g.binds, b)
	}
	return nil
}

func (g *load) unbind() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, b := range g.binds {
		wg.Go(func() { b.conn.Unbind(ctx) })
	}
	wg.Wait()
	g.binds = nil
}

// claim returns the number of the next message to send, or false when
// the run is over.
func (g *load) claim() (int64, bool) {
	if g.stop.Load() {
		return 0, false
	}
	if g.cfg.Duration > 0 && g.since() > g.cfg.Duration {
		g.stop.Store(true)
		return 0, false
	}
	n := g.claimed.Add(1) - 1
	if g.cfg.Count > 0 && n >= g.cfg.Count {
		return 0, false
	}
	return n, true
}

// since reads the monotonic clock only, at half the cost of time.Now,
// which matters twice a message.
func (g *load) since() time.Duration { return time.Since(g.start) }

func (g *load) fail(err error) {
	g.failed.Add(1)
	g.errOnce.Do(func() { g.firstErr = err })
}

// scratch is memory to build PDUs in, one per sending goroutine.
type scratch struct {
	buf   []byte
	sizes []int
}

// send sends message n, all its parts, each waiting for a window slot.
func (b *loadBind) send(ctx context.Context, n int64, sc *scratch) {
	sc.buf, sc.sizes = b.g.msgs.build(sc.buf[:0], sc.sizes[:0], n)
	off := 0
	for _, size := range sc.sizes {
		if !b.sendPDU(ctx, sc.buf[off:off+size]) {
			return
		}
		off += size
	}
}

func (b *loadBind) sendPDU(ctx context.Context, raw []byte) bool {
	g := b.g
	p := b.pool.Get().(*pending)
	p.start = int64(g.since())
	g.inflight.Add(1)
	if err := b.conn.SendPDUAsync(ctx, raw, p.done); err != nil {
		g.inflight.Done()
		b.pool.Put(p)
		if ctx.Err() == nil { // an interrupted run is no failure
			g.fail(err)
		}
		g.stop.Store(true) // the session is gone, or ctx ended
		return false
	}
	g.sent.Add(1)
	return true
}

// sendNext sends one submit_sm: the next part of the message under way, or
// the first of a new one. It returns false when the run is over.
func (b *loadBind) sendNext(ctx context.Context, sc *scratch) bool {
	b.qmu.Lock()
	if len(b.queue.sizes) == 0 {
		n, ok := b.g.claim()
		if !ok {
			b.qmu.Unlock()
			return false
		}
		b.queue.buf, b.queue.sizes = b.g.msgs.build(b.queue.buf[:0], b.queue.sizes[:0], n)
		b.qoff = 0
	}
	size := b.queue.sizes[0]
	sc.buf = append(sc.buf[:0], b.queue.buf[b.qoff:b.qoff+size]...)
	b.queue.sizes = b.queue.sizes[1:]
	b.qoff += size
	b.qmu.Unlock()
	return b.sendPDU(ctx, sc.buf)
}

// fill sends as many submit_sm as the window holds; each answer then sends
// the next (complete), from the session's reader: no goroutine, no
// hand-off, and the submits of a batch leave in one write. One answer,
// one send: the reader never waits for a window slot.
func (b *loadBind) fill(ctx context.Context) {
	var sc scratch
	for range b.g.cfg.Window {
		if !b.sendNext(ctx, &sc) {
			return
		}
	}
}

// paced sends at the bind's share of Rate, catching up after a stall.
func (b *loadBind) paced(ctx context.Context) {
	g := b.g
	per := g.cfg.Rate / float64(g.cfg.Binds)
	t := time.NewTicker(time.Millisecond)
	defer t.Stop()
	var sc scratch
	var started int64
	for {
		due := int64(time.Since(g.start).Seconds()*per) + 1
		for ; started < due; started++ {
			n, ok := g.claim()
			if !ok {
				return
			}
			b.send(ctx, n, &sc)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// complete is a submit_sm's callback.
func (p *pending) complete(resp *smpp.PDU, err error) {
	b, g := p.b, p.b.g
	now := int64(g.since())
	start := p.start
	b.pool.Put(p)
	g.lastAnswer.Store(now)
	var st smpp.Status
	switch {
	case err == nil:
		g.acked.Add(1)
		b.lat.Record(time.Duration(now - start)) // on the reader only
		if g.cfg.Receipts {
			g.rmu.Lock()
			g.submitted[string(resp.MessageID())] = start
			g.rmu.Unlock()
			g.expected.Add(1)
		}
	case resp != nil && errors.As(err, &st):
		g.refused.Add(1)
		b.rmu.Lock()
		if b.refusedBy == nil {
			b.refusedBy = map[smpp.Status]int64{}
		}
		b.refusedBy[st]++
		b.rmu.Unlock()
		b.lat.Record(time.Duration(now - start))
	default:
		g.fail(err)
	}
	if g.cfg.Rate == 0 && (err == nil || resp != nil) {
		// The slot this answer freed carries the next message. (Not after a
		// time-out: that callback runs on the timer, which must not block.)
		b.sendNext(context.Background(), &b.scratch)
	}
	g.inflight.Done()
}

// serve takes the SMSC's deliver_sm: receipts are counted and matched.
func (b *loadBind) serve(r *smpp.Request) {
	g := b.g
	rc, err := smpp.ReceiptOf(&r.PDU)
	r.Accept("")
	if err != nil {
		return // an MO: not this generator's business
	}
	now := int64(g.since())
	stat := rc.Stat
	if stat == "" {
		stat = rc.State.Stat()
	}
	g.rmu.Lock()
	g.receipts[stat]++
	if start, ok := g.submitted[rc.ID]; ok {
		delete(g.submitted, rc.ID)
		g.matched++
		b.rcptLat.Record(time.Duration(now - start))
	}
	g.rmu.Unlock()
	g.rcvd.Add(1)
}

func (g *load) waitReceipts(ctx context.Context) {
	deadline := time.Now().Add(g.cfg.ReceiptWait)
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for g.rcvd.Load() < g.expected.Load() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (g *load) result() *LoadResult {
	r := &LoadResult{
		Messages: g.claimed.Load(), Sent: g.sent.Load(),
		Acked: g.acked.Load(), Refused: g.refused.Load(), Failed: g.failed.Load(), FirstError: g.firstErr,
	}
	if g.cfg.Count > 0 {
		r.Messages = min(g.claimed.Load(), g.cfg.Count)
	}
	r.Elapsed = time.Duration(g.lastAnswer.Load())
	var lat, rlat Histogram
	for _, b := range g.binds {
		lat.Merge(&b.lat)
		rlat.Merge(&b.rcptLat)
		b.rmu.Lock()
		for st, n := range b.refusedBy {
			if r.RefusedBy == nil {
				r.RefusedBy = map[smpp.Status]int64{}
			}
			r.RefusedBy[st] += n
		}
		b.rmu.Unlock()
	}
	r.Latency, r.ReceiptLatency = lat.Summary(), rlat.Summary()
	g.rmu.Lock()
	r.Receipts = make(map[string]int64, len(g.receipts))
	for k, v := range g.receipts {
		r.Receipts[k] = v
	}
	r.ReceiptsMatched = g.matched
	g.rmu.Unlock()
	return r
}

// messageSource builds the submit_sm of message n. The common case, one
// text with no "{n}" that fits one message, is a template copied with the
// recipient's digits written in place.
type messageSource struct {
	cfg   LoadConfig
	split []*smpp.Split // per text, nil if it has "{n}"
	// The template of a single static text.
	tmpl    []byte
	destOff int // where the recipient's digits start in tmpl
	destLen int
}

func (m *messageSource) init(cfg LoadConfig) error {
	m.cfg = cfg
	var splitter smpp.Splitter
	for _, t := range cfg.Texts {
		if strings.Contains(t, "{n}") {
			m.split = append(m.split, nil)
			continue
		}
		sp, err := splitter.Split(t)
		if err != nil {
			return bawwab.Errorf(bawwab.EINVALID, "load: text %q: %v", t, err)
		}
		m.split = append(m.split, sp)
	}
	if len(m.split) == 1 && m.split[0] != nil && len(m.split[0].Parts) == 1 {
		b := m.body(m.split[0], 0)[0]
		raw, err := b.Encode(smpp.SubmitSM, 0, 1)
		if err != nil {
			return bawwab.Errorf(bawwab.EINVALID, "load: %v", err)
		}
		m.tmpl = raw
		// header, service_type (empty), source TON, NPI and address, dest TON, NPI.
		m.destOff = smpp.HeaderLen + 1 + 2 + len(b.Source.Addr) + 1 + 2
		m.destLen = len(b.Dest.Addr)
	}
	return nil
}

func (m *messageSource) body(sp *smpp.Split, n int64) []*smpp.Body {
	tmpl := smpp.Body{Source: addressOf(m.cfg.Source),
		Dest: smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: strconv.FormatUint(m.cfg.DestBase+uint64(n), 10)}}
	if m.cfg.Receipts {
		tmpl.RegisteredDelivery = smpp.RegisteredDeliveryAll
	}
	return sp.Bodies(tmpl)
}

// build appends the submit_sm PDUs of message n to dst and their sizes to
// sizes.
func (m *messageSource) build(dst []byte, sizes []int, n int64) ([]byte, []int) {
	if m.tmpl != nil {
		var digits [20]byte
		d := strconv.AppendUint(digits[:0], m.cfg.DestBase+uint64(n), 10)
		if len(d) == m.destLen {
			dst = append(dst, m.tmpl...)
			copy(dst[len(dst)-len(m.tmpl)+m.destOff:], d)
			return dst, append(sizes, len(m.tmpl))
		}
	}
	i := int(n % int64(len(m.cfg.Texts)))
	sp := m.split[i]
	if sp == nil {
		var err error
		if sp, err = (&smpp.Splitter{}).Split(strings.ReplaceAll(m.cfg.Texts[i], "{n}", strconv.FormatInt(n, 10))); err != nil {
			sp, _ = (&smpp.Splitter{}).Split("?")
		}
	}
	for _, b := range m.body(sp, n) {
		before := len(dst)
		var err error
		if dst, err = b.Append(dst, smpp.SubmitSM, 0, 1); err != nil {
			continue // checked at init; a text with {n} cannot fail to encode
		}
		sizes = append(sizes, len(dst)-before)
	}
	return dst, sizes
}
