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
	"sort"
	"strings"

	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/textcheck"
	"golang.org/x/term"
)

func init() {
	register(&Command{
		Name:     "lint",
		Synopsis: "[--sender ID] [--category commercial|transactional] [--channel CODE[:premium]]... [--national-channel CODE] [TEXT | --corpus FILE.jsonl]",
		Summary:  "check message texts against the opt-out and labelling rules (R4, R9)",
		Help: `
Lint checks a message text the way the gateway will (rules R4 and R9 of
docs/RULES.md) and says why, before a campaign is sent:

  compliant               a commercial text with a legible opt-out
                          instruction (a keyword and a means) naming a
                          registered free channel of the sender
  optout-mention-missing  no legible instruction: none, a disguised keyword
                          (S T O P, ST0P), or a keyword with no number and a
                          sender that cannot receive replies
  optout-channel-invalid  an instruction whose number is not a registered
                          free channel of the sender (unregistered, premium,
                          another provider's, a landline)
  ok-transactional        a transactional sender's text that reads as such
  mislabelled-commercial  a transactional sender's text that reads as
                          prospecting

The text is TEXT (several arguments are joined with spaces) or standard
input. Lint prints the verdict, the reason with how to fix it, and the text
with the instruction marked [[like this]] (and a disguised keyword or the
promotion a transactional text carries marked {{like this}}); on a terminal,
colours mark them instead. It exits 0 when the text may go out (compliant,
ok-transactional), 1 when it may not, 2 on a usage error.

Only the channels given count as registered: --channel CODE for a free one,
--channel CODE:premium for a premium one (repeat the flag, or separate codes
with commas). --national-channel CODE adds the national StopSMS channel,
valid for every advertiser. A numeric --sender is a short code: "Répondez
STOP" then names it as the means.

With --corpus FILE.jsonl (or - for standard input), lint reads one JSON
object a line, with the fields id, sender, sender_category,
optout_channels ([{"code": "5050", "free": true}]) and text (other fields
are ignored; missing ones take the flags' values), and writes one JSON line
per input line on standard output:

  {"id": ..., "verdict": ..., "reason": ..., "span": [start, end]}

where span is the instruction, in BYTES of the text (UTF-8), end excluded,
and is left out when there is none. A line that cannot be read yields
{"line": N, "error": "..."} and the run goes on. A summary goes to standard
error: the count of each verdict and, when the lines carry an "expect"
label, the accuracy per label and the confusions. The exit code is 1 when
a line is broken or disagrees with its label.

Examples:
  bawwab lint --channel 5050 "Promo -20% ce week-end ! STOP au 5050"
  bawwab lint --sender 7070 --channel 7070 "Doublez votre recharge ! Répondez STOP pour ne plus recevoir nos offres."
  bawwab lint --channel 2727 --channel 2728:premium "Gagnez 50 000 DH ! STOP au 2728"
  bawwab lint --national-channel 3030 "Soldes ! STOP MARQUE au 3030"
  echo "Votre code est 551902. -20% avec le code MERCI20 !" | bawwab lint --category transactional
  bawwab lint --corpus optout-public.jsonl > verdicts.jsonl
`,
		Run: runLint,
	})
}

// channelFlags collects repeated --channel flags.
type channelFlags []textcheck.Channel

func (c *channelFlags) String() string {
	var parts []string
	for _, ch := range *c {
		s := ch.Code
		if !ch.Free {
			s += ":premium"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}

func (c *channelFlags) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		code, kind, _ := strings.Cut(item, ":")
		if !isDigits(code) {
			return fmt.Errorf("channel %q: want the digits of a short code or number, then :premium or :free", item)
		}
		ch := textcheck.Channel{Code: code, Free: true}
		switch kind {
		case "", "free":
		case "premium":
			ch.Free = false
		default:
			return fmt.Errorf("channel %q: %q is neither free nor premium", item, kind)
		}
		*c = append(*c, ch)
	}
	return nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 15 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxTextBytes bounds a text read from standard input: far beyond the
// longest concatenated SMS (255 parts), small enough to refuse a file
// given by mistake.
const maxTextBytes = 1 << 20

func runLint(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sender := fs.String("sender", "", "the sender ID the text goes out under (a numeric one is a short code that can receive replies)")
	category := fs.String("category", "commercial", "the declared category of the sender: commercial or transactional")
	var channels channelFlags
	fs.Var(&channels, "channel", "a registered opt-out channel of the sender, CODE or CODE:premium (repeatable)")
	national := fs.String("national-channel", "", "the national StopSMS short code, a valid means for every advertiser")
	corpus := fs.String("corpus", "", "check every line of a JSON-lines FILE (- for standard input) and write JSON lines")

	// Flags may come before or after the text.
	var words []string
	for len(args) > 0 {
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		consumed := len(args) - len(fs.Args())
		rest := fs.Args()
		if consumed > 0 && args[consumed-1] == "--" {
			words = append(words, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		words = append(words, rest[0])
		args = rest[1:]
	}
	cat, err := textcheck.ParseCategory(*category)
	if err != nil {
		return usageErrorf("--category: %v", err)
	}
	if *national != "" && !isDigits(*national) {
		return usageErrorf("--national-channel %q: want the digits of a short code", *national)
	}
	defaults := textcheck.Input{Sender: *sender, Category: cat, Channels: channels, National: *national}

	if *corpus != "" {
		if len(words) > 0 {
			return usageErrorf("give either TEXT or --corpus, not both")
		}
		return lintCorpus(ctx, *corpus, defaults, stdio)
	}

	text := strings.Join(words, " ")
	if len(words) == 0 {
		b, err := io.ReadAll(io.LimitReader(stdio.In, maxTextBytes+1))
		if err != nil {
			return fmt.Errorf("read standard input: %w", err)
		}
		if len(b) > maxTextBytes {
			return usageErrorf("standard input holds more than %d bytes: not a message text (use --corpus for many)", maxTextBytes)
		}
		text = strings.TrimRight(string(b), "\r\n")
	}
	if strings.TrimSpace(text) == "" {
		return usageErrorf("no text: give TEXT or pipe one on standard input")
	}
	in := defaults
	in.Text = text
	r := textcheck.Check(&in)
	fmt.Fprintf(stdio.Out, "%s: %s\n", r.Verdict, r.Reason(&in))
	fmt.Fprintln(stdio.Out, markText(text, &r, colorOn(stdio.Out)))
	if !r.Verdict.OK() {
		return &exitError{code: ExitFail}
	}
	return nil
}

// colorOn reports whether w is a terminal that takes colours.
func colorOn(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}

// markText returns text with the instruction of r marked [[...]] and what
// else the reason points at marked {{...}}, or coloured on a terminal.
func markText(text string, r *textcheck.Result, color bool) string {
	type mark struct {
		start, end int
		main       bool
	}
	var marks []mark
	if s, e, ok := r.Span(); ok {
		marks = append(marks, mark{s, e, true})
	}
	if r.DisguisedEnd > r.DisguisedStart {
		marks = append(marks, mark{r.DisguisedStart, r.DisguisedEnd, false})
	}
	if r.Verdict == textcheck.MislabelledCommercial {
		for i := 0; i < r.Class.NEvidence; i++ {
			if e := r.Class.Evidence[i]; e.Feature.Commercial() {
				marks = append(marks, mark{e.Start, e.End, false})
			}
		}
	}
	sort.Slice(marks, func(i, j int) bool { return marks[i].start < marks[j].start })
	open, closeMain, openOther, closeOther := "[[", "]]", "{{", "}}"
	if color {
		open, openOther, closeMain, closeOther = "\x1b[1;32m", "\x1b[1;33m", "\x1b[0m", "\x1b[0m"
		if !r.Verdict.OK() {
			open = "\x1b[1;31m"
		}
	}
	var b strings.Builder
	at := 0
	for _, m := range marks {
		if m.start < at { // overlapping marks: keep the first
			continue
		}
		b.WriteString(text[at:m.start])
		if m.main {
			b.WriteString(open + text[m.start:m.end] + closeMain)
		} else {
			b.WriteString(openOther + text[m.start:m.end] + closeOther)
		}
		at = m.end
	}
	b.WriteString(text[at:])
	return b.String()
}

// corpusLine is what lint reads from a line of a corpus file.
type corpusLine struct {
	ID             json.RawMessage `json:"id"`
	Sender         *string         `json:"sender"`
	SenderCategory *string         `json:"sender_category"`
	OptoutChannels *[]struct {
		Code string `json:"code"`
		Free bool   `json:"free"`
	} `json:"optout_channels"`
	Text   *string `json:"text"`
	Expect string  `json:"expect"`
}

// verdictLine is what lint writes for a line it could check.
type verdictLine struct {
	ID      json.RawMessage `json:"id,omitempty"`
	Verdict string          `json:"verdict"`
	Reason  string          `json:"reason"`
	Span    *[2]int         `json:"span,omitempty"`
}

// errorLine is what lint writes for a line it could not read.
type errorLine struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// maxLineBytes bounds a corpus line.
const maxLineBytes = 4 << 20

func lintCorpus(ctx context.Context, path string, defaults textcheck.Input, stdio *IO) error {
	var r io.Reader = stdio.In
	var size int64 = -1
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("open corpus: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r = f
	}
	bar := progress.New(stdio.Err, size, "lint", "texts")
	br := bufio.NewReaderSize(bar.Reader(r), 64<<10)
	out := bufio.NewWriter(stdio.Out)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)

	checker := textcheck.NewChecker()
	var (
		counts    = map[textcheck.Verdict]int{}
		labelled  = map[string]int{}
		right     = map[string]int{}
		confusion = map[[2]string][]string{}
		broken    int
		total     int
	)
	for line := 1; ; line++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			if errors.Is(err, errLineTooLong) {
				broken++
				if err := enc.Encode(errorLine{line, err.Error()}); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				continue
			}
			return fmt.Errorf("read corpus line %d: %w", line, err)
		}
		if len(bytes.TrimSpace(raw)) > 0 {
			in, cl, perr := parseCorpusLine(raw, defaults)
			if perr != nil {
				broken++
				if err := enc.Encode(errorLine{line, perr.Error()}); err != nil {
					return fmt.Errorf("write: %w", err)
				}
			} else {
				res := checker.Check(&in)
				total++
				counts[res.Verdict]++
				v := verdictLine{ID: cl.ID, Verdict: res.Verdict.String(), Reason: res.Reason(&in)}
				if s, e, ok := res.Span(); ok {
					v.Span = &[2]int{s, e}
				}
				if err := enc.Encode(v); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				if cl.Expect != "" {
					labelled[cl.Expect]++
					if cl.Expect == v.Verdict {
						right[cl.Expect]++
					} else {
						k := [2]string{cl.Expect, v.Verdict}
						confusion[k] = append(confusion[k], idText(cl.ID, line))
					}
				}
			}
			bar.Record()
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	bar.Finish()
	if err := out.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	wrong := printLintSummary(stdio.Err, total, broken, counts, labelled, right, confusion)
	if broken > 0 || wrong > 0 {
		return &exitError{code: ExitFail}
	}
	return nil
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLineBytes)

// readLine reads one line without its end; a line too long is skipped
// whole and reported.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxLineBytes {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), err
	}
}

// parseCorpusLine reads one corpus line into an Input, with the flags'
// values for the fields it lacks.
func parseCorpusLine(raw []byte, defaults textcheck.Input) (textcheck.Input, corpusLine, error) {
	var cl corpusLine
	if err := json.Unmarshal(raw, &cl); err != nil {
		return textcheck.Input{}, cl, fmt.Errorf("not a JSON object: %v", err)
	}
	in := defaults
	if cl.Text == nil {
		return in, cl, errors.New(`no "text" field`)
	}
	in.Text = *cl.Text
	if cl.Sender != nil {
		in.Sender = *cl.Sender
	}
	if cl.SenderCategory != nil {
		cat, err := textcheck.ParseCategory(*cl.SenderCategory)
		if err != nil {
			return in, cl, fmt.Errorf("sender_category: %v", err)
		}
		in.Category = cat
	}
	if cl.OptoutChannels != nil {
		in.Channels = make([]textcheck.Channel, 0, len(*cl.OptoutChannels))
		for _, ch := range *cl.OptoutChannels {
			in.Channels = append(in.Channels, textcheck.Channel{Code: ch.Code, Free: ch.Free})
		}
	}
	return in, cl, nil
}

func idText(id json.RawMessage, line int) string {
	var s string
	if json.Unmarshal(id, &s) == nil && s != "" {
		return s
	}
	if len(id) > 0 && string(id) != "null" {
		return string(id)
	}
	return fmt.Sprintf("line %d", line)
}

// printLintSummary writes the counts, the accuracy per label and the
// confusions, and returns the number of texts that disagree with their
// label.
func printLintSummary(w io.Writer, total, broken int, counts map[textcheck.Verdict]int,
	labelled, right map[string]int, confusion map[[2]string][]string) int {
	fmt.Fprintf(w, "%d texts checked, %d broken lines\n", total, broken)
	for _, v := range textcheck.Verdicts() {
		fmt.Fprintf(w, "  %-24s %6d\n", v, counts[v])
	}
	if len(labelled) == 0 {
		return 0
	}
	fmt.Fprintln(w, "accuracy per expected label:")
	var n, ok int
	for _, v := range textcheck.Verdicts() {
		l := labelled[v.String()]
		if l == 0 {
			continue
		}
		n += l
		ok += right[v.String()]
		fmt.Fprintf(w, "  %-24s %5d/%-5d %6.1f %%\n", v, right[v.String()], l, 100*float64(right[v.String()])/float64(l))
	}
	for label, l := range labelled {
		if _, err := textcheck.ParseVerdict(label); err != nil {
			n += l
			fmt.Fprintf(w, "  %-24s %5d/%-5d (not a verdict)\n", label, 0, l)
		}
	}
	fmt.Fprintf(w, "  %-24s %5d/%-5d %6.1f %%\n", "all", ok, n, 100*float64(ok)/float64(n))
	if len(confusion) > 0 {
		fmt.Fprintln(w, "confusions (expected -> got):")
		keys := make([][2]string, 0, len(confusion))
		for k := range confusion {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if len(confusion[keys[i]]) != len(confusion[keys[j]]) {
				return len(confusion[keys[i]]) > len(confusion[keys[j]])
			}
			return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1]
		})
		for _, k := range keys {
			ids := confusion[k]
			shown := ids
			if len(shown) > 10 {
				shown = shown[:10]
			}
			more := ""
			if len(ids) > len(shown) {
				more = fmt.Sprintf(" and %d more", len(ids)-len(shown))
			}
			fmt.Fprintf(w, "  %s -> %s: %d (%s%s)\n", k[0], k[1], len(ids), strings.Join(shown, ", "), more)
		}
	}
	return n - ok
}
