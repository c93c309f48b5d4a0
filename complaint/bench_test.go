package complaint_test

import (
	"strings"
	"testing"

	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/textcheck"
)

var benchTexts = []struct{ name, text string }{
	{"fr-70", m1[:70]},
	{"fr-160", m1 + " " + m2[:60]},
	{"ar-160", m3},
	{"fr-3parts-450", strings.Repeat(m2+" ", 4)[:450]},
}

// BenchmarkFingerprint is what the gateway pays per decision: the
// fingerprint of the message's text, into a reused buffer.
func BenchmarkFingerprint(b *testing.B) {
	for _, bt := range benchTexts {
		b.Run(bt.name, func(b *testing.B) {
			var f complaint.Fingerprinter
			buf := make([]byte, 0, complaint.FingerprintSize)
			b.ReportAllocs()
			b.SetBytes(int64(len(bt.text)))
			for b.Loop() {
				buf = f.Append(buf[:0], bt.text)
			}
		})
	}
	// The reference: textcheck's normalisation of the same text, which
	// the fingerprint starts with.
	b.Run("reference-normalise/fr-160", func(b *testing.B) {
		var t textcheck.Text
		b.ReportAllocs()
		for b.Loop() {
			t.Reset(benchTexts[1].text)
		}
	})
	// The gateway normalised the text already for R4.
	b.Run("normalized/fr-160", func(b *testing.B) {
		var f complaint.Fingerprinter
		norm := []byte(textcheck.Normalize(benchTexts[1].text))
		buf := make([]byte, 0, complaint.FingerprintSize)
		b.ReportAllocs()
		for b.Loop() {
			buf = f.AppendNormalized(buf[:0], norm)
		}
	})
	b.Run("pooled/fr-160", func(b *testing.B) {
		buf := make([]byte, 0, complaint.FingerprintSize)
		b.ReportAllocs()
		for b.Loop() {
			buf = complaint.AppendFingerprint(buf[:0], benchTexts[1].text)
		}
	})
}

// BenchmarkSimilarity is what matching a report costs per candidate
// message: against its kept text, or against its fingerprint.
func BenchmarkSimilarity(b *testing.B) {
	report := "Fwd: " + m1[:70] + " encore ce spam"
	fp := complaint.Fingerprint(m1)
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			complaint.Similarity(report, m1)
		}
	})
	b.Run("fingerprint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			complaint.FingerprintSimilarity(report, fp)
		}
	})
}
