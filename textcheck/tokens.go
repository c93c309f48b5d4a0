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
}

// isArabicLead reports whether b starts a rune of the Arabic blocks
// (U+0600–U+06FF, U+0750–U+077F) in UTF-8.
func isArabicLead(b byte) bool { return b >= 0xD8 && b <= 0xDB || b == 0xDD }

// runeLen returns the length of the UTF-8 sequence that lead byte b starts.
func runeLen(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b < 0xE0:
		return 2
	case b < 0xF0:
		return 3
	}
	return 4
}

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

// tokenize appends the tokens of the normalised text b to toks.
func tokenize(toks []token, b []byte) []token {
	glued := false
	for i := 0; i < len(b); {
		c := byteClass[b[i]]
		start := i
		var kind tokKind
		switch c {
		case clSpace:
			glued = false
			i++
			continue
		case clPunct:
			i++
			kind = tokPunct
		case clArabic:
			for i < len(b) && byteClass[b[i]] == clArabic {
				i += 2 // every rune of the Arabic blocks is two bytes long
			}
			kind = tokArabic
		case clDigit:
			for i < len(b) && byteClass[b[i]] == clDigit {
				i++
			}
			kind = tokNum
			if i < len(b) && (byteClass[b[i]] == clLetter || byteClass[b[i]] == clOther) {
				kind = tokWord
				i = latinWordEnd(b, i)
			}
		default: // clLetter, clOther
			i = latinWordEnd(b, i)
			kind = tokWord
		}
		if i > len(b) { // a truncated rune at the end
			i = len(b)
		}
		toks = append(toks, token{s: int32(start), e: int32(i), kind: kind, glued: glued})
		glued = true
	}
	return toks
}

func latinWordEnd(b []byte, i int) int {
	for i < len(b) {
		switch byteClass[b[i]] {
		case clLetter, clDigit:
			i++
		case clOther:
			i += runeLen(b[i])
		default:
			return i
		}
	}
	return i
}
