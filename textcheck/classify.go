package textcheck

// The classifier tells commercial prospecting from transactional content
// (R9). It reads the same tokens as the finder and weighs features: the
// phrases of features.go, and a few shapes no word list holds — a
// percentage (a discount when it reads "-30 %", "30 % off", "jusqu'à
// 30 %"), an offer like "2x1" or "1+1", a promotion code ("code SOIR20"),
// a one-time code ("code 482913"), a masked card ("****4821") or a
// reference ("KS-229184", "n° 2024-118845").
//
// The score of a text is the sum, over the commercial feature classes, of
// the strongest phrase of each class found: a text needs either one strong
// phrase (a discount, a contest, "au lieu de") or cues of two kinds (a call
// to action and "new", "only" and a deadline) to reach 2. A text is
// commercial when its score reaches 2, or when it is 1 and nothing in it
// refers to a service already rendered (an order, a payment, an
// appointment, a code, a reference): a lone "découvrez" in a shipping
// notice does not make it a promotion, but a lone "nouvelle collection"
// with nothing else does.
//
// Transactional content never cancels commercial content: an OTP or a
// delivery notice with a promotion appended is commercial. The opt-out
// instruction does not count: "pour ne plus recevoir nos offres, envoyez
// STOP au 5050 (gratuit)" adds neither "offres" nor "gratuit", so a STOP
// line neither makes a text commercial nor hides that it is.

// Evidence is one feature found in a text.
type Evidence struct {
	Feature Feature
	// Start and End are the bytes of the original text that carry it.
	Start, End int
}

// maxEvidence bounds the evidence a Classification keeps.
const maxEvidence = 4

// Classification is the classifier's reading of a text.
type Classification struct {
	// Commercial is the verdict: the text reads as prospecting.
	Commercial bool
	// Score is the commercial score: the strongest weight of each
	// commercial feature class found, summed.
	Score int
	// Service counts the transactional features found.
	Service int
	// Evidence holds up to four features found, commercial ones first when
	// the text is commercial, transactional ones otherwise.
	Evidence  [maxEvidence]Evidence
	NEvidence int
}

// classifier holds the per-text state of the classifier; it lives in a
// Checker and reuses the finder's tokens.
type classifier struct {
	f *finder
	// best is the strongest weight seen per commercial class, and where.
	best    [featureCount]int8
	bestAt  [featureCount][2]int32 // token range
	service int
	// lone is set when a cue that is promotion on its own in a text with
	// no service reference was found: a novelty, an offer, a call to
	// action, a contest, a discount, a price figure ("à 49 DH"); not the
	// adverbs (only, now, seulement, daba) that service messages use too.
	lone     bool
	svcFirst [2]int32
	svcFeat  Feature
	// mask marks tokens that do not count: URLs, and the opt-out
	// instruction with its clause.
	mask []uint8
}

const (
	maskURL    = 1 // part of a URL or an address: kechshop.ma/soldes
	maskOptOut = 2 // the instruction itself
	maskClause = 4 // the opt-out clause around it: "pour ne plus recevoir nos offres", "(gratuit)"
)

func (c *classifier) classify(f *finder) Classification {
	c.f = f
	c.best = [featureCount]int8{}
	c.service = 0
	c.lone = false
	c.svcFeat = FeatureNone
	c.markMask()
	toks := f.toks
	n := len(toks)
	for i := 0; i < n; i++ {
		if c.mask[i]&(maskURL|maskOptOut) != 0 {
			continue
		}
		tk := toks[i]
		switch tk.kind {
		case tokPunct:
			c.punctFeatures(i)
			continue
		case tokNum:
			continue
		}
		w := f.b[tk.s:tk.e]
		var e lexEntry
		ok := false
		if featFilter.mayHold(w) {
			e, ok = lexicon.get(w)
		}
		if !ok && tk.kind == tokArabic {
			e, ok = lookupWithoutProclitic(w)
		}
		// shapeFeatures reads words of at most four bytes (2x1, KS-229184)
		// and the words after "code" or "réf": no call for the others.
		if tk.kind == tokWord && len(w) <= 4 || e.r&(rCodeWord|rRefWord) != 0 {
			c.shapeFeatures(i, w, e.r)
		}
		if !ok || len(e.phrases) == 0 {
			continue
		}
		// The word after this one, as match reads it, for a first look at
		// each phrase's second word: most phrases fail there.
		next := i + 1
		for next < n && (f.punct(next) == '\'' || f.punct(next) == '-') {
			next++
		}
		var nw []byte // the next word; nil when there is none to match a word
		if next < n && c.mask[next]&(maskURL|maskOptOut) == 0 && toks[next].kind != tokPunct {
			nw = f.b[toks[next].s:toks[next].e]
		}
		for _, pi := range e.phrases {
			p := &phrases[pi]
			if len(p.words) > 1 {
				if want := p.words[1]; want != "#" && want != "$" && string(nw) != want {
					continue
				}
			}
			end, ok := c.match(p, i)
			if !ok {
				continue
			}
			if c.mask[i]&maskClause != 0 && (p.f == FeatureFree || p.f == FeatureOffer) {
				break
			}
			c.note(p.f, p.weight, i, end)
			if p.weight > 0 && (p.lone || p.f != FeaturePrice && p.f != FeatureUrgency && p.f != FeatureFree) {
				c.lone = true
			}
			if p.weight > 0 || len(p.words) > 1 {
				i = end // a matched phrase is read as a whole
			}
			break
		}
	}
	return c.result()
}

// lookupWithoutProclitic looks an Arabic word up again without a leading
// conjunction or preposition glued to it: واستفد, وشارك, بتخفيض, فالرصيد.
func lookupWithoutProclitic(w []byte) (lexEntry, bool) {
	if len(w) < 8 || w[0] != 0xD9 && w[0] != 0xD8 {
		return lexEntry{}, false
	}
	switch string(w[:2]) {
	case "و", "ف", "ب", "ل":
		if !featFilter.mayHold(w[2:]) {
			return lexEntry{}, false
		}
		e, ok := lexicon.get(w[2:])
		return e, ok
	}
	return lexEntry{}, false
}

// match reports whether phrase p matches at token i, and its last token.
func (c *classifier) match(p *phrase, i int) (int, bool) {
	f := c.f
	n := len(f.toks)
	j := i
	for _, want := range p.words[1:] { // the first word is the one the phrase was looked up by
		j++
		for j < n && (f.punct(j) == '\'' || f.punct(j) == '-') {
			j++
		}
		if j >= n || c.mask[j]&(maskURL|maskOptOut) != 0 {
			return 0, false
		}
		tk := f.toks[j]
		switch want {
		case "#":
			if tk.kind != tokNum {
				return 0, false
			}
			// A number in groups: 24 900, 1 250,00, 2.400.
			for j+1 < n {
				if f.toks[j+1].kind == tokNum && !f.toks[j+1].glued && f.toks[j+1].e-f.toks[j+1].s == 3 {
					j++
					continue
				}
				if p := f.punct(j + 1); (p == ',' || p == '.') && f.toks[j+1].glued && j+2 < n && f.toks[j+2].kind == tokNum && f.toks[j+2].glued {
					j += 2
					continue
				}
				break
			}
		case "$":
			if f.role(j)&rCurrency == 0 {
				return 0, false
			}
		default:
			// Length and first byte before the bytes: most words differ there.
			if tk.kind == tokPunct || int(tk.e-tk.s) != len(want) || f.b[tk.s] != want[0] ||
				string(f.b[tk.s:tk.e]) != want {
				return 0, false
			}
		}
	}
	return j, true
}

// note records a feature found on tokens [i, end].
func (c *classifier) note(ft Feature, weight int8, i, end int) {
	if ft.Commercial() {
		if weight > c.best[ft] {
			c.best[ft] = weight
			c.bestAt[ft] = [2]int32{int32(i), int32(end)}
		}
		return
	}
	if c.service == 0 {
		c.svcFirst = [2]int32{int32(i), int32(end)}
		c.svcFeat = ft
	}
	c.service++
}

// punctFeatures reads the shapes that start or end with a mark: a
// percentage, "1+1", a masked card "****4821".
func (c *classifier) punctFeatures(i int) {
	f := c.f
	switch f.punct(i) {
	case '%':
		if i < 1 || f.toks[i-1].kind != tokNum {
			return
		}
		start := i - 1
		weight := int8(1)
		// -30 %: a minus glued to the number.
		if start >= 1 && f.punct(start-1) == '-' && f.toks[start].glued {
			weight, start = 2, start-1
		}
		// 30 % off, 20 % de réduction.
		if i+1 < len(f.toks) {
			switch string(f.word(i + 1)) {
			case "off", "de", "discount", "خصم", "تخفيض":
				weight = 2
			}
		}
		// jusqu'à 70 %, up to 60 %, hasta 50 %, حتى ل 70 %, tal 70 %.
		for j := start - 1; j >= 0 && j >= start-3; j-- {
			switch string(f.word(j)) {
			case "jusqu", "up", "hasta", "حتى", "tal", "hta", "تصل", "ta", "7ta":
				weight = 2
			}
		}
		c.note(FeatureDiscount, weight, start, i)
		c.lone = true // a rate or a discount, with no service around it, is an offer
	case '+':
		if i >= 1 && i+1 < len(f.toks) && f.toks[i-1].kind == tokNum && f.toks[i+1].kind == tokNum &&
			f.toks[i].glued && f.toks[i+1].glued && f.toks[i-1].e-f.toks[i-1].s == 1 && f.toks[i+1].e-f.toks[i+1].s == 1 {
			c.note(FeatureDiscount, 2, i-1, i+1) // 1+1, 2+1
		}
	case '*':
		// ****4821: a masked card or account number.
		j := i
		for j < len(f.toks) && f.punct(j) == '*' {
			j++
		}
		if j-i >= 2 && j < len(f.toks) && f.toks[j].kind == tokNum && f.toks[j].glued {
			c.note(FeatureReference, 0, i, j)
		}
	}
}

// shapeFeatures reads the shapes of a word: "2x1", a promotion code after
// "code", a one-time code, a reference.
func (c *classifier) shapeFeatures(i int, w []byte, r role) {
	f := c.f
	n := len(f.toks)
	if len(w) == 3 && w[1] == 'x' && w[0] >= '1' && w[0] <= '9' && w[2] >= '1' && w[2] <= '9' {
		c.note(FeatureDiscount, 2, i, i) // 2x1, 3x2
		return
	}
	if r&rCodeWord != 0 {
		j := i + 1
		for j < n && (f.punct(j) == ':' || string(f.word(j)) == "promo" || string(f.word(j)) == "est" ||
			string(f.word(j)) == "is" || string(f.word(j)) == "de") {
			j++
		}
		if j >= n {
			return
		}
		if f.toks[j].kind == tokNum {
			c.note(FeatureOTP, 0, i, j) // code 482913
			return
		}
		if f.toks[j].kind == tokWord && c.looksLikePromoCode(j) {
			c.note(FeaturePromoCode, 2, i, j)
		}
		return
	}
	if r&rRefWord != 0 && i+1 < n {
		j := i + 1
		if f.punct(j) == ':' || f.punct(j) == '.' {
			j++
		}
		if j < n && (f.toks[j].kind == tokNum || f.toks[j].kind == tokWord && hasDigit(f.word(j))) {
			c.note(FeatureReference, 0, i, j) // n° 2024-118845, réf. 10022981
		}
		return
	}
	// KS-229184, AU-55812: a few capitals, a hyphen, digits.
	if len(w) <= 4 && i+2 < n && f.punct(i+1) == '-' && f.toks[i+1].glued && f.toks[i+2].glued &&
		f.toks[i+2].kind == tokNum && f.toks[i+2].e-f.toks[i+2].s >= 4 && !hasDigit(w) {
		c.note(FeatureReference, 0, i, i+2)
	}
}

// looksLikePromoCode reports whether word j reads as a promotion code:
// letters and digits (SOIR20, KHR10), or capitals only (BIENVENUE).
func (c *classifier) looksLikePromoCode(j int) bool {
	w := c.f.word(j)
	if len(w) < 4 {
		return false
	}
	letters, digits := 0, 0
	for _, b := range w {
		switch {
		case b >= '0' && b <= '9':
			digits++
		case b >= 'a' && b <= 'z':
			letters++
		default:
			return false
		}
	}
	if letters > 0 && digits > 0 {
		return true
	}
	return letters >= 4 && c.f.writtenInCapitals(j)
}

func hasDigit(w []byte) bool {
	for _, b := range w {
		if b >= '0' && b <= '9' {
			return true
		}
	}
	return false
}

// markMask marks the tokens the classifier skips.
func (c *classifier) markMask() {
	f := c.f
	n := len(f.toks)
	if cap(c.mask) < n {
		c.mask = make([]uint8, n, n+n/2)
	}
	c.mask = c.mask[:n]
	clear(c.mask)
	// URLs and addresses: the run of glued tokens around a '.' with letters
	// on both sides (kechshop.ma, www.x.ma/promo) or an '@'.
	for k := 1; k+1 < n; k++ {
		tk := &f.toks[k]
		if tk.kind != tokPunct || !tk.glued || !f.toks[k+1].glued || c.mask[k]&maskURL != 0 {
			continue
		}
		switch f.b[tk.s] {
		case '.':
			if f.toks[k-1].kind != tokWord || f.toks[k+1].kind != tokWord {
				continue
			}
		case '@':
		default:
			continue
		}
		i := k
		for i > 0 && f.toks[i].glued {
			i--
		}
		j := k + 1
		for j < n && f.toks[j].glued {
			j++
		}
		for ; i < j; i++ {
			c.mask[i] |= maskURL
		}
	}
	// The opt-out instructions, and the clause around each: up to ten
	// tokens on either side, within the sentence.
	for x := 0; x < f.nFound; x++ {
		in := &f.found[x]
		from, to := int(in.tokFrom), int(in.tokTo)
		for k := from; k <= to && k < n; k++ {
			c.mask[k] |= maskOptOut
		}
		for k := from - 1; k >= 0 && k >= from-10 && !sentenceEnd(f.punct(k)); k-- {
			c.mask[k] |= maskClause
		}
		for k := to + 1; k < n && k <= to+10 && !sentenceEnd(f.punct(k)); k++ {
			c.mask[k] |= maskClause
		}
	}
}

func sentenceEnd(p byte) bool { return p == '.' || p == '!' || p == '?' || p == '|' }

func (c *classifier) result() Classification {
	var cl Classification
	for ft := FeatureDiscount; ft <= FeaturePromoCode; ft++ {
		if c.best[ft] > 0 {
			cl.Score += int(c.best[ft])
		}
	}
	cl.Service = c.service
	cl.Commercial = cl.Score >= 2 || cl.Score == 1 && c.service == 0 && c.lone
	if cl.Commercial || cl.Score > 0 {
		// Strongest first.
		for w := int8(2); w >= 1; w-- {
			for ft := FeatureDiscount; ft <= FeaturePromoCode && cl.NEvidence < maxEvidence; ft++ {
				if c.best[ft] == w {
					cl.Evidence[cl.NEvidence] = c.evidence(ft, c.bestAt[ft])
					cl.NEvidence++
				}
			}
		}
	}
	if !cl.Commercial && c.service > 0 && cl.NEvidence < maxEvidence {
		// The service reference first: it is why the text is transactional.
		copy(cl.Evidence[1:], cl.Evidence[:maxEvidence-1])
		cl.Evidence[0] = c.evidence(c.svcFeat, c.svcFirst)
		cl.NEvidence++
	}
	return cl
}

func (c *classifier) evidence(ft Feature, at [2]int32) Evidence {
	s, e := c.f.t.Span(int(c.f.toks[at[0]].s), int(c.f.toks[at[1]].e))
	return Evidence{Feature: ft, Start: s, End: e}
}
