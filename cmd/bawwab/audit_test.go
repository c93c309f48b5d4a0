package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
)

// ledgerEntries reads the entries of the ledger in dir.
func ledgerEntries(t *testing.T, dir string) []*bawwab.LedgerEntry {
	t.Helper()
	r, err := ledger.OpenReader(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var es []*bawwab.LedgerEntry
	for e, err := range r.FindEntries(context.Background(), bawwab.LedgerFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

// The command line's changes are in the ledger, like the console's: an
// import as a summary naming its file, an opposition import with one
// entry per opposition, a console account's changes.
func TestCLIChangesRecorded(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "", "registry", "import", examples, "--data", data, "--actor", "k.benali")
	list := writeFile(t, t.TempDir(), "stop.csv", "msisdn\n+212600000001\n0600000002\n")
	r := mustRun(t, "", "optout", "import", list, "--data", data)
	if !strings.Contains(r.errOut, "recorded in the ledger") {
		t.Errorf("optout import says:\n%s", r.errOut)
	}
	mustRun(t, "", "user", "add", "k.benali", "--role", "regulator", "--data", data, "--actor", "root")
	es := ledgerEntries(t, filepath.Join(data, "ledger"))
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, e.Kind.String()+"/"+e.Action+"/"+e.Subject+"/"+e.Actor)
	}
	want := []string{
		"registry-change/import/registry/k.benali",
		"opposition/stop/national/cli:" + os.Getenv("USER"),
		"opposition/stop/national/cli:" + os.Getenv("USER"),
		"opposition/import/register/cli:" + os.Getenv("USER"),
		"registry-change/create/user:k.benali/root",
	}
	if os.Getenv("USER") == "" {
		for i := range want {
			want[i] = strings.ReplaceAll(want[i], "cli:", "cli")
		}
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ledger:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	if d := es[0].Detail; !strings.Contains(d, "file "+examples) || !strings.Contains(d, "records read") || !strings.Contains(d, "sequence 1 to") {
		t.Errorf("the registry import's detail: %q", d)
	}
	if es[1].Recipient == (bawwab.Pseudonym{}) || es[1].Channel != "import" {
		t.Errorf("an opposition's entry: %+v", es[1])
	}
	if _, err := os.Stat(filepath.Join(data, pendingDirName)); err != nil {
		t.Fatal(err)
	}
	if des, _ := os.ReadDir(filepath.Join(data, pendingDirName)); len(des) != 0 {
		t.Errorf("%d changes left pending", len(des))
	}
	code, stdout, stderr := runMain(t, "", "ledger", "verify", "--data", filepath.Join(data, "ledger"))
	if code != ExitOK {
		t.Fatalf("ledger verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// While a gateway holds the ledger, the command says so, and the gateway
// records the change.
func TestCLIChangesRecordedByRunningGateway(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte("[listen]\nsmpp = \"127.0.0.1:0\"\nhttp = \"127.0.0.1:0\"\n[store]\ndata = \"data\"\n"), 0o600)
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := StartNode(context.Background(), cfg, NodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Shutdown(context.Background())
	before := n.Ledger.Stats().Entries
	list := writeFile(t, t.TempDir(), "stop.csv", "msisdn\n+212600000001\n0600000002\n")
	r := mustRun(t, "", "optout", "import", list, "--data", data, "--actor", "ops")
	if !strings.Contains(r.errOut, "the gateway running on "+data+" holds the ledger: it records this change") {
		t.Errorf("optout import says:\n%s", r.errOut)
	}
	deadline := time.Now().Add(20 * time.Second)
	for n.Ledger.Stats().Entries < before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("the gateway recorded %d entries, want 3", n.Ledger.Stats().Entries-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	e, err := n.Ledger.FindEntryByIndex(context.Background(), before+2)
	if err != nil {
		t.Fatal(err)
	}
	if e.Kind != bawwab.EntryOpposition || e.Action != "import" || e.Actor != "ops" || !strings.Contains(e.Detail, "2 records read") {
		t.Errorf("the summary entry: %+v", e)
	}
}
