package complaint

import (
	"encoding/binary"
	"slices"
	"sync"

	"github.com/bawwab/bawwab/textcheck"
)

// The content fingerprint of a message: what the gateway puts in the
// Fingerprint field of every decision entry of the ledger, and what a
// subscriber's report is compared with when the message's text has been
// purged by the retention policy.
//
// Version 1, at most 64 bytes (ledger.MaxFingerprintSize):
//
//	byte 0        0x01, the version
//	byte 1        n, the number of distinct shingles of the text (at most 255)
//	bytes 2...    the k smallest distinct shingle hashes, k = min(n, 31),
//	              each 2 bytes big-endian, in increasing order
//
// The text is first normalised by textcheck (case, accents, Unicode
// compatibility forms, Arabic letter variants and digits, zero-width and
// bidi controls, white space), then cut into words: runs of ASCII letters
// and digits, or of letters of another script (Arabic), so that "ل5050" is
// two words; a word of a single letter ("l'", "d'") is dropped. The
// shingles are every word and every pair of consecutive words; the hash of
// a shingle is the top 16 bits of a 64-bit mix of the FNV-1a hashes of its
// words (see shingleHash). A text without any word has the fingerprint
// 0x01 0x00.
//
// Keeping the smallest hashes (a bottom-k sketch) rather than one hash of
// the whole text lets two fingerprints be compared: the share of the
// smaller text's shingles found in the other survives the edits people
// make when they forward a message (a "Fwd:" or a comment added, the end
// cut off, a few words changed), while texts that merely share a brand
// name and "STOP au 5050" stay far apart. For texts of up to 31 distinct
// shingles (about 16 words) the sketch holds them all and the comparison
// is exact; beyond, it is an estimate (about ±0.1).
const (
	fingerprintVersion = 1
	sketchK            = 31
	// FingerprintSize is the size of a fingerprint of a text of 31
	// shingles or more, the largest.
	FingerprintSize = 2 + 2*sketchK
)

// Fingerprinter computes fingerprints, reusing its buffers: it does not
// allocate once they have grown. It is not safe for concurrent use; the
// package function Fingerprint pools them.
type Fingerprinter struct {
	text  textcheck.Text
	set   sketchSet
	words []uint64
}

// Append appends the fingerprint of text to dst.
func (f *Fingerprinter) Append(dst []byte, text string) []byte {
	f.shingles(text, sketchK)
	dst = append(dst, fingerprintVersion, byte(min(f.set.n, 255)))
	for _, h := range f.set.bottom[:f.set.k] {
		dst = binary.BigEndian.AppendUint16(dst, h)
	}
	return dst
}

// shingles fills f.set with the shingles of text, keeping the k smallest.
func (f *Fingerprinter) shingles(text string, k int) {
	f.text.Reset(text)
	f.words = appendWords(f.words[:0], f.text.Bytes())
	f.set.reset(k)
	for i, w := range f.words {
		f.set.add(shingleHash(w, 0))
		if i+1 < len(f.words) {
			f.set.add(shingleHash(w, f.words[i+1]))
		}
	}
	f.set.finish()
}

var fingerprinters = sync.Pool{New: func() any { return new(Fingerprinter) }}

// Fingerprint returns the fingerprint of a message text: what the gateway
// puts in the Fingerprint field of each decision entry (see the format
// above). It is safe for concurrent use; AppendFingerprint avoids the
// allocation of the result.
func Fingerprint(text string) []byte {
	return AppendFingerprint(make([]byte, 0, FingerprintSize), text)
}

// AppendFingerprint appends the fingerprint of text to dst.
func AppendFingerprint(dst []byte, text string) []byte {
	f := fingerprinters.Get().(*Fingerprinter)
	dst = f.Append(dst, text)
	if cap(f.words) > 4096 {
		f.words = nil
	}
	fingerprinters.Put(f)
	return dst
}

// appendWords appends the FNV-1a hash of each word of a normalised text.
func appendWords(dst []uint64, norm []byte) []uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	i, n := 0, len(norm)
	for i < n {
		c := norm[i]
		cl := wordClass(c)
		if cl == 0 {
			i++
			continue
		}
		h := uint64(offset)
		start := i
		for i < n && wordClass(norm[i]) == cl {
			h ^= uint64(norm[i])
			h *= prime
			i++
		}
		if runes := countRunes(norm[start:i]); runes == 1 && !(cl == 1 && isDigit(norm[start])) {
			continue // a single letter: an elided article, a stray initial
		}
		dst = append(dst, h)
	}
	return dst
}

// wordClass is 1 for ASCII letters and digits, 2 for the bytes of letters
// of other scripts (the normalised form keeps no other symbol beyond
// ASCII), 0 for what separates words.
func wordClass(c byte) uint8 {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c >= 'A' && c <= 'Z':
		return 1
	case c >= 0x80:
		return 2
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func countRunes(b []byte) int {
	n := 0
	for _, c := range b {
		if c < 0x80 || c >= 0xC0 {
			n++
		}
	}
	return n
}

// shingleHash mixes the hashes of one word (b == 0) or two into 16 bits
// (splitmix64's finaliser, top bits).
func shingleHash(a, b uint64) uint16 {
	x := a
	if b != 0 {
		x = a*0x9E3779B97F4A7C15 ^ (b + 0x632BE59BD9B4E019)
	}
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return uint16(x >> 48)
}

// sketchSet counts the distinct 16-bit shingle hashes of a text and keeps
// the k smallest. A bitmap of the 65 536 values, cleared through the list
// of the values set, counts them without a map.
type sketchSet struct {
	seen   [1 << 16 / 64]uint64
	vals   []uint16 // every distinct value, to clear seen
	bottom []uint16
	n, k   int
	limit  int
}

func (s *sketchSet) reset(limit int) {
	for _, v := range s.vals {
		s.seen[v>>6] = 0
	}
	s.vals = s.vals[:0]
	s.n, s.k, s.limit = 0, 0, limit
}

func (s *sketchSet) add(v uint16) {
	w, bit := v>>6, uint64(1)<<(v&63)
	if s.seen[w]&bit != 0 {
		return
	}
	s.seen[w] |= bit
	s.vals = append(s.vals, v)
	s.n++
}

// finish sorts the distinct values and keeps the smallest limit of them
// (all of them when limit is negative).
func (s *sketchSet) finish() {
	slices.Sort(s.vals)
	s.k = len(s.vals)
	if s.limit >= 0 && s.k > s.limit {
		s.k = s.limit
	}
	s.bottom = s.vals
}

// sketch is a parsed fingerprint (or the full shingle set of a text): n
// distinct shingles, of which the smallest are in vals, in increasing
// order; complete when vals holds all n.
type sketch struct {
	n    int
	vals []uint16
}

func (s sketch) complete() bool { return len(s.vals) >= s.n }

// parseFingerprint reads a version-1 fingerprint; ok is false for anything
// else (another version, a damaged one).
func parseFingerprint(fp []byte, buf []uint16) (sketch, bool) {
	if len(fp) < 2 || fp[0] != fingerprintVersion || len(fp)%2 != 0 {
		return sketch{}, false
	}
	n, k := int(fp[1]), (len(fp)-2)/2
	if k > sketchK || k > n || (n <= sketchK && k != n) || (n > sketchK && k != sketchK) {
		return sketch{}, false
	}
	vals := buf[:0]
	for i := range k {
		v := binary.BigEndian.Uint16(fp[2+2*i:])
		if i > 0 && v <= vals[i-1] {
			return sketch{}, false
		}
		vals = append(vals, v)
	}
	return sketch{n: n, vals: vals}, true
}

// overlap returns the estimated number of shingles a and b share, from
// the bottom-k sketch of their union: the share of its values found in
// both estimates the Jaccard index J, and |A ∩ B| = J·(|A|+|B|)/(1+J).
// When both sketches are complete the count is exact.
func overlap(a, b sketch) float64 {
	if a.n == 0 || b.n == 0 {
		return 0
	}
	if a.complete() && b.complete() {
		return float64(countCommon(a.vals, b.vals))
	}
	k := min(len(a.vals), len(b.vals))
	if k == 0 {
		return 0
	}
	// Walk the union in increasing order, for its k smallest values.
	i, j, taken, both := 0, 0, 0, 0
	for taken < k && (i < len(a.vals) || j < len(b.vals)) {
		switch {
		case j >= len(b.vals) || i < len(a.vals) && a.vals[i] < b.vals[j]:
			i++
		case i >= len(a.vals) || b.vals[j] < a.vals[i]:
			j++
		default:
			i++
			j++
			both++
		}
		taken++
	}
	jac := float64(both) / float64(taken)
	return jac * float64(a.n+b.n) / (1 + jac)
}

func countCommon(a, b []uint16) int {
	i, j, n := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case b[j] < a[i]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}
