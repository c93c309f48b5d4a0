package ledger_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

// detRand is a deterministic, concurrency-safe random source: SHA-256 in
// counter mode over a seed.
type detRand struct {
	mu   sync.Mutex
	seed string
	n    uint64
	buf  []byte
}

func newRand(seed string) *detRand { return &detRand{seed: seed} }

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], r.n)
		r.n++
		s := sha256.Sum256(append([]byte(r.seed), c[:]...))
		r.buf = append(r.buf, s[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// clock is a settable clock that advances by step at each reading.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newClock(t time.Time, step time.Duration) *clock { return &clock{t: t, step: step} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var t0 = time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)

// env is a ledger directory with its keys kept apart, as in production.
type env struct {
	t       testing.TB
	dir     string // the ledger
	keys    string // the directory of the secret keys
	keyring *ledger.Keyring
	clock   *clock
	rand    *detRand
}

func newEnv(t testing.TB) *env {
	t.Helper()
	root := t.TempDir()
	e := &env{t: t, dir: filepath.Join(root, "ledger"), keys: filepath.Join(root, "keys"),
		clock: newClock(t0, time.Millisecond), rand: newRand(t.Name())}
	if err := os.MkdirAll(e.keys, 0o700); err != nil {
		t.Fatal(err)
	}
	kr, err := ledger.OpenKeyring(filepath.Join(e.keys, "pseudonym.keys"), ledger.KeyringOptions{Create: true, Rand: e.rand, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.keyring = kr
	return e
}

func (e *env) options() ledger.Options {
	return ledger.Options{
		SigningKeyFile: filepath.Join(e.keys, "signing.key"),
		Origin:         "test-ledger",
		Keyring:        e.keyring,
		Now:            e.clock.Now,
		Rand:           e.rand,
	}
}

func (e *env) open(mod ...func(*ledger.Options)) *ledger.Ledger {
	e.t.Helper()
	o := e.options()
	for _, m := range mod {
		m(&o)
	}
	l, err := ledger.Open(e.dir, o)
	if err != nil {
		e.t.Fatalf("open: %v", err)
	}
	return l
}

func (e *env) verifiers() []note.Verifier {
	e.t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "ledger.pub"))
	if err != nil {
		e.t.Fatal(err)
	}
	vs, err := ledger.ParseVerifierKeys(string(data))
	if err != nil {
		e.t.Fatal(err)
	}
	return vs
}

func (e *env) verify() *ledger.Report {
	e.t.Helper()
	rep, err := ledger.VerifyDir(context.Background(), e.dir, ledger.VerifyOptions{Keys: e.verifiers()}, nil)
	if err != nil {
		e.t.Fatalf("verify: %v", err)
	}
	return rep
}

func (e *env) mustVerify() *ledger.Report {
	e.t.Helper()
	rep := e.verify()
	if rep.Problem != nil {
		e.t.Fatalf("verify: %v", rep.Problem)
	}
	return rep
}

// Realistic message texts, from the public corpus (testdata/texts.txt).
var texts = func() []string {
	f, err := os.Open("testdata/texts.txt")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}()

// msisdnFor returns a Moroccan mobile number for i.
func msisdnFor(i int) string { return fmt.Sprintf("+2126%08d", 10000000+i%90000000) }

// decision returns a realistic decision entry (≈250 bytes encoded, with a
// text of about 160 characters).
func decision(i int) *bawwab.LedgerEntry {
	outcomes := []bawwab.Decision{
		{Outcome: bawwab.Accept, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Accept, Reason: bawwab.ReasonQuietHours, Monitored: true, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Defer, Reason: bawwab.ReasonQuietHours, Until: t0.Add(12 * time.Hour), RuleSet: "2025.06-1"},
	}
	e := &bawwab.LedgerEntry{
		ProviderID:    []string{"atlasvas", "medinasms", "sahara-push"}[i%3],
		AccountID:     fmt.Sprintf("smpp%02d", i%7),
		AdvertiserID:  []string{"atlas-market", "moda-sala", "kech-shop", "telmouj"}[i%4],
		SenderID:      []string{"ATLASMKT", "MODASALA", "KECHLIVR", "TELMOUJ"}[i%4],
		OperatorID:    []string{"iam", "orange", "inwi"}[i%3],
		MSISDN:        msisdnFor(i),
		Fingerprint:   fingerprint(i),
		Text:          texts[i%len(texts)],
		SMSCMessageID: fmt.Sprintf("%016x", uint64(i)*0x9E3779B97F4A7C15),
	}
	e.SetDecision(outcomes[i%len(outcomes)])
	return e
}

func fingerprint(i int) []byte {
	s := sha256.Sum256([]byte(texts[i%len(texts)]))
	return s[:16]
}

func appendN(t testing.TB, l *ledger.Ledger, n int) {
	t.Helper()
	batch := make([]*bawwab.LedgerEntry, 0, 256)
	for i := range n {
		batch = append(batch, decision(i))
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := l.AppendBatch(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
