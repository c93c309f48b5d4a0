package mo

import (
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/textcheck"
)

// Records are the registry records a Directory is built from: a snapshot
// of the registry, taken whenever it changes.
type Records struct {
	Providers   []bawwab.Provider
	Advertisers []bawwab.Advertiser
	SenderIDs   []bawwab.SenderID
	// Channels are the short codes subscribers write to: the national
	// StopSMS channel and the providers' and advertisers' own channels.
	Channels []bawwab.Channel
}

// Brand is an advertiser or a provider as a subscriber may name it.
type Brand struct {
	// Scope is the opposition scope the brand stands for: advertiser:ID or
	// provider:ID.
	Scope bawwab.Scope
	// Name is the name subscribers know (the advertiser's brand, the
	// provider's legal name).
	Name string
	// Handle is what to write after STOP to name this brand, and what the
	// replies tell subscribers to write: the advertiser's commercial
	// sender ID (what the phone shows), else its name or identifier in
	// capitals. Handle always resolves to this brand alone.
	Handle string
}

// Directory is what the engine knows of the registry: the channels, and
// every name, identifier and sender ID under which a subscriber may name an
// advertiser or a provider. It is immutable and safe for concurrent use;
// when the registry changes, build a new one and swap it in (an
// atomic.Pointer[Directory] in the gateway).
type Directory struct {
	brands   []brandInfo // advertisers, then providers, each sorted by ID
	nAdv     int
	channels map[string]channelInfo
	national string // the code of the national StopSMS channel, if any

	exact  map[string][]int32 // brand key → brands, sorted
	prefix map[string][]int32 // the first words of a name → brands
	sound  map[string][]int32 // consonant skeleton → brands
	// The keys matched by edit distance, sorted by length in runes
	// (fuzzyAt[n] is the first of n runes or more), with parallel arrays
	// of the filters scanned before any distance is computed.
	fuzzy     []fuzzyKey
	fuzzyMask []uint64 // the set of the key's runes, hashed to 64 bits
	fuzzyHist []uint64 // the key's rune counts, hashed to 16 4-bit counters
	fuzzyAt   [maxFuzzy + 2]int32

	pool sync.Pool // *parser
}

type brandInfo struct {
	Brand
	// nameFR is how French replies write the name: in the GSM alphabet
	// (frenchName).
	nameFR    string
	contact   string
	decl      string  // a provider's ANRT declaration
	providers []int32 // an advertiser's providers (brand indices)
}

type channelInfo struct {
	ch    bawwab.Channel
	owner int32 // brand index of the owner; -1 for the national channel
}

// A fuzzy key is matched by edit distance: a brand key of 4 to maxFuzzy
// runes.
type fuzzyKey struct {
	runes []rune
	brand int32
}

const maxFuzzy = 40

// NewDirectory builds the directory of the records. It fails on records
// that contradict each other (a duplicate identifier, a sender ID or a
// channel whose owner is not in the records): the registry store should
// never hand those over.
func NewDirectory(r Records) (*Directory, error) {
	d := &Directory{
		channels: map[string]channelInfo{},
		exact:    map[string][]int32{},
		prefix:   map[string][]int32{},
		sound:    map[string][]int32{},
	}
	d.pool.New = func() any { return new(parser) }

	advs := append([]bawwab.Advertiser(nil), r.Advertisers...)
	sort.Slice(advs, func(i, j int) bool { return advs[i].ID < advs[j].ID })
	provs := append([]bawwab.Provider(nil), r.Providers...)
	sort.Slice(provs, func(i, j int) bool { return provs[i].ID < provs[j].ID })
	d.nAdv = len(advs)
	advIdx := map[string]int32{}
	provIdx := map[string]int32{}
	for i, a := range advs {
		if a.ID == "" {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: advertiser %q has no ID", a.Name)
		}
		if _, dup := advIdx[a.ID]; dup {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: duplicate advertiser %q", a.ID)
		}
		advIdx[a.ID] = int32(i)
	}
	for i, p := range provs {
		if p.ID == "" {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: provider %q has no ID", p.Name)
		}
		if _, dup := provIdx[p.ID]; dup {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: duplicate provider %q", p.ID)
		}
		provIdx[p.ID] = int32(len(advs) + i)
	}
	d.brands = make([]brandInfo, len(advs)+len(provs))
	for i, a := range advs {
		b := &d.brands[i]
		b.Scope = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: a.ID}
		b.Name = strings.TrimSpace(a.Name)
		if b.Name == "" {
			b.Name = a.ID
		}
		b.contact = strings.TrimSpace(a.Contact)
		for _, pid := range a.ProviderIDs {
			pi, ok := provIdx[pid]
			if !ok {
				return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: advertiser %q: unknown provider %q", a.ID, pid)
			}
			b.providers = append(b.providers, pi)
		}
	}
	for i, p := range provs {
		b := &d.brands[len(advs)+i]
		b.Scope = bawwab.Scope{Kind: bawwab.ScopeProvider, ID: p.ID}
		b.Name = strings.TrimSpace(p.Name)
		if b.Name == "" {
			b.Name = p.ID
		}
		b.decl = strings.TrimSpace(p.ANRTDeclaration)
	}

	var t textcheck.Text
	var ws []word
	var key []byte
	// keys adds the key of text (its words joined) and, when prefixes, the
	// keys of its leading words, the key without a leading article, and
	// its consonant skeleton.
	keys := func(bi int32, text string, names bool) {
		t.Reset(text)
		b := t.Bytes()
		ws = wordsOf(ws[:0], b)
		key = joinWords(key[:0], b, ws)
		d.addKey(d.exact, key, bi)
		if !names {
			return
		}
		if len(ws) > 1 && tables.classes[string(b[ws[0].s:ws[0].e])]&cFiller != 0 {
			// "La Mamounia" is also "Mamounia".
			key = joinWords(key[:0], b, ws[1:])
			d.addKey(d.exact, key, bi)
		}
		for k := 1; k < len(ws); k++ {
			key = joinWords(key[:0], b, ws[:k])
			if len([]rune(string(key))) >= 3 && !(k == 1 && tables.classes[string(key)]&cFiller != 0) {
				d.addKey(d.prefix, key, bi)
			}
		}
		key = skeletonOf(key[:0], b, ws)
		if len(key) >= minSkeleton {
			d.addKey(d.sound, key, bi)
		}
	}
	for i, a := range advs {
		keys(int32(i), d.brands[i].Name, true)
		keys(int32(i), a.ID, false)
	}
	for i, p := range provs {
		bi := int32(len(advs) + i)
		keys(bi, d.brands[bi].Name, true)
		keys(bi, p.ID, false)
	}
	senders := make([][]bawwab.SenderID, len(advs))
	for _, s := range r.SenderIDs {
		ai, ok := advIdx[s.AdvertiserID]
		if !ok {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: sender ID %q: unknown advertiser %q", s.Value, s.AdvertiserID)
		}
		if _, ok := provIdx[s.ProviderID]; !ok {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: sender ID %q: unknown provider %q", s.Value, s.ProviderID)
		}
		senders[ai] = append(senders[ai], s)
		keys(ai, s.Value, false)
	}
	for _, c := range r.Channels {
		code := digitsOf(c.Code)
		if code == "" {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: channel %q: no digits", c.Code)
		}
		if _, dup := d.channels[code]; dup {
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: duplicate channel %s", code)
		}
		info := channelInfo{ch: c, owner: -1}
		switch c.Scope {
		case bawwab.ChannelNational:
			if c.Purpose == bawwab.PurposeOptOut && (d.national == "" || code < d.national) {
				d.national = code
			}
		case bawwab.ChannelProvider:
			pi, ok := provIdx[c.ProviderID]
			if !ok {
				return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: channel %s: unknown provider %q", code, c.ProviderID)
			}
			info.owner = pi
		case bawwab.ChannelAdvertiser:
			ai, ok := advIdx[c.AdvertiserID]
			if !ok {
				return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: channel %s: unknown advertiser %q", code, c.AdvertiserID)
			}
			info.owner = ai
		default:
			return nil, bawwab.Errorf(bawwab.EINVALID, "build directory: channel %s: unknown scope %v", code, c.Scope)
		}
		d.channels[code] = info
		if info.owner >= 0 && c.Purpose == bawwab.PurposeOptOut {
			// "STOP 5050" to the national channel: the owner of 5050.
			d.addKey(d.exact, []byte(code), info.owner)
		}
	}
	for _, m := range []map[string][]int32{d.exact, d.prefix, d.sound} {
		for k, v := range m {
			sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
			m[k] = v
		}
	}
	for k, v := range d.exact {
		rs := []rune(k)
		if len(rs) < 4 || len(rs) > maxFuzzy {
			continue
		}
		for _, bi := range v {
			d.fuzzy = append(d.fuzzy, fuzzyKey{runes: rs, brand: bi})
		}
	}
	sort.Slice(d.fuzzy, func(i, j int) bool {
		a, b := d.fuzzy[i], d.fuzzy[j]
		if len(a.runes) != len(b.runes) {
			return len(a.runes) < len(b.runes)
		}
		if string(a.runes) != string(b.runes) {
			return string(a.runes) < string(b.runes)
		}
		return a.brand < b.brand
	})
	d.fuzzyMask = make([]uint64, len(d.fuzzy))
	d.fuzzyHist = make([]uint64, len(d.fuzzy))
	for i, f := range d.fuzzy {
		d.fuzzyMask[i], d.fuzzyHist[i] = runeMask(f.runes), runeHist(f.runes)
	}
	for n, i := 0, 0; n < len(d.fuzzyAt); n++ {
		for i < len(d.fuzzy) && len(d.fuzzy[i].runes) < n {
			i++
		}
		d.fuzzyAt[n] = int32(i)
	}
	for i := range advs {
		d.brands[i].Handle = d.handle(int32(i), senders[i])
	}
	for i := range provs {
		bi := int32(len(advs) + i)
		d.brands[bi].Handle = d.handle(bi, nil)
	}
	for i := range d.brands {
		d.brands[i].nameFR = frenchName(d.brands[i].Name, d.brands[i].Handle)
	}
	return d, nil
}

// frenchName is how French replies write a name: as it is when the GSM
// alphabet has all its letters; with the letters it lacks folded to their
// base letter ("Crêperie Fès" → "Creperie Fès"); or the handle when the
// name is written in another script ("مدارس الزيتون" → "ZITOUNEDU"). One
// letter outside the GSM alphabet would switch the whole French SMS to
// UCS-2 and halve what a part holds; the Arabic reply keeps the name.
func frenchName(name, handle string) string {
	if _, ucs2 := smsLength(name); !ucs2 {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if gsmWidth(r) > 0 {
			b.WriteRune(r)
			continue
		}
		f := textcheck.Normalize(string(r))
		switch {
		case f != "" && isASCII(f):
			if unicode.IsUpper(r) {
				f = strings.ToUpper(f)
			}
			b.WriteString(f)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return handle
		default:
			b.WriteByte(' ') // a symbol, an emoji
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// addKey records that key names brand bi.
func (d *Directory) addKey(m map[string][]int32, key []byte, bi int32) {
	if len(key) == 0 {
		return
	}
	v := m[string(key)]
	for _, x := range v {
		if x == bi {
			return
		}
	}
	m[string(key)] = append(v, bi)
}

// handle chooses what replies tell subscribers to write for brand bi: the
// first of its alphanumeric sender IDs (commercial ones first) as the
// phone shows it, else its identifier or its name in capitals (letters and
// digits only), whichever first resolves to it alone.
func (d *Directory) handle(bi int32, senders []bawwab.SenderID) string {
	sort.Slice(senders, func(i, j int) bool {
		a, b := senders[i], senders[j]
		if (a.Category == bawwab.CategoryCommercial) != (b.Category == bawwab.CategoryCommercial) {
			return a.Category == bawwab.CategoryCommercial
		}
		return a.Value < b.Value
	})
	type cand struct {
		s    string
		asIs bool // a sender ID, written as the phone shows it
	}
	var cands []cand
	for _, s := range senders {
		if strings.IndexFunc(s.Value, isLetterRune) >= 0 && isASCII(s.Value) && !strings.ContainsAny(s.Value, " \t") {
			cands = append(cands, cand{strings.ToUpper(s.Value), true})
		}
	}
	b := &d.brands[bi]
	if int(bi) < d.nAdv {
		cands = append(cands, cand{s: b.Name}, cand{s: b.Scope.ID})
	} else {
		cands = append(cands, cand{s: b.Scope.ID}, cand{s: b.Name})
	}
	var t textcheck.Text
	var ws []word
	var key []byte
	fallback := ""
	for _, c := range cands {
		t.Reset(c.s)
		ws = wordsOf(ws[:0], t.Bytes())
		key = joinWords(key[:0], t.Bytes(), ws)
		if len(key) == 0 || len(key) > 20 || !isASCII(string(key)) {
			continue
		}
		if fallback == "" {
			fallback = strings.ToUpper(string(key))
		}
		if v := d.preferAdvertisers(d.exact[string(key)]); len(v) == 1 && v[0] == bi {
			if c.asIs {
				return c.s
			}
			return strings.ToUpper(string(key))
		}
	}
	if fallback == "" {
		fallback = strings.ToUpper(b.Scope.ID)
	}
	return fallback // ambiguous whatever is written: the tests catch it
}

func isLetterRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
}

// joinWords appends the words ws of b, joined: the key of a brand.
func joinWords(dst, b []byte, ws []word) []byte {
	for _, w := range ws {
		dst = append(dst, b[w.s:w.e]...)
	}
	return dst
}

// digitsOf returns the ASCII digits of s: a short code as written in a
// destination address.
func digitsOf(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// runeMask is the set of the runes of rs, hashed to 64 bits. An edit
// adds at most one rune to the set and removes at most one, so two keys
// whose masks differ in more than 2k bits are more than k edits apart
// (a collision can only hide a difference).
func runeMask(rs []rune) uint64 {
	var m uint64
	for _, r := range rs {
		m |= 1 << (uint32(r) * 0x9E3779B1 >> 26)
	}
	return m
}

// runeHist counts the runes of rs in 16 buckets of 4 bits (saturating at
// 15). A substitution changes the counts by 2 in all, an insertion or a
// deletion by 1, a swap by 0: two keys whose counts differ by more than 2k
// in all are more than k edits apart.
func runeHist(rs []rune) uint64 {
	var h uint64
	for _, r := range rs {
		shift := uint32(r) * 0x9E3779B1 >> 28 * 4
		if h>>shift&15 < 15 {
			h += 1 << shift
		}
	}
	return h
}

// histDistance is the sum of the differences of two histograms' counts.
func histDistance(a, b uint64) int {
	n := 0
	for i := 0; i < 16; i++ {
		x, y := int(a&15), int(b&15)
		if x > y {
			n += x - y
		} else {
			n += y - x
		}
		a >>= 4
		b >>= 4
	}
	return n
}

// Channel returns the channel with the given code (its digits).
func (d *Directory) Channel(code string) (bawwab.Channel, error) {
	c, ok := d.channels[digitsOf(code)]
	if !ok {
		return bawwab.Channel{}, bawwab.Errorf(bawwab.ENOTFOUND, "no channel %q in the registry", code)
	}
	return c.ch, nil
}

// National returns the code of the national StopSMS channel ("" when the
// registry has none).
func (d *Directory) National() string { return d.national }

// Brands returns every brand of the directory: advertisers, then
// providers, each in the order of their identifiers.
func (d *Directory) Brands() []Brand {
	out := make([]Brand, len(d.brands))
	for i := range d.brands {
		out[i] = d.brands[i].Brand
	}
	return out
}

// String describes the directory's size, for logs.
func (d *Directory) String() string {
	return fmt.Sprintf("mo directory: %d advertisers, %d providers, %d channels, %d keys",
		d.nAdv, len(d.brands)-d.nAdv, len(d.channels), len(d.exact))
}

// popcount is the number of bits set.
func popcount(x uint64) int { return bits.OnesCount64(x) }
