package textcheck

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"strings"
	"sync"
)

// The word lists of the opt-out finder. Every entry is written as people
// write it (accents, hamza, capitals) and normalised when the lexicon is
// built, so the lists read naturally and match whatever spelling the
// normaliser folds together. A word has a set of roles; the grammar of an
// instruction (optout.go) is written in roles, never in words.

type role uint32

const (
	rKeyword     role = 1 << iota // an opt-out keyword, in any case
	rKeywordCaps                  // an opt-out keyword only when written in capitals (END, CANCEL: ordinary words otherwise)
	rConnector                    // a preposition between the keyword and the number: au, à, to, al, إلى, ل
	rConnNumber                   // a preposition fused with "number": للرقم, لرقم
	rArticle                      // an article after a connector: le, the, el
	rNumberNoun                   // "number", "short code": numéro, number, رقم
	rFiller                       // what may sit between the keyword and its means: SMS, gratuit, free, مجانا
	rFillerLead                   // a preposition that leads a filler: par SMS, by SMS, por SMS
	rSendVerb                     // envoyez, send, text, أرسل, صيفط, sift
	rReplyVerb                    // répondez, reply, responde, جاوب, أجب, رد
	rReplyLink                    // what may sit between a verb of replying and the keyword: à ce message, par, with, ب, بكلمة
	rSendLink                     // what may sit between a verb of sending and the keyword: le mot, the word, un SMS avec, كلمة
	rNegation                     // non, sans, no, بلا, بدون: "sans arrêt", "بلا توقف" mean non-stop
	rNounContext                  // words that make STOP or ARRÊT a noun: bus stop, l'arrêt, prochain arrêt
	rUnit                         // units after a number that make it a price, a time or a quantity: DH, %, h, Go
	rLabel                        // words that announce a bare opt-out keyword: Désabonnement : STOP
	rFunction                     // function words, never a brand name between STOP and its means
	rAll                          // ALL, TOUT, الكل: the scope word of STOP ALL
	rConjunction                  // et, and, y, و: "tapez STOP et envoyez-le au 5050"
	rCurrency                     // DH, MAD, درهم: the "$" of a feature phrase
	rCodeWord                     // code, coupon, كود: may introduce a promotion code
	rRefWord                      // n°, réf, ref: introduce a reference
)

// Opt-out keywords (RULES.md, "STOP, START and the opposition register"):
// what a subscriber can send, and so what an instruction may tell them to
// send. OptOutKeywords lists them for the MO keyword engine.
var keywordWords = []string{
	"STOP", "STOPALL", "ARRET", "ARRÊT",
	"توقف", "إيقاف", "ايقاف", "الغاء", "إلغاء", "ستوب", "وقف",
	// Darija in Latin letters ("wqef": stop!), with the spellings people use.
	"WQEF", "W9EF", "WA9EF", "WAQEF", "W9F",
}

// Keywords that are also ordinary words ("end of season", "cancel anytime",
// "se désabonner") count only when written in capitals, as a keyword is.
var keywordCapsWords = []string{
	"DESABONNER", "DÉSABONNER", "DESINSCRIRE", "DÉSINSCRIRE", "UNSUBSCRIBE",
	"CANCEL", "END", "QUIT", "OPTOUT", "REVOKE",
}

// OptOutKeywords returns the opt-out keywords the finder recognises, in
// their normalised form (lower case, no accents), for the MO engine to
// share. The last group (end, cancel...) count in a text only when written
// in capitals.
func OptOutKeywords() []string {
	lexOnce.Do(buildLexicon)
	var out []string
	seen := map[string]bool{}
	for _, w := range append(append([]string(nil), keywordWords...), keywordCapsWords...) {
		n := Normalize(w)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

var roleWords = []struct {
	r     role
	words []string
}{
	{rConnector, []string{
		// French: au 5050, à 5050, vers le 5050, sur le 5050.
		"au", "à", "vers", "sur",
		// English: to 5050 ("at" and "on" read as addresses: "stop at 12 Main St").
		"to",
		// Spanish: al 5353, a 5353.
		"al", "a",
		// Arabic and Darija: إلى 5050, ل 5050, على 5050, لـ5050.
		"إلى", "الى", "ل", "لل", "على", "عل",
		// Darija in Latin letters: l 5050, 3la 5050, ila 5050, lil 5050.
		"l", "li", "lil", "3la", "ila", "l3", "f",
	}},
	{rConnNumber, []string{"للرقم", "لرقم", "لنمرة", "للنمرة", "lnumero", "lnmra", "lrqm", "lraqm", "lra9m"}},
	{rArticle, []string{"le", "la", "the", "el", "ce", "this", "ال", "our", "notre", "nuestro"}},
	{rNumberNoun, []string{
		"numéro", "numero", "num", "no", "n", "nr", "nº", "number", "short", "shortcode", "code", "court", "gratuit",
		"número", "rqm", "raqm", "ra9m", "r9m", "nmra", "nemra", "رقم", "الرقم", "نمرة", "النمرة", "القصير",
		"free", "gratuito", "gratuite", "المجاني", "مجاني", "fabor", "toll",
	}},
	{rFiller, []string{
		"sms", "SMS", "texto", "message", "mensaje", "pub", "pubs", "publicité", "publicites", "marketing",
		"gratuitement", "gratuit", "gratuite", "free", "gratis", "gratuito",
		"مجانا", "بالمجان", "مجاني", "fabor", "faboor", "bla", "flous", "blach", "بلاش", "فابور",
		"all", "tout", "todo", "الكل", "كلشي", "ga3",
	}},
	{rAll, []string{"all", "tout", "todo", "الكل", "كلشي", "ga3"}},
	{rFillerLead, []string{"par", "by", "via", "en", "por", "as", "ب", "b", "bi"}},
	{rSendVerb, []string{
		// French
		"envoyez", "envoyer", "envoie", "envoi", "envoyé", "tapez", "taper", "tape", "écrivez", "ecrire", "écris",
		// English
		"send", "text", "txt", "sms", "type", "write",
		// Spanish
		"envía", "envia", "envíe", "envie", "enviar", "manda", "mande", "mandar", "escribe", "escriba",
		// Arabic
		"أرسل", "ارسل", "أرسلوا", "ارسلوا", "ابعث", "ابعثوا", "بعث", "اكتب", "اكتبوا", "راسل", "راسلوا",
		// Darija
		"صيفط", "صيفطو", "سيفط", "سيفطو", "صفط", "صيفت", "كتب", "كتبو",
		"sift", "sifet", "sifto", "sayft", "sayfet", "seft", "b3at", "ab3at", "kteb", "ktab", "ktbo",
	}},
	{rReplyVerb, []string{
		"répondez", "répondre", "réponds", "repondez", "répondant",
		"reply", "respond", "answer", "replying",
		"responde", "responda", "responder", "contesta", "conteste", "contestar",
		"أجب", "اجب", "أجيبوا", "اجيبوا", "رد", "ردوا", "ردو", "جاوب", "جاوبو", "جاوبوا",
		"jaweb", "jawb", "jawbo", "jawbou", "red", "rad", "redd",
	}},
	{rReplyLink, []string{
		"à", "a", "au", "ce", "message", "sms", "texto", "this", "to", "este", "mensaje", "nous", "us", "back", "directement", "directly",
		"par", "avec", "with", "by", "con", "le", "mot", "clé", "cle", "the", "word", "keyword", "la", "palabra",
		"simplement", "juste", "just", "simply", "only", "seulement", "solo",
		"ب", "بكلمة", "كلمة", "الكلمة", "على", "هاد", "هذه", "هذا", "الرسالة", "الميساج", "رسالة", "غير", "فقط",
		"b", "bi", "kelma", "lkelma", "kalima", "had", "lmessage", "lmsg", "3la", "ghir",
	}},
	{rSendLink, []string{
		"le", "la", "mot", "clé", "cle", "the", "word", "keyword", "palabra", "un", "une", "an", "sms", "texto", "message", "msg",
		"avec", "with", "con", "simplement", "juste", "just", "simply", "only", "seulement", "solo", "gratuitement", "free", "gratis",
		"كلمة", "بكلمة", "الكلمة", "رسالة", "ب", "فيها", "فقط", "غير", "مجانا",
		"kelma", "lkelma", "kalima", "ghir", "b", "bi", "fabor",
	}},
	{rNegation, []string{
		"non", "sans", "jamais", "pas", "ne", "no", "not", "never", "without", "sin", "nunca",
		"بلا", "بدون", "دون", "لا", "ما", "bla", "ma", "mat", "t",
	}},
	{rNounContext, []string{
		// French: l'arrêt, d'arrêt, un arrêt, prochain arrêt, arrêt de bus.
		"l", "d", "cet", "chaque", "prochain", "dernier", "premier", "bus", "tram", "tramway", "métro",
		// English: bus stop, next stop, one-stop, full stop, pit stop.
		"train", "next", "last", "first", "one", "full", "pit",
		// Arabic: محطة التوقف is a single word; "نقطة توقف" a stop point.
		"نقطة", "محطة",
	}},
	{rUnit, []string{
		"dh", "dhs", "mad", "dirham", "dirhams", "درهم", "دراهم", "درهما", "dr", "drh", "eur", "euro", "euros", "usd",
		"h", "min", "mn", "mins", "minutes", "minute", "s", "sec", "secondes", "seconds", "heures", "hours", "heure", "hour",
		"go", "gb", "mo", "mb", "tb", "km", "m", "kg", "g", "cl", "ml",
		"ans", "an", "jours", "jour", "j", "days", "day", "mois", "months", "month", "nuits", "nuit", "nights", "night",
		"semaines", "weeks", "fois", "times", "x", "ht", "ttc", "pers", "personnes", "places", "articles", "pieces", "pièces",
		"ساعة", "ساعات", "دقيقة", "دقائق", "يوم", "أيام", "ايام", "شهر", "أشهر", "اشهر", "ليال", "ليلة", "جيغا", "ميغا",
		"chher", "nhar", "lyali", "sa3a", "sa3at", "d9i9a", "dqiqa",
	}},
	{rConjunction, []string{"et", "and", "y", "e", "و", "o", "w", "puis", "then"}},
	{rCurrency, []string{"dh", "dhs", "mad", "dirham", "dirhams", "درهم", "دراهم", "درهما", "dr", "drh", "eur", "euro", "euros", "usd"}},
	{rCodeWord, []string{"code", "coupon", "codigo", "código", "كود", "الكود", "بالكود", "بكود", "bcode"}},
	{rRefWord, []string{"no", "n", "nº", "ref", "réf", "référence", "reference", "dossier", "رقم"}},
	{rLabel, []string{
		"désabonnement", "désinscription", "unsubscribe", "desabonnement", "desinscription", "out", "optout", "baja",
		"arrêter", "arreter", "stopper", "désabonner", "désinscrire", "للتوقف", "الاشتراك", "لإلغاء", "لايقاف", "w9ef", "wqef",
	}},
	{rFunction, []string{
		"au", "aux", "à", "a", "de", "des", "du", "le", "la", "les", "l", "d", "un", "une", "et", "ou", "pour", "par", "avec", "sans",
		"en", "sur", "dans", "ce", "cette", "ces", "vos", "votre", "nos", "notre", "mon", "ma", "mes", "se", "vous", "nous", "ne", "pas", "plus", "est", "c",
		"the", "to", "of", "for", "and", "or", "at", "in", "on", "with", "by", "your", "our", "my", "you", "we", "it", "is", "be", "this", "that", "these", "all",
		"el", "los", "las", "del", "al", "y", "o", "con", "por", "para", "tu", "su", "sus", "mas", "más",
		"و", "في", "من", "إلى", "الى", "على", "عن", "مع", "هذه", "هذا", "هاد", "ديال", "ل", "ب", "ف", "كل",
		"f", "fi", "m3a", "dyal", "dial", "had", "o", "w", "b", "3la", "ila", "bach", "باش", "ghir", "غير",
		"messages", "message", "sms", "msg", "offres", "offers", "texts", "mensajes", "الرسائل", "العروض", "الميساجات",
		"recevoir", "receive", "recibir", "stop", "arret",
	}},
}

// lexEntry is what the lexicon knows of a word: its roles in the grammar
// of an instruction, and the feature phrases that start with it (longest
// first).
type lexEntry struct {
	r       role
	phrases []int32
}

// phrase is a feature phrase, as normalised words; "#" stands for a number
// and "$" for a currency word.
type phrase struct {
	words  []string
	f      Feature
	weight int8
	lone   bool // a phrase with a number: a price figure is an offer on its own
}

// lexicon maps a normalised word to its entry.
var (
	lexOnce sync.Once
	lexicon wordTable
	phrases []phrase
)

// wordTable is a read-only hash table from words to lexicon entries, made
// for the hot path: looking up a word that is not there (most words) reads
// one 4-byte tag, and nothing allocates.
type wordTable struct {
	tags    []uint32 // 0: empty; else the high 16 bits of the hash and the entry index + 1
	mask    uint32
	keys    []string
	heads   []wordHead
	entries []lexEntry
}

// wordHead is the first 16 bytes of a key, zero-padded, and its length:
// enough to compare a key of up to 16 bytes with two loads.
type wordHead struct {
	a, b uint64
	n    int
}

// wordWords returns the first 16 bytes of w, zero-padded, as two
// little-endian words. When w's capacity reaches 16 bytes it loads them at
// once and clears what lies past its length.
func wordWords(w []byte) (a, b uint64) {
	if cap(w) < 16 {
		return wordWordsCopy(w)
	}
	w16 := w[:16]
	m := &wordMasks[min(len(w), 16)]
	return binary.LittleEndian.Uint64(w16) & m[0], binary.LittleEndian.Uint64(w16[8:]) & m[1]
}

// wordMasks[n] keeps the first n bytes of 16.
var wordMasks = func() (t [17][2]uint64) {
	for n := range t {
		for k := 0; k < n; k++ {
			t[n][k/8] |= 0xFF << (8 * (k % 8))
		}
	}
	return t
}()

// wordWordsCopy is wordWords for a word too close to the end of its
// buffer: through a copy.
//
//go:noinline
func wordWordsCopy(w []byte) (a, b uint64) {
	var buf [16]byte
	copy(buf[:], w)
	return binary.LittleEndian.Uint64(buf[:8]), binary.LittleEndian.Uint64(buf[8:])
}

// mixWord hashes a word from its first 16 bytes and its length: words are
// short, and their starts and lengths tell them apart.
func mixWord(a, b uint64, n int) uint32 {
	x := (a ^ bits.RotateLeft64(b, 29) ^ uint64(n)<<56) * 0x9E3779B97F4A7C15
	return uint32(x >> 32)
}

func newWordTable(m map[string]lexEntry) wordTable {
	size := 64
	for size < 3*len(m) {
		size *= 2
	}
	t := wordTable{tags: make([]uint32, size), mask: uint32(size - 1)}
	words := make([]string, 0, len(m))
	for w := range m {
		words = append(words, w)
	}
	sort.Strings(words) // a deterministic layout
	for _, w := range words {
		a, b := wordWords([]byte(w))
		t.keys = append(t.keys, w)
		t.heads = append(t.heads, wordHead{a, b, len(w)})
		t.entries = append(t.entries, m[w])
		h := mixWord(a, b, len(w))
		tag := h&0xFFFF0000 | uint32(len(t.keys))
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.tags[i] == 0 {
				t.tags[i] = tag
				break
			}
		}
	}
	return t
}

// get returns the entry of w.
func (t *wordTable) get(w []byte) (lexEntry, bool) {
	a, b := wordWords(w)
	n := len(w)
	h := mixWord(a, b, n)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		tag := t.tags[i]
		if tag == 0 {
			return lexEntry{}, false
		}
		if tag&0xFFFF0000 == h&0xFFFF0000 {
			k := tag&0xFFFF - 1
			if hd := &t.heads[k]; hd.a == a && hd.b == b && hd.n == n && (n <= 16 || t.keys[k] == string(w)) {
				return t.entries[k], true
			}
		}
	}
}

func buildLexicon() {
	m := make(map[string]lexEntry)
	add := func(w string, r role) {
		n := Normalize(w)
		if n == "" || strings.ContainsRune(n, ' ') {
			panic("textcheck: lexicon entry is not one word: " + w)
		}
		e := m[n]
		e.r |= r
		m[n] = e
	}
	for _, w := range keywordWords {
		add(w, rKeyword)
	}
	for _, w := range keywordCapsWords {
		add(w, rKeywordCaps)
	}
	for _, rw := range roleWords {
		for _, w := range rw.words {
			if strings.ContainsAny(w, "-'") {
				continue // compounds are matched as their parts
			}
			add(w, rw.r)
		}
	}
	for _, d := range phraseDefs {
		words := phraseWords(d.text)
		if len(words) == 0 || words[0] == "#" || words[0] == "$" {
			panic("textcheck: bad feature phrase: " + d.text)
		}
		lone := false
		for _, w := range words {
			lone = lone || w == "#"
		}
		phrases = append(phrases, phrase{words: words, f: d.f, weight: d.weight, lone: lone})
		e := m[words[0]]
		e.phrases = append(e.phrases, int32(len(phrases)-1))
		m[words[0]] = e
	}
	for w, e := range m {
		// Longest phrase first, so that "nouveau solde" wins over "nouveau".
		sort.SliceStable(e.phrases, func(i, j int) bool {
			return len(phrases[e.phrases[i]].words) > len(phrases[e.phrases[j]].words)
		})
		m[w] = e
		kwFilter.add([]byte(w), e.r)
		if len(e.phrases) > 0 || e.r&(rCodeWord|rRefWord) != 0 {
			featFilter.set([]byte(w))
		}
	}
	if len(m) >= 0xFFFF {
		panic("textcheck: lexicon too large for its table")
	}
	lexicon = newWordTable(m)
}

// phraseWords splits a feature phrase into normalised words, dropping
// apostrophes and hyphens as the matcher skips them.
func phraseWords(text string) []string {
	n := Normalize(text)
	toks := tokenize(nil, []byte(n), nil)
	var words []string
	for _, t := range toks {
		w := n[t.s:t.e]
		if t.kind == tokPunct && (w == "'" || w == "-") {
			continue
		}
		words = append(words, w)
	}
	return words
}

// kwFilter lets the finder skip, with two loads, the words that cannot be
// keywords: a bitmap over (length, first byte, last byte) of the keywords.
var kwFilter filter

type filter struct{ bits [1 << 12 / 64]uint64 }

func filterKey(w []byte) uint32 {
	return (uint32(len(w))*31 + uint32(w[0])*7 + uint32(w[len(w)-1])) & (1<<12 - 1)
}

// kwStart has, for each first byte of a keyword, a bit set for each of its
// lengths (modulo 32: a longer word may pass, never a keyword fail): the
// first, cheapest sieve of the tokenizer, with kwEnd. Words of 7 to 11 bytes
// that start with 's' or 'a' and end with a digit pass, for the keywords
// glued to their number ("stop5050", "arret3030").
var kwStart = func() (t [256]uint32) {
	t['s'] = 0b1111_1000_0000
	t['a'] = 0b1111_1000_0000
	return t
}()

// kwEnd is kwStart for the last byte of a keyword; the glued ones end with
// a digit.
var kwEnd = func() (t [256]uint32) {
	for c := '0'; c <= '9'; c++ {
		t[c] = 0b1111_1000_0000
	}
	return t
}()

func (f *filter) add(w []byte, r role) {
	if r&(rKeyword|rKeywordCaps) == 0 || len(w) == 0 {
		return
	}
	kwStart[w[0]] |= 1 << (len(w) & 31)
	kwEnd[w[len(w)-1]] |= 1 << (len(w) & 31)
	k := filterKey(w)
	f.bits[k/64] |= 1 << (k % 64)
}

func (f *filter) mayHold(w []byte) bool {
	k := filterKey(w)
	return f.bits[k/64]&(1<<(k%64)) != 0
}

// featFilter lets the classifier skip the words that start no feature
// phrase and introduce no code or reference: most words of a text.
var featFilter bigFilter

type bigFilter struct{ bits [1 << 14 / 64]uint64 }

func bigFilterKey(w []byte) uint32 {
	k := uint32(len(w))*0x9E37 ^ uint32(w[0])*0x85EB ^ uint32(w[len(w)-1])*0xC2B2
	if len(w) > 1 {
		k ^= uint32(w[1]) * 0x27D4
	}
	return (k ^ k>>14) & (1<<14 - 1)
}

func (f *bigFilter) set(w []byte) {
	if len(w) == 0 {
		return
	}
	k := bigFilterKey(w)
	f.bits[k/64] |= 1 << (k % 64)
}

func (f *bigFilter) mayHold(w []byte) bool {
	k := bigFilterKey(w)
	return f.bits[k/64]&(1<<(k%64)) != 0
}

// roles returns the roles of the normalised word w.
func roles(w []byte) role {
	e, _ := lexicon.get(w)
	return e.r
}
