package msisdn

import (
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/nyaruka/phonenumbers"
)

// MaxInputLen is the longest input Parse considers (as phonenumbers does,
// 250 bytes); a longer one is ErrTooLong whatever it holds, which keeps the
// error diagnosis quadratic in a small bound.
const MaxInputLen = 250

// maxDigits is the most digits a number can be written with: the 00
// prefix, a three-digit country code, a trunk zero and a seventeen-digit
// national number.
const maxDigits = 23

// Parse reads one phone number written in any usual form. A number without
// an international prefix (+ or 00) is Moroccan: 0 followed by nine digits,
// the nine digits alone (as spreadsheets keep them), or 212 and nine digits.
// A number with an international prefix and another country code is
// accepted when phonenumbers finds it valid, or when it has a possible
// length and the other numbers of its block of a million are valid (the
// UK's 07700 900xxx, reserved for fiction and used in every example).
// Anything that is not exactly one valid number is refused with one of the
// Err values.
func Parse(s string) (Number, error) {
	return parse(s, modeAny, true)
}

// ParseBytes is Parse for a byte slice, without copying or allocating for
// Moroccan numbers: for addresses read from the wire.
func ParseBytes(b []byte) (Number, error) {
	// The string never outlives the call: Number keeps no part of the input.
	return parse(unsafe.String(unsafe.SliceData(b), len(b)), modeAny, true)
}

// SMPP type-of-number values (SMPP 3.4, 5.2.5) that change how an address
// is read.
const (
	TONUnknown       = 0
	TONInternational = 1
	TONNational      = 2
	TONAlphanumeric  = 5
)

// ParseAddress reads an SMPP source or destination address with its
// type of number: international addresses are E.164 digits without the
// "+" ("212612345678", "33612345678"); national and unknown ones are read
// like Parse ("0612345678"). An international address written with a
// leading 0 or 00, a common ESME misconfiguration, is read as what it
// unambiguously is, since no E.164 number starts with 0. Moroccan numbers
// do not allocate.
func ParseAddress(ton byte, addr []byte) (Number, error) {
	s := unsafe.String(unsafe.SliceData(addr), len(addr))
	switch ton {
	case TONInternational:
		return parse(s, modeInternational, true)
	case TONAlphanumeric:
		return Number{}, ErrAlphanumeric
	}
	return parse(s, modeAny, true)
}

type mode uint8

const (
	modeAny           mode = iota
	modeInternational      // digits without a prefix are E.164
)

// Character classes of ASCII bytes for the scanner.
const (
	cBad       = iota // not part of a number
	cDigit            // 0-9
	cSpace            // white space and quotes: grouping, no content
	cSep              // dot, dash, slash, comma...: grouping or a list separator
	cOpen             // (
	cClose            // )
	cPlus             // +
	cLetter           // a-z A-Z
	cHash             // #, an extension marker
	cInvisible        // shows nothing: zero-width spaces, bidi marks around numbers in Arabic text, a byte order mark
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = cLetter
		t[c-'a'+'A'] = cLetter
	}
	// Quotes group like spaces: a CSV cell's, or the apostrophe a
	// spreadsheet puts before a number to keep its leading zero.
	for _, c := range " \t\r\n\v\f\"'`" {
		t[c] = cSpace
	}
	for _, c := range ".-/,;|" {
		t[c] = cSep
	}
	t['('], t[')'], t['['], t[']'] = cOpen, cClose, cOpen, cClose
	t['+'] = cPlus
	t['#'] = cHash
	return t
}()

// scanned is what one pass over the input found: how many digits and
// their value, and the few facts about the rest that the reading of the
// number depends on. It is returned in registers: no digit is stored, and
// the foreign path, which is slow anyway, reads the digits again.
type scanned struct {
	value     uint64 // the digits as a number, exact while n <= 19
	n         int    // digits
	parenZero int    // digits before a lone digit in parentheses, "(0)", or -1
	plus      bool   // a '+' before the first digit
	odd       bool   // letters, a misplaced '+', or other characters: diagnose slowly
	visible   bool   // anything but white space and invisible marks
}

// scan reads s once, without allocating: the gateway's hot path.
func scan(s string) scanned {
	var value uint64
	n, open, parenZero := 0, -1, -1
	plus, odd, visible := false, false, false
	for i := 0; i < len(s); {
		c := s[i]
		// ASCII digits, spaces and Eastern Arabic digits first, without
		// the class table.
		if d := c - '0'; d <= 9 {
			n++
			value = value*10 + uint64(d)
			i++
			continue
		}
		if c == ' ' {
			i++
			continue
		}
		if c == 0xd9 && i+1 < len(s) && s[i+1]-0xa0 < 10 {
			// U+0660-0669 is D9 A0-A9 in UTF-8.
			n++
			value = value*10 + uint64(s[i+1]-0xa0)
			i += 2
			continue
		}
		var class, digit uint8
		if c < utf8.RuneSelf {
			class, digit = asciiClass[c], c-'0'
			i++
		} else {
			var size int
			class, digit, size = classAt(s, i)
			i += size
		}
		switch class {
		case cDigit:
			n++
			value = value*10 + uint64(digit)
		case cSpace, cInvisible:
		case cSep:
			visible = true
		case cOpen:
			open = n
			visible = true
		case cClose:
			if n == open+1 {
				parenZero = open
			}
			open = -1
			visible = true
		case cPlus:
			if n > 0 || plus {
				odd = true
			}
			plus = true
			visible = true
		default:
			odd = true
			visible = true
		}
	}
	return scanned{value, n, parenZero, plus, odd, visible || n > 0}
}

// classAt classifies the character at s[i] and returns its digit value and
// its length in bytes.
func classAt(s string, i int) (class uint8, digit byte, size int) {
	c := s[i]
	switch {
	case c < utf8.RuneSelf:
		return asciiClass[c], c - '0', 1
	case c == 0xd9 && i+1 < len(s) && s[i+1]-0xa0 < 10: // Eastern Arabic digits
		return cDigit, s[i+1] - 0xa0, 2
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	class, digit = runeClass(r)
	return class, digit, size
}

// digits appends the values of the digits of s to dst.
func digits(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		class, digit, size := classAt(s, i)
		if class == cDigit {
			dst = append(dst, digit)
		}
		i += size
	}
	return dst
}

// runeClass classifies a non-ASCII rune and gives its digit value.
func runeClass(r rune) (uint8, byte) {
	switch {
	case r >= '٠' && r <= '٩': // Arabic-Indic (Eastern Arabic) digits
		return cDigit, byte(r - '٠')
	case r >= '۰' && r <= '۹': // Extended Arabic-Indic (Persian, Urdu) digits
		return cDigit, byte(r - '۰')
	case r >= '０' && r <= '９': // fullwidth digits
		return cDigit, byte(r - '０')
	case r == '＋':
		return cPlus, 0
	case r == '（':
		return cOpen, 0
	case r == '）':
		return cClose, 0
	case r == '\u00a0', r >= '\u2000' && r <= '\u200a', r == '\u202f', r == '\u205f', r == '\u3000':
		return cSpace, 0 // no-break and other spaces
	case r >= '\u2010' && r <= '\u2015', r == '\u2212', r == '－', r == '．', r == '／', r == '\u30fb':
		return cSep, 0 // dashes, minus, fullwidth punctuation
	case r >= '\u2018' && r <= '\u201f', r == '«', r == '»':
		return cSpace, 0 // typographic quotes
	case r >= '\u200b' && r <= '\u200f', r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069',
		r == '\ufeff', r == '\u061c', r == '\u2060':
		return cInvisible, 0
	case r == utf8.RuneError:
		return cBad, 0
	case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
		// Other scripts' digits are letters here: nobody writes a
		// Moroccan number in Devanagari, and guessing would be worse.
		return cLetter, 0
	}
	return cBad, 0
}

// parse reads s; diagnose says whether to look for the reason of a
// failure beyond the first one found (extension, two numbers), which the
// diagnosis itself turns off for the parts it tries.
func parse(s string, m mode, diagnose bool) (Number, error) {
	if n, ok := plainMoroccan(s); ok {
		return n, nil
	}
	if len(s) > MaxInputLen {
		return Number{}, ErrTooLong
	}
	sc := scan(s)
	if sc.n == 0 {
		if !sc.visible {
			return Number{}, ErrEmpty
		}
		return Number{}, ErrNoDigits
	}
	if sc.odd {
		if !diagnose {
			return Number{}, ErrCharacter
		}
		return Number{}, diagnoseOdd(s, m)
	}
	num, err := sc.number(s, m)
	if err != nil && diagnose && (err == ErrTooLong || err == ErrInvalid || err == ErrPrefix) {
		if twoNumbers(s, m) {
			return Number{}, ErrTwoNumbers
		}
	}
	return num, err
}

// plainMoroccan reads the forms machines write — 0612345678,
// 212612345678, +212612345678, 00212612345678 — in a few nanoseconds, and
// leaves everything else (ok false) to the general path. They mean the same
// in every mode.
func plainMoroccan(s string) (Number, bool) {
	var d string
	switch {
	case len(s) == 10 && s[0] == '0':
		d = s[1:]
	case len(s) == 12 && s[:3] == "212":
		d = s[3:]
	case len(s) == 13 && s[:4] == "+212":
		d = s[4:]
	case len(s) == 14 && s[:5] == "00212":
		d = s[5:]
	default:
		return Number{}, false
	}
	var v uint32
	for i := range 9 {
		c := d[i] - '0'
		if c > 9 {
			return Number{}, false
		}
		v = v*10 + uint32(c)
	}
	kind := moroccanKind(v)
	if kind == KindUnknown {
		return Number{}, false
	}
	return Number{nsn: uint64(v), cc: MoroccoCode, nlen: 9, kind: kind, region: MoroccoRegion}, true
}

// number reads the scanned digits of s as a number. Moroccan numbers are
// read from the digits' value and count alone: the international prefix,
// the country code and a trunk zero are ranges of the value, and the
// national significant number is always the last nine digits.
func (sc scanned) number(s string, m mode) (Number, error) {
	n, v := sc.n, sc.value
	if n > 19 { // value overflowed: no Moroccan form is that long
		return sc.long(s, m)
	}
	lead := n // leading zeros
	if v != 0 {
		lead = n - decimalLen(v)
	}
	intl, strip := sc.plus, 0 // strip: digits of the 00 prefix
	switch {
	case intl:
	case lead >= 2:
		intl, strip = true, 2
	case m == modeInternational && lead == 0:
		intl = true
	case lead == 0 && n >= 11 && startsWith212(v, n):
		// 212 and the national number, without + or 00: only Morocco's
		// own code is read this way; a foreign number needs its prefix.
		intl = true
	}
	if !intl {
		switch {
		case lead == 1 && n == 10, // the trunk zero and nine digits
			lead == 0 && n == 9: // the trunk zero lost in a spreadsheet
			return moroccan(uint32(v % 1e9))
		case lead == 1 && n < 10, lead == 0 && n < 9:
			return Number{}, ErrTooShort
		}
		return Number{}, ErrTooLong
	}
	rest := n - strip // digits after the international prefix
	if lead == strip && startsWith212(v, rest) {
		nsn := rest - 3
		if nsn == 10 && v%1e13/1e9 == 2120 {
			nsn = 9 // +212 (0)6…: the trunk zero written after the country code
		}
		switch {
		case nsn < 9:
			return Number{}, ErrTooShort
		case nsn > 9:
			return Number{}, ErrTooLong
		}
		return moroccan(uint32(v % 1e9))
	}
	return foreignFrom(s, strip, sc.parenZero)
}

// startsWith212 reports whether the n-digit value v starts with 212.
func startsWith212(v uint64, n int) bool {
	if n < 3 {
		return false
	}
	p := pow10[n-3]
	return v >= 212*p && v < 213*p
}

// long reads a number of more than 19 digits: a foreign one at most.
func (sc scanned) long(s string, m mode) (Number, error) {
	if sc.n > maxDigits {
		return Number{}, ErrTooLong
	}
	var buf [maxDigits]byte
	d := digits(buf[:0], s)
	switch {
	case sc.plus:
		return foreignFrom(s, 0, sc.parenZero)
	case d[0] == 0 && d[1] == 0:
		return foreignFrom(s, 2, sc.parenZero)
	case m == modeInternational && d[0] != 0:
		return foreignFrom(s, 0, sc.parenZero)
	}
	return Number{}, ErrTooLong
}

// foreignFrom reads the digits of s after the strip digits of an
// international prefix as a foreign number; parenZero is sc.parenZero.
func foreignFrom(s string, strip, parenZero int) (Number, error) {
	var buf [maxDigits]byte
	d := digits(buf[:0], s)[strip:]
	if p := parenZero - strip; p > 0 && p < len(d) && d[p] == 0 {
		// +33 (0)6…: the trunk zero in parentheses is not dialled from abroad.
		d = append(d[:p:p], d[p+1:]...)
	}
	return foreign(d)
}

// moroccan returns the Moroccan number with national significant number
// v, nine digits long.
func moroccan(v uint32) (Number, error) {
	kind := moroccanKind(v)
	if kind == KindUnknown {
		return Number{}, ErrPrefix
	}
	return Number{nsn: uint64(v), cc: MoroccoCode, nlen: 9, kind: kind, region: MoroccoRegion}, nil
}

// foreign reads the digits after the international prefix with
// phonenumbers, accepting only a number valid in its country's plan.
func foreign(d []byte) (Number, error) {
	if len(d) < 3 {
		return Number{}, ErrTooShort
	}
	var buf [maxDigits + 1]byte
	buf[0] = '+'
	for i, c := range d {
		buf[i+1] = '0' + c
	}
	pn, err := phonenumbers.Parse(string(buf[:len(d)+1]), "ZZ")
	switch err {
	case nil:
	case phonenumbers.ErrInvalidCountryCode:
		return Number{}, ErrCountryCode
	case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD, phonenumbers.ErrNotANumber:
		return Number{}, ErrTooShort
	case phonenumbers.ErrNumTooLong:
		return Number{}, ErrTooLong
	default:
		return Number{}, ErrInvalid
	}
	kind, region := KindUnknown, ""
	if phonenumbers.IsValidNumber(pn) {
		kind, region = kindOf(phonenumbers.GetNumberType(pn)), phonenumbers.GetRegionCodeForNumber(pn)
	} else {
		switch phonenumbers.IsPossibleNumberWithReason(pn) {
		case phonenumbers.INVALID_COUNTRY_CODE:
			return Number{}, ErrCountryCode
		case phonenumbers.TOO_SHORT:
			return Number{}, ErrTooShort
		case phonenumbers.TOO_LONG:
			return Number{}, ErrTooLong
		case phonenumbers.IS_POSSIBLE:
			kind, region = blockKind(pn)
		}
		if kind == KindUnknown {
			return Number{}, ErrInvalid
		}
	}
	cc := pn.GetCountryCode()
	if cc == MoroccoCode {
		// Cannot happen (+212 takes the Moroccan path), but never let the
		// library's reading of a Moroccan number differ from ours.
		return Number{}, ErrInvalid
	}
	nsn := pn.GetNationalNumber()
	zeros := 0
	if pn.GetItalianLeadingZero() {
		zeros = max(int(pn.GetNumberOfLeadingZeros()), 1)
	}
	nlen := decimalLen(nsn) + zeros
	if nlen > 17 {
		return Number{}, ErrTooLong
	}
	return Number{
		nsn:    nsn,
		cc:     uint16(cc),
		nlen:   uint8(nlen),
		kind:   kind,
		region: region,
	}, nil
}

// blockKind gives the kind and region of a number of possible length that
// phonenumbers does not find valid, from the valid numbers of its block of
// a million (all digits but the last six, at least two). The library's
// metadata leaves out sub-blocks reserved for fiction (the UK's 07700 900xxx
// that every example uses) and lags new allocations, while people and the
// corpus read such a number by its block: a UK mobile. KindUnknown means
// the block has no valid number: the number is refused.
func blockKind(pn *phonenumbers.PhoneNumber) (Kind, string) {
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	keep := len(nsn) - 6
	if keep < 2 {
		return KindUnknown, ""
	}
	key := blockKey{cc: pn.GetCountryCode(), block: nsn[:keep], length: len(nsn)}
	blocks.Lock()
	r, ok := blocks.m[key]
	blocks.Unlock()
	if ok {
		return r.kind, r.region
	}
	kind, region := blockVote(pn, nsn, keep)
	blocks.Lock()
	if len(blocks.m) < maxBlocks {
		blocks.m[key] = blockResult{kind, region}
	}
	blocks.Unlock()
	return kind, region
}

// blocks remembers the verdicts of blockKind, which costs ten validations:
// a list holds many numbers of the same few blocks. It stops growing at
// maxBlocks, so that hostile input cannot take the memory.
var blocks = struct {
	sync.Mutex
	m map[blockKey]blockResult
}{m: make(map[blockKey]blockResult)}

const maxBlocks = 4096

type blockKey struct {
	cc     int32
	block  string
	length int
}

type blockResult struct {
	kind   Kind
	region string
}

// blockVote validates the block's numbers ending in 000000, 111111...
// 999999 and returns the most common kind among the valid ones.
func blockVote(pn *phonenumbers.PhoneNumber, nsn string, keep int) (Kind, string) {
	var votes [len(kindNames)]int
	var regions [len(kindNames)]string
	for fill := byte('0'); fill <= '9'; fill++ {
		var v uint64
		zeros := 0
		for i := range len(nsn) {
			c := fill
			if i < keep {
				c = nsn[i]
			}
			if v == 0 && c == '0' {
				zeros++
			}
			v = v*10 + uint64(c-'0')
		}
		candidate := &phonenumbers.PhoneNumber{CountryCode: pn.CountryCode, NationalNumber: &v}
		if zeros > 0 {
			lead, n := true, int32(zeros)
			candidate.ItalianLeadingZero, candidate.NumberOfLeadingZeros = &lead, &n
		}
		if !phonenumbers.IsValidNumber(candidate) {
			continue
		}
		k := kindOf(phonenumbers.GetNumberType(candidate))
		if k == KindUnknown {
			continue
		}
		votes[k]++
		if regions[k] == "" {
			regions[k] = phonenumbers.GetRegionCodeForNumber(candidate)
		}
	}
	best := KindUnknown
	for k := range votes {
		if votes[k] > votes[best] {
			best = Kind(k)
		}
	}
	return best, regions[best]
}

func kindOf(t phonenumbers.PhoneNumberType) Kind {
	switch t {
	case phonenumbers.MOBILE:
		return Mobile
	case phonenumbers.FIXED_LINE:
		return FixedLine
	case phonenumbers.FIXED_LINE_OR_MOBILE:
		return FixedOrMobile
	case phonenumbers.TOLL_FREE:
		return TollFree
	case phonenumbers.PREMIUM_RATE:
		return PremiumRate
	case phonenumbers.UNKNOWN:
		return KindUnknown
	}
	return Special
}
