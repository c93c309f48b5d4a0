package optout

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/bawwab/bawwab"
)

// checkContainer fails unless c is canonical and holds exactly want.
func checkContainer(t *testing.T, c *container, want map[uint16]bool) {
	t.Helper()
	if c == nil {
		if len(want) != 0 {
			t.Fatalf("nil container, want %d members", len(want))
		}
		return
	}
	if int(c.n) != len(want) {
		t.Fatalf("n = %d, want %d", c.n, len(want))
	}
	if c.n > arrayMax && c.bits == nil || c.n < bitmapMin && c.bits != nil || (c.bits != nil) == (c.arr != nil) {
		t.Fatalf("%d members in the wrong kind of container (bits %v)", c.n, c.bits != nil)
	}
	if c.arr != nil && !slices.IsSorted(c.arr) {
		t.Fatal("array not sorted")
	}
	got := c.appendTo(nil, 0)
	if len(got) != len(want) {
		t.Fatalf("appendTo gives %d members, want %d", len(got), len(want))
	}
	for _, v := range got {
		if !want[uint16(v)] {
			t.Fatalf("member %d not wanted", v)
		}
	}
}

// TestContainerCopyOnWrite grows a container past the array limit and
// shrinks it back, checking that with and without return canonical
// containers and never change the one they copy: in full every few steps
// and at every step near the limits.
func TestContainerCopyOnWrite(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	want := map[uint16]bool{}
	var members []uint16 // want's keys, for drawing one to remove
	var c *container
	steps := 0
	step := func(lo uint16, member bool) {
		steps++
		near := func(n int32) bool { return n >= bitmapMin-3 && n <= bitmapMin+3 || n >= arrayMax-3 && n <= arrayMax+3 }
		full := steps%16 == 0 || c != nil && near(c.n)
		var before []uint32
		if full && c != nil {
			before = c.appendTo(nil, 0)
		}
		var next *container
		if member {
			next = c.with(lo)
		} else {
			next = c.without(lo)
		}
		if changed := want[lo] != member; changed == (next == c) {
			t.Fatalf("with/without(%d, %v): changed %v but same container %v", lo, member, changed, next == c)
		}
		if full && c != nil && !slices.Equal(c.appendTo(nil, 0), before) {
			t.Fatal("the old container was modified")
		}
		switch {
		case member && !want[lo]:
			want[lo] = true
			members = append(members, lo)
		case !member && want[lo]:
			delete(want, lo)
			i := slices.Index(members, lo)
			members[i] = members[len(members)-1]
			members = members[:len(members)-1]
		}
		c = next
		if full {
			checkContainer(t, c, want)
		} else if c != nil && int(c.n) != len(want) {
			t.Fatalf("n = %d, want %d", c.n, len(want))
		}
		for _, probe := range []uint16{lo, lo + 1, lo - 1, uint16(r.Uint32())} {
			if c != nil && c.contains(probe) != want[probe] {
				t.Fatalf("contains(%d) = %v", probe, !want[probe])
			}
		}
	}
	for len(want) < arrayMax+500 {
		step(uint16(r.Uint32()), true)
	}
	step(0, true)
	step(65535, true)
	for len(want) > 0 {
		// Remove members, and sometimes a non-member.
		if r.IntN(10) == 0 {
			step(uint16(r.Uint32()), false)
			continue
		}
		step(members[r.IntN(len(members))], false)
	}
	if c != nil {
		t.Fatal("empty container not nil")
	}
}

// TestContainerInPlace checks the builder's in-place operations and
// compact against roaring.
func TestContainerInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, size := range []int{1, 100, arrayMax - 1, arrayMax, arrayMax + 1, 5000, 40000} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			rb := roaring.New()
			c := &container{n: 1, arr: []uint16{7}}
			rb.Add(7)
			for rb.GetCardinality() < uint64(size) {
				v := uint16(r.Uint32())
				if c.add(v) != rb.CheckedAdd(uint32(v)) {
					t.Fatalf("add(%d) disagrees with roaring", v)
				}
			}
			for range size / 3 {
				v := uint16(r.Uint32())
				if c.remove(v) != rb.CheckedRemove(uint32(v)) {
					t.Fatalf("remove(%d) disagrees with roaring", v)
				}
			}
			if c.n == 0 {
				return
			}
			c = c.compact()
			want := map[uint16]bool{}
			rb.Iterate(func(x uint32) bool { want[uint16(x)] = true; return true })
			checkContainer(t, c, want)
			if cap(c.arr) != len(c.arr) {
				t.Errorf("compact left %d spare slots", cap(c.arr)-len(c.arr))
			}
			lows := make([]uint16, 0, len(want))
			for _, v := range rb.ToArray() {
				lows = append(lows, uint16(v))
			}
			checkContainer(t, fromSorted(lows), want)
		})
	}
}

// TestHas16Distributions checks the guessed search against a plain one
// on uniform, clustered and skewed arrays of every size around the guess
// window.
func TestHas16Distributions(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	gens := map[string]func() uint16{
		"uniform":   func() uint16 { return uint16(r.Uint32()) },
		"clustered": func() uint16 { return uint16(40000 + r.IntN(3000)) },
		"skewed":    func() uint16 { x := r.IntN(256); return uint16(x * x) },
		"two-ends":  func() uint16 { return uint16(r.IntN(200)) + uint16(r.IntN(2))*65300 },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 63, 64, 65, 66, 100, 330, 1000, arrayMax} {
			set := map[uint16]bool{}
			for i := 0; i < 20*n && len(set) < n; i++ {
				set[gen()] = true
			}
			a := make([]uint16, 0, len(set))
			for v := range set {
				a = append(a, v)
			}
			slices.Sort(a)
			for v := range 1 << 16 {
				if got, want := has16(a, uint16(v)), set[uint16(v)]; got != want {
					t.Fatalf("%s n=%d: has16(%d) = %v", name, len(a), v, got)
				}
			}
		}
	}
}

func TestHas16(t *testing.T) {
	for n := range 40 {
		a := make([]uint16, n)
		for i := range a {
			a[i] = uint16(3*i + 1)
		}
		for v := range 3*n + 3 {
			if got, want := has16(a, uint16(v)), v%3 == 1 && v < 3*n; got != want {
				t.Fatalf("n=%d has16(%d) = %v", n, v, got)
			}
		}
	}
}

// TestBitmapShapes moves a set between the sparse and the dense layouts
// and checks that every member stays reachable.
func TestBitmapShapes(t *testing.T) {
	var p atomic.Pointer[bitmap]
	p.Store(emptyBitmap)
	want := map[uint32]bool{}
	check := func() {
		t.Helper()
		for x := range want {
			if !p.Load().contains(x) {
				t.Fatalf("member %d missing", x)
			}
			for _, probe := range []uint32{x + 1, x - 1, x + 1<<16, x - 1<<16} {
				if p.Load().contains(probe) != want[probe] {
					t.Fatalf("contains(%d) = %v", probe, !want[probe])
				}
			}
		}
	}
	// Far-apart chunks: sparse.
	for _, x := range []uint32{600_000_000, 799_999_999, 650_000_000, 1_000_000_003} {
		update(&p, x, true)
		want[x] = true
	}
	if p.Load().dense {
		t.Error("4 chunks over 26,000 keys laid out dense")
	}
	check()
	// Fill the keys in between: dense.
	for k := uint32(600_000_000 >> 16); k <= 1_000_000_003>>16; k += 1 + k%2 {
		x := k<<16 | 12345
		update(&p, x, true)
		want[x] = true
	}
	if !p.Load().dense {
		t.Error("every chunk present but not dense")
	}
	check()
	// Empty most chunks again: slots stay until the next new chunk, then
	// the layout is sparse again.
	for x := range want {
		if x%1000 != 3 && x&0xffff == 12345 {
			update(&p, x, false)
			delete(want, x)
		}
	}
	check()
	update(&p, 100_000_000, true)
	want[100_000_000] = true
	if p.Load().dense {
		t.Error("sparse set still dense after a reshape")
	}
	check()
	if got := len(p.Load().chunks()); got != len(want) {
		t.Errorf("%d chunks for %d members in separate chunks", got, len(want))
	}
}

// model is the register's state the slow, obvious way.
type model map[string]map[bawwab.Scope]bool

func (m model) apply(op bawwab.Opposition) {
	if m[op.MSISDN] == nil {
		m[op.MSISDN] = map[bawwab.Scope]bool{}
	}
	m[op.MSISDN][op.Scope] = op.Action == bawwab.ActionStop
}

func (m model) opposed(num string, s bawwab.Scope) bool { return m[num][s] }

// universe is a set of numbers and scopes that random changes draw from:
// dense chunks that cross the array limit, numbers spread over the whole
// Moroccan range, and foreign numbers.
type universe struct {
	numbers []string // the first dense ones share one chunk
	dense   int
	scopes  []bawwab.Scope
}

func newUniverse(r *rand.Rand) universe {
	var u universe
	for _, x := range r.Perm(65536)[:4000] {
		u.numbers = append(u.numbers, fmt.Sprintf("+212%09d", 612_368_384+x)) // 612,368,384 = 9344<<16
	}
	u.dense = len(u.numbers)
	for range 3000 {
		u.numbers = append(u.numbers, fmt.Sprintf("+212%09d", 700_000_000+r.IntN(4000)))
	}
	for range 1500 {
		u.numbers = append(u.numbers, fmt.Sprintf("+212%09d", 500_000_000+r.IntN(400_000_000)))
	}
	for range 300 {
		u.numbers = append(u.numbers, fmt.Sprintf("+%d%08d", []int{33, 34, 1, 971}[r.IntN(4)], r.IntN(1e8)))
	}
	u.scopes = []bawwab.Scope{bawwab.NationalScope}
	for _, id := range []string{"vas1", "vas2", "atlas"} {
		u.scopes = append(u.scopes, bawwab.Scope{Kind: bawwab.ScopeProvider, ID: id})
	}
	for _, id := range []string{"atlas", "souk", "ciné-ma", "x"} {
		u.scopes = append(u.scopes, bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: id})
	}
	return u
}

// events draws n changes, STOPs more likely at first and STARTs later,
// so that sets grow past the array limit and shrink back.
func (u universe) events(r *rand.Rand, n int) []bawwab.Opposition {
	out := make([]bawwab.Opposition, n)
	for i := range out {
		act := bawwab.ActionStop
		if r.IntN(n) < i {
			act = bawwab.ActionStart
		}
		num := u.numbers[r.IntN(len(u.numbers))]
		scope := u.scopes[r.IntN(len(u.scopes))]
		if r.IntN(2) == 0 { // fill one chunk of one scope past the array limit
			num, scope = u.numbers[r.IntN(u.dense)], u.scopes[1]
		}
		out[i] = bawwab.Opposition{
			Seq:    int64(i + 1),
			MSISDN: num,
			Scope:  scope,
			Action: act,
		}
	}
	return out
}

// compare fails unless ix agrees with m on every number and scope of u.
func compare(t testing.TB, ix *Index, m model, u universe) {
	t.Helper()
	counts := map[bawwab.Scope]int64{}
	for _, num := range u.numbers {
		var want []bawwab.Scope
		for _, s := range u.scopes {
			if m.opposed(num, s) {
				want = append(want, s)
			}
		}
		got, err := ix.Scopes(num)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(want, compareScopes)
		if !slices.Equal(got, want) {
			t.Fatalf("Scopes(%s) = %v, want %v", num, got, want)
		}
	}
	for _, byScope := range m {
		for s, on := range byScope {
			if on {
				counts[s]++
			}
		}
	}
	for _, c := range ix.Counts() {
		if c.Numbers != counts[c.Scope] {
			t.Fatalf("Count(%s) = %d, want %d", c.Scope, c.Numbers, counts[c.Scope])
		}
	}
}

// TestAgainstModel applies random changes to a live index and a builder
// and checks both, and their snapshots, against the model as it goes.
func TestAgainstModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	u := newUniverse(r)
	ops := u.events(r, 30000)
	m := model{}
	ix := New()
	b := NewBuilder()
	bitmaps := 0
	for i, op := range ops {
		m.apply(op)
		if _, err := ix.Apply(op); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(op); err != nil {
			t.Fatal(err)
		}
		if (i+1)%10000 == 0 {
			compare(t, ix, m, u)
			compare(t, roundTrip(t, ix), m, u)
			for _, sc := range *ix.scopes.Load() {
				for _, ch := range sc.set.Load().chunks() {
					if ch.c.bits != nil {
						bitmaps++
					}
				}
			}
		}
	}
	// STARTs dominate at the end: the bitmaps are arrays again.
	if bitmaps == 0 {
		t.Error("no chunk grew past the array limit: the test does not exercise bitmaps")
	}
	bi := b.Index()
	compare(t, bi, m, u)
	compare(t, roundTrip(t, bi), m, u)
}
