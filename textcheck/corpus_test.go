package textcheck

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// corpusCase is a line of testdata/optout-public.jsonl, a copy of the
// public labelled corpus (/work/shared/corpus).
type corpusCase struct {
	ID             string `json:"id"`
	Lang           string `json:"lang"`
	Sender         string `json:"sender"`
	SenderCategory string `json:"sender_category"`
	OptoutChannels []struct {
		Code string `json:"code"`
		Free bool   `json:"free"`
	} `json:"optout_channels"`
	Text   string `json:"text"`
	Expect string `json:"expect"`
	Why    string `json:"why"`
}

func (c *corpusCase) input(t testing.TB) Input {
	cat, err := ParseCategory(c.SenderCategory)
	if err != nil {
		t.Fatalf("%s: %v", c.ID, err)
	}
	in := Input{Text: c.Text, Sender: c.Sender, Category: cat}
	for _, ch := range c.OptoutChannels {
		in.Channels = append(in.Channels, Channel{Code: ch.Code, Free: ch.Free})
	}
	return in
}

func readCorpus(t testing.TB) []corpusCase {
	t.Helper()
	f, err := os.Open("testdata/optout-public.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []corpusCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		var c corpusCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %d: %v", line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestCorpus checks every labelled text of the public corpus.
func TestCorpus(t *testing.T) {
	c := NewChecker()
	cases := readCorpus(t)
	if len(cases) < 200 {
		t.Fatalf("corpus has %d cases, want the 221 of the public set", len(cases))
	}
	right := map[string]int{}
	total := map[string]int{}
	for _, tc := range cases {
		t.Run(tc.ID, func(t *testing.T) {
			in := tc.input(t)
			r := c.Check(&in)
			total[tc.Expect]++
			if r.Verdict.String() == tc.Expect {
				right[tc.Expect]++
				return
			}
			span := "no span"
			if s, e, ok := r.Span(); ok {
				span = "span [" + tc.Text[s:e] + "]"
			}
			t.Errorf("%s (%s): got %s, want %s (%s)\n  %s\n  reason: %s\n  text: %s",
				tc.ID, tc.Lang, r.Verdict, tc.Expect, tc.Why, span, r.Reason(&in), tc.Text)
		})
	}
	for _, v := range Verdicts() {
		t.Logf("%-24s %3d/%3d", v, right[v.String()], total[v.String()])
	}
}
