package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab/msisdn"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/registrycsv"
)

var oppositionFormat = registrycsv.Format{
	Columns: []registrycsv.Column{
		{Name: "msisdn", Required: true, Doc: "the number, in any usual form: +212612345678, 00212612345678, 0612345678, 06 12 34 56 78"},
		{Name: "scope", Required: false, Doc: "national (default: all commercial SMS), provider:ID or advertiser:ID"},
		{Name: "action", Required: false, Doc: "stop (default) or start (lifts an earlier stop)"},
		{Name: "at", Required: false, Doc: "when it was said: 2025-03-01T09:30:00Z (default: the time of the import)"},
		{Name: "channel", Required: false, Doc: "how it arrived: a short code, web, import (default)"},
	},
	Ignored: []string{"seq"}, // written by export
}

func init() {
	register(&Command{
		Name:     "optout",
		Synopsis: "import FILE | export [FILE] | check NUMBER",
		Summary:  "load, dump or query the opposition register (who said STOP to whom)",
		Help: `Work on the opposition register: the STOP and START events of subscribers,
kept whole (never overwritten), one per number, scope and time.

  bawwab optout import FILE    append the events of a CSV file (FILE "-":
                               standard input), all or nothing
  bawwab optout export [FILE]  write the oppositions in force (FILE "-" or
                               none: standard output)
  bawwab optout check NUMBER   print the oppositions in force for one number,
                               as JSON

The import streams: a file of tens of millions of lines goes in with constant
memory, with a progress bar on a terminal and a summary at the end. It is
applied in one transaction: at the first bad line nothing is imported, and up
to ten errors are listed with their line and column. A file may hold just a
msisdn column (a national opt-out list); its columns are:

` + oppositionFormat.Doc("  ") + `
Export writes msisdn,scope,action,at,channel,seq: one line per number and
scope in force, ordered by number, with the time and channel of the STOP that
started it (seq is the number's last change). With --since-seq N it writes
what changed after change N instead, STARTs included (action start: the
opposition was lifted), so that a provider can apply the delta to its lists.
Export ends by printing, on standard error, the --since-seq of the next
delta. With --provider ID it writes only what concerns that provider: the
national scope, its own, and its advertisers'.

` + storeHelp + `

` + ledgerRecordHelp + `

Examples:
  bawwab optout import stop-list.csv
  bawwab optout check 0612345678
  bawwab optout export --provider atlasvas --since-seq 1200 delta.csv`,
		Run: runOptout,
	})
}

func runOptout(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	actor := addActorFlag(fs)
	since := fs.Int64("since-seq", 0, "export: only what changed after change `N`, lifted oppositions included")
	provider := fs.String("provider", "", "export: only what concerns provider `ID`")
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("missing import, export or check")
	}
	exportOnly := func() error {
		if pos[0] != "export" && (*since != 0 || *provider != "") {
			return usageErrorf("--since-seq and --provider are for export")
		}
		return nil
	}
	if err := exportOnly(); err != nil {
		return err
	}
	switch pos[0] {
	case "import":
		if len(pos) != 2 {
			return usageErrorf("optout import takes FILE")
		}
		in, size, err := openInput(pos[1], stdio)
		if err != nil {
			return err
		}
		defer in.Close()
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		start := time.Now()
		bar := progress.New(stdio.Err, size, "importing oppositions", "lines")
		res, err := importOppositions(ctx, st, bar.Reader(in), bar, time.Now)
		bar.Finish()
		if err != nil {
			return importFailure(err)
		}
		printSummary(stdio.Err, "oppositions", res, time.Since(start))
		return recordCLIChange(ctx, sf, st, importChange(bawwab.EntryOpposition, "register", pos[1], cliActor(*actor), res), stdio.Err)
	case "export":
		if len(pos) > 2 {
			return usageErrorf("optout export takes [FILE]")
		}
		if *since < 0 {
			return usageErrorf("--since-seq: %d is negative", *since)
		}
		out := "-"
		if len(pos) == 2 {
			out = pos[1]
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		// Everything up to this change is in the export (later changes
		// may be too: the next delta sends them again, harmlessly).
		upTo, err := st.Feed.LastSeq(ctx)
		if err != nil {
			return err
		}
		if *provider != "" {
			if _, err := st.Registry.FindProviderByID(ctx, *provider); err != nil {
				return err
			}
			ctx = bawwab.NewContextWithProvider(ctx, *provider)
		}
		n, err := exportOppositions(ctx, st, *since, out, stdio)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Err, "exported %d lines, changes up to %d (next delta: --since-seq %d)\n", n, upTo, upTo)
		return nil
	case "check":
		if len(pos) != 2 {
			return usageErrorf("optout check takes NUMBER")
		}
		n, err := normalizeMSISDN(pos[1])
		if err != nil {
			return usageErrorf("%v", err)
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		return checkOpposition(ctx, st, n, stdio.Out)
	}
	return usageErrorf("unknown action %q: want import, export or check", pos[0])
}

// importOppositions streams an opposition CSV into the store, in one
// transaction. Bad lines are collected (the first ten reported) and the
// whole import is rolled back.
func importOppositions(ctx context.Context, st bawwab.Store, in io.Reader, bar *progress.Bar, now func() time.Time) (bawwab.ImportResult, error) {
	r, err := registrycsv.NewReader(in, "", oppositionFormat)
	if err != nil {
		return bawwab.ImportResult{}, &registrycsv.RejectedError{Errs: []error{err}, Count: 1}
	}
	rej := &registrycsv.RejectedError{}
	at := now().UTC()
	// Files repeat the same few scopes, times and channels: remember the
	// last of each instead of parsing it again.
	var lastScope, lastAt string
	scope := bawwab.NationalScope
	src := csvRows(r, bar, rej, func() (bawwab.Opposition, error) {
		return parseOpposition(r, &scope, &lastScope, &at, &lastAt)
	})
	res, err := st.Oppositions.ImportOppositions(ctx, src)
	return csvImported(r, rej, res, err)
}

func parseOpposition(r *registrycsv.Reader, scope *bawwab.Scope, lastScope *string, at *time.Time, lastAt *string) (bawwab.Opposition, error) {
	var o bawwab.Opposition
	n, err := normalizeMSISDN(r.Get("msisdn"))
	if err != nil {
		return o, r.Fail("msisdn", err)
	}
	o.MSISDN = n
	if s := r.Get("scope"); s != *lastScope {
		if s == "" {
			*scope = bawwab.NationalScope
		} else if *scope, err = bawwab.ParseScope(s); err != nil {
			*lastScope = "\x00" // parse again next time
			return o, r.Fail("scope", err)
		}
		*lastScope = s
	}
	o.Scope = *scope
	if v := r.Get("action"); v != "" {
		if o.Action, err = bawwab.ParseOppositionAction(strings.ToLower(v)); err != nil {
			return o, r.Fail("action", err)
		}
	}
	if v := r.Get("at"); v != "" && v != *lastAt {
		t, err := registrycsv.ParseTime(v)
		if err != nil {
			return o, r.Fail("at", err)
		}
		*at, *lastAt = t, v
	}
	o.At = *at
	o.Channel = r.Get("channel")
	if o.Channel == "" {
		o.Channel = "import"
	}
	if err := o.Validate(); err != nil {
		return o, r.RecordError(err, nil)
	}
	return o, nil
}

// exportOppositions writes the oppositions in force, or the delta since a
// change, as CSV.
func exportOppositions(ctx context.Context, st bawwab.Store, since int64, out string, stdio *IO) (int64, error) {
	w, commit, abort, err := createOutput(out, stdio)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"msisdn", "scope", "action", "at", "channel", "seq"})
	var n int64
	row := make([]string, 6)
	for o, err := range st.Oppositions.StreamOppositionStates(ctx, since) {
		if err != nil {
			abort()
			return 0, fmt.Errorf("export oppositions: %w", err)
		}
		row[0], row[1], row[2], row[3], row[4], row[5] = o.MSISDN, o.Scope.String(), o.Action.String(), registrycsv.FormatTime(o.At), o.Channel, strconv.FormatInt(o.Seq, 10)
		if err := cw.Write(row); err != nil {
			abort()
			return 0, fmt.Errorf("export oppositions: %w", err)
		}
		n++
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		abort()
		return 0, fmt.Errorf("export oppositions: %w", err)
	}
	if err := commit(); err != nil {
		return 0, fmt.Errorf("export oppositions: %w", err)
	}
	return n, nil
}

// checkResult is what optout check prints.
type checkResult struct {
	MSISDN      string         `json:"msisdn"`
	Oppositions []checkedScope `json:"oppositions"`
}

type checkedScope struct {
	Scope   string    `json:"scope"`
	Since   time.Time `json:"since"`
	Channel string    `json:"channel"`
}

func checkOpposition(ctx context.Context, st bawwab.Store, msisdn string, w io.Writer) error {
	inForce, err := st.Oppositions.FindOppositionsInForce(ctx, msisdn)
	if err != nil {
		return err
	}
	res := checkResult{MSISDN: msisdn, Oppositions: []checkedScope{}}
	for _, o := range inForce {
		res.Oppositions = append(res.Oppositions, checkedScope{Scope: o.Scope.String(), Since: o.At, Channel: o.Channel})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}

// normalizeMSISDN turns a number as people write it (any form the msisdn
// package reads: +212…, 0…, spaces, dots, Arabic digits…) into E.164. The
// error names why the field is not one number, never the number itself.
func normalizeMSISDN(s string) (string, error) {
	n, err := msisdn.Parse(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a phone number: %w", mask(s), err)
	}
	return n.E164(), nil
}
