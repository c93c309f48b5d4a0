package sanction

import (
	"fmt"
	"math"
	"time"

	"github.com/bawwab/bawwab"
)

// Counter names what a rule counts.
type Counter string

const (
	// CounterComplaints counts the provider's confirmed complaints, at the
	// time they were confirmed.
	CounterComplaints Counter = "confirmed-complaints"
	// CounterMislabelled counts mislabelled commercial traffic: messages
	// under a transactional sender ID that read as commercial, flagged
	// (passed) or rejected.
	CounterMislabelled Counter = Counter(bawwab.ReasonMislabelledCommercial)
	// CounterViolations counts every refusal for a rule's reason (R1 to
	// R9).
	CounterViolations Counter = "violations"
	// Any other counter is a reason code (docs/REASONS.md): the refusals
	// for that reason, such as "optout-mention-missing" or
	// "recipient-opted-out" (attempts to reach opposed recipients).
)

// Rule is a threshold: what it counts, over which sliding window, and
// the counts (or shares of the provider's commercial submissions) at which
// it raises a warning, a throttle and a suspension. A level left at 0 is
// not raised by this rule.
type Rule struct {
	Name    string  `toml:"name"`
	Counter Counter `toml:"counter"`
	// Window is the sliding window, in whole hours (counts are kept per
	// hour), e.g. "24h" or "240h".
	Window time.Duration `toml:"window"`
	// Counts at which each measure is raised: at exactly this count.
	Warning    int64 `toml:"warning"`
	Throttle   int64 `toml:"throttle"`
	Suspension int64 `toml:"suspension"`
	// Shares of the provider's commercial submissions in the window above
	// which each measure is raised (0.05: more than 5 %), once the window
	// holds at least MinVolume commercial submissions.
	WarningShare    float64 `toml:"warning_share"`
	ThrottleShare   float64 `toml:"throttle_share"`
	SuspensionShare float64 `toml:"suspension_share"`
	MinVolume       int64   `toml:"min_volume"`
}

// Config is the sanction configuration ([sanctions] in bawwab.toml).
type Config struct {
	Rules []Rule `toml:"rule"`
	// ThrottleRate is the cap of a throttle, in messages per second
	// (default 10).
	ThrottleRate float64 `toml:"throttle_rate"`
	// CountMonitored counts the findings of rules in monitor mode as
	// violations too (default false: monitor mode shows what enforcement
	// would refuse, it does not sanction before the cut-over date).
	CountMonitored bool `toml:"count_monitored"`
	// RefreshInterval is how often Run reads the store for measures lifted
	// and complaints confirmed elsewhere (default 30 s).
	RefreshInterval time.Duration `toml:"refresh_interval"`
}

// DefaultConfig returns the defaults of RULES.md ("Rolling it out"): a
// provider is warned at 3 confirmed complaints in 10 days and suspended at
// 5; it is suspended when more than 5 % of its commercial submissions of
// the last 24 hours were refused for a missing opt-out mention, once they
// number at least 200 (so that one bad message of two does not suspend).
func DefaultConfig() Config {
	return Config{
		Rules: []Rule{
			{Name: "confirmed-complaints", Counter: CounterComplaints, Window: 240 * time.Hour, Warning: 3, Suspension: 5},
			{Name: "optout-mention-missing", Counter: Counter(bawwab.ReasonOptOutMentionMissing), Window: 24 * time.Hour,
				SuspensionShare: 0.05, MinVolume: 200},
		},
		ThrottleRate:    10,
		RefreshInterval: 30 * time.Second,
	}
}

func (c Config) withDefaults() Config {
	if c.ThrottleRate == 0 {
		c.ThrottleRate = 10
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = 30 * time.Second
	}
	return c
}

// maxRuleWindow caps a window: 90 days of hourly counts.
const maxRuleWindow = 90 * 24 * time.Hour

// Validate checks the configuration and names the bad key.
func (c Config) Validate() error {
	bad := func(i int, key, format string, args ...any) error {
		return bawwab.InvalidField(fmt.Sprintf("sanctions.rule[%d].%s", i, key), format, args...)
	}
	if len(c.Rules) > 64 {
		return bawwab.InvalidField("sanctions.rule", "at most 64 rules")
	}
	names := map[string]bool{}
	for i, r := range c.Rules {
		if r.Name == "" {
			return bad(i, "name", "missing")
		}
		if names[r.Name] {
			return bad(i, "name", "%q appears twice", r.Name)
		}
		names[r.Name] = true
		if counterIndex(r.Counter) == -1 {
			return bad(i, "counter", "unknown counter %q (want confirmed-complaints, violations, mislabelled-commercial or a reason code)", r.Counter)
		}
		if r.Window < time.Hour || r.Window > maxRuleWindow || (r.Counter != CounterComplaints && r.Window%time.Hour != 0) {
			return bad(i, "window", "%s: want whole hours between 1h and 2160h", r.Window)
		}
		counts := []int64{r.Warning, r.Throttle, r.Suspension}
		shares := []float64{r.WarningShare, r.ThrottleShare, r.SuspensionShare}
		some := false
		for _, n := range counts {
			if n < 0 {
				return bad(i, "warning", "a negative count")
			}
			some = some || n > 0
		}
		for _, s := range shares {
			if s < 0 || s >= 1 || math.IsNaN(s) {
				return bad(i, "suspension_share", "a share is between 0 and 1 (0.05 is 5 %%)")
			}
			if s > 0 && r.Counter == CounterComplaints {
				return bad(i, "suspension_share", "complaints are counted, not shared: use warning, throttle, suspension")
			}
			some = some || s > 0
		}
		if !some {
			return bad(i, "suspension", "the rule raises no measure: set a count or a share")
		}
		if !ascending(counts) || !ascendingF(shares) {
			return bad(i, "suspension", "the thresholds must grow from warning to throttle to suspension")
		}
		if r.MinVolume < 0 {
			return bad(i, "min_volume", "negative")
		}
	}
	if c.ThrottleRate < 0 || math.IsInf(c.ThrottleRate, 0) || math.IsNaN(c.ThrottleRate) {
		return bawwab.InvalidField("sanctions.throttle_rate", "must be a positive number of messages per second")
	}
	if c.RefreshInterval < 0 {
		return bawwab.InvalidField("sanctions.refresh_interval", "negative")
	}
	return nil
}

func ascending(v []int64) bool {
	var last int64
	for _, n := range v {
		if n == 0 {
			continue
		}
		if n <= last {
			return false
		}
		last = n
	}
	return true
}

func ascendingF(v []float64) bool {
	var last float64
	for _, n := range v {
		if n == 0 {
			continue
		}
		if n <= last {
			return false
		}
		last = n
	}
	return true
}

// The hourly counters kept per provider.
const (
	cSubmissions = iota // every decision
	cCommercial         // commercial decisions: the denominator of shares
	cViolations         // refusals for a rule's reason
	cMislabelled        // mislabelled commercial, flagged or rejected
	cReasons            // one per reason, in bawwab.Reasons order
)

var (
	reasonList  = bawwab.Reasons()
	numCounters = cReasons + len(reasonList)
	reasonIndex = func() map[bawwab.Reason]int {
		m := make(map[bawwab.Reason]int, len(reasonList))
		for i, r := range reasonList {
			m[r.Reason] = cReasons + i
		}
		return m
	}()
)

// counterIndex returns the hourly counter of a rule's Counter, -2 for
// complaints (kept apart), -1 for an unknown one.
func counterIndex(c Counter) int {
	switch c {
	case CounterComplaints:
		return -2
	case CounterViolations:
		return cViolations
	case CounterMislabelled:
		return cMislabelled
	}
	if i, ok := reasonIndex[bawwab.Reason(c)]; ok {
		return i
	}
	return -1
}
