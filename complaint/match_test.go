package complaint_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
)

// The messages delivered to subscriber A in the matching tests, in French,
// Arabic and Darija (Latin and Arabic letters), from two providers; m2 is
// another promotion of m1's brand, the decoy a sloppy matcher picks.
const (
	subscriberA = "+212661234567"
	subscriberB = "+212662345678"

	m1 = "Atlas Market : -30% sur tout le rayon chaussures ce week-end dans tous nos magasins ! STOP au 5050"
	m2 = "Atlas Market : nouveaux arrivages de fruits et légumes frais chaque matin. Livraison offerte dès 300 DH. STOP au 5050"
	m3 = "سوق النور: تخفيضات تصل إلى 40% على المواد الغذائية الأساسية طيلة شهر رمضان في جميع متاجرنا. للتوقف أرسل STOP إلى 3030"
	m4 = "Dar Lbahja: soldes bdaw! Hta l -50% 3la ga3 lfourniture dyal dar. Merhba bikom f lboutiques dyalna f Sla o Rbat. Sift STOP l 5151"
	m5 = "سوق النور: هاد السيمانة اللحم والدجاج بتخفيض 25% فكاع المحلات ديالنا. صيفط STOP ل 3030 باش توقف هاد الميساجات"
	m6 = "Atlas Market : votre commande n° 48213 est prête. Retrait au magasin Maarif avant samedi 20h."
)

type delivered struct {
	name, sender, provider, text string
	at                           time.Time
}

var inbox = []delivered{
	{"m1", "ATLASMKT", "atlasvas", m1, t0.Add(1 * time.Hour)},
	{"m2", "ATLASMKT", "atlasvas", m2, t0.Add(2 * time.Hour)},
	{"m3", "SOUKNOUR", "rifdigital", m3, t0.Add(3 * time.Hour)},
	{"m4", "DarLbahja", "rifdigital", m4, t0.Add(4 * time.Hour)},
	{"m5", "SOUKNOUR", "rifdigital", m5, t0.Add(5 * time.Hour)},
	{"m6", "ATLASINFO", "atlasvas", m6, t0.Add(6 * time.Hour)},
}

// variants are reports of the delivered messages with the edits people
// make when forwarding or pasting them.
var variants = []struct {
	name, want, from, sender, text string
}{
	{"fr exact", "m1", "0661234567", "", m1},
	{"fr Fwd", "m1", "0661234567", "", "Fwd: " + m1},
	{"fr TR", "m1", "+212 6 61 23 45 67", "", "TR : " + m1},
	{"fr De header", "m1", "0661234567", "", "De: ATLASMKT\n" + m1},
	{"fr upper case", "m1", "0661234567", "", strings.ToUpper(m1)},
	{"fr no accents, lower", "m1", "0661234567", "", "atlas market : -30% sur tout le rayon chaussures ce week-end dans tous nos magasins ! stop au 5050"},
	{"fr white space", "m1", "0661234567", "", "Atlas   Market :\n-30%  sur tout le rayon\tchaussures  ce week-end\n\ndans tous nos magasins !"},
	{"fr truncated", "m1", "0661234567", "", m1[:60]},
	{"fr comment before", "m1", "0661234567", "", "Encore un SMS non sollicité !!! " + m1},
	{"fr comment after", "m1", "0661234567", "", m1 + " — reçu à 22h, c'est inadmissible, je n'ai jamais donné mon accord"},
	{"fr words changed", "m1", "0661234567", "", "Atlas Market : -40% sur tout le rayon sandales ce week-end dans tous nos magasins ! STOP au 5050"},
	{"fr word deleted", "m1", "0661234567", "", "Atlas Market : -30% sur le rayon chaussures ce week-end dans nos magasins ! STOP au 5050"},
	{"fr transferred with headers", "m1", "0661234567", "", "Message transféré\nDe : ATLASMKT\nDate : 12/06/2025 10:32\n" + m1[:70]},
	{"fr sender pasted", "m1", "0661234567", "", "ATLASMKT: Atlas Market : -30% sur tout le rayon chaussures ce week-end"},
	{"fr zero-width and fullwidth", "m1", "0661234567", "", "Atlas\u200b Market : －30% sur tout le rayon chaus\u200bsures ce week\u2011end dans tous nos magasins"},
	{"fr the decoy itself", "m2", "0661234567", "", "Fwd: Atlas Market : nouveaux arrivages de fruits et légumes frais chaque matin"},
	{"fr transactional", "m6", "0661234567", "", "Fwd: votre commande n° 48213 est prête. Retrait au magasin Maarif avant samedi 20h."},
	{"fr sender given", "m1", "0661234567", "ATLASMKT", "Atlas Market -30% chaussures ce week-end dans tous nos magasins"},
	{"ar exact", "m3", "0661234567", "", m3},
	{"ar sender header", "m3", "0661234567", "", "من: SOUKNOUR\n" + m3},
	{"ar harakat", "m3", "0661234567", "", "سُوقُ النُّور: تَخْفِيضَات تَصِل إِلَى 40% عَلَى المَوَادّ الغِذَائِيَّة الأَسَاسِيَّة طِيلَة شَهْر رَمَضَان"},
	{"ar truncated", "m3", "0661234567", "", "سوق النور: تخفيضات تصل إلى 40% على المواد الغذائية الأساسية"},
	{"ar eastern digits", "m3", "٠٦٦١٢٣٤٥٦٧", "", "سوق النور: تخفيضات تصل إلى ٤٠٪ على المواد الغذائية الأساسية طيلة شهر رمضان في جميع متاجرنا"},
	{"ar forwarded with a question", "m3", "0661234567", "", "رسالة محولة: " + m3 + " واش هادشي معقول؟"},
	{"darija latin spelling", "m4", "0661234567", "", "Dar Lbahja: soldes bdaw! Hta l -50% 3la ga3 lfourniture dial dar. Mrhba bikom f les boutiques dyalna f Sla o Rbat"},
	{"darija latin fwd lower", "m4", "0661234567", "", "fwd: dar lbahja soldes bdaw hta l -50% 3la ga3 lfourniture dyal dar"},
	{"darija arabic pasted body", "m5", "0661234567", "", "هاد السيمانة اللحم والدجاج بتخفيض 25% فكاع المحلات ديالنا"},
	{"darija arabic with prefix", "m5", "0661234567", "", "شوفو شنو صيفطو ليا: " + m5},
}

// negatives are reports that must match nothing.
var negatives = []struct {
	name, from, text string
	at               time.Duration // after t0
}{
	{"unrelated french", subscriberA, "Salut, on se voit demain à 15h au café près de la gare ? Bisous", 24 * time.Hour},
	{"unrelated arabic", subscriberA, "مرحبا، هل يمكنك الاتصال بي غدا بخصوص موعد الطبيب؟", 24 * time.Hour},
	{"unrelated darija", subscriberA, "Salam khouya, fin nta? Ghadi nji lyoum l dar m3a l3echia inchallah", 24 * time.Hour},
	{"a promotion never delivered", subscriberA, "Jackpot24 : envoyez OUI au 2728 et tentez de gagner 50 000 DH ! (5 DH le SMS)", 24 * time.Hour},
	{"one word", subscriberA, "STOP", 24 * time.Hour},
	{"another recipient", subscriberB, "Fwd: " + m1, 24 * time.Hour},
	{"outside the window", subscriberA, "Fwd: " + m1, 9 * 24 * time.Hour},
	{"before the delivery", subscriberA, "Fwd: " + m6, 3 * time.Hour},
}

func deliverInbox(t testing.TB, e *env) map[string]int64 {
	t.Helper()
	idx := map[string]int64{}
	for _, d := range inbox {
		idx[d.name] = e.deliver(subscriberA, d.sender, d.provider, d.text, d.at)
	}
	// Subscriber B received only the decoy; others received other things.
	e.deliver(subscriberB, "ATLASMKT", "atlasvas", m2, t0.Add(2*time.Hour))
	e.deliver("+212670000001", "ATLASMKT", "atlasvas", m1, t0.Add(time.Hour))
	e.feed()
	return idx
}

func TestMatchingVariants(t *testing.T) {
	if len(variants) < 20 {
		t.Fatalf("%d variants: the table must hold at least 20", len(variants))
	}
	e := newEnv(t)
	idx := deliverInbox(t, e)
	ctx := context.Background()
	e.clock.Set(t0.Add(26 * time.Hour))
	check := func(t *testing.T) {
		for _, v := range variants {
			t.Run(v.name, func(t *testing.T) {
				c, err := e.desk.Intake(ctx, complaint.Report{From: v.from, Channel: "3300", SenderID: v.sender, Text: v.text, At: t0.Add(24 * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != bawwab.ComplaintOpen || len(c.Matches) == 0 {
					t.Fatalf("not matched (%s): %q", c.Status, v.text)
				}
				if got := c.Matches[0].Index; got != idx[v.want] {
					t.Fatalf("matched entry %d (score %.2f), want %s = %d; matches %+v", got, c.Matches[0].Score, v.want, idx[v.want], c.Matches)
				}
				want := inbox[0]
				for _, d := range inbox {
					if d.name == v.want {
						want = d
					}
				}
				if c.ProviderID != want.provider || c.OperatorID != "iam" {
					t.Errorf("case against %s/%s, want %s/iam", c.ProviderID, c.OperatorID, want.provider)
				}
			})
		}
		for _, n := range negatives {
			t.Run("none/"+n.name, func(t *testing.T) {
				c, err := e.desk.Intake(ctx, complaint.Report{From: n.from, Channel: "web", Text: n.text, At: t0.Add(n.at)})
				if err != nil {
					t.Fatal(err)
				}
				if c.Status != bawwab.ComplaintUnmatched || len(c.Matches) != 0 || c.ProviderID != "" {
					t.Fatalf("matched %+v", c.Matches)
				}
			})
		}
	}
	t.Run("texts", check)
	// Once the retention policy has purged the texts, the fingerprints
	// alone must match the same way.
	e.clock.Set(t0.Add(27 * time.Hour))
	n, err := e.ledger.PurgeTexts(ctx, t0.Add(24*time.Hour), "test")
	if err != nil {
		t.Fatal(err)
	}
	if n < int64(len(inbox)) {
		t.Fatalf("purged %d texts", n)
	}
	en, err := e.ledger.FindEntryByIndex(ctx, idx["m1"])
	if err != nil || en.Text != "" {
		t.Fatalf("m1 still has its text (%v)", err)
	}
	t.Run("fingerprints", check)
}

// TestSimilarityTable checks the two scores on their own, the text one and
// the fingerprint one, for every variant.
func TestSimilarityTable(t *testing.T) {
	texts := map[string]string{}
	for _, d := range inbox {
		texts[d.name] = d.text
	}
	for _, v := range variants {
		body := complaint.ParseForward(v.text).Body
		s := complaint.Similarity(body, texts[v.want])
		f := complaint.FingerprintSimilarity(body, complaint.Fingerprint(texts[v.want]))
		if th := complaint.DefaultConfig().Threshold; s < th || f < th {
			t.Errorf("%s: similarity %.2f, by fingerprint %.2f", v.name, s, f)
		}
	}
	for _, n := range negatives[:5] {
		for name, text := range texts {
			if s := complaint.Similarity(n.text, text); s >= complaint.DefaultConfig().Threshold {
				t.Errorf("%s scores %.2f against %s", n.name, s, name)
			}
		}
	}
	if s := complaint.Similarity(m1, m1); s != 1 {
		t.Errorf("a text against itself: %.2f", s)
	}
	if s := complaint.FingerprintSimilarity(m1, []byte{2, 0}); s != 0 {
		t.Errorf("a fingerprint of another version scores %.2f", s)
	}
}

// TestCorpusCrossMatches measures how often two different messages of the
// public corpus score as a match: only messages of one brand may (near
// copies of one campaign), never two brands.
func TestCorpusCrossMatches(t *testing.T) {
	rows := loadCorpus(t)
	pairs, over := 0, 0
	for i := range rows {
		fp := complaint.Fingerprint(rows[i].Text)
		for j := range rows {
			if i == j || rows[i].Text == rows[j].Text {
				continue
			}
			pairs++
			if th := complaint.DefaultConfig().Threshold; complaint.Similarity(rows[j].Text, rows[i].Text) >= th || complaint.FingerprintSimilarity(rows[j].Text, fp) >= th {
				over++
				if rows[i].Sender != rows[j].Sender && !strings.EqualFold(firstWord(rows[i].Text), firstWord(rows[j].Text)) {
					t.Errorf("messages of two brands match:\n %s\n %s", rows[i].Text, rows[j].Text)
				}
			}
		}
	}
	t.Logf("%d of %d ordered pairs of distinct corpus messages match", over, pairs)
	if over*1000 > pairs {
		t.Errorf("%d of %d pairs match: more than 1 in 1000", over, pairs)
	}
}

func firstWord(s string) string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ':' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
