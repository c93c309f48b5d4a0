package mo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/textcheck"
)

// largeRecords adds n generated advertisers, each with a sender ID, to the
// test registry: names of two or three words drawn from Moroccan shop
// names, so that many share a first word, as real brands do.
func largeRecords(n int) Records {
	r := testRecords()
	first := []string{"Dar", "Bab", "Souk", "Atlas", "Rif", "Sahara", "Marina", "Medina", "Oasis", "Argan",
		"Zitoun", "Nakhil", "Yasmine", "Anfa", "Agdal", "Kasbah", "Andalous", "Tafilalet", "Oudaya", "Majorelle"}
	second := []string{"Market", "Moto", "Store", "Optique", "Immo", "Voyages", "Auto", "Mode", "Beauté", "Food",
		"Telecom", "Pharma", "Électro", "Meubles", "Sport", "Kids", "Bio", "Café", "Déco", "Tech"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		name := first[rng.IntN(len(first))] + " " + second[rng.IntN(len(second))] + " " + fmt.Sprint(i)
		id := fmt.Sprintf("gen-%d", i)
		r.Advertisers = append(r.Advertisers, bawwab.Advertiser{ID: id, Name: name, ProviderIDs: []string{"sahelcom"}})
		sender := strings.ToUpper(strings.ReplaceAll(name, " ", ""))
		if len(sender) > 11 {
			sender = sender[:7] + fmt.Sprintf("%04d", i%10000)
		}
		r.SenderIDs = append(r.SenderIDs, bawwab.SenderID{Value: sender, ProviderID: "sahelcom", AdvertiserID: id, Category: bawwab.CategoryCommercial})
	}
	return r
}

var benchMessages = []struct{ name, to, text string }{
	{"stop", "3030", "STOP"},
	{"stop-own-channel", "5050", "Stop."},
	{"stop-brand-exact", "3030", "STOP ATLASMKT"},
	{"stop-brand-words", "3030", "Bonjour, STOP les SMS de Atlas Market svp"},
	{"stop-brand-typo", "3030", "STOP atlsmarket"},
	{"stop-brand-arabic", "3030", "توقف أطلس ماركت"},
	{"stop-brand-unknown", "3030", "STOP xyzcorp"},
	{"sentence", "3030", "je veux pas que ça stop, c'est trop"},
	{"contact", "3030", "QUI ATLASMKT"},
}

// BenchmarkHandle measures an MO from its text to its oppositions and
// replies; "normalise" is the reference, textcheck's normaliser alone on
// the same text, which Handle runs first.
func BenchmarkHandle(b *testing.B) {
	for _, size := range []int{0, 5000} {
		d, err := NewDirectory(largeRecords(size))
		if err != nil {
			b.Fatal(err)
		}
		for _, m := range benchMessages {
			mo := MO{From: testNumber, To: m.to, Text: m.text, At: testTime}
			b.Run(fmt.Sprintf("brands=%d/%s/normalise", len(d.brands), m.name), func(b *testing.B) {
				var t textcheck.Text
				b.ReportAllocs()
				for b.Loop() {
					t.Reset(m.text)
				}
			})
			b.Run(fmt.Sprintf("brands=%d/%s/handle", len(d.brands), m.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Handle(mo); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkResolve measures brand resolution alone, at each step.
func BenchmarkResolve(b *testing.B) {
	d, err := NewDirectory(largeRecords(5000))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, text string }{
		{"exact", "Atlas Market"},
		{"prefix", "Mamounia"},
		{"typo", "atlsmarket"},
		{"sound", "أطلس ماركت"},
		{"unknown", "xyzcorpzz"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				d.Resolve(c.text)
			}
		})
	}
}

// BenchmarkNewDirectory measures a rebuild after a registry change.
func BenchmarkNewDirectory(b *testing.B) {
	r := largeRecords(5000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewDirectory(r); err != nil {
			b.Fatal(err)
		}
	}
}
