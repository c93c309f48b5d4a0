package optout

import (
	"math/bits"
	"slices"
	"sync/atomic"
)

// The set of numbers that opposed one scope is a compressed bitmap laid out
// like a roaring bitmap: a number's high 16 bits pick a chunk of 65,536
// numbers, and each chunk is a container holding the low 16 bits, either as
// a sorted array (few members) or as a plain bitmap of 8 KiB (many).
//
// Two things differ from the roaring library's Bitmap, and both are there
// for the gateway's reads:
//
//   - Published containers are immutable and reached through atomic
//     pointers: a writer copies the one container it changes and swaps the
//     pointer, so readers never lock and never see a half-made change.
//   - Lookups are short: a dense directory indexed by the chunk key (no
//     binary search over keys) and an early switch to bitmaps (above 2,048
//     members instead of 4,096), so a lookup costs about one cache miss
//     instead of the dozen dependent probes of a binary search over 4 KiB.

const (
	// arrayMax is the largest array container: more members and the chunk
	// is a bitmap. 2,048 members fill 4 KiB, half a bitmap: memory for a
	// single cache miss per lookup.
	arrayMax    = 2048
	bitmapWords = 1 << 16 / 64
)

// container holds the members of one chunk, at least one. A container
// reachable by readers is never modified.
type container struct {
	n    int32                // members
	arr  []uint16             // sorted members, when bits is nil
	bits *[bitmapWords]uint64 // one bit per number, when n > arrayMax
}

func (c *container) contains(lo uint16) bool {
	if c.bits != nil {
		return c.bits[lo>>6]&(1<<(lo&63)) != 0
	}
	return has16(c.arr, lo)
}

// has16 reports whether the sorted a holds v.
func has16(a []uint16, v uint16) bool {
	i := search16(a, v)
	return i < len(a) && a[i] == v
}

// search16 returns the index of the last element of the sorted a not
// above v (0 if there is none; len(a) if a is empty). The loop has no
// branch on the data: on random lookups a mispredicted branch per step
// costs more than the steps themselves.
func search16(a []uint16, v uint16) int {
	n := len(a)
	if n == 0 {
		return 0
	}
	base := 0
	for n > 1 {
		half := n >> 1
		// gt is all ones when a[base+half] > v, else zero.
		gt := (int(v) - int(a[base+half])) >> 63
		base += half &^ gt
		n -= half
	}
	return base
}

// with returns a container holding c's members and lo: c itself when lo is
// already a member, a new container otherwise. c may be nil.
func (c *container) with(lo uint16) *container {
	if c == nil {
		return &container{n: 1, arr: []uint16{lo}}
	}
	if c.bits != nil {
		w, m := lo>>6, uint64(1)<<(lo&63)
		if c.bits[w]&m != 0 {
			return c
		}
		b := new([bitmapWords]uint64)
		*b = *c.bits
		b[w] |= m
		return &container{n: c.n + 1, bits: b}
	}
	i, found := slices.BinarySearch(c.arr, lo)
	if found {
		return c
	}
	if len(c.arr) == arrayMax {
		b := arrayToBits(c.arr)
		b[lo>>6] |= 1 << (lo & 63)
		return &container{n: c.n + 1, bits: b}
	}
	a := make([]uint16, len(c.arr)+1)
	copy(a, c.arr[:i])
	a[i] = lo
	copy(a[i+1:], c.arr[i:])
	return &container{n: c.n + 1, arr: a}
}

// without returns a container holding c's members but lo: c itself when lo
// is not a member, nil when lo was the last one.
func (c *container) without(lo uint16) *container {
	if c == nil || !c.contains(lo) {
		return c
	}
	if c.n == 1 {
		return nil
	}
	if c.bits != nil {
		if c.n-1 <= arrayMax {
			a := bitsToArray(c.bits, int(c.n))
			i, _ := slices.BinarySearch(a, lo)
			return &container{n: c.n - 1, arr: slices.Delete(a, i, i+1)}
		}
		b := new([bitmapWords]uint64)
		*b = *c.bits
		b[lo>>6] &^= 1 << (lo & 63)
		return &container{n: c.n - 1, bits: b}
	}
	i, _ := slices.BinarySearch(c.arr, lo)
	a := make([]uint16, 0, len(c.arr)-1)
	a = append(append(a, c.arr[:i]...), c.arr[i+1:]...)
	return &container{n: c.n - 1, arr: a}
}

// add and remove change a container in place: only for containers no reader
// can reach yet (while building an index). They report whether the
// container changed. A container built this way needs compact before it is
// published.
func (c *container) add(lo uint16) bool {
	if c.bits != nil {
		w, m := lo>>6, uint64(1)<<(lo&63)
		if c.bits[w]&m != 0 {
			return false
		}
		c.bits[w] |= m
		c.n++
		return true
	}
	i, found := slices.BinarySearch(c.arr, lo)
	if found {
		return false
	}
	if len(c.arr) == arrayMax {
		c.bits = arrayToBits(c.arr)
		c.bits[lo>>6] |= 1 << (lo & 63)
		c.arr = nil
	} else {
		c.arr = slices.Insert(c.arr, i, lo)
	}
	c.n++
	return true
}

func (c *container) remove(lo uint16) bool {
	if c.bits != nil {
		w, m := lo>>6, uint64(1)<<(lo&63)
		if c.bits[w]&m == 0 {
			return false
		}
		c.bits[w] &^= m
		c.n--
		return true
	}
	i, found := slices.BinarySearch(c.arr, lo)
	if !found {
		return false
	}
	c.arr = slices.Delete(c.arr, i, i+1)
	c.n--
	return true
}

// compact returns c in its canonical form, ready to publish: a bitmap
// exactly when it has more than arrayMax members, an array without spare
// capacity otherwise. c must not be empty.
func (c *container) compact() *container {
	if c.bits != nil {
		if c.n > arrayMax {
			return c
		}
		return &container{n: c.n, arr: bitsToArray(c.bits, int(c.n))}
	}
	if len(c.arr) > arrayMax {
		return &container{n: c.n, bits: arrayToBits(c.arr)}
	}
	if cap(c.arr) != len(c.arr) {
		return &container{n: c.n, arr: exactCopy(c.arr)}
	}
	return c
}

// exactCopy copies a without spare capacity (slices.Clone rounds it up to
// the allocator's size class, and the spare slots would never be used).
func exactCopy(a []uint16) []uint16 {
	b := make([]uint16, len(a))
	copy(b, a)
	return b
}

// fromSorted makes a canonical container from strictly increasing low
// halves (at least one); it does not keep vals.
func fromSorted(vals []uint16) *container {
	if len(vals) > arrayMax {
		return &container{n: int32(len(vals)), bits: arrayToBits(vals)}
	}
	return &container{n: int32(len(vals)), arr: exactCopy(vals)}
}

// appendTo appends the container's members, with hi as their high half, to
// dst in increasing order.
func (c *container) appendTo(dst []uint32, hi uint16) []uint32 {
	h := uint32(hi) << 16
	if c.bits == nil {
		for _, v := range c.arr {
			dst = append(dst, h|uint32(v))
		}
		return dst
	}
	for w, word := range c.bits {
		for word != 0 {
			dst = append(dst, h|uint32(w<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return dst
}

// size is the heap the container holds, in bytes, rounded as the allocator
// rounds it.
func (c *container) size() int {
	n := 48 // the struct, in its size class
	if c.bits != nil {
		return n + 8*bitmapWords
	}
	return n + roundAlloc(2*cap(c.arr))
}

func arrayToBits(a []uint16) *[bitmapWords]uint64 {
	b := new([bitmapWords]uint64)
	for _, v := range a {
		b[v>>6] |= 1 << (v & 63)
	}
	return b
}

func bitsToArray(b *[bitmapWords]uint64, n int) []uint16 {
	a := make([]uint16, 0, n)
	for w, word := range b {
		for word != 0 {
			a = append(a, uint16(w<<6+bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	return a
}

// bitmap is the set of one scope: chunk keys and their containers. Its
// shape (which keys it has slots for) never changes once published; a
// writer swaps containers in existing slots, and publishes a new bitmap
// when a new chunk appears.
type bitmap struct {
	// dense: conts[k-base] is the slot of chunk k, for every k in
	// [base, base+len(conts)); empty chunks have a nil container. The
	// national list and other big scopes are dense: a lookup is one index.
	dense bool
	base  uint16
	// keys, when not dense: the sorted chunk keys, keys[i] the key of
	// conts[i]. Small scopes (a few hundred numbers spread over the number
	// space) stay compact this way.
	keys  []uint16
	conts []atomic.Pointer[container]
}

// chunk is a container with its key, as the builders and the snapshot
// writer pass them around.
type chunk struct {
	key uint16
	c   *container
}

var emptyBitmap = newBitmap(nil)

// newBitmap lays out chunks (sorted by key, no nil container) as a bitmap,
// dense when the directory costs no more than a few pointers per chunk.
func newBitmap(chunks []chunk) *bitmap {
	b := &bitmap{conts: make([]atomic.Pointer[container], 0)}
	if len(chunks) == 0 {
		return b
	}
	lo, hi := int(chunks[0].key), int(chunks[len(chunks)-1].key)
	span := hi - lo + 1
	if span <= 4*len(chunks) || span <= 16 {
		b.dense, b.base = true, uint16(lo)
		b.conts = make([]atomic.Pointer[container], span)
		for _, ch := range chunks {
			b.conts[int(ch.key)-lo].Store(ch.c)
		}
		return b
	}
	b.keys = make([]uint16, len(chunks))
	b.conts = make([]atomic.Pointer[container], len(chunks))
	for i, ch := range chunks {
		b.keys[i] = ch.key
		b.conts[i].Store(ch.c)
	}
	return b
}

// slot returns the index in conts of chunk key, if the bitmap has a slot
// for it.
func (b *bitmap) slot(key uint16) (int, bool) {
	if b.dense {
		i := int(key) - int(b.base)
		return i, uint(i) < uint(len(b.conts))
	}
	i := search16(b.keys, key)
	return i, i < len(b.keys) && b.keys[i] == key
}

// contains is the hot path: written out by hand so that the common case
// (a dense directory, a bitmap container) makes no call.
func (b *bitmap) contains(x uint32) bool {
	var c *container
	if b.dense {
		i := int(x>>16) - int(b.base)
		if uint(i) >= uint(len(b.conts)) {
			return false
		}
		c = b.conts[i].Load()
	} else {
		i, ok := b.slot(uint16(x >> 16))
		if !ok {
			return false
		}
		c = b.conts[i].Load()
	}
	if c == nil {
		return false
	}
	if c.bits != nil {
		return c.bits[uint16(x)>>6]&(1<<(x&63)) != 0
	}
	return has16(c.arr, uint16(x))
}

// chunks returns the bitmap's non-empty chunks in key order, as they are
// at the time of the call; the containers are immutable, so the result
// stays valid whatever writers do next.
func (b *bitmap) chunks() []chunk {
	out := make([]chunk, 0, len(b.conts))
	for i := range b.conts {
		c := b.conts[i].Load()
		if c == nil {
			continue
		}
		key := b.base + uint16(i)
		if !b.dense {
			key = b.keys[i]
		}
		out = append(out, chunk{key, c})
	}
	return out
}

// update makes x a member (or not) of the set published in p, copying only
// the container that changes, and reports whether the set changed. The
// caller serialises updates of p; readers may run at any time.
func update(p *atomic.Pointer[bitmap], x uint32, member bool) bool {
	b := p.Load()
	key, lo := uint16(x>>16), uint16(x)
	if i, ok := b.slot(key); ok {
		old := b.conts[i].Load()
		var c *container
		if member {
			c = old.with(lo)
		} else {
			c = old.without(lo)
		}
		if c == old {
			return false
		}
		b.conts[i].Store(c)
		return true
	}
	if !member {
		return false
	}
	// A new chunk: publish a new bitmap with a slot for it (and without
	// the slots emptied since the last reshape).
	chunks := b.chunks()
	i, _ := slices.BinarySearchFunc(chunks, key, func(ch chunk, k uint16) int { return int(ch.key) - int(k) })
	chunks = slices.Insert(chunks, i, chunk{key, (*container)(nil).with(lo)})
	p.Store(newBitmap(chunks))
	return true
}

// size is the heap the bitmap holds, containers included, in bytes.
func (b *bitmap) size() int {
	n := 96 + roundAlloc(8*cap(b.conts)) + roundAlloc(2*cap(b.keys))
	for i := range b.conts {
		if c := b.conts[i].Load(); c != nil {
			n += c.size()
		}
	}
	return n
}

// roundAlloc approximates the allocator's size classes: the size rounded
// up to a multiple of 16, or of 8 KiB pages above 32 KiB.
func roundAlloc(n int) int {
	if n == 0 {
		return 0
	}
	if n > 32<<10 {
		return (n + 8191) &^ 8191
	}
	return (n + 15) &^ 15
}
