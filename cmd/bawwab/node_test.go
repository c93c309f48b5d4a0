package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
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

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "bawwab test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// SMPP and HTTP over TLS, and /metrics on a listener of its own.
func TestNodeTLSAndMetricsListener(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir)
	if err := seedDemo(context.Background(), filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	metricsPort, _ := freePort()
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte(fmt.Sprintf(`
[listen]
smpp = "127.0.0.1:0"
http = "127.0.0.1:0"
metrics = "127.0.0.1:%d"
tls_cert_file = "cert.pem"
tls_key_file = "key.pem"
smpp_tls = true
http_tls = true
[store]
data = "data"
`, metricsPort)), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen.TLSCertFile != certFile || cfg.Listen.TLSKeyFile != keyFile {
		t.Fatalf("paths %q %q", cfg.Listen.TLSCertFile, cfg.Listen.TLSKeyFile)
	}
	ctx := context.Background()
	n, err := StartNode(ctx, cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(ctx)
	tlsCfg := &tls.Config{RootCAs: pool}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}}
	resp, err := client.Get("https://" + n.HTTPAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("https /healthz: %d", resp.StatusCode)
	}
	if resp, err := http.Get("http://" + n.HTTPAddr + "/healthz"); err == nil && resp.StatusCode == http.StatusOK {
		t.Error("plain HTTP answered on the TLS listener")
	}
	resp, err = client.Get("https://" + n.HTTPAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Error("/metrics served on the main listener while listen.metrics is set")
	}
	resp, err = http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "bawwab_ledger_entries") {
		t.Errorf("metrics listener:\n%.300s", body)
	}
	c, err := smpp.Dial(ctx, n.SMPPAddr, smpp.DialOptions{SystemID: "atlasvas", Password: "atlasvas", TLS: tlsCfg})
	if err != nil {
		t.Fatalf("SMPP over TLS: %v", err)
	}
	c.Unbind(ctx)
	c.Close()
}

// The texts' retention drops the texts of old entries and the ledger
// still verifies.
func TestNodeTextRetention(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.Listen = ListenConfig{HTTP: "127.0.0.1:0"}
	cfg.Store.Data = filepath.Join(dir, "data")
	cfg.Ledger.TextRetention = 0 // the test runs the purge itself
	ctx := context.Background()
	n, err := StartNode(ctx, &cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := &bawwab.LedgerEntry{ProviderID: "atlasvas", SenderID: "ATLASMKT", OperatorID: "iam", MSISDN: "+212661234567",
		Text: "Atlas Market : -30% ! STOP au 5050"}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Accept, RuleSet: "r1"})
	if _, err := n.Ledger.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { n.purgeEvery(pctx, time.Millisecond, time.Hour, time.Nanosecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for n.Ledger.Stats().Entries < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if err := n.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain(t, "", "ledger", "verify", "--data", cfg.Store.Data)
	if code != ExitOK || !strings.Contains(stdout, "1 dropped by retention") {
		t.Fatalf("ledger verify: exit %d\n%s%s", code, stdout, stderr)
	}
}

// An SMSC link that cannot connect makes /healthz say the gateway is
// degraded, so that monitoring sees it; nothing else of the node fails.
func TestNodeHealthDegraded(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there any more: every connect is refused
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte(`
[listen]
smpp = "127.0.0.1:0"
http = "127.0.0.1:0"
[store]
data = "data"
[[smsc]]
operator = "iam"
addr = "`+dead+`"
system_id = "bawwab"
password = "secret"
`), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := StartNode(context.Background(), cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(context.Background())
	var code int
	var body []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + n.HTTPAddr + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if code = resp.StatusCode; code == http.StatusServiceUnavailable {
			break
		}
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "iam") {
		t.Fatalf("/healthz with the IAM link down: %d %q, want 503 naming iam", code, body)
	}
}
