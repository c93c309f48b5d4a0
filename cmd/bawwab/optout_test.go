package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNormalizeMSISDN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+212612345678", "+212612345678"},
		{"00212612345678", "+212612345678"},
		{"212612345678", "+212612345678"},
		{"0612345678", "+212612345678"},
		{"612345678", "+212612345678"},
		{"06 12 34 56 78", "+212612345678"},
		{"06-12-34-56-78", "+212612345678"},
		{"06.12.34.56.78", "+212612345678"},
		{"+212 (0)6 12", ""},
		{" +212 6 12 34 56 78 ", "+212612345678"},
		{"٠٦١٢٣٤٥٦٧٨", "+212612345678"},
		{"۰۷۱۲۳۴۵۶۷۸", "+212712345678"},
		{"+33612345678", "+33612345678"},
		{"0033612345678", "+33612345678"},
		{"+212412345678", ""}, // no such Moroccan range
		{"+21261234567", ""},  // one digit short
		{"06123456789", ""},
		{"12345", ""},
		{"", ""},
		{"abc", ""},
		{"+2126123x5678", ""},
		{"++212612345678", ""},
		{"+0612345678", ""},
		{strings.Repeat("9", 40), ""},
	}
	for _, tt := range tests {
		got, err := normalizeMSISDN(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("normalizeMSISDN(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("normalizeMSISDN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	// Errors do not print the whole number.
	if _, err := normalizeMSISDN("06123456789"); err == nil || strings.Contains(err.Error(), "06123456789") {
		t.Errorf("error shows the number: %v", err)
	}
}

type checked struct {
	MSISDN      string `json:"msisdn"`
	Oppositions []struct {
		Scope   string    `json:"scope"`
		Since   time.Time `json:"since"`
		Channel string    `json:"channel"`
	} `json:"oppositions"`
}

func check(t *testing.T, flags []string, number string) checked {
	t.Helper()
	r := mustRun(t, "", append([]string{"optout", "check", number}, flags...)...)
	var c checked
	if err := json.Unmarshal([]byte(r.out), &c); err != nil {
		t.Fatalf("check output %q: %v", r.out, err)
	}
	if strings.Count(r.out, "\n") != 1 {
		t.Fatalf("check prints more than one JSON line: %q", r.out)
	}
	return c
}

func TestOptout(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		mustRun(t, "", append([]string{"registry", "import", examples}, flags...)...)

		// A national list: just numbers, in any form.
		list := "msisdn\n+212600000001\n0600000002\n06 00 00 00 03\n00212700000004\n"
		f := writeFile(t, t.TempDir(), "stop.csv", list)
		r := mustRun(t, "", append([]string{"optout", "import", f}, flags...)...)
		if !strings.Contains(r.errOut, "imported 4 oppositions") || !strings.Contains(r.errOut, "0 errors") {
			t.Fatalf("summary: %s", r.errOut)
		}
		c := check(t, flags, "0600000003")
		if c.MSISDN != "+212600000003" || len(c.Oppositions) != 1 || c.Oppositions[0].Scope != "national" || c.Oppositions[0].Channel != "import" {
			t.Fatalf("check = %+v", c)
		}
		c = check(t, flags, "+212600000009")
		if c.Oppositions == nil || len(c.Oppositions) != 0 {
			t.Fatalf("check of a number never seen = %+v, want an empty list", c)
		}

		// The full form, from standard input, columns in any order.
		r = mustRun(t, readFile(t, filepath.Join(examples, "oppositions.csv")), append([]string{"optout", "import", "-"}, flags...)...)
		if !strings.Contains(r.errOut, "imported 5 oppositions") {
			t.Fatalf("summary: %s", r.errOut)
		}
		c = check(t, flags, "0600000102")
		if len(c.Oppositions) != 1 || c.Oppositions[0].Scope != "advertiser:atlas-market" || c.Oppositions[0].Channel != "5050" ||
			!c.Oppositions[0].Since.Equal(time.Date(2025, 3, 2, 10, 0, 0, 0, time.UTC)) {
			t.Fatalf("check = %+v", c)
		}
		if c := check(t, flags, "0700000104"); len(c.Oppositions) != 0 {
			t.Fatalf("a STOP lifted by a START is still in force: %+v", c)
		}

		// Export: what is in force, one line per number and scope.
		out := mustRun(t, "", append([]string{"optout", "export"}, flags...)...).out
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != "msisdn,scope,action,at,channel,seq" || len(lines) != 8 {
			t.Fatalf("export:\n%s", out)
		}
		if strings.Contains(out, "+212700000104,advertiser:souk-nour") {
			t.Fatalf("export lists a lifted opposition:\n%s", out)
		}
		// The export imports back (seq is ignored).
		g := writeFile(t, t.TempDir(), "export.csv", out)
		mustRun(t, "", append([]string{"optout", "import", g}, flags...)...)

		// A provider's delta: what concerns it after a sequence number,
		// lifted oppositions included.
		// The export says up to which change it goes: the next delta's N.
		r = mustRun(t, "", append([]string{"optout", "export"}, flags...)...)
		_, mark, ok := strings.Cut(r.errOut, "--since-seq ")
		if !ok {
			t.Fatalf("export does not give the next --since-seq: %s", r.errOut)
		}
		mark = strings.TrimRight(mark, ")\n")
		h := writeFile(t, t.TempDir(), "delta.csv", "msisdn,scope,action,channel\n0600000001,national,start,web\n0600000050,advertiser:atlas-market,stop,5050\n0600000051,advertiser:dar-lbahja,stop,5151\n")
		mustRun(t, "", append([]string{"optout", "import", h}, flags...)...)
		delta := mustRun(t, "", append([]string{"optout", "export", "--provider", "atlasvas", "--since-seq", mark}, flags...)...).out
		dl := strings.Split(strings.TrimSpace(delta), "\n")
		if len(dl) != 3 || !strings.HasPrefix(dl[1], "+212600000001,national,start,") || !strings.HasPrefix(dl[2], "+212600000050,advertiser:atlas-market,stop,") {
			t.Fatalf("atlasvas's delta since %s:\n%s", mark, delta)
		}
		// Into a file.
		p := filepath.Join(t.TempDir(), "atlas.csv")
		r = mustRun(t, "", append([]string{"optout", "export", "--provider", "atlasvas", p}, flags...)...)
		if got := readFile(t, p); strings.Contains(got, "dar-lbahja") || !strings.Contains(got, "atlas-market") {
			t.Fatalf("atlasvas's export:\n%s", got)
		}
		if r := run(t, "", append([]string{"optout", "export", "--provider", "nobody"}, flags...)...); r.code != ExitFail {
			t.Fatalf("export for an unknown provider: exit %d", r.code)
		}
	})
}

func TestOptoutImportErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          []string
	}{
		{"no msisdn column", "number\n0699887766\n", []string{`line 1: unknown column "number"`}},
		{"bad number", "msisdn\n0699887766\n0612\n0699887767\n", []string{"line 3, column msisdn:", "1 error"}},
		{"bad scope", "msisdn,scope\n0699887766,advertisers:x\n", []string{"line 2, column scope: invalid scope"}},
		{"unknown advertiser", "msisdn,scope\n0699887766,national\n0699887767,advertiser:nobody\n", []string{`line 3, column scope: no advertiser "nobody"`}},
		{"bad action", "msisdn,action\n0699887766,STOPP\n", []string{"line 2, column action:"}},
		{"bad time", "msisdn,at\n0699887766,yesterday\n", []string{"line 2, column at:"}},
		{"field count", "msisdn,scope\n0699887766\n", []string{"line 2: wrong number of fields"}},
		{"many errors", "msisdn\n" + strings.Repeat("x\n", 25), []string{"25 errors", "line 11, column msisdn", "and 15 more"}},
	}
	forEachStore(t, func(t *testing.T, flags []string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := writeFile(t, t.TempDir(), "o.csv", tt.content)
				r := run(t, "", append([]string{"optout", "import", f}, flags...)...)
				if r.code != ExitFail {
					t.Fatalf("exit %d:\n%s", r.code, r.errOut)
				}
				for _, w := range append(tt.want, "nothing was imported") {
					if !strings.Contains(r.errOut, w) {
						t.Errorf("stderr lacks %q:\n%s", w, r.errOut)
					}
				}
				if strings.Contains(r.errOut, "0699887766") {
					t.Errorf("stderr shows a number in clear:\n%s", r.errOut)
				}
				if c := check(t, flags, "0699887766"); len(c.Oppositions) != 0 {
					t.Fatalf("a rejected file left oppositions: %+v", c)
				}
			})
		}
	})
}

func TestOptoutUsage(t *testing.T) {
	data := []string{"--data", t.TempDir()}
	for _, args := range [][]string{
		{"optout"},
		{"optout", "check"},
		{"optout", "check", "hello"},
		{"optout", "import"},
		{"optout", "import", "--since-seq", "3", "x.csv"},
		{"optout", "export", "--since-seq", "-1"},
		{"optout", "drop"},
	} {
		if r := run(t, "", append(args, data...)...); r.code != ExitUsage {
			t.Errorf("bawwab %v: exit %d, want %d\n%s", args, r.code, ExitUsage, r.errOut)
		}
	}
	r := mustRun(t, "", "optout", "-help")
	for _, want := range []string{"msisdn ", "--since-seq", "provider:ID", "bawwab optout check"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
