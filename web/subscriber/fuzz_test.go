package subscriber

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// FuzzParseNumber: whatever a person types, the number path either
// refuses it with a reason or returns a valid E.164 mobile number, and its
// error never repeats the input.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"06 12 34 56 78", "+212612345678", "00212 6-12-34-56-78", "٠٦١٢٣٤٥٦٧٨", "0522123456", "", "+", "+44 7700 900123", "06123456789012345678", "abc", "(0)6.12.34.56.78", "+212 (0) 612345678"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseNumber(s)
		if err != nil {
			fl := asFailure(err)
			if fl.status != 400 || (fl.reason != reasonInvalidNumber && fl.reason != reasonNotMobile) {
				t.Fatalf("%q: %v", s, err)
			}
			if d := strings.TrimSpace(s); len(d) >= 6 && strings.Contains(fl.msg, d) {
				t.Fatalf("error %q repeats the input", fl.msg)
			}
			return
		}
		if !bawwab.ValidMSISDN(n) {
			t.Fatalf("%q: %q is not E.164", s, n)
		}
		// The mask keeps the first five and last four characters: what is
		// between them must show no digit (comparing digits with the
		// number's middle would see "0000" in "+447100000000"'s end).
		if m := mask(n); len(n) > 12 {
			mid, ok := strings.CutPrefix(m, n[:5])
			if ok {
				mid, ok = strings.CutSuffix(mid, n[len(n)-4:])
			}
			if !ok || strings.ContainsAny(mid, "0123456789") {
				t.Fatalf("mask %q shows the middle of %q", m, n)
			}
		}
	})
}

// FuzzVerifyReceipt: no input crashes the verifier, and only a receipt
// signed by the key passes.
func FuzzVerifyReceipt(f *testing.F) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	o := &bawwab.Opposition{Seq: 42, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}, At: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), Channel: "web"}
	sr, err := signReceipt(key, receiptOf("bawwab", o, "Atlas Market"))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := jsonMarshal(sr)
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"receipt":{"type":"bawwab.opposition-receipt","version":1},"signature":"AAAA"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := VerifyReceipt(key.Public().(ed25519.PublicKey), data)
		if err == nil && (r.Seq != 42 || r.MSISDN != o.MSISDN || r.Scope != "advertiser:atlas-market" || r.Action != "stop") {
			t.Fatalf("a changed receipt verified: %+v", r)
		}
	})
}

func TestReceiptCanonical(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	o := &bawwab.Opposition{Seq: 42, MSISDN: "+212612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "souk-nour"}, At: time.Date(2026, 3, 2, 11, 0, 0, 123000, time.FixedZone("", 3600)), Channel: "web"}
	sr, err := signReceipt(key, receiptOf("bawwab", o, "سوق النور & Co <x>"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"bawwab.opposition-receipt","version":1,"issuer":"bawwab","msisdn":"+212612345678","scope":"advertiser:souk-nour","scope_name":"سوق النور & Co <x>","action":"stop","at":"2026-03-02T10:00:00.000123Z","seq":42,"channel":"web","key_id":"` + KeyID(key.Public().(ed25519.PublicKey)) + `"}`
	if got := string(sr.Receipt.Canonical()); got != want {
		t.Errorf("canonical form\n got %s\nwant %s", got, want)
	}
	// Spacing does not matter to the verifier; a changed field does.
	pretty, _ := jsonMarshalIndent(sr)
	if _, err := VerifyReceipt(key.Public().(ed25519.PublicKey), pretty); err != nil {
		t.Errorf("indented receipt: %v", err)
	}
	for _, edit := range []func(*SignedReceipt){
		func(s *SignedReceipt) { s.Receipt.Action = "start" },
		func(s *SignedReceipt) { s.Receipt.MSISDN = "+212612345679" },
		func(s *SignedReceipt) { s.Receipt.At = s.Receipt.At.Add(time.Second) },
		func(s *SignedReceipt) { s.Signature = s.Signature[:10] },
	} {
		c := sr
		edit(&c)
		b, _ := jsonMarshal(c)
		if _, err := VerifyReceipt(key.Public().(ed25519.PublicKey), b); err == nil {
			t.Errorf("an edited receipt verified: %s", b)
		}
	}
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32))
	b, _ := jsonMarshal(sr)
	if _, err := VerifyReceipt(other.Public().(ed25519.PublicKey), b); err == nil {
		t.Error("verified with another key")
	}
}

func TestLoadOrCreateReceiptKey(t *testing.T) {
	path := t.TempDir() + "/receipt.key"
	k1, err := LoadOrCreateReceiptKey(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadOrCreateReceiptKey(path, nil)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("reloaded key differs: %v", err)
	}
}

func TestNewCodeUniform(t *testing.T) {
	seen := map[byte]int{}
	for range 2000 {
		c, err := newCode(cryptoRand)
		if err != nil || len(c) != 6 {
			t.Fatalf("%q %v", c, err)
		}
		seen[c[0]]++
	}
	for d := byte('0'); d <= '9'; d++ {
		if seen[d] < 100 { // expected 200
			t.Errorf("first digit %c: %d of 2000", d, seen[d])
		}
	}
}

func TestLimiter(t *testing.T) {
	l := newLimiter(2, time.Minute)
	t0 := time.Unix(0, 0)
	if !l.allow("a", t0) || !l.allow("a", t0.Add(time.Second)) || l.allow("a", t0.Add(2*time.Second)) {
		t.Fatal("the third event in a minute passed")
	}
	if !l.allow("b", t0) {
		t.Fatal("keys are not apart")
	}
	if !l.allow("a", t0.Add(60*time.Second)) {
		t.Fatal("the window does not slide")
	}
	if l.allow("a", t0.Add(60*time.Second)) {
		t.Fatal("the event at 1 s left the window early")
	}
}
