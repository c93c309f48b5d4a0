package mo

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParts(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 1},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("é", 160), 1}, // é is in the GSM alphabet
		{strings.Repeat("€", 80), 1},  // € takes two septets
		{strings.Repeat("€", 81), 2},  //
		{strings.Repeat("ê", 70), 1},  // ê is not: UCS-2
		{strings.Repeat("ê", 71), 2},  //
		{strings.Repeat("ت", 134), 2}, //
		{strings.Repeat("ت", 135), 3}, //
		{strings.Repeat("😀", 35), 1},  // a surrogate pair each
		{strings.Repeat("😀", 36), 2},
	} {
		if got := Parts(c.s); got != c.want {
			t.Errorf("Parts(%d × %q) = %d, want %d", utf8.RuneCountInString(c.s), firstRune(c.s), got, c.want)
		}
	}
}

func firstRune(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return string(r)
}

// TestTemplatesGSM: the French texts stay in the GSM 7-bit alphabet (an
// ê or a typographic apostrophe would switch them to UCS-2 and halve what
// a part holds), and the Arabic texts are Arabic.
func TestTemplatesGSM(t *testing.T) {
	for id, tpl := range templates {
		if _, ucs2 := smsLength(tpl.fr); ucs2 {
			for _, r := range tpl.fr {
				if gsmWidth(r) == 0 {
					t.Errorf("template %d: French text holds %q, outside the GSM alphabet", id, r)
				}
			}
		}
		if !strings.ContainsFunc(tpl.ar, func(r rune) bool { return r >= 0x600 && r <= 0x6ff }) {
			t.Errorf("template %d: the Arabic text has no Arabic", id)
		}
	}
	for _, w := range []template{providerSuffix, andWord, orWord, noContact, noDecl, noProvider, declPrefix} {
		if _, ucs2 := smsLength(w.fr); ucs2 {
			t.Errorf("%q is outside the GSM alphabet", w.fr)
		}
	}
}

// TestTemplatesFit renders every template with the longest values the
// registry may hold and checks that each text fits two parts. French
// replies write names in the GSM alphabet (frenchName), but what a
// subscriber typed and an advertiser's contact details may be in Arabic.
func TestTemplatesFit(t *testing.T) {
	long := strings.Repeat("Grande Marque Nationale ", 4)
	longAr := strings.Repeat("مجموعة مدارس الزيتون الأزرق ", 4)
	for _, c := range []struct {
		l             lang
		names, quoted string
	}{
		{french, long, long},
		{french, long, longAr},
		{arabic, long, long},
		{arabic, longAr, longAr},
	} {
		var v values
		for i := range v[c.l] {
			v[c.l][i] = c.names
		}
		v[c.l][vTyped], v[c.l][vContact] = c.quoted, c.quoted
		v[c.l][vCode] = "0800004545"
		v[c.l][vUndo] = "START ABCDEFGHIJK, ABCDEFGHIJK, ABCDEFGHIJK"
		v[c.l][vRedo] = "STOP ABCDEFGHIJK, ABCDEFGHIJK, ABCDEFGHIJK"
		v[c.l][vStop] = "STOP ABCDEFGHIJK"
		v[c.l][vKw] = "START"
		v[c.l][vDecl] = "D-2019-000041"
		var p parser
		for id := range templates {
			ts := []templateID{templateID(id)}
			if templateID(id) == tNotUnderstood {
				ts = []templateID{tNotUnderstood, tHelpOwn}
			}
			vv := v
			s := p.render(c.l, &vv, ts...)
			if n := Parts(s); n > 2 {
				t.Errorf("template %d, language %d: %d parts: %q", id, c.l, n, s)
			}
		}
	}
}

func TestFrenchName(t *testing.T) {
	for _, c := range [][3]string{
		{"Atlas Market", "ATLASMKT", "Atlas Market"},
		{"Café Fès Délices", "X", "Café Fès Délices"},   // é and è are GSM
		{"Crêperie Çà et là", "X", "Creperie Çà et là"}, // Ç is GSM, ç is not
		{"L’Oréal", "X", "L'Oréal"},
		{"مدارس الزيتون", "ZITOUNEDU", "ZITOUNEDU"},
		{"Bim 🎉 Promo", "X", "Bim Promo"},
	} {
		if got := frenchName(c[0], c[1]); got != c[2] {
			t.Errorf("frenchName(%q) = %q, want %q", c[0], got, c[2])
		}
	}
}

func TestDeForm(t *testing.T) {
	for _, c := range [][2]string{
		{"Atlas Market", "d'Atlas Market"},
		{"Inwi", "d'Inwi"},
		{"Écoles Atlas", "d'Écoles Atlas"},
		{"Marjane", "de Marjane"},
		{"Hôtel Atlas", "de Hôtel Atlas"}, // an h is not elided: h aspiré and h muet look alike
		{"مرجان", "de مرجان"},
	} {
		if got := deForm(c[0]); got != c[1] {
			t.Errorf("deForm(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestQuote(t *testing.T) {
	for _, c := range [][2]string{
		{"xyz corp", "xyz corp"},
		{"  x \n\t y  ", "x y"},
		{"\"x\"\u200b", "x"},
		{strings.Repeat("a", 40), strings.Repeat("a", 30) + ".."},
	} {
		if got := quote(c[0]); got != c[1] {
			t.Errorf("quote(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
