package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bawwab/bawwab"
)

// The CSV files of the registry, the opposition list and the consents
// share one format: UTF-8 (a byte-order mark is skipped), a header line
// naming the columns (in any order; optional ones may be left out), one
// record per line. These helpers read them as a stream and report errors
// with the line and the column.

// column documents one column of a CSV format.
type column struct {
	name     string
	required bool
	doc      string
}

// csvFormat is the set of columns of one kind of file.
type csvFormat struct {
	columns []column
	// ignored are columns accepted and skipped (what export adds, such as
	// seq).
	ignored []string
}

func (f csvFormat) names() []string {
	var out []string
	for _, c := range f.columns {
		out = append(out, c.name)
	}
	return out
}

// doc renders the columns for a help text.
func (f csvFormat) doc(indent string) string {
	var b strings.Builder
	for _, c := range f.columns {
		req := ""
		if c.required {
			req = " (required)"
		}
		fmt.Fprintf(&b, "%s%-17s %s%s\n", indent, c.name, c.doc, req)
	}
	return b.String()
}

// lineError is a problem on one line (and column) of a file.
type lineError struct {
	File   string // empty for a single file
	Line   int
	Column string // empty when the line as a whole is wrong
	Err    error
}

func (e *lineError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ", ")
	}
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(problem(e.Err, e.Column))
	return b.String()
}

func (e *lineError) Unwrap() error { return e.Err }

// problem is the message of err without the field name it may start with
// (it is in the column already).
func problem(err error, field string) string {
	msg := bawwab.ErrorMessage(err)
	if bawwab.ErrorCode(err) == bawwab.EINTERNAL {
		msg = err.Error()
	}
	if field != "" {
		msg = strings.TrimPrefix(msg, field+": ")
	}
	return msg
}

// csvReader reads a CSV stream with a header, row by row.
type csvReader struct {
	r      *csv.Reader
	file   string
	cols   map[string]int
	row    []string
	line   int
	header []string
}

// newCSVReader reads the header and checks it against the format: every
// required column present, no unknown or repeated column.
func newCSVReader(r io.Reader, file string, f csvFormat) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0 // the header sets it
	c := &csvReader{r: cr, file: file, cols: map[string]int{}}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &lineError{File: file, Line: 1, Err: errors.New("empty file: a header line is required (" + strings.Join(f.names(), ",") + ")")}
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	c.header = slices.Clone(header)
	for i, h := range c.header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		c.header[i] = h
		known := slices.Contains(f.names(), h)
		if !known && !slices.Contains(f.ignored, h) {
			return nil, &lineError{File: file, Line: 1, Err: fmt.Errorf("unknown column %q (the columns are %s)", h, strings.Join(f.names(), ", "))}
		}
		if _, dup := c.cols[h]; dup {
			return nil, &lineError{File: file, Line: 1, Err: fmt.Errorf("column %q appears twice", h)}
		}
		if known {
			c.cols[h] = i
		}
	}
	for _, col := range f.columns {
		if _, ok := c.cols[col.name]; col.required && !ok {
			return nil, &lineError{File: file, Line: 1, Err: fmt.Errorf("missing column %q (the header must name %s)", col.name, strings.Join(required(f), ", "))}
		}
	}
	return c, nil
}

func required(f csvFormat) []string {
	var out []string
	for _, c := range f.columns {
		if c.required {
			out = append(out, c.name)
		}
	}
	return out
}

// next reads the next row; it returns io.EOF at the end.
func (c *csvReader) next() error {
	row, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return c.wrap(err)
	}
	c.row = row
	c.line, _ = c.r.FieldPos(0)
	for _, v := range row {
		if !utf8.ValidString(v) {
			return &lineError{File: c.file, Line: c.line, Err: errors.New("not valid UTF-8")}
		}
	}
	return nil
}

// wrap turns an encoding/csv error into a lineError.
func (c *csvReader) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = fmt.Errorf("%w (the header has %d)", pe.Err, len(c.header))
		}
		return &lineError{File: c.file, Line: pe.Line, Err: msg}
	}
	return fmt.Errorf("read %s: %w", c.fileName(), err)
}

func (c *csvReader) fileName() string {
	if c.file == "" {
		return "input"
	}
	return c.file
}

// get returns a column's trimmed value, "" when the column is absent.
func (c *csvReader) get(col string) string {
	i, ok := c.cols[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(c.row[i])
}

// fail returns an error about a column of the current line.
func (c *csvReader) fail(col string, err error) error {
	return &lineError{File: c.file, Line: c.line, Column: col, Err: err}
}

// recordError turns a store or validation error about the current line's
// record into a lineError naming the column when the error names a field.
func (c *csvReader) recordError(err error, fieldColumn func(string) string) error {
	var fe *bawwab.FieldError
	if errors.As(err, &fe) {
		col := fe.Field
		if fieldColumn != nil {
			col = fieldColumn(col)
		}
		return &lineError{File: c.file, Line: c.line, Column: col, Err: err}
	}
	return &lineError{File: c.file, Line: c.line, Err: err}
}

// Value parsers, each naming what it wants.

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// parseTime reads RFC 3339 or a date; a time without a zone, or a date
// alone (midnight), is UTC.
func parseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want 2025-03-01 or 2025-03-01T09:30:00Z)", s)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// rejectedError is an import that failed: nothing was imported.
type rejectedError struct {
	errs  []error // the first ones
	count int     // all of them
}

// maxReported is how many errors an import reports before only counting.
const maxReported = 10

func (e *rejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rejected, nothing was imported: %d error", e.count)
	if e.count != 1 {
		b.WriteString("s")
	}
	for _, err := range e.errs {
		b.WriteString("\n  " + err.Error())
	}
	if e.count > len(e.errs) {
		fmt.Fprintf(&b, "\n  ... and %d more", e.count-len(e.errs))
	}
	return b.String()
}

func (e *rejectedError) add(err error) {
	e.count++
	if len(e.errs) < maxReported {
		e.errs = append(e.errs, err)
	}
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
