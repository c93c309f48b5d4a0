package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bawwab/bawwab/sim"
)

// benchModes are the modes of "bawwab bench"; each parses its own flags.
// A new mode (the gateway, end to end) adds itself here.
var benchModes = map[string]*Command{}

func init() {
	benchModes["smpp"] = benchSMPPCommand
	register(&Command{
		Name:     "bench",
		Synopsis: "MODE [flags]",
		Summary:  "measure Bawwab side by side with the reference tools",
		Help: `
Measures a part of Bawwab side by side with its reference, in one run, on
127.0.0.1, and prints a table of rates, latencies and ratios to the
reference (medians of repeated, interleaved runs).

Modes:
  smpp     our SMPP server and client against smppload and smppsink
  gateway  the gateway end to end against raw SMPP (smppload → smppsink) and Kannel

Run 'bawwab bench MODE -help' for a mode's flags.
`,
		Run: runBench,
	})
}

func runBench(ctx context.Context, c *Command, args []string, stdio *IO) error {
	if len(args) == 0 {
		printCommandHelp(stdio.Err, c, c.FlagSet())
		return usageErrorf("say which mode: %s", strings.Join(benchModeNames(), ", "))
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printCommandHelp(stdio.Out, c, c.FlagSet())
		return nil
	}
	m := benchModes[args[0]]
	if m == nil {
		return usageErrorf("unknown mode %q: %s", args[0], strings.Join(benchModeNames(), ", "))
	}
	return m.Run(ctx, m, args[1:], stdio)
}

func benchModeNames() []string {
	names := make([]string, 0, len(benchModes))
	for n := range benchModes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var benchSMPPCommand = &Command{
	Name:     "bench smpp",
	Synopsis: "[-bench-dir DIR] [-windows 1,10,100] [-n N|N1,N2,...] [-repeats 3] [-timeout 2m]",
	Summary:  "our SMPP server and client against smppload and smppsink",
	Help: `
Builds the reference tools smppload and smppsink from their sources in
-bench-dir (into a temporary directory), then, for each window, moves -n
submit_sm over one bind three ways:

  smppload → smppsink    the reference: the raw loopback rate
  smppload → sim smsc    our server (the simulated SMSC on package smpp, in
                         this process) as the sink
  sim load → smppsink    our client (the load generator on package smpp,
                         in this process) as the load

Each run is repeated (-repeats, interleaved so that a noisy machine hurts
all three alike); the table gives the median rate, the median p50/p99 of
submit_sm → submit_sm_resp, the CPU each side used per message, and each
rate as a ratio to the reference's. The sink's count is checked against -n.
Everything runs on 127.0.0.1; each process is stopped by its PID. The
machine's load average is printed: on a shared machine, compare ratios,
not absolute rates.

Examples:

  bawwab bench smpp                                  # ../shared/bench, windows 1,10,100
  bawwab bench smpp -n 100000,500000,2000000 -repeats 5   # an N per window
  bawwab bench smpp -bench-dir /path/to/bench -n 20000 -repeats 1
`,
	Run: runBenchSMPP,
}

// benchRun is what one run measured.
type benchRun struct {
	rate             float64 // messages per second
	p50, p99         time.Duration
	loadCPU, sinkCPU float64 // seconds
	sinkCount, acked int64
	refused          int64 // answered with an error status (bench gateway)
}

// scenario is one way to move n submit_sm over a bind with a window.
type scenario struct {
	name string
	ref  bool
	run  func(b *smppBench, ctx context.Context, n, window int) (benchRun, error)
}

type smppBench struct {
	stdio              *IO
	smppload, smppsink string
	timeout            time.Duration
}

func runBenchSMPP(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	dir := fs.String("bench-dir", filepath.Join("..", "shared", "bench"), "`directory` holding smppload/ and smppsink/")
	windowsFlag := fs.String("windows", "1,10,100", "comma-separated `windows` (outstanding submit_sm)")
	nFlag := fs.String("n", "200000", "submit_sm per run: `N`, or N1,N2,... one per window")
	repeats := fs.Int("repeats", 3, "runs of each scenario per window (the median is shown)")
	timeout := fs.Duration("timeout", 2*time.Minute, "limit for one run")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	windows, err := parseInts(*windowsFlag, false)
	if err != nil {
		return usageErrorf("-windows: %v", err)
	}
	counts, err := parseInts(*nFlag, true)
	switch {
	case err != nil:
		return usageErrorf("-n: %v", err)
	case len(counts) == 1:
		for len(counts) < len(windows) {
			counts = append(counts, counts[0])
		}
	case len(counts) != len(windows):
		return usageErrorf("-n: %d counts for %d windows", len(counts), len(windows))
	}
	if *repeats < 1 || *timeout <= 0 {
		return usageErrorf("-repeats and -timeout must be positive")
	}
	if err := checkBenchDir(*dir); err != nil {
		return &exitError{code: ExitFail, msg: err.Error()}
	}
	tmp, err := os.MkdirTemp("", "bawwab-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stdio.Err, "building smppload and smppsink from %s\n", *dir)
	b := &smppBench{stdio: stdio, timeout: *timeout}
	if b.smppload, err = buildTool(ctx, *dir, "smppload", tmp); err != nil {
		return err
	}
	if b.smppsink, err = buildTool(ctx, *dir, "smppsink", tmp); err != nil {
		return err
	}

	scenarios := []scenario{
		{name: "smppload → smppsink (reference)", ref: true, run: (*smppBench).refRun},
		{name: "smppload → sim smsc (our server)", run: (*smppBench).ourServer},
		{name: "sim load → smppsink (our client)", run: (*smppBench).ourClient},
	}
	loadStart := loadAverage()
	results := map[int][][]benchRun{} // window -> scenario -> runs
	for wi, w := range windows {
		results[w] = make([][]benchRun, len(scenarios))
		for rep := range *repeats {
			for i, sc := range scenarios {
				if err := ctx.Err(); err != nil {
					return err
				}
				r, err := sc.run(b, ctx, counts[wi], w)
				if err != nil {
					return fmt.Errorf("window %d, %s: %w", w, sc.name, err)
				}
				fmt.Fprintf(stdio.Err, "window %d, run %d/%d, %s: %.0f msgs/s\n", w, rep+1, *repeats, sc.name, r.rate)
				results[w][i] = append(results[w][i], r)
			}
		}
	}
	loadEnd := loadAverage()

	fmt.Fprintf(stdio.Out, "SMPP over loopback, one bind, median of %d run(s); %d CPUs, load average %s at the start, %s at the end\n",
		*repeats, runtime.NumCPU(), loadStart, loadEnd)
	fmt.Fprintf(stdio.Out, "%6s  %-34s %9s %10s %6s %7s %7s %8s %8s\n", "window", "scenario", "submit_sm", "msgs/s", "ratio",
		"p50 ms", "p99 ms", "load µs", "sink µs")
	for wi, w := range windows {
		n := float64(counts[wi])
		ref := median(results[w][0], func(r benchRun) float64 { return r.rate })
		for i, sc := range scenarios {
			runs := results[w][i]
			rate := median(runs, func(r benchRun) float64 { return r.rate })
			fmt.Fprintf(stdio.Out, "%6d  %-34s %9d %10.0f %6.2f %7.3f %7.3f %8.2f %8.2f\n", w, sc.name, counts[wi], rate, rate/ref,
				median(runs, func(r benchRun) float64 { return float64(r.p50) / 1e6 }),
				median(runs, func(r benchRun) float64 { return float64(r.p99) / 1e6 }),
				median(runs, func(r benchRun) float64 { return r.loadCPU * 1e6 / n }),
				median(runs, func(r benchRun) float64 { return r.sinkCPU * 1e6 / n }))
		}
	}
	fmt.Fprintln(stdio.Out, "(ratio: msgs/s over the reference's at the same window; load/sink µs: CPU time per message of each side)")
	return nil
}

// parseInts reads comma-separated positive numbers, duplicates removed
// unless dups.
func parseInts(s string, dups bool) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		if dups || !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out, nil
}

// checkBenchDir says clearly what is missing.
func checkBenchDir(dir string) error {
	var missing []string
	for _, tool := range []string{"smppload", "smppsink"} {
		for _, f := range []string{"go.mod", "main.go"} {
			if _, err := os.Stat(filepath.Join(dir, tool, f)); err != nil {
				missing = append(missing, filepath.Join(tool, f))
			}
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bench directory %s lacks the reference tools (no %s); give the folder holding smppload/ and smppsink/ with -bench-dir",
			dir, strings.Join(missing, ", "))
	}
	return nil
}

// buildTool builds dir/name into tmp with the go command on PATH.
func buildTool(ctx context.Context, dir, name, tmp string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("build %s: the go command is needed to build the reference tools: %w", name, err)
	}
	out := filepath.Join(tmp, name)
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", out, ".")
	cmd.Dir = filepath.Join(dir, name)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build %s: %v\n%s", name, err, msg)
	}
	return out, nil
}

func (b *smppBench) refRun(ctx context.Context, n, window int) (benchRun, error) {
	sink, err := b.startSink(ctx)
	if err != nil {
		return benchRun{}, err
	}
	r, err := b.smppLoad(ctx, sink.addr, n, window)
	total, serr := sink.stop()
	if err != nil {
		return r, err
	}
	if serr != nil {
		return r, serr
	}
	r.sinkCount, r.sinkCPU = total.count, total.cpu
	return r, checkCount(r, n)
}

func (b *smppBench) ourServer(ctx context.Context, n, window int) (benchRun, error) {
	s, err := sim.NewSMSC(sim.SMSCConfig{Name: "bench"})
	if err != nil {
		return benchRun{}, err
	}
	if err := s.Start(); err != nil {
		return benchRun{}, err
	}
	cpu0 := selfCPU()
	r, err := b.smppLoad(ctx, s.Addr().String(), n, window)
	r.sinkCPU = selfCPU() - cpu0
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Shutdown(sctx)
	if err != nil {
		return r, err
	}
	r.sinkCount = s.Stats().Submits
	return r, checkCount(r, n)
}

func (b *smppBench) ourClient(ctx context.Context, n, window int) (benchRun, error) {
	sink, err := b.startSink(ctx)
	if err != nil {
		return benchRun{}, err
	}
	lctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	cpu0 := selfCPU()
	// The same submit_sm as smppload's, byte for byte.
	res, err := sim.RunLoad(lctx, sim.LoadConfig{Addr: sink.addr, SystemID: "load", Password: "pw", Count: int64(n),
		Window: window, Source: "BENCH", DestBase: 4790000000, Texts: []string{"Hello from smppload, a benchmark message."}})
	cpu := selfCPU() - cpu0
	total, serr := sink.stop()
	if err != nil {
		return benchRun{}, err
	}
	if serr != nil {
		return benchRun{}, serr
	}
	if res.FirstError != nil {
		return benchRun{}, fmt.Errorf("sim load: %w", res.FirstError)
	}
	r := benchRun{rate: res.Rate(), p50: res.Latency.P50, p99: res.Latency.P99, loadCPU: cpu, acked: res.Acked,
		sinkCount: total.count, sinkCPU: total.cpu}
	return r, checkCount(r, n)
}

func checkCount(r benchRun, n int) error {
	if r.sinkCount != int64(n) || r.acked != int64(n) {
		return fmt.Errorf("%d submit_sm sent, the sink counted %d and %d were answered", n, r.sinkCount, r.acked)
	}
	return nil
}

var resultLine = regexp.MustCompile(`acked=(\d+) .*rate=([0-9.]+) p50=([0-9.]+)ms p90=[0-9.]+ms p99=([0-9.]+)ms .*cpu_s=([0-9.]+)`)

// smppLoad runs smppload against addr and reads its RESULT line.
func (b *smppBench) smppLoad(ctx context.Context, addr string, n, window int) (benchRun, error) {
	r, _, err := runSMPPLoad(ctx, b.smppload, b.timeout, addr, n, window)
	return r, err
}

// runSMPPLoad runs the smppload at path against addr, with extra flags
// after the common ones, and returns its RESULT line's figures and its
// output.
func runSMPPLoad(ctx context.Context, path string, timeout time.Duration, addr string, n, window int, extra ...string) (benchRun, string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	args := append([]string{"-addr", addr, "-n", strconv.Itoa(n), "-window", strconv.Itoa(window),
		"-timeout", timeout.String()}, extra...)
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	m := resultLine.FindStringSubmatch(stdout.String())
	if err != nil || m == nil {
		return benchRun{}, "", fmt.Errorf("smppload: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	var r benchRun
	r.acked, _ = strconv.ParseInt(m[1], 10, 64)
	r.rate, _ = strconv.ParseFloat(m[2], 64)
	p50, _ := strconv.ParseFloat(m[3], 64)
	p99, _ := strconv.ParseFloat(m[4], 64)
	r.p50, r.p99 = time.Duration(p50*1e6), time.Duration(p99*1e6)
	r.loadCPU, _ = strconv.ParseFloat(m[5], 64)
	return r, stdout.String(), nil
}

// sinkProc is a running smppsink.
type sinkProc struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bytes.Buffer
	exited chan struct{}
}

type sinkTotal struct {
	count int64
	cpu   float64
}

// startSink starts smppsink on a free port and waits until it accepts
// connections.
func (b *smppBench) startSink(ctx context.Context) (*sinkProc, error) {
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		p := &sinkProc{addr: addr, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
		p.cmd = exec.Command(b.smppsink, "-addr", addr, "-quiet", "-duration", (b.timeout + 30*time.Second).String())
		p.cmd.Stderr = p.stderr
		if err := p.cmd.Start(); err != nil {
			return nil, fmt.Errorf("start smppsink: %w", err)
		}
		go func() {
			p.cmd.Wait()
			close(p.exited)
		}()
		if err := waitListening(ctx, addr, p.exited); err == nil {
			return p, nil
		} else if attempt >= 2 || ctx.Err() != nil {
			p.stop()
			return nil, fmt.Errorf("smppsink on %s: %w\n%s", addr, err, p.stderr.Bytes())
		}
		p.stop() // the port was taken meanwhile: try another
	}
}

var totalLine = regexp.MustCompile(`TOTAL submits=(\d+) .*cpu_s=([0-9.]+)`)

// stop stops the sink by its PID (SIGTERM, then SIGKILL after 5 s) and
// reads its TOTAL line.
func (p *sinkProc) stop() (sinkTotal, error) {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
	m := totalLine.FindStringSubmatch(p.stderr.String())
	if m == nil {
		return sinkTotal{}, fmt.Errorf("smppsink printed no TOTAL line:\n%s", p.stderr.Bytes())
	}
	var t sinkTotal
	t.count, _ = strconv.ParseInt(m[1], 10, 64)
	t.cpu, _ = strconv.ParseFloat(m[2], 64)
	return t, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitListening waits until something accepts connections on addr.
func waitListening(ctx context.Context, addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-exited:
			return errors.New("exited")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not listening after 10 s: %w", err)
		}
	}
}

// selfCPU returns the CPU time this process used so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// loadAverage returns the 1-minute load average, or "?".
func loadAverage() string {
	f, err := os.Open("/proc/loadavg")
	if err != nil {
		return "?"
	}
	defer f.Close()
	line, _ := bufio.NewReader(io.LimitReader(f, 100)).ReadString(' ')
	return strings.TrimSpace(line)
}

func median(runs []benchRun, f func(benchRun) float64) float64 {
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f(r)
	}
	sort.Float64s(xs)
	if len(xs) == 0 {
		return 0
	}
	if len(xs)%2 == 1 {
		return xs[len(xs)/2]
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
}
