// Package progress shows a progress bar on a terminal for long, streaming
// work (imports, number cleaning) and stays silent when the output is a file
// or a pipe, so that logs and CI output are not flooded with redraws.
package progress

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar reports the progress of reading an input of known (or unknown) size
// and counts the records done. A nil *Bar is valid and does nothing, which is
// what New returns when w is not a terminal.
type Bar struct {
	bar     *progressbar.ProgressBar
	what    string
	records atomic.Int64
	last    atomic.Int64 // unix nanoseconds of the last description update
}

// New returns a bar drawn on w when w is a terminal, for an input of total
// bytes (-1 when unknown), or nil when w is not a terminal. what names the
// records counted ("lines", "numbers").
func New(w io.Writer, total int64, description, what string) *Bar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	if total > 0 {
		// One byte more than the input, so that reading the last byte does
		// not complete the bar (and print its final newline) before Finish
		// has drawn the final count.
		total++
	}
	return &Bar{
		what: what,
		bar: progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(description),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		),
	}
}

// Reader returns r wrapped so that every read advances the bar by the bytes
// read. On a nil bar it returns r.
func (b *Bar) Reader(r io.Reader) io.Reader {
	if b == nil {
		return r
	}
	return &reader{r: r, b: b}
}

type reader struct {
	r io.Reader
	b *Bar
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 {
		_ = r.b.bar.Add64(int64(n))
	}
	return n, err
}

// Record counts one record done; the count shows in the bar's description,
// refreshed at most ten times a second.
func (b *Bar) Record() {
	if b == nil {
		return
	}
	n := b.records.Add(1)
	now := time.Now().UnixNano()
	if last := b.last.Load(); now-last > int64(100*time.Millisecond) && b.last.CompareAndSwap(last, now) {
		b.bar.Describe(fmt.Sprintf("%d %s", n, b.what))
	}
}

// Finish completes the bar with the final count.
func (b *Bar) Finish() {
	if b == nil {
		return
	}
	b.bar.Describe(fmt.Sprintf("%d %s", b.records.Load(), b.what))
	_ = b.bar.Finish()
}
