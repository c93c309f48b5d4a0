package safehttp_test

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/bawwab/bawwab/internal/safehttp"
)

// A provider's receiver verifies the gateway's calls with the verifier key
// the gateway publishes (public_key of GET /api/v1/ledger/status).
func ExampleVerifyRequest() {
	// The gateway's side, here in the same process: its ledger key.
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	publicKey := "node1+" + safehttp.KeyID("node1", key.Public().(ed25519.PublicKey)) + "+" +
		b64(append([]byte{1}, key.Public().(ed25519.PublicKey)...))
	gateway := safehttp.NewEd25519Signer(safehttp.KeyID("node1", key.Public().(ed25519.PublicKey)), key)

	// The provider's side.
	keyID, pub, err := safehttp.ParseVerifierKey(publicKey)
	if err != nil {
		panic(err)
	}
	keys := map[string]ed25519.PublicKey{keyID: pub}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := safehttp.VerifyRequest(keys, r, "http", body, time.Now(), 5*time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "verified")
	}))
	defer receiver.Close()

	for _, body := range []string{`{"id":"m1","status":"delivered"}`, "forged"} {
		req, _ := http.NewRequest("POST", receiver.URL+"/bawwab/callback", strings.NewReader(body))
		if body != "forged" {
			gateway.SignRequest(req, []byte(body))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, strings.TrimSpace(string(answer)))
	}
	// Output:
	// 200 verified
	// 401 no Bawwab-Signature header
}
