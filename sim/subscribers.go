package sim

import (
	"context"
	"math/rand/v2"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
)

// SubscribersConfig configures simulated subscribers: people who receive
// commercial messages and now and then answer STOP to the code the text
// names, START later, or forward a message they did not want to the
// complaint short code.
type SubscribersConfig struct {
	// Deliver sends an MO message from a subscriber, through the SMSC of
	// the subscriber's operator. Required.
	Deliver func(ctx context.Context, from, to, text string) error
	// NationalStop and Complaint are the national StopSMS and complaint
	// short codes.
	NationalStop, Complaint string
	// Rate is MO messages per second over all subscribers (default 1).
	Rate float64
	// Shares of each action; the zero value is 55 % STOP, 15 % START, 30 %
	// complaints.
	Stop, Start, Complain float64
	Seed                  uint64
}

// SubscriberStats counts the MO messages sent.
type SubscriberStats struct {
	Stops, Starts, Complaints, Failed int64
}

type received struct {
	to, sender, text string
}

type stopped struct {
	from, to, text string
}

// Subscribers is a running population of simulated subscribers.
type Subscribers struct {
	cfg SubscribersConfig

	mu      sync.Mutex
	r       *rand.Rand
	recent  []received // ring of the last commercial messages delivered
	next    int
	stopped []stopped

	stops, starts, complaints, failed atomic.Int64
}

const recentMessages = 512

// NewSubscribers checks cfg and returns the subscribers; feed them with
// Received and start them with Run.
func NewSubscribers(cfg SubscribersConfig) (*Subscribers, error) {
	if cfg.Deliver == nil || cfg.NationalStop == "" || cfg.Complaint == "" {
		return nil, bawwab.Errorf(bawwab.EINVALID, "subscribers: Deliver, NationalStop and Complaint are required")
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 1
	}
	if cfg.Stop+cfg.Start+cfg.Complain <= 0 {
		cfg.Stop, cfg.Start, cfg.Complain = 0.55, 0.15, 0.30
	}
	return &Subscribers{cfg: cfg, r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b9))}, nil
}

// Received tells the subscribers that to received a commercial message:
// what they may answer STOP to or complain about.
func (s *Subscribers) Received(to, sender, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rc := received{to: to, sender: sender, text: text}
	if len(s.recent) < recentMessages {
		s.recent = append(s.recent, rc)
		return
	}
	s.recent[s.next] = rc
	s.next = (s.next + 1) % recentMessages
}

// Stats returns the counters.
func (s *Subscribers) Stats() SubscriberStats {
	return SubscriberStats{Stops: s.stops.Load(), Starts: s.starts.Load(), Complaints: s.complaints.Load(), Failed: s.failed.Load()}
}

// optOutCode finds the short code a text's opt-out instruction names.
var optOutCode = regexp.MustCompile(`(?i)STOP[^0-9]{0,12}([0-9]{3,6})`)

// Next picks the next MO message, or false when nothing was received yet.
func (s *Subscribers) Next() (MO, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.recent) == 0 {
		return MO{}, false
	}
	c := s.cfg
	x := s.r.Float64() * (c.Stop + c.Start + c.Complain)
	switch {
	case x < c.Start && len(s.stopped) > 0:
		i := s.r.IntN(len(s.stopped))
		st := s.stopped[i]
		s.stopped = append(s.stopped[:i], s.stopped[i+1:]...)
		text := "START"
		if st.text != "STOP" {
			text = "START " + st.text[len("STOP "):]
		}
		s.starts.Add(1)
		return MO{From: st.from, To: st.to, Text: text}, true
	case x < c.Start+c.Complain:
		m := s.recent[s.r.IntN(len(s.recent))]
		text := m.text
		if s.r.IntN(2) == 0 {
			text = m.sender + ": " + text
		}
		s.complaints.Add(1)
		return MO{From: m.to, To: c.Complaint, Text: text}, true
	}
	m := s.recent[s.r.IntN(len(s.recent))]
	mo := MO{From: m.to, To: c.NationalStop, Text: "STOP " + m.sender}
	if sub := optOutCode.FindStringSubmatch(m.text); sub != nil && s.r.IntN(5) > 0 {
		mo.To, mo.Text = sub[1], "STOP"
	} else if s.r.IntN(4) == 0 {
		mo.Text = "STOP" // every commercial SMS
	}
	if len(s.stopped) < 10000 {
		s.stopped = append(s.stopped, stopped{from: mo.From, to: mo.To, text: mo.Text})
	}
	s.stops.Add(1)
	return mo, true
}

// Run sends MO messages at the configured rate until ctx ends.
func (s *Subscribers) Run(ctx context.Context) error {
	t := time.NewTicker(time.Duration(float64(time.Second) / s.cfg.Rate))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		mo, ok := s.Next()
		if !ok {
			continue
		}
		if err := s.cfg.Deliver(ctx, mo.From, mo.To, mo.Text); err != nil && ctx.Err() == nil {
			s.failed.Add(1)
		}
	}
}
