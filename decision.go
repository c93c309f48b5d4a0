package bawwab

import (
	"fmt"
	"time"
)

// Category is the declared category of a sender ID and of the traffic under
// it. Only commercial traffic is subject to the rules R4–R8.
type Category uint8

const (
	CategoryUnknown Category = iota
	CategoryCommercial
	CategoryTransactional
)

var categoryNames = [...]string{"unknown", "commercial", "transactional"}

func (c Category) String() string {
	if int(c) < len(categoryNames) {
		return categoryNames[c]
	}
	return fmt.Sprintf("category(%d)", c)
}

// ParseCategory reads "commercial" or "transactional".
func ParseCategory(s string) (Category, error) {
	switch s {
	case "commercial":
		return CategoryCommercial, nil
	case "transactional":
		return CategoryTransactional, nil
	}
	return CategoryUnknown, Errorf(EINVALID, "unknown category %q (want commercial or transactional)", s)
}

func (c Category) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *Category) UnmarshalText(b []byte) error {
	v, err := ParseCategory(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Outcome is what happens to a submitted message.
type Outcome uint8

const (
	// Accept forwards the message to the recipient's operator.
	Accept Outcome = iota
	// Reject answers the provider with the reason and never forwards.
	Reject
	// Defer forwards the message with a scheduled delivery time.
	Defer
)

var outcomeNames = [...]string{"accept", "reject", "defer"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", o)
}

// ParseOutcome reads "accept", "reject" or "defer".
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown outcome %q", s)
}

func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Mode says whether a rule refuses what it finds (enforce) or only records
// and counts it (monitor), the way a new rule is rolled out.
type Mode uint8

const (
	Enforce Mode = iota
	Monitor
)

func (m Mode) String() string {
	if m == Monitor {
		return "monitor"
	}
	return "enforce"
}

// ParseMode reads "enforce" or "monitor".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "enforce":
		return Enforce, nil
	case "monitor":
		return Monitor, nil
	}
	return 0, Errorf(EINVALID, "unknown mode %q (want enforce or monitor)", s)
}

func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Decision is the verdict of the rules on one message. It is a value with no
// pointers so that deciding allocates nothing.
type Decision struct {
	Outcome Outcome
	// Reason is why the message was rejected or deferred; for an accepted
	// message it is ReasonNone, or the reason a rule in monitor mode would
	// have rejected it for (then Monitored is true).
	Reason Reason
	// Monitored is true when a rule in monitor mode found Reason but let the
	// message pass.
	Monitored bool
	// Flag is a violation counted without refusing the message, such as
	// mislabelled-commercial when the configuration passes it.
	Flag Reason
	// Until is the scheduled delivery time of a deferred message.
	Until time.Time
	// RuleSet is the version of the rule set that decided.
	RuleSet string
}

// Accepted reports whether the message goes on to the operator (accepted or
// deferred).
func (d Decision) Accepted() bool { return d.Outcome != Reject }

func (d Decision) String() string {
	switch {
	case d.Outcome == Defer:
		return fmt.Sprintf("defer(%s) until %s", d.Reason, d.Until.Format(time.RFC3339))
	case d.Outcome == Reject:
		return fmt.Sprintf("reject(%s)", d.Reason)
	case d.Monitored:
		return fmt.Sprintf("accept [monitor: %s]", d.Reason)
	case d.Flag != ReasonNone:
		return fmt.Sprintf("accept [flag: %s]", d.Flag)
	}
	return "accept"
}
