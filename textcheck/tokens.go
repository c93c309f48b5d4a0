package textcheck

import "unsafe"

// The finder and the classifier read the normalised text as tokens: words
// of Latin script (which may hold digits: Darija in Latin letters writes
// "3la", "w9ef"), words of Arabic script, numbers (ASCII digits only) and
// single punctuation marks. A word never mixes Arabic letters and digits
// ("ل5050" is "ل" then "5050"), nor Arabic and Latin letters ("بSTOP" is
// "ب" then "stop"). Each token records whether a space separated it from
// the one before, which tells "non-stop" from "non - stop" and a URL's
// "/stop" from a sentence's "stop".

type tokKind uint8

const (
	tokWord   tokKind = iota // a word in Latin (or another non-Arabic) script
	tokArabic                // a word in Arabic script
	tokNum                   // a run of ASCII digits
	tokPunct                 // one ASCII punctuation mark
)

type token struct {
	s, e  int32 // bytes [s, e) of the normalised text
	kind  tokKind
	glued bool // no space between this token and the previous one
	// cand marks a word that may be an opt-out keyword (it passes the
	// keyword filter) or a keyword glued to its number ("stop5050"): the
	// finder looks only at those.
	cand bool
}

// isArabicLead reports whether b starts a rune of the Arabic blocks
// (U+0600–U+06FF, U+0750–U+077F) in UTF-8.
func isArabicLead(b byte) bool { return b >= 0xD8 && b <= 0xDB || b == 0xDD }

// byteClass classifies ASCII bytes for the tokenizer.
var byteClass = func() (c [256]uint8) {
	for b := 0; b < 256; b++ {
		switch {
		case b == 0:
			c[b] = clRemoved // what asciiFold maps a control character to
		case b == ' ':
			c[b] = clSpace
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
			c[b] = clLetter
		case b >= '0' && b <= '9':
			c[b] = clDigit
		case b < 0x80:
			c[b] = clPunct
		case b < 0xC0:
			c[b] = clCont // a continuation byte: part of the rune before
		case isArabicLead(byte(b)):
			c[b] = clArabic
		default:
			c[b] = clOther // other scripts: letters, since the normaliser keeps no other symbol
		}
	}
	return c
}()

const (
	clSpace uint8 = iota
	clLetter
	clDigit
	clPunct
	clArabic
	clOther
	clCont
	clRemoved
)

// latinWordByte marks the bytes that continue a word of Latin (or another
// non-Arabic) script: ASCII letters and digits, and every byte of a rune
// beyond ASCII that does not start an Arabic one (continuation bytes
// included: a word is only ever entered at the start of a rune).
var latinWordByte = func() (t [256]bool) {
	for b := 0; b < 256; b++ {
		c := byteClass[b]
		t[b] = c == clLetter || c == clDigit || c == clOther || c == clCont
	}
	return t
}()

// tokenize appends the tokens of the normalised text b to toks, and the
// index of every token marked cand to *cands (when cands is not nil).
//
// It is a hot loop of every check, written for the compiler: the end of b
// is marked by a space written just past it (in b's spare capacity, or in
// a copy when there is none), so that the loops over the bytes of a word
// test one table and no bound; the space after a token (there is never
// more than one in a normalised form) is skipped with the token; a token
// is written field by field in place; and a word is looked up in the
// keyword filter only when its first byte and length are a keyword's.
// It gives the tokens the plain reference gives (reference_test.go).
func tokenize(toks []token, b []byte, cands *[]int32) []token {
	n := len(b)
	if cap(b) == n {
		b = append(b[:n:n], ' ')
	} else {
		b = b[:n+1]
		b[n] = ' '
	}
	// A text has at most one token a byte: write them by index.
	nt := len(toks)
	first := nt
	if cap(toks)-nt < n {
		grown := make([]token, nt, nt+n+n/2+8)
		copy(grown, toks)
		toks = grown
	}
	toks = toks[:cap(toks)]
	// The words that pass the first sieve, looked at again after the loop:
	// a call inside it would make the compiler keep its variables in
	// memory rather than in registers.
	var sieved [16]int32
	ns := 0
	glued := false
	// The loop reads b and writes toks through pointers: the bounds are
	// checked above (n+1 bytes of b, the sentinel space included; room for
	// n tokens), and the layout of token is checked by init.
	bp := unsafe.Pointer(unsafe.SliceData(b))
	tp := unsafe.Pointer(unsafe.SliceData(toks))
	at := func(i int) byte { return *(*byte)(unsafe.Add(bp, i)) }
	for i := 0; i < n; {
		start := i
		c := at(i)
		i++
		kind := tokWord
		switch byteClass[c] {
		case clLetter, clOther, clCont:
			for latinWordByte[at(i)] { // the space after b ends the loop
				i++
			}
		case clArabic:
			i++ // every rune of the Arabic blocks is two bytes long
			for i < n && isArabicLead(at(i)) {
				i += 2
			}
			if i > n { // a truncated rune at the end
				i = n
			}
			kind = tokArabic
		case clDigit:
			for at(i)-'0' < 10 {
				i++
			}
			if !latinWordByte[at(i)] {
				kind = tokNum
				break
			}
			for latinWordByte[at(i)] { // 3la, 10h, 2x1
				i++
			}
		case clSpace: // only at the start of a text that is not normalised
			glued = false
			continue
		default: // clPunct, clRemoved
			kind = tokPunct
		}
		if kind <= tokArabic && (kwStart[c]&kwEnd[at(i-1)])>>(uint(i-start)&31)&1 != 0 {
			sieved[ns&(len(sieved)-1)] = int32(nt) // more than 16: all are looked at
			ns++
		}
		// Two stores: the offsets, then kind, glued and cand (false) with
		// the padding after them (init checks the layout).
		tk := unsafe.Add(tp, uintptr(nt)*unsafe.Sizeof(token{}))
		*(*[2]int32)(tk) = [2]int32{int32(start), int32(i)}
		g := byte(0)
		if glued {
			g = 1
		}
		*(*[4]byte)(unsafe.Add(tk, 8)) = [4]byte{byte(kind), g} // kind, glued, cand, padding
		nt++
		glued = true
		if at(i) == ' ' {
			i++
			glued = false
		}
	}
	toks = toks[:nt]
	mark := func(k int) {
		tk := &toks[k]
		if tk.kind <= tokArabic && mayBeKeyword(b[tk.s:tk.e], tk.kind) {
			tk.cand = true
			if cands != nil {
				*cands = append(*cands, int32(k))
			}
		}
	}
	if ns <= len(sieved) {
		for _, k := range sieved[:ns] {
			mark(int(k))
		}
	} else {
		for k := first; k < nt; k++ {
			mark(k)
		}
	}
	return toks
}

// init checks that tokenize may write a token as it does: two int32
// offsets, then kind, glued and cand in the next three bytes. It panics
// otherwise (after a change to token), so that every test fails at once.
func init() {
	var tk token
	if unsafe.Sizeof(tk) != 12 || unsafe.Offsetof(tk.e) != 4 || unsafe.Offsetof(tk.kind) != 8 ||
		unsafe.Offsetof(tk.glued) != 9 || unsafe.Offsetof(tk.cand) != 10 {
		panic("textcheck: the layout of token is not the one tokenize writes")
	}
}

// mayBeKeyword tells the finder whether word w (of kind tokWord or
// tokArabic) may be an opt-out keyword, or a keyword glued to its number
// ("stop5050"): it looks only at those.
func mayBeKeyword(w []byte, kind tokKind) bool {
	n := len(w)
	if kind > tokArabic || n == 0 {
		return false
	}
	if (kwStart[w[0]]&kwEnd[w[n-1]])>>(uint(n)&31)&1 == 0 {
		return false
	}
	if kind == tokWord && kwGlued[w[0]] && n >= 7 && n <= 11 && w[n-1]-'0' < 10 {
		return true // stop5050, arret3030
	}
	return kwFilter.mayHold(w)
}

// kwGlued marks the first bytes of the keywords that may come glued to
// their number, "stop5050" and "arret3030": 7 to 11 bytes, the last a digit.
var kwGlued = [256]bool{'s': true, 'a': true}
