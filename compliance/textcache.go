package compliance

import (
	"hash/maphash"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/bawwab/bawwab/textcheck"
)

// textCache keeps the text checker's verdicts on the texts seen more than
// once, for a campaign's text that goes to many recipients: after its
// second message, the verdict is read back instead of recomputed.
//
// The verdict depends on nothing but the checker's Input: the exact text,
// the sender ID, the category, the sender's opt-out channels and the
// national code. An entry keeps all of them and a hit compares all of them,
// the text byte for byte, so the hash (maphash, seeded at random for each
// cache) only places entries and a collision can cost a miss, never a wrong
// verdict. The national code and the channels come from the view: a cache
// belongs to one view (state.texts), and is dropped with it, so channels
// are compared by identity (the view's slices never change).
//
// It is bounded: textCacheSlots entries, in buckets of two slots (a newer
// text takes an empty slot of its bucket, or one of the two older texts'),
// of texts up to maxCachedText bytes. It is safe
// for concurrent use without locks: an entry is immutable once published
// through its slot's atomic pointer. A hit does not allocate. To keep texts
// seen once — most of a stream of personalised messages — from churning
// the cache and allocating, a miss only notes the text's hash in the
// Decider's own seenTexts; the entry is made at the second miss of the
// same hash in one Decider. The notes are the Decider's, in plain memory,
// because an atomic store to a shared table on every new text is a memory
// fence, which costs a decision more (about 200 ns measured) than the rest
// of the cache; a note lost or stale only delays an entry.
type textCache struct {
	seed  maphash.Seed
	slots [textCacheSlots]atomic.Pointer[textEntry]
}

// seenTexts are the hashes of the texts a Decider checked, by bucket.
type seenTexts [seenSlots]uint64

const seenSlots = 1024 // a power of two

const (
	textCacheSlots = 4096 // a power of two
	// maxCachedText bounds an entry: six parts of a concatenated SMS in
	// UCS-2 are 804 bytes of UTF-8 for Arabic; plain GSM texts are shorter.
	maxCachedText = 2048
)

type textEntry struct {
	hash     uint64
	text     string
	sender   string
	category textcheck.Category
	channels *textcheck.Channel // the view's slice: compared by identity
	nchan    int
	result   textcheck.Result
}

func newTextCache() *textCache {
	return &textCache{seed: maphash.MakeSeed()}
}

// hash places in the cache. It covers what varies from text to text (the
// text, the sender, the category, the channels); the national code is the
// view's, the same for the cache's life.
func (c *textCache) hash(in *textcheck.Input) uint64 {
	// The sender ID is short (11 characters, or a number): folded in
	// here rather than hashed by a second call.
	k := uint64(uintptr(unsafe.Pointer(unsafe.SliceData(in.Channels)))) + uint64(len(in.Channels))<<8 + uint64(in.Category)
	for i := 0; i < len(in.Sender); i++ {
		k = (k ^ uint64(in.Sender[i])) * 0x100000001B3
	}
	return maphash.String(c.seed, in.Text) ^ k*0x9E3779B97F4A7C15
}

// bucket returns the first of the two slots where h goes.
func (c *textCache) bucket(h uint64) int { return int(h>>32) & (textCacheSlots - 2) }

// get returns the verdict on in when the cache holds it.
func (c *textCache) get(in *textcheck.Input, h uint64, r *textcheck.Result) bool {
	b := c.bucket(h)
	e := c.slots[b].Load()
	if e == nil || e.hash != h {
		if e = c.slots[b+1].Load(); e == nil || e.hash != h {
			return false
		}
	}
	if e.category != in.Category || e.nchan != len(in.Channels) ||
		e.channels != unsafe.SliceData(in.Channels) || e.text != in.Text || e.sender != in.Sender {
		return false
	}
	*r = e.result
	return true
}

// free returns the slot of bucket b that a new hash h takes: an empty
// one, or one chosen by h.
func free(b int, h uint64, empty func(int) bool) int {
	switch {
	case empty(b):
		return b
	case empty(b + 1):
		return b + 1
	}
	return b + int(h>>16&1)
}

// put records the verdict r on in after a miss: it makes an entry at the
// second miss of the same hash in seen, and only notes the hash at the
// first.
func (c *textCache) put(seen *seenTexts, in *textcheck.Input, h uint64, r *textcheck.Result) {
	if len(in.Text) > maxCachedText {
		return
	}
	if sb := int(h>>32) & (seenSlots - 2); seen[sb] != h && seen[sb+1] != h {
		seen[free(sb, h, func(i int) bool { return seen[i] == 0 })] = h
		return
	}
	b := c.bucket(h)
	c.slots[free(b, h, func(i int) bool { return c.slots[i].Load() == nil })].Store(&textEntry{
		hash: h,
		// Copies: the entry must not keep a caller's buffer alive, nor
		// depend on it staying as it is.
		text:     strings.Clone(in.Text),
		sender:   strings.Clone(in.Sender),
		category: in.Category,
		channels: unsafe.SliceData(in.Channels),
		nchan:    len(in.Channels),
		result:   *r,
	})
}
