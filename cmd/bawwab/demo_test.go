package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The demo runs for its duration, exits 0 with a summary, and leaves a
// ledger that verifies; run again on the same directory, it starts from
// what is there.
func TestDemo(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	for round := range 2 {
		code, stdout, stderr := runMain(t, "", "demo", "--duration", "2s", "--rate", "40", "--data", data,
			"--smpp-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0")
		if code != ExitOK {
			t.Fatalf("round %d: exit %d\n%s\n%s", round, code, stdout, stderr)
		}
		for _, want := range []string{"atlasvas / atlasvas", "ATLASMKT", "ATLASINFO", "5050", "3030", "3300", "inspector", "Summary after", "/api/v1/sim/mo"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("round %d: the output lacks %q:\n%s", round, want, stdout)
			}
		}
		if strings.Contains(stdout, "+2126") && !strings.Contains(stdout, "+212661234567") {
			t.Errorf("a subscriber number in clear:\n%s", stdout)
		}
		code, stdout, stderr = runMain(t, "", "ledger", "verify", "--data", data)
		if code != ExitOK || !strings.Contains(stdout, "verified") {
			t.Fatalf("round %d: ledger verify: exit %d\n%s\n%s", round, code, stdout, stderr)
		}
	}
}
