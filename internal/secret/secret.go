// Package secret hashes and checks the secrets providers authenticate with:
// SMPP passwords and HTTP API keys. Only hashes are stored, as PHC strings
// ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash"), so that a leaked registry
// does not give away a provider's bind; bcrypt hashes ("$2a$...") from older
// systems are accepted too. Comparisons take constant time.
package secret

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are the argon2id cost parameters.
type Params struct {
	Time    uint32 // iterations
	Memory  uint32 // KiB
	Threads uint8
	KeyLen  uint32 // bytes of hash
	SaltLen uint32 // bytes of salt
}

// DefaultParams follow OWASP's password storage recommendation for
// argon2id (19 MiB, 2 iterations, 1 thread): tens of milliseconds per hash,
// paid at bind time only, since the gateway caches successful binds.
var DefaultParams = Params{Time: 2, Memory: 19 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}

// Limits on the parameters read from a stored hash, so that a corrupted or
// hostile registry entry cannot make a bind cost gigabytes.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	maxThreads = 64
	maxKeyLen  = 1024
)

// ErrMismatch is returned by Verify when the secret does not match.
var ErrMismatch = errors.New("secret does not match")

// Hash returns the argon2id PHC string of secret, with DefaultParams and a
// random salt.
func Hash(secret string) (string, error) {
	return HashWith(DefaultParams, rand.Reader, secret)
}

// HashWith hashes with the given parameters and salt source (tests use
// cheap parameters and a fixed source).
func HashWith(p Params, random io.Reader, secret string) (string, error) {
	if p.Time == 0 || p.Memory == 0 || p.Threads == 0 || p.KeyLen == 0 || p.SaltLen < 8 {
		return "", fmt.Errorf("hash secret: invalid argon2id parameters %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(random, salt); err != nil {
		return "", fmt.Errorf("hash secret: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify checks secret against a stored hash: nil when it matches,
// ErrMismatch when it does not, another error when the hash is malformed.
func Verify(hash, secret string) error {
	switch {
	case strings.HasPrefix(hash, "$argon2id$"):
		p, salt, key, err := parseArgon2id(hash)
		if err != nil {
			return err
		}
		got := argon2.IDKey([]byte(secret), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
		if subtle.ConstantTimeCompare(got, key) != 1 {
			return ErrMismatch
		}
		return nil
	case strings.HasPrefix(hash, "$2a$"), strings.HasPrefix(hash, "$2b$"), strings.HasPrefix(hash, "$2y$"):
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return ErrMismatch
		}
		if err != nil {
			return fmt.Errorf("verify secret: %w", err)
		}
		return nil
	}
	return errors.New("verify secret: unknown hash format (want $argon2id$ or bcrypt)")
}

// NeedsRehash reports whether a stored hash is weaker than p (or not
// argon2id), so that a successful login can upgrade it.
func NeedsRehash(hash string, p Params) bool {
	got, _, key, err := parseArgon2id(hash)
	if err != nil {
		return true
	}
	return got.Time < p.Time || got.Memory < p.Memory || uint32(len(key)) < p.KeyLen
}

// parseArgon2id reads "$argon2id$v=19$m=M,t=T,p=P$salt$key".
func parseArgon2id(hash string) (p Params, salt, key []byte, err error) {
	bad := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("verify secret: malformed argon2id hash: %s", why)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("want 5 fields")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version " + parts[2])
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("parameter " + kv)
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return bad("parameter " + kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > maxThreads {
				return bad("too many threads")
			}
			p.Threads = uint8(n)
		default:
			return bad("unknown parameter " + k)
		}
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || p.Threads == 0 {
		return bad("parameters out of range")
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return bad("salt")
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return bad("hash")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}

// API keys have the form "bwk_" + ID + "_" + secret. The ID (12 characters,
// lower-case base32) is public: it is the account's ID, so that the gateway
// finds the account without scanning; the whole key is what is hashed.
const apiKeyPrefix = "bwk_"

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewAPIKey returns a new API key and its ID, from random.
func NewAPIKey(random io.Reader) (id, key string, err error) {
	var b [30]byte // 7.5 bytes of ID, 22.5 of secret, rounded to the encodings
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", "", fmt.Errorf("new API key: %w", err)
	}
	id = idEncoding.EncodeToString(b[:8])[:12]
	key = apiKeyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(b[8:])
	return id, key, nil
}

// APIKeyID returns the ID part of an API key, and false when key does not
// have the form of one.
func APIKeyID(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, apiKeyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 12 || secret == "" {
		return "", false
	}
	return id, true
}
