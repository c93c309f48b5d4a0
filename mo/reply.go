package mo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reply is the text sent back to the subscriber, free, as two SMS: one in
// French, one in Arabic (see templates.go for why two). Each is within two
// parts of a concatenated SMS.
type Reply struct {
	French string
	Arabic string
}

// The limits of two concatenated parts: 153 GSM 7-bit characters or 67
// UCS-2 characters each, the rest of 160 and 70 holding the
// concatenation header.
const (
	maxGSM  = 2 * 153
	maxUCS2 = 2 * 67
)

// Parts returns how many SMS parts s takes: GSM 7-bit when every character
// is in the GSM 03.38 alphabet (its extension table counting two), UCS-2
// otherwise.
func Parts(s string) int {
	n, ucs2 := smsLength(s)
	single, multi := 160, 153
	if ucs2 {
		single, multi = 70, 67
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}

// smsLength returns the length of s in the units of its encoding: GSM
// septets, or UTF-16 code units when s needs UCS-2.
func smsLength(s string) (n int, ucs2 bool) {
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		w := gsmWidth(r)
		if w == 0 {
			ucs2 = true
			break
		}
		n += w
		i += size
	}
	if !ucs2 {
		return n, false
	}
	// UTF-16 units: one per rune (a byte that does not continue a rune),
	// two beyond the BMP (a four-byte rune: a surrogate pair).
	n = 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0xF0:
			n += 2
		case c&0xC0 != 0x80:
			n++
		}
	}
	return n, true
}

// gsmWidth returns the septets r takes in the GSM 03.38 default alphabet:
// 1 for the basic table, 2 for the extension table (escape and the
// character), 0 when it is not encodable.
func gsmWidth(r rune) int {
	if r < rune(len(gsmTable)) {
		return int(gsmTable[r])
	}
	if r == '€' {
		return 2
	}
	return 0
}

// gsmTable holds the widths of the runes up to the Greek capitals, the
// last of the GSM alphabet but €.
var gsmTable = func() (t ['Ω' + 1]uint8) {
	for r := ' '; r < 0x7f; r++ {
		t[r] = 1
	}
	t['`'] = 0
	for _, r := range "^{}\\[]~|\f" {
		t[r] = 2
	}
	t['\n'], t['\r'] = 1, 1
	for _, r := range "£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà" {
		t[r] = 1
	}
	return t
}()

type lang uint8

const (
	french lang = iota
	arabic
)

// varID names a placeholder of the templates.
type varID uint8

const (
	vCode varID = iota
	vWhat
	vDeWhat
	vUndo
	vRedo
	vOwner
	vDeOwner
	vName
	vContact
	vSenders
	vDecl
	vStop
	vKw
	vTyped
	vTry
	nVars
)

var varNames = [nVars]string{
	vCode: "code", vWhat: "what", vDeWhat: "de_what", vUndo: "undo", vRedo: "redo",
	vOwner: "owner", vDeOwner: "de_owner", vName: "name",
	vContact: "contact", vSenders: "senders", vDecl: "decl", vStop: "stop",
	vKw: "kw", vTyped: "typed", vTry: "try",
}

// shrinkable placeholders hold names or free text, which may be shortened
// to keep a reply within two parts; the others (codes, commands) never are.
var shrinkable = [nVars]bool{
	vWhat: true, vDeWhat: true, vOwner: true, vDeOwner: true, vName: true,
	vContact: true, vSenders: true, vTyped: true, vTry: true,
}

// values are the placeholders' values for one reply, per language.
type values [2][nVars]string

type part struct {
	lit string
	v   varID
	ok  bool // a placeholder
}

var compiled = func() (c [nTemplates][2][]part) {
	for t := range templates {
		for l, s := range []string{templates[t].fr, templates[t].ar} {
			c[t][l] = compile(s)
		}
	}
	return c
}()

// compile splits a template into literals and placeholders. An unknown
// placeholder is a bug in templates.go and panics when the package loads.
func compile(s string) []part {
	var parts []part
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			parts = append(parts, part{lit: s})
			break
		}
		if i > 0 {
			parts = append(parts, part{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic("mo: unclosed placeholder in template " + s)
		}
		name := s[i+1 : i+j]
		found := false
		for v, n := range varNames {
			if n == name {
				parts = append(parts, part{v: varID(v), ok: true})
				found = true
				break
			}
		}
		if !found {
			panic("mo: unknown placeholder {" + name + "} in template " + s)
		}
		s = s[i+j+1:]
	}
	return parts
}

// fits reports whether the templates ts fit two parts in language l as
// they are, without shortening anything.
func (p *parser) fits(l lang, v *values, ts ...templateID) bool {
	p.out = p.write(p.out[:0], l, v, ts)
	n, ucs2 := smsLength(string(p.out))
	return n <= maxGSM && !ucs2 || n <= maxUCS2
}

func (p *parser) write(dst []byte, l lang, v *values, ts []templateID) []byte {
	for _, t := range ts {
		for _, pt := range compiled[t][l] {
			if pt.ok {
				dst = append(dst, v[l][pt.v]...)
			} else {
				dst = append(dst, pt.lit...)
			}
		}
	}
	return dst
}

// render writes the templates ts one after the other in language l, and
// shortens the longest name in them until the text fits two parts.
func (p *parser) render(l lang, v *values, ts ...templateID) string {
	vals := &v[l]
	for try := 0; ; try++ {
		p.out = p.write(p.out[:0], l, v, ts)
		n, ucs2 := smsLength(string(p.out))
		limit := maxGSM
		if ucs2 {
			limit = maxUCS2
		}
		if n <= limit || try > 2*int(nVars) {
			return string(p.out)
		}
		// The longest shrinkable value the templates use.
		best, bestLen := varID(0), 6
		for _, t := range ts {
			for _, pt := range compiled[t][l] {
				if pt.ok && shrinkable[pt.v] {
					if k := utf8.RuneCountInString(vals[pt.v]); k > bestLen {
						best, bestLen = pt.v, k
					}
				}
			}
		}
		if bestLen == 6 {
			return string(p.out) // nothing left to shorten
		}
		vals[best] = shorten(vals[best], max(4, bestLen-(n-limit)-2))
	}
}

// shorten cuts s to n runes and marks the cut with "..".
func shorten(s string, n int) string {
	i := 0
	for k := 0; k < n && i < len(s); k++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s
	}
	return strings.TrimRightFunc(s[:i], unicode.IsSpace) + ".."
}

// deForm is French "de" before a name, elided before a vowel: "d'Atlas
// Market", "de Marjane", "d'Inwi".
func deForm(name string) string {
	r, _ := utf8.DecodeRuneInString(name)
	switch unicode.ToLower(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'à', 'â', 'é', 'è', 'ê', 'î', 'ô', 'û':
		return "d'" + name
	}
	return "de " + name
}

// quote prepares what a subscriber wrote to be quoted back: controls,
// format characters and quotes removed, spaces collapsed, at most 30
// characters.
func quote(s string) string {
	var b strings.Builder
	space := true
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		case r == '"' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError:
			continue
		}
		if n == 30 {
			b.WriteString("..")
			break
		}
		b.WriteRune(r)
		space = false
		n++
	}
	return strings.TrimSpace(b.String())
}
