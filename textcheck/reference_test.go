package textcheck

import (
	"encoding/binary"
	"unicode/utf8"
)

// The normaliser and the tokenizer as they were before they were tuned
// for speed: the tests and the fuzz targets check the tuned ones against
// them, byte for byte and token for token.

// referenceReset normalises src the way Text.Reset did, eight ASCII bytes
// at a time and a rune at a time beyond ASCII, and returns the normalised
// form and its anchors.
func referenceReset(src string) (norm []byte, anchors []anchor) {
	var t Text
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
	anc := t.anchors[:0]
	space := true // at the start, as after a space: leading spaces are dropped
	for i := 0; i < n; {
		// Eight bytes at a time while they are plain ASCII (see foldASCII8,
		// written out here: a call would spill the loop's registers).
		for i+8 <= n && o+8 <= len(out) {
			w := src[i : i+8]
			x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
				uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
			if x&swarHigh != 0 || zeroBytes(x^0x7F*swarOnes) != 0 {
				break // beyond ASCII, or DEL
			}
			if below := ^(x + (0x80-0x21)*swarOnes) & swarHigh; below != 0 {
				sp := zeroBytes(x ^ ' '*swarOnes)
				if below&^sp != 0 || sp&(sp<<8) != 0 || space && sp&0x80 != 0 {
					break // a control, or a space after a space
				}
			}
			y := x | (x+(0x80-'A')*swarOnes)&^(x+(0x80-'[')*swarOnes)&swarHigh>>2
			binary.LittleEndian.PutUint64(out[o:], y)
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
				for i < n {
					m = asciiFold256[src[i]]
					if m <= ' ' && (m != ' ' || out[o-1] == ' ') {
						break
					}
					out[o] = m
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
					for i+1 < n && src[i] >= 0xC2 && src[i] < 0xE0 && src[i+1]&0xC0 == 0x80 {
						r := rune(src[i]&0x1F)<<6 | rune(src[i+1]&0x3F)
						if foldTable.idx[r] != foldSame {
							break
						}
						out[o], out[o+1] = src[i], src[i+1]
						o += 2
						i += 2
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
	return out[:o], anc
}

// referenceTokenize is the tokenizer written the plain way, a byte class
// at a time; the tests check the one Reset uses against it.
func referenceTokenize(toks []token, b []byte) []token {
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
		cand := mayBeKeyword(b[start:i], kind)
		toks[nt] = token{s: int32(start), e: int32(i), kind: kind, glued: glued, cand: cand}
		nt++
		glued = true
	}
	return toks[:nt]
}
