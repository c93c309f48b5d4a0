package smpp

import (
	"container/list"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Reasons a Reassembler drops a partial message.
var (
	ErrReassemblyTimeout = errors.New("smpp: parts missing after the reassembly timeout")
	ErrReassemblyFull    = errors.New("smpp: reassembly memory bound reached")
	ErrDuplicatePart     = errors.New("smpp: part received twice")
	ErrPartTooLarge      = errors.New("smpp: part larger than the reassembly memory bound")
)

// ReassemblerOptions configure a Reassembler.
type ReassemblerOptions struct {
	// Timeout is how long the parts of a message wait for the others
	// (default one minute).
	Timeout time.Duration
	// MaxBytes bounds the memory held by partial messages (default 1 MiB);
	// past it, the oldest partial messages are dropped. Each part counts its
	// user data plus 64 octets.
	MaxBytes int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnDrop, if set, is called with each partial message dropped, outside
	// the Reassembler's lock.
	OnDrop func(Dropped)
}

// Message is a message put back together from its parts.
type Message struct {
	Concat     Concat // Kind, Ref, Total of the parts; zero for a one-part message
	Source     string
	Dest       string
	DataCoding DataCoding // of the first part
	// Data is the user data of the parts in order, UDH removed. For a
	// one-part message it is a sub-slice of the PDU.
	Data []byte
	// Values holds the value given to Add with each part, in part order.
	Values []any
}

// Text decodes Data following DataCoding.
func (m *Message) Text() (string, error) { return DecodeText(m.DataCoding, m.Data) }

// Dropped is a partial message a Reassembler gave up on, with the values of
// the parts it had (nil for the parts it had not).
type Dropped struct {
	Concat Concat
	Source string
	Dest   string
	Values []any
	Reason error // ErrReassemblyTimeout, ErrReassemblyFull or ErrDuplicatePart
}

// Reassembler puts the parts of long messages back together, for content
// inspection: it copies their user data and never changes the PDUs, which
// are forwarded as they came. Parts are matched on the kind of
// concatenation, reference, total, source and destination. Use one per bind
// so a provider's memory bound is its own; it is safe for concurrent use.
type Reassembler struct {
	opts    ReassemblerOptions
	mu      sync.Mutex
	partial map[partKey]*partial
	order   list.List // of *partial, oldest first
	bytes   int
}

type partKey struct {
	kind     ConcatKind
	ref      uint16
	total    uint8
	src, dst string
}

type partial struct {
	key     partKey
	created time.Time
	dc      DataCoding
	parts   [][]byte
	values  []any
	have    int
	size    int
	elem    *list.Element
}

const partOverhead = 64

// NewReassembler returns a Reassembler with opts.
func NewReassembler(opts ReassemblerOptions) *Reassembler {
	if opts.Timeout <= 0 {
		opts.Timeout = time.Minute
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 20
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Reassembler{opts: opts, partial: map[partKey]*partial{}}
}

// Add adds a message PDU (submit_sm, deliver_sm, data_sm) and the caller's
// value for it. It returns the whole message and true when p completes one
// (at once for a message in one part), or false while parts are missing.
// Concatenation information that cannot be right is an error wrapping
// ErrBadConcat.
func (r *Reassembler) Add(p *PDU, value any) (*Message, bool, error) {
	c, ok, err := p.Concat()
	if err != nil {
		return nil, false, err
	}
	_, ud, err := p.UserData()
	if err != nil {
		return nil, false, err
	}
	if !ok || c.Total == 1 {
		return &Message{Concat: Concat{Kind: c.Kind, Ref: c.Ref, Total: c.Total}, Source: string(p.SourceAddr()),
			Dest: string(p.DestAddr()), DataCoding: p.DataCoding(), Data: ud, Values: []any{value}}, true, nil
	}
	size := len(ud) + partOverhead
	if size > r.opts.MaxBytes {
		return nil, false, fmt.Errorf("%w: %d octets", ErrPartTooLarge, len(ud))
	}
	key := partKey{c.Kind, c.Ref, c.Total, string(p.SourceAddr()), string(p.DestAddr())}
	var dropped []Dropped
	defer func() {
		if r.opts.OnDrop != nil {
			for _, d := range dropped {
				r.opts.OnDrop(d)
			}
		}
	}()

	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.opts.Now()
	dropped = r.expireLocked(now, dropped)
	m := r.partial[key]
	if m == nil {
		m = &partial{key: key, created: now, dc: p.DataCoding(), parts: make([][]byte, c.Total), values: make([]any, c.Total)}
		m.elem = r.order.PushBack(m)
		r.partial[key] = m
	}
	i := int(c.Seq) - 1
	if m.parts[i] != nil {
		dropped = append(dropped, Dropped{Concat: Concat{Kind: c.Kind, Ref: c.Ref, Total: c.Total, Seq: c.Seq},
			Source: key.src, Dest: key.dst, Values: []any{m.values[i]}, Reason: ErrDuplicatePart})
		m.size -= len(m.parts[i]) + partOverhead
		r.bytes -= len(m.parts[i]) + partOverhead
		m.have--
	}
	m.parts[i] = append(make([]byte, 0, len(ud)), ud...)
	m.values[i] = value
	m.have++
	m.size += size
	r.bytes += size
	for e := r.order.Front(); r.bytes > r.opts.MaxBytes && e != nil; {
		next := e.Next()
		if o := e.Value.(*partial); o != m {
			dropped = append(dropped, r.dropLocked(o, ErrReassemblyFull))
		}
		e = next
	}
	if r.bytes > r.opts.MaxBytes {
		dropped = append(dropped, r.dropLocked(m, ErrReassemblyFull))
		return nil, false, nil
	}
	if m.have < len(m.parts) {
		return nil, false, nil
	}
	r.removeLocked(m)
	n := 0
	for _, b := range m.parts {
		n += len(b)
	}
	data := make([]byte, 0, n)
	for _, b := range m.parts {
		data = append(data, b...)
	}
	return &Message{Concat: Concat{Kind: c.Kind, Ref: c.Ref, Total: c.Total}, Source: key.src, Dest: key.dst,
		DataCoding: m.dc, Data: data, Values: m.values}, true, nil
}

// Expire drops the partial messages older than the timeout, reporting them
// to OnDrop, and returns how many it dropped. Add expires too; call Expire
// from a ticker to free memory on an idle bind.
func (r *Reassembler) Expire() int {
	r.mu.Lock()
	dropped := r.expireLocked(r.opts.Now(), nil)
	r.mu.Unlock()
	if r.opts.OnDrop != nil {
		for _, d := range dropped {
			r.opts.OnDrop(d)
		}
	}
	return len(dropped)
}

// Len returns the number of partial messages held.
func (r *Reassembler) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.partial)
}

// Bytes returns the memory the partial messages account for.
func (r *Reassembler) Bytes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bytes
}

func (r *Reassembler) expireLocked(now time.Time, dropped []Dropped) []Dropped {
	for e := r.order.Front(); e != nil; e = r.order.Front() {
		m := e.Value.(*partial)
		if now.Sub(m.created) < r.opts.Timeout {
			break
		}
		dropped = append(dropped, r.dropLocked(m, ErrReassemblyTimeout))
	}
	return dropped
}

func (r *Reassembler) dropLocked(m *partial, reason error) Dropped {
	r.removeLocked(m)
	return Dropped{Concat: Concat{Kind: m.key.kind, Ref: m.key.ref, Total: m.key.total},
		Source: m.key.src, Dest: m.key.dst, Values: m.values, Reason: reason}
}

func (r *Reassembler) removeLocked(m *partial) {
	r.order.Remove(m.elem)
	delete(r.partial, m.key)
	r.bytes -= m.size
}
