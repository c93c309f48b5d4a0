package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
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
		for _, want := range []string{"atlasvas / atlasvas", "ATLASMKT", "ATLASINFO", "5050", "3030", "3300", "inspector", "Summary after", "/api/v1/sim/mo", "Bearer bwk_", "/api/v1/messages"} {
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

// With --no-traffic, an outside client binds with the printed account
// and sees the real decisions; POST /api/v1/sim/mo plays a subscriber's
// STOP, in force for the next message.
func TestDemoNoTraffic(t *testing.T) {
	data := filepath.Join(t.TempDir(), "demo")
	smppPort, _ := freePort()
	httpPort, _ := freePort()
	smppAddr, httpAddr := fmt.Sprintf("127.0.0.1:%d", smppPort), fmt.Sprintf("127.0.0.1:%d", httpPort)
	var out syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(context.Background(), []string{"demo", "--duration", "6s", "--no-traffic", "--data", data,
			"--smpp-addr", smppAddr, "--http-addr", httpAddr}, &IO{In: strings.NewReader(""), Out: &out, Err: &out})
	}()
	ctx := context.Background()
	var esme *smpp.Conn
	for deadline := time.Now().Add(10 * time.Second); esme == nil; time.Sleep(20 * time.Millisecond) {
		c, err := smpp.Dial(ctx, smppAddr, smpp.DialOptions{SystemID: "atlasvas", Password: "atlasvas",
			Conn: smpp.ConnOptions{Handler: smpp.InlineFunc(func(r *smpp.Request) { r.Accept("") })}})
		if err == nil {
			esme = c
		} else if time.Now().After(deadline) {
			t.Fatalf("no bind: %v\n%s", err, out.String())
		}
	}
	defer esme.Close()
	submit := func() error {
		sp, _ := (&smpp.Splitter{}).Split("Atlas Market : -30% ce week-end ! STOP au 5050")
		b := sp.Bodies(smpp.Body{Source: smpp.Address{TON: 5, Addr: "ATLASMKT"},
			Dest: smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212661234567"}})[0]
		_, err := esme.Send(ctx, smpp.SubmitSM, b)
		return err
	}
	var st smpp.Status
	// Outside the sending hours the message is deferred, which is an
	// acceptance too.
	if err := submit(); err != nil {
		t.Fatalf("compliant message: %v", err)
	}
	resp, err := http.Post("http://"+httpAddr+"/api/v1/sim/mo", "application/json",
		strings.NewReader(`{"from": "+212661234567", "to": "3030", "text": "STOP ATLASMKT"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "delivered") {
		t.Fatalf("sim/mo: %d %s", resp.StatusCode, body)
	}
	if err := submit(); !errors.As(err, &st) || uint32(st) != bawwab.ReasonRecipientOptedOut.SMPPStatus() {
		t.Errorf("after the STOP: %v, want recipient-opted-out", err)
	}
	for _, bad := range []string{`{"from": "+212661234567"}`, `{"from": "12", "to": "3030", "text": "STOP"}`, `not json`} {
		resp, err := http.Post("http://"+httpAddr+"/api/v1/sim/mo", "application/json", strings.NewReader(bad))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("sim/mo %s: status %d, want 400", bad, resp.StatusCode)
		}
	}
	esme.Unbind(ctx)
	if code := <-done; code != ExitOK {
		t.Fatalf("demo exit %d\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "STOP 1") {
		t.Errorf("the summary does not count the STOP:\n%s", out.String())
	}
}
