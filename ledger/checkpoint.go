package ledger

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A Checkpoint is a signed tree head: the ledger's state after N entries,
// signed with the ledger's Ed25519 key as a note (golang.org/x/mod/sumdb/
// note). Its text follows the C2SP tlog-checkpoint format, the one of Go's
// checksum database and of Sigsum, with two extension lines:
//
//	bawwab-ledger
//	1024
//	mLHk0x9w8Fbfu5qpOJCzDDBSTk4bpCOCNMbL+NgX0BA=
//	chain 7dX6kqS6...=
//	time 2025-06-01T10:00:00.123456789Z
//
// the origin (the key's name), the number of entries, the Merkle tree hash
// of entries [0, N) as computed by golang.org/x/mod/sumdb/tlog, the chain
// hash of entry N-1, and the time it was made. Anyone holding a checkpoint
// and the public key can check an entry against it (VerifyInclusion), and
// a later checkpoint against it (VerifyConsistency).
type Checkpoint struct {
	Origin string
	N      int64
	Hash   tlog.Hash
	Chain  tlog.Hash
	Time   time.Time
	// Note is the signed note, as stored and as handed out.
	Note []byte
}

func (c *Checkpoint) text() string {
	return fmt.Sprintf("%s\n%d\n%s\nchain %s\ntime %s\n", c.Origin, c.N, c.Hash, c.Chain, c.Time.UTC().Format(time.RFC3339Nano))
}

// sign fills c.Note.
func (c *Checkpoint) sign(s note.Signer) error {
	msg, err := note.Sign(&note.Note{Text: c.text()}, s)
	if err != nil {
		return fmt.Errorf("sign checkpoint: %w", err)
	}
	c.Note = msg
	return nil
}

var errMalformedCheckpoint = errors.New("malformed checkpoint")

// parseCheckpointText reads the text of a checkpoint note (without
// checking any signature).
func parseCheckpointText(text string) (*Checkpoint, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return nil, errMalformedCheckpoint
	}
	c := &Checkpoint{Origin: lines[0]}
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] || c.Origin == "" {
		return nil, errMalformedCheckpoint
	}
	c.N = n
	if c.Hash, err = tlog.ParseHash(lines[2]); err != nil {
		return nil, errMalformedCheckpoint
	}
	var haveChain, haveTime bool
	for _, l := range lines[3 : len(lines)-1] {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "chain":
			if c.Chain, err = tlog.ParseHash(v); err != nil {
				return nil, errMalformedCheckpoint
			}
			haveChain = true
		case "time":
			if c.Time, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return nil, errMalformedCheckpoint
			}
			haveTime = true
		}
	}
	if !haveChain || !haveTime {
		return nil, errMalformedCheckpoint
	}
	return c, nil
}

// ParseCheckpoint reads a signed checkpoint without checking its
// signature: for display, or when the signature is checked elsewhere.
func ParseCheckpoint(signed []byte) (*Checkpoint, error) {
	i := bytes.LastIndex(signed, []byte("\n\n"))
	if i < 0 {
		return nil, errMalformedCheckpoint
	}
	c, err := parseCheckpointText(string(signed[:i+1]))
	if err != nil {
		return nil, err
	}
	c.Note = signed
	return c, nil
}

// OpenCheckpoint checks the signature of a checkpoint against the known
// keys and reads it. The origin line must name the key that signed.
func OpenCheckpoint(signed []byte, known note.Verifiers) (*Checkpoint, error) {
	n, err := note.Open(signed, known)
	if err != nil {
		return nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return nil, err
	}
	for _, s := range n.Sigs {
		if s.Name == c.Origin {
			c.Note = signed
			return c, nil
		}
	}
	return nil, fmt.Errorf("checkpoint of origin %q is not signed by a key of that name", c.Origin)
}

// DefaultOrigin names the signing key the ledger makes when none exists.
const DefaultOrigin = "bawwab-ledger"

// openSigningKey reads the note signer key at path ("PRIVATE+KEY+name+
// hash+key"), creating it (mode 0600) with the given name when absent. It
// returns the signer and its public verifier key ("name+hash+key").
func openSigningKey(path, name string, rand io.Reader) (note.Signer, string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand, name)
		if err != nil {
			return nil, "", fmt.Errorf("generate signing key: %w", err)
		}
		if err := writeFileAtomic(path, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", fmt.Errorf("write signing key: %w", err)
		}
		data = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("read signing key: %w", err)
	}
	skey := strings.TrimSpace(string(data))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("signing key %s: %w", path, err)
	}
	// The seed is the fifth field (base64, which may hold "+"): derive the
	// public key from it.
	f := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(f[len(f)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return nil, "", fmt.Errorf("signing key %s: not an Ed25519 key", path)
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, "", err
	}
	return s, vkey, nil
}

// ParseVerifierKeys reads public verifier keys ("name+hash+key"), one a
// line (blank lines and # comments ignored), as written in a ledger's
// ledger.pub or passed to verify with --key.
func ParseVerifierKeys(text string) ([]note.Verifier, error) {
	var vs []note.Verifier
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		v, err := note.NewVerifier(l)
		if err != nil {
			return nil, fmt.Errorf("verifier key %q: %w", l, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, errors.New("no verifier key")
	}
	return vs, nil
}
