package subscriber_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web/subscriber"
)

// phone stands for the gateway: it "delivers" the code to the test.
type phone struct{ last string }

func (p *phone) SendSMS(ctx context.Context, from, to, text string) error {
	p.last = regexp.MustCompile(`\d{6}`).FindString(text)
	return nil
}

// The gateway mounts the subscriber server beside the console; here a
// subscriber proves a number through the API and stops a brand.
func Example() {
	dir, _ := os.MkdirTemp("", "subscriber-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	st := db.Store()
	st.Registry.CreateProvider(ctx, &bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)})
	st.Registry.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}})
	keys, _ := ledger.OpenKeyring(filepath.Join(dir, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	l, err := ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "ledger.key"), Keyring: keys})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()

	sms := &phone{}
	srv, err := subscriber.New(subscriber.Options{
		Sender:         sms, // the gateway
		From:           "3030",
		Oppositions:    st.Oppositions, // the gateway passes its recorder (store + ledger + index)
		Ledger:         l,
		Registry:       st.Registry,
		ReceiptKeyFile: filepath.Join(dir, "receipt.key"),
	})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv.Handler())
	defer ts.Close()

	call := func(method, path, token, body string, out any) int {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	fmt.Println(call("POST", "/api/v1/subscriber/code", "", `{"msisdn": "06 12 34 56 78"}`, nil))
	var session struct{ Token string }
	fmt.Println(call("POST", "/api/v1/subscriber/session", "", `{"msisdn": "0612345678", "code": "`+sms.last+`"}`, &session))
	var change struct {
		Receipt json.RawMessage
	}
	fmt.Println(call("POST", "/api/v1/subscriber/oppositions", session.Token, `{"scope": "advertiser:atlas-market", "action": "stop"}`, &change))
	r, err := subscriber.VerifyReceipt(srv.PublicKey(), change.Receipt)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Action, r.Scope, r.ScopeName)
	// Output:
	// 202
	// 201
	// 201
	// stop advertiser:atlas-market Atlas Market
}
