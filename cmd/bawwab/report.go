package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/report"
)

func init() {
	register(&Command{
		Name:     "report",
		Synopsis: "[rebuild] [--from DATE] [--to DATE] [--provider ID] [--operator ID] [--by day,provider,operator] [--format csv|json]",
		Summary:  "report volumes, rejections by reason, opt-outs, complaints and measures (CSV, JSON)",
		Help: `Report what the gateway did, per day, provider and operator: messages
submitted, accepted, deferred and rejected (with one column per reason
code), flagged and monitored, oppositions received (STOP, START), complaints
(matched, unmatched, confirmed, dismissed) and measures (warnings,
throttles, suspensions, lifts). Days are days in Casablanca.

Reports read the aggregates the gateway keeps in the store as the ledger
grows (never the ledger itself), so they take milliseconds whatever the
ledger's size. 'bawwab report rebuild' computes the aggregates again from
the ledger: after a restore, or to check them (they must come out the
same). It reads the ledger of --ledger DIR (default DATA/ledger), or with
--postgres every node's ledger in the database, and can run while the
gateway does.

Dates are YYYY-MM-DD; --to includes its day. --by says what a row is per:
day, provider, operator, or a comma-separated mix (default all three);
dimensions left out are summed. The provider "system" is what no provider
sent: the gateway's own messages (STOP and START confirmations, one-time
codes) and the subscribers' oppositions.

` + storeHelp + `

Examples:
  bawwab report --from 2025-06-01 --to 2025-06-30 --data /var/lib/bawwab > june.csv
  bawwab report --provider atlasvas --by day --format json
  bawwab report --by operator --from 2025-06-01
  bawwab report rebuild --data /var/lib/bawwab`,
		Run: runReport,
	})
}

func runReport(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	lf := addLedgerFlags(fs, false)
	from := fs.String("from", "", "first `date` of the report (YYYY-MM-DD, a day in Casablanca)")
	to := fs.String("to", "", "last `date` of the report, included")
	provider := fs.String("provider", "", "only this provider `id`")
	operator := fs.String("operator", "", "only this operator `id` (iam, orange, inwi)")
	by := fs.String("by", "day,provider,operator", "`dims` a row is per: day, provider, operator, comma-separated")
	format := fs.String("format", "csv", "output `format`: csv or json")
	out := fs.String("out", "", "write to `file` instead of the standard output")
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "rebuild":
		return runReportRebuild(ctx, sf, lf, fs, stdio)
	case len(pos) > 0:
		return usageErrorf("unexpected argument %q (the only subcommand is rebuild)", pos[0])
	}
	var f report.Filter
	if f.By, err = report.ParseBy(*by); err != nil {
		return usageErrorf("--by: %s", bawwab.ErrorMessage(err))
	}
	for _, d := range []struct {
		s   string
		dst *time.Time
		nm  string
	}{{*from, &f.From, "--from"}, {*to, &f.To, "--to"}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.s)
		if err != nil {
			return usageErrorf("%s: %q is not a date (YYYY-MM-DD)", d.nm, d.s)
		}
		*d.dst = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return usageErrorf("--to is before --from")
	}
	if *format != "csv" && *format != "json" {
		return usageErrorf("--format: want csv or json")
	}
	f.ProviderID, f.OperatorID = *provider, *operator
	st, closeStore, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now()
	rows, err := report.Table(ctx, st.Reports, f)
	if err != nil {
		return err
	}
	labelSystemRows(rows, f.By)
	w, commit, abort, err := createOutput(*out, stdio)
	if err != nil {
		return &exitError{code: ExitFail, msg: err.Error()}
	}
	if *format == "json" {
		err = report.WriteJSON(w, rows)
	} else {
		err = report.WriteCSV(w, rows)
	}
	if err != nil {
		abort()
		return err
	}
	if err := commit(); err != nil {
		return err
	}
	fmt.Fprintf(stdio.Err, "%d rows in %s\n", len(rows), time.Since(start).Round(time.Millisecond))
	return nil
}

// runReportRebuild drops the aggregates and feeds them again from the
// ledgers: the file ledger of --ledger (or DATA/ledger), or with
// --postgres every ledger in the database.
func runReportRebuild(ctx context.Context, sf *storeFlags, lf *ledgerFlags, fs *flag.FlagSet, stdio *IO) error {
	st, closeStore, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	reg, err := st.Registry.Snapshot(ctx)
	if err != nil {
		return err
	}
	category := report.SenderCategories(reg.SenderIDs)
	var feeders []*report.Feeder
	var names []string
	if dir := lf.directory(sf); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return &exitError{code: ExitFail, msg: fmt.Sprintf("no ledger in %s", dir)}
		}
		r, err := ledger.OpenReader(dir)
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		defer r.Close()
		origin := lf.origin
		if origin == "" {
			origin = ledger.DefaultOrigin
			if cps, err := r.Store().Checkpoints(); err == nil && len(cps) > 0 {
				if cp, err := ledger.ParseCheckpoint(cps[len(cps)-1].Note); err == nil {
					origin = cp.Origin
				}
			}
		}
		feeders = append(feeders, &report.Feeder{Store: st.Reports, Ledger: r, Origin: origin, SenderCategory: category})
		names = append(names, origin+" ("+dir+")")
	} else if sf.postgres != "" {
		db := postgres.NewDB(sf.postgres)
		if err := db.Open(ctx); err != nil {
			return err
		}
		defer db.Close()
		origins, err := db.LedgerOrigins(ctx)
		if err != nil {
			return err
		}
		if lf.origin != "" {
			origins = []string{lf.origin}
		}
		for _, o := range origins {
			ls, err := db.OpenLedger(ctx, o, postgres.LedgerOptions{ReadOnly: true})
			if err != nil {
				return err
			}
			r := ledger.NewReader(ls)
			defer r.Close()
			feeders = append(feeders, &report.Feeder{Store: st.Reports, Ledger: r, Origin: o, SenderCategory: category})
			names = append(names, o)
		}
	} else {
		return usageErrorf("no ledger: give --ledger DIR (or keep the ledger in DATA/ledger, or use --postgres)")
	}
	start := time.Now()
	n, err := report.Rebuild(ctx, st.Reports, feeders...)
	if err != nil {
		return &exitError{code: ExitFail, msg: err.Error()}
	}
	el := time.Since(start)
	fmt.Fprintf(stdio.Out, "rebuilt the aggregates from %d ledger entries of %s in %s (%.0f entries/s)\n",
		n, strings.Join(names, ", "), el.Round(time.Millisecond), float64(n)/max(el.Seconds(), 1e-9))
	return nil
}

// systemProvider labels the rows of what no provider sent: the gateway's
// system messages (STOP and START confirmations, one-time codes) and the
// subscribers' oppositions, recorded without a provider.
const systemProvider = "system"

// labelSystemRows names the rows without a provider "system" when the
// report is by provider (without that grouping no row has one).
func labelSystemRows(rows []report.Row, by []report.Dim) {
	if len(by) > 0 && !slices.Contains(by, report.ByProvider) {
		return
	}
	for i := range rows {
		if rows[i].ProviderID == "" {
			rows[i].ProviderID = systemProvider
		}
	}
}
