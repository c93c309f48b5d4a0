package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/sqlite"
)

//go:embed demo/*.csv
var demoRegistry embed.FS

func init() {
	register(&Command{
		Name:     "demo",
		Synopsis: "[--duration D] [--rate N] [--smpp-addr ADDR] [--http-addr ADDR] [--data DIR] [--no-traffic]",
		Summary:  "run the whole gateway on simulated operators, providers and subscribers",
		Help: `Demo runs the gateway in one process on the embedded store, with three
simulated operator SMSCs (IAM, Orange, inwi), a fictional registry (printed
at start, with the accounts an outside client can use), simulated providers
sending French, Arabic and Darija traffic, compliant and not, and simulated
subscribers who answer STOP and START and report spam. A one-screen summary
shows the rates, the decisions by reason, the oppositions, complaints and
measures; the console's URL is printed.

Try the STOP flow by hand (the demo only):
  curl -X POST http://127.0.0.1:8080/api/v1/sim/mo \
    -d '{"from": "+212661234567", "to": "3030", "text": "STOP ATLASMKT"}'

With --no-traffic nothing is simulated on the providers' side: bind your own
SMPP client (system_id atlasvas, password atlasvas) and see the decisions.
Afterwards, check the ledger: bawwab ledger verify --data DIR

Examples:
  bawwab demo
  bawwab demo --duration 10s --data /tmp/demo
  bawwab demo --no-traffic --smpp-addr 127.0.0.1:2775`,
		Run: runDemo,
	})
}

// demoBrands are the senders the simulated providers use, per account.
var demoProviders = []struct {
	account, password string
	share             float64
	prefixes          []string // recipients' prefixes; nil: every operator
	// mix: atlasvas and Maroc Telecom mostly comply; Rif Digital often
	// forgets the opt-out mention, and is suspended once more than 5 %
	// of 200 commercial messages were refused for it (the default
	// sanction rule), about 20 s into the demo.
	mix    sim.Mix
	brands []sim.Brand
}{
	{"atlasvas", "atlasvas", 0.4, nil, sim.Mix{Compliant: 0.7, NoOptOut: 0.02, Transactional: 0.25, Mislabelled: 0.03}, []sim.Brand{
		{Sender: "ATLASMKT", Name: "Atlas Market", Commercial: true, OptOut: "5050"},
		{Sender: "ATLASINFO", Name: "Atlas Market"},
		{Sender: "SOUKNOUR", Name: "Souk Nour", Commercial: true, OptOut: "5050"},
		{Sender: "ALAMAL", Name: "Al Amal Assurances"},
	}},
	{"rif", "rif", 0.3, nil, sim.Mix{Compliant: 0.6, NoOptOut: 0.2, Transactional: 0.15, Mislabelled: 0.05}, []sim.Brand{
		{Sender: "DarLbahja", Name: "Dar Lbahja", Commercial: true, OptOut: "5151"},
		{Sender: "BARAKA", Name: "Hanout Baraka", Commercial: true},
		{Sender: "SoukNourTx", Name: "Souk Nour"},
	}},
	{"sahara", "sahara", 0.1, nil, sim.Mix{Compliant: 0.97, NoOptOut: 0.03}, []sim.Brand{
		{Sender: "ZITOUN", Name: "Café Zitoun", Commercial: true, OptOut: "2020"},
	}},
	{"iammkt", "iammkt", 0.2, []string{"661", "662", "666"}, sim.Mix{Compliant: 0.97, NoOptOut: 0.03}, []sim.Brand{
		{Sender: "IAM", Name: "Maroc Telecom", Commercial: true, OptOut: "1717"},
	}},
}

// demoOperators are the simulated SMSCs, by registry operator ID.
var demoOperators = []struct{ id, name string }{{"iam", "IAM"}, {"orange", "Orange"}, {"inwi", "inwi"}}

type demoFlags struct {
	duration           time.Duration
	rate               float64
	smppAddr, httpAddr string
	data               string
	noTraffic          bool
}

func runDemo(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fset := c.FlagSet()
	var f demoFlags
	fset.DurationVar(&f.duration, "duration", 0, "stop after this long, print a summary and exit (0: run until interrupted)")
	fset.Float64Var(&f.rate, "rate", 50, "simulated provider messages per second, all providers together")
	fset.StringVar(&f.smppAddr, "smpp-addr", "127.0.0.1:2775", "the gateway's SMPP listener (port 0: any free port)")
	fset.StringVar(&f.httpAddr, "http-addr", "127.0.0.1:8080", "the console, API and /metrics listener")
	fset.StringVar(&f.data, "data", "", "data `DIR`ectory (default: a new temporary directory, kept)")
	fset.BoolVar(&f.noTraffic, "no-traffic", false, "simulate nothing on the providers' side: bind your own client")
	if err := c.Parse(fset, args, stdio); err != nil {
		return err
	}
	if fset.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fset.Arg(0))
	}
	if f.rate <= 0 {
		return usageErrorf("--rate: want a positive rate")
	}
	d, err := startDemo(ctx, f, stdio)
	if err != nil {
		return err
	}
	return d.run(ctx)
}

// demo is a running demonstration.
type demo struct {
	f       demoFlags
	stdio   *IO
	start   time.Time
	smscs   map[string]*sim.SMSC
	ops     *msisdn.Operators
	node    *Node
	subs    *sim.Subscribers
	provs   []*sim.Provider
	logFile *os.File
	base    demoCounts // the counts before the demo started
	final   demoCounts // the counts read just before the gateway stopped
	tty     bool
	// trafficStart is when the traffic started, for the rates; drawn the
	// lines of the live summary on the screen.
	trafficStart time.Time
	drawn        int
}

func startDemo(ctx context.Context, f demoFlags, stdio *IO) (_ *demo, err error) {
	d := &demo{f: f, stdio: stdio, start: time.Now(), smscs: map[string]*sim.SMSC{}, ops: msisdn.NewOperators()}
	defer func() {
		if err != nil {
			d.stop()
		}
	}()
	if f.data == "" {
		if f.data, err = os.MkdirTemp("", "bawwab-demo-"); err != nil {
			return nil, err
		}
		d.f.data = f.data
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, err
	}
	if file, ok := stdio.Out.(*os.File); ok {
		if fi, err := file.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			d.tty = true
		}
	}
	// The operators.
	var links []SMSCConfig
	for _, op := range demoOperators {
		s, err := sim.NewSMSC(sim.SMSCConfig{Name: op.name, Accounts: map[string]string{"bawwab": "bawwab"},
			DLRDelay: 300 * time.Millisecond, DLRFail: 0.05})
		if err != nil {
			return nil, err
		}
		if err := s.Start(); err != nil {
			return nil, err
		}
		d.smscs[op.id] = s
		links = append(links, SMSCConfig{Operator: op.id, Addr: s.Addr().String(), SystemID: "bawwab",
			Password: "bawwab", Binds: 1, Window: 100})
	}
	// The registry, and the counts before this run (read before the
	// listeners open: an outside client may submit at once).
	if d.base, err = seedDemoCounts(ctx, f.data); err != nil {
		return nil, fmt.Errorf("load the demo registry: %w", err)
	}
	// The gateway.
	cfg := DefaultConfig()
	cfg.Node = "demo"
	cfg.Listen = ListenConfig{SMPP: f.smppAddr, HTTP: f.httpAddr}
	cfg.Store.Data = f.data
	cfg.SMSC = links
	cfg.Limits.ShutdownTimeout = Duration(10 * time.Second)
	// Everything runs on this machine: callbacks to it are allowed.
	cfg.Callbacks.Allow = []string{"127.0.0.0/8", "::1"}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d.logFile, err = os.OpenFile(filepath.Join(f.data, "bawwab.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewJSONHandler(d.logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	tuneGC()
	d.node, err = StartNode(ctx, &cfg, NodeOptions{Logger: logger, Routes: d.routes})
	if err != nil {
		return nil, err
	}
	if err := d.node.createConsoleAccounts(ctx); err != nil {
		return nil, err
	}
	d.printBanner(time.Since(d.start))
	return d, nil
}

// seedDemo loads the fictional registry and a few oppositions into the
// embedded store of dir; loading it again changes nothing.
func seedDemo(ctx context.Context, dir string) error {
	_, err := seedDemoCounts(ctx, dir)
	return err
}

// seedDemoCounts seeds the store of dir and returns its report counts of
// the last days: what was there before this run of the demo.
func seedDemoCounts(ctx context.Context, dir string) (demoCounts, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return demoCounts{}, err
	}
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		return demoCounts{}, err
	}
	defer db.Close()
	if err := seedStore(ctx, db.Store(), dir); err != nil {
		return demoCounts{}, err
	}
	return reportCounts(ctx, db.Store().Reports)
}

// seedStore loads the demo registry (its CSV files copied to
// dir/registry) and, into an empty register, the oppositions.
func seedStore(ctx context.Context, st bawwab.Store, dir string) error {
	regDir := filepath.Join(dir, "registry")
	if err := os.MkdirAll(regDir, 0o700); err != nil {
		return err
	}
	entries, _ := fs.ReadDir(demoRegistry, "demo")
	for _, e := range entries {
		b, _ := demoRegistry.ReadFile("demo/" + e.Name())
		if err := os.WriteFile(filepath.Join(regDir, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	files, err := registryDir(regDir)
	if err != nil {
		return err
	}
	if _, err := importRegistry(ctx, st, files, &IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}); err != nil {
		return err
	}
	// atlasvas's API key, for POST /api/v1/messages: the same in every
	// demo, printed at start.
	id, key := demoAPIKey()
	if _, err := st.Registry.FindAccountByID(ctx, id); bawwab.ErrorCode(err) == bawwab.ENOTFOUND {
		h, err := secret.Hash(key)
		if err != nil {
			return err
		}
		if err := st.Registry.CreateAccount(ctx, &bawwab.Account{ID: id, ProviderID: "atlasvas", Kind: bawwab.AccountAPI, SecretHash: h}); err != nil {
			return fmt.Errorf("demo API key: %w", err)
		}
	} else if err != nil {
		return err
	}
	if ops, err := st.Oppositions.FindOppositions(ctx, bawwab.OppositionFilter{Limit: 1}); err != nil || len(ops) > 0 {
		return err
	}
	// One subscriber in twenty opposed every commercial SMS, one in
	// twenty Atlas Market's.
	at := time.Now().Add(-30 * 24 * time.Hour).UTC()
	pool := sim.SubscriberPool(demoPoolSize, demoSeed)
	_, err = st.Oppositions.ImportOppositions(ctx, func(yield func(bawwab.Opposition, error) bool) {
		for i, n := range pool {
			o := bawwab.Opposition{MSISDN: n, Action: bawwab.ActionStop, At: at, Channel: "3030", Scope: bawwab.NationalScope}
			switch i % 20 {
			case 0:
			case 1:
				o.Scope, o.Channel = bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}, "5050"
			default:
				continue
			}
			if !yield(o, nil) {
				return
			}
		}
	})
	return err
}

// demoAPIKey returns the demo's API key for atlasvas and its account ID:
// made from a fixed seed, so that it is the same in every demo (it is
// printed, and a demo holds nothing secret).
func demoAPIKey() (id, key string) {
	id, key, err := secret.NewAPIKey(strings.NewReader("bawwab demo: atlasvas API key!"))
	if err != nil {
		panic(err) // 30 bytes are given
	}
	return id, key
}

const (
	demoPoolSize = 2000
	demoSeed     = 2026
)

// routes adds the demo's own endpoint: POST /api/v1/sim/mo makes the
// subscriber's operator deliver an MO message.
func (d *demo) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/sim/mo", func(w http.ResponseWriter, r *http.Request) {
		var mo sim.MO
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&mo); err != nil {
			demoError(w, http.StatusBadRequest, fmt.Sprintf("bad JSON: %v (want {\"from\": \"+212...\", \"to\": \"3030\", \"text\": \"STOP\"})", err))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		op, err := d.deliverMO(ctx, mo.From, mo.To, mo.Text)
		if err != nil {
			code := http.StatusBadGateway
			if bawwab.ErrorCode(err) == bawwab.EINVALID {
				code = http.StatusBadRequest
			}
			demoError(w, code, bawwab.ErrorMessage(err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"operator": op, "status": "delivered"})
	})
}

func demoError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"message": msg}})
}

// deliverMO has the SMSC of the subscriber's operator deliver an MO.
func (d *demo) deliverMO(ctx context.Context, from, to, text string) (string, error) {
	n, err := msisdn.Parse(from)
	if err != nil {
		return "", bawwab.Errorf(bawwab.EINVALID, "from: %v", err)
	}
	op := d.ops.Operator(n)
	s := d.smscs[op.String()]
	if s == nil {
		return "", bawwab.Errorf(bawwab.EINVALID, "from: %s is not on a simulated operator's network (IAM, Orange, inwi)", maskNumber(from))
	}
	e164 := string(n.AppendE164(nil))
	return s.Name(), s.DeliverMO(ctx, e164, to, text)
}

// maskNumber shows a number as +2126••••5678.
func maskNumber(s string) string {
	if len(s) < 9 {
		return "••••"
	}
	return s[:5] + "••••" + s[len(s)-4:]
}

func (d *demo) printBanner(startup time.Duration) {
	w := d.stdio.Out
	_, apiKey := demoAPIKey()
	reg := d.node.Registry()
	fmt.Fprintf(w, "Bawwab demo — the compliance gateway on simulated networks (ready in %s)\n\n", startup.Round(time.Millisecond))
	fmt.Fprintf(w, "Operators (simulated SMSCs): ")
	for i, op := range demoOperators {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprintf(w, "%s at %s", op.name, d.smscs[op.id].Addr())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "\nProviders and their sender IDs:")
	senders := map[string][]string{}
	for _, s := range reg.SenderIDs {
		senders[s.ProviderID] = append(senders[s.ProviderID], fmt.Sprintf("%s (%s, %s)", s.Value, s.AdvertiserID, s.Category))
	}
	for _, p := range reg.Providers {
		fmt.Fprintf(w, "  %-14s %-28s %-9s %s\n", p.ID, p.Name, p.Status, strings.Join(senders[p.ID], ", "))
	}
	fmt.Fprintln(w, "\nChannels:")
	for _, ch := range reg.Channels {
		owner := ch.ProviderID
		if ch.AdvertiserID != "" {
			owner = ch.AdvertiserID
		}
		free := "free"
		if !ch.Free {
			free = "premium"
		}
		fmt.Fprintf(w, "  %-6s %-10s %-10s %-8s %s\n", ch.Code, ch.Purpose, ch.Scope, free, owner)
	}
	fmt.Fprintf(w, `
Accounts an outside client can use (system_id / password):
  SMPP  %s   atlasvas / atlasvas   (also rif, sahara, iammkt: password = system_id)
  HTTP  http://%s/cgi-bin/sendsms?username=atlasvas&password=atlasvas&from=ATLASMKT&to=212661234567&text=...
  API   curl -H 'Authorization: Bearer %s' http://%s/api/v1/messages \
          -d '{"from": "ATLASMKT", "to": "+212661234567", "text": "Atlas Market : -30%% ce week-end ! STOP au 5050"}'
Console: http://%s/   inspector / inspector (regulator), atlasvas / atlasvas (provider)
Metrics: http://%s/metrics
Try a STOP: curl -X POST http://%s/api/v1/sim/mo -d '{"from": "+212661234567", "to": "3030", "text": "STOP ATLASMKT"}'
Data: %s (log in bawwab.log; afterwards: bawwab ledger verify --data %s)

`, d.node.SMPPAddr, d.node.HTTPAddr, apiKey, d.node.HTTPAddr, d.node.HTTPAddr, d.node.HTTPAddr, d.node.HTTPAddr, d.f.data, d.f.data)
}

// run drives the traffic and the summary until the duration is over or
// ctx ends, then stops everything and prints the final summary.
func (d *demo) run(ctx context.Context) error {
	if d.f.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.f.duration)
		defer cancel()
	}
	var wg sync.WaitGroup
	d.trafficStart = time.Now()
	if err := d.startTraffic(ctx, &wg); err != nil {
		d.stop()
		return err
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-t.C:
			if d.tty {
				d.printSummary(ctx)
			} else if time.Since(last) >= 5*time.Second {
				last = time.Now()
				d.printLine(ctx)
			}
		}
	}
	wg.Wait()
	// The last answers and MO messages are in the ledger; the feeder
	// counts them before the final summary.
	err := d.stop()
	if d.drawn > 0 {
		fmt.Fprintf(d.stdio.Out, "\x1b[%dA\x1b[J", d.drawn) // the final summary replaces the live one
	} else {
		fmt.Fprintln(d.stdio.Out)
	}
	d.printFinal()
	return err
}

func (d *demo) startTraffic(ctx context.Context, wg *sync.WaitGroup) error {
	if d.node.Gateway == nil {
		fmt.Fprintln(d.stdio.Err, "demo: the gateway (package proxy) is not wired in this build: no SMPP listener, no traffic")
		return nil
	}
	var subsErr error
	d.subs, subsErr = sim.NewSubscribers(sim.SubscribersConfig{
		Deliver: func(ctx context.Context, from, to, text string) error {
			_, err := d.deliverMO(ctx, from, to, text)
			return err
		},
		NationalStop: "3030", Complaint: "3300", Rate: max(d.f.rate/25, 0.5), Seed: demoSeed,
	})
	if subsErr != nil {
		return subsErr
	}
	if d.f.noTraffic {
		return nil
	}
	pool := sim.SubscriberPool(demoPoolSize, demoSeed)
	for i, p := range demoProviders {
		recipients := pool
		if p.prefixes != nil {
			recipients = nil
			for _, n := range pool {
				for _, pre := range p.prefixes {
					if strings.HasPrefix(n, "+212"+pre) {
						recipients = append(recipients, n)
					}
				}
			}
		}
		g, err := sim.NewGenerator(p.brands, recipients, "3030", p.mix, demoSeed+uint64(i))
		if err != nil {
			return err
		}
		subs := d.subs
		prov, err := sim.NewProvider(sim.ProviderConfig{Addr: d.node.SMPPAddr, SystemID: p.account, Password: p.password,
			Generator: g, Rate: d.f.rate * p.share,
			OnResult: func(m sim.Message, err error) {
				if err == nil && (m.Intent == sim.Compliant || m.Intent == sim.NoOptOut || m.Intent == sim.Mislabelled) {
					subs.Received(m.To, m.Sender, m.Text)
				}
			}})
		if err != nil {
			return err
		}
		d.provs = append(d.provs, prov)
		wg.Go(func() {
			if err := prov.Run(ctx); err != nil {
				fmt.Fprintf(d.stdio.Err, "demo: %v\n", err)
			}
		})
	}
	wg.Go(func() { d.subs.Run(ctx) })
	return nil
}

// counts returns the report counts of today and yesterday (the demo's
// span, whatever the time zone), all providers together.
func (d *demo) counts(ctx context.Context) (demoCounts, error) {
	d.node.Feeder.Kick()
	return reportCounts(ctx, d.node.Store.Reports)
}

// demoCounts are the report's counts the demo shows; System the system
// messages (STOP and START confirmations, one-time codes), which the
// gateway sends and records without a provider.
type demoCounts struct {
	report.Row
	System int64
}

func reportCounts(ctx context.Context, reports bawwab.ReportService) (demoCounts, error) {
	now := time.Now()
	rows, err := report.Table(ctx, reports, report.Filter{
		From: report.LocalDate(now.Add(-24*time.Hour), nil), To: report.LocalDate(now.Add(24*time.Hour), nil), By: []report.Dim{report.ByDay, report.ByProvider}})
	var sum demoCounts
	sum.Rejections = map[bawwab.Reason]int64{}
	for _, r := range rows {
		if r.ProviderID == "" {
			sum.System += r.Submitted
		}
		sum.Submitted += r.Submitted
		sum.Accepted += r.Accepted
		sum.Deferred += r.Deferred
		sum.Rejected += r.Rejected
		sum.Flagged += r.Flagged
		sum.Monitored += r.Monitored
		sum.Stops += r.Stops
		sum.Starts += r.Starts
		sum.ComplaintsOpened += r.ComplaintsOpened
		sum.ComplaintsUnmatched += r.ComplaintsUnmatched
		sum.ComplaintsConfirmed += r.ComplaintsConfirmed
		sum.Warnings += r.Warnings
		sum.Throttles += r.Throttles
		sum.Suspensions += r.Suspensions
		for k, v := range r.Rejections {
			sum.Rejections[k] += v
		}
	}
	return sum, err
}

// since returns the counts since the demo started.
func (d *demo) since(r demoCounts) demoCounts {
	b := d.base
	r.System -= b.System
	r.Submitted -= b.Submitted
	r.Accepted -= b.Accepted
	r.Deferred -= b.Deferred
	r.Rejected -= b.Rejected
	r.Flagged -= b.Flagged
	r.Stops -= b.Stops
	r.Starts -= b.Starts
	r.ComplaintsOpened -= b.ComplaintsOpened
	r.ComplaintsUnmatched -= b.ComplaintsUnmatched
	r.Warnings -= b.Warnings
	r.Throttles -= b.Throttles
	r.Suspensions -= b.Suspensions
	for k, v := range b.Rejections {
		r.Rejections[k] -= v
	}
	return r
}

func (d *demo) printLine(ctx context.Context) {
	r, err := d.counts(ctx)
	if err != nil {
		return
	}
	r = d.since(r)
	el := time.Since(d.trafficStart).Seconds()
	fmt.Fprintf(d.stdio.Out, "%5.0fs  submitted %d (%.0f/s): accepted %d, deferred %d, rejected %d, flagged %d; STOP %d, START %d, complaints %d; measures %d\n",
		el, r.Submitted, float64(r.Submitted)/el, r.Accepted, r.Deferred, r.Rejected, r.Flagged, r.Stops, r.Starts,
		r.ComplaintsOpened+r.ComplaintsUnmatched, r.Warnings+r.Throttles+r.Suspensions)
}

// printSummary redraws the live summary in place, below the banner, which
// stays on the screen.
func (d *demo) printSummary(ctx context.Context) {
	r, err := d.counts(ctx)
	if err != nil {
		return
	}
	r = d.since(r)
	var b bytes.Buffer
	el := time.Since(d.trafficStart)
	fmt.Fprintf(&b, "Live — %s — console http://%s/ — Ctrl-C to stop\n", el.Round(time.Second), d.node.HTTPAddr)
	d.writeSummary(&b, r, el)
	if d.drawn > 0 {
		fmt.Fprintf(d.stdio.Out, "\x1b[%dA\x1b[J", d.drawn) // up to the last summary, clear below
	}
	d.drawn = bytes.Count(b.Bytes(), []byte("\n"))
	d.stdio.Out.Write(b.Bytes())
}

func (d *demo) writeSummary(w io.Writer, r demoCounts, el time.Duration) {
	sec := max(el.Seconds(), 1e-3)
	fmt.Fprintf(w, "Decisions   %8d  (%.0f/s)\n", r.Submitted, float64(r.Submitted)/sec)
	fmt.Fprintf(w, "  accepted  %8d\n  deferred  %8d  (quiet hours: sent at the next allowed time)\n  rejected  %8d\n  flagged   %8d  (mislabelled, passed and counted)\n",
		r.Accepted, r.Deferred, r.Rejected, r.Flagged)
	reasons := make([]bawwab.Reason, 0, len(r.Rejections))
	for k, v := range r.Rejections {
		if v > 0 {
			reasons = append(reasons, k)
		}
	}
	sort.Slice(reasons, func(i, j int) bool { return r.Rejections[reasons[i]] > r.Rejections[reasons[j]] })
	if len(reasons) > 0 {
		fmt.Fprintln(w, "Rejected by reason")
		for _, k := range reasons {
			fmt.Fprintf(w, "  %-28s %8d\n", k, r.Rejections[k])
		}
	}
	fmt.Fprintf(w, "Oppositions  STOP %d, START %d\n", r.Stops, r.Starts)
	fmt.Fprintf(w, "Complaints   %d matched to a delivery, %d unmatched\n", r.ComplaintsOpened, r.ComplaintsUnmatched)
	fmt.Fprintf(w, "Measures     %d warnings, %d throttles, %d suspensions\n", r.Warnings, r.Throttles, r.Suspensions)
	if d.subs != nil {
		s := d.subs.Stats()
		fmt.Fprintf(w, "Subscribers  sent %d STOP, %d START, %d complaints (%d not delivered)\n", s.Stops, s.Starts, s.Complaints, s.Failed)
	}
	for i, p := range d.provs {
		s := p.Stats()
		fmt.Fprintf(w, "Provider %-10s sent %d messages: %d accepted, %d refused, %d failed; %d receipts (one per part)\n", demoProviders[i].account, s.Sent, s.Accepted, s.Refused, s.Failed, s.Receipts)
	}
	fmt.Fprintf(w, "System messages %d  (STOP and START confirmations, one-time codes: in Decisions, no provider's)\n", r.System)
}

func (d *demo) printFinal() {
	w := d.stdio.Out
	el := time.Since(d.trafficStart)
	fmt.Fprintf(w, "Summary after %s\n", el.Round(time.Second))
	d.writeSummary(w, d.final, el)
	fmt.Fprintf(w, "\nData in %s — check the ledger: bawwab ledger verify --data %s\n", d.f.data, d.f.data)
}

// stop stops the gateway and the simulated operators; the final counts
// are read after the gateway has answered everything in flight.
func (d *demo) stop() error {
	var errs []error
	if d.node != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if d.node.Gateway != nil {
			if err := d.node.Gateway.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
			d.node.Gateway = nil
		}
		d.node.Feeder.CatchUp(ctx)
		if r, err := d.counts(ctx); err == nil {
			d.final = d.since(r)
		}
		if err := d.node.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		d.node = nil
	}
	for _, s := range d.smscs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s.Shutdown(ctx)
		cancel()
	}
	d.smscs = nil
	if d.logFile != nil {
		d.logFile.Close()
	}
	return errors.Join(errs...)
}
