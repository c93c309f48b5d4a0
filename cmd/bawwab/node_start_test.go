package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
