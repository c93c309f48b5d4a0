package sim

import (
	"bytes"
	"context"
	"github.com/bawwab/bawwab/internal/peer"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// TestKannel has Kannel 1.4.5, a real provider-side ESME, bind to our
// simulated SMSC as a transceiver: what goes in through its HTTP sendsms
// (GSM text, a long text it concatenates, Arabic as UCS-2) arrives intact,
// and our delivery receipts, delivered and failed, reach its DLR handling
// and come back on the dlr-url.
func TestKannel(t *testing.T) {
	peer.NeedKannel(t)
	dir := t.TempDir()

	// What reaches the SMSC, put back together.
	reasm := smpp.NewReassembler(smpp.ReassemblerOptions{})
	var mu sync.Mutex
	var texts []string
	var parts []*smpp.PDU
	onSubmit := func(systemID string, p *smpp.PDU) {
		var own smpp.PDU
		if err := own.Decode(slices.Clone(p.Bytes())); err != nil {
			t.Errorf("decode: %v", err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		parts = append(parts, &own)
		m, done, err := reasm.Add(&own, nil)
		if err != nil {
			t.Errorf("reassemble: %v", err)
			return
		}
		if done {
			text, err := m.Text()
			if err != nil {
				t.Errorf("text: %v", err)
			}
			texts = append(texts, text)
		}
	}
	received := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(texts)
	}
	// Kannel asks for a receipt for the first part of a long message only:
	// the third receipt, the Arabic message's, fails.
	draws := []float64{0.9, 0.9, 0.3}
	var dmu sync.Mutex
	s := startSMSC(t, SMSCConfig{Name: "IAM", Accounts: map[string]string{"kannel1": "pw"}, DLRFail: 0.4,
		OnSubmit: onSubmit, Rand: func() float64 {
			dmu.Lock()
			defer dmu.Unlock()
			x := draws[0]
			if len(draws) > 1 {
				draws = draws[1:]
			}
			return x
		}})

	// Kannel's DLR callbacks.
	var dlrMu sync.Mutex
	dlrs := map[string][]int{}
	dlrSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		typ, _ := strconv.Atoi(r.URL.Query().Get("type"))
		dlrMu.Lock()
		dlrs[r.URL.Query().Get("msg")] = append(dlrs[r.URL.Query().Get("msg")], typ)
		dlrMu.Unlock()
	}))
	defer dlrSrv.Close()

	sendURL := peer.Kannel(t, dir, peer.KannelOptions{SMSCID: "iam", Addr: s.Addr().String(), Username: "kannel1", Password: "pw",
		Bound: func() bool { return s.Stats().Binds > 0 }})

	long := strings.Repeat("Promo exceptionnelle chez BRAND: -20% sur tout le magasin ce week-end. ", 5) + "STOP au 5050"
	arabic := "عرض خاص: تخفيض 20% هذا الأسبوع. أرسل STOP إلى 5050"
	for _, m := range []struct {
		name, text string
		extra      url.Values
		parts      int
	}{
		{"plain", "Hello from Kannel, votre code est 1234", nil, 1},
		{"long", long, nil, 3},
		{"arabic", arabic, url.Values{"coding": {"2"}, "charset": {"UTF-8"}}, 1},
	} {
		q := url.Values{"username": {"tester"}, "password": {"foobar"}, "from": {"BRAND"}, "to": {"212612345678"},
			"text": {m.text}, "dlr-mask": {"31"},
			"dlr-url": {dlrSrv.URL + "/dlr?msg=" + m.name + "&type=%d"}}
		for k, v := range m.extra {
			q[k] = v
		}
		before := len(received())
		resp, err := http.Get(sendURL + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("sendsms %s: %s %s", m.name, resp.Status, body.String())
		}
		if !peer.Eventually(20*time.Second, func() bool { return len(received()) > before }) {
			t.Fatalf("%s never reached the SMSC; bearerbox.log:\n%s", m.name, peer.Tail(filepath.Join(dir, "bearerbox.log")))
		}
		if got := received()[before]; got != m.text {
			t.Errorf("%s arrived as %q, not %q", m.name, got, m.text)
		}
	}

	// How Kannel coded them.
	mu.Lock()
	if len(parts) != 5 {
		t.Errorf("%d submit_sm, want 1 + 3 + 1", len(parts))
	}
	for i, p := range parts {
		want := smpp.CodingDefault
		if i == 4 {
			want = smpp.CodingUCS2
		}
		if p.DataCoding() != want || string(p.SourceAddr()) != "BRAND" || string(p.DestAddr()) != "212612345678" ||
			(p.RegisteredDelivery()&0x01 == 0) != (i == 2 || i == 3) {
			t.Errorf("part %d: data_coding %v, %q → %q, registered_delivery %d", i+1, p.DataCoding(),
				p.SourceAddr(), p.DestAddr(), p.RegisteredDelivery())
		}
		if c, ok, _ := p.Concat(); (i >= 1 && i <= 3) != ok || (ok && (c.Total != 3 || int(c.Seq) != i)) {
			t.Errorf("part %d: concatenation %+v %v", i+1, c, ok)
		}
	}
	mu.Unlock()

	// Receipts: 1 (delivered) for the plain and the long one, 2 (failed)
	// for the Arabic one; 8 (accepted by the SMSC) before them.
	want := map[string]int{"plain": 1, "long": 1, "arabic": 2}
	if !peer.Eventually(20*time.Second, func() bool {
		dlrMu.Lock()
		defer dlrMu.Unlock()
		for msg, typ := range want {
			if !slices.Contains(dlrs[msg], typ) {
				return false
			}
		}
		return true
	}) {
		dlrMu.Lock()
		t.Errorf("Kannel's DLR callbacks %v, want final types %v; smsbox.log:\n%s", dlrs, want, peer.Tail(filepath.Join(dir, "smsbox.log")))
		dlrMu.Unlock()
	}
	dlrMu.Lock()
	for msg := range want {
		if !slices.Contains(dlrs[msg], 8) {
			t.Errorf("%s: no SMSC acknowledgement (type 8) in %v", msg, dlrs[msg])
		}
	}
	dlrMu.Unlock()
	if !peer.Eventually(5*time.Second, func() bool {
		st := s.Stats()
		return st.ReceiptsAcked == 3 && st.Undelivered == 1 && st.ReceiptsFailed == 0
	}) {
		t.Errorf("SMSC stats %+v", s.Stats())
	}

	// An MO: Kannel takes it, and its sms-service answers "ok" to the
	// subscriber through us.
	before := len(received())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.DeliverMO(ctx, "212612345678", "5050", "STOP"); err != nil {
		t.Fatalf("MO to Kannel: %v", err)
	}
	if !peer.Eventually(20*time.Second, func() bool { return len(received()) > before }) {
		t.Fatalf("no reply to the MO; smsbox.log:\n%s", peer.Tail(filepath.Join(dir, "smsbox.log")))
	}
	mu.Lock()
	reply := parts[len(parts)-1]
	mu.Unlock()
	if got := received()[before]; got != "ok" || string(reply.DestAddr()) != "212612345678" {
		t.Errorf("reply to the MO: %q to %q", got, reply.DestAddr())
	}
}
