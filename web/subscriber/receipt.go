package subscriber

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// ReceiptType names the document in every receipt.
const ReceiptType = "bawwab.opposition-receipt"

// receiptContext is signed before the receipt's bytes, so that a
// signature made for something else is never a valid receipt.
const receiptContext = "bawwab opposition receipt v1\n"

// Receipt is the record of one change to a number's oppositions, as the
// register holds it. Its canonical form is the JSON encoding of this
// struct, fields in this order, without spaces: what the signature covers.
type Receipt struct {
	Type    string `json:"type"`
	Version int    `json:"version"`
	Issuer  string `json:"issuer"`
	// MSISDN is the number in E.164 form, in clear: the receipt is the
	// subscriber's own proof.
	MSISDN string `json:"msisdn"`
	// Scope is "national" or "advertiser:ID" (or "provider:ID");
	// ScopeName the brand's name when the receipt was made.
	Scope     string `json:"scope"`
	ScopeName string `json:"scope_name,omitempty"`
	Action    string `json:"action"` // stop or start
	// At is when the register recorded the change, RFC 3339 in UTC.
	At time.Time `json:"at"`
	// Seq is the change's sequence number in the register.
	Seq     int64  `json:"seq"`
	Channel string `json:"channel"` // web or api
	// KeyID is the first 8 bytes of SHA-256 of the public key, in hex.
	KeyID string `json:"key_id"`
}

// SignedReceipt is a receipt and its Ed25519 signature (standard base64)
// over receiptContext followed by the receipt's canonical form.
type SignedReceipt struct {
	Receipt   Receipt `json:"receipt"`
	Signature string  `json:"signature"`
}

// Canonical returns the bytes the signature covers.
func (r Receipt) Canonical() []byte {
	r.At = r.At.UTC()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		panic(err) // a struct of strings, ints and a time: cannot fail
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// KeyID returns the identifier of a receipt public key.
func KeyID(pub ed25519.PublicKey) string {
	s := sha256.Sum256(pub)
	return hex.EncodeToString(s[:8])
}

// signReceipt fills in the key id and signs.
func signReceipt(signer crypto.Signer, r Receipt) (SignedReceipt, error) {
	pub, ok := signer.Public().(ed25519.PublicKey)
	if !ok {
		return SignedReceipt{}, errors.New("receipt key is not Ed25519")
	}
	r.KeyID = KeyID(pub)
	r.At = r.At.UTC()
	msg := append([]byte(receiptContext), r.Canonical()...)
	sig, err := signer.Sign(rand.Reader, msg, crypto.Hash(0))
	if err != nil {
		return SignedReceipt{}, fmt.Errorf("sign receipt: %w", err)
	}
	return SignedReceipt{Receipt: r, Signature: base64.StdEncoding.EncodeToString(sig)}, nil
}

// VerifyReceipt checks a receipt's signature with a public key. The
// receipt is read from its JSON form, strictly (unknown fields refused),
// and its canonical form recomputed, so that spacing does not matter.
func VerifyReceipt(pub ed25519.PublicKey, data []byte) (*Receipt, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s SignedReceipt
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read receipt: %w", err)
	}
	if s.Receipt.Type != ReceiptType || s.Receipt.Version != 1 {
		return nil, fmt.Errorf("not a version 1 %s", ReceiptType)
	}
	if s.Receipt.KeyID != KeyID(pub) {
		return nil, fmt.Errorf("receipt signed with key %q, not %q", s.Receipt.KeyID, KeyID(pub))
	}
	sig, err := base64.StdEncoding.DecodeString(s.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return nil, errors.New("receipt signature is not a base64 Ed25519 signature")
	}
	msg := append([]byte(receiptContext), s.Receipt.Canonical()...)
	if !ed25519.Verify(pub, msg, sig) {
		return nil, errors.New("receipt signature does not match")
	}
	return &s.Receipt, nil
}

// LoadOrCreateReceiptKey reads an Ed25519 key from a file holding its
// 32-byte seed in base64, or makes one (with rnd, crypto/rand when nil)
// and writes it, readable only by its owner, when the file is absent.
func LoadOrCreateReceiptKey(path string, rnd io.Reader) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("receipt key %s: want the base64 of a %d-byte Ed25519 seed", path, ed25519.SeedSize)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(rnd, seed); err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("receipt key: %w", err)
	}
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(seed)); err != nil {
		f.Close()
		return nil, fmt.Errorf("receipt key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("receipt key %s: %w", path, err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// receiptOf builds the receipt of an opposition event.
func receiptOf(issuer string, o *bawwab.Opposition, scopeName string) Receipt {
	return Receipt{
		Type: ReceiptType, Version: 1, Issuer: issuer,
		MSISDN: o.MSISDN, Scope: o.Scope.String(), ScopeName: scopeName,
		Action: o.Action.String(), At: o.At.UTC(), Seq: o.Seq, Channel: o.Channel,
	}
}
