package proxy

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bawwab/bawwab"
)

// metrics are the gateway's Prometheus series.
type metrics struct {
	decisions *prometheus.CounterVec // outcome, reason
	binds     *prometheus.CounterVec // accepted, refused
	receipts  prometheus.Counter
	mo        *prometheus.CounterVec // kind
	latency   prometheus.Histogram
	// linkUp is 1 while a bind to an operator's SMSC is up.
	linkUp       *prometheus.GaugeVec   // operator, bind
	linkFailures *prometheus.CounterVec // operator
}

func newMetrics(r prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bawwab_gateway_decisions_total",
			Help: "Messages decided by the gateway, by outcome and reason."}, []string{"outcome", "reason"}),
		binds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bawwab_gateway_binds_total",
			Help: "Provider bind attempts, by result."}, []string{"result"}),
		receipts: prometheus.NewCounter(prometheus.CounterOpts{Name: "bawwab_gateway_receipts_total",
			Help: "Delivery receipts passed to providers or their outbox."}),
		mo: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bawwab_gateway_mo_total",
			Help: "MO messages received, by what was done with them."}, []string{"kind"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bawwab_gateway_submit_seconds",
			Help:    "Time from a submission to its answer.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16)}),
		linkUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "bawwab_smsc_link_up",
			Help: "1 while the bind to the operator's SMSC is up, 0 while it is down."}, []string{"operator", "bind"}),
		linkFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bawwab_smsc_connect_failures_total",
			Help: "Failed attempts to connect and bind to an operator's SMSC."}, []string{"operator"}),
	}
	if r != nil {
		for _, c := range []prometheus.Collector{m.decisions, m.binds, m.receipts, m.mo, m.latency, m.linkUp, m.linkFailures} {
			if err := r.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// limiter holds token buckets per account and per throttled provider.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

func (l *limiter) init() { l.buckets = map[string]*bucket{} }

// allow takes a token from key's bucket of rate per second (burst: one
// second's worth, at least 1); rate <= 0 always allows.
func (l *limiter) allow(key string, rate float64, now time.Time) bool {
	if rate <= 0 {
		return true
	}
	burst := max(rate, 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil || b.rate != rate {
		b = &bucket{rate: rate, tokens: burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(burst, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// route says where the receipts of a message the gateway forwarded go.
type route struct {
	providerID, accountID string
	sess                  *session // the bind that sent it (nil for HTTP)
	ownID                 string   // the id the provider knows, when Bawwab issued it
	http                  *httpMessage
	at                    time.Time
	answered              chan struct{} // closed once the provider has the id (nil: it has)
	// durable routes are recorded in the store: those of messages that
	// asked for a receipt (the others get none, unless an SMSC sends
	// them anyway, which the memory serves).
	durable bool
}

func routeKey(op, id string) string { return op + "\x00" + id }

// MemOutbox is an OutboxService in memory: what the gateway uses without a
// store's, and in tests. Its messages do not survive a restart.
type MemOutbox struct {
	mu      sync.Mutex
	next    int64
	msgs    []*bawwab.OutboxMessage
	routes  map[string]bawwab.OutboxRoute
	http    map[string]*bawwab.HTTPMessage // by id
	httpIDs map[string]string              // routeKey(operator, SMSC id) -> id
}

var _ bawwab.OutboxService = (*MemOutbox)(nil)

// NewMemOutbox returns an empty outbox.
func NewMemOutbox() *MemOutbox { return &MemOutbox{} }

func (o *MemOutbox) PutOutbox(ctx context.Context, m *bawwab.OutboxMessage) error {
	if m.ProviderID == "" {
		return errors.New("outbox: message without provider")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.next++
	m.ID = o.next
	c := *m
	c.PDU = append([]byte(nil), m.PDU...)
	o.msgs = append(o.msgs, &c)
	return nil
}

func (o *MemOutbox) FindOutbox(ctx context.Context, providerID string, afterID int64, limit int) ([]*bawwab.OutboxMessage, error) {
	if limit <= 0 {
		limit = 1000
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []*bawwab.OutboxMessage
	for _, m := range o.msgs {
		if m.ProviderID == providerID && m.ID > afterID {
			c := *m
			out = append(out, &c)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

func (o *MemOutbox) DeleteOutbox(ctx context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, m := range o.msgs {
		if m.ID == id {
			o.msgs = append(o.msgs[:i], o.msgs[i+1:]...)
			break
		}
	}
	return nil
}

func (o *MemOutbox) PutRoutes(ctx context.Context, routes []bawwab.OutboxRoute) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.routes == nil {
		o.routes = map[string]bawwab.OutboxRoute{}
	}
	for _, r := range routes {
		o.routes[routeKey(r.OperatorID, r.SMSCMessageID)] = r
	}
	return nil
}

func (o *MemOutbox) FindRoute(ctx context.Context, operatorID, smscMessageID string) (*bawwab.OutboxRoute, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.routes[routeKey(operatorID, smscMessageID)]
	if !ok {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no route for message %q of operator %q", smscMessageID, operatorID)
	}
	return &r, nil
}

func (o *MemOutbox) DeleteRoutes(ctx context.Context, before time.Time) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	for k, r := range o.routes {
		if r.At.Before(before) {
			delete(o.routes, k)
			n++
		}
	}
	return n, nil
}

func (o *MemOutbox) PutHTTPMessages(ctx context.Context, ms []*bawwab.HTTPMessage) error {
	for _, m := range ms {
		if m.ID == "" || m.ProviderID == "" {
			return errors.New("outbox: HTTP message without id or provider")
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.http == nil {
		o.http, o.httpIDs = map[string]*bawwab.HTTPMessage{}, map[string]string{}
	}
	for _, m := range ms {
		if old := o.http[m.ID]; old != nil {
			for _, id := range old.SMSCIDs {
				delete(o.httpIDs, routeKey(old.OperatorID, id))
			}
		}
		o.http[m.ID] = copyHTTP(m)
		for _, id := range m.SMSCIDs {
			o.httpIDs[routeKey(m.OperatorID, id)] = m.ID
		}
	}
	return nil
}

func (o *MemOutbox) SetHTTPStates(ctx context.Context, ms []*bawwab.HTTPMessage) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, c := range ms {
		if m := o.http[c.ID]; m != nil {
			m.Status, m.Reason, m.Until, m.Stats, m.Done = c.Status, c.Reason, c.Until, slices.Clone(c.Stats), c.Done
		}
	}
	return nil
}

func (o *MemOutbox) FindHTTPMessage(ctx context.Context, providerID, id string) (*bawwab.HTTPMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.http[id]
	if m == nil || m.ProviderID != providerID {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message %q", id)
	}
	return copyHTTP(m), nil
}

func (o *MemOutbox) FindHTTPMessageBySMSCID(ctx context.Context, operatorID, smscMessageID string) (*bawwab.HTTPMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.http[o.httpIDs[routeKey(operatorID, smscMessageID)]]
	if m == nil {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message for message %q of operator %q", smscMessageID, operatorID)
	}
	return copyHTTP(m), nil
}

func (o *MemOutbox) UpdateHTTPMessage(ctx context.Context, id string, update func(m *bawwab.HTTPMessage) error) (*bawwab.HTTPMessage, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	m := o.http[id]
	if m == nil {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message %q", id)
	}
	c := copyHTTP(m)
	if err := update(c); err != nil {
		return nil, err
	}
	m.Status, m.Reason, m.Until, m.Stats, m.Done = c.Status, c.Reason, c.Until, slices.Clone(c.Stats), c.Done
	return copyHTTP(m), nil
}

func (o *MemOutbox) DeleteHTTPMessages(ctx context.Context, before time.Time) (int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var n int64
	for k, m := range o.http {
		if m.Submitted.Before(before) {
			for _, id := range m.SMSCIDs {
				delete(o.httpIDs, routeKey(m.OperatorID, id))
			}
			delete(o.http, k)
			n++
		}
	}
	return n, nil
}

func copyHTTP(m *bawwab.HTTPMessage) *bawwab.HTTPMessage {
	c := *m
	c.SMSCIDs, c.Stats = slices.Clone(m.SMSCIDs), slices.Clone(m.Stats)
	return &c
}
