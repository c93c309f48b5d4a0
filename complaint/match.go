package complaint

import (
	"strings"

	"github.com/bawwab/bawwab/textcheck"
)

// Similarity returns how much of a message a report holds, from 0 to 1:
// the share of the shingles (words and pairs of consecutive words) of the
// shorter of the two texts found in the other. A forwarded message with a
// "Fwd:" or a comment added scores 1, one cut in half scores 1, one with a
// few words changed loses a few hundredths per word; two promotions of the
// same brand that share its name and "STOP au 5050" stay under 0.5.
//
// A report must also share at least 4 shingles with the message (all of
// them for a message of fewer), so that a report of one word ("STOP")
// matches nothing.
func Similarity(report, message string) float64 {
	var f Fingerprinter
	a := f.fullSketch(report, nil)
	b := f.fullSketch(message, nil)
	return similarity(a, b)
}

// FingerprintSimilarity is Similarity between a report's text and the
// fingerprint of a message, for a message whose text the retention policy
// purged. It is 0 for a fingerprint of another version.
func FingerprintSimilarity(report string, fingerprint []byte) float64 {
	var buf [sketchK]uint16
	b, ok := parseFingerprint(fingerprint, buf[:])
	if !ok {
		return 0
	}
	var f Fingerprinter
	fp := f.Append(nil, report)
	var abuf [sketchK]uint16
	a, _ := parseFingerprint(fp, abuf[:])
	return similarity(a, b)
}

// fullSketch returns every distinct shingle of text (a complete sketch),
// appended to buf.
func (f *Fingerprinter) fullSketch(text string, buf []uint16) sketch {
	f.shingles(text, -1)
	return sketch{n: f.set.n, vals: append(buf[:0], f.set.vals...)}
}

// minShared is the number of shingles a report must share with a message.
const minShared = 4

// similarity scores report a against message b (see Similarity).
func similarity(a, b sketch) float64 {
	if a.n == 0 || b.n == 0 {
		return 0
	}
	common := overlap(a, b)
	if common < float64(min(minShared, b.n))-0.5 {
		return 0
	}
	s := common / float64(min(a.n, b.n))
	return min(s, 1)
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
