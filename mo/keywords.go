package mo

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bawwab/bawwab/textcheck"
)

// The word lists of the engine. Every entry is written as people write it
// (accents, hamza, capitals) and normalised with textcheck's normaliser when
// the tables are built, so `ARRÊT`, `arret` and `Arrêt` are one entry, and so
// are `إلغاء` and `الغاء`. The grammar (engine.go) reads classes of words,
// never the words themselves.

// Kind is what a message asks for.
type Kind uint8

const (
	// KindUnknown: no keyword, or a keyword inside a sentence.
	KindUnknown Kind = iota
	// KindStop: an opt-out (STOP, ARRÊT, توقف, WQEF...).
	KindStop
	// KindStart: an opt-in that undoes a STOP (START, OUI, ابدأ...).
	KindStart
	// KindHelp: AIDE, HELP, INFO, مساعدة.
	KindHelp
	// KindContact: CONTACT or QUI <BRAND>: who is behind a brand.
	KindContact
)

var kindNames = [...]string{"unknown", "stop", "start", "help", "contact"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// keyword is an entry of the keyword table.
type keyword struct {
	kind Kind
	// all: the keyword carries its own ALL (STOPALL, STARTALL).
	all bool
	// weak: the word is also an ordinary word that opens sentences (END,
	// CANCEL, ANNULER, OUI, YES); it is an instruction only when what
	// follows is nothing, ALL or a brand that resolves ("Annuler commande
	// 123" to a service code is not an opt-out).
	weak bool
	// word is the canonical (normalised) form, reported in Result.Keyword.
	word string
}

// Opt-out keywords strong enough to count as the first word of anything
// sent to an opt-out channel. textcheck.OptOutKeywords (the keywords an
// opt-out instruction may name) are added to these, minus weakStopWords.
var stopWords = []string{
	"STOP", "ARRÊT", "Arrête", "Arrêtez", "Arrêter", "Stoppez", "Stopper",
	"DÉSABONNER", "Désabonnez", "Désabonné", "Désabonnement", "Désabonnements",
	"DÉSINSCRIRE", "Désinscription", "Désinscrivez", "Désinscrit",
	"UNSUBSCRIBE", "UNSUB", "OPTOUT",
	// Arabic: stop (noun and imperatives), halt, cancel, "stop" in Arabic
	// letters.
	"توقف", "توقفوا", "إيقاف", "أوقف", "أوقفوا", "وقف", "وقفوا", "إلغاء", "ألغي", "ستوب", "ستوپ",
	// Darija in Latin letters: wqef (stop!) with the spellings people use
	// (q written 9 or g), and 7bes (halt!), in both scripts.
	"WQEF", "W9EF", "WA9EF", "WAQEF", "W9F", "WQF", "WGEF", "WA9F", "WAGEF", "OU9EF",
	"7BES", "7ABES", "HBES", "7BS", "حبس", "حبسو",
}

// Opt-out keywords that are ordinary words too ("End of story", "Cancel my
// order", "Annuler ma commande" to a service short code).
var weakStopWords = []string{
	"END", "CANCEL", "QUIT", "REVOKE", "ANNULER", "RÉSILIER",
}

// Opt-in keywords. No opt-in counts when a sentence follows it ("Start
// spamming me again?"): a false START exposes a subscriber to messages
// they refused, where a false STOP only costs an advertiser a message.
var startWords = []string{"START", "UNSTOP", "ابدأ", "إبدأ", "استئناف"}

// Opt-in keywords that are ordinary words ("Oui mais...", Darija "bda").
var weakStartWords = []string{"OUI", "YES", "نعم", "BDA"}

// Keywords that carry ALL.
var stopAllWords = []string{"STOPALL", "ARRETTOUT"}
var startAllWords = []string{"STARTALL"}

// Help keywords: harmless, so they count as the first word of anything.
var helpWords = []string{
	"AIDE", "HELP", "INFO", "INFOS", "INFORMATION", "INFORMATIONS",
	"مساعدة", "معلومات", "عاوني", "3AWNI",
}

// Contact keywords: "who is behind this brand?" (QUI, Darija شكون, chkoun).
var contactWords = []string{
	"CONTACT", "CONTACTS", "CONTACTER", "QUI", "WHO", "WHOIS", "IDENTITÉ",
	"شكون", "CHKOUN", "CHKON", "CHKOUNE", "CHKUN", "SHKOUN", "هوية",
}

// Two-word keywords: "opt out", "me désabonner".
var keywordPhrases = []struct {
	words string
	kind  Kind
}{
	{"opt out", KindStop},
	{"me désabonner", KindStop},
	{"se désabonner", KindStop},
	{"me désinscrire", KindStop},
	{"se désinscrire", KindStop},
	{"stop all", KindStop},
	{"start all", KindStart},
}

// allWords: the scope word of STOP ALL. TOUT, TOUS, Arabic الكل, Darija
// كلشي / kolchi and كاع / ga3.
var allWords = []string{
	"ALL", "TOUT", "TOUS", "TOUTE", "TOUTES", "EVERYTHING", "EVERYONE",
	"الكل", "كل", "الجميع", "جميع", "كلشي", "كولشي", "كاع",
	"KOLCHI", "KOULCHI", "KOLSHI", "KULCHI", "KOLCHY", "GA3", "GAA",
}

// fillers may stand around a brand or ALL and say nothing about the target:
// "STOP les SMS de Atlas Market", "STOP ALL SMS", "إيقاف الرسائل ديال
// مرجان". They are stripped from the edges only: "Banque de France" keeps
// its "de".
var fillerWords = []string{
	"SMS", "SMSS", "MESSAGE", "MESSAGES", "MSG", "MSGS", "TEXTO", "TEXTOS",
	"PUB", "PUBS", "PUBLICITÉ", "PUBLICITÉS", "PROMO", "PROMOS", "PROMOTION", "PROMOTIONS",
	"OFFRE", "OFFRES", "MARKETING", "COMMERCIAL", "COMMERCIAUX", "COMMERCIALE", "COMMERCIALES",
	"DE", "DES", "DU", "D", "LES", "LA", "LE", "L", "VOS", "VOTRE", "CES", "CE",
	"FROM", "THE", "OF", "ADS", "AD",
	"رسائل", "الرسائل", "رساله", "الرساله", "مسجات", "الميساجات", "ميساجات",
	"اشهار", "الاشهار", "اشهارات", "الاشهارات", "اعلانات", "الاعلانات",
	"الاشتراك", "اشتراك", "من", "ديال", "DYAL", "DIAL", "DIYAL", "TA3",
	// The act of sending: "Arrêtez l'envoi des SMS", "توقف عن إرسال الرسائل".
	"ENVOI", "ENVOIS", "ENVOYER", "SENDING", "إرسال", "الإرسال", "عن", "SIFT", "صيفط",
}

// courtesy phrases are stripped at either end of a message, and skipped
// before the keyword: "Bonjour, STOP svp", "السلام عليكم توقف عافاك".
var courtesyPhrases = []string{
	"bonjour", "bonsoir", "salut", "slt", "cc", "coucou", "hello", "hi", "hey",
	"salam", "slm", "salam alaykoum", "salam alikoum", "salam 3likom", "salamo alaykoum",
	"السلام عليكم", "سلام", "مرحبا", "صباح الخير", "مساء الخير",
	"svp", "stp", "s'il vous plaît", "s'il te plaît", "please", "pls", "plz",
	"merci", "merci beaucoup", "thanks", "thank you", "thx",
	"شكرا", "عافاك", "من فضلك", "3afak", "afak", "3fak", "baraka allahou fik", "بارك الله فيك",
}

// sentenceWords turn what follows a keyword into a sentence rather than a
// brand: pronouns, negations, verbs of wanting. "Stop spamming me" and
// "Oui mais arrêtez" are not instructions.
var sentenceWords = []string{
	"JE", "J", "TU", "IL", "ILS", "ELLE", "ELLES", "ON", "NOUS", "VOUS", "ME", "M", "MOI",
	"TE", "T", "NE", "N", "PAS", "PLUS", "JAMAIS", "VEUX", "VOUDRAIS", "VEUT", "QUE",
	"QU", "CA", "ÇA", "CELA", "EST", "SUIS", "MAIS", "POURQUOI", "COMMENT",
	"I", "MY", "YOU", "YOUR", "WE", "US", "NOT", "DONT", "DON", "NEVER", "WANT", "IS", "ARE", "BUT", "WHY",
	"ANA", "NTA", "NTI", "BGHIT", "BAGHI", "MABGHITCH", "MA", "MACHI", "LACH", "3LACH",
	"انا", "نتا", "نتي", "بغيت", "باغي", "مابغيتش", "ما", "لا", "ماشي", "ليس", "لست", "اريد", "ارجو", "لماذا", "علاش", "لاش",
}

// connectors may stand before the channel code a subscriber copies at the
// end of a message: "STOP ATLASMKT au 3030".
var connectorWords = []string{"AU", "À", "A", "TO", "AL", "إلى", "الى", "ل", "L", "3LA", "ILA", "SUR", "VERS"}

// class is a bit set of the classes of a word.
type class uint8

const (
	cAll class = 1 << iota
	cFiller
	cSentence
	cConnector
	cConj
)

// conjunctionWords join brands in a list: "STOP ATLASMKT et MARJANE".
var conjunctionWords = []string{"ET", "AND", "و"}

// tables holds the normalised lists, built once.
var tables struct {
	keywords  map[string]keyword // by normalised word
	collapsed map[string]keyword // by normalised word with repeated letters collapsed (stooop)
	phrases   []phrase
	classes   map[string]class
	// courtesy phrases by their first word and by their last, longest
	// first.
	courtesyFirst map[string][][]string
	courtesyLast  map[string][][]string
	// fuzzy holds the ASCII keywords long enough to be matched with a typo.
	fuzzy []string
}

type phrase struct {
	words []string
	kw    keyword
}

func init() {
	kw := map[string]keyword{}
	add := func(list []string, k keyword) {
		for _, w := range list {
			n := textcheck.Normalize(w)
			if _, dup := kw[n]; dup {
				continue // the first list wins: STOP before START
			}
			k.word = n
			kw[n] = k
		}
	}
	weak := map[string]bool{}
	for _, w := range weakStopWords {
		weak[textcheck.Normalize(w)] = true
	}
	add(stopAllWords, keyword{kind: KindStop, all: true})
	add(startAllWords, keyword{kind: KindStart, all: true})
	add(stopWords, keyword{kind: KindStop})
	for _, w := range textcheck.OptOutKeywords() {
		if !weak[w] {
			add([]string{w}, keyword{kind: KindStop})
		}
	}
	add(weakStopWords, keyword{kind: KindStop, weak: true})
	add(startWords, keyword{kind: KindStart})
	add(weakStartWords, keyword{kind: KindStart, weak: true})
	add(helpWords, keyword{kind: KindHelp})
	add(contactWords, keyword{kind: KindContact})
	tables.keywords = kw
	tables.collapsed = map[string]keyword{}
	for n, k := range kw {
		c := string(collapse(nil, []byte(n)))
		if _, dup := tables.collapsed[c]; !dup || k.kind == KindStop {
			tables.collapsed[c] = k
		}
		if len(n) >= 7 && isASCII(n) && k.kind != KindStart {
			tables.fuzzy = append(tables.fuzzy, n)
		}
	}
	sort.Strings(tables.fuzzy)
	for _, p := range keywordPhrases {
		n := textcheck.Normalize(p.words)
		k := keyword{kind: p.kind, word: n}
		if strings.HasSuffix(n, " all") {
			k.all = true
		}
		tables.phrases = append(tables.phrases, phrase{splitNormalized(n), k})
	}
	tables.classes = map[string]class{}
	mark := func(list []string, c class) {
		for _, w := range list {
			tables.classes[textcheck.Normalize(w)] |= c
		}
	}
	mark(allWords, cAll)
	mark(fillerWords, cFiller)
	mark(sentenceWords, cSentence)
	mark(connectorWords, cConnector)
	mark(conjunctionWords, cConj)
	tables.courtesyFirst = map[string][][]string{}
	tables.courtesyLast = map[string][][]string{}
	for _, p := range courtesyPhrases {
		ws := splitNormalized(textcheck.Normalize(p))
		tables.courtesyFirst[ws[0]] = append(tables.courtesyFirst[ws[0]], ws)
		tables.courtesyLast[ws[len(ws)-1]] = append(tables.courtesyLast[ws[len(ws)-1]], ws)
	}
	for _, m := range []map[string][][]string{tables.courtesyFirst, tables.courtesyLast} {
		for _, v := range m {
			sort.SliceStable(v, func(i, j int) bool { return len(v[i]) > len(v[j]) })
		}
	}
}

// splitNormalized splits a normalised text into words the way the engine
// does (wordsOf).
func splitNormalized(s string) []string {
	var out []string
	for _, w := range wordsOf(nil, []byte(s)) {
		out = append(out, s[w.s:w.e])
	}
	return out
}

// collapse appends w with every run of one repeated character reduced to
// one: "stooop" → "stop", "arrêêêt" → "aret", "توقففف" → "توقف".
func collapse(dst, w []byte) []byte {
	prev := rune(-1)
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRune(w[i:])
		if r != prev {
			dst = append(dst, w[i:i+size]...)
		}
		prev = r
		i += size
	}
	return dst
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
