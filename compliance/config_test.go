package compliance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/bawwab/bawwab"
)

func TestConfigValidate(t *testing.T) {
	def := DefaultConfig()
	must(t, def.Validate())
	cases := []struct {
		field string
		mod   func(*Config)
	}{
		{"rules.r4.mode", func(c *Config) { c.Rules.Set(R4, RuleMode{Mode: 7}) }},
		{"rules.r2.enforce_from", func(c *Config) { c.Rules.Set(R2, RuleMode{Mode: bawwab.Enforce, EnforceFrom: tuesday}) }},
		{"providers.atlasvas.r8.mode", func(c *Config) {
			c.Providers = map[string]Modes{"atlasvas": {R8: &RuleMode{Mode: 9}}}
		}},
		{"providers", func(c *Config) { c.Providers = map[string]Modes{"Atlas VAS": {}} }},
		{"time_zone", func(c *Config) { c.TimeZone = "" }},
		{"time_zone", func(c *Config) { c.TimeZone = "Africa/Atlantis" }},
		{"hours.from", func(c *Config) { c.Hours.From = 24 * 60 }},
		{"hours.until", func(c *Config) { c.Hours.Until = 0 }},
		{"hours.until", func(c *Config) { c.Hours.Until = c.Hours.From }},
		{"no_send_weekdays", func(c *Config) { c.NoSendWeekdays = []Weekday{7} }},
		{"no_send_weekdays", func(c *Config) { c.NoSendWeekdays = []Weekday{0, 1, 2, 3, 4, 5, 6} }},
		{"no_send_dates", func(c *Config) { c.NoSendDates = []Date{{}} }},
		{"quiet_hours", func(c *Config) { c.QuietHours = 2 }},
		{"cap_per_advertiser", func(c *Config) { c.CapPerAdvertiser = -1 }},
		{"cap_total", func(c *Config) { c.CapTotal = 256 }},
		{"mislabelled", func(c *Config) { c.Mislabelled = 3 }},
	}
	for _, c := range cases {
		cfg := DefaultConfig()
		c.mod(&cfg)
		err := cfg.Validate()
		var fe *bawwab.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.HasPrefix(err.Error(), c.field+": ") {
			t.Errorf("%s: got %v", c.field, err)
			continue
		}
		if bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("%s: code %q", c.field, bawwab.ErrorCode(err))
		}
		// The engine refuses it too, and keeps its configuration.
		e := newTestEnv(t, DefaultConfig())
		before := e.eng.RuleSet()
		if err := e.eng.SetConfig(cfg); err == nil || e.eng.RuleSet() != before {
			t.Errorf("%s: SetConfig took a bad configuration", c.field)
		}
	}
}

func TestConfigVersion(t *testing.T) {
	a := DefaultConfig()
	v := a.Version()
	if !strings.HasPrefix(v, CodeVersion+"-") || len(v) != len(CodeVersion)+11 {
		t.Fatalf("version %q", v)
	}
	// Equal configurations written differently share the version.
	for name, f := range map[string]func(*Config){
		"empty override":   func(c *Config) { c.Providers = map[string]Modes{"idle": {}} },
		"explicit enforce": func(c *Config) { c.Rules.Set(R5, RuleMode{Mode: bawwab.Enforce}) },
		"override equal to the global mode": func(c *Config) {
			c.Providers = map[string]Modes{"idle": {R5: &RuleMode{Mode: bawwab.Enforce}}}
		},
	} {
		b := DefaultConfig()
		f(&b)
		if b.Version() != v {
			t.Errorf("%s changed the version", name)
		}
	}
	c1, c2 := DefaultConfig(), DefaultConfig()
	c1.NoSendWeekdays = []Weekday{5, 0}
	c2.NoSendWeekdays = []Weekday{0, 5, 5}
	c1.Rules.Set(R4, RuleMode{Mode: bawwab.Monitor, EnforceFrom: local(2026, 7, 1, 0, 0)})
	c2.Rules.Set(R4, RuleMode{Mode: bawwab.Monitor, EnforceFrom: local(2026, 7, 1, 0, 0).UTC()})
	if c1.Version() != c2.Version() {
		t.Error("the same configuration, written differently, got two versions")
	}
	// Any change is a new version.
	seen := map[string]string{v: "default"}
	changes := map[string]func(*Config){
		"cap":      func(c *Config) { c.CapTotal = 5 },
		"hours":    func(c *Config) { c.Hours.From = 9 * 60 },
		"mode":     func(c *Config) { c.Rules.Set(R5, RuleMode{Mode: bawwab.Monitor}) },
		"cut-over": func(c *Config) { c.Rules.Set(R5, RuleMode{Mode: bawwab.Monitor, EnforceFrom: tuesday}) },
		"provider": func(c *Config) { c.Providers = map[string]Modes{"atlasvas": {R5: &RuleMode{Mode: bawwab.Monitor}}} },
		"consent":  func(c *Config) { c.Consent = true },
		"foreign":  func(c *Config) { c.ForeignRecipients = true },
		"r9":       func(c *Config) { c.Mislabelled = MislabelledReject },
		"r7":       func(c *Config) { c.QuietHours = QuietReject },
		"date":     func(c *Config) { c.NoSendDates = []Date{{2026, 1, 1}} },
	}
	for name, f := range changes {
		c := DefaultConfig()
		f(&c)
		if other, dup := seen[c.Version()]; dup {
			t.Errorf("%s has the version of %s", name, other)
		}
		seen[c.Version()] = name
	}
	e := newTestEnv(t, DefaultConfig())
	if e.eng.RuleSet() != v {
		t.Error("engine rule set differs from the config's version")
	}
	c := DefaultConfig()
	c.CapTotal = 3
	must(t, e.eng.SetConfig(c))
	if s := e.submission(); e.eng.Decide(&s).RuleSet != c.Version() {
		t.Error("decisions after SetConfig do not carry the new version")
	}
}

// TestConfigTOML reads the documented example: every key maps to a field.
func TestConfigTOML(t *testing.T) {
	cfg := DefaultConfig()
	md, err := toml.DecodeFile("testdata/compliance.toml", &cfg)
	must(t, err)
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("keys that map to no field: %v", u)
	}
	must(t, cfg.Validate())
	want := DefaultConfig()
	want.NoSendWeekdays = []Weekday{Weekday(time.Friday)}
	want.NoSendDates = []Date{{2026, 3, 20}, {2026, 5, 27}}
	want.Rules.Set(R4, RuleMode{Mode: bawwab.Monitor, EnforceFrom: local(2026, 7, 1, 0, 0)})
	want.Rules.Set(R9, RuleMode{Mode: bawwab.Monitor})
	want.Providers = map[string]Modes{
		"atlasvas": {R4: &RuleMode{Mode: bawwab.Enforce}},
		"newvas":   {R8: &RuleMode{Mode: bawwab.Monitor, EnforceFrom: local(2026, 9, 1, 8, 0)}},
	}
	if cfg.Version() != want.Version() {
		t.Errorf("decoded %+v\nwant    %+v", cfg, want)
	}
	var bad Config
	if _, err := toml.Decode(`[hours]
from = "8h"`, &bad); err == nil || !strings.Contains(err.Error(), "HH:MM") {
		t.Errorf("bad time of day: %v", err)
	}
	if _, err := toml.Decode(`no_send_weekdays = ["vendredi"]`, &bad); err == nil {
		t.Error("bad weekday accepted")
	}
}

func TestClockDate(t *testing.T) {
	for _, s := range []string{"00:00", "08:00", "21:30", "24:00"} {
		c, err := ParseClock(s)
		if err != nil || c.String() != s {
			t.Errorf("%s: %v %v", s, c, err)
		}
	}
	for _, s := range []string{"", "8:00", "24:01", "12:60", "aa:bb", "12-00"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
	d, err := ParseDate("2026-03-20")
	if err != nil || d.String() != "2026-03-20" {
		t.Errorf("date: %v %v", d, err)
	}
	if _, err := ParseDate("2026-02-30"); err == nil {
		t.Error("2026-02-30 accepted")
	}
}
