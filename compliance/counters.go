package compliance

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bawwab/bawwab/msisdn"
)

// MemCounters is the in-memory implementation of Counters for one gateway
// node: per local day, a count per recipient × advertiser, the recipient's
// total being the sum of its counts.
//
// It is built for millions of recipients a day. Each count is one 64-bit
// word in an open-addressing table with linear probing — the recipient's
// national number (30 bits), the advertiser's key (26 bits) and the count (8
// bits) — placed by the recipient's number alone, so that a recipient's few
// counts sit in one run of adjacent words and one scan of that run gives
// both the advertiser's count and the total. With the table's slack that is
// about 23 bytes per recipient of 1.5 advertisers a day, half what a Go map
// per (recipient, advertiser) plus one per recipient takes (see
// BenchmarkCounters). The tables are split in 256 shards by recipient, each
// under its own mutex, so that check-and-reserve is atomic for a recipient
// while different recipients proceed in parallel.
// A day's tables are dropped once the day after it is over (yesterday's stay
// so that a late Release still finds its slot); the days ahead that deferred
// messages count on stay too. Foreign recipients, rare, live in a Go map
// beside the table.
type MemCounters struct {
	mu   sync.Mutex // guards advs and next
	advs map[string]uint32
	next uint32

	// oldest is the oldest day kept: days before it are dropped as the
	// shards are visited.
	oldest atomic.Int32
	shards [capShards]capShard
}

const (
	capShards    = 256
	capNSNBits   = 30 // Moroccan national numbers are below 10^9 < 2^30
	capAdvBits   = 26
	capCountBits = 8
	maxAdvKey    = 1<<capAdvBits - 1
	capMinSlots  = 1024
)

type capShard struct {
	mu   sync.Mutex
	days []*dayCounts // a few days: yesterday, today, the days deferred messages go out
	_    [40]byte     // keep shards on separate cache lines
}

// dayCounts holds the counts of one local day in one shard.
type dayCounts struct {
	day     int32
	slots   []uint64 // key<<8 | count; 0 is an empty slot
	n       int      // slots in use
	foreign map[foreignKey]uint8
}

type foreignKey struct {
	cc  uint16
	lz  uint8
	nsn uint64
	adv uint32
}

// NewMemCounters returns empty counters.
func NewMemCounters() *MemCounters {
	return &MemCounters{advs: make(map[string]uint32)}
}

var _ Counters = (*MemCounters)(nil)

// AdvertiserKey implements Counters: keys are handed out in order from 1
// and never reused, so counts survive registry changes.
func (c *MemCounters) AdvertiserKey(id string) (uint32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.advs[id]; ok {
		return k, nil
	}
	if c.next == maxAdvKey {
		return 0, fmt.Errorf("frequency counters: more than %d advertisers", maxAdvKey)
	}
	c.next++
	c.advs[id] = c.next
	return c.next, nil
}

// Reserve implements Counters.
func (c *MemCounters) Reserve(r Reservation, today int32, perAdv, total int, force bool) bool {
	if r.Advertiser > maxAdvKey {
		r.Advertiser = 0
	}
	if today-1 > c.oldest.Load() {
		c.oldest.Store(today - 1) // a racing store of an older day only delays a drop
	}
	nsn, moroccan := r.Recipient.MoroccanNSN()
	s := &c.shards[shardOf(r.Recipient, nsn, moroccan)]
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.day(r.Day, c.oldest.Load(), true)
	if !moroccan {
		return d.reserveForeign(r, perAdv, total, force)
	}
	tc, ai := d.scan(nsn, r.Advertiser)
	within := (total == 0 || tc < total) && (r.Advertiser == 0 || perAdv == 0 || int(count(d.slots[ai])) < perAdv)
	if !within && !force {
		return false
	}
	d.bump(ai, capKey(nsn, r.Advertiser))
	d.grow()
	return within
}

// Release implements Counters.
func (c *MemCounters) Release(r Reservation) {
	if r.Recipient.IsZero() {
		return
	}
	if r.Advertiser > maxAdvKey {
		r.Advertiser = 0
	}
	nsn, moroccan := r.Recipient.MoroccanNSN()
	s := &c.shards[shardOf(r.Recipient, nsn, moroccan)]
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.day(r.Day, c.oldest.Load(), false)
	if d == nil {
		return
	}
	if !moroccan {
		d.releaseForeign(r)
		return
	}
	if _, i := d.scan(nsn, r.Advertiser); d.slots[i] != 0 && count(d.slots[i]) > 0 {
		d.slots[i]--
	}
}

// Count returns the counts of r's recipient on r's day: for r's advertiser
// (0 when r.Advertiser is 0) and in all. For tests and the console.
func (c *MemCounters) Count(r Reservation) (adv, total int) {
	nsn, moroccan := r.Recipient.MoroccanNSN()
	s := &c.shards[shardOf(r.Recipient, nsn, moroccan)]
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.day(r.Day, c.oldest.Load(), false)
	if d == nil {
		return 0, 0
	}
	if !moroccan {
		if r.Advertiser != 0 {
			adv = int(d.foreign[foreignKeyOf(r, r.Advertiser)])
		}
		return adv, int(d.foreign[foreignKeyOf(r, 0)])
	}
	total, i := d.scan(nsn, r.Advertiser)
	if r.Advertiser != 0 {
		adv = int(count(d.slots[i]))
	}
	return adv, total
}

// Bytes returns the memory the counts take, in bytes (the tables, not the
// few foreign recipients' maps).
func (c *MemCounters) Bytes() int64 {
	var n int64
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, d := range s.days {
			n += int64(len(d.slots)) * 8
		}
		s.mu.Unlock()
	}
	return n
}

// Days returns the local days the counters hold, for tests and metrics.
func (c *MemCounters) Days() []int32 {
	seen := map[int32]bool{}
	var days []int32
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for _, d := range s.days {
			if d.day >= c.oldest.Load() && !seen[d.day] {
				seen[d.day] = true
				days = append(days, d.day)
			}
		}
		s.mu.Unlock()
	}
	return days
}

func shardOf(n msisdn.Number, nsn uint32, moroccan bool) int {
	v := uint64(nsn)
	if !moroccan {
		v = n.NationalNumber()
	}
	return int((v * 0x9E3779B97F4A7C15) >> (64 - 8))
}

// day returns the counts of day, dropping the days before oldest; with
// create, a missing day is made.
func (s *capShard) day(day, oldest int32, create bool) *dayCounts {
	var found *dayCounts
	kept := s.days[:0]
	for _, d := range s.days {
		if d.day < oldest {
			continue
		}
		kept = append(kept, d)
		if d.day == day {
			found = d
		}
	}
	clear(s.days[len(kept):])
	s.days = kept
	if found == nil && create {
		found = &dayCounts{day: day, slots: make([]uint64, capMinSlots)}
		s.days = append(s.days, found)
	}
	return found
}

func capKey(nsn uint32, adv uint32) uint64 {
	return uint64(nsn)<<capAdvBits | uint64(adv)
}

func count(slot uint64) uint8 { return uint8(slot) }

// slotOf is where the run of a recipient's counts starts.
func (d *dayCounts) slotOf(nsn uint32) int {
	return int((uint64(nsn)*0xC2B2AE3D27D4EB4F)>>32) & (len(d.slots) - 1)
}

// scan reads the run of slots from nsn's place to the first empty one:
// linear probing leaves every count of nsn in it. It returns nsn's total
// and the slot of adv's count, or the empty slot where it goes.
func (d *dayCounts) scan(nsn uint32, adv uint32) (total, slot int) {
	mask := len(d.slots) - 1
	want := uint64(nsn)
	key := capKey(nsn, adv)
	slot = -1
	for i := d.slotOf(nsn); ; i = (i + 1) & mask {
		s := d.slots[i]
		if s == 0 {
			if slot < 0 {
				slot = i
			}
			return total, slot
		}
		if s>>(capCountBits+capAdvBits) == want {
			total += int(count(s))
			if s>>capCountBits == key {
				slot = i
			}
		}
	}
}

// bump adds one to the count in slot i (key's slot), saturating.
func (d *dayCounts) bump(i int, key uint64) {
	s := d.slots[i]
	if s == 0 {
		d.slots[i] = key<<capCountBits | 1
		d.n++
		return
	}
	if count(s) < 0xff {
		d.slots[i] = s + 1
	}
}

// grow doubles the table when it is three quarters full. Counts are never
// removed within a day (a released count stays, at zero), so the runs need
// no tombstones.
func (d *dayCounts) grow() {
	if d.n*4 < len(d.slots)*3 {
		return
	}
	old := d.slots
	d.slots = make([]uint64, 2*len(old))
	mask := len(d.slots) - 1
	for _, s := range old {
		if s == 0 {
			continue
		}
		i := d.slotOf(uint32(s >> (capCountBits + capAdvBits)))
		for d.slots[i] != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = s
	}
}

func foreignKeyOf(r Reservation, adv uint32) foreignKey {
	return foreignKey{
		cc:  uint16(r.Recipient.CountryCode()),
		lz:  uint8(r.Recipient.LeadingZeros()),
		nsn: r.Recipient.NationalNumber(),
		adv: adv,
	}
}

func (d *dayCounts) reserveForeign(r Reservation, perAdv, total int, force bool) bool {
	if d.foreign == nil {
		d.foreign = make(map[foreignKey]uint8)
	}
	tk := foreignKeyOf(r, 0)
	within := total == 0 || int(d.foreign[tk]) < total
	ak := foreignKeyOf(r, r.Advertiser)
	if r.Advertiser != 0 && perAdv != 0 && int(d.foreign[ak]) >= perAdv {
		within = false
	}
	if !within && !force {
		return false
	}
	if d.foreign[tk] < 0xff {
		d.foreign[tk]++
	}
	if r.Advertiser != 0 && d.foreign[ak] < 0xff {
		d.foreign[ak]++
	}
	return within
}

func (d *dayCounts) releaseForeign(r Reservation) {
	for _, k := range [2]foreignKey{foreignKeyOf(r, 0), foreignKeyOf(r, r.Advertiser)} {
		if d.foreign[k] > 0 {
			d.foreign[k]--
		}
		if r.Advertiser == 0 {
			break
		}
	}
}
