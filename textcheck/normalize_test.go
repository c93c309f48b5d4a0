package textcheck

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"STOP au 5050", "stop au 5050"},
		{"ＳＴＯＰ", "stop"},                   // fullwidth
		{"𝐒𝐓𝐎𝐏 𝟓𝟎𝟓𝟎", "stop 5050"},         // mathematical bold
		{"Arrêt ARRÊT", "arret arret"},     // accents
		{"Arre\u0302t", "arret"},           // a combining accent
		{"Désabonnement", "desabonnement"}, //
		{"œuvre Straße Øre", "oeuvre strasse ore"},
		{"n° nº N°", "no no no"},
		{"ST\u200bOP", "stop"},               // zero-width space
		{"S\u00adTOP", "stop"},               // soft hyphen
		{"\u200f8585\u200f", "8585"},         // right-to-left marks
		{"\u202bللتوقف\u202c", "للتوقف"},     // bidi embedding
		{"٥٠٥٠ ۵۰۵۰ ٣٤٣٤", "5050 5050 3434"}, // Arabic-Indic and Persian digits
		{"أرسل إيقاف إلى آخر", "ارسل ايقاف الي اخر"},
		{"تـوقـف", "توقف"},         // tatweel
		{"عمّر بـِ", "عمر ب"},      // harakat
		{"مدرسة على", "مدرسه علي"}, // teh marbuta, alef maksura
		{"ﻻ ﻷ", "لا لا"},           // lam-alef ligatures
		{"یک ک", "يك ك"},           // Persian yeh and keheh
		{"  a \t\n  b  ", "a b"},   // white space collapsed and trimmed
		{"«STOP» “x” ‘y’ – —", `"stop" "x" 'y' - -`},
		{"، ؛ ؟ ٪", ", ; ? %"},
		{"¡Hola! ¿Qué?", "hola! que?"},
		{"Gym💪Quwwa 🎉 ok", "gym quwwa ok"},
		{"a\x00b\x7fc", "abc"},
		{"\xff\xfe x", "x"}, // invalid UTF-8 becomes spaces
		{"", ""},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestNormalizeSpan maps a match in the normalised form back to the
// original text.
func TestNormalizeSpan(t *testing.T) {
	for _, tc := range []struct{ in, find, want string }{
		{"Soldes ! ST\u200bOP   au 5050.", "stop au 5050", "ST\u200bOP   au 5050"},
		{"للتوقف أرسل STOP إلى \u200f٨٥٨٥\u200f", "stop الي 8585", "STOP إلى \u200f٨٥٨٥"},
		{"Envoyez ＳＴＯＰ au 3030", "stop au 3030", "ＳＴＯＰ au 3030"},
		{"Arre\u0301t au 5050", "arret", "Arre\u0301t"},
		{"x ﻻ y", "لا", "ﻻ"},
		{"x ﻻ y", "ل", "ﻻ"},
		{"تـوقـف إلى ٥٠٥٠", "توقف الي 5050", "تـوقـف إلى ٥٠٥٠"},
		{"Œuvre 5050", "oeuvre", "Œuvre"},
		{"Œuvre 5050", "euvre", "Œuvre"},
		{"💪 STOP", "stop", "STOP"},
	} {
		var x Text
		x.Reset(tc.in)
		i := strings.Index(x.String(), tc.find)
		if i < 0 {
			t.Errorf("%q: normalised %q does not hold %q", tc.in, x.String(), tc.find)
			continue
		}
		s, e := x.Span(i, i+len(tc.find))
		if got := tc.in[s:e]; got != tc.want {
			t.Errorf("%q: span of %q is %q, want %q", tc.in, tc.find, got, tc.want)
		}
	}
}

// TestFoldTableFixedPoints checks that every rune of the Basic Multilingual
// Plane folds to a form that folds to itself: normalising twice changes
// nothing.
func TestFoldTableFixedPoints(t *testing.T) {
	ensureInit()
	var b strings.Builder
	for r := rune(0x80); r < 0x10000; r++ {
		if r >= 0xD800 && r < 0xE000 {
			continue
		}
		b.Reset()
		b.WriteString("a")
		b.WriteRune(r)
		b.WriteString("a")
		once := Normalize(b.String())
		if twice := Normalize(once); twice != once {
			t.Errorf("U+%04X: %q normalises to %q, then to %q", r, b.String(), once, twice)
		}
		if !utf8.ValidString(once) {
			t.Errorf("U+%04X: invalid UTF-8 %q", r, once)
		}
	}
}

// TestResetTokens checks that the normalised form, its map to the
// original and the tokens Reset writes are the ones the reference
// normaliser and tokenizer give (reference_test.go), and that normalising
// is idempotent, on every corpus text.
func TestResetTokens(t *testing.T) {
	for _, c := range readCorpus(t) {
		checkText(t, c.Text)
	}
	for _, c := range optoutCases {
		checkText(t, c.text)
	}
}

// checkText asserts the invariants of a normalised text; the fuzz target
// calls it too.
func checkText(t *testing.T, s string) {
	t.Helper()
	var x Text
	x.Reset(s)
	norm := x.Bytes()
	if !utf8.Valid(norm) {
		t.Fatalf("%q: normalised form %q is not UTF-8", s, norm)
	}
	if again := Normalize(string(norm)); again != string(norm) {
		t.Fatalf("%q: not idempotent: %q then %q", s, norm, again)
	}
	if ascii := isASCII(s); ascii {
		if want := referenceASCII(s); string(norm) != want {
			t.Fatalf("%q: normalised %q, the byte-by-byte reference gives %q", s, norm, want)
		}
	}
	if len(norm) > 20*len(s)+16 {
		t.Fatalf("%q: normalised form of %d bytes from %d", s, len(norm), len(s))
	}
	refNorm, refAnchors := referenceReset(s)
	if string(refNorm) != string(norm) {
		t.Fatalf("%q: normalised %q, the reference normaliser gives %q", s, norm, refNorm)
	}
	ref := Text{src: s, norm: refNorm, anchors: refAnchors}
	for i := range norm {
		if got, want := x.srcAt(i), ref.srcAt(i); got != want {
			t.Fatalf("%q: byte %d of %q maps to %d, the reference to %d", s, i, norm, got, want)
		}
	}
	want := referenceTokenize(nil, norm)
	if len(want) != len(x.toks) {
		t.Fatalf("%q: %d tokens, tokenize finds %d\n%v\n%v", s, len(x.toks), len(want), x.toks, want)
	}
	for i := range want {
		if want[i] != x.toks[i] {
			t.Fatalf("%q: token %d is %+v, tokenize finds %+v", s, i, x.toks[i], want[i])
		}
	}
	var cands []int32
	for i, tk := range x.toks {
		if tk.cand {
			cands = append(cands, int32(i))
		}
	}
	if fmt.Sprint(cands) != fmt.Sprint(x.cands) {
		t.Fatalf("%q: candidates %v, the tokens mark %v", s, x.cands, cands)
	}
	prev := 0
	for i := 0; i < len(norm); i++ {
		st := x.srcAt(i)
		if st < 0 || st >= len(s) || !utf8.RuneStart(s[st]) {
			t.Fatalf("%q: byte %d maps to %d, not a rune of the %d bytes of the text", s, i, st, len(s))
		}
		if st < prev {
			t.Fatalf("%q: byte %d maps to %d, before byte %d (%d)", s, i, st, i-1, prev)
		}
		prev = st
	}
	for _, tk := range x.toks {
		st, e := x.Span(int(tk.s), int(tk.e))
		if st < 0 || e > len(s) || st >= e {
			t.Fatalf("%q: token %q maps to [%d,%d) outside the %d bytes of the text", s, norm[tk.s:tk.e], st, e, len(s))
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// referenceASCII is the normalisation of a text in ASCII, written the
// plain way: controls removed, upper case lowered, white space collapsed.
func referenceASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			b.WriteByte(' ')
		case c < 0x20 || c == 0x7f:
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// TestFoldASCII8 checks the eight-bytes-at-once path against the byte
// loop, on every byte value in every position and on random words.
func TestFoldASCII8(t *testing.T) {
	check := func(x uint64, prevSpace bool) {
		var in [8]byte
		for k := range in {
			in[k] = byte(x >> (8 * k))
		}
		wantOK := true
		var want uint64
		space := prevSpace
		for k, c := range in {
			m := byte(0)
			if c < utf8.RuneSelf {
				m = asciiFold[c]
			}
			if c >= utf8.RuneSelf || m == 0 || m == ' ' && space || c != ' ' && m == ' ' {
				wantOK = false
				break
			}
			space = m == ' '
			want |= uint64(m) << (8 * k)
		}
		got, ok := foldASCII8(x, prevSpace)
		if ok != wantOK || ok && got != want {
			t.Fatalf("foldASCII8(%q, %v) = %q, %v; want %q, %v", in[:], prevSpace, le8(got), ok, le8(want), wantOK)
		}
	}
	base := uint64(0x6867666564636261) // "abcdefgh"
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			x := base&^(0xFF<<(8*pos)) | uint64(c)<<(8*pos)
			check(x, false)
			check(x, true)
		}
	}
	seed := uint64(0x9E3779B97F4A7C15)
	alphabet := "aZ  .'09\x00\x7f\t-A@[`{"
	for n := 0; n < 200000; n++ {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		var x uint64
		for k := 0; k < 8; k++ {
			x |= uint64(alphabet[(seed>>(5*k))%uint64(len(alphabet))]) << (8 * k)
		}
		check(x, seed&1 == 0)
	}
}

func le8(x uint64) string {
	var b [8]byte
	for k := range b {
		b[k] = byte(x >> (8 * k))
	}
	return string(b[:])
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"STOP au 5050", "ST\u200bOP", "ﻻ ﷺ", "٥٠٥٠", "\xff", "a  b", "𝐒𝐓𝐎𝐏", "Arre\u0302t", "ＳＴＯＰ au ５０５０",
		"للتوقف أرسل STOP إلى \u200f8585\u200f", "S.T.O.P", "3la 10h 2x1 ل5050",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkText(t, s)
	})
}
