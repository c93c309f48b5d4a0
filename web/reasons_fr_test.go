package web

import (
	"testing"

	"github.com/bawwab/bawwab"
)

// TestFrenchReasons: every reason has a French summary and fix, shown on
// the French pages.
func TestFrenchReasons(t *testing.T) {
	for _, info := range bawwab.Reasons() {
		fr, ok := frenchReasons[info.Reason]
		if !ok || fr.summary == "" || fr.fix == "" {
			t.Errorf("%s has no French summary or fix", info.Reason)
			continue
		}
		if reasonSummary("fr", info.Reason) != fr.summary || reasonFix("fr", info.Reason) != fr.fix {
			t.Errorf("%s: the French pages do not show the French texts", info.Reason)
		}
		if reasonSummary("en", info.Reason) != info.Summary || reasonFix("en", info.Reason) != info.Fix {
			t.Errorf("%s: the English pages do not show the English texts", info.Reason)
		}
	}
	for r := range frenchReasons {
		if !r.Valid() {
			t.Errorf("%s: French for an unknown reason", r)
		}
	}
}
