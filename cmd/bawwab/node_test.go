package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A node on the embedded store starts, serves its metrics, stops, and
// leaves a ledger that verifies; started again, it finds its state.
func TestNodeStartStop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte(`
[listen]
smpp = "127.0.0.1:0"
http = "127.0.0.1:0"
[store]
data = "data"
`), 0o600)
	for round := range 2 {
		cfg, err := LoadConfig(path)
		if err != nil {
			t.Fatal(err)
		}
		n, err := StartNode(context.Background(), cfg, NodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get("http://" + n.HTTPAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "bawwab_ledger_entries") {
			t.Errorf("round %d: /metrics lacks the ledger's gauge:\n%.500s", round, body)
		}
		if err := n.Shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"keys/signing.key", "keys/pseudonym.keys"} {
			fi, err := os.Stat(filepath.Join(dir, "data", f))
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v %v", f, fi.Mode(), err)
			}
		}
	}
	code, stdout, stderr := runMain(t, "", "ledger", "verify", "--data", filepath.Join(dir, "data"))
	if code != ExitOK {
		t.Fatalf("ledger verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
