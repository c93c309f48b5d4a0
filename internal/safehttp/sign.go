package safehttp

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header carries the signature of a call the gateway makes on a provider's
// behalf:
//
//	Bawwab-Signature: t=1764262800,keyid=5f3c2a1b,ed25519=<base64>
//
// t is the time of signing (Unix seconds), keyid names the key (the hash
// of its note verifier key, the 8 hex digits after its name), and ed25519
// is the Ed25519 signature (standard base64) of the canonical string:
//
//	bawwab-signature v1\n
//	<t>\n
//	<METHOD>\n
//	<URL>\n
//	<hex SHA-256 of the body>\n
//
// where URL is scheme://host[:port] (lower case, without a default port)
// followed by the request target exactly as sent (path and query). The
// first line has a space, which no note key name holds, so that no
// signature of a call can pass for a signed ledger checkpoint when the
// ledger's key signs both.
const Header = "Bawwab-Signature"

// prefix is the first line of the canonical string.
const prefix = "bawwab-signature v1\n"

// DefaultMaxAge is how far a signature's time may be from the receiver's
// clock when Verify is given no maxAge.
const DefaultMaxAge = 5 * time.Minute

// Signer signs calls.
type Signer struct {
	// KeyID names the key in the header.
	KeyID string
	// Sign returns the Ed25519 signature of msg (a note signer's Sign,
	// or ed25519.Sign with the private key).
	Sign func(msg []byte) ([]byte, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// NewEd25519Signer is a signer with an Ed25519 private key; keyID is
// KeyID(name, key.Public()) for a key published as a note verifier key.
func NewEd25519Signer(keyID string, key ed25519.PrivateKey) *Signer {
	return &Signer{KeyID: keyID, Sign: func(msg []byte) ([]byte, error) { return ed25519.Sign(key, msg), nil }}
}

// SignRequest sets the signature header of req, whose body is body (nil
// for none). A nil signer does nothing.
func (s *Signer) SignRequest(req *http.Request, body []byte) error {
	if s == nil {
		return nil
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now().Unix()
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	msg := Canonical(t, req.Method, CanonicalURL(req.URL.Scheme, host, req.URL.RequestURI()), body)
	sig, err := s.Sign(msg)
	if err != nil {
		return fmt.Errorf("sign the call: %w", err)
	}
	req.Header.Set(Header, FormatHeader(t, s.KeyID, sig))
	return nil
}

// Canonical is the string a signature covers.
func Canonical(t int64, method, url string, body []byte) []byte {
	sum := sha256.Sum256(body)
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString(strconv.FormatInt(t, 10))
	b.WriteByte('\n')
	b.WriteString(strings.ToUpper(method))
	b.WriteByte('\n')
	b.WriteString(url)
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(sum[:]))
	b.WriteByte('\n')
	return []byte(b.String())
}

// CanonicalURL is the URL of the canonical string: the scheme and host in
// lower case, the host without the scheme's default port, and the request
// target (path and query) as sent. A receiver builds it from its request
// as CanonicalURL(scheme, r.Host, r.RequestURI), with the scheme the
// caller used (https behind a TLS-terminating proxy).
func CanonicalURL(scheme, host, requestURI string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	switch {
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	}
	if requestURI == "" {
		requestURI = "/"
	}
	return scheme + "://" + host + requestURI
}

// FormatHeader is the header's value.
func FormatHeader(t int64, keyID string, sig []byte) string {
	return "t=" + strconv.FormatInt(t, 10) + ",keyid=" + keyID + ",ed25519=" + base64.StdEncoding.EncodeToString(sig)
}

// ParseHeader reads the header's value. Fields are comma-separated
// key=value pairs; unknown fields are ignored (for a later algorithm), a
// repeated or missing one is an error.
func ParseHeader(h string) (t int64, keyID string, sig []byte, err error) {
	seen := map[string]bool{}
	for f := range strings.SplitSeq(h, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok || k == "" {
			return 0, "", nil, fmt.Errorf("signature header: field %q is not key=value", f)
		}
		if seen[k] {
			return 0, "", nil, fmt.Errorf("signature header: %s repeated", k)
		}
		seen[k] = true
		switch k {
		case "t":
			if t, err = strconv.ParseInt(v, 10, 64); err != nil || t < 0 || v != strconv.FormatInt(t, 10) {
				return 0, "", nil, fmt.Errorf("signature header: t=%q is not a Unix time", v)
			}
		case "keyid":
			if v == "" {
				return 0, "", nil, errors.New("signature header: empty keyid")
			}
			keyID = v
		case "ed25519":
			if sig, err = base64.StdEncoding.Strict().DecodeString(v); err != nil || len(sig) != ed25519.SignatureSize {
				return 0, "", nil, errors.New("signature header: ed25519 is not a base64 Ed25519 signature")
			}
		}
	}
	for _, k := range []string{"t", "keyid", "ed25519"} {
		if !seen[k] {
			return 0, "", nil, fmt.Errorf("signature header: no %s", k)
		}
	}
	return t, keyID, sig, nil
}

// The errors of Verify, to tell them apart with errors.Is.
var (
	ErrNoSignature  = errors.New("no " + Header + " header")
	ErrUnknownKey   = errors.New("signed by an unknown key")
	ErrStale        = errors.New("signature time too far from now (replayed, or a clock is wrong)")
	ErrBadSignature = errors.New("signature does not match the call")
)

// Verify checks a call's signature header against the keys the receiver
// trusts (by key ID), the call's method, canonical URL (CanonicalURL) and
// body, and the receiver's clock: the signature's time must be within
// maxAge of now (DefaultMaxAge when 0). A receiver that must not act twice
// on a replayed call within maxAge also remembers the signatures it saw.
func Verify(keys map[string]ed25519.PublicKey, header, method, url string, body []byte, now time.Time, maxAge time.Duration) error {
	if header == "" {
		return ErrNoSignature
	}
	t, keyID, sig, err := ParseHeader(header)
	if err != nil {
		return err
	}
	pub, ok := keys[keyID]
	if !ok || len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %s", ErrUnknownKey, keyID)
	}
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	if d := now.Sub(time.Unix(t, 0)); d > maxAge || d < -maxAge {
		return ErrStale
	}
	if !ed25519.Verify(pub, Canonical(t, method, url, body), sig) {
		return ErrBadSignature
	}
	return nil
}

// VerifyRequest is Verify on a received request whose body was read into
// body; scheme is the one the caller used ("https" unless the receiver
// listens in plain http).
func VerifyRequest(keys map[string]ed25519.PublicKey, r *http.Request, scheme string, body []byte, now time.Time, maxAge time.Duration) error {
	return Verify(keys, r.Header.Get(Header), r.Method, CanonicalURL(scheme, r.Host, r.RequestURI), body, now, maxAge)
}

// KeyID is the ID of an Ed25519 public key published under a name as a
// note verifier key ("name+keyid+key", golang.org/x/mod/sumdb/note): the
// first four bytes of SHA-256(name, "\n", 0x01, key), in hex.
func KeyID(name string, pub ed25519.PublicKey) string {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{1})
	h.Write(pub)
	return fmt.Sprintf("%08x", binary.BigEndian.Uint32(h.Sum(nil)))
}

// ParseVerifierKey reads a note verifier key ("name+keyid+base64(0x01,
// key)"), as the gateway publishes its ledger's key (public_key of GET
// /api/v1/ledger/status), and returns the key's ID and public key.
func ParseVerifierKey(vkey string) (keyID string, pub ed25519.PublicKey, err error) {
	f := strings.SplitN(strings.TrimSpace(vkey), "+", 3) // the key's base64 may hold "+"
	if len(f) != 3 {
		return "", nil, errors.New("verifier key: want name+keyid+key")
	}
	raw, err := base64.StdEncoding.DecodeString(f[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		return "", nil, errors.New("verifier key: not an Ed25519 key")
	}
	pub = ed25519.PublicKey(raw[1:])
	if id := KeyID(f[0], pub); id != f[1] {
		return "", nil, fmt.Errorf("verifier key: key ID %s does not match the key (%s)", f[1], id)
	}
	return f[1], pub, nil
}
