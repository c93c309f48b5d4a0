package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/sim"
)

func init() {
	benchModes["gateway"] = benchGatewayCommand
}

var benchGatewayCommand = &Command{
	Name:     "bench gateway",
	Synopsis: "[-bench-dir DIR] [-windows 10,100] [-n N] [-http-n N] [-repeats 3] [-no-kannel]",
	Summary:  "the gateway end to end against raw SMPP and Kannel",
	Help: `
Measures the gateway end to end, all rules and the durable ledger on, side
by side with its references, on 127.0.0.1, with the tools of -bench-dir
(smppload as the provider, smppsink as the operator's SMSC, httpload as the
HTTP client):

  SMPP, per window   smppload → smppsink (the raw loopback rate, the
                     reference) and smppload → bawwab → smppsink; the
                     gateway's rate as a ratio to the raw rate (target
                     ≥ 50 % at window 10)
  added latency      a paced load at half the gateway's window-10 rate,
                     through the gateway and straight to the sink: the
                     difference of the p50 and p99 of submit_sm →
                     submit_sm_resp (target p99 < 2 ms)
  HTTP               httpload → /cgi-bin/sendsms → SMPP → smppsink, the
                     gateway against Kannel (bearerbox + smsbox, installed
                     from Debian) in the same topology (target ≥ 10×)

Each gateway run starts a fresh node in a temporary data directory (the
embedded store, a registry with one provider, atlasvas), so that the daily
caps never bite; every message is a compliant commercial SMS
("... STOP au 5050") to a new IAM number, and the sending hours are set to
the whole day so that nothing is deferred. The sink's count is checked.

Examples:
  bawwab bench gateway                                  # ../shared/bench
  bawwab bench gateway -n 100000 -http-n 50000 -repeats 3
  bawwab bench gateway -windows 10 -repeats 1 -no-kannel
`,
	Run: runBenchGateway,
}

// benchText is the message every benchmark run sends: compliant.
const benchText = "Atlas Market : -30% sur toute la boutique ce week-end ! STOP au 5050"

type gatewayBench struct {
	*smppBench
	httpload string
	dir      string
	dataRoot string // where the nodes' data directories go
}

func runBenchGateway(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	dir := fs.String("bench-dir", filepath.Join("..", "shared", "bench"), "`directory` holding smppload/, smppsink/ and httpload/")
	windowsFlag := fs.String("windows", "10,100", "comma-separated SMPP `windows`")
	n := fs.Int("n", 100000, "submit_sm per SMPP run")
	httpN := fs.Int("http-n", 30000, "requests per HTTP run")
	conc := fs.Int("c", 32, "HTTP concurrency (keep-alive connections)")
	repeats := fs.Int("repeats", 3, "runs of each scenario (the median is shown)")
	timeout := fs.Duration("timeout", 2*time.Minute, "limit for one run")
	noKannel := fs.Bool("no-kannel", false, "skip the HTTP comparison with Kannel")
	dataRoot := fs.String("data", "", "`DIR`ectory for the gateways' data (default: a temporary directory); /dev/shm measures without the disk's fsync latency, and is then not durable")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of this process (the gateway's side) to `FILE`")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	windows, err := parseInts(*windowsFlag, false)
	if err != nil {
		return usageErrorf("-windows: %v", err)
	}
	if *n < 1 || *httpN < 1 || *repeats < 1 || *conc < 1 {
		return usageErrorf("-n, -http-n, -c and -repeats must be positive")
	}
	if err := checkBenchDir(*dir); err != nil {
		return &exitError{code: ExitFail, msg: err.Error()}
	}
	tmp, err := os.MkdirTemp("", "bawwab-bench-gateway-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stdio.Err, "building smppload, smppsink and httpload from %s\n", *dir)
	b := &gatewayBench{smppBench: &smppBench{stdio: stdio, timeout: *timeout}, dir: tmp, dataRoot: tmp}
	if *dataRoot != "" {
		if b.dataRoot, err = os.MkdirTemp(*dataRoot, "bawwab-bench-gateway-"); err != nil {
			return err
		}
		defer os.RemoveAll(b.dataRoot)
	}
	if b.smppload, err = buildTool(ctx, *dir, "smppload", tmp); err != nil {
		return err
	}
	if b.smppsink, err = buildTool(ctx, *dir, "smppsink", tmp); err != nil {
		return err
	}
	if !*noKannel {
		if b.httpload, err = buildTool(ctx, *dir, "httpload", tmp); err != nil {
			return err
		}
		if _, err := exec.LookPath("bearerbox"); err != nil {
			return &exitError{code: ExitFail, msg: "bearerbox not found (apt-get install kannel), or pass -no-kannel"}
		}
	}
	loadStart := loadAverage()
	type row struct {
		name        string
		rate, ratio float64
		p50, p99    float64 // ms
	}
	var rows []row
	var peak10 float64
	for _, w := range windows {
		var ref, gw []benchRun
		for rep := range *repeats {
			r, err := b.refRun(ctx, *n, w)
			if err != nil {
				return fmt.Errorf("window %d, raw: %w", w, err)
			}
			ref = append(ref, r)
			g, err := b.gatewaySMPP(ctx, *n, w)
			if err != nil {
				return fmt.Errorf("window %d, gateway: %w", w, err)
			}
			gw = append(gw, g)
			fmt.Fprintf(stdio.Err, "window %d, run %d/%d: raw %.0f msgs/s, gateway %.0f msgs/s\n", w, rep+1, *repeats, r.rate, g.rate)
		}
		refRate := median(ref, func(r benchRun) float64 { return r.rate })
		gwRate := median(gw, func(r benchRun) float64 { return r.rate })
		if w == 10 || peak10 == 0 {
			peak10 = gwRate
		}
		ms := func(runs []benchRun, f func(benchRun) time.Duration) float64 {
			return median(runs, func(r benchRun) float64 { return float64(f(r)) / 1e6 })
		}
		rows = append(rows,
			row{name: fmt.Sprintf("SMPP window %d: smppload → smppsink (raw)", w), rate: refRate, ratio: 1,
				p50: ms(ref, func(r benchRun) time.Duration { return r.p50 }), p99: ms(ref, func(r benchRun) time.Duration { return r.p99 })},
			row{name: fmt.Sprintf("SMPP window %d: smppload → bawwab → smppsink", w), rate: gwRate, ratio: gwRate / refRate,
				p50: ms(gw, func(r benchRun) time.Duration { return r.p50 }), p99: ms(gw, func(r benchRun) time.Duration { return r.p99 })})
	}
	// Added latency at half the peak.
	half := peak10 / 2
	var refL, gwL []benchRun
	for rep := range *repeats {
		r, g, err := b.pacedLatency(ctx, half)
		if err != nil {
			return fmt.Errorf("latency at %.0f msgs/s: %w", half, err)
		}
		refL, gwL = append(refL, r), append(gwL, g)
		fmt.Fprintf(stdio.Err, "latency run %d/%d at %.0f msgs/s: p99 raw %s, gateway %s\n", rep+1, *repeats, half, r.p99, g.p99)
	}
	addP50 := median(gwL, func(r benchRun) float64 { return float64(r.p50) / 1e6 }) - median(refL, func(r benchRun) float64 { return float64(r.p50) / 1e6 })
	addP99 := median(gwL, func(r benchRun) float64 { return float64(r.p99) / 1e6 }) - median(refL, func(r benchRun) float64 { return float64(r.p99) / 1e6 })
	// HTTP.
	var kannel, gwHTTP []benchRun
	if !*noKannel {
		for rep := range *repeats {
			k, err := b.kannelRun(ctx, *httpN, *conc)
			if err != nil {
				return fmt.Errorf("kannel: %w", err)
			}
			g, err := b.gatewayHTTP(ctx, *httpN, *conc)
			if err != nil {
				return fmt.Errorf("gateway http: %w", err)
			}
			kannel, gwHTTP = append(kannel, k), append(gwHTTP, g)
			fmt.Fprintf(stdio.Err, "http run %d/%d: kannel %.0f msgs/s, gateway %.0f msgs/s\n", rep+1, *repeats, k.rate, g.rate)
		}
	}
	loadEnd := loadAverage()

	w := stdio.Out
	fmt.Fprintf(w, "Gateway end to end on 127.0.0.1, all rules and the ledger on (data in %s); median of %d run(s); %d CPUs, load average %s at the start, %s at the end\n",
		b.dataRoot, *repeats, runtime.NumCPU(), loadStart, loadEnd)
	fmt.Fprintf(w, "%-52s %10s %7s %8s %8s\n", "scenario", "msgs/s", "ratio", "p50 ms", "p99 ms")
	for _, r := range rows {
		fmt.Fprintf(w, "%-52s %10.0f %7.2f %8.3f %8.3f\n", r.name, r.rate, r.ratio, r.p50, r.p99)
	}
	fmt.Fprintf(w, "%-52s %10.0f %7s %8.3f %8.3f\n", "added latency at half the window-10 peak", half, "", addP50, addP99)
	if len(kannel) > 0 {
		kr := median(kannel, func(r benchRun) float64 { return r.rate })
		gr := median(gwHTTP, func(r benchRun) float64 { return r.rate })
		fmt.Fprintf(w, "%-52s %10.0f %7.2f %8.3f %8.3f\n", "HTTP sendsms: httpload → Kannel → smppsink", kr, 1.0,
			median(kannel, func(r benchRun) float64 { return float64(r.p50) / 1e6 }), median(kannel, func(r benchRun) float64 { return float64(r.p99) / 1e6 }))
		fmt.Fprintf(w, "%-52s %10.0f %7.2f %8.3f %8.3f\n", "HTTP sendsms: httpload → bawwab → smppsink", gr, gr/kr,
			median(gwHTTP, func(r benchRun) float64 { return float64(r.p50) / 1e6 }), median(gwHTTP, func(r benchRun) float64 { return float64(r.p99) / 1e6 }))
	}
	fmt.Fprintln(w, "(ratio: over the reference just above; latencies: submit_sm → submit_sm_resp, or HTTP request → response)")
	return nil
}

// startBenchNode starts a gateway in a fresh data directory with one SMSC
// link (iam) to sinkAddr.
func (b *gatewayBench) startBenchNode(ctx context.Context, sinkAddr string) (*Node, func(), error) {
	data, err := os.MkdirTemp(b.dataRoot, "node-")
	if err != nil {
		return nil, nil, err
	}
	if err := seedDemo(ctx, data); err != nil {
		return nil, nil, err
	}
	cfg := DefaultConfig()
	cfg.Node = "bench"
	cfg.Listen = ListenConfig{SMPP: "127.0.0.1:0", HTTP: "127.0.0.1:0"}
	cfg.Store.Data = data
	cfg.SMSC = []SMSCConfig{{Operator: "iam", Addr: sinkAddr, SystemID: "bawwab", Password: "bench", Binds: 1, Window: 100}}
	cfg.Rules.Hours = compliance.Hours{From: 0, Until: 24 * 60}
	tuneGC()
	n, err := StartNode(ctx, &cfg, NodeOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, nil, err
	}
	if n.Gateway == nil {
		n.Shutdown(context.Background())
		return nil, nil, fmt.Errorf("the gateway (package proxy) is not wired in this build")
	}
	if err := n.waitLinks(ctx); err != nil {
		n.Shutdown(context.Background())
		return nil, nil, err
	}
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		n.Shutdown(sctx)
		os.RemoveAll(data)
	}
	return n, stop, nil
}

// gatewaySMPP runs smppload through the gateway to smppsink.
func (b *gatewayBench) gatewaySMPP(ctx context.Context, n, window int) (benchRun, error) {
	sink, err := b.startSink(ctx)
	if err != nil {
		return benchRun{}, err
	}
	node, stopNode, err := b.startBenchNode(ctx, sink.addr)
	if err != nil {
		sink.stop()
		return benchRun{}, err
	}
	cpu0 := selfCPU()
	r, err := b.smppLoadAs(ctx, node.SMPPAddr, n, window)
	r.sinkCPU = selfCPU() - cpu0 // the gateway's CPU
	stopNode()
	total, serr := sink.stop()
	if err != nil {
		return r, err
	}
	if serr != nil {
		return r, serr
	}
	r.sinkCount = total.count
	// Every message answered, every one answered OK reached the sink;
	// a refusal (a throttled submit) is counted, not hidden.
	if r.acked+r.refused != int64(n) || r.sinkCount != r.acked {
		return r, fmt.Errorf("%d submit_sm sent: %d answered OK, %d refused, the sink counted %d", n, r.acked, r.refused, r.sinkCount)
	}
	if r.refused > 0 {
		fmt.Fprintf(b.stdio.Err, "window %d: %d of %d submit_sm refused by the gateway\n", window, r.refused, n)
	}
	return r, nil
}

// smppLoadAs runs smppload as the provider atlasvas with compliant texts.
func (b *gatewayBench) smppLoadAs(ctx context.Context, addr string, n, window int) (benchRun, error) {
	r, out, err := runSMPPLoad(ctx, b.smppload, b.timeout, addr, n, window,
		"-system-id", "atlasvas", "-password", "atlasvas", "-src", "ATLASMKT", "-dst-base", "212661000000", "-text", benchText)
	if err != nil {
		return r, err
	}
	// smppload's acked counts every answer; errors= the refusals.
	if e := errorsField.FindStringSubmatch(out); e != nil {
		r.refused, _ = strconv.ParseInt(e[1], 10, 64)
		r.acked -= r.refused
		r.rate *= float64(r.acked) / float64(max(r.acked+r.refused, 1))
	}
	return r, nil
}

var errorsField = regexp.MustCompile(`RESULT .*errors=(\d+)`)

// pacedLatency sends at rate for a few seconds, straight to a sink and
// through the gateway, and returns both latencies.
func (b *gatewayBench) pacedLatency(ctx context.Context, rate float64) (ref, gw benchRun, err error) {
	count := int64(max(rate*3, 1000))
	run := func(addr, system, password string) (benchRun, error) {
		res, err := sim.RunLoad(ctx, sim.LoadConfig{Addr: addr, SystemID: system, Password: password, Count: count,
			Rate: rate, Window: 100, Source: "ATLASMKT", DestBase: 212662000000, Texts: []string{benchText}})
		if err != nil {
			return benchRun{}, err
		}
		if res.Failed > 0 || res.Acked+res.Refused != count {
			return benchRun{}, fmt.Errorf("%d of %d answered OK, %d refused, %d failed: %v", res.Acked, count, res.Refused, res.Failed, res.FirstError)
		}
		if res.Refused > 0 {
			fmt.Fprintf(b.stdio.Err, "paced run: %d of %d submit_sm refused\n", res.Refused, count)
		}
		return benchRun{rate: res.Rate(), p50: res.Latency.P50, p99: res.Latency.P99, acked: res.Acked}, nil
	}
	sink, err := b.startSink(ctx)
	if err != nil {
		return ref, gw, err
	}
	defer sink.stop()
	if ref, err = run(sink.addr, "load", "pw"); err != nil {
		return ref, gw, fmt.Errorf("raw: %w", err)
	}
	node, stopNode, err := b.startBenchNode(ctx, sink.addr)
	if err != nil {
		return ref, gw, err
	}
	defer stopNode()
	gw, err = run(node.SMPPAddr, "atlasvas", "atlasvas")
	return ref, gw, err
}

var httpResultLine = regexp.MustCompile(`completed=(\d+) .*t0_ns=(\d+) .*p50=([0-9.]+)(µs|ms|s) .*p99=([0-9.]+)(µs|ms|s)`)
var sinkLastLine = regexp.MustCompile(`TOTAL submits=(\d+) first_ns=\d+ last_ns=(\d+)`)

// httpRun drives n sendsms requests at url with httpload, after a
// warm-up, and measures the rate as run.sh does: n over the time from the
// start of the load to the last submit_sm reaching the sink.
func (b *gatewayBench) httpRun(ctx context.Context, sink *sinkProc, url string, n, conc, warmup int) (benchRun, error) {
	if warmup > 0 {
		cmd := exec.CommandContext(ctx, b.httpload, "-url", url, "-n", strconv.Itoa(warmup), "-c", "4", "-base", "212662000000", "-timeout", "30s")
		if out, err := cmd.CombinedOutput(); err != nil {
			return benchRun{}, fmt.Errorf("warm-up: %v\n%s", err, out)
		}
		time.Sleep(2 * time.Second) // the warm-up drains to the sink
	}
	cmd := exec.CommandContext(ctx, b.httpload, "-url", url, "-n", strconv.Itoa(n), "-c", strconv.Itoa(conc),
		"-base", "212661000000", "-timeout", b.timeout.String())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	m := httpResultLine.FindStringSubmatch(stdout.String())
	if err != nil || m == nil {
		return benchRun{}, fmt.Errorf("httpload: %v\n%s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	var r benchRun
	r.acked, _ = strconv.ParseInt(m[1], 10, 64)
	t0, _ := strconv.ParseInt(m[2], 10, 64)
	r.p50, r.p99 = parseUnit(m[3], m[4]), parseUnit(m[5], m[6])
	// Wait (up to the timeout) for the sink to count everything: it stops
	// by itself at its -expect count.
	select {
	case <-sink.exited:
	case <-time.After(b.timeout):
	}
	total, _ := sink.stop()
	lm := sinkLastLine.FindStringSubmatch(sink.stderr.String())
	if lm == nil {
		return r, fmt.Errorf("smppsink printed no TOTAL line")
	}
	last, _ := strconv.ParseInt(lm[2], 10, 64)
	r.sinkCount = total.count - int64(warmup)
	if r.sinkCount != int64(n) || r.acked != int64(n) {
		return r, fmt.Errorf("%d requests, %d completed, the sink counted %d", n, r.acked, r.sinkCount)
	}
	r.rate = float64(n) / (float64(last-t0) / 1e9)
	return r, nil
}

func parseUnit(v, unit string) time.Duration {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "µs":
		return time.Duration(f * 1e3)
	case "ms":
		return time.Duration(f * 1e6)
	}
	return time.Duration(f * 1e9)
}

// startExpectSink starts smppsink so that it stops once it counted n.
func (b *gatewayBench) startExpectSink(ctx context.Context, n int) (*sinkProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	p := &sinkProc{addr: addr, stderr: &bytes.Buffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(b.smppsink, "-addr", addr, "-quiet", "-expect", strconv.Itoa(n), "-duration", (b.timeout + 30*time.Second).String())
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start smppsink: %w", err)
	}
	go func() {
		p.cmd.Wait()
		close(p.exited)
	}()
	if err := waitListening(ctx, addr, p.exited); err != nil {
		p.stop()
		return nil, fmt.Errorf("smppsink: %w", err)
	}
	return p, nil
}

const httpWarmup = 200

func (b *gatewayBench) gatewayHTTP(ctx context.Context, n, conc int) (benchRun, error) {
	sink, err := b.startExpectSink(ctx, n+httpWarmup)
	if err != nil {
		return benchRun{}, err
	}
	node, stopNode, err := b.startBenchNode(ctx, sink.addr)
	if err != nil {
		sink.stop()
		return benchRun{}, err
	}
	defer stopNode()
	url := "http://" + node.HTTPAddr + "/cgi-bin/sendsms?username=atlasvas&password=atlasvas&from=ATLASMKT&to={i}&text=" +
		strings.NewReplacer(" ", "+", "%", "%25", "!", "%21", ":", "%3A").Replace(benchText)
	return b.httpRun(ctx, sink, url, n, conc, httpWarmup)
}

// kannelConf is Kannel's configuration, as ../shared/bench/kannel/kannel.conf
// with its file store (Kannel's durable mode, against our durable ledger).
const kannelConf = `group = core
admin-port = {admin}
admin-interface = 127.0.0.1
admin-password = bench
admin-allow-ip = "127.0.0.1"
smsbox-port = {box}
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "bearerbox.log"
log-level = 2
store-type = file
store-location = "kannel.store"
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = sink
host = 127.0.0.1
port = {sink}
transceiver-mode = true
smsc-username = kannel
smsc-password = bench
system-type = ""
max-pending-submits = 100
enquire-link-interval = 30
reconnect-delay = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {http}
sendsms-interface = 127.0.0.1
log-file = "smsbox.log"
log-level = 2

group = sendsms-user
username = bench
password = bench
user-allow-ip = "127.0.0.1"

group = sms-service
keyword = default
text = "No service specified"
`

func (b *gatewayBench) kannelRun(ctx context.Context, n, conc int) (benchRun, error) {
	sink, err := b.startExpectSink(ctx, n+httpWarmup)
	if err != nil {
		return benchRun{}, err
	}
	defer sink.stop()
	dir, err := os.MkdirTemp(b.dir, "kannel-")
	if err != nil {
		return benchRun{}, err
	}
	defer os.RemoveAll(dir)
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return benchRun{}, err
		}
	}
	_, sinkPort, _ := net.SplitHostPort(sink.addr)
	conf := strings.NewReplacer("{admin}", strconv.Itoa(ports[0]), "{box}", strconv.Itoa(ports[1]),
		"{http}", strconv.Itoa(ports[2]), "{sink}", sinkPort).Replace(kannelConf)
	if err := os.WriteFile(filepath.Join(dir, "kannel.conf"), []byte(conf), 0o600); err != nil {
		return benchRun{}, err
	}
	start := func(name string) (*exec.Cmd, error) {
		cmd := exec.Command(name, "-v", "4", "kannel.conf")
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		return cmd, cmd.Start()
	}
	stopProc := func(cmd *exec.Cmd) {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	bb, err := start("bearerbox")
	if err != nil {
		return benchRun{}, fmt.Errorf("bearerbox: %w", err)
	}
	defer stopProc(bb)
	if err := waitListening(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])), nil); err != nil {
		return benchRun{}, fmt.Errorf("bearerbox: %w", err)
	}
	sb, err := start("smsbox")
	if err != nil {
		return benchRun{}, fmt.Errorf("smsbox: %w", err)
	}
	defer stopProc(sb)
	if err := waitListening(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[2])), nil); err != nil {
		return benchRun{}, fmt.Errorf("smsbox: %w", err)
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms?username=bench&password=bench&from=ATLASMKT&to={i}&text=", ports[2]) +
		strings.NewReplacer(" ", "+", "%", "%25", "!", "%21", ":", "%3A").Replace(benchText)
	time.Sleep(time.Second) // bearerbox binds to the sink
	return b.httpRun(ctx, sink, url, n, conc, httpWarmup)
}
