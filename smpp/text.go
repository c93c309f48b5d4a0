package smpp

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/warthog618/sms/encoding/gsm7"
	"github.com/warthog618/sms/encoding/gsm7/charset"
)

// DataCoding is the data_coding of a message (SMPP 3.4 §5.2.19). Values
// 0x00–0x0F have the meanings SMPP gives them; above, SMSCs read them as a
// GSM 03.38 data coding scheme (0xF1: default alphabet, class 1; 0x18:
// UCS-2, class 0), and so does Alphabet.
type DataCoding byte

// The data_coding values SMPP 3.4 names.
const (
	CodingDefault   DataCoding = 0x00 // SMSC default alphabet: GSM 03.38 here, one septet per octet
	CodingIA5       DataCoding = 0x01 // IA5 (CCITT T.50), i.e. ASCII
	CodingBinary    DataCoding = 0x02 // octet unspecified (8-bit binary)
	CodingLatin1    DataCoding = 0x03 // ISO-8859-1
	CodingBinary8   DataCoding = 0x04 // octet unspecified (8-bit binary)
	CodingJIS       DataCoding = 0x05 // JIS (X 0208-1990)
	CodingCyrillic  DataCoding = 0x06 // ISO-8859-5
	CodingHebrew    DataCoding = 0x07 // ISO-8859-8
	CodingUCS2      DataCoding = 0x08 // UCS-2 (big-endian UTF-16 in practice)
	CodingPictogram DataCoding = 0x09 // pictogram encoding
	CodingMusic     DataCoding = 0x0A // ISO-2022-JP (music codes)
	CodingKanji     DataCoding = 0x0D // extended Kanji JIS (X 0212-1990)
	CodingKSC5601   DataCoding = 0x0E // KS C 5601
)

// Alphabet is how the octets of a message map to characters.
type Alphabet uint8

// The alphabets this package decodes, and the rest.
const (
	AlphabetGSM7        Alphabet = iota + 1 // GSM 03.38 default alphabet and extension table
	AlphabetASCII                           // IA5
	AlphabetLatin1                          // ISO-8859-1
	AlphabetUCS2                            // UTF-16BE with surrogate pairs
	AlphabetBinary                          // 8-bit data: no text
	AlphabetUnsupported                     // a character set this package does not decode
)

func (a Alphabet) String() string {
	switch a {
	case AlphabetGSM7:
		return "GSM7"
	case AlphabetASCII:
		return "ASCII"
	case AlphabetLatin1:
		return "Latin-1"
	case AlphabetUCS2:
		return "UCS-2"
	case AlphabetBinary:
		return "binary"
	}
	return "unsupported"
}

// Alphabet returns the alphabet of dc.
func (dc DataCoding) Alphabet() Alphabet {
	switch dc {
	case CodingDefault:
		return AlphabetGSM7
	case CodingIA5:
		return AlphabetASCII
	case CodingBinary, CodingBinary8:
		return AlphabetBinary
	case CodingLatin1:
		return AlphabetLatin1
	case CodingUCS2:
		return AlphabetUCS2
	}
	if dc < 0x10 {
		return AlphabetUnsupported
	}
	var bits byte
	switch {
	case dc&0x80 == 0: // 00xx xxxx general coding, 01xx xxxx auto-deletion
		if dc&0x20 != 0 { // compressed
			return AlphabetUnsupported
		}
		bits = byte(dc>>2) & 3
	case dc&0xF0 == 0xF0: // data coding / message class
		if dc&0x04 != 0 {
			return AlphabetBinary
		}
		return AlphabetGSM7
	case dc&0xF0 == 0xC0, dc&0xF0 == 0xD0: // message waiting, GSM7
		return AlphabetGSM7
	case dc&0xF0 == 0xE0: // message waiting, UCS-2
		return AlphabetUCS2
	default:
		return AlphabetUnsupported
	}
	switch bits {
	case 0:
		return AlphabetGSM7
	case 1:
		return AlphabetBinary
	case 2:
		return AlphabetUCS2
	}
	return AlphabetUnsupported
}

// Class returns the message class (0 = flash) that dc carries, if any.
func (dc DataCoding) Class() (class int, ok bool) {
	switch {
	case dc < 0x10:
		return 0, false
	case dc&0xC0 == 0 && dc&0x10 != 0, dc&0xC0 == 0x40 && dc&0x10 != 0, dc&0xF0 == 0xF0:
		return int(dc & 3), true
	}
	return 0, false
}

// ErrNotText is returned when decoding a binary message or a character set
// this package does not know.
var ErrNotText = errors.New("smpp: message is not decodable text")

// AppendText appends the text of user data b (UDH already removed), coded
// as dc, to dst as UTF-8. Decoding is lenient, as content inspection needs:
// an octet that is not a character becomes U+FFFD; only a binary or
// unknown coding is an error.
func AppendText(dst []byte, dc DataCoding, b []byte) ([]byte, error) {
	switch dc.Alphabet() {
	case AlphabetGSM7:
		return AppendGSM7Text(dst, b), nil
	case AlphabetUCS2:
		return AppendUCS2Text(dst, b), nil
	case AlphabetLatin1:
		for _, c := range b {
			dst = utf8.AppendRune(dst, rune(c))
		}
		return dst, nil
	case AlphabetASCII:
		for _, c := range b {
			if c >= 0x80 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, c)
			}
		}
		return dst, nil
	}
	return dst, fmt.Errorf("%w: data_coding 0x%02X (%v)", ErrNotText, byte(dc), dc.Alphabet())
}

// DecodeText returns the text of user data b coded as dc; see AppendText.
func DecodeText(dc DataCoding, b []byte) (string, error) {
	out, err := AppendText(make([]byte, 0, len(b)+len(b)/2), dc, b)
	return string(out), err
}

const gsmEscape = 0x1B

// The GSM 03.38 tables, built once from warthog618/sms's character set
// (the reference) into arrays, so decoding is a table lookup per septet.
var (
	gsmBase  [128]rune
	gsmExt   [128]rune   // 0: no extension character
	gsmEncLo [256]uint16 // runes < 256: septet+1, or extBit|septet; 0: none
	gsmEncHi map[rune]uint16
)

const gsmExtBit = 0x100

func init() {
	for k, v := range charset.DefaultDecoder() {
		gsmBase[k&0x7F] = v
	}
	for k, v := range charset.DefaultExtDecoder() {
		gsmExt[k&0x7F] = v
	}
	gsmEncHi = map[rune]uint16{}
	set := func(r rune, code uint16) {
		if r < 256 {
			if gsmEncLo[r] == 0 {
				gsmEncLo[r] = code
			}
			return
		}
		if _, ok := gsmEncHi[r]; !ok {
			gsmEncHi[r] = code
		}
	}
	for s := range 128 {
		if s != gsmEscape {
			set(gsmBase[s], uint16(s)+1)
		}
	}
	for s := range 128 {
		if r := gsmExt[s]; r != 0 {
			set(r, gsmExtBit|uint16(s))
		}
	}
}

// AppendGSM7Text appends the UTF-8 text of GSM 03.38 septets (one per
// octet, as SMPP carries them) to dst. An escape before an octet the
// extension table lacks gives the base character (3GPP TS 23.038 §6.2.1.1);
// an octet above 0x7F gives U+FFFD.
func AppendGSM7Text(dst []byte, septets []byte) []byte {
	for i := 0; i < len(septets); i++ {
		c := septets[i]
		if c >= 0x80 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
			continue
		}
		if c == gsmEscape {
			if i+1 >= len(septets) {
				break // a dangling escape shows nothing
			}
			i++
			c = septets[i]
			if c < 0x80 && gsmExt[c] != 0 {
				dst = utf8.AppendRune(dst, gsmExt[c])
				continue
			}
			if c == gsmEscape || c >= 0x80 {
				dst = append(dst, ' ')
				continue
			}
		}
		r := gsmBase[c]
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// UnencodableError reports a character the chosen alphabet lacks.
type UnencodableError struct {
	Alphabet Alphabet
	Rune     rune
	Offset   int // byte offset in the input string
}

func (e *UnencodableError) Error() string {
	return fmt.Sprintf("smpp: %q (%U) at offset %d is not in the %v alphabet", e.Rune, e.Rune, e.Offset, e.Alphabet)
}

func gsmCode(r rune) uint16 {
	if r < 256 {
		return gsmEncLo[r]
	}
	return gsmEncHi[r]
}

// AppendGSM7 appends the GSM 03.38 septets of s, one per octet, to dst;
// characters of the extension table take two (escape first).
func AppendGSM7(dst []byte, s string) ([]byte, error) {
	for i, r := range s {
		c := gsmCode(r)
		switch {
		case c == 0:
			return dst, &UnencodableError{Alphabet: AlphabetGSM7, Rune: r, Offset: i}
		case c&gsmExtBit != 0:
			dst = append(dst, gsmEscape, byte(c))
		default:
			dst = append(dst, byte(c-1))
		}
	}
	return dst, nil
}

// GSM7Len returns the number of septets s takes in GSM 03.38, and false if
// some character is not in the alphabet.
func GSM7Len(s string) (int, bool) {
	n := 0
	for _, r := range s {
		c := gsmCode(r)
		switch {
		case c == 0:
			return 0, false
		case c&gsmExtBit != 0:
			n += 2
		default:
			n++
		}
	}
	return n, true
}

// PackSeptets packs septets (one per octet) into octets as the air
// interface carries them (3GPP TS 23.038 §6.1.2.1); fillBits are the
// padding bits placed first so the septets start on a septet boundary after
// a UDH.
func PackSeptets(septets []byte, fillBits int) []byte { return gsm7.Pack7Bit(septets, fillBits) }

// UnpackSeptets is the inverse of PackSeptets. A count of octets that
// leaves 7 free bits at the end yields a trailing 0x00 septet, as on air.
func UnpackSeptets(packed []byte, fillBits int) []byte { return gsm7.Unpack7Bit(packed, fillBits) }

// AppendUCS2Text appends the UTF-8 text of UCS-2 octets b to dst, pairing
// surrogates; a lone surrogate or a trailing odd octet gives U+FFFD.
func AppendUCS2Text(dst []byte, b []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		u := rune(b[i])<<8 | rune(b[i+1])
		if utf16.IsSurrogate(u) {
			if u < 0xDC00 && i+3 < len(b) {
				u2 := rune(b[i+2])<<8 | rune(b[i+3])
				if r := utf16.DecodeRune(u, u2); r != utf8.RuneError {
					dst = utf8.AppendRune(dst, r)
					i += 2
					continue
				}
			}
			u = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, u)
	}
	if len(b)%2 == 1 {
		dst = utf8.AppendRune(dst, utf8.RuneError)
	}
	return dst
}

// AppendUCS2 appends s as UCS-2 (UTF-16BE, surrogate pairs beyond the BMP).
func AppendUCS2(dst []byte, s string) []byte {
	for _, r := range s {
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			dst = append(dst, byte(r1>>8), byte(r1), byte(r2>>8), byte(r2))
			continue
		}
		dst = append(dst, byte(r>>8), byte(r))
	}
	return dst
}

// UCS2Len returns the number of UTF-16 code units s takes.
func UCS2Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// AppendLatin1 appends s in ISO-8859-1; characters beyond U+00FF are an
// *UnencodableError.
func AppendLatin1(dst []byte, s string) ([]byte, error) {
	for i, r := range s {
		if r > 0xFF {
			return dst, &UnencodableError{Alphabet: AlphabetLatin1, Rune: r, Offset: i}
		}
		dst = append(dst, byte(r))
	}
	return dst, nil
}
