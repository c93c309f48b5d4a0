package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkDemoStartup measures the demo's start, from nothing to the
// console answering (DESIGN.md: < 3 s): three simulated SMSCs, the
// registry loaded into a new store, the gateway, the console accounts.
//
//	go test ./cmd/bawwab -run - -bench DemoStartup -benchtime 5x
func BenchmarkDemoStartup(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		f := demoFlags{rate: 1, smppAddr: "127.0.0.1:0", httpAddr: "127.0.0.1:0", data: b.TempDir(), noTraffic: true}
		d, err := startDemo(ctx, f, &IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		resp, err := http.Get("http://" + d.node.HTTPAddr + "/login")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("console: %d", resp.StatusCode)
		}
		b.StopTimer()
		d.stop()
		b.StartTimer()
	}
}
