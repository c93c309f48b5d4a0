package optout

import (
	"math/bits"
	"slices"
	"sync/atomic"
	"unsafe"
)

// The set of numbers that opposed one scope is a compressed bitmap laid out
// like a roaring bitmap: a number's high 16 bits pick a chunk of 65,536
// numbers, and each chunk holds the low 16 bits, either as a sorted array
// (few members) or as a plain bitmap of 8 KiB (many).
//
// Three things differ from the roaring library's Bitmap, all for the
// gateway's reads:
//
//   - Published chunks are immutable and reached through atomic pointers: a
//     writer copies the one chunk it changes and swaps the pointer, so
//     readers never lock and never see a half-made change.
//   - Big sets have a dense directory indexed by the chunk key (no binary
//     search over keys), whose slots point straight at a bitmap's words.
//   - Chunks become bitmaps above 2,048 members instead of 4,096, so a
//     lookup in a big set is one cache miss instead of the dozen dependent
//     probes of a binary search over 4 KiB of array.

const (
	// arrayMax is the largest array chunk: one more member and the chunk
	// is a bitmap. 2,048 members fill 4 KiB, half a bitmap: memory spent
	// for a single cache miss per lookup.
	arrayMax = 2048
	// bitmapMin is the smallest bitmap chunk a START leaves: one member
	// less and it is an array again. The gap with arrayMax keeps a chunk
	// that STOPs and STARTs around the limit from changing kind (and
	// republishing its directory) at every change.
	bitmapMin   = 1536
	bitmapWords = 1 << 16 / 64
)

// container holds the members of one chunk, at least one, while a chunk
// is built or changes kind; published chunks are its bits or its arr.
type container struct {
	n    int32                // members
	arr  []uint16             // sorted members, when bits is nil
	bits *[bitmapWords]uint64 // one bit per number
	// packed is arr as published (packArray), when the container was
	// read from a published slot, so that a reshape need not copy it.
	packed *uint16
}

func (c *container) contains(lo uint16) bool {
	if c.bits != nil {
		return c.bits[lo>>6]&(1<<(lo&63)) != 0
	}
	return has16(c.arr, lo)
}

// has16 reports whether the sorted a holds v. The opposed numbers of a
// chunk are about uniform, so v's place is first guessed from its value,
// and searched for among the 64 members around the guess when they
// bracket v: a cache line or two instead of the half dozen dependent
// misses of a binary search over the whole array. Numbers that cluster
// only lose the guess, never the answer.
func has16(a []uint16, v uint16) bool {
	if n := len(a); n > 64 {
		g := int(v) * n >> 16
		lo, hi := max(g-32, 0), min(g+32, n-1)
		if a[lo] <= v && v <= a[hi] {
			a = a[lo : hi+1]
		}
	}
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
		if c.n-1 < bitmapMin {
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

// buildArrayMax is the largest array while building: an insertion moves
// half the array, so building 3,000 members one by one in an array of up
// to 2,048 would move 2 MB per chunk. Compact turns the bitmaps that end
// up small back into arrays.
const buildArrayMax = 256

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
	if len(c.arr) >= buildArrayMax {
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
// capacity otherwise. c must not be empty. (Live changes also keep bitmaps
// down to bitmapMin members.)
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

// bitmap is the set of one scope: chunk keys and their contents. Its
// shape (which keys it has slots for, and whether each slot is a bitmap or
// an array) never changes once published: a writer swaps the contents of
// a slot for new contents of the same kind, and publishes a new bitmap
// when a chunk appears or changes kind. A reader that loaded the bitmap
// therefore reads each slot through the one pointer of its kind.
type bitmap struct {
	// dense: slot k-base is chunk k, for every k in [base, base+slots);
	// empty chunks have empty array slots. The national list and other big
	// scopes are dense: finding the slot is a subtraction.
	dense bool
	base  uint16
	// keys, when not dense: the sorted chunk keys, keys[i] the key of slot
	// i. Small scopes (a few hundred numbers spread over the number space)
	// stay compact this way.
	keys  []uint16
	slots []slot
	// n[i] is the number of members of slot i. Only writers (holding the
	// index's mutex) touch it.
	n []int32
}

// slot is one chunk: its bitmap, or its members packed by packArray (nil
// when the chunk is empty).
type slot struct {
	words atomic.Pointer[[bitmapWords]uint64]
	arr   atomic.Pointer[uint16]
}

// packArray copies sorted members (1 to arrayMax of them) to a new array
// that starts with their count, so that a reader finds the count and the
// members in one allocation, through one pointer: a lookup in an array
// chunk then costs no cache miss for a slice header.
func packArray(vals []uint16) *uint16 {
	p := make([]uint16, len(vals)+1)
	p[0] = uint16(len(vals))
	copy(p[1:], vals)
	return &p[0]
}

// unpackArray returns the members of an array made by packArray.
func unpackArray(p *uint16) []uint16 {
	return unsafe.Slice(p, int(*p)+1)[1:]
}

// chunk is a container with its key, as the builders, the snapshot writer
// and reshapes pass them around.
type chunk struct {
	key uint16
	c   *container
}

var emptyBitmap = newBitmap(nil)

// newBitmap lays out chunks (sorted by key, none empty) as a bitmap,
// dense when the directory costs no more than a few slots per chunk.
func newBitmap(chunks []chunk) *bitmap {
	b := &bitmap{}
	slots := len(chunks)
	var lo int
	if len(chunks) > 0 {
		lo = int(chunks[0].key)
		span := int(chunks[len(chunks)-1].key) - lo + 1
		if span <= 4*len(chunks) || span <= 16 {
			b.dense, b.base, slots = true, uint16(lo), span
		}
	}
	if !b.dense {
		b.keys = make([]uint16, len(chunks))
	}
	b.slots = make([]slot, slots)
	b.n = make([]int32, slots)
	for i, ch := range chunks {
		if b.dense {
			i = int(ch.key) - lo
		} else {
			b.keys[i] = ch.key
		}
		b.n[i] = ch.c.n
		if ch.c.bits != nil {
			b.slots[i].words.Store(ch.c.bits)
		} else if ch.c.packed != nil {
			b.slots[i].arr.Store(ch.c.packed)
		} else {
			b.slots[i].arr.Store(packArray(ch.c.arr))
		}
	}
	return b
}

// slot returns the index of chunk key's slot, if the bitmap has one.
func (b *bitmap) slot(key uint16) (int, bool) {
	if b.dense {
		i := int(key) - int(b.base)
		return i, uint(i) < uint(len(b.slots))
	}
	i := search16(b.keys, key)
	return i, i < len(b.keys) && b.keys[i] == key
}

// contains is the hot path, written out so that the common case (a dense
// directory, a bitmap chunk) is a subtraction and two loads.
func (b *bitmap) contains(x uint32) bool {
	var i int
	if b.dense {
		i = int(x>>16) - int(b.base)
		if uint(i) >= uint(len(b.slots)) {
			return false
		}
	} else {
		var ok bool
		if i, ok = b.slot(uint16(x >> 16)); !ok {
			return false
		}
	}
	s := &b.slots[i]
	if w := s.words.Load(); w != nil {
		return w[uint16(x)>>6]&(1<<(x&63)) != 0
	}
	if a := s.arr.Load(); a != nil {
		return has16(unpackArray(a), uint16(x))
	}
	return false
}

// key returns the chunk key of slot i.
func (b *bitmap) key(i int) uint16 {
	if b.dense {
		return b.base + uint16(i)
	}
	return b.keys[i]
}

// chunks returns the bitmap's non-empty chunks in key order, as they are
// at the time of the call; the contents are immutable, so the result
// stays valid whatever writers do next. Only writers call it.
func (b *bitmap) chunks() []chunk {
	out := make([]chunk, 0, len(b.slots))
	for i := range b.slots {
		if c := b.container(i); c != nil {
			out = append(out, chunk{b.key(i), c})
		}
	}
	return out
}

// container returns the contents of slot i (nil if empty), for writers.
func (b *bitmap) container(i int) *container {
	if w := b.slots[i].words.Load(); w != nil {
		return &container{n: b.n[i], bits: w}
	}
	if a := b.slots[i].arr.Load(); a != nil {
		return &container{n: b.n[i], arr: unpackArray(a), packed: a}
	}
	return nil
}

// update makes x a member (or not) of the set published in p, copying only
// the chunk that changes, and reports whether the set changed. The caller
// serialises updates of p; readers may run at any time.
func update(p *atomic.Pointer[bitmap], x uint32, member bool) bool {
	b := p.Load()
	key, lo := uint16(x>>16), uint16(x)
	i, ok := b.slot(key)
	var old *container
	if ok {
		old = b.container(i)
	}
	var c *container
	if member {
		c = old.with(lo)
	} else {
		c = old.without(lo)
	}
	if c == old {
		return false
	}
	wasBits := old != nil && old.bits != nil
	switch {
	case ok && wasBits && c != nil && c.bits != nil:
		b.slots[i].words.Store(c.bits)
		b.n[i] = c.n
		return true
	case ok && !wasBits && c == nil:
		b.slots[i].arr.Store(nil)
		b.n[i] = 0
		return true
	case ok && !wasBits && c.bits == nil:
		b.slots[i].arr.Store(packArray(c.arr))
		b.n[i] = c.n
		return true
	}
	// A new chunk, or one that changes kind: publish a new bitmap (which
	// also drops the slots emptied since the last reshape).
	chunks := b.chunks()
	j, found := slices.BinarySearchFunc(chunks, key, func(ch chunk, k uint16) int { return int(ch.key) - int(k) })
	switch {
	case found && c == nil:
		chunks = slices.Delete(chunks, j, j+1)
	case found:
		chunks[j].c = c
	default:
		chunks = slices.Insert(chunks, j, chunk{key, c})
	}
	p.Store(newBitmap(chunks))
	return true
}

// size is the heap the bitmap holds, contents included, in bytes.
func (b *bitmap) size() int {
	n := 160 + roundAlloc(20*len(b.slots)) + roundAlloc(2*cap(b.keys))
	for i := range b.slots {
		if b.slots[i].words.Load() != nil {
			n += 8 * bitmapWords
		} else if a := b.slots[i].arr.Load(); a != nil {
			n += roundAlloc(2 * (int(*a) + 1))
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
