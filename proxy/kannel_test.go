package proxy_test

import (
	"bytes"
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
)

// TestKannel: Kannel 1.4.5 (Debian's bearerbox and smsbox) is a provider
// bound to the gateway as a transceiver. What it takes through its HTTP
// sendsms — compliant, non-compliant, long and Arabic messages — gets the
// right answers: the compliant ones reach the operator and their receipts
// come back to Kannel's dlr-url as delivered (type 1); the refused ones
// never reach the operator and Kannel reports them failed (16, or 2 for
// the early parts of a long one). A STOP sent as an MO makes the next
// message to that subscriber fail.
func TestKannel(t *testing.T) {
	peer.NeedKannel(t)
	e := newEnv(t, envOptions{})
	dir := t.TempDir()

	var dlrMu sync.Mutex
	dlrs := map[string][]int{}
	dlrSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		typ, _ := strconv.Atoi(r.URL.Query().Get("type"))
		dlrMu.Lock()
		dlrs[r.URL.Query().Get("msg")] = append(dlrs[r.URL.Query().Get("msg")], typ)
		dlrMu.Unlock()
	}))
	defer dlrSrv.Close()

	sendURL := peer.Kannel(t, dir, peer.KannelOptions{SMSCID: "bawwab", Addr: e.addr, Username: "atlas", Password: password,
		Bound: func() bool { return e.gw.Stats().Binds > 0 }})
	send := func(name, to, text string, extra url.Values) {
		t.Helper()
		q := url.Values{"username": {"tester"}, "password": {"foobar"}, "from": {"ATLASMKT"}, "to": {to},
			"text": {text}, "dlr-mask": {"31"}, "dlr-url": {dlrSrv.URL + "/dlr?msg=" + name + "&type=%d"}}
		for k, v := range extra {
			q[k] = v
		}
		resp, err := http.Get(sendURL + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("sendsms %s: %s %s", name, resp.Status, body.String())
		}
	}
	waitDLR := func(name string, final ...int) {
		t.Helper()
		if !peer.Eventually(20*time.Second, func() bool {
			dlrMu.Lock()
			defer dlrMu.Unlock()
			for _, typ := range final {
				if slices.Contains(dlrs[name], typ) {
					return true
				}
			}
			return false
		}) {
			dlrMu.Lock()
			defer dlrMu.Unlock()
			t.Errorf("%s: DLR types %v, want one of %v; bearerbox.log:\n%s", name, dlrs[name], final, peer.Tail(filepath.Join(dir, "bearerbox.log")))
		}
	}
	arabic := map[string][]string{"coding": {"2"}, "charset": {"UTF-8"}}
	msgs := []struct {
		name, to, text string
		extra          url.Values
		accepted       bool
	}{
		{"plain", iamNumber, "Atlas Market: -30% ce week-end ! STOP au 5050", nil, true},
		{"refused", iamNumber, "Atlas Market: -50% sans condition", nil, false},
		{"long", orangeNumber, longCompliant, nil, true},
		{"arabic", "212661234568", longArabic, arabic, true},
		{"long-refused", "212661234569", longRefused, nil, false},
	}
	for _, m := range msgs {
		send(m.name, m.to, m.text, m.extra)
		if m.accepted {
			waitDLR(m.name, 1)
		} else {
			waitDLR(m.name, 16, 2)
		}
	}
	dlrMu.Lock()
	for _, m := range msgs {
		if !m.accepted && slices.Contains(dlrs[m.name], 1) {
			t.Errorf("%s: reported delivered: %v", m.name, dlrs[m.name])
		}
	}
	dlrMu.Unlock()
	for _, m := range msgs {
		if got := e.reached("iam", "") + e.reached("orange", ""); got == 0 {
			t.Fatal("nothing reached the operators")
		}
		if !m.accepted && e.reached("iam", m.text[len(m.text)-20:])+e.reached("orange", m.text[len(m.text)-20:]) != 0 {
			t.Errorf("%s reached an operator", m.name)
		}
	}
	var texts []string
	for _, d := range e.decisions() {
		texts = append(texts, d.Text)
	}
	for _, m := range msgs {
		// Kannel writes what GSM 03.38 lacks as '?'.
		if !slices.Contains(texts, strings.ReplaceAll(m.text, "ê", "?")) {
			t.Errorf("%s: no decision on the whole text in the ledger: %q", m.name, texts)
		}
	}

	// A STOP as an MO: the next message to the subscriber fails.
	if err := e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "5050", "STOP"); err != nil {
		t.Fatal(err)
	}
	send("after-stop", iamNumber, "Atlas Market: -30% ce week-end ! STOP au 5050", nil)
	waitDLR("after-stop", 16)
}
