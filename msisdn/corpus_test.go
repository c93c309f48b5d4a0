package msisdn

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// corpusCase is one line of the public corpus: an input and what it must
// give (E164 nil for an input to refuse).
type corpusCase struct {
	Input   string  `json:"input"`
	E164    *string `json:"e164"`
	Mobile  *bool   `json:"mobile"`
	Country string  `json:"country"`
	Why     string  `json:"why"`
}

func readCorpus(t testing.TB, path string) []corpusCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCorpus checks every expectation of the public corpus
// (testdata/msisdn-public.jsonl, a copy of the shared corpus).
func TestCorpus(t *testing.T) {
	cases := readCorpus(t, "testdata/msisdn-public.jsonl")
	if len(cases) < 60 {
		t.Fatalf("corpus has %d cases, want the whole file", len(cases))
	}
	for _, c := range cases {
		n, err := Parse(c.Input)
		if c.E164 == nil {
			if err == nil {
				t.Errorf("Parse(%q) = %s, want an error (%s)", c.Input, n, c.Why)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v, want %s", c.Input, err, *c.E164)
			continue
		}
		if got := n.E164(); got != *c.E164 {
			t.Errorf("Parse(%q) = %s, want %s", c.Input, got, *c.E164)
		}
		if c.Mobile != nil && n.Mobile() != *c.Mobile {
			t.Errorf("Parse(%q).Mobile() = %v, want %v (kind %s)", c.Input, n.Mobile(), *c.Mobile, n.Kind())
		}
		if c.Country != "" && n.Region() != c.Country {
			t.Errorf("Parse(%q).Region() = %q, want %q", c.Input, n.Region(), c.Country)
		}
		// The same bytes through the SMPP path give the same number.
		if b, err := ParseBytes([]byte(c.Input)); err != nil || b != n {
			t.Errorf("ParseBytes(%q) = %v, %v; Parse gave %v", c.Input, b, err, n)
		}
	}
}
