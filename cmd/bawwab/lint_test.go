package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of the lint tests")

func TestLintText(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		code   int
		out    []string // substrings of stdout
		stderr string   // substring of stderr
	}{
		{"compliant", "", []string{"lint", "--channel", "5050", "Promo -20% ce week-end ! STOP au 5050"}, ExitOK,
			[]string{"compliant: ", "Promo -20% ce week-end ! [[STOP au 5050]]\n"}, ""},
		{"flags after the text", "", []string{"lint", "Soldes", "!", "STOP au 5050", "--channel", "5050"}, ExitOK,
			[]string{"compliant: ", "Soldes ! [[STOP au 5050]]"}, ""},
		{"text after --", "", []string{"lint", "--channel=5050", "--", "-20% ! STOP au 5050"}, ExitOK,
			[]string{"-20% ! [[STOP au 5050]]"}, ""},
		{"reply to the sender", "", []string{"lint", "--sender", "7070", "--channel", "7070", "Doublez votre recharge ! Répondez STOP."}, ExitOK,
			[]string{"compliant: ", "[[Répondez STOP]]"}, ""},
		{"premium channel", "", []string{"lint", "--channel", "2727,2728:premium", "Gagnez ! STOP au 2728"}, ExitFail,
			[]string{"optout-channel-invalid: ", "premium", `"STOP au 2727"`, "[[STOP au 2728]]"}, ""},
		{"unregistered channel", "", []string{"lint", "--channel", "9090", "Épilation -40% ! Envoyez STOP au 9009"}, ExitFail,
			[]string{"optout-channel-invalid: ", "9009", "[[STOP au 9009]]"}, ""},
		{"national channel", "", []string{"lint", "--national-channel", "3030", "Soldes ! STOP MARQUE au 3030"}, ExitOK,
			[]string{"compliant: ", "national StopSMS channel", "[[STOP MARQUE au 3030]]"}, ""},
		{"national channel not configured", "", []string{"lint", "Soldes ! STOP MARQUE au 3030"}, ExitFail,
			[]string{"optout-channel-invalid: "}, ""},
		{"disguised keyword", "", []string{"lint", "--channel", "8585", "Soldes ! S T O P au 8585"}, ExitFail,
			[]string{"optout-mention-missing: ", "disguised", "{{S T O P}}"}, ""},
		{"no instruction from stdin", "Soldes d'été : -50% sur tout !\n", []string{"lint", "--channel", "5050"}, ExitFail,
			[]string{"optout-mention-missing: ", "\"STOP au 5050\"", "Soldes d'été : -50% sur tout !\n"}, ""},
		{"transactional", "Votre colis n°7845120 est disponible au point relais.", []string{"lint", "--category", "transactional"}, ExitOK,
			[]string{"ok-transactional: "}, ""},
		{"mislabelled", "", []string{"lint", "--category", "transactional", "Votre code est 551902. -20% avec le code MERCI20 !"}, ExitFail,
			[]string{"mislabelled-commercial: ", "{{-20%}}", "{{code MERCI20}}"}, ""},
		{"bad category", "", []string{"lint", "--category", "promo", "x"}, ExitUsage, nil, "--category"},
		{"bad channel", "", []string{"lint", "--channel", "50a0", "x"}, ExitUsage, nil, "channel"},
		{"bad channel kind", "", []string{"lint", "--channel", "5050:cheap", "x"}, ExitUsage, nil, "neither free nor premium"},
		{"bad national channel", "", []string{"lint", "--national-channel", "StopSMS", "x"}, ExitUsage, nil, "--national-channel"},
		{"unknown flag", "", []string{"lint", "--colour", "x"}, ExitUsage, nil, "colour"},
		{"text and corpus", "", []string{"lint", "--corpus", "x.jsonl", "some text"}, ExitUsage, nil, "not both"},
		{"help", "", []string{"lint", "-help"}, ExitOK, []string{"Usage: bawwab lint", "BYTES", "Examples:"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runMain(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errs)
			}
			for _, want := range tc.out {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			if !strings.Contains(errs, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errs)
			}
		})
	}
}

func TestLintStdinTooLarge(t *testing.T) {
	code, _, errs := runMain(t, strings.Repeat("x", maxTextBytes+1), "lint")
	if code != ExitUsage || !strings.Contains(errs, "more than") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// TestLintCorpus checks the JSON lines of the corpus mode against a golden
// file (go test -run TestLintCorpus -update rewrites it), the summary, and
// that a broken line is reported and the run goes on.
func TestLintCorpus(t *testing.T) {
	in := filepath.Join("testdata", "lint-corpus.jsonl")
	code, out, errs := runMain(t, "", "lint", "--corpus", in, "--channel", "6161")
	if code != ExitFail {
		t.Errorf("exit %d, want %d (broken lines and a wrong label)", code, ExitFail)
	}
	golden := filepath.Join("testdata", "lint-corpus.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("stdout differs from %s (run with -update to accept):\n%s", golden, out)
	}
	// Every input line but the blank one has its output line, in order.
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d output lines, want 10", len(lines))
	}
	var first struct {
		ID      string `json:"id"`
		Verdict string `json:"verdict"`
		Reason  string `json:"reason"`
		Span    []int  `json:"span"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	text := "MODA SALA : Soldes jusqu'à -60% ! Pour ne plus recevoir nos SMS, envoyez ARRET au 3030"
	if first.ID != "c-1" || first.Verdict != "compliant" || len(first.Span) != 2 || text[first.Span[0]:first.Span[1]] != "ARRET au 3030" {
		t.Errorf("first line: %+v", first)
	}
	var broken struct {
		Line  int    `json:"line"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[4]), &broken); err != nil || broken.Line != 6 || broken.Error == "" {
		t.Errorf("broken line reported as %s (%v)", lines[4], err)
	}
	summary := strings.Join(strings.Fields(errs), " ")
	for _, want := range []string{
		"7 texts checked, 3 broken lines",
		"compliant 2/3 66.7 %",
		"all 5/6 83.3 %",
		"compliant -> optout-mention-missing: 1 (c-4)",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, errs)
		}
	}
}

func TestLintCorpusStdin(t *testing.T) {
	line := `{"id": "s", "sender": "5050", "optout_channels": [{"code": "5050", "free": true}], "text": "Soldes ! Répondez STOP", "expect": "compliant"}`
	code, out, errs := runMain(t, line+"\n"+line, "lint", "--corpus", "-")
	if code != ExitOK {
		t.Errorf("exit %d, stderr %s", code, errs)
	}
	if n := strings.Count(out, `"verdict":"compliant"`); n != 2 {
		t.Errorf("%d compliant lines, want 2:\n%s", n, out)
	}
}

func TestLintCorpusMissingFile(t *testing.T) {
	code, _, errs := runMain(t, "", "lint", "--corpus", filepath.Join(t.TempDir(), "none.jsonl"))
	if code != ExitFail || !strings.Contains(errs, "open corpus") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

// No text is a usage error, not a verdict on the empty message.
func TestLintNoText(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
	}{{"", nil}, {"\n", nil}, {"", []string{""}}, {"", []string{"--sender", "ATLAS"}}} {
		code, stdout, stderr := runMain(t, tc.stdin, append([]string{"lint"}, tc.args...)...)
		if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "no text: give TEXT or pipe one on standard input") {
			t.Errorf("lint %q < %q: exit %d\nstdout %q\nstderr %q", tc.args, tc.stdin, code, stdout, stderr)
		}
	}
}
