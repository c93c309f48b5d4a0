package textcheck

import (
	"encoding/binary"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	// anchors map the normalised form back to the original: byte k of the
	// normalised form comes from the rune of src at anchor.src + (k -
	// anchor.norm), for the last anchor at or before k, clamped below the
	// next anchor and moved back to the start of its rune. An anchor is
	// written only where that offset changes (a character removed, spaces
	// collapsed, a rune folded to a form of another length), so a text in
	// plain ASCII or plain Arabic has almost none, and building the map
	// costs next to nothing.
	anchors []anchor
	toks    []token
	cands   []int32 // the tokens marked cand, for the finder
}

type anchor struct{ norm, src int32 }

// Reset normalises src into t, replacing what t held, and splits the
// normalised form into the tokens the finder reads (tokens.go).
//
// The loop is written for the common case, a run of ASCII letters and
// digits copied in lower case, with as little state as possible around it;
// a rune outside ASCII looks its form up in a table built once.
func (t *Text) Reset(src string) {
	foldTable.once.Do(buildFoldTable)
	t.src = src
	n := len(src)
	// The output is written by index into a buffer sized for the ASCII
	// case (one byte out per byte in); a rune that folds to a longer form
	// makes room first.
	out := t.norm[:cap(t.norm)]
	if len(out) < n+16 {
		out = make([]byte, n+n/2+16)
	}
	o := 0
	// The loops below read src and write out through pointers where the
	// bounds are known: i < n, and o + (n - i) <= len(out) throughout (one
	// byte out per byte in at most, until a longer form makes room).
	srcp := unsafe.Pointer(unsafe.StringData(src))
	anc := t.anchors[:0]
	space := true // at the start, as after a space: leading spaces are dropped
	for i := 0; i < n; {
		// Eight bytes at a time while they are plain ASCII (see foldASCII8,
		// written out here: a call would spill the loop's registers).
		for i+8 <= n {
			x := binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(srcp, i))[:])
			if (x|(x+swarOnes))&swarHigh != 0 {
				break // beyond ASCII, or DEL
			}
			if sp := ^(x + (0x80-0x21)*swarOnes) & swarHigh; sp != 0 {
				if ^(x+(0x80-0x20)*swarOnes)&swarHigh != 0 || sp&(sp<<8) != 0 || space && sp&0x80 != 0 {
					break // a control, or a space after a space
				}
			}
			y := x | (x+(0x80-'A')*swarOnes)&^(x+(0x80-'[')*swarOnes)&swarHigh>>2
			binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(out)), o))[:], y)
			o += 8
			i += 8
			space = y>>56 == ' '
		}
		if i >= n {
			break
		}
		c := src[i]
		if c < utf8.RuneSelf {
			m := asciiFold[c]
			i++
			if m > ' ' {
				out[o] = m
				o++
				// The rest of the run of ASCII, single spaces included, in a
				// tight loop; a control, a second space or a byte beyond
				// ASCII (asciiFold256 maps all three to at most ' ') goes
				// back to the loop around.
				op := unsafe.Pointer(unsafe.SliceData(out))
				for i < n {
					m = asciiFold256[*(*byte)(unsafe.Add(srcp, i))]
					if m <= ' ' && (m != ' ' || *(*byte)(unsafe.Add(op, o-1)) == ' ') {
						break
					}
					*(*byte)(unsafe.Add(op, o)) = m
					o++
					i++
				}
				space = out[o-1] == ' '
				continue
			}
			if m == ' ' && !space {
				out[o] = ' '
				o++
				space = true
				continue
			}
			anc = addAnchor(anc, o, i) // a control, or a space after a space
			continue
		}
		var r rune
		size := 2
		if c >= 0xC2 && c < 0xE0 && i+1 < n && src[i+1]&0xC0 == 0x80 { // two bytes: Latin-1, Arabic
			r = rune(c&0x1F)<<6 | rune(src[i+1]&0x3F)
		} else {
			r, size = utf8.DecodeRuneInString(src[i:])
		}
		if size == 2 {
			if m := fold1[r&0x7FF]; m != 0 {
				// A letter that folds to one ASCII letter (é → e): one
				// byte out for two in, and the anchors that say so.
				anc = addAnchor(anc, o, i)
				out[o] = m
				o++
				i += 2
				anc = addAnchor(anc, o, i)
				space = false
				continue
			}
		}
		var f string
		if r < 0x10000 {
			switch e := foldTable.idx[r]; e {
			case foldSame:
				if size == 2 && o+n-i <= len(out) {
					// A letter that stays as it is (Arabic mostly), and the
					// rest of its run, in a tight loop.
					out[o], out[o+1] = c, src[i+1]
					o += 2
					i += 2
					op := unsafe.Pointer(unsafe.SliceData(out))
					for {
						for i+1 < n {
							// Both bytes at once: a lead 110xxxxx, a
							// continuation 10xxxxxx, and a rune that stays.
							x := uint(*(*byte)(unsafe.Add(srcp, i))) | uint(*(*byte)(unsafe.Add(srcp, i+1)))<<8
							if x&0xC0E0 != 0x80C0 || !same2[(x&0x1F)<<6|x>>8&0x3F] {
								break
							}
							*(*byte)(unsafe.Add(op, o)) = byte(x)
							*(*byte)(unsafe.Add(op, o+1)) = byte(x >> 8)
							o += 2
							i += 2
						}
						// One space (after a letter: it stays) and another
						// such rune: the next word of the run.
						if i+2 >= n || *(*byte)(unsafe.Add(srcp, i)) != ' ' {
							break
						}
						x := uint(*(*byte)(unsafe.Add(srcp, i+1))) | uint(*(*byte)(unsafe.Add(srcp, i+2)))<<8
						if x&0xC0E0 != 0x80C0 || !same2[(x&0x1F)<<6|x>>8&0x3F] {
							break
						}
						*(*byte)(unsafe.Add(op, o)) = ' '
						*(*byte)(unsafe.Add(op, o+1)) = byte(x)
						*(*byte)(unsafe.Add(op, o+2)) = byte(x >> 8)
						o += 3
						i += 3
					}
					space = false
					continue
				}
				f = src[i : i+size]
			case foldSpace:
				f = " "
			default:
				f = foldTable.pool[e>>8 : e>>8+e&0xff]
			}
		} else {
			f = foldAstral(r, src[i:i+size])
		}
		if need := o + len(f) + n - i; need > len(out) {
			// Room for this form and for the rest of src in ASCII.
			grown := make([]byte, need+need/2+16)
			copy(grown, out[:o])
			out = grown
		}
		start := o
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
			out[o] = b
			o++
		}
		if o-start != size {
			anc = addAnchor(anc, start, i)
			anc = addAnchor(anc, o, i+size)
		}
		i += size
	}
	if o > 0 && out[o-1] == ' ' {
		o--
	}
	t.norm, t.anchors = out[:o], anc
	t.cands = t.cands[:0]
	t.toks = tokenize(t.toks[:0], t.norm, &t.cands)
}

// addAnchor records that byte n of the normalised form comes from byte s
// of the original, unless the last anchor already implies it.
func addAnchor(anc []anchor, n, s int) []anchor {
	if k := len(anc); k > 0 {
		last := &anc[k-1]
		if int(last.norm) == n {
			last.src = int32(s)
			return anc
		}
		if int(last.src)-int(last.norm) == s-n {
			return anc
		}
	} else if s == n {
		return anc
	}
	return append(anc, anchor{int32(n), int32(s)})
}

// srcAt returns the offset in the original of the start of the rune that
// gave byte k of the normalised form.
func (t *Text) srcAt(k int) int {
	anc := t.anchors
	// The last anchor at or before k.
	lo, hi := 0, len(anc)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int(anc[m].norm) <= k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	s, limit := k, len(t.src)
	if lo > 0 {
		a := anc[lo-1]
		s = int(a.src) + k - int(a.norm)
	}
	if lo < len(anc) {
		limit = int(anc[lo].src)
	}
	if s >= limit {
		s = limit - 1
	}
	if s < 0 {
		s = 0
	}
	for s > 0 && !utf8.RuneStart(t.src[s]) {
		s--
	}
	return s
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
		if i < len(t.norm) {
			s := t.srcAt(i)
			return s, s
		}
		return len(t.src), len(t.src)
	}
	start = t.srcAt(i)
	last := t.srcAt(j - 1)
	_, size := utf8.DecodeRuneInString(t.src[last:])
	end = last + size
	for end < len(t.src) && t.src[end] >= utf8.RuneSelf { // no mark is ASCII
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

// The constants of the eight-bytes-at-once path of Reset.
const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// foldASCII8 normalises eight bytes of ASCII at once, as Reset does one by
// one: upper case to lower case. ok is false, and the bytes must go the
// slow way, when one of them is beyond ASCII, a control character, DEL, or
// a space after a space (after the byte before when prevSpace). Reset has
// the same code written out; the tests check both against the byte loop.
func foldASCII8(x uint64, prevSpace bool) (y uint64, ok bool) {
	// A byte beyond ASCII has its high bit set; DEL gets it from adding 1
	// (a carry out of a byte beyond ASCII does not matter: it fails anyway).
	if (x|(x+swarOnes))&swarHigh != 0 {
		return 0, false
	}
	// Bytes below '!' (a high bit still clear after adding 0x80-0x21; no
	// carry crosses bytes since every byte is below 0x80) are spaces or
	// controls; bytes below ' ' are controls. With no control, those below
	// '!' are the spaces.
	if sp := ^(x + (0x80-0x21)*swarOnes) & swarHigh; sp != 0 {
		if ^(x+(0x80-0x20)*swarOnes)&swarHigh != 0 || sp&(sp<<8) != 0 || prevSpace && sp&0x80 != 0 {
			return 0, false
		}
	}
	// Upper case: at least 'A' and below '['; adding 0x20 lowers it.
	return x | (x+(0x80-'A')*swarOnes)&^(x+(0x80-'[')*swarOnes)&swarHigh>>2, true
}

// zeroBytes returns 0x80 in each byte of v that is zero, exactly.
func zeroBytes(v uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	return ^((v&low7 + low7) | v | low7)
}

// asciiFold256 is asciiFold over every byte value: 0 beyond ASCII, so
// that the tight loop of Reset tests one table.
var asciiFold256 = func() (t [256]byte) {
	copy(t[:], asciiFold[:])
	return t
}()

// same2 marks the runes of two bytes in UTF-8 (below U+0800) that
// normalise to themselves, for the tight loop of Reset over Arabic; it is
// filled with the fold table.
var same2 [0x800]bool

// fold1 holds, for the runes of two bytes in UTF-8, the ASCII byte (never
// a space) a rune normalises to when its form is that one byte (é → e);
// 0 otherwise. It is filled with the fold table.
var fold1 [0x800]byte

// foldTable holds the normalised form of every rune of the Basic
// Multilingual Plane outside ASCII, built once on first use (a few
// milliseconds): idx[r] is foldSame (the rune stays as it is), foldSpace,
// or the offset<<8|length of its form in pool (length 0: removed).
var foldTable struct {
	once sync.Once
	idx  []uint32
	pool string
	math []string // the block of mathematical alphanumeric symbols: 𝐒 → "s"
}

const mathFirst, mathLast = 0x1D400, 0x1D7FF

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
		if r < utf8.RuneSelf || (r >= 0xD800 && r < 0xE000) || bigScript(r) {
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
	for r := 0x80; r < 0x800; r++ {
		same2[r] = idx[r] == foldSame
		if e := idx[r]; e != foldSame && e != foldSpace && e&0xff == 1 {
			if b := pool[e>>8]; b > ' ' && b < utf8.RuneSelf {
				fold1[r] = b
			}
		}
	}
	foldTable.pool = string(pool)
	foldTable.math = make([]string, mathLast-mathFirst+1)
	for r := rune(mathFirst); r <= mathLast; r++ {
		foldTable.math[r-mathFirst] = string(foldRune(nil, r, 0))
	}
}

// bigScript reports whether r lies in one of the large blocks of letters
// that have no case, no compatibility form and no mark to fold (CJK
// ideographs, Yi, Hangul syllables, which are kept composed): building the
// table skips them, which halves its cost.
func bigScript(r rune) bool {
	return r >= 0x3400 && r <= 0x4DBF || r >= 0x4E00 && r <= 0x9FFF || r >= 0xA000 && r <= 0xA48C || r >= 0xAC00 && r <= 0xD7A3
}

// foldAstral folds a rune beyond the BMP (emoji, mathematical letters such
// as 𝐒𝐓𝐎𝐏): letters and digits through NFKD, everything else to a space.
// It returns a constant or a substring of its input, so it does not
// allocate for the common cases.
func foldAstral(r rune, s string) string {
	switch {
	case r >= mathFirst && r <= mathLast: // mathematical alphanumeric symbols
		return foldTable.math[r-mathFirst]
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
