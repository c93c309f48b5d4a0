package mo

// Match says how a brand name was found, from the surest to the loosest.
type Match uint8

const (
	MatchNone Match = iota
	// MatchExact: the name, identifier, sender ID or channel code, as
	// written modulo case, accents, spaces and punctuation ("atlas-market",
	// "ATLAS MARKET", "AtlasMarket").
	MatchExact
	// MatchPrefix: the first words of a name ("Atlas" for "Atlas Market").
	MatchPrefix
	// MatchTypo: within a small edit distance (one edit up to 7 letters,
	// two beyond; a swap of two letters is one edit).
	MatchTypo
	// MatchSound: the same consonants, across scripts ("أطلس ماركت" for
	// "Atlas Market").
	MatchSound
)

var matchNames = [...]string{"none", "exact", "prefix", "typo", "sound"}

func (m Match) String() string {
	if int(m) < len(matchNames) {
		return matchNames[m]
	}
	return "match(?)"
}

// Resolution is what a brand name resolves to.
type Resolution struct {
	// Match is how it was found: MatchNone when nothing was.
	Match Match
	// Brand is the brand found, when one was, alone at the best match.
	Brand Brand
	// Candidates are the brands that tie at the best match (at most
	// maxCandidates), when the name is ambiguous.
	Candidates []Brand
}

// Resolved reports whether the name names exactly one brand.
func (r Resolution) Resolved() bool { return r.Match != MatchNone && len(r.Candidates) == 0 }

// Ambiguous reports whether the name fits several brands equally well.
func (r Resolution) Ambiguous() bool { return len(r.Candidates) > 0 }

const maxCandidates = 3

// Resolve finds the brand a subscriber means by name (what follows STOP,
// START or QUI), forgivingly: see Match for the steps, tried in order,
// the first that finds something deciding. At each step advertisers come
// before providers (subscribers know brands), and several brands at the
// best match make the name ambiguous.
func (d *Directory) Resolve(name string) Resolution {
	p := d.getParser()
	defer d.pool.Put(p)
	p.text.Reset(name)
	b := p.text.Bytes()
	p.words = wordsOf(p.words[:0], b)
	m, bs := d.resolveWords(p, b, p.words, true)
	return d.resolution(m, bs)
}

func (d *Directory) getParser() *parser { return d.pool.Get().(*parser) }

// resolution turns the brands found at a match into a Resolution.
func (d *Directory) resolution(m Match, bs []int32) Resolution {
	switch {
	case m == MatchNone || len(bs) == 0:
		return Resolution{}
	case len(bs) == 1:
		return Resolution{Match: m, Brand: d.brands[bs[0]].Brand}
	}
	r := Resolution{Match: m, Candidates: make([]Brand, 0, min(len(bs), maxCandidates))}
	for _, bi := range bs[:min(len(bs), maxCandidates)] {
		r.Candidates = append(r.Candidates, d.brands[bi].Brand)
	}
	return r
}

// resolveWords resolves the words ws of the normalised text b. With loose
// false only the exact and prefix steps are tried (for a text that reads
// as a sentence). The brands returned are sorted and may alias the
// directory or p: read them before the next call.
func (d *Directory) resolveWords(p *parser, b []byte, ws []word, loose bool) (Match, []int32) {
	if len(ws) == 0 {
		return MatchNone, nil
	}
	p.key = joinWords(p.key[:0], b, ws)
	if v, ok := d.exact[string(p.key)]; ok {
		return MatchExact, d.preferAdvertisers(v)
	}
	if v, ok := d.prefix[string(p.key)]; ok {
		return MatchPrefix, d.preferAdvertisers(v)
	}
	if !loose {
		return MatchNone, nil
	}
	if v := d.typo(p); len(v) > 0 {
		return MatchTypo, d.preferAdvertisers(v)
	}
	p.skel = skeletonOf(p.skel[:0], b, ws)
	if len(p.skel) >= minSkeleton {
		if v, ok := d.sound[string(p.skel)]; ok {
			return MatchSound, d.preferAdvertisers(v)
		}
	}
	return MatchNone, nil
}

// preferAdvertisers keeps the advertisers of a sorted list of brands, if
// it has any.
func (d *Directory) preferAdvertisers(v []int32) []int32 {
	if len(v) > 0 && int(v[0]) < d.nAdv {
		n := 1
		for n < len(v) && int(v[n]) < d.nAdv {
			n++
		}
		return v[:n]
	}
	return v
}

// typoBound is the edit distance tolerated for a key of n runes.
func typoBound(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// typo finds the brands whose keys are nearest p.key within typoBound,
// into p.cands.
func (d *Directory) typo(p *parser) []int32 {
	p.runes = p.runes[:0]
	for _, r := range string(p.key) {
		p.runes = append(p.runes, r)
	}
	q := p.runes
	k := typoBound(len(q))
	if k == 0 || len(q) > maxFuzzy {
		return nil
	}
	mask, hist := runeMask(q), runeHist(q)
	best := k + 1
	p.cands = p.cands[:0]
	lo, hi := d.fuzzyAt[max(4, len(q)-k)], d.fuzzyAt[min(maxFuzzy, len(q)+k)+1]
	for i := lo; i < hi; i++ {
		bound := min(best, k)
		if popcount(d.fuzzyMask[i]^mask) > 2*bound || histDistance(d.fuzzyHist[i], hist) > 2*bound {
			continue // more differs than bound edits can explain
		}
		f := &d.fuzzy[i]
		dist := osa(q, f.runes, bound, &p.rows)
		switch {
		case dist < best:
			best = dist
			p.cands = append(p.cands[:0], f.brand)
		case dist == best && dist <= k:
			p.cands = appendBrand(p.cands, f.brand)
		}
	}
	if best > k {
		return nil
	}
	sortInt32(p.cands)
	return p.cands
}

func appendBrand(v []int32, bi int32) []int32 {
	for _, x := range v {
		if x == bi {
			return v
		}
	}
	return append(v, bi)
}

func sortInt32(v []int32) {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
}

// osa returns the optimal string alignment distance between a and b (the
// Levenshtein distance with swaps of two adjacent letters), or bound+1 as
// soon as it is known to exceed bound. rows is scratch space.
func osa(a, b []rune, bound int, rows *[3][maxFuzzy + 2]int) int {
	if d := len(a) - len(b); d > bound || -d > bound {
		return bound + 1
	}
	if len(a) > maxFuzzy || len(b) > maxFuzzy {
		return bound + 1
	}
	prev2, prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1], rows[2][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > bound {
			return bound + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if d := prev[len(b)]; d <= bound {
		return d
	}
	return bound + 1
}

// keywordTypo finds an ASCII keyword of at least 7 letters one edit away
// from w ("desabonee", "unsubscibe"), or a keyword of 4 to 6 letters with
// two adjacent letters swapped ("stpo", "sotp", "arert"): a short word one
// substitution away is too often another word ("shop", "step").
func keywordTypo(w []byte, rows *[3][maxFuzzy + 2]int, rs *[]rune) (keyword, bool) {
	if len(w) < 4 || len(w) > 16 || !isASCII(string(w)) {
		return keyword{}, false
	}
	if len(w) < 7 {
		for i := 0; i+1 < len(w); i++ {
			if w[i] == w[i+1] {
				continue
			}
			w[i], w[i+1] = w[i+1], w[i]
			k, ok := tables.keywords[string(w)]
			w[i], w[i+1] = w[i+1], w[i]
			if ok && k.kind == KindStop && len(k.word) == len(w) {
				return k, true
			}
		}
		return keyword{}, false
	}
	q := (*rs)[:0]
	for _, c := range w {
		q = append(q, rune(c))
	}
	*rs = q
	var found keyword
	n := 0
	for _, kw := range tables.fuzzy {
		if len(kw)-len(w) > 1 || len(w)-len(kw) > 1 {
			continue
		}
		var kr [16]rune
		for i := 0; i < len(kw); i++ {
			kr[i] = rune(kw[i])
		}
		if osa(q, kr[:len(kw)], 1, rows) <= 1 {
			k := tables.keywords[kw]
			if n > 0 && k.kind != found.kind {
				return keyword{}, false // near two kinds of keyword: not a typo of either
			}
			found = k
			n++
		}
	}
	return found, n > 0
}
