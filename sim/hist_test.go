package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	// Every value falls in the bucket whose range holds it, and buckets
	// are contiguous.
	for _, v := range []uint64{0, 1, 63, 64, 65, 127, 128, 129, 1000, 123456789, 1 << 40, 1<<63 + 12345, ^uint64(0)} {
		i := histIndex(v)
		if i < 0 || i >= histBuckets {
			t.Fatalf("%d: bucket %d", v, i)
		}
		if lo := histLow(i); lo > v {
			t.Errorf("%d in bucket %d starting at %d", v, i, lo)
		}
		if i+1 < histBuckets && histLow(i+1) <= v {
			t.Errorf("%d in bucket %d, but bucket %d starts at %d", v, i, i+1, histLow(i+1))
		}
	}
	for i := 1; i < histBuckets; i++ {
		if histIndex(histLow(i)) != i || histLow(i) <= histLow(i-1) {
			t.Fatalf("bucket %d starts at %d (previous %d)", i, histLow(i), histLow(i-1))
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h, h1, h2 Histogram
	var all []time.Duration
	for i := range 100000 {
		d := time.Duration(r.ExpFloat64() * float64(100*time.Microsecond))
		all = append(all, d)
		h.Record(d)
		if i%2 == 0 {
			h1.Record(d)
		} else {
			h2.Record(d)
		}
	}
	h1.Merge(&h2)
	slices.Sort(all)
	for _, q := range []float64{0, 0.5, 0.9, 0.99, 0.999, 1} {
		exact := all[int(q*float64(len(all)-1))]
		got := h.Quantile(q)
		if diff := float64(got-exact) / float64(exact+1); diff > 0.02 || diff < -0.02 {
			t.Errorf("q%v: %v, exactly %v", q, got, exact)
		}
		if h1.Quantile(q) != got {
			t.Errorf("q%v: merged %v, whole %v", q, h1.Quantile(q), got)
		}
	}
	if h.Max() != all[len(all)-1] || h.Count() != 100000 {
		t.Errorf("max %v, count %d", h.Max(), h.Count())
	}
	var empty Histogram
	if s := empty.Summary(); s != (Summary{}) {
		t.Errorf("empty: %+v", s)
	}
	empty.Record(-time.Second)
	if empty.Max() != 0 || empty.Quantile(0.5) != 0 {
		t.Errorf("negative duration recorded as %v", empty.Max())
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	d := time.Duration(0)
	for b.Loop() {
		d += 7919
		h.Record(d % (10 * time.Millisecond))
	}
}
