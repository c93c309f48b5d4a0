package optout

import (
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/bawwab/bawwab"
)

// Builder makes an Index from the whole register, read from the store in
// sequence order. It changes its sets in place (nothing reads them yet),
// so it is much faster than Apply for millions of changes. Its Add fits
// the store's callbacks:
//
//	b := optout.NewBuilder()
//	if err := store.EachOpposition(ctx, 0, b.Add); err != nil { ... }
//	ix := b.Index()
type Builder struct {
	seq     int64
	handles map[bawwab.Scope]Handle
	scopes  []bawwab.Scope
	sets    []*buildSet
	foreign map[string]uint32
	// last and lastHandle cache the last scope's handle: streams of the
	// same scope skip hashing its ID.
	last        bawwab.Scope
	lastHandle  Handle
	foreignNums []string
	done        bool
}

// NewBuilder returns a builder of an empty index.
func NewBuilder() *Builder {
	return &Builder{
		handles: map[bawwab.Scope]Handle{bawwab.NationalScope: National},
		scopes:  []bawwab.Scope{bawwab.NationalScope},
		sets:    []*buildSet{{}},
		foreign: map[string]uint32{},
	}
}

// Add applies one change of the register. Changes must come in strictly
// increasing sequence order: the state of a number in a scope is its last
// change there.
func (b *Builder) Add(op bawwab.Opposition) error {
	if b.done {
		return bawwab.Errorf(bawwab.EINTERNAL, "optout builder used after Index")
	}
	x, foreign, err := checkOpposition(op)
	if err != nil {
		return err
	}
	if op.Seq <= b.seq {
		return bawwab.Errorf(bawwab.EINVALID, "opposition %d after %d: changes must come in sequence order", op.Seq, b.seq)
	}
	b.seq = op.Seq
	stop := op.Action == bawwab.ActionStop
	if foreign {
		v, known := b.foreign[op.MSISDN]
		if !known {
			if !stop {
				return nil
			}
			if len(b.foreignNums) >= maxForeign {
				return bawwab.Errorf(bawwab.EINTERNAL, "opposition %d: too many foreign numbers", op.Seq)
			}
			v = foreignBase + uint32(len(b.foreignNums))
			b.foreignNums = append(b.foreignNums, op.MSISDN)
			b.foreign[op.MSISDN] = v
		}
		x = v
	}
	h, known := b.lastHandle, op.Scope == b.last
	if !known {
		h, known = b.handles[op.Scope]
	}
	if !known {
		if !stop {
			return nil
		}
		h = Handle(len(b.scopes))
		b.handles[op.Scope] = h
		b.scopes = append(b.scopes, op.Scope)
		b.sets = append(b.sets, &buildSet{})
	}
	b.last, b.lastHandle = op.Scope, h
	b.set(h, x, stop)
	return nil
}

// set makes x a member of the scope h's set, or not.
func (b *Builder) set(h Handle, x uint32, member bool) {
	set := b.sets[h]
	key, lo := uint16(x>>16), uint16(x)
	c := set.get(key)
	switch {
	case member && c == nil:
		set.put(key, &container{n: 1, arr: []uint16{lo}})
	case member:
		c.add(lo)
	case c != nil:
		if c.remove(lo) && c.n == 0 {
			set.put(key, nil)
		}
	}
}

// buildSet is a set being built: a map of chunks while it is small, then
// a directory of every chunk key (512 KiB), cheaper than the map's probing
// when a set gets millions of changes.
type buildSet struct {
	small map[uint16]*container
	big   []*container
}

const bigBuildSet = 1024 // chunks

func (s *buildSet) get(key uint16) *container {
	if s.big != nil {
		return s.big[key]
	}
	return s.small[key]
}

// put sets a chunk, or deletes it when c is nil.
func (s *buildSet) put(key uint16, c *container) {
	switch {
	case s.big != nil:
		s.big[key] = c
	case c == nil:
		delete(s.small, key)
	case len(s.small) >= bigBuildSet:
		s.big = make([]*container, 1<<16)
		for k, c := range s.small {
			s.big[k] = c
		}
		s.big[key] = c
		s.small = nil
	default:
		if s.small == nil {
			s.small = map[uint16]*container{}
		}
		s.small[key] = c
	}
}

// chunks returns the set's chunks in key order, compacted, and lets the
// set go.
func (s *buildSet) chunks() []chunk {
	var out []chunk
	if s.big != nil {
		for k, c := range s.big {
			if c != nil {
				out = append(out, chunk{uint16(k), c.compact()})
			}
		}
	} else {
		for _, k := range slices.Sorted(maps.Keys(s.small)) {
			out = append(out, chunk{k, s.small[k].compact()})
		}
	}
	*s = buildSet{}
	return out
}

// Index returns the index built, at the sequence of the last change added.
// The builder is spent.
func (b *Builder) Index() *Index {
	b.done = true
	chunks := make([][]chunk, len(b.sets))
	for i, set := range b.sets {
		chunks[i] = set.chunks()
	}
	return assemble(b.seq, b.scopes, chunks, b.foreignNums)
}

// Build makes an index from the register's changes, in sequence order, as
// the store's iterator yields them. It stops at the first error.
func Build(changes iter.Seq2[bawwab.Opposition, error]) (*Index, error) {
	b := NewBuilder()
	for op, err := range changes {
		if err != nil {
			return nil, fmt.Errorf("read oppositions: %w", err)
		}
		if err := b.Add(op); err != nil {
			return nil, fmt.Errorf("build opposition index: %w", err)
		}
	}
	return b.Index(), nil
}
