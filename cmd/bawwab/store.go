package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/sqlite"
)

// storeFlags are the flags that choose the store: the embedded SQLite
// store in a directory, or a PostgreSQL database.
type storeFlags struct {
	data     string
	postgres string
}

// defaultDataDir is where the embedded store lives by default.
const defaultDataDir = "./bawwab-data"

func addStoreFlags(fs *flag.FlagSet) *storeFlags {
	f := &storeFlags{}
	fs.StringVar(&f.data, "data", defaultDataDir, "`DIR`ectory of the embedded store (created if missing)")
	fs.StringVar(&f.postgres, "postgres", os.Getenv("BAWWAB_POSTGRES"),
		"PostgreSQL `DSN` (postgres://user@host:5432/db?search_path=bawwab) instead of the embedded store; default $BAWWAB_POSTGRES")
	return f
}

// storeHelp is the paragraph every store-using command shows.
const storeHelp = `The store is the embedded one in --data DIR (default ./bawwab-data, one
SQLite file, bawwab.db), or the PostgreSQL database of --postgres DSN (or
$BAWWAB_POSTGRES), shared by every gateway node.`

// open opens the chosen store; the returned function closes it.
func (f *storeFlags) open(ctx context.Context, fs *flag.FlagSet) (bawwab.Store, func() error, error) {
	explicit := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { explicit[fl.Name] = true })
	if f.postgres != "" {
		if explicit["data"] {
			return bawwab.Store{}, nil, usageErrorf("--data and --postgres name two stores: choose one")
		}
		db := postgres.NewDB(f.postgres)
		db.Now = time.Now
		if err := db.Open(ctx); err != nil {
			return bawwab.Store{}, nil, err
		}
		return db.Store(), db.Close, nil
	}
	if f.data == "" {
		return bawwab.Store{}, nil, usageErrorf("--data: empty directory name")
	}
	// The store holds subscriber numbers: only its owner reads it.
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return bawwab.Store{}, nil, fmt.Errorf("create data directory: %w", err)
	}
	db := sqlite.NewDB(filepath.Join(f.data, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		return bawwab.Store{}, nil, err
	}
	return db.Store(), db.Close, nil
}

// openInput opens a file to read, "-" for standard input, and returns its
// size for the progress bar (-1 when unknown).
func openInput(name string, stdio *IO) (io.ReadCloser, int64, error) {
	if name == "-" {
		return io.NopCloser(stdio.In), -1, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, nil
}

// createOutput creates a file to write, "-" (or "") for standard output.
// The file is written beside its final name and renamed on commit, so that
// a failed export leaves no half file.
func createOutput(name string, stdio *IO) (w io.Writer, commit func() error, abort func(), err error) {
	if name == "-" || name == "" {
		return stdio.Out, func() error { return nil }, func() {}, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return nil, nil, nil, err
	}
	commit = func() error {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return err
		}
		if err := tmp.Close(); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		if err := os.Chmod(tmp.Name(), 0o600); err != nil {
			os.Remove(tmp.Name())
			return err
		}
		return os.Rename(tmp.Name(), name)
	}
	abort = func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	return tmp, commit, abort, nil
}

// parseArgs parses flags placed anywhere among the arguments
// ("import providers p.csv --data d" as well as "--data d import ..."), and
// returns the positional arguments.
func parseArgs(c *Command, fs *flag.FlagSet, args []string, stdio *IO) ([]string, error) {
	var pos []string
	for {
		if err := c.Parse(fs, args, stdio); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// summary prints what an import did.
func printSummary(w io.Writer, what string, res bawwab.ImportResult, elapsed time.Duration) {
	rate := float64(res.Records) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(w, "imported %d %s in %s (%.0f rows/s): %d changes", res.Records, what, elapsed.Round(time.Millisecond), rate, res.Changes)
	if res.Changes > 0 {
		fmt.Fprintf(w, ", sequence %d to %d", res.FirstSeq, res.LastSeq)
	}
	fmt.Fprintln(w, ", 0 errors")
}
