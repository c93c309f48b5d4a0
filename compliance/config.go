package compliance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// CodeVersion names the version of the rules' code. Bump it whenever a
// change to this package can change a decision, so that the rule-set
// version written with every decision changes too.
const CodeVersion = "r1"

// Config is the configuration of the rules. Start from DefaultConfig (the
// defaults of docs/RULES.md) and change what differs; Validate names the bad
// field. The TOML keys are given in the field tags.
type Config struct {
	// Rules sets the mode of each rule for every provider. A rule not set
	// enforces. R1's refusal of a suspended or withdrawn provider enforces
	// in every mode: it is a measure in force, not a rule being rolled out.
	Rules Modes `toml:"rules" json:"rules"`
	// Providers overrides, for one provider (by ID), the mode of the rules
	// it sets; the other rules keep the global mode.
	Providers map[string]Modes `toml:"providers" json:"providers,omitempty"`

	// TimeZone is the IANA zone of the sending hours and of the days of the
	// frequency caps. Default "Africa/Casablanca".
	TimeZone string `toml:"time_zone" json:"time_zone"`
	// Hours is the window of local time in which commercial messages may be
	// sent (R7). Default 08:00–21:00. A window whose end is before its start
	// runs over midnight.
	Hours Hours `toml:"hours" json:"hours"`
	// NoSendWeekdays are days of the week without commercial sending
	// ("friday"). Default none.
	NoSendWeekdays []Weekday `toml:"no_send_weekdays" json:"no_send_weekdays,omitempty"`
	// NoSendDates are local dates without commercial sending (holidays,
	// "2026-03-20"). Default none.
	NoSendDates []Date `toml:"no_send_dates" json:"no_send_dates,omitempty"`
	// QuietHours is what R7 does outside the window: "defer" (the message
	// goes out at the next allowed time, with a schedule_delivery_time) or
	// "reject" (quiet-hours). Default defer.
	QuietHours QuietAction `toml:"quiet_hours" json:"quiet_hours"`

	// CapPerAdvertiser is the most commercial messages of one advertiser a
	// recipient gets in a local day (R8); 0 turns this cap off. Default 2.
	CapPerAdvertiser int `toml:"cap_per_advertiser" json:"cap_per_advertiser"`
	// CapTotal is the most commercial messages, over all advertisers, a
	// recipient gets in a local day; 0 turns this cap off. Default 4.
	CapTotal int `toml:"cap_total" json:"cap_total"`

	// Consent turns consent mode on: R6 requires a consent or
	// existing-customer record for recipient × advertiser. Default off.
	Consent bool `toml:"consent" json:"consent"`
	// ForeignRecipients lets R3 accept valid foreign mobile numbers; off,
	// only Moroccan mobile numbers are accepted. Default off.
	ForeignRecipients bool `toml:"foreign_recipients" json:"foreign_recipients"`
	// Mislabelled is what R9 does with commercial content under a
	// transactional sender ID: "flag" (the message passes, Decision.Flag
	// is set and the violation counted) or "reject". Default flag.
	Mislabelled MislabelledAction `toml:"mislabelled" json:"mislabelled"`
}

// DefaultConfig returns the defaults of docs/RULES.md: every rule enforced,
// sending 08:00–21:00 Africa/Casablanca every day, deferral outside it, 2
// messages a day per advertiser and 4 in all, consent mode off, Moroccan
// recipients only, mislabelled traffic flagged.
func DefaultConfig() Config {
	return Config{
		TimeZone:         "Africa/Casablanca",
		Hours:            Hours{From: 8 * 60, Until: 21 * 60},
		QuietHours:       QuietDefer,
		CapPerAdvertiser: 2,
		CapTotal:         4,
		Mislabelled:      MislabelledFlag,
	}
}

// MaxCap is the largest daily cap: counters hold a byte per recipient.
const MaxCap = 255

// Validate checks the configuration and names the first bad field by its
// TOML key ("rules.r4.enforce_from").
func (c *Config) Validate() error {
	if err := c.Rules.validate("rules"); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(c.Providers)) {
		if !bawwab.ValidKey(id) {
			return invalid("providers", "%q is not a provider ID", id)
		}
		m := c.Providers[id]
		if err := m.validate("providers." + id); err != nil {
			return err
		}
	}
	if c.TimeZone == "" {
		return invalid("time_zone", "missing (Africa/Casablanca is the default)")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return invalid("time_zone", "%v", err)
	}
	if c.Hours.From < 0 || c.Hours.From >= 24*60 {
		return invalid("hours.from", "%s is not a time of day", c.Hours.From)
	}
	if c.Hours.Until <= 0 || c.Hours.Until > 24*60 {
		return invalid("hours.until", "%s is not a time of day (00:01 to 24:00)", c.Hours.Until)
	}
	if c.Hours.From == c.Hours.Until {
		return invalid("hours.until", "equal to hours.from: the window is empty")
	}
	seen := 0
	for _, d := range c.NoSendWeekdays {
		if d < 0 || d > 6 {
			return invalid("no_send_weekdays", "unknown weekday %d", d)
		}
		seen |= 1 << d
	}
	if seen == 0x7f {
		return invalid("no_send_weekdays", "every day of the week: commercial messages could never be sent")
	}
	for _, d := range c.NoSendDates {
		if d.IsZero() {
			return invalid("no_send_dates", "empty date")
		}
	}
	if c.QuietHours != QuietDefer && c.QuietHours != QuietReject {
		return invalid("quiet_hours", "unknown action %d (want defer or reject)", c.QuietHours)
	}
	if c.CapPerAdvertiser < 0 || c.CapPerAdvertiser > MaxCap {
		return invalid("cap_per_advertiser", "%d is outside 0–%d", c.CapPerAdvertiser, MaxCap)
	}
	if c.CapTotal < 0 || c.CapTotal > MaxCap {
		return invalid("cap_total", "%d is outside 0–%d", c.CapTotal, MaxCap)
	}
	if c.Mislabelled != MislabelledFlag && c.Mislabelled != MislabelledReject {
		return invalid("mislabelled", "unknown action %d (want flag or reject)", c.Mislabelled)
	}
	return nil
}

// Version returns the rule-set version of this configuration:
// CodeVersion, a dash and a short hash of the canonical form of the
// configuration (times in UTC, lists sorted, maps by key), so that two
// configurations that decide alike share a version and any change makes a
// new one. It is written with every decision.
func (c *Config) Version() string {
	b, err := json.Marshal(c.canonical())
	if err != nil { // cannot happen: every field marshals
		panic("compliance: marshal config: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return CodeVersion + "-" + hex.EncodeToString(sum[:5])
}

// canonical returns a copy of c in a form where configurations that decide
// alike marshal to the same bytes: a global mode of plain enforce (the
// default) and a provider's override equal to the global mode are left out.
func (c *Config) canonical() Config {
	k := *c
	k.Rules = c.Rules.canonical(nil)
	k.Providers = nil
	for id, m := range c.Providers {
		if m = m.canonical(&k.Rules); m != (Modes{}) {
			if k.Providers == nil {
				k.Providers = make(map[string]Modes)
			}
			k.Providers[id] = m
		}
	}
	k.NoSendWeekdays = slices.Compact(slices.Sorted(slices.Values(c.NoSendWeekdays)))
	k.NoSendDates = slices.Compact(slices.SortedFunc(slices.Values(c.NoSendDates), Date.Compare))
	return k
}

// Rule is one of the rules R1–R9 of docs/RULES.md; the zero Rule is none.
type Rule uint8

// The rules, in the order they are checked.
const (
	NoRule Rule = iota
	R1          // provider declared, allowed to send, under contract with the recipient's operator
	R2          // sender ID registered to the provider, category known
	R3          // recipient a valid mobile number with a known operator
	R4          // commercial: a legible opt-out instruction naming a valid channel
	R5          // commercial: the recipient has not opposed
	R6          // commercial, consent mode: a consent or customer record exists
	R7          // commercial: within the allowed hours and days
	R8          // commercial: per-recipient daily caps
	R9          // transactional sender: the content is not commercial
)

// NumRules is the number of rules.
const NumRules = 9

// String returns "R1".."R9", or "" for NoRule.
func (r Rule) String() string {
	if r == NoRule || r > NumRules {
		return ""
	}
	return "R" + string(rune('0'+r))
}

// RuleMode is the mode of one rule: enforce, or monitor (the finding is
// recorded but the message passes), with an optional cut-over.
type RuleMode struct {
	// Mode is the mode until EnforceFrom.
	Mode bawwab.Mode `toml:"mode" json:"mode"`
	// EnforceFrom is the cut-over announced to providers: from this instant
	// a monitored rule enforces. Zero: no cut-over. Set only with monitor.
	EnforceFrom time.Time `toml:"enforce_from" json:"enforce_from,omitzero"`
}

// Modes holds a mode per rule; a rule left nil takes the mode of the level
// above (the global mode for a provider's override, enforce for the global
// modes).
type Modes struct {
	R1 *RuleMode `toml:"r1" json:"r1,omitempty"`
	R2 *RuleMode `toml:"r2" json:"r2,omitempty"`
	R3 *RuleMode `toml:"r3" json:"r3,omitempty"`
	R4 *RuleMode `toml:"r4" json:"r4,omitempty"`
	R5 *RuleMode `toml:"r5" json:"r5,omitempty"`
	R6 *RuleMode `toml:"r6" json:"r6,omitempty"`
	R7 *RuleMode `toml:"r7" json:"r7,omitempty"`
	R8 *RuleMode `toml:"r8" json:"r8,omitempty"`
	R9 *RuleMode `toml:"r9" json:"r9,omitempty"`
}

// Get returns the mode set for rule r, or nil.
func (m *Modes) Get(r Rule) *RuleMode { return *m.slot(r) }

// Set sets the mode of rule r.
func (m *Modes) Set(r Rule, mode RuleMode) { *m.slot(r) = &mode }

func (m *Modes) slot(r Rule) **RuleMode {
	switch r {
	case R1:
		return &m.R1
	case R2:
		return &m.R2
	case R3:
		return &m.R3
	case R4:
		return &m.R4
	case R5:
		return &m.R5
	case R6:
		return &m.R6
	case R7:
		return &m.R7
	case R8:
		return &m.R8
	case R9:
		return &m.R9
	}
	panic(fmt.Sprintf("compliance: no rule %d", r))
}

func (m *Modes) validate(prefix string) error {
	for r := R1; r <= NumRules; r++ {
		rm := m.Get(r)
		if rm == nil {
			continue
		}
		field := prefix + "." + strings.ToLower(r.String())
		if rm.Mode != bawwab.Enforce && rm.Mode != bawwab.Monitor {
			return invalid(field+".mode", "unknown mode %d (want enforce or monitor)", rm.Mode)
		}
		if !rm.EnforceFrom.IsZero() && rm.Mode != bawwab.Monitor {
			return invalid(field+".enforce_from", "a cut-over is for a rule in monitor mode")
		}
	}
	return nil
}

// canonical returns m with times in UTC and without the modes that change
// nothing: plain enforce at the global level (global nil), a mode equal to
// the global one in a provider's override.
func (m Modes) canonical(global *Modes) Modes {
	var k Modes
	for r := R1; r <= NumRules; r++ {
		rm := m.Get(r)
		if rm == nil {
			continue
		}
		c := *rm
		if !c.EnforceFrom.IsZero() {
			c.EnforceFrom = c.EnforceFrom.UTC()
		}
		base := RuleMode{} // plain enforce
		if global != nil && global.Get(r) != nil {
			base = *global.Get(r)
		}
		if c == base {
			continue
		}
		k.Set(r, c)
	}
	return k
}

// Clock is a time of day in minutes since midnight; its text form is
// "08:00" ("24:00" is the end of the day).
type Clock int

// ParseClock reads "HH:MM".
func ParseClock(s string) (Clock, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%2d:%2d", &h, &m); err != nil || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time of day %q: want HH:MM, 00:00 to 24:00", s)
	}
	return Clock(h*60 + m), nil
}

func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Hours is a daily window of local time, From included, Until excluded.
type Hours struct {
	From  Clock `toml:"from" json:"from"`
	Until Clock `toml:"until" json:"until"`
}

// Weekday is a day of the week, written in English ("friday").
type Weekday time.Weekday

func (d Weekday) String() string { return strings.ToLower(time.Weekday(d).String()) }

func (d Weekday) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Weekday) UnmarshalText(b []byte) error {
	for i := time.Sunday; i <= time.Saturday; i++ {
		if strings.EqualFold(string(b), i.String()) {
			*d = Weekday(i)
			return nil
		}
	}
	return fmt.Errorf("unknown weekday %q (want sunday to saturday)", b)
}

// Date is a calendar date, written "2026-03-20".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Compare orders dates.
func (d Date) Compare(e Date) int {
	if c := d.Year - e.Year; c != 0 {
		return c
	}
	if c := int(d.Month) - int(e.Month); c != 0 {
		return c
	}
	return d.Day - e.Day
}

// days returns the number of days from 1970-01-01 to d.
func (d Date) days() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// QuietAction is what R7 does outside the allowed hours.
type QuietAction uint8

const (
	// QuietDefer defers the message to the next allowed time.
	QuietDefer QuietAction = iota
	// QuietReject rejects it with quiet-hours.
	QuietReject
)

func (a QuietAction) String() string {
	if a == QuietReject {
		return "reject"
	}
	return "defer"
}

func (a QuietAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func (a *QuietAction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "defer":
		*a = QuietDefer
	case "reject":
		*a = QuietReject
	default:
		return fmt.Errorf("unknown quiet-hours action %q (want defer or reject)", b)
	}
	return nil
}

// MislabelledAction is what R9 does with commercial content under a
// transactional sender ID.
type MislabelledAction uint8

const (
	// MislabelledFlag passes the message with Decision.Flag set.
	MislabelledFlag MislabelledAction = iota
	// MislabelledReject rejects it with mislabelled-commercial.
	MislabelledReject
)

func (a MislabelledAction) String() string {
	if a == MislabelledReject {
		return "reject"
	}
	return "flag"
}

func (a MislabelledAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

func (a *MislabelledAction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "flag":
		*a = MislabelledFlag
	case "reject":
		*a = MislabelledReject
	default:
		return fmt.Errorf("unknown mislabelled action %q (want flag or reject)", b)
	}
	return nil
}

// invalid returns the error of a bad configuration field: a
// *bawwab.FieldError naming it by its TOML key.
func invalid(field, format string, args ...any) error {
	return bawwab.InvalidField(field, format, args...)
}
