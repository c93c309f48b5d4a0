package textcheck

import (
	"fmt"
	"strings"
	"sync"
)

// Category is the declared category of the sender ID a text is sent under.
// The zero value is Commercial, the stricter one: a sender whose category
// is not known is held to the opt-out rule.
type Category uint8

const (
	Commercial Category = iota
	Transactional
)

func (c Category) String() string {
	if c == Transactional {
		return "transactional"
	}
	return "commercial"
}

// ParseCategory reads "commercial" or "transactional".
func ParseCategory(s string) (Category, error) {
	switch s {
	case "commercial":
		return Commercial, nil
	case "transactional":
		return Transactional, nil
	}
	return Commercial, fmt.Errorf("unknown category %q (want commercial or transactional)", s)
}

// Channel is an opt-out channel registered for the sender (its provider's
// or its advertiser's): a short code or number and whether writing to it is
// free for the subscriber.
type Channel struct {
	Code string
	Free bool
}

// Input is what the verdict on one text depends on.
type Input struct {
	Text string
	// Sender is the sender ID the text goes out under: an alphanumeric name
	// (which cannot receive a reply) or a numeric short code (which can:
	// "Répondez STOP" then names it as the means).
	Sender   string
	Category Category
	// Channels are the opt-out channels registered for this sender's
	// provider and advertiser.
	Channels []Channel
	// National is the national StopSMS short code, a valid means for every
	// advertiser; empty when it is not configured.
	National string
}

// Verdict is the outcome of checking one text.
type Verdict uint8

const (
	// Compliant: a commercial text with a legible opt-out instruction whose
	// means is a registered free channel of this sender, or the national
	// one.
	Compliant Verdict = iota
	// MentionMissing: a commercial text without a legible instruction (a
	// keyword and a means) — none at all, a disguised keyword, or a
	// keyword with nowhere to send it.
	MentionMissing
	// ChannelInvalid: a legible instruction whose means is not a
	// registered free channel of this sender: not registered, premium,
	// another provider's code, a landline.
	ChannelInvalid
	// OKTransactional: a transactional sender's text that reads as
	// transactional.
	OKTransactional
	// MislabelledCommercial: a transactional sender's text that reads as
	// commercial prospecting (R9).
	MislabelledCommercial
)

var verdictNames = [...]string{
	"compliant", "optout-mention-missing", "optout-channel-invalid", "ok-transactional", "mislabelled-commercial",
}

// String returns the stable name of the verdict; the mention and channel
// verdicts and mislabelled-commercial are the reason codes of R4 and R9.
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", v)
}

// OK reports whether the text may go out as it is.
func (v Verdict) OK() bool { return v == Compliant || v == OKTransactional }

// ParseVerdict reads a verdict from its stable name.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if n == s {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q", s)
}

// Verdicts returns every verdict, in order.
func Verdicts() []Verdict {
	return []Verdict{Compliant, MentionMissing, ChannelInvalid, OKTransactional, MislabelledCommercial}
}

// Means tells what an instruction's means turned out to be.
type Means uint8

const (
	MeansNone         Means = iota // no instruction, or no number and an alphanumeric sender
	MeansChannel                   // a registered free channel of the sender
	MeansNational                  // the national StopSMS channel
	MeansPremium                   // a registered channel that is not free
	MeansUnregistered              // a number that is no channel of this sender
)

var meansNames = [...]string{"none", "channel", "national", "premium", "unregistered"}

func (m Means) String() string {
	if int(m) < len(meansNames) {
		return meansNames[m]
	}
	return "means?"
}

// Result is the verdict on one text with what it rests on.
type Result struct {
	Verdict Verdict
	// Instruction is the instruction the verdict rests on: the valid one
	// for Compliant, the first invalid one for ChannelInvalid, a keyword
	// without means for MentionMissing when there is one. Form is FormNone
	// when there is none.
	Instruction Instruction
	// Means is what the instruction's means is; for the reply forms the
	// means is the sender, given in Instruction.Means when it is numeric.
	Means Means
	// Disguised is the span of the original text of a keyword written to
	// dodge filters ("S T O P", "ST0P"), when the text has no legible
	// instruction; empty otherwise.
	DisguisedStart, DisguisedEnd int
	// KeywordOnly reports a keyword found in no instruction ("dit STOP au
	// gaspillage"), for the reason.
	KeywordOnly bool
	// Class is the classifier's reading, for transactional senders.
	Class Classification
}

// Span returns the bytes of the original text the verdict points at: the
// instruction, or nothing (ok is false).
func (r *Result) Span() (start, end int, ok bool) {
	if r.Instruction.Form == FormNone {
		return 0, 0, false
	}
	return r.Instruction.Start, r.Instruction.End, true
}

// Checker checks texts. It holds the buffers of one check at a time, so a
// Checker is not safe for concurrent use: give each goroutine its own, or
// use the package function Check, which pools them. Checking does not
// allocate once the buffers have grown to the longest text seen.
type Checker struct {
	text Text
	find finder
	cls  classifier
}

// NewChecker returns a Checker.
func NewChecker() *Checker {
	ensureInit()
	return &Checker{}
}

var initOnce sync.Once

func ensureInit() {
	initOnce.Do(func() {
		foldTable.once.Do(buildFoldTable)
		lexOnce.Do(buildLexicon)
	})
}

var checkers = sync.Pool{New: func() any { return NewChecker() }}

// Check checks one text with a pooled Checker.
func Check(in *Input) Result {
	c := checkers.Get().(*Checker)
	r := c.Check(in)
	checkers.Put(c)
	return r
}

// Check returns the verdict on in: for a commercial sender, whether the text
// carries a legible opt-out instruction naming a registered free channel
// (R4); for a transactional sender, whether the text reads as commercial
// prospecting (R9). A transactional sender's text needs no opt-out
// instruction, and one does not change its reading.
func (c *Checker) Check(in *Input) Result {
	ensureInit()
	c.text.Reset(in.Text)
	c.find.reset(&c.text)
	c.find.find()
	var r Result
	if in.Category == Transactional {
		r.Class = c.cls.classify(&c.find)
		r.Verdict = OKTransactional
		if r.Class.Commercial {
			r.Verdict = MislabelledCommercial
		}
		if c.find.nFound > 0 {
			r.Instruction = c.find.found[0]
			r.Means = c.judge(in, &r.Instruction)
		}
		return r
	}
	c.judgeOptOut(in, &r)
	return r
}

// Classify returns the classifier's reading of text.
func (c *Checker) Classify(text string) Classification {
	ensureInit()
	c.text.Reset(text)
	c.find.reset(&c.text)
	c.find.find()
	return c.cls.classify(&c.find)
}

// Find returns the opt-out instructions of text, appended to dst, in the
// order they appear, whatever their means.
func (c *Checker) Find(dst []Instruction, text string) []Instruction {
	ensureInit()
	c.text.Reset(text)
	c.find.reset(&c.text)
	c.find.find()
	return append(dst, c.find.found[:c.find.nFound]...)
}

// judgeOptOut decides R4 for a commercial sender.
func (c *Checker) judgeOptOut(in *Input, r *Result) {
	f := &c.find
	invalid := -1
	var invalidMeans Means
	noMeans := -1
	for i := 0; i < f.nFound; i++ {
		ins := &f.found[i]
		m := c.judge(in, ins)
		switch m {
		case MeansChannel, MeansNational:
			r.Verdict = Compliant
			r.Instruction = *ins
			r.Means = m
			return
		case MeansNone:
			if noMeans < 0 {
				noMeans = i
			}
		default:
			if invalid < 0 {
				invalid, invalidMeans = i, m
			}
		}
	}
	switch {
	case invalid >= 0:
		r.Verdict = ChannelInvalid
		r.Instruction = f.found[invalid]
		r.Means = invalidMeans
	case noMeans >= 0:
		r.Verdict = MentionMissing
		r.Instruction = f.found[noMeans]
		r.Means = MeansNone
	default:
		r.Verdict = MentionMissing
		r.KeywordOnly = f.keywordSeen > 0
		f.findDisguised()
		if f.nDisguised > 0 {
			d := f.disguised[0]
			r.DisguisedStart, r.DisguisedEnd = c.text.Span(int(d[0]), int(d[1]))
		}
	}
}

// judge tells what the means of ins is for this sender. For the forms that
// name no number, the means is the sender itself when it is numeric; it is
// then stored in ins.Means.
func (c *Checker) judge(in *Input, ins *Instruction) Means {
	if !ins.Form.NamesNumber() {
		if !isShortCode(in.Sender) {
			return MeansNone
		}
		ins.Means = ParseNumber(in.Sender)
	}
	if ins.Means.IsZero() {
		return MeansNone
	}
	if in.National != "" && ins.Means.Equal(in.National) {
		return MeansNational
	}
	premium := false
	for _, ch := range in.Channels {
		if ins.Means.Equal(ch.Code) {
			if ch.Free {
				return MeansChannel
			}
			premium = true
		}
	}
	if premium {
		return MeansPremium
	}
	return MeansUnregistered
}

// isShortCode reports whether a sender ID is numeric (a short code or a
// number), so that a subscriber can reply to it.
func isShortCode(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
