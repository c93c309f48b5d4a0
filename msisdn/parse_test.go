package msisdn

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestParseValid covers the forms beyond the corpus: the same few numbers
// written every way people and machines write them.
func TestParseValid(t *testing.T) {
	tests := []struct {
		in     string
		e164   string
		kind   Kind
		region string
	}{
		// Moroccan forms.
		{"0612345678", "+212612345678", Mobile, "MA"},
		{"612345678", "+212612345678", Mobile, "MA"}, // the trunk zero lost in a spreadsheet
		{"212612345678", "+212612345678", Mobile, "MA"},
		{"2120612345678", "+212612345678", Mobile, "MA"},
		{"+2120612345678", "+212612345678", Mobile, "MA"},
		{"+212(0)612345678", "+212612345678", Mobile, "MA"},
		{"00212-6-12-34-56-78", "+212612345678", Mobile, "MA"},
		{"00 212 (0) 612 345 678", "+212612345678", Mobile, "MA"},
		{"(+212)612345678", "+212612345678", Mobile, "MA"},
		{"[06] 12 34 56 78", "+212612345678", Mobile, "MA"},
		{"06/12/34/56/78", "+212612345678", Mobile, "MA"},
		{"0612345678,", "+212612345678", Mobile, "MA"}, // a CSV's trailing comma
		{`"0612345678"`, "+212612345678", Mobile, "MA"},
		{"'0612345678", "+212612345678", Mobile, "MA"}, // a spreadsheet's text marker
		{"« 06 12 34 56 78 »", "+212612345678", Mobile, "MA"},
		{"+212 6 12 34 56 78\r\n", "+212612345678", Mobile, "MA"},
		{"\u200f+212 612 345 678\u200f", "+212612345678", Mobile, "MA"}, // bidi marks from Arabic text
		{"\ufeff0612345678", "+212612345678", Mobile, "MA"},             // a byte order mark on a file's first line
		{"06\u00a012\u00a034\u00a056\u00a078", "+212612345678", Mobile, "MA"},
		{"06\u202f12\u202f34\u202f56\u202f78", "+212612345678", Mobile, "MA"},
		{"06–12–34–56–78", "+212612345678", Mobile, "MA"},
		{"０６１２３４５６７８", "+212612345678", Mobile, "MA"},
		{"＋２１２ ６１２ ３４５ ６７８", "+212612345678", Mobile, "MA"},
		{"۰۶۱۲۳۴۵۶۷۸", "+212612345678", Mobile, "MA"},
		{"٠٦١٢٣٤٥٦٧٨", "+212612345678", Mobile, "MA"},
		{"06١٢345٦٧8", "+212612345678", Mobile, "MA"}, // mixed scripts
		{"٠٠٢١٢٧٠٠١٢٣٤٥٦", "+212700123456", Mobile, "MA"},
		{"0799999999", "+212799999999", Mobile, "MA"},
		{"0522123456", "+212522123456", FixedLine, "MA"},
		{"0599999999", "+212599999999", FixedLine, "MA"},
		{"0801234567", "+212801234567", TollFree, "MA"},
		{"0807000000", "+212807000000", TollFree, "MA"},
		{"0891234567", "+212891234567", PremiumRate, "MA"},
		{"0820123456", "+212820123456", Special, "MA"},
		{"0808123456", "+212808123456", Special, "MA"},
		// Foreign numbers.
		{"+33 (0)6 12 34 56 78", "+33612345678", Mobile, "FR"},
		{"0033612345678", "+33612345678", Mobile, "FR"},
		{"+1 (202) 555-0143", "+12025550143", FixedOrMobile, "US"},
		{"+49 1512 3456789", "+4915123456789", Mobile, "DE"},
		{"+39 06 4991 1234", "+390649911234", FixedLine, "IT"}, // Italy keeps the leading zero
		{"+216 20 123 456", "+21620123456", Mobile, "TN"},
		{"+44 20 7123 4567", "+442071234567", FixedLine, "GB"},
		{"+44 7700 900 999", "+447700900999", Mobile, "GB"}, // reserved for fiction, read by its block
		{"+800 1234 5678", "+80012345678", TollFree, "001"},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if n.E164() != tt.e164 || n.Kind() != tt.kind || n.Region() != tt.region {
			t.Errorf("Parse(%q) = %s %s %s, want %s %s %s", tt.in, n.E164(), n.Kind(), n.Region(), tt.e164, tt.kind, tt.region)
		}
		if n.Mobile() != (tt.kind == Mobile || tt.kind == FixedOrMobile) {
			t.Errorf("Parse(%q).Mobile() = %v for kind %s", tt.in, n.Mobile(), n.Kind())
		}
		checkRoundTrip(t, tt.in, n)
	}
}

// checkRoundTrip checks what every parsed number must satisfy: its E.164
// form parses back to the same value, also through the SMPP paths, and a
// Moroccan number survives its uint32 key.
func checkRoundTrip(t *testing.T, in string, n Number) {
	t.Helper()
	e := n.E164()
	if string(n.AppendE164([]byte("x"))) != "x"+e || n.String() != e {
		t.Errorf("Parse(%q): AppendE164 and String disagree with E164 %s", in, e)
	}
	if again, err := Parse(e); err != nil || again != n {
		t.Errorf("Parse(%q) = %#v, but Parse(%s) = %#v, %v", in, n, e, again, err)
	}
	if again, err := ParseAddress(TONInternational, []byte(e[1:])); err != nil || again != n {
		t.Errorf("Parse(%q) = %#v, but ParseAddress(international, %s) = %#v, %v", in, n, e[1:], again, err)
	}
	if nsn, ok := n.MoroccanNSN(); ok != n.Moroccan() {
		t.Errorf("Parse(%q): MoroccanNSN ok = %v, Moroccan() = %v", in, ok, n.Moroccan())
	} else if ok {
		if again, err := MoroccanNumber(nsn); err != nil || again != n {
			t.Errorf("Parse(%q): MoroccanNumber(%d) = %#v, %v", in, nsn, again, err)
		}
		if n.NationalNumber() != uint64(nsn) || n.LeadingZeros() != 0 || n.CountryCode() != 212 {
			t.Errorf("Parse(%q): inconsistent accessors %#v", in, n)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		in   string
		want *Error
	}{
		{"\u200f\u200e", ErrEmpty},
		{"\t\r\n", ErrEmpty},
		{`""`, ErrEmpty}, // an empty CSV cell
		{"-", ErrNoDigits},
		{"()", ErrNoDigits},
		{"n/a", ErrNoDigits},
		{"0612345678 0522123456", ErrTwoNumbers},
		{"0612345678, 0612345679", ErrTwoNumbers},
		{"0612345678;+33612345678", ErrTwoNumbers},
		{"+212612345678+212612345679", ErrTwoNumbers},
		{"0612345678 ou 0522123456", ErrTwoNumbers},
		{"0612345678 / +33 6 12 34 56 78", ErrTwoNumbers},
		{"0522123456 ext. 12", ErrExtension},
		{"0522123456 x12", ErrExtension},
		{"0522123456#12", ErrExtension},
		{"05 22 12 34 56 Poste: 301", ErrExtension},
		{"0522123456 (poste 12)", ErrExtension},
		{"0612345678، 0522123456", ErrTwoNumbers}, // an Arabic comma
		{"0612345678 - 0522123456", ErrTwoNumbers},
		{"tel: 0612345678", ErrLetters},
		{"06 12 34 56 7S", ErrLetters},
		{"0612345678 abc", ErrLetters},
		{"06 12 34 56 78 ext", ErrLetters}, // an extension word without digits
		{"06१२३४५६७८", ErrLetters},         // Devanagari digits are not read
		{"06*12345678", ErrCharacter},
		{"06 12 34 56 78 ☎", ErrCharacter},
		{"\xff0612345678", ErrCharacter},
		{"06+12345678", ErrCharacter},
		{"0212345678", ErrPrefix},
		{"0112345678", ErrPrefix},
		{"0412345678", ErrPrefix},
		{"0912345678", ErrPrefix},
		{"212312345678", ErrPrefix},
		{"+212", ErrTooShort},
		{"0", ErrTooShort},
		{"5050", ErrTooShort},
		{"06123456", ErrTooShort},
		{"61234567", ErrTooShort},
		{"21261234567", ErrTooShort},
		{"06123456789", ErrTooLong},
		{"6123456789", ErrTooLong},
		{"33612345678", ErrTooLong}, // a foreign number needs + or 00
		{"+2121612345678", ErrTooLong},
		{strings.Repeat("0", 40), ErrTooLong},
		{strings.Repeat("0", 24) + "(0)", ErrTooLong}, // a "(0)" past the digits kept
		{strings.Repeat(" ", 300) + "0612345678", ErrTooLong},
		{"+999 123456789", ErrCountryCode},
		{"+33 6 12 34 56 789", ErrTooLong},
		{"+33 0 12 34 56 78", ErrInvalid},
		{"+1 555 555 5555", ErrInvalid},
	}
	for _, tt := range tests {
		n, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %s, want error %q", tt.in, n, tt.want.Code)
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e != tt.want {
			t.Errorf("Parse(%q): %v, want %q", tt.in, err, tt.want.Code)
		}
		if !n.IsZero() {
			t.Errorf("Parse(%q) failed but returned %#v", tt.in, n)
		}
		if strings.ContainsAny(err.Error(), "0123456789") && e != ErrPrefix {
			t.Errorf("Parse(%q): error %q may leak the input", tt.in, err)
		}
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		ton  byte
		addr string
		want string // E.164, or the error code
	}{
		{TONInternational, "212612345678", "+212612345678"},
		{TONInternational, "+212612345678", "+212612345678"},
		{TONInternational, "33612345678", "+33612345678"},
		{TONInternational, "00212612345678", "+212612345678"},
		{TONInternational, "0612345678", "+212612345678"}, // no E.164 number starts with 0
		{TONInternational, "612345678", "invalid-number"}, // +61 2345678, not Australian
		{TONNational, "0612345678", "+212612345678"},
		{TONNational, "612345678", "+212612345678"},
		{TONNational, "212612345678", "+212612345678"},
		{TONUnknown, "+33612345678", "+33612345678"},
		{TONUnknown, "33612345678", "too-long"},
		{TONAlphanumeric, "BAWWAB", "alphanumeric"},
		{TONNational, "", "empty"},
	}
	for _, tt := range tests {
		n, err := ParseAddress(tt.ton, []byte(tt.addr))
		got := n.E164()
		if err != nil {
			got = err.(*Error).Code
		}
		if got != tt.want {
			t.Errorf("ParseAddress(%d, %q) = %s, want %s", tt.ton, tt.addr, got, tt.want)
		}
	}
}

// TestMoroccanAllocationFree checks the gateway's promise: a Moroccan
// number, in any form, is read without allocating.
func TestMoroccanAllocationFree(t *testing.T) {
	for _, in := range []string{"212612345678", "0612345678", "+212 6 12 34 56 78", "00212 (0)6-12-34-56-78", "٠٦١٢٣٤٥٦٧٨", "06 12 34 56"} {
		b := []byte(in)
		allocs := testing.AllocsPerRun(100, func() {
			Parse(in)
			ParseBytes(b)
			ParseAddress(TONInternational, b)
		})
		if allocs != 0 {
			t.Errorf("parsing %q allocates %.0f times", in, allocs)
		}
	}
	var buf [32]byte
	n, _ := Parse("0612345678")
	if allocs := testing.AllocsPerRun(100, func() { n.AppendE164(buf[:0]) }); allocs != 0 {
		t.Errorf("AppendE164 allocates %.0f times", allocs)
	}
}

func TestMoroccanNumber(t *testing.T) {
	for _, tt := range []struct {
		nsn  uint32
		want error
	}{
		{612345678, nil}, {522123456, nil}, {800004545, nil},
		{412345678, ErrPrefix}, {12345678, ErrPrefix}, {0, ErrPrefix}, {1_000_000_000, ErrTooLong},
	} {
		n, err := MoroccanNumber(tt.nsn)
		if err != tt.want {
			t.Errorf("MoroccanNumber(%d): %v, want %v", tt.nsn, err, tt.want)
		}
		if err == nil {
			checkRoundTrip(t, n.E164(), n)
		}
	}
}

func TestZeroNumber(t *testing.T) {
	var n Number
	if !n.IsZero() || n.E164() != "" || n.Mobile() || n.Moroccan() || n.Kind() != KindUnknown {
		t.Errorf("zero Number: %#v %q", n, n.E164())
	}
	if _, ok := n.MoroccanNSN(); ok {
		t.Error("zero Number has a Moroccan NSN")
	}
	if RangeHolder(n) != NoOperator {
		t.Error("zero Number has an operator")
	}
}

func TestDecimalLen(t *testing.T) {
	want := 1
	for v, next := uint64(0), uint64(10); ; v++ {
		if v == next {
			want++
			if next > ^uint64(0)/10 {
				break
			}
			next *= 10
		}
		if got := decimalLen(v); got != want {
			t.Fatalf("decimalLen(%d) = %d, want %d", v, got, want)
		}
		if v > 1000 && v < next-2 {
			// Then only the edges of each power of ten.
			v = next - 2
		}
	}
	if got := decimalLen(^uint64(0)); got != 20 {
		t.Errorf("decimalLen(max) = %d", got)
	}
}

// TestParseConcurrent parses from many goroutines, the gateway's use; run
// with -race (the foreign path shares a cache of block verdicts).
func TestParseConcurrent(t *testing.T) {
	inputs := append([]string{"+44 7700 900123", "+44 7700 900456", "+33 6 12 34 56 78"}, fuzzSeeds...)
	want := make([]Number, len(inputs))
	for i, in := range inputs {
		want[i], _ = Parse(in)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, in := range inputs {
				if n, _ := Parse(in); n != want[i] {
					t.Errorf("Parse(%q) = %v, then %v", in, want[i], n)
				}
			}
		})
	}
	wg.Wait()
}
