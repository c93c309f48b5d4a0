package textcheck

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/results.golden")

// TestResultsGolden checks every field of the result (verdict, spans,
// means, disguised keyword, classification, reason) and the normalised
// form of every text of the corpus and of our own sentences against
// testdata/results.golden, so that a change made for speed changes
// nothing a caller sees. Run with -update to rewrite the file after a
// deliberate change, and review the diff.
func TestResultsGolden(t *testing.T) {
	var b strings.Builder
	c := NewChecker()
	line := func(id string, in Input) {
		r := c.Check(&in)
		fmt.Fprintf(&b, "%s\t%s\tins=%s[%d,%d)kw[%d,%d)means=%s/%s\tdisg=[%d,%d)kwonly=%v\tclass=%v/%d/%d",
			id, r.Verdict, r.Instruction.Form, r.Instruction.Start, r.Instruction.End,
			r.Instruction.KeywordStart, r.Instruction.KeywordEnd, r.Instruction.Means, r.Means,
			r.DisguisedStart, r.DisguisedEnd, r.KeywordOnly, r.Class.Commercial, r.Class.Score, r.Class.Service)
		for i := 0; i < r.Class.NEvidence; i++ {
			e := r.Class.Evidence[i]
			fmt.Fprintf(&b, " %s[%d,%d)", e.Feature, e.Start, e.End)
		}
		fmt.Fprintf(&b, "\n\tnorm=%s\n\treason=%s\n", Normalize(in.Text), r.Reason(&in))
	}
	for _, tc := range readCorpus(t) {
		line(tc.ID, tc.input(t))
	}
	for i, tc := range optoutCases {
		in := Input{Text: tc.text, Sender: "MARQUE", Channels: defaultChannels, National: tc.national}
		if tc.sender != "" {
			in.Sender = tc.sender
		}
		if tc.channels != nil {
			in.Channels = tc.channels
		}
		line(fmt.Sprintf("optout-%03d", i), in)
		in.Category = Transactional
		line(fmt.Sprintf("optout-%03d-t", i), in)
	}
	for i, tc := range classifyCases {
		line(fmt.Sprintf("classify-%03d", i), Input{Text: tc.text, Sender: "INFO", Category: Transactional})
	}
	got := b.String()
	const path = "testdata/results.golden"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s: line %d differs:\n got  %s\n want %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d", path, len(gl), len(wl))
	}
}
