package web

import (
	"strconv"
	"testing"
	"time"
)

// A flood of names past the table's size evicts the least recently
// touched counters, not all of them: an attacked pair stays locked.
func TestLimiterEvictsOldest(t *testing.T) {
	l := newLimiterSize(50)
	now := time.Date(2025, 6, 10, 9, 30, 0, 0, time.UTC)
	for range 5 {
		l.fail("inspector", "203.0.113.7", now)
	}
	for i := range 200 {
		// The attacker keeps trying the locked pair between other names.
		if l.blocked("inspector", "203.0.113.7", now) == 0 {
			t.Fatalf("the pair was unlocked after %d other names", i)
		}
		l.fail("name"+strconv.Itoa(i), "198.51.100."+strconv.Itoa(i%200), now)
	}
	for _, tb := range []*failTable{l.byPair, l.byName, l.byIP} {
		if tb.len() > 50 {
			t.Fatalf("table holds %d keys, more than 50", tb.len())
		}
	}
	// The most recent counters are kept, the oldest gone.
	if l.byName.get("name199", now, l.window) == nil || l.byName.get("name0", now, l.window) != nil {
		t.Fatal("eviction did not keep the newest names")
	}
}
