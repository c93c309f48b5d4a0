package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/msisdn"
)

var updateNumbers = flag.Bool("update-numbers", false, "rewrite the numbers command's golden files in testdata/numbers")

// runNumbersMain runs bawwab with args and returns its exit code, stdout and stderr.
func runNumbersMain(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, &IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// golden compares got with the golden file, or rewrites it under
// -update-numbers.
func numbersGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "numbers", name)
	if *updateNumbers {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update-numbers if the change is right):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// checkNumbersJSONLines checks that every output line is a JSON object.
func checkNumbersJSONLines(t *testing.T, out string) int {
	t.Helper()
	n := 0
	for line := range strings.Lines(out) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("output line %d is not a JSON object: %v: %q", n+1, err, line)
		}
		n++
	}
	return n
}

func TestNumbersGolden(t *testing.T) {
	code, out, errOut := runNumbersMain(t, "", "numbers", "--portability", "testdata/numbers/ports.csv", "testdata/numbers/input.txt")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	numbersGolden(t, "output.golden.jsonl", out)
	numbersGolden(t, "summary.golden.txt", errOut)
	input, _ := os.ReadFile("testdata/numbers/input.txt")
	if got, want := checkNumbersJSONLines(t, out), bytes.Count(input, []byte("\n"))+1; got != want {
		t.Errorf("%d output lines for %d input lines", got, want)
	}
	// The same from standard input, with - or no argument at all.
	for _, args := range [][]string{{"numbers", "--portability", "testdata/numbers/ports.csv", "-"}, {"numbers", "--portability", "testdata/numbers/ports.csv"}} {
		if code, stdinOut, _ := runNumbersMain(t, string(input), args...); code != ExitOK || stdinOut != out {
			t.Errorf("%v on standard input: exit %d, output differs", args, code)
		}
	}
}

func TestNumbersCorpus(t *testing.T) {
	code, out, errOut := runNumbersMain(t, "", "numbers", "--check", "--corpus", "testdata/numbers/corpus.jsonl")
	if code != ExitFail { // one line deliberately expects a mobile to be fixed
		t.Errorf("exit %d, want %d: %s", code, ExitFail, errOut)
	}
	numbersGolden(t, "corpus.golden.jsonl", out)
	numbersGolden(t, "corpus-summary.golden.txt", errOut)
	checkNumbersJSONLines(t, out)
	// Without --check, the same run succeeds and marks nothing.
	code, out, errOut = runNumbersMain(t, "", "numbers", "--corpus", "testdata/numbers/corpus.jsonl")
	if code != ExitOK || strings.Contains(out, "agrees") {
		t.Errorf("without --check: exit %d, %s", code, errOut)
	}
}

// TestNumbersPublicCorpus runs the whole public corpus through the
// command: the package's agreement, seen from the command line.
func TestNumbersPublicCorpus(t *testing.T) {
	code, out, errOut := runNumbersMain(t, "", "numbers", "--check", "--corpus", "../../msisdn/testdata/msisdn-public.jsonl")
	if code != ExitOK || strings.Contains(out, `"agrees":false`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "corpus check: 62 of 62 lines agree") {
		t.Errorf("summary: %s", errOut)
	}
}

func TestNumbersLongLine(t *testing.T) {
	in := "0661234567\n" + strings.Repeat("6", 100<<10) + "\n0522123456\n" + strings.Repeat("x", 70<<10)
	code, out, errOut := runNumbersMain(t, in, "numbers")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := checkNumbersJSONLines(t, out); n != 4 {
		t.Fatalf("%d output lines, want 4:\n%s", n, out)
	}
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[1], `{"line":2,"e164":null`) || !strings.Contains(lines[2], "+212522123456") || !strings.HasPrefix(lines[3], `{"line":4,`) {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(errOut, "2 lines longer than 64 KiB skipped") {
		t.Errorf("summary: %s", errOut)
	}
}

func TestNumbersUsage(t *testing.T) {
	for _, args := range [][]string{
		{"numbers", "a.txt", "b.txt"},
		{"numbers", "--corpus", "c.jsonl", "a.txt"},
		{"numbers", "--check", "a.txt"},
		{"numbers", "--no-such-flag"},
	} {
		if code, _, errOut := runNumbersMain(t, "", args...); code != ExitUsage || !strings.Contains(errOut, "-help") {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitUsage, errOut)
		}
	}
	code, out, _ := runNumbersMain(t, "", "numbers", "--help")
	if code != ExitOK || !strings.Contains(out, "Examples:") || !strings.Contains(out, "--portability") {
		t.Errorf("--help: exit %d:\n%s", code, out)
	}
	// The help's example output is what the command prints.
	_, ex, _ := runNumbersMain(t, "06 61 23 45 67\n", "numbers")
	if !strings.Contains(out, strings.TrimSpace(ex)) {
		t.Errorf("the help's example is stale; the command prints %s", ex)
	}
	for _, args := range [][]string{
		{"numbers", "testdata/numbers/no-such-file.txt"},
		{"numbers", "--portability", "testdata/numbers/no-such-file.csv"},
		{"numbers", "--portability", "testdata/numbers/input.txt"}, // not a portability CSV
	} {
		if code, _, errOut := runNumbersMain(t, "", args...); code != ExitFail {
			t.Errorf("%v: exit %d, want %d: %s", args, code, ExitFail, errOut)
		}
	}
}

func TestNumbersCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := strings.Repeat("0661234567\n", 100_000)
	var out, errOut bytes.Buffer
	code := Main(ctx, []string{"numbers"}, &IO{In: strings.NewReader(in), Out: &out, Err: &errOut})
	if code != ExitFail || !strings.Contains(errOut.String(), "context canceled") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

// FuzzNumbersJSON checks that any input line is written as a JSON
// string that reads back as encoding/json would have written it.
func FuzzNumbersJSON(f *testing.F) {
	for _, s := range []string{"", "06 61", `"\`, "\x00\x1f\x7f", "\xff\xfe", "٠٦", "\u2028\u2029", "é\xc3"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		got := appendNumbersJSON(nil, s)
		var back, want string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendNumbersJSON(%q) = %s: %v", s, got, err)
		}
		ref, _ := json.Marshal(string(s))
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		if back != want {
			t.Fatalf("appendNumbersJSON(%q) reads back as %q, encoding/json as %q", s, back, want)
		}
	})
}

// numbersBenchInput returns lines as providers send them: Moroccan numbers
// in every form, some foreign numbers and some garbage.
func numbersBenchInput(lines int, foreign bool) []byte {
	var b bytes.Buffer
	for i := range lines {
		nsn := 600000000 + (i*7919)%200000000
		switch i % 20 {
		case 0, 1, 2, 3, 4, 5:
			fmt.Fprintf(&b, "0%d\n", nsn)
		case 6, 7, 8:
			fmt.Fprintf(&b, "+212%d\n", nsn)
		case 9, 10, 11:
			fmt.Fprintf(&b, "212%d\n", nsn)
		case 12, 13:
			s := fmt.Sprintf("0%d", nsn)
			fmt.Fprintf(&b, "%s %s %s %s %s\n", s[:2], s[2:4], s[4:6], s[6:8], s[8:])
		case 14:
			fmt.Fprintf(&b, "00212 %d\n", nsn)
		case 15:
			fmt.Fprintf(&b, "05%08d\n", 22000000+i%1000000)
		case 16:
			b.WriteString("٠٦٦١٢٣٤٥٦٧\n")
		case 17:
			fmt.Fprintf(&b, "0%d\n", nsn/10) // too short
		case 18:
			b.WriteString("n/a\n")
		case 19:
			if foreign && i%100 == 19 {
				b.WriteString("+33 6 12 34 56 78\n") // 1 % foreign, through phonenumbers
			} else {
				fmt.Fprintf(&b, "0%d\n", nsn)
			}
		}
	}
	return b.Bytes()
}

// BenchmarkNumbers measures the numbers command's core (read, parse, look
// up the operator, write JSON) over a realistic list; lines/s is the figure
// that says how long a provider's ten million lines take. Foreign numbers go
// through phonenumbers, so one in a hundred costs as much as the rest.
func BenchmarkNumbers(b *testing.B) {
	const lines = 100_000
	for _, mode := range []struct {
		name         string
		foreign, ops bool
	}{
		{"moroccan", false, false},
		{"moroccan+portability", false, true},
		{"1%foreign", true, false},
	} {
		input := numbersBenchInput(lines, mode.foreign)
		b.Run(mode.name, func(b *testing.B) {
			cl := numberCleaner{}
			if mode.ops {
				cl.ops = msisdnOperatorsWithPorts(b)
			}
			w := bufio.NewWriterSize(io.Discard, 64<<10)
			b.SetBytes(int64(len(input)))
			b.ReportAllocs()
			for b.Loop() {
				if err := cl.run(context.Background(), bytes.NewReader(input), w); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// msisdnOperatorsWithPorts returns Operators with 100,000 ports loaded.
func msisdnOperatorsWithPorts(tb testing.TB) *msisdn.Operators {
	var csv strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&csv, "0%d,inwi\n", 661000000+i*13)
	}
	ops := msisdn.NewOperators()
	if _, err := ops.LoadPortability(strings.NewReader(csv.String())); err != nil {
		tb.Fatal(err)
	}
	return ops
}
