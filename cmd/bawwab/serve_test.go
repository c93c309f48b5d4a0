package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
)

// serve runs on a real configuration file, with a simulated SMSC as the
// operator: a provider binds, a compliant message reaches the operator, a
// non-compliant one is refused with its reason's status, the subscriber's
// STOP is in force for the next message, /metrics answers, and SIGTERM
// (the context) stops it with a ledger that verifies.
func TestServeEndToEnd(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := seedDemo(ctx, data); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var reached []string
	smsc, err := sim.NewSMSC(sim.SMSCConfig{Name: "IAM", Accounts: map[string]string{"bawwab": "s3cret"},
		OnSubmit: func(_ string, p *smpp.PDU) {
			text, _ := p.Text()
			mu.Lock()
			reached = append(reached, text)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := smsc.Start(); err != nil {
		t.Fatal(err)
	}
	defer smsc.Shutdown(ctx)
	os.WriteFile(filepath.Join(dir, "iam.pw"), []byte("s3cret\n"), 0o600)
	smppPort, _ := freePort()
	httpPort, _ := freePort()
	t.Setenv("BAWWAB_TEST_HTTP", fmt.Sprintf("127.0.0.1:%d", httpPort))
	config := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(config, []byte(fmt.Sprintf(`
node = "e2e"
[listen]
smpp = "127.0.0.1:%d"
http = "${BAWWAB_TEST_HTTP}"
[store]
data = "data"
[[smsc]]
operator = "iam"
addr = "%s"
system_id = "bawwab"
password_file = "iam.pw"
binds = 1
window = 10
[compliance.hours]
from = "00:00"
until = "24:00"
[log]
format = "text"
`, smppPort, smsc.Addr())), 0o600)

	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Main(sctx, []string{"serve", "-config", config}, &IO{In: strings.NewReader(""), Out: io.Discard, Err: &stderr})
	}()
	smppAddr := fmt.Sprintf("127.0.0.1:%d", smppPort)
	deadline := time.Now().Add(20 * time.Second)
	var esme *smpp.Conn
	for esme == nil {
		c, err := smpp.Dial(ctx, smppAddr, smpp.DialOptions{SystemID: "atlasvas", Password: "atlasvas",
			Conn: smpp.ConnOptions{Handler: smpp.InlineFunc(func(r *smpp.Request) { r.Accept("") })}})
		if err == nil {
			esme = c
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no bind: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer esme.Close()

	submit := func(text string) error {
		sp, err := (&smpp.Splitter{}).Split(text)
		if err != nil {
			t.Fatal(err)
		}
		b := sp.Bodies(smpp.Body{Source: smpp.Address{TON: 5, Addr: "ATLASMKT"},
			Dest: smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212661234567"}})[0]
		_, err = esme.Send(ctx, smpp.SubmitSM, b)
		return err
	}
	compliant := "Atlas Market : -30% sur toute la boutique ce week-end ! STOP au 5050"
	if err := submit(compliant); err != nil {
		t.Fatalf("compliant message refused: %v\n%s", err, stderr.String())
	}
	var st smpp.Status
	err = submit("Atlas Market : -30% sur toute la boutique ce week-end !")
	if !errors.As(err, &st) || uint32(st) != bawwab.ReasonOptOutMentionMissing.SMPPStatus() {
		t.Errorf("message without an opt-out instruction: %v, want the status of optout-mention-missing", err)
	}
	if err := smsc.DeliverMO(ctx, "+212661234567", "5050", "STOP"); err != nil {
		t.Fatalf("STOP: %v", err)
	}
	err = submit(compliant)
	if !errors.As(err, &st) || uint32(st) != bawwab.ReasonRecipientOptedOut.SMPPStatus() {
		t.Errorf("message after the STOP: %v, want the status of recipient-opted-out", err)
	}
	// The operator got the compliant message once, and the STOP's free
	// confirmation (sent in the background); nothing refused.
	for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(reached)
		mu.Unlock()
		if n > 1 {
			break
		}
	}
	mu.Lock()
	var got, confirmations int
	for _, text := range reached {
		switch {
		case text == compliant:
			got++
		case strings.Contains(text, "START au 5050"):
			confirmations++
		case strings.HasPrefix(text, "Atlas Market"):
			t.Errorf("a refused message reached the operator: %q", text)
		}
	}
	if got != 1 || confirmations != 1 {
		t.Errorf("the operator got %q, want the compliant message and the STOP's confirmation", reached)
	}
	mu.Unlock()

	resp, err := http.Get("http://" + os.Getenv("BAWWAB_TEST_HTTP") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"bawwab_ledger_entries", "bawwab_optout_seq"} {
		if !bytes.Contains(body, []byte(m)) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
	if strings.Contains(stderr.String(), "212661234567") {
		t.Errorf("a subscriber number in clear in the logs:\n%s", stderr.String())
	}
	esme.Unbind(ctx)
	stop()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Fatalf("serve exited %d:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	code, stdout, errOut := runMain(t, "", "ledger", "verify", "--data", data)
	if code != ExitOK {
		t.Fatalf("ledger verify: exit %d\n%s%s", code, stdout, errOut)
	}
	// decision, decision, opposition, decision at least.
	if !strings.Contains(stdout, "verified") {
		t.Errorf("ledger verify:\n%s", stdout)
	}
}

// A node on PostgreSQL follows the changes other nodes make: a STOP
// recorded elsewhere refuses this node's next message within a second.
func TestServePostgresFollowsOtherNodes(t *testing.T) {
	dsn := pgSchemaDSN(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := postgres.NewDB(dsn)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := seedStore(ctx, db.Store(), dir); err != nil {
		t.Fatal(err)
	}
	smsc, err := sim.NewSMSC(sim.SMSCConfig{Name: "IAM"})
	if err != nil {
		t.Fatal(err)
	}
	if err := smsc.Start(); err != nil {
		t.Fatal(err)
	}
	defer smsc.Shutdown(ctx)
	cfg := DefaultConfig()
	cfg.Node = "pg1"
	cfg.Listen = ListenConfig{SMPP: "127.0.0.1:0", HTTP: "127.0.0.1:0"}
	cfg.Store = StoreConfig{Data: filepath.Join(dir, "node"), Postgres: dsn}
	cfg.SMSC = []SMSCConfig{{Operator: "iam", Addr: smsc.Addr().String(), SystemID: "bawwab", Binds: 1, Window: 10}}
	cfg.Rules.Hours = compliance.Hours{From: 0, Until: 24 * 60}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n, err := StartNode(ctx, &cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(ctx)
	if err := n.waitLinks(ctx); err != nil {
		t.Fatal(err)
	}
	esme, err := smpp.Dial(ctx, n.SMPPAddr, smpp.DialOptions{SystemID: "atlasvas", Password: "atlasvas",
		Conn: smpp.ConnOptions{Handler: smpp.InlineFunc(func(r *smpp.Request) { r.Accept("") })}})
	if err != nil {
		t.Fatal(err)
	}
	defer esme.Close()
	submit := func() error {
		sp, _ := (&smpp.Splitter{}).Split("Atlas Market : -30% ce week-end ! STOP au 5050")
		b := sp.Bodies(smpp.Body{Source: smpp.Address{TON: 5, Addr: "ATLASMKT"},
			Dest: smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212661234500"}})[0]
		_, err := esme.Send(ctx, smpp.SubmitSM, b)
		return err
	}
	if err := submit(); err != nil {
		t.Fatalf("before the STOP: %v", err)
	}
	// Another node records a STOP.
	if err := db.Store().Oppositions.RecordOpposition(ctx, &bawwab.Opposition{MSISDN: "+212661234500",
		Scope: bawwab.NationalScope, Action: bawwab.ActionStop, Channel: "3030"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	var st smpp.Status
	if err := submit(); !errors.As(err, &st) || uint32(st) != bawwab.ReasonRecipientOptedOut.SMPPStatus() {
		t.Fatalf("a second after another node's STOP: %v, want recipient-opted-out", err)
	}
	// A registry change made elsewhere reaches the rules too.
	if _, err := db.Store().Registry.UpdateProvider(ctx, "atlasvas", bawwab.ProviderUpdate{Status: ptrTo(bawwab.ProviderSuspended)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := submit(); !errors.As(err, &st) || st == smpp.StatusOK {
		t.Fatalf("a second after the provider's suspension: %v, want a refusal", err)
	}
}

func ptrTo[T any](v T) *T { return &v }

// A shutdown under load answers what is in flight: every message a
// provider got an OK for reached the operator and is in the ledger, which
// verifies.
func TestShutdownDrains(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := seedDemo(ctx, data); err != nil {
		t.Fatal(err)
	}
	smsc, err := sim.NewSMSC(sim.SMSCConfig{Name: "IAM"})
	if err != nil {
		t.Fatal(err)
	}
	if err := smsc.Start(); err != nil {
		t.Fatal(err)
	}
	defer smsc.Shutdown(ctx)
	cfg := DefaultConfig()
	cfg.Listen = ListenConfig{SMPP: "127.0.0.1:0", HTTP: "127.0.0.1:0"}
	cfg.Store.Data = data
	cfg.SMSC = []SMSCConfig{{Operator: "iam", Addr: smsc.Addr().String(), SystemID: "bawwab", Binds: 1, Window: 100}}
	cfg.Rules.Hours = compliance.Hours{From: 0, Until: 24 * 60}
	cfg.Rules.CapPerAdvertiser, cfg.Rules.CapTotal = 0, 0
	n, err := StartNode(ctx, &cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.waitLinks(ctx); err != nil {
		t.Fatal(err)
	}
	loaded := make(chan *sim.LoadResult, 1)
	go func() {
		res, err := sim.RunLoad(ctx, sim.LoadConfig{Addr: n.SMPPAddr, SystemID: "atlasvas", Password: "atlasvas",
			Duration: 5 * time.Second, Window: 50, Source: "ATLASMKT", DestBase: 212661000000,
			Texts: []string{"Atlas Market : -30% ce week-end ! STOP au 5050"}})
		if err != nil {
			t.Error(err)
		}
		loaded <- res
	}()
	time.Sleep(700 * time.Millisecond)
	if err := n.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	res := <-loaded
	if res == nil {
		return
	}
	if res.Acked == 0 {
		t.Fatalf("nothing answered before the shutdown: %v", res)
	}
	if got := smsc.Stats().Submits; got < res.Acked {
		t.Errorf("%d answered OK, the operator got %d", res.Acked, got)
	}
	r, err := ledger.OpenReader(filepath.Join(data, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	entries := r.Len()
	r.Close()
	if entries < res.Acked {
		t.Errorf("%d answered OK, %d entries in the ledger", res.Acked, entries)
	}
	code, stdout, errOut := runMain(t, "", "ledger", "verify", "--data", data)
	if code != ExitOK {
		t.Fatalf("ledger verify: exit %d\n%s%s", code, stdout, errOut)
	}
	t.Logf("%d answered OK before the shutdown, %d refused, %d unanswered; %d ledger entries", res.Acked, res.Refused, res.Failed, entries)
}
