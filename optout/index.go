package optout

import (
	"cmp"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/bawwab/bawwab"
)

// Handle is a scope interned in one Index: a small integer the hot path
// passes instead of a provider or advertiser ID. Handles are valid only
// for the Index that gave them (resolve them again after loading or
// rebuilding an index). The zero Handle is National.
type Handle uint32

// National is the handle of the national scope (STOP ALL). Passed as a
// provider or advertiser handle, it means "none": only the national list
// is checked.
const National Handle = 0

// Index answers "may this advertiser, carried by this provider, send to
// this number?" from the opposition register, in memory.
//
// Reads (Check, MaySend and the others) never lock and never allocate;
// any number of goroutines may call them while one writer applies changes.
// Writes (Apply, Handle, snapshots) are serialised by a mutex. A change is
// in force for every read that starts after Apply returns. Make an Index
// with New, Build or Load; the zero Index is not usable.
type Index struct {
	mu sync.Mutex // serialises writers; readers never take it

	// national is scopes[National], kept apart to spare the hot path two
	// loads.
	national *scope
	seq      atomic.Int64
	// scopes is indexed by Handle; its slices and the maps below are
	// replaced, never modified, once published.
	scopes  atomic.Pointer[[]*scope]
	handles atomic.Pointer[map[bawwab.Scope]Handle]
	// foreign maps a foreign E.164 number to its member value.
	foreign atomic.Pointer[map[string]uint32]
	// foreignNums[v-foreignBase] is the number of member value v. Written
	// under mu, append-only; read under mu.
	foreignNums []string
}

// scope is one scope's set of opposed numbers.
type scope struct {
	key  bawwab.Scope
	set  atomic.Pointer[bitmap]
	card atomic.Int64
}

// New returns an empty index at sequence 0.
func New() *Index {
	return assemble(0, []bawwab.Scope{bawwab.NationalScope}, [][]chunk{nil}, nil)
}

// assemble makes an index from its parts: scopes[0] must be national,
// chunks[i] the sorted, compacted chunks of scopes[i].
func assemble(seq int64, scopes []bawwab.Scope, chunks [][]chunk, foreignNums []string) *Index {
	ix := &Index{foreignNums: foreignNums}
	ix.seq.Store(seq)
	list := make([]*scope, len(scopes))
	handles := make(map[bawwab.Scope]Handle, len(scopes))
	for i, key := range scopes {
		s := &scope{key: key}
		s.set.Store(newBitmap(chunks[i]))
		var n int64
		for _, ch := range chunks[i] {
			n += int64(ch.c.n)
		}
		s.card.Store(n)
		list[i] = s
		handles[key] = Handle(i)
	}
	ix.scopes.Store(&list)
	ix.national = list[National]
	ix.handles.Store(&handles)
	foreign := make(map[string]uint32, len(foreignNums))
	for i, num := range foreignNums {
		foreign[num] = foreignBase + uint32(i)
	}
	ix.foreign.Store(&foreign)
	return ix
}

// Seq is the change sequence number of the last change the index reflects.
func (ix *Index) Seq() int64 { return ix.seq.Load() }

// Check tells whether the number nsn (a Moroccan national significant
// number, 612345678 for +212612345678) opposed a message of advertiser adv
// carried by provider prov: opposed is true when it opposed all commercial
// SMS, the provider or the advertiser, and by is the first of these scopes
// that it opposed, in that order. A value of nsn that is not 9 digits is
// not a national number: it is reported opposed (by National), so that a
// caller's mistake refuses instead of sending. Check never allocates.
func (ix *Index) Check(nsn uint32, adv, prov Handle) (by Handle, opposed bool) {
	if nsn-minNSN >= foreignBase-minNSN {
		return National, true
	}
	return ix.check(nsn, adv, prov)
}

// MaySend reports whether advertiser adv, carried by provider prov, may
// send a commercial SMS to the Moroccan number nsn: !opposed of Check, a
// little faster. It never allocates.
func (ix *Index) MaySend(nsn uint32, adv, prov Handle) bool {
	if nsn-minNSN >= foreignBase-minNSN {
		return false
	}
	return !ix.opposed(nsn, adv, prov)
}

// opposed is check without the order: it looks the number up in every
// scope and combines the answers without a branch on them, so that
// lookups of successive messages overlap in the processor instead of
// waiting on a mispredicted branch.
func (ix *Index) opposed(x uint32, adv, prov Handle) bool {
	// The national list's common case is bitmap.contains written out: a
	// call less is worth a fifth of a lookup.
	var hit uint8
	nat := ix.national.set.Load()
	if i := int(x>>16) - int(nat.base); nat.dense && uint(i) < uint(len(nat.slots)) {
		if w := nat.slots[i].words.Load(); w != nil {
			hit = b2u(w[uint16(x)>>6]&(1<<(x&63)) != 0)
		} else {
			hit = b2u(nat.contains(x))
		}
	} else {
		hit = b2u(nat.contains(x))
	}
	if adv|prov != National {
		sc := *ix.scopes.Load()
		if int(prov) < len(sc) {
			hit |= b2u(sc[prov].set.Load().contains(x))
		}
		if int(adv) < len(sc) {
			hit |= b2u(sc[adv].set.Load().contains(x))
		}
	}
	return hit != 0
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// CheckE164 is Check for a number in E.164 form ("+212612345678",
// "+33612345678"), Moroccan or foreign. A malformed number is reported
// opposed (by National): the msisdn package validates numbers before they
// get here, and a miss must refuse. It never allocates.
func (ix *Index) CheckE164(e164 string, adv, prov Handle) (by Handle, opposed bool) {
	nsn, foreign, ok := splitE164(e164)
	if !ok {
		return National, true
	}
	if !foreign {
		return ix.Check(nsn, adv, prov)
	}
	v, known := (*ix.foreign.Load())[e164]
	if !known {
		return National, false // never opposed anything
	}
	return ix.check(v, adv, prov)
}

// MaySendE164 is MaySend for a number in E.164 form, Moroccan or foreign.
func (ix *Index) MaySendE164(e164 string, adv, prov Handle) bool {
	_, opposed := ix.CheckE164(e164, adv, prov)
	return !opposed
}

// MaySendTo is the convenient, slower form of MaySendE164, with the
// provider's and advertiser's IDs. An ID the index has never seen has no
// oppositions; an empty ID means none. It never allocates.
func (ix *Index) MaySendTo(e164, advertiserID, providerID string) bool {
	adv, _ := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: advertiserID})
	prov, _ := ix.Lookup(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: providerID})
	return ix.MaySendE164(e164, adv, prov)
}

func (ix *Index) check(x uint32, adv, prov Handle) (Handle, bool) {
	if ix.national.set.Load().contains(x) {
		return National, true
	}
	if prov == National && adv == National {
		return National, false
	}
	sc := *ix.scopes.Load()
	if prov != National && int(prov) < len(sc) && sc[prov].set.Load().contains(x) {
		return prov, true
	}
	if adv != National && int(adv) < len(sc) && sc[adv].set.Load().contains(x) {
		return adv, true
	}
	return National, false
}

// Lookup returns the handle of a scope the index knows, without adding
// it. A scope it does not know has no oppositions: Lookup then returns
// National and false, and National checks only the national list. A
// provider or advertiser scope with an empty ID also resolves to National.
func (ix *Index) Lookup(s bawwab.Scope) (Handle, bool) {
	h, ok := (*ix.handles.Load())[s]
	return h, ok
}

// Handle returns the handle of a scope, adding the scope (with no
// oppositions) if the index does not know it yet, so that the gateway can
// resolve every provider and advertiser of the registry once and keep the
// handles. A provider or advertiser scope with an empty ID resolves to
// National.
func (ix *Index) Handle(s bawwab.Scope) (Handle, error) {
	if h, ok := ix.Lookup(s); ok {
		return h, nil
	}
	if s.Kind != bawwab.ScopeNational && s.ID == "" {
		return National, nil
	}
	if err := checkScope(s); err != nil {
		return 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.intern(s), nil
}

// Provider is Handle for a provider's scope.
func (ix *Index) Provider(id string) Handle {
	h, _ := ix.Handle(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: id})
	return h
}

// Advertiser is Handle for an advertiser's scope.
func (ix *Index) Advertiser(id string) Handle {
	h, _ := ix.Handle(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: id})
	return h
}

// Scope returns the scope of a handle.
func (ix *Index) Scope(h Handle) (bawwab.Scope, bool) {
	sc := *ix.scopes.Load()
	if int(h) >= len(sc) {
		return bawwab.Scope{}, false
	}
	return sc[h].key, true
}

// intern returns the handle of a valid scope, adding it if needed. The
// caller holds mu.
func (ix *Index) intern(s bawwab.Scope) Handle {
	handles := *ix.handles.Load()
	if h, ok := handles[s]; ok {
		return h
	}
	old := *ix.scopes.Load()
	h := Handle(len(old))
	sc := &scope{key: s}
	sc.set.Store(emptyBitmap)
	list := append(slices.Clip(old), sc)
	next := maps.Clone(handles)
	next[s] = h
	ix.scopes.Store(&list)
	ix.handles.Store(&next)
	return h
}

// checkScope reports whether s is a scope an opposition can have.
func checkScope(s bawwab.Scope) error {
	switch s.Kind {
	case bawwab.ScopeNational:
		if s.ID != "" {
			return bawwab.Errorf(bawwab.EINVALID, "national scope with an ID")
		}
	case bawwab.ScopeProvider, bawwab.ScopeAdvertiser:
		if s.ID == "" {
			return bawwab.Errorf(bawwab.EINVALID, "%s scope without an ID", kindName(s.Kind))
		}
	default:
		return bawwab.Errorf(bawwab.EINVALID, "unknown scope kind %d", s.Kind)
	}
	return nil
}

func kindName(k bawwab.ScopeKind) string {
	switch k {
	case bawwab.ScopeProvider:
		return "provider"
	case bawwab.ScopeAdvertiser:
		return "advertiser"
	}
	return "national"
}

// checkOpposition validates one change of the register and returns the
// member value of its number, or foreign with the E.164 number to intern.
func checkOpposition(op bawwab.Opposition) (x uint32, foreign bool, err error) {
	if op.Seq <= 0 {
		return 0, false, bawwab.Errorf(bawwab.EINVALID, "opposition with sequence %d: sequences start at 1", op.Seq)
	}
	if op.Action != bawwab.ActionStop && op.Action != bawwab.ActionStart {
		return 0, false, bawwab.Errorf(bawwab.EINVALID, "opposition %d: unknown action %d", op.Seq, op.Action)
	}
	if err := checkScope(op.Scope); err != nil {
		return 0, false, bawwab.Errorf(bawwab.EINVALID, "opposition %d: %s", op.Seq, bawwab.ErrorMessage(err))
	}
	// The number itself stays out of the message: it is personal data,
	// and errors end up in logs.
	nsn, foreign, ok := splitE164(op.MSISDN)
	if !ok {
		return 0, false, bawwab.Errorf(bawwab.EINVALID, "opposition %d: number is not in E.164 form (+212 and 9 digits for Morocco)", op.Seq)
	}
	return nsn, foreign, nil
}

// Apply brings one change of the register into force: a STOP adds the
// number to its scope's set, a START removes it. Changes must come in
// sequence order, each at least once: a change whose Seq is not above
// Seq() is already reflected (a catch-up overlapping the live feed) and is
// skipped, and Apply returns false. Delivering every change in order,
// without gaps, is the feed's job.
//
// Every read that starts after Apply returns sees the change. Apply copies
// the one container it changes (at most 8 KiB), so it is cheap enough for
// every STOP, but loading the whole register goes faster through Build.
func (ix *Index) Apply(op bawwab.Opposition) (bool, error) {
	x, foreign, err := checkOpposition(op)
	if err != nil {
		return false, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if op.Seq <= ix.seq.Load() {
		return false, nil
	}
	stop := op.Action == bawwab.ActionStop
	if foreign {
		v, known := (*ix.foreign.Load())[op.MSISDN]
		if !known && stop {
			if len(ix.foreignNums) >= maxForeign {
				return false, bawwab.Errorf(bawwab.EINTERNAL, "opposition %d: too many foreign numbers", op.Seq)
			}
			v = foreignBase + uint32(len(ix.foreignNums))
			ix.foreignNums = append(ix.foreignNums, op.MSISDN)
			next := maps.Clone(*ix.foreign.Load())
			next[op.MSISDN] = v
			ix.foreign.Store(&next)
			known = true
		}
		if !known { // START for a number that never stopped anything
			ix.seq.Store(op.Seq)
			return true, nil
		}
		x = v
	}
	var sc *scope
	if stop {
		h := ix.intern(op.Scope)
		sc = (*ix.scopes.Load())[h]
	} else if h, ok := ix.Lookup(op.Scope); ok {
		sc = (*ix.scopes.Load())[h]
	}
	if sc != nil && update(&sc.set, x, stop) {
		if stop {
			sc.card.Add(1)
		} else {
			sc.card.Add(-1)
		}
	}
	ix.seq.Store(op.Seq)
	return true, nil
}

// Scopes returns the scopes a number (E.164, Moroccan or foreign) opposed
// and has not lifted, national first, then providers and advertisers by
// ID: what `optout check` and the subscriber's page show.
func (ix *Index) Scopes(e164 string) ([]bawwab.Scope, error) {
	x, foreign, ok := splitE164(e164)
	if !ok {
		return nil, bawwab.Errorf(bawwab.EINVALID, "number is not in E.164 form (+212 and 9 digits for Morocco)")
	}
	if foreign {
		v, known := (*ix.foreign.Load())[e164]
		if !known {
			return nil, nil
		}
		x = v
	}
	var out []bawwab.Scope
	for _, sc := range *ix.scopes.Load() {
		if sc.set.Load().contains(x) {
			out = append(out, sc.key)
		}
	}
	slices.SortFunc(out, compareScopes)
	return out, nil
}

func compareScopes(a, b bawwab.Scope) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
}

// ScopeCount is the number of numbers in force in one scope.
type ScopeCount struct {
	Scope   bawwab.Scope
	Numbers int64
}

// Counts returns, for every scope the index knows (some with no number),
// how many numbers opposed it, national first, then providers and
// advertisers by ID: the metrics' view.
func (ix *Index) Counts() []ScopeCount {
	sc := *ix.scopes.Load()
	out := make([]ScopeCount, len(sc))
	for i, s := range sc {
		out[i] = ScopeCount{s.key, s.card.Load()}
	}
	slices.SortFunc(out, func(a, b ScopeCount) int { return compareScopes(a.Scope, b.Scope) })
	return out
}

// Count returns how many numbers opposed the scope of h.
func (ix *Index) Count(h Handle) int64 {
	sc := *ix.scopes.Load()
	if int(h) >= len(sc) {
		return 0
	}
	return sc[h].card.Load()
}

// Bytes estimates the heap the index holds, in bytes: the bitmaps and the
// foreign numbers (with their map), not the scope names.
func (ix *Index) Bytes() int64 {
	var n int64
	for _, sc := range *ix.scopes.Load() {
		n += int64(sc.set.Load().size())
	}
	for num := range *ix.foreign.Load() {
		n += int64(roundAlloc(len(num))) + 48 // the string, its map slot and its foreignNums entry
	}
	return n
}
