package textcheck

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Reason returns one sentence an integrator understands: what the verdict
// rests on and, when the text is refused, how to fix it. in must be the
// input r was computed from. It allocates; the gateway calls it only for
// the texts it refuses or flags.
func (r *Result) Reason(in *Input) string {
	text := in.Text
	ins := &r.Instruction
	switch r.Verdict {
	case Compliant:
		kw := quoteOf(ins.Keyword(text))
		switch {
		case !ins.Form.NamesNumber():
			return fmt.Sprintf("the text asks the subscriber to reply %s to the sender %s, a registered free opt-out channel", kw, in.Sender)
		case r.Means == MeansNational:
			return fmt.Sprintf("the text tells the subscriber to send %s to %s, the national StopSMS channel", kw, ins.Means)
		}
		return fmt.Sprintf("the text tells the subscriber to send %s to %s, a registered free opt-out channel of this sender", kw, ins.Means)

	case ChannelInvalid:
		kw := quoteOf(ins.Keyword(text))
		where := "sends " + kw + " to " + ins.Means.String()
		if !ins.Form.NamesNumber() {
			where = "asks for a reply " + kw + " to the sender " + in.Sender
		}
		if r.Means == MeansPremium {
			return fmt.Sprintf("the instruction %s, a premium-rate channel, but opting out must be free: name a free one, %s", where, fixWith(in, kw))
		}
		what := "which is not a registered opt-out channel of this sender"
		switch kind := numberKind(ins.Means); kind {
		case "":
		default:
			what = "which is " + kind + ", not a registered opt-out channel of this sender"
		}
		return fmt.Sprintf("the instruction %s, %s: name a registered free one, %s", where, what, fixWith(in, kw))

	case MentionMissing:
		switch {
		case ins.Form != FormNone:
			kw := quoteOf(ins.Keyword(text))
			sender := "no sender ID is given to reply to"
			if in.Sender != "" {
				sender = fmt.Sprintf("the sender %q is not a short code that can receive it", in.Sender)
			}
			return fmt.Sprintf("%s names no number to send %s to, and %s: %s",
				quoteOf(text[ins.Start:ins.End]), kw, sender, fixWith(in, kw))
		case r.DisguisedEnd > r.DisguisedStart:
			return fmt.Sprintf("the keyword is disguised as %s, which is not legible: spell it plainly, %s",
				quoteOf(text[r.DisguisedStart:r.DisguisedEnd]), fixWith(in, `"STOP"`))
		case r.KeywordOnly:
			return fmt.Sprintf("an opt-out word appears but no instruction (a keyword and the number to send it to): %s", fixWith(in, `"STOP"`))
		}
		return fmt.Sprintf("the commercial text has no opt-out instruction: %s", fixWith(in, `"STOP"`))

	case OKTransactional:
		if e, ok := r.Class.first(false); ok {
			return fmt.Sprintf("transactional content (%s %s) under a transactional sender ID; no opt-out instruction is needed", e.Feature.label(), quoteOf(text[e.Start:e.End]))
		}
		return "nothing in the text reads as prospecting, and the sender ID is transactional; no opt-out instruction is needed"

	case MislabelledCommercial:
		var parts []string
		for i := 0; i < r.Class.NEvidence && len(parts) < 3; i++ {
			e := r.Class.Evidence[i]
			if e.Feature.Commercial() {
				parts = append(parts, e.Feature.label()+" "+quoteOf(text[e.Start:e.End]))
			}
		}
		return fmt.Sprintf("the text reads as commercial prospecting (%s) but the sender ID is registered as transactional: send promotions under a commercial sender ID, with an opt-out instruction",
			strings.Join(parts, ", "))
	}
	return r.Verdict.String()
}

// first returns the first evidence that is (or is not) commercial.
func (c *Classification) first(commercial bool) (Evidence, bool) {
	for i := 0; i < c.NEvidence; i++ {
		if c.Evidence[i].Feature.Commercial() == commercial {
			return c.Evidence[i], true
		}
	}
	return Evidence{}, false
}

// fixWith proposes an instruction with one of the sender's free channels.
func fixWith(in *Input, kw string) string {
	var free []string
	for _, ch := range in.Channels {
		if ch.Free {
			free = append(free, ch.Code)
		}
	}
	kw = strings.Trim(kw, `"`)
	if strings.ContainsAny(kw, " .-_") || kw == "" {
		kw = "STOP"
	}
	switch {
	case len(free) == 1:
		return fmt.Sprintf("for example \"%s au %s\", its registered free channel", kw, free[0])
	case len(free) > 1:
		return fmt.Sprintf("for example \"%s au %s\" (registered free channels: %s)", kw, free[0], strings.Join(free, ", "))
	case in.National != "":
		return fmt.Sprintf("this sender has no registered free opt-out channel: write \"STOP <BRAND> au %s\" (the national StopSMS channel) or register one", in.National)
	}
	return "and this sender has no registered free opt-out channel yet: register one, then write \"" + kw + " au <code>\""
}

// numberKind says what a number is when it is plainly not a short code.
func numberKind(n Number) string {
	s := n.String()
	if len(s) == 10 && s[0] == '0' {
		switch s[1] {
		case '5':
			return "a landline number"
		case '6', '7':
			return "a mobile number"
		case '8':
			return "a service number"
		}
	}
	return ""
}

func quoteOf(s string) string {
	if len(s) > 60 {
		cut := 57
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return `"` + s + `"`
}
