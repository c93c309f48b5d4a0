package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
)

// simCommands are the subcommands of "bawwab sim".
var simCommands = map[string]*Command{}

func init() {
	for _, c := range []*Command{simSMSCCommand, simLoadCommand} {
		simCommands[strings.TrimPrefix(c.Name, "sim ")] = c
	}
	register(&Command{
		Name:     "sim",
		Synopsis: "smsc|load [flags]",
		Summary:  "simulate an operator SMSC, or a provider loading one",
		Help: `
Simulates the network around the gateway on this machine, for demos, tests
and benchmarks.

  bawwab sim smsc   an operator SMSC: accepts binds, answers submit_sm,
                    sends delivery receipts, originates MO messages
  bawwab sim load   a provider: binds and submits messages, then reports
                    the rate, the latency and the receipts

Run 'bawwab sim smsc -help' or 'bawwab sim load -help' for their flags.
`,
		Run: runSim,
	})
}

func runSim(ctx context.Context, c *Command, args []string, stdio *IO) error {
	if len(args) == 0 {
		printCommandHelp(stdio.Err, c, c.FlagSet())
		return usageErrorf("say which simulator: smsc or load")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printCommandHelp(stdio.Out, c, c.FlagSet())
		return nil
	}
	sub := simCommands[args[0]]
	if sub == nil {
		return usageErrorf("unknown simulator %q: smsc or load", args[0])
	}
	return sub.Run(ctx, sub, args[1:], stdio)
}

var simSMSCCommand = &Command{
	Name:     "sim smsc",
	Synopsis: "[-listen ADDR] [-name NAME] [-accounts ID:PW,...|-accounts-file F] [-dlr-delay D] [-dlr-fail R] [-mo-file F] [-mo-http ADDR]",
	Summary:  "a simulated operator SMSC",
	Help: `
Runs a simulated operator SMSC (SMPP 3.4 server) until interrupted. It
accepts binds (the listed accounts, or any account without -accounts),
answers every submit_sm with a decimal message id, sends a delivery
receipt (deliver_sm, esm_class 0x04, with receipted_message_id,
message_state and network_error_code) for every message that asks for one,
after -dlr-delay, and fails a share -dlr-fail of them (3 in 4 UNDELIV
err:027, 1 in 4 REJECTD err:013). It can originate MO messages from a file
(lines from,to,text, sent once an ESME can receive them) or from an HTTP
endpoint on localhost. Every second it prints the binds, submits/s,
receipts/s and MO; on SIGINT or SIGTERM it unbinds everyone and prints the
totals.

Example session:

  bawwab sim smsc -name IAM -listen 127.0.0.1:2775 -accounts gw:secret \
      -dlr-delay 2s -dlr-fail 0.05 -mo-http 127.0.0.1:8025

  # in another terminal: 1000 messages with receipts
  bawwab sim load -addr 127.0.0.1:2775 -system-id gw -password secret \
      -n 1000 -window 10 -receipts

  # a subscriber answers STOP to the short code 5050: delivered to a bind
  # that can receive (the gateway's), answered 503 if there is none
  curl -s -X POST http://127.0.0.1:8025/mo \
      -d '{"from":"212612345678","to":"5050","text":"STOP"}'
  curl -s http://127.0.0.1:8025/stats

A -mo-file has one MO a line, from,to,text (the text may hold commas;
lines starting with # are skipped). An -accounts-file has one id:password
a line.
`,
	Run: runSimSMSC,
}

func runSimSMSC(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	listen := fs.String("listen", "127.0.0.1:2775", "`address` to listen on")
	name := fs.String("name", "sim", "operator `name` (also the system_id in bind responses)")
	accounts := fs.String("accounts", "", "accounts allowed to bind, `id:password[,id:password...]` (default: any)")
	accountsFile := fs.String("accounts-file", "", "`file` of accounts, one id:password a line")
	dlrDelay := fs.Duration("dlr-delay", 0, "`delay` from a submit_sm to its delivery receipt")
	dlrFail := fs.Float64("dlr-fail", 0, "share of receipts that report a failure (0..1)")
	moFile := fs.String("mo-file", "", "`file` of MO messages to originate, lines from,to,text")
	moHTTP := fs.String("mo-http", "", "localhost `address` for POST /mo and GET /stats")
	window := fs.Int("window", 100, "deliver_sm (receipts, MO) outstanding per bind")
	verbose := fs.Bool("v", false, "log binds and unbinds on stderr")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := sim.SMSCConfig{Name: *name, Addr: *listen, DLRDelay: *dlrDelay, DLRFail: *dlrFail,
		Conn: smpp.ConnOptions{Window: *window}}
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stdio.Err, nil))
	}
	switch {
	case *accounts != "" && *accountsFile != "":
		return usageErrorf("give -accounts or -accounts-file, not both")
	case *accounts != "":
		a, err := sim.ParseAccounts(*accounts)
		if err != nil {
			return usageErrorf("-accounts: %s", bawwab.ErrorMessage(err))
		}
		cfg.Accounts = a
	case *accountsFile != "":
		f, err := os.Open(*accountsFile)
		if err != nil {
			return err
		}
		a, err := sim.ReadAccounts(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %s", *accountsFile, bawwab.ErrorMessage(err))
		}
		cfg.Accounts = a
	}
	if *dlrFail < 0 || *dlrFail > 1 {
		return usageErrorf("-dlr-fail %v is not between 0 and 1", *dlrFail)
	}
	if *dlrDelay < 0 {
		return usageErrorf("-dlr-delay %v is negative", *dlrDelay)
	}
	var mos []sim.MO
	if *moFile != "" {
		f, err := os.Open(*moFile)
		if err != nil {
			return err
		}
		mos, err = sim.ReadMOs(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %s", *moFile, bawwab.ErrorMessage(err))
		}
	}
	var httpLn net.Listener
	if *moHTTP != "" {
		if err := checkLoopback(*moHTTP); err != nil {
			return usageErrorf("-mo-http: %v", err)
		}
		ln, err := net.Listen("tcp", *moHTTP)
		if err != nil {
			return err
		}
		httpLn = ln
	}
	s, err := sim.NewSMSC(cfg)
	if err != nil {
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	if err := s.Start(); err != nil {
		if httpLn != nil {
			httpLn.Close()
		}
		return err
	}
	accountsNote := "any account"
	if len(cfg.Accounts) > 0 {
		accountsNote = fmt.Sprintf("%d account(s)", len(cfg.Accounts))
	}
	fmt.Fprintf(stdio.Out, "sim smsc %s listening on %s (%s, receipts after %v, %.0f%% failed)\n",
		*name, s.Addr(), accountsNote, *dlrDelay, *dlrFail*100)
	var srv *http.Server
	if httpLn != nil {
		srv = &http.Server{Handler: sim.MOHandler(s), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(httpLn)
		fmt.Fprintf(stdio.Out, "MO endpoint: POST http://%s/mo, counters: GET http://%s/stats\n", httpLn.Addr(), httpLn.Addr())
	}
	moDone := make(chan struct{})
	go func() {
		defer close(moDone)
		if len(mos) == 0 {
			return
		}
		if err := s.WaitReceiver(ctx); err != nil {
			return
		}
		sent := 0
		for _, m := range mos {
			if err := s.DeliverMO(ctx, m.From, m.To, m.Text); err != nil {
				if ctx.Err() == nil {
					fmt.Fprintf(stdio.Err, "MO %d of %d: %v\n", sent+1, len(mos), err)
				}
				return
			}
			sent++
		}
		fmt.Fprintf(stdio.Out, "%d MO message(s) from %s delivered\n", sent, *moFile)
	}()

	start := time.Now()
	tick := time.NewTicker(time.Second)
	prev := s.Stats()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case now := <-tick.C:
			cur := s.Stats()
			fmt.Fprintf(stdio.Out, "%s %s binds=%d submits=%d/s receipts=%d/s mo=%d/s pending_receipts=%d\n",
				now.Format("15:04:05"), *name, cur.Binds, cur.Submits-prev.Submits, cur.ReceiptsAcked-prev.ReceiptsAcked,
				cur.MOAcked-prev.MOAcked, cur.ReceiptsPending)
			prev = cur
		}
	}
	tick.Stop()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if srv != nil {
		srv.Shutdown(shutdownCtx)
	}
	err = s.Shutdown(shutdownCtx)
	<-moDone
	t := s.Stats()
	fmt.Fprintf(stdio.Out, "TOTAL %s after %s: binds=%d (refused %d) submits=%d (refused %d) receipts=%d (DELIVRD %d, UNDELIV %d, REJECTD %d; failed %d, pending %d) mo=%d (failed %d)\n",
		*name, time.Since(start).Round(time.Millisecond), t.BindsTotal, t.BindsRefused, t.Submits, t.SubmitsRefused,
		t.ReceiptsAcked, t.Delivered, t.Undelivered, t.Rejected, t.ReceiptsFailed, t.ReceiptsPending, t.MOAcked, t.MOFailed)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// checkLoopback refuses an address that is not on this machine only.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address (127.0.0.1, ::1, localhost)", addr)
	}
	return nil
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, " | ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

var simLoadCommand = &Command{
	Name:     "sim load",
	Synopsis: "-addr ADDR [-n N|-duration D] [-window W] [-binds B] [-rate R] [-text T]... [-receipts]",
	Summary:  "a simulated provider loading an SMSC",
	Help: `
Binds to an SMSC (or to the gateway) as a provider and submits messages,
as fast as the window allows (each answer starts the next message) or at
-rate messages per second, then prints one RESULT line in the shape of
smppload's: sent counts the messages, parts their submit_sm (a long text
is several), and acked, errors and failed count submit_sm; the answers
per second and the submit_sm → submit_sm_resp latency percentiles. A line
"errors:" counts the refusals by command_status (with the gateway's
reason for its own statuses), and with -receipts a line counts the
receipts received by stat.
Texts are used in turn; {n} in a text becomes the message number; a long
text is sent as a concatenated message. Message n goes to -dst-base + n.

Examples:

  bawwab sim load -addr 127.0.0.1:2775 -n 100000 -window 100
  bawwab sim load -addr 127.0.0.1:2775 -system-id gw -password secret \
      -duration 30s -rate 500 -receipts \
      -text 'Promo {n}: -20% ce week-end ! STOP au 5050' \
      -text 'عرض {n}: تخفيض 20% ! أرسل STOP إلى 5050'
`,
	Run: runSimLoad,
}

func runSimLoad(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	cfg := sim.LoadConfig{}
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:2775", "SMSC `address`")
	fs.StringVar(&cfg.SystemID, "system-id", "load", "system_id to bind with")
	fs.StringVar(&cfg.Password, "password", "", "password to bind with")
	fs.Int64Var(&cfg.Count, "n", 0, "messages to send (0: until -duration)")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop sending after this long")
	fs.IntVar(&cfg.Window, "window", 10, "submit_sm outstanding per bind")
	fs.IntVar(&cfg.Binds, "binds", 1, "parallel binds")
	fs.Float64Var(&cfg.Rate, "rate", 0, "messages per second over all binds (0: as fast as the window allows)")
	fs.StringVar(&cfg.Source, "src", "BENCH", "sender (alphanumeric or a number)")
	fs.Uint64Var(&cfg.DestBase, "dst-base", 212600000000, "first recipient; message n goes to dst-base+n")
	var texts stringList
	fs.Var(&texts, "text", "message `text` ({n}: the message number); repeat for several, used in turn")
	fs.BoolVar(&cfg.Receipts, "receipts", false, "ask for delivery receipts and wait for them (binds as transceiver)")
	fs.DurationVar(&cfg.ReceiptWait, "receipt-wait", 10*time.Second, "how long to wait for receipts after the last answer")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.Count <= 0 && cfg.Duration <= 0 {
		return usageErrorf("give -n or -duration")
	}
	cfg.Texts = texts
	res, err := sim.RunLoad(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdio.Out, res)
	if rc := res.RefusalCounts(); len(rc) > 0 {
		fmt.Fprintf(stdio.Out, "errors: %s\n", strings.Join(rc, " "))
	}
	if len(res.Receipts) > 0 {
		stats := make([]string, 0, len(res.Receipts))
		for k, v := range res.Receipts {
			stats = append(stats, k+"="+strconv.FormatInt(v, 10))
		}
		sort.Strings(stats)
		fmt.Fprintf(stdio.Out, "receipts: %s\n", strings.Join(stats, " "))
	}
	if res.FirstError != nil {
		return &exitError{code: ExitFail, msg: fmt.Sprintf("%d message(s) failed, first: %v", res.Failed, res.FirstError)}
	}
	if cfg.Count > 0 && res.Acked+res.Refused < res.Sent {
		return &exitError{code: ExitFail, msg: fmt.Sprintf("%d of %d submit_sm unanswered", res.Sent-res.Acked-res.Refused, res.Sent)}
	}
	return nil
}

var _ flag.Value = (*stringList)(nil)
