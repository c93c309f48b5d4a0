package complaint

import (
	"encoding/binary"
	"math/bits"
	"sync"

	"github.com/bawwab/bawwab/textcheck"
)

// The content fingerprint of a message: what the gateway puts in the
// Fingerprint field of every decision entry of the ledger, and what a
// subscriber's report is compared with when the message's text has been
// purged by the retention policy.
//
// Version 1, at most 63 bytes (ledger.MaxFingerprintSize is 64):
//
//	byte 0        0x01, the version
//	bytes 1-2     n, the number of distinct shingle hashes of the text,
//	              big-endian (at most 65 535)
//	bytes 3...    the k smallest of them, k = min(n, 30), each 2 bytes
//	              big-endian, in increasing order
//
// The text is first normalised by textcheck (case, accents, Unicode
// compatibility forms, Arabic letter variants and digits, zero-width and
// bidi controls, white space), then cut into words: runs of ASCII letters
// and digits, or of letters of another script (Arabic), so that "ل5050" is
// two words; a word of a single letter ("l'", "d'") is dropped. The
// shingles are every word and every pair of consecutive words; the hash of
// a shingle is the top 16 bits of a 64-bit mix of the FNV-1a hashes of its
// words (see shingleHash). A text without any word has the fingerprint
// 0x01 0x00 0x00.
//
// Keeping the smallest hashes (a bottom-k sketch: a uniform sample of the
// text's shingles) rather than one hash of the whole text lets a report be
// compared with a message whose text is gone: the share of the sampled
// shingles found in the report estimates how much of the message the
// report holds, which survives the edits people make when they forward a
// message (a "Fwd:" or a comment added, the end cut off, a few words
// changed), while texts that merely share a brand name and "STOP au 5050"
// stay far apart. For texts of up to 30 distinct shingles (about 15 words)
// the sketch holds them all and the comparison is exact.
const (
	fingerprintVersion = 1
	sketchK            = 30
	// FingerprintSize is the size of a fingerprint of a text of 30
	// shingles or more, the largest.
	FingerprintSize = 3 + 2*sketchK
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
	f.text.Reset(text)
	return f.AppendNormalized(dst, f.text.Bytes())
}

// AppendNormalized appends the fingerprint of a text already normalised
// by textcheck (textcheck.Text.Bytes, textcheck.Normalize): the gateway,
// which normalises commercial texts for R4, need not do it twice.
func (f *Fingerprinter) AppendNormalized(dst, norm []byte) []byte {
	f.shinglesNormalized(norm, sketchK)
	dst = append(dst, fingerprintVersion)
	dst = binary.BigEndian.AppendUint16(dst, uint16(min(f.set.n, 0xFFFF)))
	for _, h := range f.set.bottom[:f.set.k] {
		dst = binary.BigEndian.AppendUint16(dst, h)
	}
	return dst
}

// shingles fills f.set with the shingles of text, keeping the k smallest
// (all when k < 0).
func (f *Fingerprinter) shingles(text string, k int) {
	f.text.Reset(text)
	f.shinglesNormalized(f.text.Bytes(), k)
}

func (f *Fingerprinter) shinglesNormalized(norm []byte, k int) {
	f.words = appendWords(f.words[:0], norm)
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
// puts in the Fingerprint field of each decision entry it accepts or
// defers (a refused message never reaches a subscriber, so it needs none),
// computed on the complete text, every part of a concatenated message
// reassembled and decoded — the text the ledger entry keeps. It is safe
// for concurrent use; AppendFingerprint avoids the allocation of the
// result, and a Fingerprinter per goroutine (AppendNormalized, when the
// text is normalised already) the pool. About 1 µs for an SMS of 160
// characters.
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
		if i-start <= 4 && countRunes(norm[start:i]) == 1 && !(cl == 1 && isDigit(norm[start])) {
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
// the k smallest, in order. A bitmap of the 65 536 values counts them
// without a map and, walked upwards through a summary of its non-empty
// words, yields them in order without a sort; it is cleared through the
// list of the values set.
type sketchSet struct {
	seen    [1 << 16 / 64]uint64
	summary [1 << 16 / 64 / 64]uint64 // bit w: seen[w] is not zero
	vals    []uint16                  // every distinct value, in the order added
	bottom  []uint16                  // the k smallest, in increasing order
	n, k    int
	limit   int
}

func (s *sketchSet) reset(limit int) {
	for _, v := range s.vals {
		s.seen[v>>6] = 0
	}
	s.summary = [len(s.summary)]uint64{}
	s.vals, s.bottom = s.vals[:0], s.bottom[:0]
	s.n, s.k, s.limit = 0, 0, limit
}

func (s *sketchSet) add(v uint16) {
	w, bit := v>>6, uint64(1)<<(v&63)
	if s.seen[w]&bit != 0 {
		return
	}
	s.seen[w] |= bit
	s.summary[w>>6] |= 1 << (w & 63)
	s.vals = append(s.vals, v)
	s.n++
}

// finish puts in bottom, in increasing order, the smallest limit distinct
// values (all of them when limit is negative).
func (s *sketchSet) finish() {
	want := s.n
	if s.limit >= 0 && want > s.limit {
		want = s.limit
	}
	out := s.bottom[:0]
	for i := 0; i < len(s.summary) && len(out) < want; i++ {
		for sw := s.summary[i]; sw != 0 && len(out) < want; sw &= sw - 1 {
			w := i<<6 | bits.TrailingZeros64(sw)
			for x := s.seen[w]; x != 0 && len(out) < want; x &= x - 1 {
				out = append(out, uint16(w<<6|bits.TrailingZeros64(x)))
			}
		}
	}
	s.bottom, s.k = out, len(out)
}

// sketch is a parsed fingerprint (or the full shingle set of a text): n
// distinct shingles, of which the smallest are in vals, in increasing
// order; complete when vals holds all n.
type sketch struct {
	n    int
	vals []uint16
}

func (s sketch) complete() bool { return len(s.vals) >= s.n }

// parseFingerprint reads a version-1 fingerprint into buf; ok is false
// for anything else (another version, a damaged one).
func parseFingerprint(fp []byte, buf []uint16) (sketch, bool) {
	if len(fp) < 3 || fp[0] != fingerprintVersion || len(fp)%2 != 1 {
		return sketch{}, false
	}
	n, k := int(binary.BigEndian.Uint16(fp[1:])), (len(fp)-3)/2
	if k > sketchK || k > n || (n <= sketchK && k != n) || (n > sketchK && k != sketchK) {
		return sketch{}, false
	}
	vals := buf[:0]
	for i := range k {
		v := binary.BigEndian.Uint16(fp[3+2*i:])
		if i > 0 && v <= vals[i-1] {
			return sketch{}, false
		}
		vals = append(vals, v)
	}
	return sketch{n: n, vals: vals}, true
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
