package msisdn

import "math/bits"

// Morocco's country calling code and region.
const (
	MoroccoCode   = 212
	MoroccoRegion = "MA"
)

// Kind is the type of line a number reaches.
type Kind uint8

// Kinds of numbers. Foreign numbers get the type phonenumbers gives them;
// Moroccan ones are told apart by the first digit of the national number
// (6 and 7 mobile, 5 fixed, 8 special: 080x toll free, 089 premium).
const (
	KindUnknown   Kind = iota
	Mobile             // a mobile line
	FixedLine          // a fixed (geographic) line
	FixedOrMobile      // either: the plan does not tell them apart (North America)
	TollFree           // free to the caller (Morocco's 0800…)
	PremiumRate        // paid above the normal rate
	Special            // any other non-geographic service: VoIP, shared cost, UAN, pager...
)

var kindNames = [...]string{"unknown", "mobile", "fixed", "fixed_or_mobile", "tollfree", "premium", "special"}

// String returns the kind's name as written in JSON output ("mobile").
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Number is a valid phone number. It is a small comparable value (usable as
// a map key); the zero Number is no number.
type Number struct {
	nsn    uint64 // national significant number, leading zeros not counted
	cc     uint16 // country calling code, 0 for the zero Number
	nlen   uint8  // digits in the national significant number, leading zeros included
	kind   Kind
	region string // ISO 3166 region ("MA"), or "001" for non-geographic codes
}

// MoroccanNumber returns the Moroccan number with national significant
// number nsn (nine digits, 612345678 for +212 6 12 34 56 78): the inverse of
// MoroccanNSN, for stores keyed by the uint32.
func MoroccanNumber(nsn uint32) (Number, error) {
	if nsn >= 1_000_000_000 {
		return Number{}, ErrTooLong
	}
	if nsn < 100_000_000 {
		// A leading zero: "0612345678" is the trunk prefix, not a number.
		return Number{}, ErrPrefix
	}
	kind := moroccanKind(nsn)
	if kind == KindUnknown {
		return Number{}, ErrPrefix
	}
	return Number{nsn: uint64(nsn), cc: MoroccoCode, nlen: 9, kind: kind, region: MoroccoRegion}, nil
}

// moroccanKind classifies a nine-digit national significant number by the
// national plan, or returns KindUnknown for a first digit no full number has.
func moroccanKind(nsn uint32) Kind {
	switch nsn / 100_000_000 {
	case 6, 7:
		return Mobile
	case 5:
		return FixedLine
	case 8:
		switch nsn / 1_000_000 { // the first three digits
		case 800, 801, 802, 803, 804, 805, 806, 807:
			return TollFree
		case 890, 891, 892, 893, 894, 895, 896, 897, 898, 899:
			return PremiumRate
		}
		return Special
	}
	return KindUnknown
}

// IsZero reports whether n is the zero Number (no number).
func (n Number) IsZero() bool { return n.cc == 0 }

// CountryCode returns the country calling code (212).
func (n Number) CountryCode() int { return int(n.cc) }

// Region returns the ISO 3166-1 region of the number ("MA", "FR"), or "001"
// for non-geographic codes such as +800.
func (n Number) Region() string { return n.region }

// Kind returns the type of line.
func (n Number) Kind() Kind { return n.kind }

// Mobile reports whether the number may reach a mobile phone: a mobile
// number, or one of a plan that does not tell fixed from mobile.
func (n Number) Mobile() bool { return n.kind == Mobile || n.kind == FixedOrMobile }

// Moroccan reports whether the number is Moroccan (+212).
func (n Number) Moroccan() bool { return n.cc == MoroccoCode }

// NationalNumber returns the national significant number as an integer;
// leading zeros (Italy's fixed lines) are in LeadingZeros.
func (n Number) NationalNumber() uint64 { return n.nsn }

// LeadingZeros returns how many zeros the national significant number
// starts with (0 everywhere but a few plans such as Italy's).
func (n Number) LeadingZeros() int { return int(n.nlen) - decimalLen(n.nsn) }

// MoroccanNSN returns the nine-digit national significant number of a
// Moroccan number as a uint32 (612345678 for +212612345678), the key of the
// opposition index; ok is false for any other number.
func (n Number) MoroccanNSN() (nsn uint32, ok bool) {
	if n.cc != MoroccoCode {
		return 0, false
	}
	return uint32(n.nsn), true
}

// AppendE164 appends the number in E.164 form ("+212612345678") to dst and
// returns the extended slice; it does not allocate when dst has room for
// 20 bytes.
func (n Number) AppendE164(dst []byte) []byte {
	if n.cc == 0 {
		return dst
	}
	if n.cc == MoroccoCode {
		// The common case, written straight into dst: "+212" and nine digits.
		dst = append(dst, "+212000000000"...)
		d := dst[len(dst)-9:]
		for i, v := 8, uint32(n.nsn); i >= 0; i-- {
			d[i] = byte('0' + v%10)
			v /= 10
		}
		return dst
	}
	var buf [24]byte
	i := len(buf)
	for v := n.nsn; ; {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	for z := n.LeadingZeros(); z > 0 && i > 6; z-- {
		i--
		buf[i] = '0'
	}
	for v := n.cc; v > 0; v /= 10 {
		i--
		buf[i] = byte('0' + v%10)
	}
	i--
	buf[i] = '+'
	return append(dst, buf[i:]...)
}

// E164 returns the number in E.164 form, "+212612345678", or "" for the
// zero Number.
func (n Number) E164() string {
	var buf [24]byte
	return string(n.AppendE164(buf[:0]))
}

// String returns the E.164 form. Numbers are personal data: do not log it.
func (n Number) String() string { return n.E164() }

// decimalLen returns the number of decimal digits of v (1 for 0).
func decimalLen(v uint64) int {
	// Approximate with the bit length, then correct by one comparison.
	l := (bits.Len64(v) * 1233) >> 12
	if l < len(pow10) && v >= pow10[l] {
		l++
	}
	if l == 0 {
		return 1
	}
	return l
}

var pow10 = [...]uint64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}
