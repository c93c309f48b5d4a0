package proxy_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bawwab/bawwab/proxy"
)

// logBuffer collects a logger's JSON lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines(substr string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// TestUnreachableSMSC: a link whose SMSC does not answer is told at once
// (WARN, with the error and the next delay), then not at every retry; its
// state is in Stats and in the metrics.
func TestUnreachableSMSC(t *testing.T) {
	e := newEnv(t, envOptions{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now

	var logs logBuffer
	opts := e.opts
	opts.SMSCs = append(opts.SMSCs[:len(opts.SMSCs):len(opts.SMSCs)], proxy.SMSCConfig{Operator: "inwi", Addr: dead, SystemID: "bawwab", Password: "x"})
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	reg := prometheus.NewRegistry()
	opts.Registerer = reg
	gw, err := proxy.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		gw.Shutdown(ctx)
	}()
	waitUntil(t, "five failed attempts", func() bool { return gw.Stats().SMSCs["inwi"].Failures >= 5 })
	warns := logs.lines("SMSC connect failed")
	if len(warns) != 1 || !strings.Contains(warns[0], `"level":"WARN"`) || !strings.Contains(warns[0], `"retry_in":"`) ||
		!strings.Contains(warns[0], "refused") || !strings.Contains(warns[0], `"operator":"inwi"`) {
		t.Errorf("warnings of the first failure: %q", warns)
	}
	if n := len(logs.lines("still down")); n != 0 {
		t.Errorf("%d warnings after the first, within the minute", n)
	}
	st := gw.Stats()
	in := st.SMSCs["inwi"]
	if in.Up != 0 || in.Binds != 1 || !in.Degraded() || in.LastErr == "" || in.DownSince.IsZero() {
		t.Errorf("inwi link state %+v", in)
	}
	waitUntil(t, "the good links up", func() bool { return len(gw.Stats().Degraded()) == 1 })
	if d := gw.Stats().Degraded(); d[0] != "inwi" {
		t.Errorf("degraded: %q", d)
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			if m.Gauge != nil {
				got[key] = m.Gauge.GetValue()
			}
			if m.Counter != nil {
				got[key] = m.Counter.GetValue()
			}
		}
	}
	for key, want := range map[string]float64{
		"bawwab_smsc_link_up,bind=0,operator=inwi": 0,
		"bawwab_smsc_link_up,bind=0,operator=iam":  1,
		"bawwab_smsc_link_up,bind=1,operator=iam":  1,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
	if v := got["bawwab_smsc_connect_failures_total,operator=inwi"]; v < 5 {
		t.Errorf("connect failures %v, want at least 5", v)
	}
}
