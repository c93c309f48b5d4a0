package web

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestFrench: every text the templates translate has its French.
func TestFrench(t *testing.T) {
	re := regexp.MustCompile(`\{\{t "([^"]+)"\}\}`)
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if _, ok := french[m[1]]; !ok {
				t.Errorf("%s: %q has no French", p, m[1])
			}
		}
	}
	for _, s := range []string{"active", "warned", "throttled", "suspended", "withdrawn", "open", "confirmed", "dismissed", "unmatched",
		"warning", "throttle", "suspension", "regulator", "operator", "provider", "opened"} {
		if _, ok := french[s]; !ok {
			t.Errorf("%q has no French", s)
		}
	}
}
