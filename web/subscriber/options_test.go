package subscriber_test

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web/subscriber"
)

func TestNewOptions(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "b.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := db.Store()
	_, key, _ := ed25519.GenerateKey(nil)
	good := subscriber.Options{Sender: &smsSender{}, Oppositions: st.Oppositions, OppositionsLedgered: true, Registry: st.Registry, ReceiptKey: key}
	if _, err := subscriber.New(good); err != nil {
		t.Fatalf("good options: %v", err)
	}
	for _, tc := range []struct {
		edit func(*subscriber.Options)
		want string
	}{
		{func(o *subscriber.Options) { o.Sender = nil }, "Sender"},
		{func(o *subscriber.Options) { o.Oppositions = nil }, "Oppositions"},
		{func(o *subscriber.Options) { o.Registry = nil }, "Registry"},
		{func(o *subscriber.Options) { o.OppositionsLedgered = false }, "Ledger"},
		{func(o *subscriber.Options) { o.ReceiptKey = nil }, "ReceiptKey"},
		{func(o *subscriber.Options) { o.ReceiptKey = nil; o.ReceiptKeyFile = t.TempDir() }, "receipt key"},
		{func(o *subscriber.Options) { o.TrustedOrigins = []string{"not an origin"} }, "trusted origin"},
	} {
		o := good
		tc.edit(&o)
		if _, err := subscriber.New(o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}

// With a recorder that ledgers its events (OppositionsLedgered), the server
// appends nothing of its own.
func TestOppositionsLedgered(t *testing.T) {
	e := newEnv(t, func(o *subscriber.Options) { o.OppositionsLedgered = true; o.Ledger = nil })
	a := e.api(t)
	a.signIn(numberA)
	if st, _ := a.do("POST", "/api/v1/subscriber/oppositions", map[string]string{"scope": "national", "action": "stop"}, nil); st != 201 {
		t.Fatalf("stop: %d", st)
	}
	for en, err := range e.ledger.FindEntries(context.Background(), bawwab.LedgerFilter{}) {
		t.Errorf("ledger entry %+v %v", en, err)
	}
}

// A request that came over TLS gets Secure cookies even when
// InsecureCookies is set (a development setting left on in production);
// over plain HTTP, InsecureCookies drops Secure.
func TestCookiesSecureOverTLS(t *testing.T) {
	e := newEnv(t, func(o *subscriber.Options) { o.InsecureCookies = true })
	plain := httptest.NewServer(e.srv.Handler())
	defer plain.Close()
	for _, tc := range []struct {
		url  string
		c    *http.Client
		want bool
	}{{e.ts.URL, e.ts.Client(), true}, {plain.URL, plain.Client(), false}} {
		resp, err := tc.c.Get(tc.url + "/subscriber/?lang=en")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		names := map[string]bool{}
		for _, ck := range resp.Cookies() {
			names[ck.Name] = true
			if ck.Secure != tc.want {
				t.Errorf("%s: cookie %s Secure=%v, want %v", tc.url, ck.Name, ck.Secure, tc.want)
			}
		}
		if !names["bawwab-sub-pre"] || !names["bawwab-lang"] {
			t.Errorf("%s: cookies %v", tc.url, names)
		}
	}
}
