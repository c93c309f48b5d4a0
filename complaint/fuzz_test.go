package complaint_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/bawwab/bawwab/complaint"
)

func fuzzSeeds(f *testing.F) {
	for _, d := range inbox {
		f.Add(d.text, "Fwd: "+d.text)
	}
	for _, v := range variants {
		f.Add(v.text, v.want)
	}
	f.Add("", "")
	f.Add("\xff\xfe\x00", "De:\n\n\n")
	f.Add(strings.Repeat("a b ", 500), "STOP")
}

// FuzzSimilarity: no text makes the fingerprint or the scores panic, a
// fingerprint always parses back and fits the ledger, scores stay in
// [0, 1], and a text of enough words matches itself fully.
func FuzzSimilarity(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		fa := complaint.Fingerprint(a)
		if len(fa) > complaint.FingerprintSize || len(fa) < 3 || fa[0] != 1 {
			t.Fatalf("fingerprint of %d bytes: %x", len(fa), fa)
		}
		for _, s := range []float64{complaint.Similarity(a, b), complaint.Similarity(b, a), complaint.FingerprintSimilarity(b, fa), complaint.FingerprintSimilarity(a, fa)} {
			if !(s >= 0 && s <= 1) {
				t.Fatalf("score %v", s)
			}
		}
		if n := int(fa[1])<<8 | int(fa[2]); n >= 4 {
			if s := complaint.Similarity(a, a); s != 1 {
				t.Fatalf("a text of %d shingles against itself: %v", n, s)
			}
			if s := complaint.FingerprintSimilarity(a, fa); s < 0.999 {
				t.Fatalf("a text of %d shingles against its fingerprint: %v", n, s)
			}
		}
		if string(complaint.AppendFingerprint([]byte("x"), a)[1:]) != string(fa) {
			t.Fatal("AppendFingerprint differs from Fingerprint")
		}
	})
}

// FuzzParseForward: the parser never panics, returns valid UTF-8 for valid
// input, a body that is a part of the input, and a short sender.
func FuzzParseForward(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, a, _ string) {
		fw := complaint.ParseForward(a)
		if !strings.Contains(a, fw.Body) {
			t.Fatalf("body %q is not in the input", fw.Body)
		}
		if len(fw.Sender) > 32 {
			t.Fatalf("sender of %d bytes", len(fw.Sender))
		}
		if utf8.ValidString(a) && (!utf8.ValidString(fw.Body) || !utf8.ValidString(fw.Sender)) {
			t.Fatalf("invalid UTF-8 out of valid input: %q %q", fw.Sender, fw.Body)
		}
	})
}

// FuzzMaskNumbers: what comes out holds no run of 8 digits (of any
// script, grouped or not), and masking again changes nothing.
func FuzzMaskNumbers(f *testing.F) {
	fuzzSeeds(f)
	f.Add("0661234567 et +212 6 61 23 45 67", "")
	f.Fuzz(func(t *testing.T, a, _ string) {
		m := complaint.MaskNumbers(a)
		if complaint.MaskNumbers(m) != m {
			t.Fatalf("masking twice changes %q", m)
		}
		digits := 0
		for _, r := range m {
			switch {
			case unicode.IsDigit(r):
				digits++
				if digits >= 8 {
					t.Fatalf("8 digits left in %q", m)
				}
			case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '+' || r == '\u00a0' || r == '\u202f':
			default:
				digits = 0
			}
		}
	})
}

// FuzzFingerprintBytes: a fingerprint read from a ledger may be anything
// (another version, damage): scoring a report against it never panics and
// stays in [0, 1].
func FuzzFingerprintBytes(f *testing.F) {
	f.Add(m1, complaint.Fingerprint(m1))
	f.Add(m3, complaint.Fingerprint(m5))
	f.Add("", []byte{1, 0, 0})
	f.Add("x y z", []byte{1, 255, 255, 0, 1, 0, 1})
	f.Fuzz(func(t *testing.T, report string, fp []byte) {
		if s := complaint.FingerprintSimilarity(report, fp); !(s >= 0 && s <= 1) {
			t.Fatalf("score %v", s)
		}
	})
}
