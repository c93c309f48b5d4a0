package textcheck

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text is a message text and its normalised form, with a map from every
// byte of the normalised form back to the original, so that whatever is
// found in the normalised form can be shown in the text the subscriber
// reads. A Text is reused from message to message: Reset keeps its buffers,
// so normalising does not allocate once they have grown.
//
// The normalised form is what RULES.md asks for before matching:
//
//   - Unicode compatibility forms are folded (NFKD: fullwidth Ｓ, ligatures,
//     Arabic presentation forms, mathematical letters), and every combining
//     mark is dropped, which folds accents (é → e) and Arabic harakat and
//     hamza above or below a letter (أ إ آ → ا, ؤ → و, ئ → ي);
//   - letters are lower-cased; œ æ ß ø and a few others become ASCII;
//   - Arabic letter variants are folded: ٱ → ا, ى → ي, ة → ه, Persian ی → ي,
//     ک → ك; the tatweel (ـ) is removed;
//   - Arabic-Indic and Persian digits (and any other decimal digit) become
//     ASCII digits;
//   - zero-width and bidi control characters (every format character) and
//     other controls are removed, so a keyword cut by a zero-width space is
//     whole again;
//   - punctuation outside ASCII becomes its ASCII counterpart (« » → ",
//     ’ → ', – — → -, Arabic comma → ,), and symbols (emoji, arrows,
//     currency signs) become spaces;
//   - every run of white space becomes one space; leading and trailing
//     space is trimmed.
//
// So the normalised form holds only ASCII (no upper case, no controls) and
// lower-case letters of other scripts. Normalising a normalised form gives
// it back unchanged.
type Text struct {
	src  string
	norm []byte
	pos  []int32 // pos[i] is the offset in src of the rune that gave norm[i]
}

// Reset normalises src into t, replacing what t held.
func (t *Text) Reset(src string) {
	foldTable.once.Do(buildFoldTable)
	t.src = src
	out := t.norm[:0]
	pos := t.pos[:0]
	if cap(out) < len(src)+8 {
		out = make([]byte, 0, len(src)+len(src)/2+16)
		pos = make([]int32, 0, cap(out))
	}
	space := true // at the start, as after a space: leading spaces are dropped
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			m := asciiFold[c]
			switch m {
			case 0:
			case ' ':
				if !space {
					out = append(out, ' ')
					pos = append(pos, int32(i))
					space = true
				}
			default:
				out = append(out, m)
				pos = append(pos, int32(i))
				space = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		var f string
		if r < 0x10000 {
			e := foldTable.idx[r]
			switch e {
			case foldSame:
				f = src[i : i+size]
			case foldSpace:
				f = " "
			default:
				f = foldTable.pool[e>>8 : e>>8+e&0xff]
			}
		} else {
			f = foldAstral(r, src[i:i+size])
		}
		for j := 0; j < len(f); j++ {
			b := f[j]
			if b == ' ' {
				if space {
					continue
				}
				space = true
			} else {
				space = false
			}
			out = append(out, b)
			pos = append(pos, int32(i))
		}
		i += size
	}
	if n := len(out); n > 0 && out[n-1] == ' ' {
		out = out[:n-1]
		pos = pos[:n-1]
	}
	t.norm, t.pos = out, pos
}

// Source returns the original text.
func (t *Text) Source() string { return t.src }

// Bytes returns the normalised form. It is valid until the next Reset.
func (t *Text) Bytes() []byte { return t.norm }

// String returns a copy of the normalised form.
func (t *Text) String() string { return string(t.norm) }

// Len returns the length in bytes of the normalised form.
func (t *Text) Len() int { return len(t.norm) }

// Span maps the bytes [i, j) of the normalised form back to the bytes
// [start, end) of the original text: start is where the rune that gave
// byte i begins, end is where the rune that gave byte j-1 ends, with the
// combining marks that follow it. An empty or out-of-range span maps to an
// empty one.
func (t *Text) Span(i, j int) (start, end int) {
	if i < 0 {
		i = 0
	}
	if j > len(t.norm) {
		j = len(t.norm)
	}
	if i >= j {
		if i < len(t.pos) {
			s := int(t.pos[i])
			return s, s
		}
		return len(t.src), len(t.src)
	}
	start = int(t.pos[i])
	last := int(t.pos[j-1])
	_, size := utf8.DecodeRuneInString(t.src[last:])
	end = last + size
	for end < len(t.src) {
		r, size := utf8.DecodeRuneInString(t.src[end:])
		if !unicode.In(r, unicode.Mn, unicode.Me) {
			break
		}
		end += size
	}
	return start, end
}

// Normalize returns the normalised form of s (see Text). It allocates; use
// a Text to normalise many texts.
func Normalize(s string) string {
	var t Text
	t.Reset(s)
	return string(t.norm)
}

// asciiFold maps an ASCII byte to its normalised byte: itself, lower case
// for letters, ' ' for white space, 0 for a control character (removed).
var asciiFold = func() (m [utf8.RuneSelf]byte) {
	for c := 0x20; c < 0x7f; c++ {
		m[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		m[c] = byte(c - 'A' + 'a')
	}
	for _, c := range "\t\n\v\f\r" {
		m[c] = ' '
	}
	return m
}()

// foldTable holds the normalised form of every rune of the Basic
// Multilingual Plane outside ASCII, built once on first use (a few
// milliseconds): idx[r] is foldSame (the rune stays as it is), foldSpace,
// or the offset<<8|length of its form in pool (length 0: removed).
var foldTable struct {
	once sync.Once
	idx  []uint32
	pool string
}

const (
	foldSame  = 1<<32 - 1
	foldSpace = 1<<32 - 2
)

func buildFoldTable() {
	idx := make([]uint32, 0x10000)
	var pool []byte
	seen := make(map[string]uint32)
	var scratch []byte
	for r := rune(0); r < 0x10000; r++ {
		if r < utf8.RuneSelf || (r >= 0xD800 && r < 0xE000) {
			idx[r] = foldSame
			continue
		}
		scratch = foldRune(scratch[:0], r, 0)
		switch {
		case string(scratch) == string(r):
			idx[r] = foldSame
		case string(scratch) == " ":
			idx[r] = foldSpace
		default:
			e, ok := seen[string(scratch)]
			if !ok {
				e = uint32(len(pool))<<8 | uint32(len(scratch))
				pool = append(pool, scratch...)
				seen[string(scratch)] = e
			}
			idx[r] = e
		}
	}
	foldTable.idx = idx
	foldTable.pool = string(pool)
}

// foldAstral folds a rune beyond the BMP (emoji, mathematical letters such
// as 𝐒𝐓𝐎𝐏): letters and digits through NFKD, everything else to a space.
// It returns a constant or a substring of its input, so it does not
// allocate for the common cases.
func foldAstral(r rune, s string) string {
	switch {
	case r >= 0x1D400 && r <= 0x1D7FF: // mathematical alphanumeric symbols
		var buf [8]byte
		f := foldRune(buf[:0], r, 0)
		if len(f) == 1 {
			return asciiString[f[0]]
		}
		return string(f)
	case unicode.IsLetter(r):
		return s
	case unicode.IsDigit(r):
		if v, ok := digitValue(r); ok {
			return asciiString['0'+v]
		}
		return s
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return ""
	}
	return " "
}

var asciiString = func() (a [utf8.RuneSelf]string) {
	for i := range a {
		a[i] = string(rune(i))
	}
	return a
}()

// special maps runes whose folding NFKD does not give, or gives in a way
// the matching cannot use.
var special = map[rune]string{
	// Latin letters without a decomposition.
	'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae", 'ß': "ss", 'ẞ': "ss",
	'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d",
	'ł': "l", 'Ł': "l", 'ı': "i", 'þ': "th", 'Þ': "th", 'ŀ': "l",
	// Number signs: "n°" and "nº" both read "no".
	'°': "o",
	'×': "x",
	// Arabic letter variants.
	'ٱ': "ا", 'ى': "ي", 'ة': "ه", 'ی': "ي", 'ې': "ي", 'ے': "ي",
	'ک': "ك", 'ڪ': "ك", 'ۀ': "ه", 'ە': "ه", 'ھ': "ه", 'ۃ': "ه",
	'ـ': "", // tatweel
	// Arabic punctuation.
	'،': ",", '؛': ";", '؟': "?", '۔': ".", '٪': "%", '٫': ".", '٬': ",",
	'؍': ",", '٭': "*",
	// Quotes, apostrophes, dashes.
	'«': "\"", '»': "\"", '“': "\"", '”': "\"", '„': "\"", '‟': "\"",
	'‹': "\"", '›': "\"", '″': "\"", '〝': "\"", '〞': "\"",
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", 'ʼ': "'",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'⁃': "-", '﹘': "-",
	// Inverted marks open a Spanish sentence; they carry nothing.
	'¡': " ", '¿': " ",
}

// foldRune appends the normalised form of r to dst. depth bounds the
// recursion over decompositions.
func foldRune(dst []byte, r rune, depth int) []byte {
	if r < utf8.RuneSelf {
		switch m := asciiFold[r]; m {
		case 0:
			return dst
		default:
			return append(dst, m)
		}
	}
	if s, ok := special[r]; ok {
		return append(dst, s...)
	}
	switch {
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Cc) && !unicode.IsSpace(r):
		return dst // marks, zero-width and bidi controls, other controls
	case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || r == 0x2028 || r == 0x2029:
		return append(dst, ' ')
	case unicode.IsDigit(r):
		if v, ok := digitValue(r); ok {
			return append(dst, '0'+v)
		}
	}
	if depth < 4 {
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], r)
		if d := norm.NFKD.Append(nil, buf[:n]...); string(d) != string(buf[:n]) {
			for _, c := range string(d) {
				dst = foldRune(dst, c, depth+1)
			}
			return dst
		}
	}
	switch {
	case unicode.IsLetter(r):
		l := unicode.ToLower(r)
		if l != r && depth < 4 {
			return foldRune(dst, l, depth+1)
		}
		return utf8.AppendRune(dst, l)
	case unicode.IsDigit(r) || unicode.Is(unicode.No, r) || unicode.Is(unicode.Nl, r):
		return utf8.AppendRune(dst, r)
	case unicode.In(r, unicode.Pi, unicode.Pf):
		return append(dst, '"')
	case unicode.Is(unicode.Pd, r):
		return append(dst, '-')
	case unicode.Is(unicode.Ps, r):
		return append(dst, '(')
	case unicode.Is(unicode.Pe, r):
		return append(dst, ')')
	case unicode.Is(unicode.P, r):
		return append(dst, '.')
	}
	return append(dst, ' ') // symbols, emoji, private use, unassigned
}

// digitValue returns the value of a decimal digit of any script: decimal
// digits come in contiguous runs of ten starting at zero.
func digitValue(r rune) (byte, bool) {
	if !unicode.IsDigit(r) {
		return 0, false
	}
	z := r
	for z > r-64 && unicode.IsDigit(z-1) {
		z--
	}
	// z is the first digit of the run; runs longer than ten (mathematical
	// digits) restart every ten.
	return byte((r - z) % 10), true
}
