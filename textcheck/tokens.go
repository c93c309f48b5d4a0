package textcheck

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

// tokenize appends the tokens of the normalised text b to toks.
func tokenize(toks []token, b []byte) []token {
	n := len(b)
	// A text has at most one token a byte: write them by index.
	nt := len(toks)
	if cap(toks)-nt < n {
		grown := make([]token, nt, nt+n+n/2+8)
		copy(grown, toks)
		toks = grown
	}
	toks = toks[:cap(toks)]
	glued := false
	for i := 0; i < n; {
		start := i
		var kind tokKind
		switch byteClass[b[i]] {
		case clSpace:
			glued = false
			i++
			continue
		case clArabic:
			i += 2 // every rune of the Arabic blocks is two bytes long
			for i < n && isArabicLead(b[i]) {
				i += 2
			}
			if i > n { // a truncated rune at the end
				i = n
			}
			kind = tokArabic
		case clDigit:
			i++
			for i < n && b[i]-'0' < 10 {
				i++
			}
			kind = tokNum
			if i < n && latinWordByte[b[i]] { // 3la, 10h, 2x1
				kind = tokWord
				for i < n && latinWordByte[b[i]] {
					i++
				}
			}
		case clLetter, clOther, clCont:
			i++
			for i < n && latinWordByte[b[i]] {
				i++
			}
			kind = tokWord
		default: // clPunct, clRemoved
			i++
			kind = tokPunct
		}
		cand := false
		if kind <= tokArabic {
			w := b[start:i]
			cand = kwFilter.mayHold(w) || kind == tokWord && len(w) >= 7 && (w[0] == 's' || w[0] == 'a')
		}
		toks[nt] = token{s: int32(start), e: int32(i), kind: kind, glued: glued, cand: cand}
		nt++
		glued = true
	}
	return toks[:nt]
}
