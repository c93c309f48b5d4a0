package msisdn

import (
	"errors"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"", "+", "0612345678", "+212 (0)6 12 34 56 78", "00212612345678", "212612345678",
	"٠٦١٢٣٤٥٦٧٨", "۰۶۹۱۲۳۴۵۶۷", "０６２２３３４４５５", "\u200f06 12\u00a034 56 78",
	"+33 (0)6 12 34 56 78", "+44 7700 900123", "+39 06 4991 1234", "+1 202 555 0143",
	"0661234567 / 0522456789", "06 61 23 45 67 poste 12", "0522123456#12", "téléphone",
	"+2126612345678", "0800 00 45 45", "\xff\xfe", "((0))", "+212+212", "0612345678 ou 0522123456",
}

// FuzzParse checks that no input panics, that every refusal is one of the
// package's reasons, and that every number parsed re-parses from its E.164
// form to the same value, through every entry point.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		b, berr := ParseBytes([]byte(s))
		if b != n || berr != err {
			t.Fatalf("ParseBytes(%q) = %#v, %v; Parse = %#v, %v", s, b, berr, n, err)
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !n.IsZero() {
				t.Fatalf("Parse(%q) = %#v, %v: want the zero Number and an *Error", s, n, err)
			}
			return
		}
		e := n.E164()
		if len(e) < 4 || len(e) > 21 || e[0] != '+' || strings.Trim(e[1:], "0123456789") != "" {
			t.Fatalf("Parse(%q).E164() = %q", s, e)
		}
		checkRoundTrip(t, s, n)
		if n.Moroccan() {
			// Moroccan numbers never allocate, whatever their form
			// (AllocsPerRun's integer average forgives a stray allocation
			// from elsewhere in the process).
			if allocs := testing.AllocsPerRun(10, func() { Parse(s) }); allocs != 0 {
				t.Fatalf("Parse(%q) allocates %.0f times", s, allocs)
			}
		}
	})
}

// FuzzParseAddress feeds SMPP addresses of every type of number.
func FuzzParseAddress(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(byte(TONInternational), []byte(s))
		f.Add(byte(TONNational), []byte(s))
	}
	f.Fuzz(func(t *testing.T, ton byte, addr []byte) {
		n, err := ParseAddress(ton, addr)
		if err != nil {
			if !n.IsZero() {
				t.Fatalf("ParseAddress(%d, %q) failed but returned %#v", ton, addr, n)
			}
			return
		}
		checkRoundTrip(t, string(addr), n)
	})
}

// FuzzLoadPortability checks that a portability file never panics the
// loader and that a failed load changes nothing.
func FuzzLoadPortability(f *testing.F) {
	f.Add("number,operator\n0661234567,inwi\n")
	f.Add("# c\n+212 6 12 34 56 78 , Maroc Telecom,x\n212700123456,orange\n")
	f.Add("0661234567,\"in\nwi\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		ops := NewOperators()
		home := mustParse(t, "0661234567")
		if err := ops.Port(home, Orange); err != nil {
			t.Fatal(err)
		}
		lines, err := ops.LoadPortability(strings.NewReader(in))
		if err != nil {
			if ops.Ported() != 1 || ops.Operator(home) != Orange {
				t.Fatalf("a failed load changed the table")
			}
			return
		}
		if lines > strings.Count(in, "\n")+1 || ops.Ported() > lines+1 {
			t.Fatalf("%d lines read, %d ported, from %d lines", lines, ops.Ported(), strings.Count(in, "\n")+1)
		}
	})
}
