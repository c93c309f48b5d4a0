package ledger

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bawwab/bawwab"
)

// A Keyring holds the secret keys that turn subscriber numbers into
// pseudonyms: HMAC-SHA256(key, number), the number in E.164 form
// ("+212612345678"). The keys live in a file of their own, never in the
// configuration and never beside the ledger, so that a copy of the ledger
// reveals no number. Keys rotate: the last key of the file is the current
// one, and the earlier ones stay so that an inspector can still find the
// entries written under them.
//
// The file is text, one key a line: the key id (8 hex digits), the time
// the key was made (RFC 3339) and the key (32 bytes, base64); lines
// starting with # are comments. The key id is the first four bytes of
// HMAC-SHA256(key, "bawwab pseudonym key id").
type Keyring struct {
	path string
	rand io.Reader
	now  func() time.Time
	mu   sync.Mutex // serialises rotations
	keys atomic.Pointer[[]*pseudonymKey]
}

type pseudonymKey struct {
	id      uint32
	secret  []byte
	created time.Time
	pool    sync.Pool // of HMAC states under this key
}

func newPseudonymKey(secret []byte, created time.Time) (*pseudonymKey, error) {
	if len(secret) != 32 {
		return nil, fmt.Errorf("key of %d bytes (want 32)", len(secret))
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("bawwab pseudonym key id"))
	id := binary.BigEndian.Uint32(m.Sum(nil))
	if id == 0 {
		return nil, errors.New("key id 0 is reserved")
	}
	k := &pseudonymKey{id: id, secret: secret, created: created}
	k.pool.New = func() any { return &hmacState{h: hmac.New(sha256.New, secret)} }
	return k, nil
}

// hmacState is a reusable HMAC with buffers of its own, so that computing
// a pseudonym allocates nothing.
type hmacState struct {
	h   hash.Hash
	in  []byte
	out [sha256.Size]byte
}

func (k *pseudonymKey) pseudonym(msisdn string) bawwab.Pseudonym {
	st := k.pool.Get().(*hmacState)
	st.h.Reset()
	st.in = append(st.in[:0], msisdn...)
	st.h.Write(st.in)
	st.h.Sum(st.out[:0])
	p := bawwab.Pseudonym{KeyID: k.id, Sum: st.out}
	k.pool.Put(st)
	return p
}

// KeyringOptions says how to open a keyring.
type KeyringOptions struct {
	// Create makes the file with one new key when it does not exist.
	Create bool
	// Rand is the source of new keys (crypto/rand when nil).
	Rand io.Reader
	// Now stamps new keys (time.Now when nil).
	Now func() time.Time
}

// OpenKeyring reads the keyring at path, creating it first (mode 0600)
// when opts.Create is set and it does not exist.
func OpenKeyring(path string, opts KeyringOptions) (*Keyring, error) {
	k := &Keyring{path: path, rand: opts.Rand, now: opts.Now}
	if k.rand == nil {
		k.rand = rand.Reader
	}
	if k.now == nil {
		k.now = time.Now
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && opts.Create {
		key, err := k.generate()
		if err != nil {
			return nil, fmt.Errorf("create pseudonym keyring: %w", err)
		}
		if err := k.write([]*pseudonymKey{key}); err != nil {
			return nil, fmt.Errorf("create pseudonym keyring: %w", err)
		}
		k.keys.Store(&[]*pseudonymKey{key})
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open pseudonym keyring: %w", err)
	}
	keys, err := parseKeyring(data)
	if err != nil {
		return nil, fmt.Errorf("open pseudonym keyring %s: %w", path, err)
	}
	k.keys.Store(&keys)
	return k, nil
}

func parseKeyring(data []byte) ([]*pseudonymKey, error) {
	var keys []*pseudonymKey
	seen := map[uint32]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Fields(text)
		if len(f) != 3 {
			return nil, fmt.Errorf("line %d: want KEYID TIME KEY", line)
		}
		id, err := strconv.ParseUint(f[0], 16, 32)
		if err != nil || len(f[0]) != 8 {
			return nil, fmt.Errorf("line %d: bad key id %q", line, f[0])
		}
		created, err := time.Parse(time.RFC3339, f[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: bad time %q", line, f[1])
		}
		secret, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil {
			return nil, fmt.Errorf("line %d: bad key encoding", line)
		}
		key, err := newPseudonymKey(secret, created)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if key.id != uint32(id) {
			return nil, fmt.Errorf("line %d: key id %s does not match the key (%08x)", line, f[0], key.id)
		}
		if seen[key.id] {
			return nil, fmt.Errorf("line %d: key %s listed twice", line, f[0])
		}
		seen[key.id] = true
		keys = append(keys, key)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return keys, nil
}

// generate makes a new key (not yet in the file).
func (k *Keyring) generate() (*pseudonymKey, error) {
	for range 100 {
		secret := make([]byte, 32)
		if _, err := io.ReadFull(k.rand, secret); err != nil {
			return nil, fmt.Errorf("generate key: %w", err)
		}
		key, err := newPseudonymKey(secret, k.now().UTC().Truncate(time.Second))
		if err != nil || k.lookup(key.id) != nil {
			continue // key id 0, or the id of an older key: draw again
		}
		return key, nil
	}
	return nil, errors.New("generate key: the random source repeats itself")
}

func (k *Keyring) lookup(id uint32) *pseudonymKey {
	if p := k.keys.Load(); p != nil {
		for _, key := range *p {
			if key.id == id {
				return key
			}
		}
	}
	return nil
}

// write replaces the file with keys, atomically and durably.
func (k *Keyring) write(keys []*pseudonymKey) error {
	var b bytes.Buffer
	b.WriteString("# bawwab pseudonym keys: HMAC-SHA256 over subscriber numbers in E.164 form.\n")
	b.WriteString("# SECRET. Keep apart from the ledger; readable only by the gateway and inspectors.\n")
	b.WriteString("# key-id created key(base64); the last line is the current key.\n")
	for _, key := range keys {
		fmt.Fprintf(&b, "%08x %s %s\n", key.id, key.created.Format(time.RFC3339), base64.StdEncoding.EncodeToString(key.secret))
	}
	return writeFileAtomic(k.path, b.Bytes(), 0o600)
}

// install makes key the current one, writing the file first.
func (k *Keyring) install(key *pseudonymKey) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	keys := append(append([]*pseudonymKey(nil), *k.keys.Load()...), key)
	if err := k.write(keys); err != nil {
		return err
	}
	k.keys.Store(&keys)
	return nil
}

func (k *Keyring) current() *pseudonymKey {
	keys := *k.keys.Load()
	return keys[len(keys)-1]
}

// CurrentKeyID returns the id of the key new pseudonyms are made with.
func (k *Keyring) CurrentKeyID() uint32 { return k.current().id }

// KeyIDs returns the ids of every key, oldest first.
func (k *Keyring) KeyIDs() []uint32 {
	var ids []uint32
	for _, key := range *k.keys.Load() {
		ids = append(ids, key.id)
	}
	return ids
}

// Pseudonym returns the pseudonym of msisdn under the current key.
func (k *Keyring) Pseudonym(msisdn string) bawwab.Pseudonym {
	return k.current().pseudonym(msisdn)
}

// Pseudonyms returns the pseudonyms of msisdn under every key: what an
// inspector looks for to find all the entries about a number.
func (k *Keyring) Pseudonyms(msisdn string) []bawwab.Pseudonym {
	keys := *k.keys.Load()
	ps := make([]bawwab.Pseudonym, len(keys))
	for i, key := range keys {
		ps[i] = key.pseudonym(msisdn)
	}
	return ps
}

// LogValue returns a log value that prints msisdn as the short form of its
// pseudonym ("p:3fa2c1d9e0b4"), computed only if the record is logged:
//
//	logger.Info("refused", "recipient", keys.LogValue(msisdn))
//
// A nil keyring prints "p:redacted"; the number is never printed.
func (k *Keyring) LogValue(msisdn string) slog.Value {
	return slog.AnyValue(redacted{k: k, msisdn: msisdn})
}

type redacted struct {
	k      *Keyring
	msisdn string
}

func (r redacted) LogValue() slog.Value { return slog.StringValue(r.String()) }

func (r redacted) String() string {
	if r.k == nil {
		return "p:redacted"
	}
	return r.k.Pseudonym(r.msisdn).Short()
}

// GoString keeps %#v from printing the number.
func (r redacted) GoString() string { return r.String() }

// writeFileAtomic writes data to a temporary file, syncs it, renames it
// over path and syncs the directory, so that path holds either the old or
// the new content after a crash.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
