package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runMain runs bawwab in process with the given stdin and arguments and
// returns its exit code and what it wrote.
func runMain(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &IO{In: strings.NewReader(stdin), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestUsage(t *testing.T) {
	code, _, stderr := runMain(t, "")
	if code != ExitUsage || !strings.Contains(stderr, "Commands:") {
		t.Fatalf("no arguments: exit %d, stderr %q", code, stderr)
	}
	code, stdout, _ := runMain(t, "", "help")
	if code != ExitOK || !strings.Contains(stdout, "lint") || !strings.Contains(stdout, "ledger") {
		t.Fatalf("help: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr = runMain(t, "", "no-such-command")
	if code != ExitUsage || !strings.Contains(stderr, "unknown command") {
		t.Fatalf("unknown command: exit %d, stderr %q", code, stderr)
	}
	for name := range commands {
		code, stdout, _ := runMain(t, "", name, "-help")
		if code != ExitOK || !strings.Contains(stdout, "Usage: bawwab "+name) {
			t.Errorf("%s -help: exit %d, stdout %q", name, code, stdout)
		}
	}
}
