package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// syncBuffer is an output a running command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// run runs bawwab with args and returns the exit code and outputs.

// waitFor polls out until re matches, and returns the submatches.
func waitFor(t *testing.T, out *syncBuffer, re string) []string {
	t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := rx.FindStringSubmatch(out.String()); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output:\n%s", re, out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSimHelp(t *testing.T) {
	code, out, _ := runMain(t, "", "sim", "smsc", "-help")
	for _, want := range []string{"Usage: bawwab sim smsc", "curl -s -X POST http://127.0.0.1:8025/mo", "-dlr-fail", "-accounts-file"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("sim smsc -help: exit %d, no %q in\n%s", code, want, out)
		}
	}
	if code, out, _ := runMain(t, "", "sim", "load", "-help"); code != 0 || !strings.Contains(out, "{n}") {
		t.Errorf("sim load -help: exit %d\n%s", code, out)
	}
	if code, out, _ := runMain(t, "", "help", "sim"); code != 0 || !strings.Contains(out, "bawwab sim smsc") {
		t.Errorf("help sim: exit %d\n%s", code, out)
	}
}

func TestSimUsageErrors(t *testing.T) {
	dir := t.TempDir()
	badMO := filepath.Join(dir, "mo.txt")
	os.WriteFile(badMO, []byte("212612345678,5050,STOP\nbroken line\n"), 0o600)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"sim"}, 2, "say which simulator"},
		{[]string{"sim", "msc"}, 2, `unknown simulator "msc"`},
		{[]string{"sim", "smsc", "-accounts", "nopassword"}, 2, `"nopassword" is not id:password`},
		{[]string{"sim", "smsc", "-accounts", "a:b", "-accounts-file", "f"}, 2, "not both"},
		{[]string{"sim", "smsc", "-dlr-fail", "1.5"}, 2, "not between 0 and 1"},
		{[]string{"sim", "smsc", "-mo-http", "0.0.0.0:8025"}, 2, "not a loopback address"},
		{[]string{"sim", "smsc", "-mo-file", badMO, "-listen", "127.0.0.1:0"}, 1, "line 2: want from,to,text"},
		{[]string{"sim", "smsc", "-accounts-file", filepath.Join(dir, "none")}, 1, "no such file"},
		{[]string{"sim", "smsc", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"sim", "load"}, 2, "give -n or -duration"},
		{[]string{"sim", "load", "-addr", "127.0.0.1:1", "-n", "1"}, 1, "connection refused"},
	} {
		code, _, errOut := runMain(t, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d, %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

// TestSimSMSC runs "bawwab sim smsc" as a user would: MO from a file once
// the gateway binds, a load with receipts from "bawwab sim load", an MO by
// HTTP, then SIGINT (the context) and the totals.
func TestSimSMSC(t *testing.T) {
	dir := t.TempDir()
	moFile := filepath.Join(dir, "mo.txt")
	if err := os.WriteFile(moFile, []byte("# answers\n212612345678,5050,STOP\n212661234567,5050,توقف\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, []string{"sim", "smsc", "-name", "Orange", "-listen", "127.0.0.1:0", "-accounts", "gw:secret,load:pw",
			"-dlr-delay", "10ms", "-mo-file", moFile, "-mo-http", "127.0.0.1:0"}, &IO{Out: &out, Err: &errOut})
	}()
	addr := waitFor(t, &out, `listening on (127\.0\.0\.1:\d+)`)[1]
	moURL := waitFor(t, &out, `POST (http://\S+/mo)`)[1]

	// The gateway binds and gets the file's MO messages.
	mo := make(chan string, 10)
	gw, err := smpp.Dial(ctx, addr, smpp.DialOptions{SystemID: "gw", Password: "secret",
		Conn: smpp.ConnOptions{Handler: smpp.InlineFunc(func(r *smpp.Request) {
			text, _ := r.Text()
			mo <- text
			r.Accept("")
		})}})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	for _, want := range []string{"STOP", "توقف"} {
		select {
		case got := <-mo:
			if got != want {
				t.Errorf("MO %q, want %q", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("MO from the file never came")
		}
	}
	waitFor(t, &out, `2 MO message\(s\) from .*mo.txt delivered`)

	// A provider's load with receipts.
	code, loadOut, loadErr := runMain(t, "", "sim", "load", "-addr", addr, "-system-id", "load", "-password", "pw", "-n", "50",
		"-window", "5", "-receipts", "-text", "Promo {n} STOP au 5050")
	if code != 0 || !strings.Contains(loadOut, "RESULT sent=50 parts=50 acked=50 errors=0 failed=0") ||
		!strings.Contains(loadOut, "receipts: DELIVRD=50") {
		t.Errorf("sim load: exit %d\n%s%s", code, loadOut, loadErr)
	}

	// An MO by HTTP.
	resp, err := http.Post(moURL, "application/json", strings.NewReader(`{"from":"212700123456","to":"5050","text":"STOP"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || <-mo != "STOP" {
		t.Errorf("POST /mo: %s", resp.Status)
	}

	waitFor(t, &out, `Orange binds=1 submits=\d+/s receipts=\d+/s mo=\d+/s`) // the per-second line
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d\n%s", code, errOut.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("sim smsc did not stop")
	}
	if !regexp.MustCompile(`TOTAL Orange after \S+: binds=2 \(refused 0\) submits=50 \(refused 0\) receipts=50 \(DELIVRD 50, UNDELIV 0, REJECTD 0; failed 0, pending 0\) mo=3 \(failed 0\)`).MatchString(out.String()) {
		t.Errorf("totals:\n%s", out.String())
	}
	if gw.Err() == nil {
		t.Error("the gateway's session outlived the SMSC")
	}
}
