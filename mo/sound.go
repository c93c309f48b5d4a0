package mo

import "unicode/utf8"

// The consonant skeleton of a name lets a brand registered in Latin
// letters be found when a subscriber writes it in Arabic letters, and the
// reverse: "أطلس ماركت" and "Atlas Market" both read "tlsmrkt", "مرجان" and
// "Marjane" both read "mrjn", "شعبي" and "Chaabi" both read "Sb". Short
// vowels are not written in Arabic, and Latin transcriptions of Arabic
// disagree on the long ones (Marouane, Marwane, مروان), so vowels (and the
// semi-vowels w, y, و, ي) are dropped on both sides; consonants are mapped
// to one class per sound, digraphs first (ch, sh → ش; kh → خ; gh → غ),
// Arabizi digits inside a word read as the letters they stand for (7 → ح,
// 9 → ق, 5 → خ; 3 and 2, ع and ء, are dropped like ع and ء themselves),
// and a doubled consonant is one (Marrakech, مراكش). The skeleton is the
// last resort of the resolver and only counts when it is long enough
// (minSkeleton) to tell brands apart.

const minSkeleton = 3

// skeletonOf appends the consonant skeleton of the words ws of the
// normalised text b to dst.
func skeletonOf(dst []byte, b []byte, ws []word) []byte {
	for _, w := range ws {
		dst = skeletonWord(dst, b[w.s:w.e])
	}
	return dst
}

func skeletonWord(dst []byte, w []byte) []byte {
	letters := hasLetter(w)
	emit := func(c byte) {
		if c == 0 {
			return
		}
		if n := len(dst); n > 0 && dst[n-1] == c {
			return // a doubled consonant
		}
		dst = append(dst, c)
	}
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			var next byte
			if i+1 < len(w) {
				next = w[i+1]
			}
			i++
			switch c {
			case 'a', 'e', 'i', 'o', 'u', 'y', 'w':
			case 'c':
				switch next {
				case 'h':
					emit('S')
					i++
				case 'e', 'i', 'y':
					emit('s')
				default:
					emit('k')
				}
			case 's':
				if next == 'h' {
					emit('S')
					i++
				} else {
					emit('s')
				}
			case 'k':
				if next == 'h' {
					emit('K')
					i++
				} else {
					emit('k')
				}
			case 'g':
				if next == 'h' {
					emit('G')
					i++
				} else {
					emit('j')
				}
			case 't', 'd':
				if next == 'h' {
					i++ // th, dh: t, d
				}
				emit(c)
			case 'p':
				if next == 'h' {
					i++
					emit('f')
				} else {
					emit('b') // Arabic has no p: بيتزا
				}
			case 'q':
				emit('k')
			case 'v':
				emit('f')
			case 'x':
				emit('k')
				emit('s')
			case '2', '3':
				if !letters {
					emit(c)
				}
			case '5':
				if letters {
					emit('K')
				} else {
					emit(c)
				}
			case '7':
				if letters {
					emit('h')
				} else {
					emit(c)
				}
			case '9':
				if letters {
					emit('k')
				} else {
					emit(c)
				}
			case '8':
				if letters {
					emit('G')
				} else {
					emit(c)
				}
			default:
				emit(c) // b f h j l m n r z and digits
			}
			continue
		}
		r, size := utf8.DecodeRune(w[i:])
		i += size
		switch r {
		case 'ه':
			if i < len(w) {
				emit('h') // a final ه is the folded ة, a vowel
			}
		default:
			emit(arabicSound(r))
		}
	}
	return dst
}

// arabicSound maps an Arabic letter (as normalised: no hamza carrier, no ة
// or ى) to its consonant class, 0 for a vowel, ع, ء or a letter of another
// script.
func arabicSound(r rune) byte {
	switch r {
	case 'ب', 'پ':
		return 'b'
	case 'ت', 'ث', 'ط':
		return 't'
	case 'ج', 'ڭ', 'گ':
		return 'j'
	case 'ح':
		return 'h'
	case 'خ':
		return 'K'
	case 'د', 'ذ', 'ض':
		return 'd'
	case 'ر':
		return 'r'
	case 'ز', 'ظ':
		return 'z'
	case 'س', 'ص':
		return 's'
	case 'ش':
		return 'S'
	case 'غ':
		return 'G'
	case 'ف', 'ڤ':
		return 'f'
	case 'ق', 'ك':
		return 'k'
	case 'ل':
		return 'l'
	case 'م':
		return 'm'
	case 'ن':
		return 'n'
	}
	return 0 // ا و ي ع ء, and anything else
}
