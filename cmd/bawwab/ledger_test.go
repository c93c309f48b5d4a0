package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
)

// ledgerFixture is a closed ledger of decisions about a few subscribers,
// some old enough to be purged, with its keys kept apart.
type ledgerFixture struct {
	dir, keyring, signing, pub string
	numbers                    []string
}

func newLedgerFixture(t *testing.T) *ledgerFixture {
	t.Helper()
	root := t.TempDir()
	fx := &ledgerFixture{dir: filepath.Join(root, "ledger"), keyring: filepath.Join(root, "pseudonym.keys"),
		signing: filepath.Join(root, "ledger.key")}
	kr, err := ledger.OpenKeyring(fx.keyring, ledger.KeyringOptions{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(fx.dir, ledger.Options{SigningKeyFile: fx.signing, Origin: "bawwab-test", Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	fx.pub = l.PublicKey()
	ctx := context.Background()
	old := time.Now().Add(-120 * 24 * time.Hour)
	for i := range 40 {
		n := fmt.Sprintf("+21266%07d", 1234500+i%4)
		if i < 4 {
			fx.numbers = append(fx.numbers, n)
		}
		e := &bawwab.LedgerEntry{
			ProviderID: []string{"atlasvas", "medinasms"}[i%2], AdvertiserID: "atlas-market", SenderID: "ATLASMKT",
			OperatorID: []string{"iam", "orange", "inwi"}[i%3], MSISDN: n,
			Text: fmt.Sprintf("Atlas Market : offre n°%d, -20%% ce week-end ! STOP au 5050", i),
		}
		e.SetDecision(bawwab.Decision{Outcome: bawwab.Outcome(i % 2), Reason: []bawwab.Reason{"", bawwab.ReasonOptOutMentionMissing}[i%2], RuleSet: "r1"})
		if i < 10 {
			e.Time = old.Add(time.Duration(i) * time.Minute)
		}
		if _, err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return fx
}

func TestLedgerVerifyCommand(t *testing.T) {
	fx := newLedgerFixture(t)
	code, out, errOut := runMain(t, "", "ledger", "verify", "--data", fx.dir, "--key", fx.pub)
	if code != 0 || !strings.Contains(out, "verified") || !strings.Contains(out, "40 checked") || !strings.Contains(out, "entries/s") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(errOut, "warning") {
		t.Errorf("warned with a key given: %s", errOut)
	}
	// Without --key it trusts ledger.pub, and says so.
	code, _, errOut = runMain(t, "", "ledger", "verify", "--data", fx.dir)
	if code != 0 || !strings.Contains(errOut, "warning: trusting the public key stored") {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	// A flipped byte in entry 17's record.
	seg := filepath.Join(fx.dir, "00000000000000000000.log")
	data, _ := os.ReadFile(seg)
	off := 16
	for i := 0; i < 17; i++ {
		off += 49 + int(uint32(data[off])<<24|uint32(data[off+1])<<16|uint32(data[off+2])<<8|uint32(data[off+3]))
	}
	data[off+30] ^= 0x04
	os.WriteFile(seg, data, 0o640)
	code, out, errOut = runMain(t, "", "ledger", "verify", "--data", fx.dir, "--key", fx.pub)
	if code != 1 || !strings.Contains(errOut, "FAILED at entry 17") || !strings.Contains(out, "NOT verified") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	// A key that is not the ledger's.
	other := t.TempDir()
	l, err := ledger.Open(other, ledger.Options{SigningKeyFile: filepath.Join(other, "k"), Origin: "bawwab-test"})
	if err != nil {
		t.Fatal(err)
	}
	stranger := l.PublicKey()
	l.Close()
	data[off+30] ^= 0x04
	os.WriteFile(seg, data, 0o640)
	if code, _, errOut := runMain(t, "", "ledger", "verify", "--data", fx.dir, "--key", stranger); code != 1 || !strings.Contains(errOut, "checkpoint") {
		t.Errorf("stranger's key: exit %d %s", code, errOut)
	}
}

func TestLedgerExportCommand(t *testing.T) {
	fx := newLedgerFixture(t)
	code, out, errOut := runMain(t, "", "ledger", "export", "--data", fx.dir, "--provider", "atlasvas", "--operator", "iam")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 7 { // i even and i%3 == 0, of 40
		t.Errorf("%d entries for atlasvas on iam, want 7:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if m["provider"] != "atlasvas" || m["operator"] != "iam" || m["text_state"] != "kept" {
			t.Errorf("line %s", l)
		}
	}
	// CSV, with dates.
	code, out, _ = runMain(t, "", "ledger", "export", "--data", fx.dir, "--format", "csv", "--from", time.Now().Add(-24*time.Hour).UTC().Format(time.DateOnly))
	if n := strings.Count(out, "\n"); code != 0 || n != 31 {
		t.Errorf("csv since yesterday: exit %d, %d lines (want header + 30)", code, n)
	}
	// One subscriber, through the keyring: found, never printed.
	for _, form := range []string{fx.numbers[2], "0" + fx.numbers[2][4:], "00" + fx.numbers[2][1:], "06 61 23 45 02"} {
		code, out, errOut = runMain(t, "", "ledger", "export", "--data", fx.dir, "--number", form, "--key-file", fx.keyring)
		if n := strings.Count(out, "\n"); code != 0 || n != 10 {
			t.Errorf("--number %s: exit %d, %d entries, want 10 (%s)", form, code, n, errOut)
		}
		for _, n := range fx.numbers {
			if strings.Contains(out+errOut, n[4:]) {
				t.Errorf("a number appears in clear in the export")
			}
		}
	}
	// Usage errors.
	for _, args := range [][]string{
		{"ledger", "export", "--data", fx.dir, "--number", "0661234502"},
		{"ledger", "export", "--data", fx.dir, "--format", "xml"},
		{"ledger", "export", "--data", fx.dir, "--from", "yesterday"},
		{"ledger", "export", "--data", fx.dir, "--kind", "nonsense"},
		{"ledger", "export"},
		{"ledger", "nonsense"},
	} {
		if code, _, errOut := runMain(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		} else if strings.Contains(errOut, "0661234502") {
			t.Errorf("%v: the number is echoed in the error", args)
		}
	}
}

func TestLedgerProveCommands(t *testing.T) {
	fx := newLedgerFixture(t)
	code, proof, errOut := runMain(t, "", "ledger", "prove", "--data", fx.dir, "--index", "23")
	if code != 0 {
		t.Fatalf("prove: exit %d %s", code, errOut)
	}
	code, out, errOut := runMain(t, proof, "ledger", "verify-proof", "--key", fx.pub)
	if code != 0 || !strings.Contains(out, "proof holds: entry 23") || !strings.Contains(out, `"index":23`) {
		t.Fatalf("verify-proof: exit %d\n%s%s", code, out, errOut)
	}
	var p map[string]any
	json.Unmarshal([]byte(proof), &p)
	p["text"] = strings.Replace(p["text"].(string), "20%", "50%", 1)
	altered, _ := json.Marshal(p)
	if code, _, errOut := runMain(t, string(altered), "ledger", "verify-proof", "--key", fx.pub); code != 1 || !strings.Contains(errOut, "does NOT hold") {
		t.Errorf("altered proof: exit %d %s", code, errOut)
	}
	if code, _, _ := runMain(t, proof, "ledger", "verify-proof"); code != 2 {
		t.Errorf("verify-proof without a key: exit %d", code)
	}
	if code, _, _ := runMain(t, "", "ledger", "prove", "--data", fx.dir, "--index", "40"); code != 1 {
		t.Errorf("prove past the end: exit %d", code)
	}
}

func TestLedgerPurgeAndRotateCommands(t *testing.T) {
	fx := newLedgerFixture(t)
	code, out, errOut := runMain(t, "", "ledger", "purge", "--data", fx.dir, "--older-than", "90d", "--signing-key", fx.signing, "--actor", "test")
	if code != 0 || !strings.Contains(out, "dropped 10 message texts") {
		t.Fatalf("purge: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runMain(t, "", "ledger", "verify", "--data", fx.dir, "--key", fx.pub)
	if code != 0 || !strings.Contains(out, "10 dropped by retention") {
		t.Fatalf("verify after purge: exit %d\n%s", code, out)
	}
	_, out, _ = runMain(t, "", "ledger", "export", "--data", fx.dir, "--kind", "retention")
	if !strings.Contains(out, `"actor":"test"`) {
		t.Errorf("the purge is not recorded: %s", out)
	}
	code, out, errOut = runMain(t, "", "ledger", "rotate-key", "--data", fx.dir, "--key-file", fx.keyring, "--signing-key", fx.signing, "--actor", "cndp")
	if code != 0 || !strings.Contains(out, "new pseudonym key") {
		t.Fatalf("rotate-key: exit %d %s%s", code, out, errOut)
	}
	if code, _, _ := runMain(t, "", "ledger", "verify", "--data", fx.dir, "--key", fx.pub); code != 0 {
		t.Error("verify after rotation failed")
	}
	if code, _, _ := runMain(t, "", "ledger", "purge", "--data", fx.dir, "--older-than", "soon", "--signing-key", fx.signing); code != 2 {
		t.Errorf("bad age: exit %d", code)
	}
}
