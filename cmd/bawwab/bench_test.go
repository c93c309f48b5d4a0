package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestBenchUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"bench"}, 2, "say which mode: gateway, smpp"},
		{[]string{"bench", "kannel"}, 2, `unknown mode "kannel"`},
		{[]string{"bench", "gateway", "-windows", "0"}, 2, `"0" is not a positive number`},
		{[]string{"bench", "gateway", "-n", "0"}, 2, "must be positive"},
		{[]string{"bench", "gateway", "-bench-dir", t.TempDir()}, 1, "lacks the reference tools"},
		{[]string{"bench", "smpp", "-windows", "1,0"}, 2, `"0" is not a positive number`},
		{[]string{"bench", "smpp", "-windows", "1,10,100", "-n", "1,2"}, 2, "2 counts for 3 windows"},
		{[]string{"bench", "smpp", "-repeats", "0"}, 2, "must be positive"},
		{[]string{"bench", "smpp", "-bench-dir", t.TempDir()}, 1, "lacks the reference tools (no smppload/go.mod, smppload/main.go"},
	} {
		code, _, errOut := runMain(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, errOut, c.code, c.msg)
		}
	}
	if code, out, _ := runMain(t, "", "bench", "smpp", "-help"); code != 0 || !strings.Contains(out, "smppload → sim smsc") {
		t.Errorf("bench smpp -help: exit %d\n%s", code, out)
	}
}

// TestBenchSMPP runs the whole bench, small, with the reference tools'
// copies in testdata: it builds them, runs the three scenarios at two
// windows, checks the sinks' counts, and prints the table.
func TestBenchSMPP(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the reference tools")
	}
	if testing.Short() {
		t.Skip("builds and runs the reference tools")
	}
	code, out, errOut := runMain(t, "", "bench", "smpp", "-bench-dir", "testdata/bench", "-windows", "1,10", "-n", "300,3000",
		"-repeats", "1", "-timeout", "30s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	row := regexp.MustCompile(`(?m)^\s+(\d+)  (smppload → smppsink \(reference\)|smppload → sim smsc \(our server\)|sim load → smppsink \(our client\))\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s+([0-9.]+)`)
	rows := row.FindAllStringSubmatch(out, -1)
	if len(rows) != 6 {
		t.Fatalf("%d rows in\n%s", len(rows), out)
	}
	for i, r := range rows {
		rate, _ := strconv.ParseFloat(r[4], 64)
		ratio, _ := strconv.ParseFloat(r[5], 64)
		if r[1] != []string{"1", "1", "1", "10", "10", "10"}[i] || r[3] != []string{"300", "300", "300", "3000", "3000", "3000"}[i] ||
			rate <= 0 || ratio <= 0 || (i%3 == 0 && r[5] != "1.00") {
			t.Errorf("row %d: %q", i, r[0])
		}
	}
	if !strings.Contains(out, "load average") || !strings.Contains(errOut, "building smppload and smppsink") {
		t.Errorf("output:\n%s\n%s", out, errOut)
	}
}

// TestBenchGateway runs the gateway bench, small, without Kannel, with the
// reference tools' copies in testdata: every message reaches the sink
// through the gateway, and the table has its rows.
func TestBenchGateway(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the reference tools")
	}
	if testing.Short() {
		t.Skip("builds and runs the reference tools")
	}
	code, out, errOut := runMain(t, "", "bench", "gateway", "-bench-dir", "testdata/bench", "-windows", "10", "-n", "2000",
		"-repeats", "1", "-no-kannel", "-timeout", "60s")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"SMPP window 10: smppload → smppsink (raw)", "SMPP window 10: smppload → bawwab → smppsink",
		"added latency at half the window-10 peak", "load average"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	row := regexp.MustCompile(`(?m)^SMPP window 10: smppload → bawwab → smppsink\s+(\d+)\s+([0-9.]+)`)
	if m := row.FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("no gateway rate in\n%s", out)
	}
}
