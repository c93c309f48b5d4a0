package textcheck

import (
	"testing"
)

// BenchmarkCheck checks every text of the public corpus per iteration and
// reports the time per text and the texts per second on one core. The
// target (DESIGN.md) is 2 M texts/s: 500 ns a text.
func BenchmarkCheck(b *testing.B) {
	cases := readCorpus(b)
	inputs := make([]Input, len(cases))
	var bytes int64
	for i := range cases {
		inputs[i] = cases[i].input(b)
		bytes += int64(len(inputs[i].Text))
	}
	run := func(b *testing.B, inputs []Input, fn func(c *Checker, in *Input)) {
		c := NewChecker()
		for i := range inputs { // grow the buffers once
			fn(c, &inputs[i])
		}
		var size int64
		for i := range inputs {
			size += int64(len(inputs[i].Text))
		}
		b.SetBytes(size)
		b.ReportAllocs()
		cpu0 := cpuTime()
		b.ResetTimer()
		for b.Loop() {
			for i := range inputs {
				fn(c, &inputs[i])
			}
		}
		texts := float64(b.N) * float64(len(inputs))
		perText := float64(b.Elapsed().Nanoseconds()) / texts
		b.ReportMetric(perText, "ns/text")
		b.ReportMetric(1e9/perText, "texts/s")
		// On a shared machine the wall clock counts the time other
		// processes hold the core; the CPU time this process used does not.
		if cpu := cpuTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu.Nanoseconds())/texts, "cpu-ns/text")
		}
	}
	var commercial, transactional []Input
	for _, in := range inputs {
		if in.Category == Transactional {
			transactional = append(transactional, in)
		} else {
			commercial = append(commercial, in)
		}
	}
	// The reference: a lower-case copy of each text, the least any
	// normaliser does. On a shared machine its time moves with the load as
	// much as ours does, so the ratio between the two is the figure to
	// compare from run to run.
	var buf []byte
	b.Run("reference-lowercase-copy", func(b *testing.B) {
		run(b, inputs, func(_ *Checker, in *Input) {
			buf = buf[:0]
			s := in.Text
			for i := 0; i < len(s); i++ {
				c := s[i]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				buf = append(buf, c)
			}
		})
	})
	b.Run("corpus", func(b *testing.B) {
		run(b, inputs, func(c *Checker, in *Input) { c.Check(in) })
	})
	b.Run("commercial", func(b *testing.B) {
		run(b, commercial, func(c *Checker, in *Input) { c.Check(in) })
	})
	b.Run("transactional", func(b *testing.B) {
		run(b, transactional, func(c *Checker, in *Input) { c.Check(in) })
	})
	b.Run("normalise", func(b *testing.B) {
		run(b, inputs, func(c *Checker, in *Input) { c.text.Reset(in.Text) })
	})
	b.Run("pooled", func(b *testing.B) {
		run(b, inputs, func(_ *Checker, in *Input) { Check(in) })
	})
}
