package main

import (
	"context"
	"crypto/ed25519"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/internal/safehttp"
)

// TestNodeCallbacks: a node signs its dlr-url calls with its ledger's key,
// which a provider verifies with the published verifier key (public_key
// of /api/v1/ledger/status); callbacks.allow lets them reach 127.0.0.1,
// and a dlr-url to a private address it does not list is refused.
func TestNodeCallbacks(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := seedDemo(ctx, filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte(`
node = "cb-node"
[listen]
smpp = "127.0.0.1:0"
http = "127.0.0.1:0"
[store]
data = "data"
[callbacks]
allow = ["127.0.0.0/8"]
`), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := StartNode(ctx, cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(ctx)
	keyID, pub, err := safehttp.ParseVerifierKey(n.Ledger.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]ed25519.PublicKey{keyID: pub}

	type call struct {
		typ string
		err error
	}
	calls := make(chan call, 4)
	dlr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls <- call{r.URL.Query().Get("type"), safehttp.VerifyRequest(keys, r, "http", nil, time.Now(), 0)}
	}))
	defer dlr.Close()
	sendsms := func(dlrURL string) (int, string) {
		// No opt-out mention: refused, and reported at once (type 16).
		q := url.Values{"username": {"atlasvas"}, "password": {"atlasvas"}, "from": {"ATLASMKT"}, "to": {"212661234567"},
			"text": {"Atlas Market: -30% today"}, "dlr-mask": {"16"}, "dlr-url": {dlrURL}}
		resp, err := http.Get("http://" + n.HTTPAddr + "/cgi-bin/sendsms?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := sendsms(dlr.URL + "/dlr?type=%d"); code/100 != 4 || !strings.HasPrefix(body, "Error: ") {
		t.Fatalf("refused message: %d %q", code, body)
	}
	select {
	case c := <-calls:
		if c.typ != "16" || c.err != nil {
			t.Errorf("dlr-url call: type %s, signature: %v", c.typ, c.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no dlr-url call")
	}
	// A private address the allow-list does not hold: refused on
	// submission, in Kannel's plain text.
	code, body := sendsms("http://10.1.2.3/dlr?type=%d")
	if code != http.StatusBadRequest || !strings.Contains(body, `allow it with "10.1.2.3/32"`) || !strings.Contains(body, "[callbacks] allow") {
		t.Errorf("private dlr-url: %d %q", code, body)
	}
}

// TestCallbackSignerKeyID: the signer's key ID is the one in the ledger's
// published verifier key ("name+keyid+key").
func TestCallbackSignerKeyID(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Store.Data = dir
	n := &Node{cfg: &cfg, now: time.Now}
	if err := n.openLedger(); err != nil {
		t.Fatal(err)
	}
	defer n.Ledger.Close()
	f := strings.SplitN(n.Ledger.PublicKey(), "+", 3)
	if n.signer == nil || n.signer.KeyID != f[1] {
		t.Fatalf("signer %+v, want key ID %s", n.signer, f[1])
	}
	if _, err := callbackSigner(filepath.Join(dir, "missing.key")); err == nil {
		t.Error("a missing key file gave a signer")
	}
}
