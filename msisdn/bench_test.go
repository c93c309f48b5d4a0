package msisdn

import (
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// moroccanForms is one Moroccan mobile number in the forms lists and SMPP
// addresses carry it: plain digits (what machines write, the gateway's
// case) and written by people (spaces, dots, "(0)", Eastern Arabic digits).
var moroccanForms = []struct {
	name  string
	forms []string
}{
	{"plain", []string{"0661234567", "+212661234567", "212661234567", "00212661234567"}},
	{"written", []string{"06 61 23 45 67", "+212 6 61 23 45 67", "06.61.23.45.67", "00212 (0)6-61-23-45-67", "٠٦٦١٢٣٤٥٦٧"}},
}

// BenchmarkParseMoroccan compares the Moroccan path with phonenumbers on
// the same inputs (ns/op is per number, cycling through the forms). The
// reference does what Parse does: read and validate the number, and tell
// its type.
func BenchmarkParseMoroccan(b *testing.B) {
	for _, group := range moroccanForms {
		forms := group.forms
		b.Run(group.name+"/bawwab", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := Parse(forms[i%len(forms)]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(group.name+"/phonenumbers", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				pn, err := phonenumbers.Parse(forms[i%len(forms)], "MA")
				if err != nil || !phonenumbers.IsValidNumber(pn) || phonenumbers.GetNumberType(pn) != phonenumbers.MOBILE {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseAddress is the gateway's hot path: a submit_sm's
// destination_addr, international and national.
func BenchmarkParseAddress(b *testing.B) {
	for _, a := range []struct {
		name string
		ton  byte
		addr []byte
	}{
		{"international", TONInternational, []byte("212661234567")},
		{"national", TONNational, []byte("0661234567")},
	} {
		b.Run(a.name+"/bawwab", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseAddress(a.ton, a.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(a.name+"/phonenumbers", func(b *testing.B) {
			b.ReportAllocs()
			s := string(a.addr)
			if a.ton == TONInternational {
				s = "+" + s
			}
			for b.Loop() {
				pn, err := phonenumbers.Parse(s, "MA")
				if err != nil || !phonenumbers.IsValidNumber(pn) {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseForeign shows the cost of the foreign path, which is
// phonenumbers plus the scan.
func BenchmarkParseForeign(b *testing.B) {
	forms := []string{"+33 6 12 34 56 78", "0034612345678", "+44 7911 123456"}
	b.Run("bawwab", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := Parse(forms[i%len(forms)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("phonenumbers", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			pn, err := phonenumbers.Parse(forms[i%len(forms)], "MA")
			if err != nil || !phonenumbers.IsValidNumber(pn) {
				b.Fatal(err)
			}
			phonenumbers.GetNumberType(pn)
		}
	})
}

// BenchmarkOperator looks up the operator of a Moroccan number: from the
// prefix table alone, through Operators with 100,000 ports (a read lock
// and a map lookup more), and with phonenumbers' carrier mapper.
func BenchmarkOperator(b *testing.B) {
	n, _ := Parse("0612345678")
	b.Run("bawwab/range", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if RangeHolder(n) != Orange {
				b.Fatal("wrong operator")
			}
		}
	})
	b.Run("bawwab/ported", func(b *testing.B) {
		ops := NewOperators()
		for i := range uint32(100_000) {
			m, _ := MoroccanNumber(661_000_000 + i*7)
			ops.Port(m, Inwi)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if ops.Operator(n) != Orange {
				b.Fatal("wrong operator")
			}
		}
	})
	b.Run("phonenumbers", func(b *testing.B) {
		pn, _ := phonenumbers.Parse("0612345678", "MA")
		b.ReportAllocs()
		for b.Loop() {
			if c, _ := phonenumbers.GetCarrierForNumber(pn, "en"); c != "Orange" {
				b.Fatal("wrong carrier", c)
			}
		}
	})
}

func BenchmarkAppendE164(b *testing.B) {
	n, _ := Parse("0612345678")
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = n.AppendE164(buf[:0])
	}
}

// BenchmarkParseHostile is the worst input for the diagnosis: a line of
// foreign numbers run together, where every gap is tried as a cut.
func BenchmarkParseHostile(b *testing.B) {
	for _, in := range []string{
		strings.Repeat("+33 6 12 34 56 78 ", 14)[:MaxInputLen],
		strings.Repeat("0 6 1 2 3 4 5 6 7 8 ", 13)[:MaxInputLen],
		strings.Repeat("06 12 34 56 78 x ", 15)[:MaxInputLen],
	} {
		b.Run("", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(in); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
