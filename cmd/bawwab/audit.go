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
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/optout"
)

// The ledger records every change made by a person, the console's and the
// command line's alike. A command that changes the store (an import, a
// console account) writes what it did as a pending change in
// DATA/ledger.pending, then appends it to DATA/ledger itself when it can;
// when a gateway runs on DATA it holds the ledger's lock, and the gateway
// appends the pending changes it finds within seconds (and at start).

// pendingDirName is the directory of the changes not yet in the ledger.
const pendingDirName = "ledger.pending"

// cliChange is a change made from the command line, waiting to be
// appended to the ledger.
type cliChange struct {
	// Kind is the ledger entry's kind: registry-change or opposition.
	Kind    bawwab.EntryKind `json:"kind"`
	Action  string           `json:"action"`
	Subject string           `json:"subject"`
	Actor   string           `json:"actor"`
	Detail  string           `json:"detail"`
	At      time.Time        `json:"at"`
	// FirstSeq and LastSeq, for an opposition import, are the change
	// sequence numbers of the oppositions imported: each gets its entry,
	// like those the gateway records.
	FirstSeq int64 `json:"first_seq,omitempty"`
	LastSeq  int64 `json:"last_seq,omitempty"`
}

const actorHelp = "who makes the change, recorded in the ledger (default $USER)"

// addActorFlag adds --actor, defaulting to the user running the command.
func addActorFlag(fs *flag.FlagSet) *string {
	return fs.String("actor", "", actorHelp)
}

// cliActor names who runs the command, for the ledger.
func cliActor(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	return "cli"
}

// importChange describes an import for the ledger: the file, the counts
// and the store's change sequence numbers.
func importChange(kind bawwab.EntryKind, subject, file, actor string, res bawwab.ImportResult) cliChange {
	detail := fmt.Sprintf("file %s: %d records read, %d changes", file, res.Records, res.Changes)
	if res.Changes > 0 {
		detail += fmt.Sprintf(" (sequence %d to %d)", res.FirstSeq, res.LastSeq)
	}
	ch := cliChange{Kind: kind, Action: "import", Subject: subject, Actor: actor, Detail: detail, At: time.Now().UTC()}
	if kind == bawwab.EntryOpposition && res.Changes > 0 {
		ch.FirstSeq, ch.LastSeq = res.FirstSeq, res.LastSeq
	}
	return ch
}

// recordCLIChange gets ch into the ledger of the data directory, or
// leaves it for the gateway that holds it, and says which on w.
func recordCLIChange(ctx context.Context, sf *storeFlags, st bawwab.Store, ch cliChange, w io.Writer) error {
	if sf.postgres != "" {
		fmt.Fprintf(w, "note: not recorded in a ledger: each node keeps its own; with --postgres, run this command with a node's --data instead, or make the change in the console\n")
		return nil
	}
	pending := filepath.Join(sf.data, pendingDirName)
	if err := writePending(pending, ch); err != nil {
		return fmt.Errorf("the change is made but not recorded for the ledger: %w", err)
	}
	cfg := DefaultConfig()
	cfg.Store.Data = sf.data
	l, err := openCLILedger(&cfg)
	if err != nil {
		if strings.Contains(err.Error(), "another process") {
			fmt.Fprintf(w, "the gateway running on %s holds the ledger: it records this change within seconds\n", sf.data)
			return nil
		}
		fmt.Fprintf(w, "note: not yet in the ledger (%v): the gateway records it when it next starts on %s\n", err, sf.data)
		return nil
	}
	first := l.Stats().Entries
	n, err := drainPending(ctx, pending, l, st)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("the change is made, its ledger entry failed (the gateway records it when it starts): %w", err)
	}
	if n > 0 {
		fmt.Fprintf(w, "recorded in the ledger: entries %d to %d\n", first, first+int64(n)-1)
	}
	return nil
}

// openCLILedger opens the ledger of a data directory as serve does. A
// ledger without its keys in the data directory (they are elsewhere, as
// the gateway's configuration says) is left to the gateway: opening it
// here would make new keys.
func openCLILedger(cfg *Config) (*ledger.Ledger, error) {
	_, err := os.Stat(cfg.ledgerDir())
	exists := err == nil
	if exists {
		for _, f := range []string{cfg.signingKeyFile(), cfg.keyringFile()} {
			if _, err := os.Stat(f); err != nil {
				return nil, fmt.Errorf("no key %s", f)
			}
		}
	}
	for _, f := range []string{cfg.signingKeyFile(), cfg.keyringFile()} {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			return nil, err
		}
	}
	keys, err := ledger.OpenKeyring(cfg.keyringFile(), ledger.KeyringOptions{Create: !exists})
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(cfg.ledgerDir(), ledger.Options{SigningKeyFile: cfg.signingKeyFile(), Origin: cfg.Node, Keyring: keys})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// writePending adds ch to the pending changes (written whole, then
// renamed, so that a reader never sees half of it).
func writePending(dir string, ch cliChange) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%020d-%d.json", time.Now().UnixNano(), os.Getpid())
	tmp := filepath.Join(dir, "."+name)
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// drainPending appends the pending changes of dir to l, oldest first, and
// removes them; it returns the number of entries appended. An opposition
// import gets one entry per opposition (read back from the store), then
// its summary.
func drainPending(ctx context.Context, dir string, l bawwab.LedgerService, st bawwab.Store) (int, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var names []string
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".json") && !strings.HasPrefix(de.Name(), ".") {
			names = append(names, de.Name())
		}
	}
	slices.Sort(names)
	total := 0
	for _, name := range names {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return total, err
		}
		var ch cliChange
		if err := json.Unmarshal(b, &ch); err != nil {
			return total, fmt.Errorf("%s: %w", path, err)
		}
		n, err := appendChange(ctx, l, st, ch)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s: %w", path, err)
		}
		if err := os.Remove(path); err != nil {
			return total, err
		}
	}
	return total, nil
}

// appendChange appends the entries of one change.
func appendChange(ctx context.Context, l bawwab.LedgerService, st bawwab.Store, ch cliChange) (int, error) {
	total := 0
	if ch.Kind == bawwab.EntryOpposition && ch.LastSeq > 0 {
		const batch = 10000
		var es []*bawwab.LedgerEntry
		flush := func() error {
			if len(es) == 0 {
				return nil
			}
			if _, err := l.AppendBatch(ctx, es); err != nil {
				return err
			}
			total += len(es)
			es = es[:0]
			return nil
		}
		for o, err := range st.Oppositions.StreamOppositions(ctx, ch.FirstSeq-1) {
			if err != nil {
				return total, err
			}
			if o.Seq > ch.LastSeq {
				break
			}
			e := optout.OppositionEntry(&o)
			e.Actor = ch.Actor
			es = append(es, e)
			if len(es) == batch {
				if err := flush(); err != nil {
					return total, err
				}
			}
		}
		if err := flush(); err != nil {
			return total, err
		}
	}
	_, err := l.Append(ctx, &bawwab.LedgerEntry{Kind: ch.Kind, Time: ch.At, Action: ch.Action, Subject: ch.Subject,
		Channel: "cli", Actor: ch.Actor, Detail: ch.Detail})
	if err != nil {
		return total, err
	}
	return total + 1, nil
}

// ledgerRecordHelp is the paragraph of the commands whose changes the
// ledger records.
const ledgerRecordHelp = `The change is recorded in the ledger of the --data directory, as the
console's are (actor --actor, default $USER): an import as one entry
naming the file, its counts and the store's change sequence numbers, and
an opposition import with one entry per opposition besides. When a
gateway runs on that directory it holds the ledger: the change waits in
DATA/ledger.pending and the gateway appends it within seconds (or when it
next starts). With --postgres nothing is recorded: make such changes with
a node's --data, or in the console.`
