package mo

// word is a word of a normalised text (textcheck.Text.Bytes): the bytes
// [s, e), and whether a list separator (, ; / + &) stands between it and
// the word before ("STOP ATLASMKT, MARJANE").
type word struct {
	s, e int32
	sep  bool
}

// isWordByte reports whether b belongs to a word of a normalised text: an
// ASCII letter or digit, or a byte of a rune beyond ASCII. The normaliser
// has turned every other punctuation and symbol into ASCII or a space, so
// what is left beyond ASCII is letters and digits of other scripts.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// wordsOf appends the words of the normalised text b to dst. Apostrophes
// and hyphens split words ("d'atlas", "atlas-market"): a brand key joins
// its words again, and "d" is a filler.
func wordsOf(dst []word, b []byte) []word {
	sep := false
	for i := 0; i < len(b); {
		c := b[i]
		if !isWordByte(c) {
			switch c {
			case ',', ';', '/', '+', '&':
				sep = true
			}
			i++
			continue
		}
		j := i + 1
		for j < len(b) && isWordByte(b[j]) {
			j++
		}
		dst = append(dst, word{int32(i), int32(j), sep && len(dst) > 0})
		sep = false
		i = j
	}
	return dst
}

func isDigits(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// hasLetter reports whether w holds a letter (any byte that is not an
// ASCII digit: words hold only letters and digits).
func hasLetter(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return true
		}
	}
	return false
}
