package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// A node that cannot start says why, naming the key, and closes what it
// opened: the same data directory starts at once afterwards.
func TestNodeStartErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tc := range []struct {
		name, listen, data, want string
	}{
		{"busy http", fmt.Sprintf("smpp = \"127.0.0.1:0\"\nhttp = %q", busy.Addr()), "", "listen.http " + busy.Addr().String()},
		{"busy smpp", fmt.Sprintf("smpp = %q\nhttp = \"127.0.0.1:0\"", busy.Addr()), "", "listen.smpp " + busy.Addr().String()},
		{"bad data", "smpp = \"127.0.0.1:0\"\nhttp = \"127.0.0.1:0\"", "/proc/nonexistent/x", "/proc/nonexistent/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			data := tc.data
			if data == "" {
				data = filepath.Join(dir, "data")
			}
			path := filepath.Join(dir, "bawwab.toml")
			os.WriteFile(path, []byte(fmt.Sprintf("[listen]\n%s\n[store]\ndata = %q\n", tc.listen, data)), 0o600)
			code, stdout, stderr := runMain(t, "", "serve", "-config", path)
			if code != ExitFail || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d and %q in stderr:\n%s%s", code, ExitFail, tc.want, stdout, stderr)
			}
			if tc.data != "" {
				return
			}
			// Everything was closed: the ledger's lock is free.
			os.WriteFile(path, []byte(fmt.Sprintf("[listen]\nsmpp = \"127.0.0.1:0\"\nhttp = \"127.0.0.1:0\"\n[store]\ndata = %q\n", data)), 0o600)
			cfg, err := LoadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			n, err := StartNode(context.Background(), cfg, NodeOptions{})
			if err != nil {
				t.Fatalf("start again: %v", err)
			}
			if err := n.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The ledger is verified again once it has grown: the console's status
// does not stay at what start found.
func TestNodeVerifiesGrowingLedger(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte("[listen]\nsmpp = \"127.0.0.1:0\"\nhttp = \"127.0.0.1:0\"\n[store]\ndata = \"data\"\n"), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	n, err := StartNode(ctx, cfg, NodeOptions{VerifyEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(ctx)
	for range 5 {
		if _, err := n.Ledger.Append(ctx, &bawwab.LedgerEntry{Kind: bawwab.EntryRegistryChange, Action: "update", Subject: "test", Actor: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := n.ledgerStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s.Verified && s.VerifiedEntries >= 5 && !s.VerifiedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status %+v: the grown ledger was not verified again", s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
