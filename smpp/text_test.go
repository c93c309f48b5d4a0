package smpp

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/warthog618/sms/encoding/gsm7"
)

// gsmAll is every character of the GSM 03.38 default alphabet and its
// extension table (the escape excepted).
const gsmAll = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" + "\f^{}\\[~]|€"

func TestGSM7(t *testing.T) {
	septets, err := AppendGSM7(nil, gsmAll)
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := GSM7Len(gsmAll); !ok || n != len(septets) || n != 127+2*10 {
		t.Errorf("GSM7Len = %d %v, encoded %d", n, ok, len(septets))
	}
	if got := string(AppendGSM7Text(nil, septets)); got != gsmAll {
		t.Errorf("round trip:\n got %q\nwant %q", got, gsmAll)
	}
	// The reference codec agrees, both ways.
	ref, err := gsm7.Encode([]byte(gsmAll))
	if err != nil || !bytes.Equal(ref, septets) {
		t.Errorf("warthog618 encodes differently: %v", err)
	}
	for _, s := range []string{"Ça coûte 5€ [promo]", "ç", "سلام", "emoji 😀"} {
		_, err := AppendGSM7(nil, s)
		_, refErr := gsm7.Encode([]byte(s))
		if (err == nil) != (refErr == nil) {
			t.Errorf("%q: err %v, reference %v", s, err, refErr)
		}
	}
	var ue *UnencodableError
	if _, err := AppendGSM7(nil, "Réponse: ça"); !errors.As(err, &ue) || ue.Rune != 'ç' || ue.Offset != 10 {
		t.Errorf("unencodable: %v", err)
	}
	// Lenient decoding: escape + unknown -> base character, escape escape ->
	// space, dangling escape -> nothing, octets above 0x7F -> U+FFFD.
	for in, want := range map[string]string{
		"\x1bA":        "A",
		"a\x1b\x1bb":   "a b",
		"ab\x1b":       "ab",
		"a\x80b":       "a\uFFFDb",
		"\x1b\x65":     "€",
		"\x00\x02\x1b": "@$",
	} {
		if got := string(AppendGSM7Text(nil, []byte(in))); got != want {
			t.Errorf("decode %q = %q, want %q", in, got, want)
		}
	}
}

func TestPackSeptets(t *testing.T) {
	// "hellohello" packed, from 3GPP TS 23.038's example (E8329BFD4697D9EC37).
	septets, _ := AppendGSM7(nil, "hellohello")
	packed := PackSeptets(septets, 0)
	if want := []byte{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}; !bytes.Equal(packed, want) {
		t.Errorf("packed %X, want %X", packed, want)
	}
	if got := UnpackSeptets(packed, 0); !bytes.Equal(got[:len(septets)], septets) {
		t.Errorf("unpack %X", got)
	}
	// After a 6-octet UDH, one fill bit aligns the septets.
	withFill := PackSeptets(septets, 1)
	if got := UnpackSeptets(withFill, 1); !bytes.Equal(got[:len(septets)], septets) {
		t.Errorf("unpack with fill %X", got)
	}
}

func TestUCS2(t *testing.T) {
	for _, s := range []string{"سلام عليكم", "Ça coûte 5€", "emoji 😀 and 𝄞", ""} {
		b := AppendUCS2(nil, s)
		if len(b) != 2*UCS2Len(s) {
			t.Errorf("%q: %d octets for %d units", s, len(b), UCS2Len(s))
		}
		if got := string(AppendUCS2Text(nil, b)); got != s {
			t.Errorf("round trip %q -> %q", s, got)
		}
	}
	if UCS2Len("😀") != 2 {
		t.Errorf("a character beyond the BMP is a surrogate pair")
	}
	for in, want := range map[string]string{
		"\xD8\x3D":         "\uFFFD",  // lone high surrogate
		"\xDE\x00\x00A":    "\uFFFDA", // lone low surrogate
		"\x00A\x00":        "A\uFFFD", // odd length
		"\xD8\x3D\x00A":    "\uFFFDA", // high surrogate then a BMP unit
		"\xD8\x3D\xDE\x00": "😀",
	} {
		if got := string(AppendUCS2Text(nil, []byte(in))); got != want {
			t.Errorf("decode %X = %q, want %q", in, got, want)
		}
	}
}

func TestDataCoding(t *testing.T) {
	cases := []struct {
		dc    DataCoding
		a     Alphabet
		class int
	}{
		{0x00, AlphabetGSM7, -1}, {0x01, AlphabetASCII, -1}, {0x02, AlphabetBinary, -1},
		{0x03, AlphabetLatin1, -1}, {0x04, AlphabetBinary, -1}, {0x06, AlphabetUnsupported, -1},
		{0x08, AlphabetUCS2, -1}, {0x10, AlphabetGSM7, 0}, {0x11, AlphabetGSM7, 1},
		{0x18, AlphabetUCS2, 0}, {0x14, AlphabetBinary, 0}, {0x2C, AlphabetUnsupported, -1},
		{0xF0, AlphabetGSM7, 0}, {0xF1, AlphabetGSM7, 1}, {0xF5, AlphabetBinary, 1},
		{0xC0, AlphabetGSM7, -1}, {0xE0, AlphabetUCS2, -1}, {0x88, AlphabetUnsupported, -1},
	}
	for _, c := range cases {
		if a := c.dc.Alphabet(); a != c.a {
			t.Errorf("0x%02X: alphabet %v, want %v", byte(c.dc), a, c.a)
		}
		class, ok := c.dc.Class()
		if c.class < 0 && ok || c.class >= 0 && (!ok || class != c.class) {
			t.Errorf("0x%02X: class %d %v, want %d", byte(c.dc), class, ok, c.class)
		}
	}
	if s, err := DecodeText(0x03, []byte("caf\xe9")); err != nil || s != "café" {
		t.Errorf("Latin-1: %q %v", s, err)
	}
	if s, err := DecodeText(0x01, []byte("ab\xff")); err != nil || s != "ab\uFFFD" {
		t.Errorf("IA5: %q %v", s, err)
	}
	if _, err := DecodeText(0x04, []byte{1, 2}); !errors.Is(err, ErrNotText) {
		t.Errorf("binary: %v", err)
	}
	if b, err := AppendLatin1(nil, "café"); err != nil || string(b) != "caf\xe9" {
		t.Errorf("AppendLatin1: %q %v", b, err)
	}
	if _, err := AppendLatin1(nil, "€"); err == nil {
		t.Errorf("AppendLatin1 took €")
	}
}

func TestSplitter(t *testing.T) {
	frLong := strings.Repeat("Votre demande a été enregistrée. ", 10)   // GSM 03.38, 330 septets
	frUCS2 := strings.Repeat("Reçu, à bientôt ! ", 10)                  // ç and ô: UCS-2
	arabic := strings.Repeat("تم تسجيل طلبك، شكرا. ", 8)                // UCS-2, 168 units
	escapes := strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10) // € straddles the first cut
	emoji := strings.Repeat("ب", 66) + "😀" + "ببب"                      // the pair straddles the first cut
	cases := []struct {
		name  string
		text  string
		ref16 bool
		dc    DataCoding
		parts int
	}{
		{"short GSM", "Merci, votre demande est enregistrée.", false, CodingDefault, 1},
		{"160 GSM", strings.Repeat("x", 160), false, CodingDefault, 1},
		{"161 GSM", strings.Repeat("x", 161), false, CodingDefault, 2},
		{"long French GSM", frLong, false, CodingDefault, 3},
		{"long French GSM 16-bit ref", frLong, true, CodingDefault, 3},
		{"French UCS-2", frUCS2, false, CodingUCS2, 3},
		{"Arabic", arabic, false, CodingUCS2, 3},
		{"Arabic 16-bit ref", arabic, true, CodingUCS2, 3},
		{"escape at the cut", escapes, false, CodingDefault, 2},
		{"surrogate at the cut", emoji, false, CodingUCS2, 2},
		{"70 UCS-2", strings.Repeat("ب", 70), false, CodingUCS2, 1},
	}
	ref := uint16(0x1234)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Splitter{Ref16: c.ref16, NextRef: func() uint16 { return ref }}
			sp, err := s.Split(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if sp.DataCoding != c.dc || len(sp.Parts) != c.parts {
				t.Fatalf("dc 0x%02X, %d parts; want 0x%02X, %d", byte(sp.DataCoding), len(sp.Parts), byte(c.dc), c.parts)
			}
			// Each part fits in 140 octets once packed, and the parts read back.
			r := NewReassembler(ReassemblerOptions{})
			var whole *Message
			for i, b := range sp.Bodies(Body{Source: Address{5, 0, "Bawwab"}, Dest: Address{1, 1, "212600000001"}}) {
				if len(sp.Parts) > 1 && b.ESMClass&ESMClassUDHI == 0 {
					t.Fatalf("part %d without UDHI", i)
				}
				raw, err := b.Encode(SubmitSM, 0, uint32(i+1))
				if err != nil {
					t.Fatal(err)
				}
				var p PDU
				if err := p.Decode(raw); err != nil {
					t.Fatal(err)
				}
				udh, ud, err := p.UserData()
				if err != nil {
					t.Fatal(err)
				}
				octets := len(udh) + len(ud)
				if sp.DataCoding == CodingDefault {
					octets = (len(udh)*8 + len(ud)*7 + 7) / 8
				}
				if octets > 140 {
					t.Errorf("part %d: %d octets on air", i, octets)
				}
				if text, _ := DecodeText(sp.DataCoding, ud); strings.ContainsRune(text, utf8.RuneError) ||
					len(ud) > 0 && ud[len(ud)-1] == 0x1B {
					t.Errorf("part %d does not stand alone: %q", i, text)
				}
				if len(sp.Parts) > 1 {
					c, ok, err := p.Concat()
					wantKind := ConcatUDH8
					if s.Ref16 {
						wantKind = ConcatUDH16
					}
					if err != nil || !ok || c.Kind != wantKind || int(c.Seq) != i+1 || int(c.Total) != len(sp.Parts) {
						t.Fatalf("part %d: concat %+v %v %v", i, c, ok, err)
					}
				}
				if m, done, err := r.Add(&p, i); err != nil {
					t.Fatal(err)
				} else if done {
					whole = m
				}
			}
			if whole == nil {
				t.Fatal("not reassembled")
			}
			if text, err := whole.Text(); err != nil || text != c.text {
				t.Errorf("reassembled %q %v", text, err)
			}
		})
	}
	if _, err := (&Splitter{}).Split(strings.Repeat("x", 153*255+1)); !errors.Is(err, ErrTooLong) {
		t.Errorf("256 parts: %v", err)
	}
	// The default reference counts, 8-bit.
	var s Splitter
	a, _ := s.Split(strings.Repeat("x", 200))
	b, _ := s.Split(strings.Repeat("x", 200))
	if a.Concat.Ref+1 != b.Concat.Ref {
		t.Errorf("references %d then %d", a.Concat.Ref, b.Concat.Ref)
	}
}

func BenchmarkGSM7Decode(b *testing.B) {
	septets, _ := AppendGSM7(nil, "Promo -20% ce week-end à Rabat ! Répondez STOP au 5050 {gratuit}")
	b.Run("smpp", func(b *testing.B) {
		b.ReportAllocs()
		var out []byte
		for b.Loop() {
			out = AppendGSM7Text(out[:0], septets)
		}
		if !utf8.Valid(out) {
			b.Fatal("invalid")
		}
	})
	b.Run("warthog618", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gsm7.Decode(septets); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// randomText draws from GSM, Latin and Arabic characters and emoji.
func randomText(r *rand.Rand, n int) string {
	pool := []rune("aZ09 @€{}[]\\~|^éèàçôœ€ÇسلامعليكمΔΩ😀𝄞\n")
	var b strings.Builder
	for range n {
		b.WriteRune(pool[r.IntN(len(pool))])
	}
	return b.String()
}

func TestSplitterRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		text := randomText(r, r.IntN(600))
		if i%2 == 0 {
			text = strings.Map(func(c rune) rune {
				if _, ok := GSM7Len(string(c)); ok {
					return c
				}
				return 'x'
			}, text)
		}
		sp, err := (&Splitter{Ref16: i%3 == 0}).Split(text)
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, p := range sp.Parts {
			if len(sp.Parts) > 1 {
				_, ud, err := SplitUDH(p)
				if err != nil {
					t.Fatal(err)
				}
				p = ud
			}
			all = append(all, p...)
		}
		if got, _ := DecodeText(sp.DataCoding, all); got != text {
			t.Fatalf("text %d: round trip differs", i)
		}
	}
}
