package msisdn

import (
	"strings"
	"unicode/utf8"
)

// The diagnosis of an input that failed: slow, allocation-free still, and
// only run on errors. It tells "two numbers in one field" and "an extension
// after the number" from plain letters or a wrong length, because each
// calls for a different fix in a provider's list.

// extensionWords introduce an extension after a number ("poste 12",
// "ext. 12", "x12", "#12").
var extensionWords = []string{"ext", "extn", "extension", "x", "poste", "p", "post", "ramal", "tel", "#", "تحويلة", "داخلي"}

// diagnoseOdd names what is wrong with an input holding letters, a '+'
// after digits, or characters no number has.
func diagnoseOdd(s string, m mode) error {
	if twoNumbers(s, m) {
		return ErrTwoNumbers
	}
	if extension(s, m) {
		return ErrExtension
	}
	for _, r := range s {
		if c, _ := classOf(r); c == cLetter {
			return ErrLetters
		}
	}
	return ErrCharacter
}

// twoNumbers reports whether s is two valid numbers with something
// between them: "0661234567 / 0522456789", "… ou …", "…, …". It tries
// each gap between digits that leaves at least minDigits digits on both
// sides, at most maxCuts of them, so that a hostile line costs a bounded
// number of parses.
func twoNumbers(s string, m mode) bool {
	const minDigits, maxCuts = 7, 24
	total := 0
	for _, r := range s {
		if isDigit(r) {
			total++
		}
	}
	cuts := 0
	seen := 0          // digits before i
	prevDigitEnd := -1 // byte offset just after the last digit seen
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isDigit(r) {
			if prevDigitEnd >= 0 && prevDigitEnd < i && seen >= minDigits && total-seen >= minDigits {
				// s[prevDigitEnd:i] is a run of non-digits between digits.
				if cuts++; cuts > maxCuts {
					return false
				}
				right := i
				if p := strings.LastIndexAny(s[prevDigitEnd:i], "+＋"); p >= 0 {
					right = prevDigitEnd + p
				}
				if _, err := parse(s[:prevDigitEnd], m, false); err == nil {
					if _, err := parse(s[right:], m, false); err == nil {
						return true
					}
				}
			}
			seen++
			prevDigitEnd = i + size
		}
		i += size
	}
	return false
}

// extension reports whether s is a valid number followed by an extension
// word and digits: "06 61 23 45 67 poste 12".
func extension(s string, m mode) bool {
	seenDigit := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isDigit(r) {
			seenDigit = true
			i += size
			continue
		}
		class, _ := classOf(r)
		if class != cLetter && class != cHash {
			i += size
			continue
		}
		if !seenDigit {
			return false
		}
		// The word starting here, letters and dots.
		j := i + size
		if class == cLetter {
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if c, _ := classOf(r); c != cLetter && r != '.' {
					break
				}
				j += size
			}
		}
		word := strings.TrimRight(s[i:j], ".")
		known := false
		for _, w := range extensionWords {
			if strings.EqualFold(word, w) {
				known = true
				break
			}
		}
		if !known {
			return false
		}
		if _, err := parse(s[:i], m, false); err != nil {
			return false
		}
		return onlyDigits(s[j:])
	}
	return false
}

// onlyDigits reports whether s has digits and nothing but digits,
// separators and the punctuation that follows an extension word.
func onlyDigits(s string) bool {
	digits := false
	for _, r := range s {
		c, _ := classOf(r)
		switch {
		case c == cDigit:
			digits = true
		case c == cSpace, c == cSep, c == cInvisible, c == cOpen, c == cClose, r == ':', r == '=':
		default:
			return false
		}
	}
	return digits
}

func classOf(r rune) (uint8, byte) {
	if r < utf8.RuneSelf {
		return asciiClass[r], byte(r) - '0'
	}
	return runeClass(r)
}

func isDigit(r rune) bool {
	c, _ := classOf(r)
	return c == cDigit
}
