package smpp

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// needPeer skips a test whose independent peer is not installed, or fails
// it in CI, where every peer must be there.
func needPeer(t *testing.T, what string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", what, err)
	}
	t.Skipf("%s not installed (%v); CI runs this test", what, err)
}

// nodeModules is where testdata/node/package.json installs node-smpp
// (cd testdata/node && npm ci), relative to this package.
const nodeModules = "../testdata/node/node_modules"

// nodePeer is a node-smpp script running as a peer: what it reports, one
// JSON object a line, arrives on events.
type nodePeer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	events  chan map[string]any
	exited  chan struct{} // closed when its output ends
	backlog []map[string]any
	mu      sync.Mutex
	log     []string
}

func startNode(t *testing.T, script string, args ...string) *nodePeer {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		needPeer(t, "node", err)
	}
	mods, err := filepath.Abs(nodeModules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(mods, "smpp", "package.json")); err != nil {
		needPeer(t, "npm package smpp (cd testdata/node && npm ci)", err)
	}
	p := &nodePeer{events: make(chan map[string]any, 100)}
	p.cmd = exec.Command(node, append([]string{filepath.Join("testdata", "node", script)}, args...)...)
	p.cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	p.cmd.Stderr = &lineLog{p: p, prefix: "stderr: "}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	p.exited = done
	go func() {
		defer close(done)
		defer close(p.events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.record(sc.Text())
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				continue
			}
			p.events <- ev
		}
	}()
	t.Cleanup(func() {
		p.stdin.Close() // the scripts exit when stdin closes
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
		p.cmd.Wait()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("%s said:\n%s", script, strings.Join(p.log, "\n"))
			p.mu.Unlock()
		}
	})
	return p
}

func (p *nodePeer) record(line string) {
	p.mu.Lock()
	p.log = append(p.log, line)
	p.mu.Unlock()
}

type lineLog struct {
	p      *nodePeer
	prefix string
}

func (l *lineLog) Write(b []byte) (int, error) {
	l.p.record(l.prefix + strings.TrimSpace(string(b)))
	return len(b), nil
}

// next returns the first event named name not yet returned, or fails.
// Events of other names are kept for later calls.
func (p *nodePeer) next(t *testing.T, name string) map[string]any {
	t.Helper()
	for i, ev := range p.backlog {
		if ev["event"] == name {
			p.backlog = append(p.backlog[:i], p.backlog[i+1:]...)
			return ev
		}
	}
	timeout := time.After(15 * time.Second)
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				t.Fatalf("node exited before %q", name)
			}
			if ev["event"] == "error" {
				t.Fatalf("node: %v", ev["error"])
			}
			if ev["event"] == name {
				return ev
			}
			p.backlog = append(p.backlog, ev)
		case <-timeout:
			t.Fatalf("no %q from node in 15 s", name)
		}
	}
}

func num(ev map[string]any, key string) int {
	f, _ := ev[key].(float64)
	return int(f)
}

// TestNodeSMSC binds our client to node-smpp playing the SMSC: submits in
// GSM 03.38, UCS-2 and concatenated parts are read back as sent, a
// delivery receipt and two MO messages reach our handler.
func TestNodeSMSC(t *testing.T) {
	p := startNode(t, "smsc.js")
	port := num(p.next(t, "listening"), "port")
	type got struct {
		esm  byte
		from string
		text string
		rc   Receipt
		err  error
	}
	delivered := make(chan got, 10)
	ctx := context.Background()
	c, err := Dial(ctx, fmt.Sprintf("127.0.0.1:%d", port), DialOptions{SystemID: "bawwab", Password: "secret",
		Conn: ConnOptions{Handler: HandlerFunc(func(r *Request) {
			g := got{esm: r.ESMClass(), from: string(r.SourceAddr())}
			if r.ESMClass()&ESMClassReceipt != 0 {
				g.rc, g.err = ReceiptOf(&r.PDU)
			} else {
				g.text, g.err = r.Text()
			}
			delivered <- g
			r.Accept("")
		})}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ev := p.next(t, "bound"); ev["system_id"] != "bawwab" || num(ev, "interface_version") != 0x34 {
		t.Errorf("node saw the bind as %v", ev)
	}
	if c.SystemID() != "nodesmsc" {
		t.Errorf("SMSC system_id %q", c.SystemID())
	}
	if _, err := Dial(ctx, fmt.Sprintf("127.0.0.1:%d", port), DialOptions{SystemID: "bawwab", Password: "wrong"}); !errors.Is(err, StatusInvalidPassword) {
		t.Errorf("wrong password: %v", err)
	}

	long := strings.Repeat("Offre speciale: -20% sur tout le magasin ce week-end. ", 4) + "STOP au 5050"
	var splitter Splitter
	for i, text := range []string{"Bonjour, votre code est 1234", "مرحبا، أرسل STOP إلى 5050", long} {
		sp, err := splitter.Split(text)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := Body{Source: Address{TONAlphanumeric, 0, "BRAND"}, Dest: Address{TONInternational, NPIISDN, "212612345678"}}
		if i == 0 {
			tmpl.RegisteredDelivery = RegisteredDeliveryAll
		}
		var read []string
		for _, b := range sp.Bodies(tmpl) {
			resp, err := c.Send(ctx, SubmitSM, b)
			if err != nil {
				t.Fatal(err)
			}
			ev := p.next(t, "submit_sm")
			if string(resp.MessageID()) != ev["id"] {
				t.Errorf("message id %q, node sent %v", resp.MessageID(), ev["id"])
			}
			if num(ev, "data_coding") != int(sp.DataCoding) || num(ev, "esm_class") != int(b.ESMClass) ||
				ev["source"] != "BRAND" || num(ev, "source_ton") != 5 || ev["dest"] != "212612345678" {
				t.Errorf("node read part %d of %q as %v", len(read)+1, text, ev)
			}
			udh, _ := ev["udh"].([]any)
			if (len(sp.Parts) > 1) != (len(udh) == 1) {
				t.Errorf("node read UDH %v in a message of %d parts", udh, len(sp.Parts))
			}
			read = append(read, ev["text"].(string))
		}
		if got := strings.Join(read, ""); got != text {
			t.Errorf("node read %q, not %q", got, text)
		}
	}

	// The receipt, then the two MO messages.
	want := []func(g got) bool{
		func(g got) bool {
			return g.err == nil && g.esm&ESMClassReceipt != 0 && g.rc.ID == "node-1" && g.rc.Stat == "DELIVRD" && g.rc.State == StateDelivered
		},
		func(g got) bool { return g.err == nil && g.text == "STOP" && g.from == "212612345678" },
		func(g got) bool { return g.err == nil && g.text == "توقف" },
	}
	for i, ok := range want {
		select {
		case g := <-delivered:
			if !ok(g) {
				t.Errorf("deliver_sm %d: %+v", i+1, g)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("deliver_sm %d never came", i+1)
		}
	}
	if ev := p.next(t, "receipt_resp"); num(ev, "status") != 0 {
		t.Errorf("node got %v for its receipt", ev)
	}
	if err := c.Unbind(ctx); err != nil {
		t.Errorf("unbind: %v", err)
	}
	p.next(t, "unbind")
}

// TestNodeClient binds node-smpp as an ESME to our server; malformed PDUs
// written straight on its socket each get a generic_nack with their
// sequence number and the bind survives them.
func TestNodeClient(t *testing.T) {
	var mu sync.Mutex
	var texts []string
	bound := make(chan *Conn, 1)
	sess := &providerSession{conn: bound, Handler: HandlerFunc(func(r *Request) {
		text, err := r.Text()
		if err != nil {
			t.Errorf("text: %v", err)
		}
		mu.Lock()
		texts = append(texts, text)
		n := len(texts)
		mu.Unlock()
		r.Accept(fmt.Sprintf("gw-%d", n))
	})}
	s := startServer(t, ServerOptions{Authenticate: func(_ context.Context, b *BindRequest) (Handler, error) {
		if b.SystemID != "nodeesme" || b.Password != "pw" {
			return nil, StatusInvalidPassword
		}
		return sess, nil
	}})
	addr := s.Addr().(interface{ String() string }).String()
	host, port, _ := strings.Cut(addr, ":")
	p := startNode(t, "client.js", host, port)
	var conn *Conn
	select {
	case conn = <-bound:
	case <-p.exited:
		t.Fatal("node exited before binding")
	case <-time.After(15 * time.Second):
		t.Fatal("node did not bind in 15 s")
	}

	if ev := p.next(t, "bind_resp"); num(ev, "status") != 0 || ev["system_id"] != "bawwab" {
		t.Fatalf("bind: %v", ev)
	}
	if ev := p.next(t, "submit_sm_resp"); num(ev, "status") != 0 || ev["message_id"] != "gw-1" {
		t.Errorf("first submit: %v", ev)
	}
	for _, want := range []struct {
		seq    int
		status Status
	}{{1001, StatusInvalidCmdLen}, {1002, StatusInvalidOptParamStream}, {1003, StatusInvalidCmdID}} {
		if ev := p.next(t, "generic_nack"); num(ev, "seq") != want.seq || Status(num(ev, "status")) != want.status {
			t.Errorf("got %v, want generic_nack %v for seq %d", ev, want.status.Name(), want.seq)
		}
	}
	if ev := p.next(t, "submit_sm_resp"); num(ev, "status") != 0 || ev["message_id"] != "gw-2" {
		t.Errorf("submit after the malformed PDUs: %v", ev)
	}
	if conn.Err() != nil {
		t.Fatalf("the bind was lost: %v", conn.Err())
	}

	// A receipt the other way.
	rc := Receipt{ID: "gw-2", Sub: 1, Dlvrd: 1, Stat: "DELIVRD", Err: "000", Text: "After the bad ones"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Send(ctx, DeliverSM, rc.Body(Address{1, 1, "212612345678"}, Address{5, 0, "BRAND"})); err != nil {
		t.Fatalf("receipt to node: %v", err)
	}
	if ev := p.next(t, "deliver_sm"); num(ev, "esm_class") != int(ESMClassReceipt) || ev["receipted_message_id"] != "gw-2" ||
		!strings.HasPrefix(ev["text"].(string), "id:gw-2 sub:001 dlvrd:001 ") {
		t.Errorf("node read the receipt as %v", ev)
	}

	io.WriteString(p.stdin, "unbind\n")
	if ev := p.next(t, "unbind_resp"); num(ev, "status") != 0 {
		t.Errorf("unbind: %v", ev)
	}
	select {
	case <-conn.Done():
		if !errors.Is(conn.Err(), ErrUnbound) {
			t.Errorf("session ended with %v", conn.Err())
		}
	case <-time.After(5 * time.Second):
		t.Error("session still up after node's unbind")
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"Hello from node", "After the bad ones"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("the handler got %q", texts)
	}
}
