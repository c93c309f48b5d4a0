package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/msisdn"
)

func init() {
	register(&Command{
		Name:     "numbers",
		Synopsis: "[--portability FILE.csv] [--corpus FILE.jsonl [--check] | FILE | -]",
		Summary:  "clean a list of phone numbers: one JSON line per number",
		Help: `Reads phone numbers, one a line, written in any usual form (+212…, 00212…,
212…, 0…, grouped with spaces, dots, dashes or parentheses, a "(0)" after
the country code, Eastern Arabic, Persian or fullwidth digits), and writes
one JSON line for each: its E.164 form, country, whether it is mobile, its
type (mobile, fixed, tollfree, premium, special...) and, for a Moroccan
number, its operator (iam, orange, inwi). An input that is not exactly one
valid number gets "e164": null, an "error" message and a "reason" code
(empty, letters, too-short, invalid-prefix, two-numbers, extension...).

Providers use it to clean a contact list before a campaign. It streams in
constant memory, millions of lines a second; a summary (valid, invalid by
reason, per operator) goes to stderr at the end, and a progress bar while it
runs when stderr is a terminal. Input is FILE, or standard input when FILE
is - or absent.

The operator is the holder of the number's range, from the prefix table
built into bawwab (libphonenumber carrier data), unless --portability gives
the number's current operator: a CSV of number,operator lines.

With --corpus the input is JSON lines with an "input" field, as in the test
corpus; a line that is not JSON gives {"line": N, "error": "..."} and the run
goes on. --check also compares each line's expected "e164", "mobile" and
"country" fields, marks each result "agrees": true or false, and exits 1 on
a disagreement.

Examples:

  $ echo '06 61 23 45 67' | bawwab numbers
  {"input":"06 61 23 45 67","e164":"+212661234567","country":"MA","mobile":true,"type":"mobile","operator":"iam"}

  $ bawwab numbers contacts.txt > contacts.jsonl
  $ jq -r 'select(.mobile) | .e164' contacts.jsonl | sort -u > clean.txt
  $ bawwab numbers --portability ports.csv contacts.txt | jq -r 'select(.operator == "inwi") | .e164'
  $ bawwab numbers --check --corpus msisdn-public.jsonl > /dev/null

Exit status: 0 when the input was read to the end (invalid numbers are
output, not failures), 1 on a read or write error or a --check
disagreement, 2 on a usage error.`,
		Run: runNumbers,
	})
}

func runNumbers(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	corpus := fs.String("corpus", "", "read JSON lines with an \"input\" field from `FILE.jsonl` (- for standard input)")
	check := fs.Bool("check", false, "with --corpus: compare with the lines' expected e164, mobile and country; exit 1 on a disagreement")
	portability := fs.String("portability", "", "apply the ports listed in `FILE.csv` (number,operator lines)")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	name := "-"
	switch {
	case *corpus != "" && fs.NArg() > 0:
		return usageErrorf("give the input either with --corpus or as an argument, not both")
	case *corpus != "":
		name = *corpus
	case fs.NArg() == 1:
		name = fs.Arg(0)
	case fs.NArg() > 1:
		return usageErrorf("one input file at most, got %d", fs.NArg())
	}
	if *check && *corpus == "" {
		return usageErrorf("--check needs --corpus: plain lines carry no expectations")
	}

	var ops *msisdn.Operators
	if *portability != "" {
		f, err := os.Open(*portability)
		if err != nil {
			return fmt.Errorf("portability: %w", err)
		}
		ops = msisdn.NewOperators()
		_, err = ops.LoadPortability(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *portability, err)
		}
	}

	in, size, closeIn, err := openNumbersInput(name, stdio.In)
	if err != nil {
		return err
	}
	defer closeIn()
	bar := progress.New(stdio.Err, size, "numbers", "lines")
	out := bufio.NewWriterSize(stdio.Out, 64<<10)
	cl := numberCleaner{ops: ops, corpus: *corpus != "", check: *check, bar: bar}
	err = cl.run(ctx, bar.Reader(in), out)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write: %w", ferr)
	}
	bar.Finish()
	cl.sum.write(stdio.Err, ops)
	if err != nil {
		return err
	}
	if cl.sum.disagree > 0 {
		return &exitError{code: ExitFail, msg: fmt.Sprintf("%d of %d corpus lines disagree with their expectations", cl.sum.disagree, cl.sum.checked)}
	}
	return nil
}

// openNumbersInput opens the named file, or returns stdin for "-", with its size
// when known (a regular file) for the progress bar, or -1.
func openNumbersInput(name string, stdin io.Reader) (io.Reader, int64, func(), error) {
	if name == "-" {
		size := int64(-1)
		if f, ok := stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
		}
		return stdin, size, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, func() { f.Close() }, nil
}

// maxNumbersLine is the longest input line read; a longer one is reported and
// skipped, so that a file without newlines cannot take the memory.
const maxNumbersLine = 64 << 10

// numberCleaner is the core of the numbers command: lines in, JSON lines
// out, counts kept. It reuses its buffers, so a Moroccan number costs no
// allocation on the way through.
type numberCleaner struct {
	ops    *msisdn.Operators // nil: range holders only
	corpus bool              // lines are JSON objects with an "input" field
	check  bool              // compare with the corpus lines' expectations
	bar    *progress.Bar
	sum    numbersSummary
}

// numbersSummary counts what the run saw.
type numbersSummary struct {
	lines, valid, invalid     int64
	moroccan, foreign, mobile int64
	operators                 [4]int64 // by msisdn.Operator, for Moroccan mobile numbers
	reasons                   []int64  // by index in msisdn.Errors
	broken                    int64    // corpus lines that are not JSON objects with an input
	checked, disagree         int64    // corpus lines with expectations, and those that disagree
	longLines                 int64
}

// numbersCorpusLine is a line of the corpus format: the input, and optionally
// what it must give.
type numbersCorpusLine struct {
	Input   *string         `json:"input"`
	E164    json.RawMessage `json:"e164"`
	Mobile  *bool           `json:"mobile"`
	Country *string         `json:"country"`
}

func (cl *numberCleaner) run(ctx context.Context, r io.Reader, w *bufio.Writer) error {
	cl.sum.reasons = make([]int64, len(msisdn.Errors))
	br := bufio.NewReaderSize(r, maxNumbersLine)
	var out []byte
	for lineNo := int64(1); ; lineNo++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// Too long to be a number: report it and skip to the next line.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return fmt.Errorf("read: %w", err)
			}
			cl.sum.lines++
			cl.sum.longLines++
			cl.sum.invalid++
			cl.sum.reasons[reasonIndex(msisdn.ErrTooLong)]++
			out = append(out[:0], `{"line":`...)
			out = strconv.AppendInt(out, lineNo, 10)
			out = append(out, `,"e164":null,"error":"line longer than 64 KiB","reason":"too-long"}`+"\n"...)
			if _, werr := w.Write(out); werr != nil {
				return fmt.Errorf("write: %w", werr)
			}
			if err == io.EOF {
				return nil
			}
			continue
		}
		if len(line) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read: %w", err)
		}
		line = trimNumbersEOL(line)
		if lineNo&0x3fff == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		if cl.corpus {
			out, err = cl.corpusLine(out[:0], lineNo, line)
			if err != nil {
				return err
			}
		} else {
			out = cl.number(out[:0], line)
		}
		if len(out) > 0 {
			if _, werr := w.Write(out); werr != nil {
				return fmt.Errorf("write: %w", werr)
			}
		}
		cl.bar.Record()
		if err == io.EOF {
			return nil
		}
	}
}

func trimNumbersEOL(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\n' {
		line = line[:n-1]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
	}
	return line
}

// number appends the JSON line for one input to dst and counts it.
func (cl *numberCleaner) number(dst, input []byte) []byte {
	n, err := msisdn.ParseBytes(input)
	dst = append(dst, `{"input":`...)
	dst = appendNumbersJSON(dst, input)
	return cl.result(dst, n, err)
}

// result appends the fields of a parse result and the closing brace.
func (cl *numberCleaner) result(dst []byte, n msisdn.Number, err error) []byte {
	cl.sum.lines++
	if err != nil {
		cl.sum.invalid++
		// Parse returns the *msisdn.Error values themselves; a type
		// assertion, unlike errors.As, does not allocate.
		reason, ok := err.(*msisdn.Error)
		if !ok {
			reason = msisdn.ErrCharacter
		}
		i := reasonIndex(reason)
		cl.sum.reasons[i]++
		return append(dst, invalidJSON[i]...)
	}
	cl.sum.valid++
	dst = append(dst, `,"e164":"`...)
	dst = n.AppendE164(dst)
	dst = append(dst, `","country":"`...)
	dst = append(dst, n.Region()...)
	if n.Mobile() {
		cl.sum.mobile++
		dst = append(dst, `","mobile":true,"type":"`...)
	} else {
		dst = append(dst, `","mobile":false,"type":"`...)
	}
	dst = append(dst, n.Kind().String()...)
	dst = append(dst, '"')
	if n.Moroccan() {
		cl.sum.moroccan++
		op := cl.ops.Operator(n)
		if n.Mobile() {
			cl.sum.operators[op]++
		}
		if op != msisdn.NoOperator {
			dst = append(dst, `,"operator":"`...)
			dst = append(dst, op.String()...)
			dst = append(dst, '"')
		}
	} else {
		cl.sum.foreign++
	}
	return append(dst, "}\n"...)
}

// corpusLine handles one line of the corpus format.
func (cl *numberCleaner) corpusLine(dst []byte, lineNo int64, line []byte) ([]byte, error) {
	if len(bytes.TrimSpace(line)) == 0 {
		return dst, nil
	}
	var c numbersCorpusLine
	err := json.Unmarshal(line, &c)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		err = fmt.Errorf("field %q is not a %s", typeErr.Field, typeErr.Type)
	case err == nil && c.Input == nil:
		err = errors.New(`no "input" field`)
	}
	if err != nil {
		cl.sum.broken++
		dst = append(dst, `{"line":`...)
		dst = strconv.AppendInt(dst, lineNo, 10)
		dst = append(dst, `,"error":`...)
		dst = appendNumbersJSON(dst, []byte("not a corpus line: "+err.Error()))
		return append(dst, "}\n"...), nil
	}
	n, perr := msisdn.Parse(*c.Input)
	dst = append(dst, `{"input":`...)
	dst = appendNumbersJSON(dst, []byte(*c.Input))
	dst = cl.result(dst, n, perr)
	if cl.check && c.E164 != nil {
		cl.sum.checked++
		agrees := agrees(c, n, perr)
		if !agrees {
			cl.sum.disagree++
		}
		dst = dst[:len(dst)-2] // reopen the object: drop "}\n"
		dst = append(dst, `,"agrees":`...)
		dst = strconv.AppendBool(dst, agrees)
		dst = append(dst, "}\n"...)
	}
	return dst, nil
}

// agrees compares a parse result with a corpus line's expectations.
func agrees(c numbersCorpusLine, n msisdn.Number, err error) bool {
	var want *string
	if err := json.Unmarshal(c.E164, &want); err != nil {
		return false
	}
	if want == nil {
		return err != nil
	}
	if err != nil || n.E164() != *want {
		return false
	}
	if c.Mobile != nil && n.Mobile() != *c.Mobile {
		return false
	}
	return c.Country == nil || n.Region() == *c.Country
}

// invalidJSON holds the end of the JSON line of an invalid number, for
// each reason in msisdn.Errors.
var invalidJSON = func() [][]byte {
	lines := make([][]byte, len(msisdn.Errors))
	for i, e := range msisdn.Errors {
		b := append([]byte(`,"e164":null,"error":`), appendNumbersJSON(nil, []byte(e.Error()))...)
		b = append(b, `,"reason":`...)
		b = appendNumbersJSON(b, []byte(e.Code))
		lines[i] = append(b, "}\n"...)
	}
	return lines
}()

func reasonIndex(e *msisdn.Error) int {
	for i, r := range msisdn.Errors {
		if r == e {
			return i
		}
	}
	return 0
}

// write prints the summary.
func (s *numbersSummary) write(w io.Writer, ops *msisdn.Operators) {
	fmt.Fprintf(w, "numbers: %d lines: %d valid (%d Moroccan, %d foreign; %d mobile), %d invalid\n",
		s.lines, s.valid, s.moroccan, s.foreign, s.mobile, s.invalid)
	if s.moroccan > 0 {
		ported := ""
		if ops != nil {
			ported = fmt.Sprintf(" (portability table: %d numbers)", ops.Ported())
		}
		fmt.Fprintf(w, "  Moroccan mobiles by operator%s: iam %d, orange %d, inwi %d, unknown %d\n", ported,
			s.operators[msisdn.IAM], s.operators[msisdn.Orange], s.operators[msisdn.Inwi], s.operators[msisdn.NoOperator])
	}
	if s.invalid > 0 {
		var parts []string
		for i, n := range s.reasons {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", msisdn.Errors[i].Code, n))
			}
		}
		fmt.Fprintf(w, "  invalid by reason: %s\n", strings.Join(parts, ", "))
	}
	if s.longLines > 0 {
		fmt.Fprintf(w, "  %d lines longer than 64 KiB skipped\n", s.longLines)
	}
	if s.broken > 0 {
		fmt.Fprintf(w, "  %d lines are not corpus JSON\n", s.broken)
	}
	if s.checked > 0 {
		fmt.Fprintf(w, "  corpus check: %d of %d lines agree with their expectations\n", s.checked-s.disagree, s.checked)
	}
}

// appendNumbersJSON appends s as a JSON string. Invalid UTF-8 becomes
// U+FFFD, as encoding/json does, so the output is always valid JSON.
func appendNumbersJSON(dst, s []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript: escape as encoding/json does.
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
