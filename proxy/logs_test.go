package proxy_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/smpp"
)

// TestBindLogs: a bind refused is logged once, with the reason, the bind's
// kind by name and the remote address as host:port.
func TestBindLogs(t *testing.T) {
	e := newEnv(t, envOptions{})
	var logs logBuffer
	opts := e.opts
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	gw, err := proxy.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go gw.Serve(ln)
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.Shutdown(ctx)
	}()
	_, err = smpp.Dial(e.ctx, ln.Addr().String(), smpp.DialOptions{Kind: smpp.Transceiver, SystemID: "atlas", Password: "wrong"})
	if !errors.Is(err, smpp.StatusInvalidPassword) {
		t.Fatalf("bind with a wrong password: %v", err)
	}
	c, err := smpp.Dial(e.ctx, ln.Addr().String(), smpp.DialOptions{Kind: smpp.Receiver, SystemID: "atlas2", Password: password})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = smpp.Dial(e.ctx, ln.Addr().String(), smpp.DialOptions{Kind: smpp.Transmitter, SystemID: "atlas2", Password: password})
	if !errors.Is(err, smpp.StatusBindFailed) {
		t.Fatalf("bind past the limit: %v", err)
	}

	refused := logs.lines("refused")
	if len(refused) != 2 {
		t.Fatalf("%d lines about refused binds, want 2: %q", len(refused), refused)
	}
	for i, want := range []struct{ kind, reason, status string }{
		{"transceiver", "wrong password", "ESME_RINVPASWD"},
		{"transmitter", "bind limit 1 reached", "ESME_RBINDFAIL"},
	} {
		var rec map[string]any
		if err := json.Unmarshal([]byte(refused[i]), &rec); err != nil {
			t.Fatal(err)
		}
		remote, _ := rec["remote"].(string)
		if _, _, err := net.SplitHostPort(remote); err != nil || !strings.HasPrefix(remote, "127.0.0.1:") {
			t.Errorf("remote %v, want host:port", rec["remote"])
		}
		if rec["kind"] != want.kind || rec["reason"] != want.reason || rec["status"] != want.status {
			t.Errorf("refusal logged as %s, want kind %s, reason %q, status %s", refused[i], want.kind, want.reason, want.status)
		}
	}
	// The server logs a bind once its bind_resp is sent: the client may
	// have it first.
	waitUntil(t, "the bind logged", func() bool { return len(logs.lines("smpp: bound")) > 0 })
	bound := logs.lines("smpp: bound")
	if len(bound) != 1 || !strings.Contains(bound[0], `"kind":"receiver"`) {
		t.Errorf("bound: %q", bound)
	}
}
