package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/registrycsv"
)

// The registry's CSV format is package registrycsv's, shared with the web
// console.
type registryKind = registrycsv.Kind

var registryKinds = registrycsv.Kinds

func lookupKind(name string) *registryKind { return registrycsv.Lookup(name) }

func kindNames() string { return registrycsv.KindNames() }

func init() {
	register(&Command{
		Name:     "registry",
		Synopsis: "import|export [flags] KIND FILE | import [flags] DIR",
		Summary:  "load or dump the registry (providers, sender IDs, channels...) as CSV",
		Help:     registryHelp(),
		Run:      runRegistry,
	})
}

func registryHelp() string {
	var b strings.Builder
	b.WriteString(`Load the registry from CSV files, or write it out, one kind of record per
file. KIND is one of
` + kindNames() + `.

  bawwab registry import KIND FILE   create or replace the records of FILE
  bawwab registry import DIR         import every KIND.csv found in DIR, in
                                     dependency order
  bawwab registry export KIND [FILE] write every record of KIND (FILE "-" or
                                     none: standard output)

An import is all or nothing: the file (or the directory) is applied in one
transaction, or, at the first bad line, not at all; up to ten errors are
listed with their line and column. Records are matched by key: an import
creates the new ones, replaces the changed ones and leaves the rest; it
never deletes. Records refer only to kinds before them in the list above,
so import in that order (a directory import does).

Every file starts with a header line naming its columns, in any order;
optional columns may be left out. UTF-8, comma-separated, RFC 4180 quoting.
Dates are 2025-03-01 (midnight UTC) or RFC 3339 times.
`)
	for _, k := range registryKinds {
		fmt.Fprintf(&b, "\n%s:\n%s", k.Name, k.Format.Doc("  "))
	}
	b.WriteString(`
Accounts: the password column is read in clear and stored hashed (argon2id);
export writes the hash in secret_hash, which import accepts back.

` + storeHelp + `

` + ledgerRecordHelp + `

Examples:
  bawwab registry import examples/registry
  bawwab registry import providers providers.csv --data /var/lib/bawwab
  bawwab registry export senders - --postgres postgres://bawwab@db/bawwab
`)
	return b.String()
}

func runRegistry(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	actor := addActorFlag(fs)
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("missing import or export")
	}
	switch pos[0] {
	case "import":
		var files []registryFile
		switch len(pos) {
		case 2:
			if files, err = registryDir(pos[1]); err != nil {
				return err
			}
		case 3:
			k := lookupKind(pos[1])
			if k == nil {
				return usageErrorf("unknown kind %q (want one of %s)", pos[1], kindNames())
			}
			files = []registryFile{{kind: k, path: pos[2]}}
		default:
			return usageErrorf("registry import takes KIND FILE, or DIR")
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		start := time.Now()
		res, err := importRegistry(ctx, st, files, stdio)
		if err != nil {
			return importFailure(err)
		}
		printSummary(stdio.Err, "records", res, time.Since(start))
		subject, file := "registry", pos[len(pos)-1]
		if len(pos) == 3 {
			subject = "registry:" + pos[1]
		}
		return recordCLIChange(ctx, sf, st, importChange(bawwab.EntryRegistryChange, subject, file, cliActor(*actor), res), stdio.Err)
	case "export":
		if len(pos) < 2 || len(pos) > 3 {
			return usageErrorf("registry export takes KIND [FILE]")
		}
		k := lookupKind(pos[1])
		if k == nil {
			return usageErrorf("unknown kind %q (want one of %s)", pos[1], kindNames())
		}
		out := "-"
		if len(pos) == 3 {
			out = pos[2]
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		return exportRegistry(ctx, st, k, out, stdio)
	}
	return usageErrorf("unknown action %q: want import or export", pos[0])
}

// importFailure turns an import error into the command's error: a
// rejected file exits 1 with its list of errors.
func importFailure(err error) error {
	var rej *rejectedError
	if errors.As(err, &rej) {
		return &exitError{code: ExitFail, msg: rej.Error()}
	}
	return err
}

type registryFile struct {
	kind *registryKind
	path string
}

// registryDir lists the KIND.csv files of dir, in dependency order.
func registryDir(dir string) ([]registryFile, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, usageErrorf("%s is not a directory: give KIND FILE to import one file", dir)
	}
	var files []registryFile
	for _, k := range registryKinds {
		p := filepath.Join(dir, k.Name+".csv")
		if _, err := os.Stat(p); err == nil {
			files = append(files, registryFile{kind: k, path: p})
		}
	}
	if len(files) == 0 {
		return nil, &exitError{code: ExitFail, msg: fmt.Sprintf("%s holds none of %s (with .csv)", dir, kindNames())}
	}
	return files, nil
}

// importRegistry imports the files in one transaction.
func importRegistry(ctx context.Context, st bawwab.Store, files []registryFile, stdio *IO) (bawwab.ImportResult, error) {
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f.path); err == nil && f.path != "-" {
			total += fi.Size()
		}
	}
	bar := progress.New(stdio.Err, total, "importing registry", "rows")
	var in []registrycsv.File
	for _, f := range files {
		r, _, err := openInput(f.path, stdio)
		if err != nil {
			return bawwab.ImportResult{}, err
		}
		defer r.Close()
		name := ""
		if len(files) > 1 {
			name = filepath.Base(f.path)
		}
		in = append(in, registrycsv.File{Kind: f.kind, Name: name, R: bar.Reader(r)})
	}
	res, err := registrycsv.Import(ctx, st.Registry, in, bar.Record)
	bar.Finish()
	return res, fromRegistryCSV(err)
}

// fromRegistryCSV turns a rejected registry import into the command's
// rejection, so that every import reports the same way.
func fromRegistryCSV(err error) error {
	var rej *registrycsv.RejectedError
	if !errors.As(err, &rej) {
		return err
	}
	out := &rejectedError{count: rej.Count}
	for _, e := range rej.Errs {
		var le *registrycsv.LineError
		if errors.As(e, &le) {
			e = &lineError{File: le.File, Line: le.Line, Column: le.Column, Err: le.Err}
		}
		out.errs = append(out.errs, e)
	}
	return out
}

func exportRegistry(ctx context.Context, st bawwab.Store, k *registryKind, out string, stdio *IO) error {
	w, commit, abort, err := createOutput(out, stdio)
	if err != nil {
		return err
	}
	n, err := registrycsv.Export(ctx, st.Registry, k, w)
	if err != nil {
		abort()
		return err
	}
	if err := commit(); err != nil {
		return fmt.Errorf("export %s: %w", k.Name, err)
	}
	if out != "-" {
		fmt.Fprintf(stdio.Err, "exported %d %s to %s\n", n, k.Name, out)
	}
	return nil
}
