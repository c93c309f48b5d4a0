package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab/msisdn"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

// The ledger command gathers the tools of the inspectors (verify, export,
// prove, verify-proof) and of the operators of a ledger (purge,
// rotate-key), each a subcommand with its own flags.

var ledgerSubcommands = map[string]*Command{}

func init() {
	for _, c := range []*Command{ledgerVerifyCmd, ledgerExportCmd, ledgerPurgeCmd, ledgerProveCmd, ledgerVerifyProofCmd, ledgerRotateKeyCmd} {
		ledgerSubcommands[strings.TrimPrefix(c.Name, "ledger ")] = c
	}
	register(&Command{
		Name:     "ledger",
		Synopsis: "verify|export|prove|verify-proof|purge|rotate-key [flags]",
		Summary:  "verify, export and prove the tamper-evident audit ledger",
		Help:     ledgerHelp(),
		Run:      runLedger,
	})
}

func ledgerHelp() string {
	return `The audit ledger records every decision on a message, every opposition,
complaint outcome, measure and change made by a person, in an append-only
log chained by hashes and signed in checkpoints: a change to any entry is
detected by verify. Subscriber numbers appear only as keyed pseudonyms.

Subcommands:
  verify        check the whole ledger: chain, Merkle tree, checkpoints, texts
  export        export entries (JSON Lines or CSV) for an inspection
  prove         print a proof that one entry is in the ledger
  verify-proof  check such a proof offline, with the ledger's public key
  purge         drop message texts older than the retention period
  rotate-key    start a new pseudonym key, recording the rotation

Run 'bawwab ledger SUBCOMMAND -help' for its flags and examples.`
}

func runLedger(ctx context.Context, c *Command, args []string, stdio *IO) error {
	if len(args) == 0 {
		printCommandHelp(stdio.Err, c, c.FlagSet())
		return &exitError{code: ExitUsage}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printCommandHelp(stdio.Out, c, c.FlagSet())
		return nil
	}
	sub := ledgerSubcommands[args[0]]
	if sub == nil {
		return usageErrorf("unknown subcommand %q (want verify, export, prove, verify-proof, purge or rotate-key)", args[0])
	}
	return sub.Run(ctx, sub, args[1:], stdio)
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// verifierKeys reads the public keys given with --key (keys or files
// holding them), or else the ledger's own ledger.pub, saying so.
func verifierKeys(keys []string, dir string, stdio *IO) ([]note.Verifier, string, error) {
	var text strings.Builder
	from := "--key"
	for _, k := range keys {
		if _, err := note.NewVerifier(k); err == nil {
			text.WriteString(k + "\n")
			continue
		}
		data, err := os.ReadFile(k)
		if err != nil {
			return nil, "", usageErrorf("--key %s: %v", k, err)
		}
		text.Write(data)
		text.WriteString("\n")
	}
	if len(keys) == 0 {
		if dir == "" {
			return nil, "", usageErrorf("give the ledger's public key with --key")
		}
		data, err := os.ReadFile(filepath.Join(dir, "ledger.pub"))
		if err != nil {
			return nil, "", usageErrorf("no --key, and no ledger.pub in %s: %v", dir, err)
		}
		text.Write(data)
		from = "ledger.pub"
		fmt.Fprintf(stdio.Err, "warning: trusting the public key stored in %s; for an inspection, pass the key the ledger's operator gave you with --key\n", filepath.Join(dir, "ledger.pub"))
	}
	vs, err := ledger.ParseVerifierKeys(text.String())
	if err != nil {
		return nil, "", usageErrorf("%v", err)
	}
	return vs, from, nil
}

// requireDir checks that *dir is a ledger directory. A gateway's data
// directory (bawwab serve, bawwab demo) is accepted too: *dir then becomes
// its ledger/ subdirectory.
func requireDir(dir *string) error {
	if *dir == "" {
		return usageErrorf("--data is required")
	}
	if _, err := os.Stat(filepath.Join(*dir, "FORMAT")); err != nil {
		sub := filepath.Join(*dir, "ledger")
		if _, err2 := os.Stat(filepath.Join(sub, "FORMAT")); err2 == nil {
			*dir = sub
			return nil
		}
		return &exitError{code: ExitFail, msg: fmt.Sprintf("%s is not a ledger directory (nor a data directory with one in ledger/)", *dir)}
	}
	return nil
}

var ledgerVerifyCmd = &Command{
	Name:     "ledger verify",
	Synopsis: "--data DIR [--key KEY]... [--checkpoint FILE]...",
	Summary:  "check a whole ledger",
	Help: `Verify reads every entry of the ledger in DIR and checks: each record's
checksum, its canonical encoding and its place; the hash chain; each
entry's hash against the stored Merkle tree; each checkpoint's Ed25519
signature, tree hash and chain hash; each kept message text against its
hash; and that a text is missing only where a retention purge is recorded.
It reads the ledger without writing to it, also while the gateway runs.

On the first altered, removed or reordered entry it stops, names the entry
and exits 1. Damage at the very end, after the last checkpoint, is the
mark of a crash during a write: it is reported, not a failure (the gateway
truncates it when it reopens the ledger).

Give the ledger's public key with --key (the key itself, or a file); the
ledger's own ledger.pub is used otherwise, with a warning: whoever could
alter the ledger could also replace that file. --checkpoint adds signed
checkpoints kept outside the ledger (from an earlier inspection, or
published): the ledger must still contain each of them.

Examples:
  bawwab ledger verify --data /var/lib/bawwab/ledger --key "bawwab-node1+1a2b3c4d+AX..."
  bawwab ledger verify --data ./copy --key anrt.pub --checkpoint cp-2025-06-01.txt`,
	Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
		fs := c.FlagSet()
		dir := fs.String("data", "", "the ledger `directory`")
		var keys, known listFlag
		fs.Var(&keys, "key", "public `key` of the checkpoints, or a file of keys (repeatable)")
		fs.Var(&known, "checkpoint", "`file` of a signed checkpoint kept outside the ledger (repeatable)")
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return usageErrorf("unexpected argument %q", fs.Arg(0))
		}
		if err := requireDir(dir); err != nil {
			return err
		}
		vs, from, err := verifierKeys(keys, *dir, stdio)
		if err != nil {
			return err
		}
		opts := ledger.VerifyOptions{Keys: vs}
		for _, f := range known {
			data, err := os.ReadFile(f)
			if err != nil {
				return usageErrorf("--checkpoint: %v", err)
			}
			opts.Known = append(opts.Known, data)
		}
		var total int64
		logs, _ := filepath.Glob(filepath.Join(*dir, "*.log"))
		for _, f := range logs {
			if st, err := os.Stat(f); err == nil {
				total += st.Size()
			}
		}
		bar := progress.New(stdio.Err, total, "verifying", "entries")
		opts.Entry = func(int64) { bar.Record() }
		rep, err := ledger.VerifyDir(ctx, *dir, opts, bar.Reader)
		bar.Finish()
		if err != nil {
			return fmt.Errorf("verify %s: %w", *dir, err)
		}
		printReport(stdio.Out, *dir, rep, vs, from)
		if rep.Problem != nil {
			if rep.Problem.Index >= 0 {
				return &exitError{code: ExitFail, msg: fmt.Sprintf("FAILED at entry %d: %s", rep.Problem.Index, rep.Problem.What)}
			}
			return &exitError{code: ExitFail, msg: "FAILED: " + rep.Problem.What}
		}
		return nil
	},
}

func printReport(w io.Writer, dir string, rep *ledger.Report, keys []note.Verifier, from string) {
	status := "verified"
	if rep.Problem != nil {
		status = "NOT verified"
	}
	fmt.Fprintf(w, "ledger %s: %s\n", dir, status)
	fmt.Fprintf(w, "  entries      %d checked\n", rep.Entries)
	fmt.Fprintf(w, "  checkpoints  %d\n", rep.Checkpoints)
	if c := rep.Latest; c != nil {
		fmt.Fprintf(w, "  signed head  %d entries, tree %s, %s, by %s\n", c.N, c.Hash, c.Time.UTC().Format(time.RFC3339), c.Origin)
	}
	fmt.Fprintf(w, "  texts        %d checked against their hashes, %d dropped by retention\n", rep.Texts, rep.Purged)
	if rep.Tail != nil {
		fmt.Fprintf(w, "  tail         entry %d: %s (after the last checkpoint: a write cut short, truncated when the ledger reopens)\n", rep.Tail.Index, rep.Tail.What)
	}
	if rep.Unvouched > 0 {
		fmt.Fprintf(w, "  unvouched    %d entries after the last checkpoint (signed within seconds on a running ledger)\n", rep.Unvouched)
	}
	if rep.Unhashed > 0 {
		fmt.Fprintf(w, "  unhashed     %d entries after the last checkpoint have no stored tree hashes yet\n", rep.Unhashed)
	}
	rate := 0.0
	if s := rep.Elapsed.Seconds(); s > 0 {
		rate = float64(rep.Entries) / s
	}
	fmt.Fprintf(w, "  speed        %.0f entries/s (%s)\n", rate, rep.Elapsed.Round(time.Millisecond))
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = fmt.Sprintf("%s+%08x", k.Name(), k.KeyHash())
	}
	fmt.Fprintf(w, "  keys         %s (from %s)\n", strings.Join(names, ", "), from)
}

var ledgerExportCmd = &Command{
	Name:     "ledger export",
	Synopsis: "--data DIR [--format jsonl|csv] [filters] [--number MSISDN --key-file FILE]",
	Summary:  "export entries for an inspection",
	Help: `Export writes the entries of the ledger in DIR that match every filter
given, in index order, as JSON Lines (one object per entry) or CSV.
Subscribers appear only as pseudonyms ("keyid:hmac"); message texts appear
while the retention policy keeps them ("text_state": kept or purged).

To find the entries about one subscriber, give the number with --number and
the pseudonym keyring with --key-file: the number is turned into its
pseudonym under every key of the keyring and never printed.

Dates are UTC: --from 2025-06-01 starts at midnight, --to 2025-06-30
includes that whole day; an RFC 3339 time (2025-06-01T08:00:00+01:00) is
taken as given.

Examples:
  bawwab ledger export --data DIR --provider atlasvas --from 2025-06-01 --to 2025-06-30 > atlasvas-june.jsonl
  bawwab ledger export --data DIR --format csv --kind decision --reason optout-mention-missing
  bawwab ledger export --data DIR --number 0661234567 --key-file /etc/bawwab/pseudonym.keys`,
	Run: runLedgerExport,
}

func runLedgerExport(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	dir := fs.String("data", "", "the ledger `directory`")
	format := fs.String("format", "jsonl", "output `format`: jsonl or csv")
	out := fs.String("out", "", "write to `file` instead of the standard output")
	var f bawwab.LedgerFilter
	fs.StringVar(&f.ProviderID, "provider", "", "only entries of this provider `id`")
	fs.StringVar(&f.AdvertiserID, "advertiser", "", "only entries of this advertiser `id`")
	fs.StringVar(&f.OperatorID, "operator", "", "only entries of this operator `id` (iam, orange, inwi)")
	fs.StringVar(&f.SenderID, "sender", "", "only entries of this sender `ID`")
	var kinds listFlag
	fs.Var(&kinds, "kind", "only entries of this `kind` (decision, opposition, complaint, measure, registry-change, key-rotation, retention; repeatable)")
	reason := fs.String("reason", "", "only entries with this `reason` code")
	from := fs.String("from", "", "only entries at or after this `date` (YYYY-MM-DD, UTC, or RFC 3339)")
	to := fs.String("to", "", "only entries up to this `date` (inclusive for a day)")
	number := fs.String("number", "", "only entries about this subscriber `MSISDN` (needs --key-file)")
	keyFile := fs.String("key-file", "", "the pseudonym keyring `file`, to find --number")
	noText := fs.Bool("no-text", false, "leave the message texts out")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	if err := requireDir(dir); err != nil {
		return err
	}
	for _, k := range kinds {
		kind, err := bawwab.ParseEntryKind(k)
		if err != nil {
			return usageErrorf("--kind: %s", bawwab.ErrorMessage(err))
		}
		f.Kinds = append(f.Kinds, kind)
	}
	if *reason != "" {
		r, err := bawwab.ParseReason(*reason)
		if err != nil {
			return usageErrorf("--reason: %v", err)
		}
		f.Reason = r
	}
	var err error
	if f.Since, err = parseDate(*from, false); err != nil {
		return usageErrorf("--from: %v", err)
	}
	if f.Before, err = parseDate(*to, true); err != nil {
		return usageErrorf("--to: %v", err)
	}
	switch {
	case *number != "" && *keyFile == "":
		return usageErrorf("--number needs --key-file, the pseudonym keyring")
	case *number != "":
		n, err := msisdn.Parse(*number)
		if err != nil {
			return usageErrorf("--number: %v", err)
		}
		e164 := n.E164()
		kr, err := ledger.OpenKeyring(*keyFile, ledger.KeyringOptions{})
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		f.Recipients = kr.Pseudonyms(e164)
	}
	f.WithText = !*noText
	w := stdio.Out
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	x, err := ledger.NewExporter(bw, *format)
	if err != nil {
		return usageErrorf("--format: %s", bawwab.ErrorMessage(err))
	}
	r, err := ledger.OpenReader(*dir)
	if err != nil {
		return &exitError{code: ExitFail, msg: err.Error()}
	}
	defer r.Close()
	var n int64
	for e, err := range r.FindEntries(ctx, f) {
		if err != nil {
			bw.Flush()
			return &exitError{code: ExitFail, msg: fmt.Sprintf("export stopped after %d entries: %v (run bawwab ledger verify)", n, err)}
		}
		if err := x.Write(e); err != nil {
			return err
		}
		n++
	}
	if err := x.Flush(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if n == 1 {
		fmt.Fprintln(stdio.Err, "1 entry exported")
	} else {
		fmt.Fprintf(stdio.Err, "%d entries exported\n", n)
	}
	return nil
}

// parseDate reads YYYY-MM-DD (UTC; with end, the day after, so that the
// day is included) or an RFC 3339 time.
func parseDate(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or an RFC 3339 time", s)
	}
	return t, nil
}

var ledgerProveCmd = &Command{
	Name:     "ledger prove",
	Synopsis: "--data DIR --index N [--out FILE]",
	Summary:  "prove that an entry is in the ledger",
	Help: `Prove prints, as JSON, a proof that entry N is in the ledger: the entry's
canonical bytes (and its text and nonce, if kept), the Merkle audit path
from it to the tree hash of the latest checkpoint, and that signed
checkpoint. Whoever holds the proof and the ledger's public key can check
it offline with 'bawwab ledger verify-proof', without the ledger.

Examples:
  bawwab ledger prove --data DIR --index 1234567 > entry-1234567.json`,
	Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
		fs := c.FlagSet()
		dir := fs.String("data", "", "the ledger `directory`")
		index := fs.Int64("index", -1, "the `index` of the entry to prove")
		out := fs.String("out", "", "write the proof to `file`")
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		if *index < 0 {
			return usageErrorf("--index is required")
		}
		if err := requireDir(dir); err != nil {
			return err
		}
		r, err := ledger.OpenReader(*dir)
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		defer r.Close()
		p, err := r.ProveEntry(ctx, *index)
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		data, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		data = append(data, '\n')
		if *out != "" {
			return os.WriteFile(*out, data, 0o644)
		}
		_, err = stdio.Out.Write(data)
		return err
	},
}

var ledgerVerifyProofCmd = &Command{
	Name:     "ledger verify-proof",
	Synopsis: "--key KEY [FILE]",
	Summary:  "check a proof of inclusion offline",
	Help: `Verify-proof checks a proof made by 'bawwab ledger prove' (read from FILE,
or the standard input): the checkpoint's signature with the public key
given, the audit path from the entry to the checkpoint's tree hash, and
the text against the entry's text hash. It prints the entry and exits 1 if
anything does not hold. It needs no ledger.

Examples:
  bawwab ledger verify-proof --key "bawwab-node1+1a2b3c4d+AX..." entry-1234567.json`,
	Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
		fs := c.FlagSet()
		var keys listFlag
		fs.Var(&keys, "key", "public `key` of the ledger, or a file of keys (repeatable)")
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		if len(keys) == 0 {
			return usageErrorf("--key is required: the proof is only as good as the key it is checked with")
		}
		vs, _, err := verifierKeys(keys, "", stdio)
		if err != nil {
			return err
		}
		var in io.Reader = stdio.In
		switch fs.NArg() {
		case 0:
		case 1:
			f, err := os.Open(fs.Arg(0))
			if err != nil {
				return &exitError{code: ExitFail, msg: err.Error()}
			}
			defer f.Close()
			in = f
		default:
			return usageErrorf("one proof file at a time")
		}
		var p ledger.Proof
		if err := json.NewDecoder(io.LimitReader(in, 16<<20)).Decode(&p); err != nil {
			return &exitError{code: ExitFail, msg: fmt.Sprintf("not a proof: %v", err)}
		}
		e, cp, err := ledger.VerifyInclusion(&p, note.VerifierList(vs...))
		if err != nil {
			return &exitError{code: ExitFail, msg: "proof does NOT hold: " + err.Error()}
		}
		x, _ := ledger.NewExporter(stdio.Out, "jsonl")
		if err := x.Write(e); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "proof holds: entry %d is in the ledger %s of %d entries (tree %s, signed %s)\n",
			e.Index, cp.Origin, cp.N, cp.Hash, cp.Time.UTC().Format(time.RFC3339))
		return nil
	},
}

var ledgerPurgeCmd = &Command{
	Name:     "ledger purge",
	Synopsis: "--data DIR --older-than AGE --signing-key FILE [--actor NAME]",
	Summary:  "drop message texts past the retention period",
	Help: `Purge applies the retention policy: it drops the message texts of the
entries older than AGE, keeping their hashes, so that the ledger still
verifies. The purge itself is recorded in the ledger (a retention entry,
with the cut-off and who ran it), signed in a new checkpoint: verify
accepts a missing text only where such an entry covers it.

Purge opens the ledger for writing, so the gateway must not be running on
it (a running gateway purges on its own schedule). AGE is a number of days
("90d") or a Go duration ("2160h").

Examples:
  bawwab ledger purge --data /var/lib/bawwab/ledger --older-than 90d --signing-key /etc/bawwab/ledger.key --actor cron`,
	Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
		fs := c.FlagSet()
		dir := fs.String("data", "", "the ledger `directory`")
		older := fs.String("older-than", "", "drop the texts older than this `age` (90d, 2160h)")
		signing := fs.String("signing-key", "", "the ledger's signing key `file`, for the checkpoint")
		actor := fs.String("actor", "bawwab ledger purge", "who runs the purge, recorded in the ledger")
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		if *older == "" || *signing == "" {
			return usageErrorf("--older-than and --signing-key are required")
		}
		age, err := parseAge(*older)
		if err != nil {
			return usageErrorf("--older-than: %v", err)
		}
		if err := requireDir(dir); err != nil {
			return err
		}
		if _, err := os.Stat(*signing); err != nil {
			return usageErrorf("--signing-key: %v", err)
		}
		l, err := ledger.Open(*dir, ledger.Options{SigningKeyFile: *signing})
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		before := time.Now().Add(-age)
		n, err := l.PurgeTexts(ctx, before, *actor)
		if cerr := l.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		fmt.Fprintf(stdio.Out, "dropped %d message texts dated before %s; their hashes stay, the ledger still verifies\n", n, before.UTC().Format(time.RFC3339))
		return nil
	},
}

// parseAge reads "90d" or a Go duration.
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("%q is not a number of days", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not an age (90d, 2160h)", s)
	}
	return d, nil
}

var ledgerRotateKeyCmd = &Command{
	Name:     "ledger rotate-key",
	Synopsis: "--data DIR --key-file FILE --signing-key FILE --actor NAME",
	Summary:  "start a new pseudonym key",
	Help: `Rotate-key adds a new key to the pseudonym keyring and makes it the one
new entries use; the old keys stay, so that the entries made under them can
still be found. The rotation is recorded in the ledger (a key-rotation
entry naming the new key's id, never the key). Like purge, it opens the
ledger for writing: the gateway must not be running on it.

Examples:
  bawwab ledger rotate-key --data DIR --key-file /etc/bawwab/pseudonym.keys --signing-key /etc/bawwab/ledger.key --actor "cndp:visit-2025-06"`,
	Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
		fs := c.FlagSet()
		dir := fs.String("data", "", "the ledger `directory`")
		keyFile := fs.String("key-file", "", "the pseudonym keyring `file`")
		signing := fs.String("signing-key", "", "the ledger's signing key `file`")
		actor := fs.String("actor", "", "who rotates the key, recorded in the ledger")
		if err := c.Parse(fs, args, stdio); err != nil {
			return err
		}
		if *keyFile == "" || *signing == "" || *actor == "" {
			return usageErrorf("--key-file, --signing-key and --actor are required")
		}
		if err := requireDir(dir); err != nil {
			return err
		}
		kr, err := ledger.OpenKeyring(*keyFile, ledger.KeyringOptions{})
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		l, err := ledger.Open(*dir, ledger.Options{SigningKeyFile: *signing, Keyring: kr})
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		id, err := l.RotatePseudonymKey(ctx, *actor)
		if cerr := l.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return &exitError{code: ExitFail, msg: err.Error()}
		}
		ids := kr.KeyIDs()
		names := make([]string, len(ids))
		for i, k := range ids {
			names[i] = fmt.Sprintf("%08x", k)
		}
		sort.Strings(names)
		fmt.Fprintf(stdio.Out, "new pseudonym key %08x; the keyring holds %s\n", id, strings.Join(names, ", "))
		return nil
	},
}
