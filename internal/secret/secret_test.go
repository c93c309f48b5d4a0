package secret

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// cheap keeps the tests fast; the format is the same.
var cheap = Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

func TestHashKnownAnswer(t *testing.T) {
	salt := bytes.NewReader(bytes.Repeat([]byte{0x5a}, 16))
	got, err := HashWith(cheap, salt, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	// From the reference implementation (Debian's argon2 CLI):
	//   echo -n s3cret | argon2 ZZZZZZZZZZZZZZZZ -id -t 1 -k 64 -p 1 -l 32 -e
	const want = "$argon2id$v=19$m=64,t=1,p=1$WlpaWlpaWlpaWlpaWlpaWg$gu74azT5qTkaaTHaoblDLvlLwwh1QxMcxR1rKCOmlcc"
	if got != want {
		t.Fatalf("HashWith = %s\nwant         %s", got, want)
	}
	if err := Verify(got, "s3cret"); err != nil {
		t.Fatalf("Verify(right secret) = %v", err)
	}
}

func TestVerify(t *testing.T) {
	h, err := HashWith(cheap, rand.Reader, "pässwörd")
	if err != nil {
		t.Fatal(err)
	}
	bc, err := bcrypt.GenerateFromPassword([]byte("legacy"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hash, secret string
		want               error // nil, ErrMismatch, or errMalformed
	}{
		{"argon2id ok", h, "pässwörd", nil},
		{"argon2id wrong", h, "passwörd", ErrMismatch},
		{"argon2id empty secret", h, "", ErrMismatch},
		{"bcrypt ok", string(bc), "legacy", nil},
		{"bcrypt wrong", string(bc), "Legacy", ErrMismatch},
		{"empty hash", "", "x", errMalformed},
		{"plain text", "pässwörd", "pässwörd", errMalformed},
		{"truncated", h[:len(h)-30], "pässwörd", errMalformed},
		{"huge memory", "$argon2id$v=19$m=4194304,t=1,p=1$WlpaWlpaWlpaWlpaWlpaWg$WlpaWlpaWlpaWlpaWlpaWg", "x", errMalformed},
		{"wrong version", strings.Replace(h, "v=19", "v=16", 1), "pässwörd", errMalformed},
		{"unknown param", strings.Replace(h, "p=1", "q=1", 1), "pässwörd", errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.hash, tt.secret)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Verify = %v, want nil", err)
			case tt.want == ErrMismatch && !errors.Is(err, ErrMismatch):
				t.Fatalf("Verify = %v, want ErrMismatch", err)
			case tt.want == errMalformed && (err == nil || errors.Is(err, ErrMismatch)):
				t.Fatalf("Verify = %v, want a malformed-hash error", err)
			}
		})
	}
}

var errMalformed = errors.New("malformed")

func TestHashSaltsDiffer(t *testing.T) {
	a, _ := HashWith(cheap, rand.Reader, "x")
	b, _ := HashWith(cheap, rand.Reader, "x")
	if a == b {
		t.Fatal("two hashes of the same secret are equal: the salt is not random")
	}
}

func TestNeedsRehash(t *testing.T) {
	h, _ := HashWith(cheap, rand.Reader, "x")
	if !NeedsRehash(h, DefaultParams) {
		t.Error("cheap hash does not need a rehash under DefaultParams")
	}
	if NeedsRehash(h, cheap) {
		t.Error("hash needs a rehash under its own parameters")
	}
	if !NeedsRehash("$2a$10$abc", cheap) {
		t.Error("bcrypt hash does not need a rehash")
	}
}

func TestDefaultHash(t *testing.T) {
	if testing.Short() {
		t.Skip("19 MiB argon2id")
	}
	h, err := Hash("Atl4s!pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("Hash = %s", h)
	}
	if err := Verify(h, "Atl4s!pw"); err != nil {
		t.Fatal(err)
	}
}

func TestAPIKey(t *testing.T) {
	id, key, err := NewAPIKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 12 || !strings.HasPrefix(key, "bwk_"+id+"_") {
		t.Fatalf("NewAPIKey = %q, %q", id, key)
	}
	got, ok := APIKeyID(key)
	if !ok || got != id {
		t.Fatalf("APIKeyID(%q) = %q, %v; want %q", key, got, ok, id)
	}
	for _, bad := range []string{"", "bwk_", "bwk_short_x", "xyz_" + id + "_abc", "bwk_" + id + "_"} {
		if _, ok := APIKeyID(bad); ok {
			t.Errorf("APIKeyID(%q) ok", bad)
		}
	}
	_, key2, _ := NewAPIKey(rand.Reader)
	if key == key2 {
		t.Fatal("two API keys are equal")
	}
}

// FuzzVerify checks that no stored hash, however corrupted, panics or
// verifies a secret it was not made from.
func FuzzVerify(f *testing.F) {
	h, _ := HashWith(cheap, bytes.NewReader(bytes.Repeat([]byte{1}, 16)), "a")
	f.Add(h, "b")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$2a$04$abcdefghijklmnopqrstuu", "x")
	f.Fuzz(func(t *testing.T, hash, secret string) {
		if strings.Contains(hash, "m=") && !strings.Contains(hash, "m=64,") {
			// Keep iterations fast: large memory costs are valid but slow.
			if p, _, _, err := parseArgon2id(hash); err == nil && p.Memory*p.Time > 4096 {
				t.Skip()
			}
		}
		if strings.HasPrefix(hash, "$2") {
			t.Skip() // bcrypt's own parser, and costly
		}
		if err := Verify(hash, secret); err == nil && hash == h && secret != "a" {
			t.Fatalf("Verify(%q, %q) = nil", hash, secret)
		}
	})
}
