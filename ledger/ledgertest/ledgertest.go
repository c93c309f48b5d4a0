// Package ledgertest is the conformance suite of ledger.Store: the tests
// and benchmarks every storage of the audit ledger passes — the segment
// files of ledger.FileStore and the PostgreSQL tables of
// postgres.LedgerStore — in the manner of storetest for the stores of the
// registry: one suite, run by each store package from its own tests.
//
//	func TestLedgerStore(t *testing.T) {
//		ledgertest.Run(t, ledgertest.Backend{Name: "files", NewLocation: ..., Open: ...})
//	}
//
// It checks the Store contract itself (appends, sync, stored hashes,
// checkpoints, reads by index and in ranges, text purges, one writer at a
// time, what a reopened store holds), then a whole ledger on it: appends
// read back, filters, concurrent appends with group commit and a reopen,
// checkpoints and proofs, pseudonym lookups, purges that keep the ledger
// verifiable, and verification that catches an altered record.
package ledgertest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

// Backend is a ledger storage under test.
type Backend struct {
	// Name is the storage's name in messages ("files", "postgres").
	Name string
	// NewLocation returns where a new, empty ledger lives (a directory, an
	// origin in a schema), removed when the test ends.
	NewLocation func(t testing.TB) string
	// Open opens the store at loc, creating it if needed, for writing
	// unless readOnly.
	Open func(t testing.TB, loc string, readOnly bool) (ledger.Store, error)
	// Tamper, when set, alters the stored encoding of entry index of the
	// closed ledger at loc (one byte), the way someone with access to the
	// storage could; the suite checks that Verify names the entry.
	Tamper func(t testing.TB, loc string, index int64)
}

// Run runs the suite against b.
func Run(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b Backend)
	}{
		{"StoreContract", testStoreContract},
		{"StoreHashes", testStoreHashes},
		{"OneWriter", testOneWriter},
		{"AppendAndRead", testAppendAndRead},
		{"Filters", testFilters},
		{"ConcurrentAppendsAndReopen", testConcurrentAppends},
		{"CheckpointsAndProofs", testCheckpointsAndProofs},
		{"Pseudonyms", testPseudonyms},
		{"Purge", testPurge},
		{"Tamper", testTamper},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, b) })
	}
}

// detRand is a deterministic, concurrency-safe random source.
type detRand struct {
	mu   sync.Mutex
	seed string
	n    uint64
	buf  []byte
}

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

type clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

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

// env is one ledger on a backend, with its keys kept apart.
type env struct {
	t       testing.TB
	b       Backend
	loc     string
	keys    string
	keyring *ledger.Keyring
	clock   *clock
	rand    *detRand
	vkey    string
}

func newEnv(t testing.TB, b Backend) *env {
	t.Helper()
	e := &env{t: t, b: b, loc: b.NewLocation(t), keys: filepath.Join(t.TempDir(), "keys"),
		clock: &clock{t: t0, step: time.Millisecond}, rand: &detRand{seed: t.Name()}}
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

func (e *env) store(readOnly bool) ledger.Store {
	e.t.Helper()
	st, err := e.b.Open(e.t, e.loc, readOnly)
	if err != nil {
		e.t.Fatalf("open %s store: %v", e.b.Name, err)
	}
	return st
}

// open opens the ledger on a new store of the location.
func (e *env) open(mod ...func(*ledger.Options)) *ledger.Ledger {
	e.t.Helper()
	o := ledger.Options{SigningKeyFile: filepath.Join(e.keys, "signing.key"), Origin: "test-ledger", Keyring: e.keyring,
		Now: e.clock.Now, Rand: e.rand}
	for _, m := range mod {
		m(&o)
	}
	l, err := ledger.New(e.store(false), o)
	if err != nil {
		e.t.Fatalf("open ledger: %v", err)
	}
	e.vkey = l.PublicKey()
	return l
}

func (e *env) verifiers() []note.Verifier {
	e.t.Helper()
	v, err := note.NewVerifier(e.vkey)
	if err != nil {
		e.t.Fatal(err)
	}
	return []note.Verifier{v}
}

// verify verifies the ledger through a read-only store.
func (e *env) verify() *ledger.Report {
	e.t.Helper()
	st := e.store(true)
	defer st.Close()
	rep, err := ledger.Verify(context.Background(), st, ledger.VerifyOptions{Keys: e.verifiers()})
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

// Texts are realistic message texts (from the public corpus).
var texts = []string{
	"MODA SALA : Soldes jusqu'à -60% dès demain 10h sur les robes, les vestes et les accessoires ! Pour ne plus recevoir nos SMS, envoyez ARRET au 3030",
	"KechShop : votre commande n°KS-229184 a été expédiée. Livraison prévue le 14/06 entre 10h et 14h. Suivi : kechshop.ma/suivi",
	"مجموعة مدارس الزيتون الأزرق: دروس الدعم في الرياضيات والفيزياء ابتداء من 400 درهم شهريا. لإيقاف الرسائل أرسل STOP إلى 3434",
	"Koffati: t9edda mn darek o twsel lik f 2 sa3at! -15% 3la awel commande b code KOFFA15, livraison fabor mn 200 DH. Sift STOP l 4343",
	"أطلس ماركت: تخفيضات تصل إلى 40% على المواد الغذائية الأساسية طيلة شهر رمضان في جميع متاجرنا. للتوقف أرسل STOP إلى 5050",
}

func msisdnFor(i int) string { return fmt.Sprintf("+2126%08d", 10000000+i%90000000) }

// Decision returns a realistic decision entry number i (≈250 bytes
// encoded, a text of 120 to 200 characters): the entries the suite and the
// benchmarks append.
func Decision(i int) *bawwab.LedgerEntry {
	outcomes := []bawwab.Decision{
		{Outcome: bawwab.Accept, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Accept, Reason: bawwab.ReasonQuietHours, Monitored: true, RuleSet: "2025.06-1"},
		{Outcome: bawwab.Defer, Reason: bawwab.ReasonQuietHours, Until: t0.Add(12 * time.Hour), RuleSet: "2025.06-1"},
	}
	text := texts[i%len(texts)]
	fp := sha256.Sum256([]byte(text))
	e := &bawwab.LedgerEntry{
		ProviderID:    []string{"atlasvas", "medinasms", "sahara-push"}[i%3],
		AccountID:     fmt.Sprintf("smpp%02d", i%7),
		AdvertiserID:  []string{"atlas-market", "moda-sala", "kech-shop", "telmouj"}[i%4],
		SenderID:      []string{"ATLASMKT", "MODASALA", "KECHLIVR", "TELMOUJ"}[i%4],
		OperatorID:    []string{"iam", "orange", "inwi"}[i%3],
		MSISDN:        msisdnFor(i),
		Fingerprint:   fp[:16],
		Text:          text,
		SMSCMessageID: fmt.Sprintf("%016x", uint64(i)*0x9E3779B97F4A7C15),
	}
	e.SetDecision(outcomes[i%len(outcomes)])
	return e
}

func appendN(t testing.TB, l *ledger.Ledger, from, n int) {
	t.Helper()
	batch := make([]*bawwab.LedgerEntry, 0, 256)
	for i := from; i < from+n; i++ {
		en := Decision(i)
		en.Time = t0.Add(time.Duration(i) * time.Second)
		batch = append(batch, en)
		if len(batch) == cap(batch) || i == from+n-1 {
			if _, err := l.AppendBatch(context.Background(), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

func collect(t testing.TB, seq func(func(*bawwab.LedgerEntry, error) bool)) []*bawwab.LedgerEntry {
	t.Helper()
	var out []*bawwab.LedgerEntry
	for en, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, en)
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
