package complaint

import (
	"strings"

	"github.com/bawwab/bawwab/textcheck"
)

// Similarity returns how much of a message a report holds, from 0 to 1:
// the share of the shingles (words and pairs of consecutive words) of the
// shorter of the two texts found in the other. A forwarded message with a
// "Fwd:" or a comment added scores 1, one cut in half scores 1, one with a
// few words changed loses a few hundredths per word; messages of two
// brands that share "STOP au 5050" and a price score under 0.55.
//
// The report must also share at least a quarter of the message's shingles,
// and at least 4 (all of them for a message of fewer), so that a report of
// a word or two ("STOP au 5050") matches nothing.
func Similarity(report, message string) float64 {
	var f Fingerprinter
	a := f.fullSketch(report, nil)
	b := f.fullSketch(message, nil)
	return similarity(a, b)
}

// FingerprintSimilarity is Similarity between a report's text and the
// fingerprint of a message, for a message whose text the retention policy
// purged: the message's shingles found in the report are counted in the
// fingerprint's sample of them. It is 0 for a fingerprint of another
// version.
func FingerprintSimilarity(report string, fingerprint []byte) float64 {
	var buf [sketchK]uint16
	m, ok := parseFingerprint(fingerprint, buf[:])
	if !ok {
		return 0
	}
	var f Fingerprinter
	return similarity(f.fullSketch(report, nil), m)
}

// fullSketch returns every distinct shingle of text (a complete sketch),
// appended to buf.
func (f *Fingerprinter) fullSketch(text string, buf []uint16) sketch {
	f.shingles(text, -1)
	return sketch{n: f.set.n, vals: append(buf[:0], f.set.bottom...)}
}

// minShared is the least number of shingles a report shares with a
// message; minShare the least share of the message's shingles.
const (
	minShared = 4
	minShare  = 0.25
)

// similarity scores a report r (complete: every shingle) against a
// message m (complete, or the bottom-k sample of a fingerprint).
func similarity(r, m sketch) float64 {
	if r.n == 0 || m.n == 0 || len(m.vals) == 0 {
		return 0
	}
	common := float64(countCommon(r.vals, m.vals))
	if !m.complete() {
		// The sample holds the message's shingles below its largest
		// value, one in n/k: scale the count found up.
		common *= float64(m.n) / float64(len(m.vals))
	}
	if common+1e-9 < max(float64(min(minShared, m.n)), minShare*float64(m.n)) {
		return 0
	}
	return min(common/float64(min(r.n, m.n)), 1)
}

// senderKey is a sender ID as compared: normalised (case, accents) and
// without spaces or punctuation, so that "ATLAS MKT", "AtlasMkt" and
// "atlas-mkt" are one sender.
func senderKey(s string) string {
	n := textcheck.Normalize(s)
	var b strings.Builder
	for i := 0; i < len(n); i++ {
		if wordClass(n[i]) != 0 {
			b.WriteByte(n[i])
		}
	}
	return b.String()
}

// headNames reports whether the start of a report (its first 120 bytes,
// normalised, without spaces or punctuation) names the sender: people
// paste "ATLASMKT: ..." or the sender's name before the message.
func headNames(reportKey, sender string) bool {
	k := senderKey(sender)
	if len(k) < 3 {
		return false
	}
	head := reportKey
	if len(head) > 120 {
		head = head[:120]
	}
	return strings.Contains(head, k)
}
