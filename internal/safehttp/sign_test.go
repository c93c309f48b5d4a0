package safehttp_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/bawwab/bawwab/ledger"

	"github.com/bawwab/bawwab/internal/safehttp"
)

// seeded is a fixed key, so that failures reproduce.
func seeded(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func TestVerify(t *testing.T) {
	key, other := seeded(1), seeded(2)
	id := safehttp.KeyID("node1", key.Public().(ed25519.PublicKey))
	keys := map[string]ed25519.PublicKey{id: key.Public().(ed25519.PublicKey)}
	at := time.Unix(1764262800, 0)
	s := safehttp.NewEd25519Signer(id, key)
	s.Now = func() time.Time { return at }
	body := []byte(`{"id":"m1","status":"delivered"}`)
	sign := func(s *safehttp.Signer, method, u string, body []byte) string {
		req, err := http.NewRequest(method, u, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SignRequest(req, body); err != nil {
			t.Fatal(err)
		}
		return req.Header.Get(safehttp.Header)
	}
	const u = "https://hooks.example.ma/dlr?id=m1&s=%2B1"
	good := sign(s, "POST", u, body)
	wrong := safehttp.NewEd25519Signer(id, other) // claims the key ID, signs with another key
	wrong.Now = s.Now
	unknown := safehttp.NewEd25519Signer("0badc0de", other)
	unknown.Now = s.Now
	tests := []struct {
		name   string
		header string
		method string
		url    string
		body   []byte
		now    time.Time
		want   error
	}{
		{"valid", good, "POST", u, body, at, nil},
		{"valid, clock 4 min ahead", good, "POST", u, body, at.Add(4 * time.Minute), nil},
		{"valid, clock 4 min behind", good, "POST", u, body, at.Add(-4 * time.Minute), nil},
		{"default port", good, "POST", "https://hooks.example.ma/dlr?id=m1&s=%2B1", body, at, nil},
		{"altered body", good, "POST", u, []byte(`{"id":"m1","status":"undelivered"}`), at, safehttp.ErrBadSignature},
		{"no body", good, "POST", u, nil, at, safehttp.ErrBadSignature},
		{"altered URL", good, "POST", "https://hooks.example.ma/dlr?id=m2&s=%2B1", body, at, safehttp.ErrBadSignature},
		{"altered host", good, "POST", "https://evil.example/dlr?id=m1&s=%2B1", body, at, safehttp.ErrBadSignature},
		{"altered scheme", good, "POST", "http://hooks.example.ma/dlr?id=m1&s=%2B1", body, at, safehttp.ErrBadSignature},
		{"altered method", good, "GET", u, body, at, safehttp.ErrBadSignature},
		{"stale", good, "POST", u, body, at.Add(6 * time.Minute), safehttp.ErrStale},
		{"from the future", good, "POST", u, body, at.Add(-6 * time.Minute), safehttp.ErrStale},
		{"wrong key", sign(wrong, "POST", u, body), "POST", u, body, at, safehttp.ErrBadSignature},
		{"unknown key", sign(unknown, "POST", u, body), "POST", u, body, at, safehttp.ErrUnknownKey},
		{"no header", "", "POST", u, body, at, safehttp.ErrNoSignature},
		{"altered time", strings.Replace(good, "t=1764262800", "t=1764262801", 1), "POST", u, body, at, safehttp.ErrBadSignature},
	}
	for _, tt := range tests {
		err := safehttp.Verify(keys, tt.header, tt.method, tt.url, tt.body, tt.now, 0)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	// A longer maxAge accepts the stale one.
	if err := safehttp.Verify(keys, good, "POST", u, body, at.Add(time.Hour), 2*time.Hour); err != nil {
		t.Errorf("maxAge 2h: %v", err)
	}
}

// TestVerifyRequest: a receiver behind a real HTTP server rebuilds the
// canonical URL from what it received, port and escapes included.
func TestVerifyRequest(t *testing.T) {
	key := seeded(3)
	pub := key.Public().(ed25519.PublicKey)
	id := safehttp.KeyID("gw", pub)
	keys := map[string]ed25519.PublicKey{id: pub}
	got := make(chan error, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- safehttp.VerifyRequest(keys, r, "http", body, time.Now(), 0)
	}))
	defer srv.Close()
	c := srv.Client()
	s := safehttp.NewEd25519Signer(id, key)
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/cb", `{"a":1}`},
		{"GET", "/dlr?type=1&text=id%3A1+stat%3ADELIVRD&to=%2B212600000000", ""},
		{"GET", "", ""},
	} {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		if err := s.SignRequest(req, []byte(tt.body)); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if err := <-got; err != nil {
			t.Errorf("%s %s: %v", tt.method, tt.path, err)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ scheme, host, uri, want string }{
		{"https", "Hooks.Example.MA:443", "/a?b=c", "https://hooks.example.ma/a?b=c"},
		{"HTTP", "h:80", "/", "http://h/"},
		{"http", "h:443", "/", "http://h:443/"},
		{"https", "h:8443", "", "https://h:8443/"},
		{"https", "[::1]:443", "/x", "https://[::1]/x"},
	}
	for _, tt := range tests {
		if got := safehttp.CanonicalURL(tt.scheme, tt.host, tt.uri); got != tt.want {
			t.Errorf("CanonicalURL(%q, %q, %q) = %q, want %q", tt.scheme, tt.host, tt.uri, got, tt.want)
		}
	}
}

func TestParseHeader(t *testing.T) {
	sig := bytes.Repeat([]byte{7}, 64)
	good := safehttp.FormatHeader(42, "abcd0123", sig)
	tests := []struct {
		in   string
		ok   bool
		keep string
	}{
		{good, true, ""},
		{good + ",v2=xyz", true, ""},
		{" t=42 , keyid=abcd0123 , ed25519=" + strings.Split(good, "ed25519=")[1], true, ""},
		{"t=42,keyid=abcd0123", false, "no ed25519"},
		{good + ",t=43", false, "repeated"},
		{strings.Replace(good, "t=42", "t=-1", 1), false, "Unix time"},
		{strings.Replace(good, "t=42", "t=042", 1), false, "Unix time"},
		{strings.Replace(good, "keyid=abcd0123", "keyid=", 1), false, "empty keyid"},
		{"t=42,keyid=a,ed25519=AAAA", false, "Ed25519 signature"},
		{"garbage", false, "key=value"},
		{"", false, "key=value"},
	}
	for _, tt := range tests {
		ts, id, s, err := safehttp.ParseHeader(tt.in)
		if tt.ok {
			if err != nil || ts != 42 || id != "abcd0123" || !bytes.Equal(s, sig) {
				t.Errorf("ParseHeader(%q) = %d %q %x %v", tt.in, ts, id, s, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.keep) {
			t.Errorf("ParseHeader(%q): %v, want an error with %q", tt.in, err, tt.keep)
		}
	}
}

// TestNoteKeys: the key ID and verifier keys are those of
// golang.org/x/mod/sumdb/note, the form the ledger's key is published in,
// and a note signer (the ledger's key) signs what Verify checks.
func TestNoteKeys(t *testing.T) {
	skey, vkey, err := note.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{9}, 64)), "bawwab-ledger")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	id, pub, err := safehttp.ParseVerifierKey(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Split(vkey, "+")[1]; id != want || safehttp.KeyID("bawwab-ledger", pub) != want {
		t.Errorf("key ID %s, want %s", id, want)
	}
	s := &safehttp.Signer{KeyID: id, Sign: signer.Sign}
	req, _ := http.NewRequest("GET", "http://example.ma/dlr?x=1", nil)
	if err := s.SignRequest(req, nil); err != nil {
		t.Fatal(err)
	}
	keys := map[string]ed25519.PublicKey{id: pub}
	if err := safehttp.Verify(keys, req.Header.Get(safehttp.Header), "GET", "http://example.ma/dlr?x=1", nil, time.Now(), 0); err != nil {
		t.Error(err)
	}
	// A tampered verifier key is refused.
	bad := strings.Replace(vkey, "bawwab-ledger", "other", 1)
	if _, _, err := safehttp.ParseVerifierKey(bad); err == nil {
		t.Error("a verifier key renamed was accepted")
	}
	// A call's signature is never a checkpoint's: signed as a note with
	// the ledger's key, its text is refused by the checkpoint reader (its
	// first line, with a space, cannot be a key's name; its third is not
	// a hash).
	signed, err := note.Sign(&note.Note{Text: string(safehttp.Canonical(1764262800, "GET", "http://x/", nil))}, signer)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := note.NewVerifier(vkey)
	if _, err := note.Open(signed, note.VerifierList(v)); err != nil {
		t.Fatalf("the note does not open: %v", err)
	}
	if cp, err := ledger.OpenCheckpoint(signed, note.VerifierList(v)); err == nil {
		t.Errorf("a call's signature opened as checkpoint %+v", cp)
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add(safehttp.FormatHeader(1764262800, "5f3c2a1b", bytes.Repeat([]byte{1}, 64)))
	f.Add("t=1,keyid=a,ed25519=,x")
	f.Add("t=1,,keyid=a")
	f.Add("t==1")
	f.Fuzz(func(t *testing.T, h string) {
		ts, id, sig, err := safehttp.ParseHeader(h)
		if err != nil {
			return
		}
		if ts < 0 || id == "" || len(sig) != ed25519.SignatureSize {
			t.Fatalf("ParseHeader(%q) = %d %q %d bytes", h, ts, id, len(sig))
		}
		// What parses formats back to what parses the same.
		if id2 := id; !strings.Contains(id2, ",") {
			ts2, id3, sig2, err := safehttp.ParseHeader(safehttp.FormatHeader(ts, id, sig))
			if err != nil || ts2 != ts || id3 != id || !bytes.Equal(sig2, sig) {
				t.Fatalf("round trip of %q: %d %q %v", h, ts2, id3, err)
			}
		}
	})
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func FuzzParseVerifierKey(f *testing.F) {
	pub := seeded(5).Public().(ed25519.PublicKey)
	f.Add("node1+" + safehttp.KeyID("node1", pub) + "+" + b64(append([]byte{1}, pub...)))
	f.Add("a+00000000+AQ==")
	f.Add("+++")
	f.Fuzz(func(t *testing.T, vkey string) {
		id, pub, err := safehttp.ParseVerifierKey(vkey)
		if err != nil {
			return
		}
		name, _, _ := strings.Cut(strings.TrimSpace(vkey), "+")
		if len(pub) != ed25519.PublicKeySize || id != safehttp.KeyID(name, pub) {
			t.Fatalf("ParseVerifierKey(%q) = %s, %x", vkey, id, pub)
		}
	})
}

// BenchmarkSign and BenchmarkVerify: what signing adds to a callback, and
// what verifying costs a receiver, for a 300-byte status body.
func BenchmarkSign(b *testing.B) {
	s := safehttp.NewEd25519Signer("5f3c2a1b", seeded(1))
	body := bytes.Repeat([]byte("x"), 300)
	req, _ := http.NewRequest("POST", "https://hooks.example.ma/bawwab/callback", nil)
	for b.Loop() {
		if err := s.SignRequest(req, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	key := seeded(1)
	s := safehttp.NewEd25519Signer("5f3c2a1b", key)
	body := bytes.Repeat([]byte("x"), 300)
	const u = "https://hooks.example.ma/bawwab/callback"
	req, _ := http.NewRequest("POST", u, nil)
	s.SignRequest(req, body)
	h := req.Header.Get(safehttp.Header)
	keys := map[string]ed25519.PublicKey{"5f3c2a1b": key.Public().(ed25519.PublicKey)}
	now := time.Now()
	for b.Loop() {
		if err := safehttp.Verify(keys, h, "POST", u, body, now, 0); err != nil {
			b.Fatal(err)
		}
	}
}
