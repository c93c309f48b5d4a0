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
	seq         int64
	handles     map[bawwab.Scope]Handle
	scopes      []bawwab.Scope
	sets        []map[uint16]*container
	foreign     map[string]uint32
	foreignNums []string
	done        bool
}

// NewBuilder returns a builder of an empty index.
func NewBuilder() *Builder {
	return &Builder{
		handles: map[bawwab.Scope]Handle{bawwab.NationalScope: National},
		scopes:  []bawwab.Scope{bawwab.NationalScope},
		sets:    []map[uint16]*container{{}},
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
	h, known := b.handles[op.Scope]
	if !known {
		if !stop {
			return nil
		}
		h = Handle(len(b.scopes))
		b.handles[op.Scope] = h
		b.scopes = append(b.scopes, op.Scope)
		b.sets = append(b.sets, map[uint16]*container{})
	}
	b.set(h, x, stop)
	return nil
}

// set makes x a member of the scope h's set, or not.
func (b *Builder) set(h Handle, x uint32, member bool) {
	set := b.sets[h]
	key, lo := uint16(x>>16), uint16(x)
	c := set[key]
	switch {
	case member && c == nil:
		set[key] = &container{n: 1, arr: []uint16{lo}}
	case member:
		c.add(lo)
	case c != nil:
		if c.remove(lo) && c.n == 0 {
			delete(set, key)
		}
	}
}

// Index returns the index built, at the sequence of the last change added.
// The builder is spent.
func (b *Builder) Index() *Index {
	b.done = true
	chunks := make([][]chunk, len(b.sets))
	for i, set := range b.sets {
		keys := slices.Sorted(maps.Keys(set))
		chunks[i] = make([]chunk, len(keys))
		for j, k := range keys {
			chunks[i][j] = chunk{k, set[k].compact()}
		}
		b.sets[i] = nil // let the in-place containers go as we go
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
