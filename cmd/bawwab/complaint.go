package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/postgres"
)

// The complaint and measure commands decide cases and lift measures from
// the command line. A step is recorded in the store, where it takes
// effect, then appended to the ledger: by the command when it can open the
// ledger for writing (--ledger and --signing-key), or else by the running
// gateway, which appends the steps left pending (the ledger allows one
// writer; a gateway holds it while it runs).

func init() {
	register(&Command{
		Name:     "complaint",
		Synopsis: "list|show|confirm|dismiss [ID] [flags]",
		Summary:  "review subscribers' complaints: list, show, confirm or dismiss a case",
		Help: `A subscriber reports an unwanted SMS by forwarding it to the complaint short
code or through the web form. The gateway matches the report to the ledger's
record of the message delivered (the subscriber's pseudonym, the time, the
sender ID, the text's fingerprint) and opens a case against the provider
that sent it; a report that matches nothing is kept as unmatched. A
regulator or the operator then confirms or dismisses the case, saying why:
confirmed complaints count towards the provider's measures (RULES.md: a
warning at 3 in 10 days, a suspension at 5).

  bawwab complaint list [--status S] [--provider ID] [--operator ID] [--from D] [--to D]
  bawwab complaint show ID
  bawwab complaint confirm ID --actor NAME --role regulator|operator --reason TEXT
  bawwab complaint dismiss ID --actor NAME --role regulator|operator --reason TEXT

Cases hold no subscriber number: the subscriber is a pseudonym, and the
numbers in a reported text are masked.

Who and why: each step records --actor (the person, e.g. anrt.kbenali)
in a --role (regulator or operator; the web console takes the role from the
account, here whoever holds the store's credentials states it), and
--reason. The step is in the store at once; it is in the ledger at once
when --ledger DIR and --signing-key FILE let this command write the ledger,
otherwise the running gateway appends it within a minute.

` + storeHelp + `

Examples:
  bawwab complaint list --status open --provider atlasvas --data /var/lib/bawwab
  bawwab complaint show 42 --format json
  bawwab complaint confirm 42 --actor anrt.kbenali --role regulator \
      --reason "the operator's logs show the message; no consent on file" --data /var/lib/bawwab`,
		Run: runComplaint,
	})
}

// ledgerFlags choose the ledger a command writes to or reads.
type ledgerFlags struct {
	dir        string
	signingKey string
	origin     string
}

func addLedgerFlags(fs *flag.FlagSet, write bool) *ledgerFlags {
	f := &ledgerFlags{}
	fs.StringVar(&f.dir, "ledger", "", "the ledger `directory` (default: DATA/ledger when it exists; with --postgres, the ledger tables)")
	fs.StringVar(&f.origin, "origin", "", "the ledger's `name` (its checkpoints' origin; default: read from the ledger)")
	if write {
		fs.StringVar(&f.signingKey, "signing-key", "", "the ledger's signing key `file`, to append the step to the ledger now")
	}
	return f
}

// dir returns the ledger directory: --ledger, or DATA/ledger when it
// holds a ledger; "" for none (or the PostgreSQL tables).
func (f *ledgerFlags) directory(sf *storeFlags) string {
	if f.dir != "" {
		return f.dir
	}
	if sf.postgres == "" && sf.data != "" {
		d := filepath.Join(sf.data, "ledger")
		if _, err := os.Stat(filepath.Join(d, "FORMAT")); err == nil {
			return d
		}
	}
	return ""
}

// errLedgerBusy says that another process (a running gateway) writes the
// ledger.
var errLedgerBusy = errors.New("the ledger is open for writing in another process")

// openWriter opens the ledger for appending, when --signing-key allows:
// the file ledger of --ledger (or DATA/ledger), or with --postgres the
// ledger tables under --origin. It returns nil (and no error) when the
// command has no ledger to write, and errLedgerBusy when a gateway holds
// it.
func (f *ledgerFlags) openWriter(ctx context.Context, sf *storeFlags) (*ledger.Ledger, func(), error) {
	if f.signingKey == "" {
		return nil, func() {}, nil
	}
	if _, err := os.Stat(f.signingKey); err != nil {
		return nil, nil, usageErrorf("--signing-key: %v", err)
	}
	opts := ledger.Options{SigningKeyFile: f.signingKey, Origin: f.origin}
	if dir := f.directory(sf); dir != "" {
		l, err := ledger.Open(dir, opts)
		if err != nil {
			if strings.Contains(err.Error(), "another process") {
				return nil, nil, errLedgerBusy
			}
			return nil, nil, err
		}
		return l, func() { l.Close() }, nil
	}
	if sf.postgres == "" {
		return nil, nil, usageErrorf("--signing-key: no ledger (give --ledger DIR, or --postgres)")
	}
	if f.origin == "" {
		return nil, nil, usageErrorf("--origin: name the ledger to append to (a gateway node's, or one of its own such as bawwab-cli)")
	}
	db := postgres.NewDB(sf.postgres)
	if err := db.Open(ctx); err != nil {
		return nil, nil, err
	}
	st, err := db.OpenLedger(ctx, f.origin, postgres.LedgerOptions{})
	if err != nil {
		db.Close()
		if strings.Contains(err.Error(), "another process") {
			return nil, nil, errLedgerBusy
		}
		return nil, nil, err
	}
	l, err := ledger.New(st, opts)
	if err != nil {
		st.Close()
		db.Close()
		return nil, nil, err
	}
	return l, func() { l.Close(); db.Close() }, nil
}

// originOf returns the name of a ledger: its signing key's, which names
// its checkpoints.
func originOf(l *ledger.Ledger) string {
	name, _, _ := strings.Cut(l.PublicKey(), "+")
	return name
}

// actorFlags are who takes a step, and why.
type actorFlags struct {
	name, role, reason string
}

func addActorFlags(fs *flag.FlagSet) *actorFlags {
	f := &actorFlags{}
	fs.StringVar(&f.name, "actor", "", "who takes the step: the person's `name` (e.g. anrt.kbenali), recorded in the ledger")
	fs.StringVar(&f.role, "role", "", "the `role` the actor acts in: regulator or operator")
	fs.StringVar(&f.reason, "reason", "", "why, recorded in the ledger (`text`)")
	return f
}

func (f *actorFlags) actor() (bawwab.Actor, error) {
	if f.name == "" || f.role == "" || strings.TrimSpace(f.reason) == "" {
		return bawwab.Actor{}, usageErrorf("--actor, --role and --reason are required: the ledger records who took the step and why")
	}
	r, err := bawwab.ParseRole(f.role)
	if err != nil {
		return bawwab.Actor{}, usageErrorf("--role: %s", bawwab.ErrorMessage(err))
	}
	a := bawwab.Actor{Name: f.name, Role: r}
	if err := a.Validate(); err != nil {
		return bawwab.Actor{}, usageErrorf("--actor: %s", bawwab.ErrorMessage(err))
	}
	return a, nil
}

func runComplaint(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	lf := addLedgerFlags(fs, true)
	af := addActorFlags(fs)
	status := fs.String("status", "", "list only the cases in this `status`: unmatched, open, confirmed, dismissed")
	provider := fs.String("provider", "", "list only the cases against this provider `id`")
	operator := fs.String("operator", "", "list only the cases on this operator `id`")
	from := fs.String("from", "", "list only the cases received from this `date` (YYYY-MM-DD, UTC)")
	to := fs.String("to", "", "list only the cases received up to this `date` (inclusive)")
	limit := fs.Int("limit", 100, "list at most `n` cases, newest first (0: all)")
	format := fs.String("format", "text", "output `format`: text or json")
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("want: complaint list|show|confirm|dismiss [ID]")
	}
	if *format != "text" && *format != "json" {
		return usageErrorf("--format: want text or json")
	}
	action := pos[0]
	var id int64
	switch action {
	case "list":
		if len(pos) != 1 {
			return usageErrorf("complaint list takes no argument")
		}
	case "show", "confirm", "dismiss":
		if len(pos) != 2 {
			return usageErrorf("complaint %s takes the case's ID", action)
		}
		if id, err = strconv.ParseInt(pos[1], 10, 64); err != nil || id <= 0 {
			return usageErrorf("%q is not a case ID", pos[1])
		}
	default:
		return usageErrorf("unknown action %q: want list, show, confirm or dismiss", action)
	}
	var actor bawwab.Actor
	if action == "confirm" || action == "dismiss" {
		if actor, err = af.actor(); err != nil {
			return err
		}
	}
	st, closeStore, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	switch action {
	case "list":
		f := bawwab.ComplaintFilter{Limit: *limit}
		if *status != "" {
			s, err := bawwab.ParseComplaintStatus(*status)
			if err != nil {
				return usageErrorf("--status: %s", bawwab.ErrorMessage(err))
			}
			f.Status = &s
		}
		if *provider != "" {
			f.ProviderID = provider
		}
		if *operator != "" {
			f.OperatorID = operator
		}
		if f.Since, err = parseDate(*from, false); err != nil {
			return usageErrorf("--from: %v", err)
		}
		if f.Before, err = parseDate(*to, true); err != nil {
			return usageErrorf("--to: %v", err)
		}
		cs, total, err := st.Complaints.FindComplaints(ctx, f)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(stdio.Out, cs)
		}
		printComplaints(stdio.Out, cs)
		fmt.Fprintf(stdio.Err, "%d of %d cases\n", len(cs), total)
		return nil
	case "show":
		cs, err := st.Complaints.FindComplaintByID(ctx, id)
		if err != nil {
			return &exitError{code: ExitFail, msg: bawwab.ErrorMessage(err)}
		}
		if *format == "json" {
			return writeJSON(stdio.Out, cs)
		}
		printComplaint(stdio.Out, cs)
		return nil
	}
	// confirm, dismiss
	l, closeLedger, err := lf.openWriter(ctx, sf)
	busy := errors.Is(err, errLedgerBusy)
	if err != nil && !busy {
		return err
	}
	desk := &complaint.Desk{Store: st.Complaints}
	if l != nil {
		defer closeLedger()
		desk.Ledger, desk.Origin = l, originOf(l)
	}
	to2 := bawwab.ComplaintConfirmed
	if action == "dismiss" {
		to2 = bawwab.ComplaintDismissed
	}
	cs, err := desk.Decide(ctx, id, to2, actor, af.reason)
	if err != nil {
		return &exitError{code: ExitFail, msg: bawwab.ErrorMessage(err)}
	}
	ev := cs.Events[len(cs.Events)-1]
	fmt.Fprintf(stdio.Out, "case %d %s by %s: %s\n", cs.ID, cs.Status, ev.Actor, ev.Reason)
	switch {
	case ev.LedgerIndex >= 0:
		fmt.Fprintf(stdio.Out, "recorded in the ledger %s as entry %d\n", ev.Origin, ev.LedgerIndex)
	case busy:
		fmt.Fprintln(stdio.Out, "the ledger is held by a running gateway: it appends the step within a minute")
	default:
		fmt.Fprintln(stdio.Out, "recorded in the store; the gateway appends it to the ledger (or give --signing-key to append it now)")
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func printComplaints(w io.Writer, cs []*bawwab.Complaint) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tRECEIVED\tCHANNEL\tPROVIDER\tSENDER\tSCORE\tTEXT")
	for _, c := range cs {
		score := "-"
		if len(c.Matches) > 0 {
			score = fmt.Sprintf("%.2f", c.Matches[0].Score)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Status, c.ReceivedAt.Format("2006-01-02 15:04"), c.Channel,
			orDash(c.ProviderID), orDash(c.SenderID), score, clip(c.Text, 50))
	}
	tw.Flush()
}

func printComplaint(w io.Writer, c *bawwab.Complaint) {
	fmt.Fprintf(w, "case %d: %s\n", c.ID, c.Status)
	fmt.Fprintf(w, "  received    %s through %s\n", c.ReceivedAt.Format(time.RFC3339), c.Channel)
	fmt.Fprintf(w, "  reported at %s\n", c.ReportedAt.Format(time.RFC3339))
	fmt.Fprintf(w, "  subscriber  %s (pseudonym)\n", c.Reporter.Short())
	fmt.Fprintf(w, "  sender      %s\n", orDash(c.SenderID))
	fmt.Fprintf(w, "  provider    %s  advertiser %s  operator %s\n", orDash(c.ProviderID), orDash(c.AdvertiserID), orDash(c.OperatorID))
	fmt.Fprintf(w, "  text        %s\n", c.Text)
	for i, m := range c.Matches {
		fmt.Fprintf(w, "  match %d     ledger entry %s, delivered %s by %s as %s, similarity %.2f\n", i+1,
			entryName(m.Origin, m.Index), m.At.Format(time.RFC3339), m.ProviderID, m.SenderID, m.Score)
	}
	for _, e := range c.Events {
		where := "pending"
		if e.LedgerIndex >= 0 {
			where = "ledger " + entryName(e.Origin, e.LedgerIndex)
		}
		fmt.Fprintf(w, "  %s  %-9s by %s (%s): %s\n", e.At.Format(time.RFC3339), e.Action, e.Actor, where, e.Reason)
	}
}

func entryName(origin string, index int64) string {
	if origin == "" {
		return strconv.FormatInt(index, 10)
	}
	return origin + ":" + strconv.FormatInt(index, 10)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to n runes on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
