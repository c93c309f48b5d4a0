package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sanction"
)

func init() {
	register(&Command{
		Name:     "measure",
		Synopsis: "list|lift|notifications|webhook [ARGS] [flags]",
		Summary:  "list the measures against providers, lift one (regulators), manage notifications",
		Help: `The gateway counts each provider's violations and raises measures when a
threshold of the configuration is crossed: a warning, throttling (a cap in
messages per second), a suspension, which blocks the provider's traffic on
every gateway node. Each measure is recorded with who, when and why, in the
store and in the ledger, and notified to the provider (in the console, and
posted to its webhook when it has one). Only a regulator lifts a measure.

  bawwab measure list [--provider ID] [--active | --lifted]
  bawwab measure lift ID --actor NAME --role regulator --reason TEXT
  bawwab measure notifications [--provider ID]
  bawwab measure webhook PROVIDER [URL | --remove]

Lifting sets the provider's status to the strongest measure still in force
(or active) on every node through the store's change feed; the lift is
appended to the ledger now with --signing-key, otherwise by the running
gateway. A webhook is an https URL (http only to the loopback address) to
which each notification is posted as JSON.

` + storeHelp + `

Examples:
  bawwab measure list --active --data /var/lib/bawwab
  bawwab measure lift 7 --actor anrt.kbenali --role regulator \
      --reason "the provider cleaned its lists and retrained its staff" --data /var/lib/bawwab
  bawwab measure webhook atlasvas https://hooks.atlasvas.ma/bawwab --data /var/lib/bawwab`,
		Run: runMeasure,
	})
}

func runMeasure(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	lf := addLedgerFlags(fs, true)
	af := addActorFlags(fs)
	provider := fs.String("provider", "", "only the measures of this provider `id`")
	active := fs.Bool("active", false, "only the measures in force")
	lifted := fs.Bool("lifted", false, "only the measures lifted")
	remove := fs.Bool("remove", false, "webhook: remove the provider's webhook")
	limit := fs.Int("limit", 100, "list at most `n`, newest first (0: all)")
	format := fs.String("format", "text", "output `format`: text or json")
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("want: measure list|lift|notifications|webhook")
	}
	if *format != "text" && *format != "json" {
		return usageErrorf("--format: want text or json")
	}
	if *active && *lifted {
		return usageErrorf("--active and --lifted exclude each other")
	}
	var actor bawwab.Actor
	var id int64
	switch pos[0] {
	case "list", "notifications":
		if len(pos) != 1 {
			return usageErrorf("measure %s takes no argument", pos[0])
		}
	case "lift":
		if len(pos) != 2 {
			return usageErrorf("measure lift takes the measure's ID")
		}
		if id, err = strconv.ParseInt(pos[1], 10, 64); err != nil || id <= 0 {
			return usageErrorf("%q is not a measure ID", pos[1])
		}
		if actor, err = af.actor(); err != nil {
			return err
		}
	case "webhook":
		if len(pos) < 2 || len(pos) > 3 || (len(pos) == 3) == *remove {
			return usageErrorf("want: measure webhook PROVIDER [URL | --remove]")
		}
	default:
		return usageErrorf("unknown action %q: want list, lift, notifications or webhook", pos[0])
	}
	st, closeStore, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	switch pos[0] {
	case "list":
		f := bawwab.MeasureFilter{Limit: *limit}
		if *provider != "" {
			f.ProviderID = provider
		}
		if *active || *lifted {
			f.Active = active
		}
		ms, total, err := st.Measures.FindMeasures(ctx, f)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(stdio.Out, ms)
		}
		printMeasures(stdio.Out, ms)
		fmt.Fprintf(stdio.Err, "%d of %d measures\n", len(ms), total)
		return nil
	case "notifications":
		f := bawwab.NotificationFilter{Limit: *limit}
		if *provider != "" {
			f.ProviderID = provider
		}
		ns, _, err := st.Measures.FindNotifications(ctx, f)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(stdio.Out, ns)
		}
		for _, n := range ns {
			state := "in the console"
			switch {
			case !n.DeliveredAt.IsZero():
				state = "posted to " + n.Webhook + " on " + n.DeliveredAt.Format(time.RFC3339)
			case n.Webhook != "":
				state = fmt.Sprintf("not yet posted to %s (%d attempts; %s)", n.Webhook, n.Attempts, orDash(n.LastError))
			}
			fmt.Fprintf(stdio.Out, "notification %d to %s, measure %d, %s — %s\n  %s\n\n", n.ID, n.ProviderID, n.MeasureID,
				n.At.Format(time.RFC3339), state, n.Subject)
		}
		return nil
	case "webhook":
		url := ""
		if len(pos) == 3 {
			url = pos[2]
		}
		if err := st.Measures.SetWebhook(ctx, pos[1], url); err != nil {
			return &exitError{code: ExitFail, msg: bawwab.ErrorMessage(err)}
		}
		if url == "" {
			fmt.Fprintf(stdio.Out, "provider %s has no webhook any more: notifications stay in the console\n", pos[1])
		} else {
			fmt.Fprintf(stdio.Out, "provider %s's notifications are posted to %s\n", pos[1], url)
		}
		return nil
	}
	// lift
	l, closeLedger, err := lf.openWriter(ctx, sf)
	busy := errors.Is(err, errLedgerBusy)
	if err != nil && !busy {
		return err
	}
	opts := sanction.Options{Config: sanction.DefaultConfig(), Measures: st.Measures}
	if l != nil {
		defer closeLedger()
		opts.Ledger, opts.Origin = l, originOf(l)
	}
	// The lift's notification is posted now, signed when the key is at
	// hand; otherwise (or if the webhook is refused here, without the
	// gateway's callbacks.allow) the gateway posts it again, signed.
	if lf.signingKey != "" {
		if opts.Signer, err = callbackSigner(lf.signingKey); err != nil {
			return err
		}
	}
	mon, err := sanction.New(opts)
	if err != nil {
		return err
	}
	m, err := mon.Lift(ctx, id, actor, af.reason)
	if err != nil {
		return &exitError{code: ExitFail, msg: bawwab.ErrorMessage(err)}
	}
	p, err := st.Registry.FindProviderByID(ctx, m.ProviderID)
	status := "unknown"
	if err == nil {
		status = p.Status.String()
	}
	fmt.Fprintf(stdio.Out, "measure %d (%s against %s) lifted by %s: %s\nprovider %s is now %s on every node\n",
		m.ID, m.Kind, m.ProviderID, m.LiftedBy, m.LiftReason, m.ProviderID, status)
	switch {
	case m.LiftLedgerIndex >= 0:
		fmt.Fprintf(stdio.Out, "recorded in the ledger %s as entry %d\n", m.LiftOrigin, m.LiftLedgerIndex)
	case busy:
		fmt.Fprintln(stdio.Out, "the ledger is held by a running gateway: it appends the lift within a minute")
	default:
		fmt.Fprintln(stdio.Out, "recorded in the store; the gateway appends it to the ledger (or give --signing-key to append it now)")
	}
	return nil
}

func printMeasures(w io.Writer, ms []*bawwab.Measure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPROVIDER\tMEASURE\tTAKEN\tBY\tSTATE\tREASON")
	for _, m := range ms {
		state := "in force"
		if !m.Active() {
			state = "lifted " + m.LiftedAt.Format("2006-01-02") + " by " + m.LiftedBy.String()
		}
		kind := m.Kind.String()
		if m.Kind == bawwab.MeasureThrottle {
			kind += fmt.Sprintf(" (%g/s)", m.Rate)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.ProviderID, kind, m.At.Format("2006-01-02 15:04"), m.Actor, state, clip(m.Reason, 70))
	}
	tw.Flush()
}
