package main

import (
	"errors"
	"io"
	"iter"
	"strings"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/registrycsv"
)

// The CSV files of the registry, the opposition list and the consents
// share one format, read by package registrycsv: UTF-8 (a byte-order mark
// is skipped), a header line naming the columns (in any order; optional
// ones may be left out), one record per line, errors reported with the
// line and the column.

// csvRows streams the records parse reads from each row of r, for a
// store's all-or-nothing import. A bad row is counted in rej and nothing
// more is yielded; the rows after it are still read, so that up to ten
// errors are reported, and the rejection is yielded last as the error that
// makes the store roll back.
func csvRows[T any](r *registrycsv.Reader, bar *progress.Bar, rej *registrycsv.RejectedError, parse func() (T, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rej.Add(err)
				break
			}
			bar.Record()
			v, err := parse()
			if err != nil {
				rej.Add(err)
				continue
			}
			if rej.Count == 0 && !yield(v, nil) {
				return
			}
		}
		if rej.Count > 0 {
			yield(zero, rej)
		}
	}
}

// csvImported is the result of an import fed by csvRows: a record the
// store refused is reported on its line, with the rows' errors.
func csvImported(r *registrycsv.Reader, rej *registrycsv.RejectedError, res bawwab.ImportResult, err error) (bawwab.ImportResult, error) {
	var ie *bawwab.ImportError
	if errors.As(err, &ie) {
		rej.Add(r.RecordError(ie.Err, nil))
		return res, rej
	}
	return res, err
}

// mask shows enough of a value to find it in a file without printing a
// whole subscriber number.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("•", len(r))
	}
	return string(r[:4]) + "…" + string(r[len(r)-2:])
}
