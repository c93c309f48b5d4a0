package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
)

func TestConsentImport(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		mustRun(t, "", append([]string{"registry", "import", examples}, flags...)...)
		r := mustRun(t, "", append([]string{"consent", "import", filepath.Join(examples, "consents.csv")}, flags...)...)
		if !strings.Contains(r.errOut, "imported 2 consents") {
			t.Fatalf("summary: %s", r.errOut)
		}
		bad := writeFile(t, t.TempDir(), "c.csv", "msisdn,advertiser_id,basis\n0600000300,atlas-market,consent\n0600000302,atlas-market,maybe\n0600000301,nobody,consent\n")
		r = run(t, "", append([]string{"consent", "import", bad}, flags...)...)
		if r.code != ExitFail || !strings.Contains(r.errOut, `line 3, column basis: unknown legal basis "maybe"`) {
			t.Fatalf("exit %d:\n%s", r.code, r.errOut)
		}
		bad = writeFile(t, t.TempDir(), "c.csv", "msisdn,advertiser_id\n0600000300,atlas-market\n0600000301,nobody\n")
		r = run(t, "", append([]string{"consent", "import", bad}, flags...)...)
		if r.code != ExitFail || !strings.Contains(r.errOut, `line 3, column advertiser_id: no advertiser "nobody"`) {
			t.Fatalf("exit %d:\n%s", r.code, r.errOut)
		}
		if r := run(t, "", append([]string{"consent", "export", bad}, flags...)...); r.code != ExitUsage {
			t.Fatalf("consent export: exit %d", r.code)
		}
	})
}

// TestConsentImportStored checks the imported consents in the store.
func TestConsentImportStored(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "", "registry", "import", examples, "--data", data)
	mustRun(t, "", "consent", "import", filepath.Join(examples, "consents.csv"), "--data", data)
	db := sqlite.NewDB(filepath.Join(data, "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Store().Consents.FindConsent(context.Background(), "+212600000202", "dar-lbahja")
	if err != nil {
		t.Fatal(err)
	}
	if c.Basis != bawwab.BasisConsent || c.Channel != "web" || !strings.HasPrefix(c.EvidenceHash, "sha256:6f1e") {
		t.Fatalf("consent = %+v", c)
	}
}
