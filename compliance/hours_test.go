package compliance

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestHoursNext checks R7's next allowed time against a minute-by-minute
// walk of the local clock, for random instants over two years of
// Africa/Casablanca (four changes of offset), with windows of every shape
// and days without sending.
func TestHoursNext(t *testing.T) {
	configs := []func(*Config){
		nil,
		func(c *Config) { c.Hours = Hours{From: 20 * 60, Until: 2 * 60} },
		// Windows that open while the clocks change (02:00–03:00).
		func(c *Config) { c.Hours = Hours{From: 2*60 + 30, Until: 5 * 60} },
		func(c *Config) { c.Hours = Hours{From: 6 * 60, Until: 2*60 + 30} },
		func(c *Config) { c.Hours = Hours{From: 0, Until: 24 * 60}; c.NoSendWeekdays = []Weekday{5, 6} },
		func(c *Config) {
			c.Hours = Hours{From: 9*60 + 30, Until: 12 * 60}
			c.NoSendWeekdays = []Weekday{0}
			c.NoSendDates = []Date{{2025, 3, 31}, {2025, 4, 1}, {2026, 3, 20}, {2026, 3, 21}}
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for ci, f := range configs {
		cfg := DefaultConfig()
		if f != nil {
			f(&cfg)
		}
		must(t, cfg.Validate())
		h, err := newHours(&cfg)
		must(t, err)
		// allowedAt reads the local clock the slow, obvious way.
		allowedAt := func(u time.Time) bool {
			l := u.In(casablanca)
			min := Clock(l.Hour()*60 + l.Minute())
			in := cfg.Hours.From <= min && min < cfg.Hours.Until
			if cfg.Hours.From > cfg.Hours.Until {
				in = min >= cfg.Hours.From || min < cfg.Hours.Until
			}
			for _, d := range cfg.NoSendWeekdays {
				if time.Weekday(d) == l.Weekday() {
					return false
				}
			}
			for _, d := range cfg.NoSendDates {
				if d == (Date{l.Year(), l.Month(), l.Day()}) {
					return false
				}
			}
			return in
		}
		samples := []time.Time{}
		for range 300 {
			samples = append(samples, time.Unix(start+rng.Int64N(end-start), 0).Truncate(time.Minute))
		}
		// Around each change of offset of 2025 and 2026.
		for _, c := range []time.Time{
			time.Date(2025, 2, 23, 2, 0, 0, 0, time.UTC), time.Date(2025, 4, 6, 2, 0, 0, 0, time.UTC),
			time.Date(2026, 2, 15, 2, 0, 0, 0, time.UTC), time.Date(2026, 3, 22, 2, 0, 0, 0, time.UTC),
		} {
			for m := -180; m <= 180; m += 3 {
				samples = append(samples, c.Add(time.Duration(m)*time.Minute))
			}
		}
		for _, u := range samples {
			day, sec := h.local(u)
			if got, want := h.allowed(day, sec), allowedAt(u); got != want {
				t.Fatalf("config %d, %s: allowed %v, want %v", ci, u.In(casablanca), got, want)
			}
			if allowedAt(u) {
				continue
			}
			next, nday, ok := h.next(u, day, sec)
			if !ok {
				t.Fatalf("config %d, %s: no next time", ci, u.In(casablanca))
			}
			w := u
			for !allowedAt(w) {
				w = w.Add(time.Minute)
			}
			if !next.Equal(w) {
				t.Fatalf("config %d, %s: next %s, want %s", ci, u.In(casablanca), next, w.In(casablanca))
			}
			if d, _ := h.local(next); d != nday {
				t.Fatalf("config %d: next's day %d, want %d", ci, nday, d)
			}
		}
	}
}

func TestHoursNoAllowedTime(t *testing.T) {
	cfg := DefaultConfig()
	for d := time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC); d.Year() < 2028; d = d.AddDate(0, 0, 1) {
		cfg.NoSendDates = append(cfg.NoSendDates, Date{d.Year(), d.Month(), d.Day()})
	}
	e := newTestEnv(t, cfg)
	s := e.submission()
	r := e.eng.Decide(&s)
	if r.Reason != "quiet-hours" || r.Detail != NoAllowedTime || r.Accepted() {
		t.Fatalf("got %s", r.Explain())
	}
}
