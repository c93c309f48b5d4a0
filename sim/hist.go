package sim

import (
	"math/bits"
	"time"
)

// Histogram counts durations in log-linear buckets: exact below 64 ns,
// then 64 buckets per power of two (a quantile is off by at most 1/64,
// about 1.6 %). It records in constant time and memory however many values
// it gets, which a sorted slice of every latency does not. The zero value
// is ready; it is not safe for concurrent use (merge per-goroutine ones).
type Histogram struct {
	counts [histBuckets]uint64
	n      uint64
	sum    uint64
	max    uint64
}

const (
	histSubBits = 6
	histSub     = 1 << histSubBits
	histBuckets = (64 - histSubBits + 1) * histSub
)

func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	b := bits.Len64(v) // > histSubBits
	g := b - histSubBits
	top := v >> (g - 1) // histSub..2*histSub-1
	return g*histSub + int(top-histSub)
}

// histLow is the smallest value of bucket i.
func histLow(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	g := i >> histSubBits
	return uint64(histSub+i&(histSub-1)) << (g - 1)
}

// Record adds one duration (negative counts as 0).
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[histIndex(v)]++
	h.n++
	h.sum += v
	h.max = max(h.max, v)
}

// Merge adds o's values to h.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		h.counts[i] += o.counts[i]
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// Count returns the number of values recorded.
func (h *Histogram) Count() uint64 { return h.n }

// Max returns the largest value recorded.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the average value, or 0 if there is none.
func (h *Histogram) Mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / h.n)
}

// Quantile returns the value below which a share q (0..1) of the values
// fall, as a sorted slice's element at index q×(n−1) would: the middle of
// its bucket, never above Max. It returns 0 if nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	q = min(max(q, 0), 1)
	rank := uint64(q * float64(h.n-1)) // 0-based
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i]
		if cum > rank {
			lo, hi := histLow(i), h.max+1
			if i+1 < histBuckets {
				hi = histLow(i + 1)
			}
			return time.Duration(min(lo+(hi-lo)/2, h.max))
		}
	}
	return time.Duration(h.max)
}

// Summary is what a latency report prints.
type Summary struct {
	Count                    uint64
	Mean, P50, P90, P99, Max time.Duration
}

// Summary returns the count, mean, median, 90th and 99th percentiles and
// maximum.
func (h *Histogram) Summary() Summary {
	return Summary{Count: h.n, Mean: h.Mean(), P50: h.Quantile(0.50), P90: h.Quantile(0.90),
		P99: h.Quantile(0.99), Max: h.Max()}
}
