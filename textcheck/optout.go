package textcheck

import "unicode/utf8"

// The opt-out finder: where a text tells the subscriber what to send (a
// keyword) and where to send it (a means). It reads tokens, and at each
// opt-out keyword tries, in order, the forms an instruction takes:
//
//  1. keyword, then its means (the common form, in every language):
//     KEYWORD [fillers] [connector [article] [number-noun]] NUMBER
//     "STOP au 5050", "STOP SMS 5050", "Stop: 4545", "STOP to 8585",
//     "STOP al 5353", "توقف إلى ٣٤٣٤", "STOP ل 6464", "Sift STOP l 6464",
//     "STOP au numéro 0800 00 45 45", "STOP MARQUE au 3030" (one or two
//     brand words are allowed before a connector, for the national channel);
//  2. means, then keyword, after a verb of sending:
//     VERB connector [number-noun] NUMBER [le mot | كلمة] KEYWORD
//     "envoyez au 5050 le mot STOP", "أرسل إلى 5050 كلمة توقف";
//  3. reply: VERB-OF-REPLYING [à ce message] [par | ب | بكلمة] KEYWORD
//     "Répondez STOP", "Reply STOP", "Responde STOP", "جاوب ب STOP",
//     "أجب بكلمة STOP": the means is the sender itself;
//  4. send without a number: VERB-OF-SENDING [le mot] KEYWORD: "envoyez
//     STOP", "صيفط ستوب", "sift stop": again the sender is the only means;
//  5. a bare keyword set apart as a label: "Désabonnement : STOP", or the
//     last words of the text "… STOP": the sender is the only means.
//
// Forms 3 to 5 name no number: they are an instruction only when the sender
// is a numeric short code that can receive the keyword; from an
// alphanumeric sender they are a keyword without a means.
//
// A keyword does not start an instruction when it is part of something
// else: a compound ("non-stop", "stop-over"), a URL or an address
// ("kechshop.ma/stop"), a hashtag, a negation ("sans arrêt", "بلا توقف",
// "Don't stop"), a noun phrase ("bus stop", "l'arrêt", "prochain arrêt").
// A number does not become a means when it is a price, a time, a date or a
// quantity ("STOP à 49 DH", "arrêt à 200 m", "21h", "14/06"). Words that
// merely contain the keyword ("STOPMANIA", "stoppez", "arrêtez", "تتوقف")
// are other words and never match.

// Form is the shape of an opt-out instruction.
type Form uint8

const (
	FormNone     Form = iota
	FormKeyMeans      // keyword then means: "STOP au 5050"
	FormMeansKey      // means then keyword: "envoyez au 5050 le mot STOP"
	FormReply         // reply to the sender: "Répondez STOP"
	FormSend          // send the keyword, no number given: "envoyez STOP"
	FormLabel         // a bare keyword set apart: "Désabonnement : STOP"
)

var formNames = [...]string{"none", "keyword-means", "means-keyword", "reply", "send", "label"}

func (f Form) String() string {
	if int(f) < len(formNames) {
		return formNames[f]
	}
	return "form?"
}

// NamesNumber reports whether the form writes the means as a number; the
// other forms rely on the sender being one.
func (f Form) NamesNumber() bool { return f == FormKeyMeans || f == FormMeansKey }

// Number is a telephone number or short code as digits, kept in place so
// that finding one does not allocate. National numbers are written with
// their leading 0 ("+212 800 00 45 45" and "0800 00 45 45" are both
// "0800004545").
type Number struct {
	d [15]byte
	n uint8
}

// String returns the digits.
func (n Number) String() string { return string(n.d[:n.n]) }

// IsZero reports whether n holds no digit.
func (n Number) IsZero() bool { return n.n == 0 }

// Equal reports whether n is the number written in s, whatever its
// spacing or prefix ("05 22 45 67 89", "+212522456789").
func (n Number) Equal(s string) bool {
	m := ParseNumber(s)
	return m.n > 0 && m == n
}

// ParseNumber reads the digits of s (any digits, any separators) as a
// Number, folding the +212 / 00212 prefix to a leading 0. It returns the
// zero Number when s has no digit or too many.
func ParseNumber(s string) Number {
	var n Number
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			if c >= 0x80 { // Arabic-Indic and Persian digits
				r, size := utf8.DecodeRuneInString(s[i:])
				if v, ok := arabicDigit(r); ok {
					c = '0' + v
					i += size - 1
				} else {
					i += size - 1
					continue
				}
			} else {
				continue
			}
		}
		if int(n.n) == len(n.d) {
			return Number{}
		}
		n.d[n.n] = c
		n.n++
	}
	return n.canonical()
}

func arabicDigit(r rune) (byte, bool) {
	switch {
	case r >= 0x660 && r <= 0x669:
		return byte(r - 0x660), true
	case r >= 0x6F0 && r <= 0x6F9:
		return byte(r - 0x6F0), true
	}
	return 0, false
}

// canonical folds the international prefix of Morocco to the national 0.
func (n Number) canonical() Number {
	s := n.d[:n.n]
	var cut int
	switch {
	case len(s) >= 12 && string(s[:5]) == "00212":
		cut = 5
	case len(s) >= 11 && string(s[:3]) == "212":
		cut = 3
	default:
		return n
	}
	var m Number
	m.d[0] = '0'
	m.n = uint8(1 + copy(m.d[1:], s[cut:]))
	return m
}

// Instruction is one opt-out instruction found in a text.
type Instruction struct {
	// Start and End are the bytes of the original text the instruction
	// covers: from the keyword to the number for FormKeyMeans, from the
	// connector to the keyword for FormMeansKey, from the verb to the
	// keyword for FormReply and FormSend, the keyword for FormLabel.
	Start, End int
	// KeywordStart and KeywordEnd are the bytes of the keyword.
	KeywordStart, KeywordEnd int
	Form                     Form
	// Means is the number the instruction names; zero for the forms that
	// name none.
	Means Number

	tokFrom, tokTo int32 // the tokens it covers
}

// Keyword returns the keyword as written in text.
func (in *Instruction) Keyword(text string) string { return text[in.KeywordStart:in.KeywordEnd] }

// maxFound bounds the instructions and disguised keywords kept for one text.
const maxFound = 8

// finder holds the state of one search; it lives in a Checker.
type finder struct {
	t    *Text
	b    []byte
	toks []token

	found  [maxFound]Instruction
	nFound int
	// disguised holds spans (normalised bytes) of keywords written to
	// dodge filters: "S T O P", "ST0P".
	disguised  [maxFound][2]int32
	nDisguised int
	// keywordSeen counts keyword tokens that started no instruction.
	keywordSeen int
}

func (f *finder) reset(t *Text) {
	f.t = t
	f.b = t.norm
	f.toks = t.toks
	f.nFound = 0
	f.nDisguised = 0
	f.keywordSeen = 0
}

func (f *finder) word(i int) []byte { return f.b[f.toks[i].s:f.toks[i].e] }

func (f *finder) role(i int) role {
	if i < 0 || i >= len(f.toks) || f.toks[i].kind == tokPunct || f.toks[i].kind == tokNum {
		return 0
	}
	return roles(f.word(i))
}

// punct returns the punctuation byte of token i, or 0 if it is not one.
func (f *finder) punct(i int) byte {
	if i < 0 || i >= len(f.toks) || f.toks[i].kind != tokPunct {
		return 0
	}
	return f.b[f.toks[i].s]
}

func (f *finder) isWord(i int) bool {
	return i >= 0 && i < len(f.toks) && (f.toks[i].kind == tokWord || f.toks[i].kind == tokArabic)
}

// find looks for every instruction and disguised keyword of the text.
func (f *finder) find() {
	toks := f.toks
	for _, k32 := range f.t.cands {
		k := int(k32)
		tk := &toks[k]
		w := f.b[tk.s:tk.e]
		r := roles(w)
		if r&(rKeyword|rKeywordCaps) == 0 {
			// STOP5050: a keyword glued to its number is one word.
			if tk.kind == tokWord && len(w) >= 7 && (w[0] == 's' || w[0] == 'a') && f.nFound < maxFound {
				f.gluedKeyMeans(k)
			}
			continue
		}
		if r&rKeyword == 0 && !f.writtenInCapitals(k) {
			continue
		}
		if !f.standsAlone(k) {
			continue
		}
		if f.nFound == maxFound {
			return
		}
		if in, ok := f.instructionAt(k); ok {
			f.found[f.nFound] = in
			f.nFound++
		} else {
			f.keywordSeen++
		}
	}
}

func (f *finder) instructionAt(k int) (Instruction, bool) {
	if in, ok := f.keyMeans(k); ok {
		return in, true
	}
	if in, ok := f.meansKey(k); ok {
		return in, true
	}
	if v := f.verbBefore(k, rReplyVerb, rReplyLink); v >= 0 {
		return f.instruction(FormReply, v, k, k, Number{}), true
	}
	if v := f.verbBefore(k, rSendVerb, rSendLink); v >= 0 {
		return f.instruction(FormSend, v, k, k, Number{}), true
	}
	if f.isLabel(k) {
		return f.instruction(FormLabel, k, k, k, Number{}), true
	}
	return Instruction{}, false
}

// instruction builds an Instruction covering tokens [from, to], keyword k.
func (f *finder) instruction(form Form, from, to, k int, means Number) Instruction {
	var in Instruction
	in.Form = form
	in.Means = means
	in.Start, in.End = f.t.Span(int(f.toks[from].s), int(f.toks[to].e))
	in.KeywordStart, in.KeywordEnd = f.t.Span(int(f.toks[k].s), int(f.toks[k].e))
	in.tokFrom, in.tokTo = int32(from), int32(to)
	return in
}

// writtenInCapitals reports whether the letters of token k are all upper
// case in the original text.
func (f *finder) writtenInCapitals(k int) bool {
	s, e := f.t.Span(int(f.toks[k].s), int(f.toks[k].e))
	src := f.t.src[s:e]
	for i := 0; i < len(src); i++ {
		if c := src[i]; c >= 'a' && c <= 'z' {
			return false
		}
	}
	return true
}

// standsAlone reports whether the keyword at k is a word of its own, not
// part of a compound, a URL, a hashtag, a negation or a noun phrase.
func (f *finder) standsAlone(k int) bool {
	tk := f.toks[k]
	// Glued on the left to '-', '/', '.', '#', '@', '_', '&', '=' that is
	// itself glued to a word: non-stop, site.ma/stop, #stop, x_stop.
	if tk.glued {
		switch p := f.punct(k - 1); p {
		case '-', '/', '.', '_', '&', '+':
			if f.toks[k-1].glued && k >= 2 && f.toks[k-2].kind != tokPunct {
				return false
			}
		case '#', '@', '\\', '=', '~':
			return false
		}
		if f.isWord(k - 1) { // بSTOP: an Arabic proclitic glued to a Latin keyword reads as one word
			if f.role(k-1)&(rReplyLink|rSendLink) == 0 {
				return false
			}
		}
	}
	// Glued on the right to '-', '/', '.', '_', '@' followed by a word:
	// stop-over, stop.ma, stop_x.
	if k+2 < len(f.toks) && f.toks[k+1].glued && f.toks[k+2].glued {
		switch f.punct(k + 1) {
		case '-', '/', '.', '_', '@', '&':
			if f.isWord(k + 2) {
				return false
			}
		}
	}
	if k+1 < len(f.toks) && f.toks[k+1].glued && f.isWord(k+1) { // STOPﻻ, a Latin keyword glued to Arabic
		return false
	}
	// What comes before: a negation (sans arrêt, بلا توقف, non stop, don't
	// stop) or a word that makes it a noun (bus stop, l'arrêt, un arrêt).
	p := k - 1
	for p >= 0 && (f.punct(p) == '"' || f.punct(p) == '*') {
		p--
	}
	if p < 0 {
		return true
	}
	if f.punct(p) == '\'' && f.toks[p].glued && f.toks[k].glued && p >= 1 {
		// An elided article (l'arrêt, d'arrêt) or a contraction (don't).
		r := f.role(p - 1)
		w := f.word(p - 1)
		if r&rNounContext != 0 || string(w) == "don" || string(w) == "won" || string(w) == "can" || string(w) == "n" {
			return false
		}
		return true
	}
	if r := f.role(p); r&(rNegation|rNounContext) != 0 {
		w := f.word(p)
		// "l" and "d" alone are Darija prepositions ("l STOP"), not the
		// elided French article, which comes with its apostrophe.
		if string(w) == "l" || string(w) == "d" {
			return true
		}
		if string(w) == "t" { // don't, won't, can't, with the apostrophe folded away
			return p < 1 || f.punct(p-1) != '\''
		}
		return false
	}
	return true
}

// keyMeans tries form 1: keyword, then its means.
func (f *finder) keyMeans(k int) (Instruction, bool) {
	i := k + 1
	n := len(f.toks)
	brand := 0
	connector := false
	for steps := 0; i < n && steps < 8; steps++ {
		tk := f.toks[i]
		if tk.kind == tokNum {
			break
		}
		if tk.kind == tokPunct {
			switch f.b[tk.s] {
			case ':', '-', '(', ')', '"', '\'', '>', '=', '*':
				i++
				continue
			}
			return Instruction{}, false
		}
		r := roles(f.word(i))
		switch {
		case r&(rConnector|rConnNumber) != 0:
			i++
			connector = true
			// An article and a number noun may follow: au numéro, to the
			// short code, إلى الرقم, al número gratuito, للرقم المجاني.
			for m := 0; m < 4 && i < n; m++ {
				if p := f.punct(i); p == ':' || p == '\'' || p == '.' || p == '"' {
					i++
					continue
				}
				if f.role(i)&(rArticle|rNumberNoun) != 0 {
					i++
					continue
				}
				break
			}
		case r&rFiller != 0:
			i++
			continue
		case r&rFillerLead != 0 && f.role(i+1)&rFiller != 0:
			i += 2
			continue
		case r&rConjunction != 0 && f.role(i+1)&rSendVerb != 0:
			// "Tapez STOP et envoyez-le au 5050": the second verb
			// continues the instruction.
			i += 2
			for i < n && (f.punct(i) == '-' || f.punct(i) == '\'' || isPronoun(f.word(i))) {
				i++
			}
			continue
		case r&(rFunction|rKeyword|rNegation|rSendVerb|rReplyVerb|rUnit) == 0 && brand < 3 && !connector:
			brand++ // STOP MARQUE au 3030, STOP ATLAS MARKET au 3030
			i++
			continue
		default:
			return Instruction{}, false
		}
		if connector {
			break
		}
	}
	if f.punct(i) == '+' && i+1 < n && f.toks[i+1].glued {
		i++ // +212 …
	}
	if i >= n || f.toks[i].kind != tokNum {
		return Instruction{}, false
	}
	if brand > 0 && !connector {
		return Instruction{}, false
	}
	num, last, ok := f.number(i)
	if !ok {
		return Instruction{}, false
	}
	return f.instruction(FormKeyMeans, k, last, k, num), true
}

// isPronoun reports whether w is the object pronoun of "envoyez-le",
// "send it", "envíalo".
func isPronoun(w []byte) bool {
	switch string(w) {
	case "le", "la", "it", "lo", "ها":
		return true
	}
	return false
}

// gluedKeyMeans records a keyword glued to its short code, "STOP5050",
// "ARRET3030": one word for the tokenizer, since Darija in Latin letters
// mixes letters and digits.
func (f *finder) gluedKeyMeans(k int) {
	w := f.word(k)
	var kw int
	switch {
	case string(w[:4]) == "stop":
		kw = 4
	case len(w) >= 8 && string(w[:5]) == "arret":
		kw = 5
	default:
		return
	}
	digits := w[kw:]
	if len(digits) < 3 || len(digits) > 6 || !isAllDigits(digits) || !f.standsAlone(k) {
		return
	}
	var num Number
	num.n = uint8(copy(num.d[:], digits))
	in := f.instruction(FormKeyMeans, k, k, k, num)
	in.KeywordStart, in.KeywordEnd = f.t.Span(int(f.toks[k].s), int(f.toks[k].s)+kw)
	f.found[f.nFound] = in
	f.nFound++
}

func isAllDigits(w []byte) bool {
	for _, c := range w {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// meansKey tries form 2: a verb of sending, the means, then the keyword.
func (f *finder) meansKey(k int) (Instruction, bool) {
	j := k - 1
	for m := 0; j >= 0 && m < 3; m++ { // le mot, the word, كلمة, quotes
		if p := f.punct(j); p == '"' || p == '\'' || p == ':' {
			j--
			continue
		}
		if f.role(j)&rSendLink != 0 {
			j--
			continue
		}
		break
	}
	if j < 0 || f.toks[j].kind != tokNum {
		return Instruction{}, false
	}
	// Walk back to the first token of the number.
	start := j
	for start >= 2 && f.toks[start-1].kind == tokNum && !f.toks[start].glued {
		start--
	}
	num, last, ok := f.number(start)
	if !ok || last != j {
		return Instruction{}, false
	}
	c := start - 1
	for m := 0; c >= 0 && m < 3 && f.role(c)&(rArticle|rNumberNoun) != 0; m++ {
		c--
	}
	from := start
	if c >= 0 && f.role(c)&(rConnector|rConnNumber) != 0 {
		from = c
		c--
	}
	if c < 0 || f.role(c)&rSendVerb == 0 {
		return Instruction{}, false
	}
	return f.instruction(FormMeansKey, from, k, k, num), true
}

// verbBefore returns the token of a verb with role verb that governs the
// keyword at k, across words with role link ("Répondez à ce message par
// STOP", "envoyez le mot STOP"), or -1.
func (f *finder) verbBefore(k int, verb, link role) int {
	if k >= 1 && string(f.word(k-1)) == "to" && f.toks[k-1].kind == tokWord {
		return -1 // an English infinitive: "send a message to stop …"
	}
	j := k - 1
	for m := 0; j >= 0 && m < 6; m++ {
		if p := f.punct(j); p == '"' || p == '\'' || p == ':' || p == '*' {
			j--
			continue
		}
		r := f.role(j)
		if r&verb != 0 {
			return j
		}
		if r&link == 0 {
			return -1
		}
		j--
	}
	return -1
}

// isLabel tries form 5: a bare keyword set apart, "Désabonnement : STOP",
// or closing the text.
func (f *finder) isLabel(k int) bool {
	n := len(f.toks)
	// After it: optional SMS or ALL, then the end of the text or of the
	// sentence.
	i := k + 1
	for i < n && f.role(i)&rFiller != 0 && i-k <= 2 {
		i++
	}
	atEnd := true
	for j := i; j < n; j++ {
		if f.toks[j].kind != tokPunct {
			atEnd = false
			break
		}
	}
	sentenceEnd := atEnd
	if !atEnd {
		switch f.punct(i) {
		case '.', '!', ')', '|', ';', ',':
			sentenceEnd = true
		}
	}
	if !sentenceEnd {
		return false
	}
	// Before it: a colon or a label word (anywhere), or the start of a
	// sentence (only when it closes the text).
	p := k - 1
	for p >= 0 && (f.punct(p) == '"' || f.punct(p) == '(') {
		p--
	}
	if p < 0 {
		return atEnd
	}
	if f.punct(p) == ':' || f.role(p)&rLabel != 0 {
		return true
	}
	if atEnd {
		switch f.punct(p) {
		case '.', '!', '?', '-', '|', '/', ',', ';', ')':
			return true
		}
	}
	return false
}

// number reads the means that starts at token i: a short code, or a
// telephone number written in groups ("0800 00 45 45", "+212 5 22 …").
// It returns the number, the index of its last token, and false when the
// number is a price, a time, a date or a quantity rather than a means.
func (f *finder) number(i int) (Number, int, bool) {
	var num Number
	appendDigits := func(j int) bool {
		for _, c := range f.word(j) {
			if int(num.n) == len(num.d) {
				return false
			}
			num.d[num.n] = c
			num.n++
		}
		return true
	}
	if !appendDigits(i) {
		return Number{}, 0, false
	}
	last := i
	plus := f.punct(i-1) == '+' && f.toks[i].glued
	if num.d[0] == '0' || plus {
		// A telephone number: join the groups that follow, separated by a
		// space or by a single '.' or '-', up to the length of a number.
		limit := 10
		if plus || num.n >= 3 && string(num.d[:3]) == "212" {
			limit = 12
		}
		if num.n >= 5 && string(num.d[:5]) == "00212" {
			limit = 14
		}
		for {
			j := last + 1
			if j < len(f.toks) && f.toks[j].kind == tokPunct && f.toks[j].glued {
				if p := f.b[f.toks[j].s]; p != '.' && p != '-' {
					break
				}
				j++
				if j >= len(f.toks) || !f.toks[j].glued {
					break
				}
			}
			if j >= len(f.toks) || f.toks[j].kind != tokNum || int(num.n)+int(f.toks[j].e-f.toks[j].s) > limit {
				break
			}
			if !appendDigits(j) {
				return Number{}, 0, false
			}
			last = j
		}
	} else if num.n <= 2 && last+1 < len(f.toks) && f.toks[last+1].kind == tokNum &&
		!f.toks[last+1].glued && f.toks[last+1].e-f.toks[last+1].s == 3 && num.n+3 <= 5 {
		// A short code written with a thousands space: "5 050".
		if !appendDigits(last + 1) {
			return Number{}, 0, false
		}
		last++
	}
	if num.n < 3 {
		return Number{}, 0, false
	}
	// What follows must not make it a price, a time, a date, a decimal or
	// a quantity: 49 DH, 50%, 21h, 14/06, 2,5, 20:00.
	if j := last + 1; j < len(f.toks) {
		if f.toks[j].kind == tokPunct {
			switch f.b[f.toks[j].s] {
			case '%':
				return Number{}, 0, false
			case '/', ',', '.', ':':
				if f.toks[j].glued && j+1 < len(f.toks) && f.toks[j+1].kind == tokNum && f.toks[j+1].glued {
					return Number{}, 0, false
				}
			}
		} else if f.role(j)&rUnit != 0 {
			return Number{}, 0, false
		}
	}
	// Nor what comes before: -50, 2.400, 14/06.
	if i >= 1 && f.toks[i].glued {
		switch f.punct(i - 1) {
		case '-', '/', ',', '.', ':':
			if i >= 2 && f.toks[i-1].glued && f.toks[i-2].kind == tokNum {
				return Number{}, 0, false
			}
		}
	}
	return num.canonical(), last, true
}

// findDisguised records keywords written to dodge filters: letters spaced
// or separated ("S T O P", "S.T.O.P", "S-T-O-P", "ت و ق ف") and digits for
// letters ("ST0P", "5TOP", "ARR3T"). RULES.md: such a keyword is not
// legible and does not count; finding it lets the reason say so.
func (f *finder) findDisguised() {
	n := len(f.toks)
	for k := 0; k < n && f.nDisguised < maxFound; k++ {
		tk := &f.toks[k]
		// A disguised keyword starts as one does: s, a or a digit for
		// them (5TOP, 4RRET), ت, س or ا ('$' and '@' are marks, never the
		// start of a word); and it is a word of four or five letters
		// (ST0P, ARR3T) or the first piece of one (S, ST, ت).
		switch l := tk.e - tk.s; tk.kind {
		case tokWord:
			if !disguiseStart[f.b[tk.s]] || l == 3 || l > 5 {
				continue
			}
		case tokArabic:
			if l < 2 || l > 4 || f.b[tk.s] != 0xD8 || f.b[tk.s+1] != 0xAA && f.b[tk.s+1] != 0xB3 && f.b[tk.s+1] != 0xA7 {
				continue
			}
		default:
			continue
		}
		w := f.b[tk.s:tk.e]
		if tk.kind == tokWord && len(w) >= 4 && len(w) <= 5 && leetKeyword(w) {
			f.disguised[f.nDisguised] = [2]int32{tk.s, tk.e}
			f.nDisguised++
			continue
		}
		if len(w) > 4 || (tk.kind == tokWord && len(w) > 2) {
			continue
		}
		// Join pieces of at most two letters separated by one mark or a space.
		var buf [24]byte
		m := copy(buf[:], w)
		pieces := 1
		j := k + 1
		for j < n && m < 12 {
			sep := j
			if f.toks[j].kind == tokPunct {
				if !f.toks[j].glued || j+1 >= n || !f.toks[j+1].glued {
					break
				}
				j++
			}
			if f.toks[j].kind != tk.kind {
				break
			}
			if sep == j && f.toks[j].glued {
				break // adjacent words without a separator are one word
			}
			p := f.b[f.toks[j].s:f.toks[j].e]
			if len(p) > 4 || (tk.kind == tokWord && len(p) > 2) {
				break
			}
			m += copy(buf[m:], p)
			pieces++
			j++
			if pieces >= 2 && isDisguisedTarget(buf[:m]) {
				f.disguised[f.nDisguised] = [2]int32{tk.s, f.toks[j-1].e}
				f.nDisguised++
				k = j - 1
				break
			}
		}
	}
}

// disguiseStart marks the bytes a disguised STOP or ARRET starts with.
var disguiseStart = [256]bool{'s': true, 'a': true, '5': true, '4': true}

func isDisguisedTarget(w []byte) bool {
	switch string(w) {
	case "stop", "arret", "توقف", "ستوب", "ايقاف":
		return true
	}
	return len(w) >= 4 && len(w) <= 5 && leetKeyword(w)
}

// leetKeyword reports whether w spells STOP or ARRET with digits or signs
// for some letters (and at least one of them).
func leetKeyword(w []byte) bool {
	var buf [5]byte
	sub := false
	for i, c := range w {
		switch c {
		case '0':
			c, sub = 'o', true
		case '5', '$':
			c, sub = 's', true
		case '7':
			c, sub = 't', true
		case '3':
			c, sub = 'e', true
		case '4', '@':
			c, sub = 'a', true
		case '1':
			c, sub = 'i', true
		}
		buf[i] = c
	}
	if !sub {
		return false
	}
	s := string(buf[:len(w)])
	return s == "stop" || s == "arret"
}
