package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/sqlite"
)

const examples = "../../examples/registry"

func TestRegistryImportExamples(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		r := mustRun(t, "", append([]string{"registry", "import", examples}, flags...)...)
		if !strings.Contains(r.errOut, "imported 51 records") || !strings.Contains(r.errOut, "51 changes") {
			t.Fatalf("summary: %s", r.errOut)
		}
		// Importing again changes nothing, accounts included: their clear
		// passwords match the stored hashes.
		r = mustRun(t, "", append([]string{"registry", "import", examples}, flags...)...)
		if !strings.Contains(r.errOut, " 0 changes") {
			t.Fatalf("re-import summary: %s", r.errOut)
		}

		// Export gives back what was imported, and imports back unchanged.
		out := mustRun(t, "", append([]string{"registry", "export", "senders"}, flags...)...).out
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if lines[0] != "value,provider_id,advertiser_id,category" || len(lines) != 11 {
			t.Fatalf("exported senders:\n%s", out)
		}
		if !strings.Contains(out, "\nATLASMKT,atlasvas,atlas-market,commercial\n") {
			t.Fatalf("ATLASMKT missing from export:\n%s", out)
		}
		dir := t.TempDir()
		for _, k := range registryKinds {
			mustRun(t, "", append([]string{"registry", "export", k.Name, filepath.Join(dir, k.Name+".csv")}, flags...)...)
		}
		accounts := readFile(t, filepath.Join(dir, "accounts.csv"))
		if strings.Contains(accounts, "Atl4s!pw") || !strings.Contains(accounts, "$argon2id$v=19$") {
			t.Fatalf("exported accounts:\n%s", accounts)
		}
		r = mustRun(t, "", append([]string{"registry", "import", dir}, flags...)...)
		if !strings.Contains(r.errOut, "imported 51 records") || !strings.Contains(r.errOut, " 0 changes") {
			t.Fatalf("re-import of the export: %s", r.errOut)
		}
		campaigns := readFile(t, filepath.Join(dir, "campaigns.csv"))
		if !strings.Contains(campaigns, "أطلس ماركت") {
			t.Fatalf("exported campaigns lost the Arabic template:\n%s", campaigns)
		}
	})
}

// TestRegistryAccountsHashed checks, in the store itself, that the clear
// password of accounts.csv is stored as an argon2id hash of it.
func TestRegistryAccountsHashed(t *testing.T) {
	data := t.TempDir()
	mustRun(t, "", "registry", "import", examples, "--data", data)
	db := sqlite.NewDB(filepath.Join(data, "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := db.Store().Registry.FindAccountByID(context.Background(), "atlas01")
	if err != nil {
		t.Fatal(err)
	}
	if err := secret.Verify(a.SecretHash, "Atl4s!pw"); err != nil {
		t.Fatalf("stored hash %q does not verify the password: %v", a.SecretHash, err)
	}
	if secret.Verify(a.SecretHash, "atl4s!pw") == nil {
		t.Fatal("the hash verifies a wrong password")
	}
}

func TestRegistryImportErrors(t *testing.T) {
	header := "id,name,anrt_declaration,declared_at,status,operator_id\n"
	tests := []struct {
		name, kind, content string
		want                []string // in stderr
	}{
		{"no header", "providers", "", []string{"line 1: empty file: a header line is required"}},
		{"missing column", "providers", "id,anrt_declaration\nx,y\n", []string{`line 1: missing column "name"`}},
		{"unknown column", "operators", "id,name,colour\niam,IAM,red\n", []string{`line 1: unknown column "colour"`}},
		{"bad value", "providers", header + "atlasvas,Atlas,D1,2024-01-01,active,\nrif,Rif,D2,2024-01-01,sleeping,\n",
			[]string{`line 3, column status: unknown provider status "sleeping"`}},
		{"bad date", "providers", header + "atlasvas,Atlas,D1,15/01/2024,,\n", []string{`line 2, column declared_at: "15/01/2024" is not a time`}},
		{"invalid record", "providers", header + "Atlas VAS,Atlas,D1,2024-01-01,,\n", []string{"line 2, column id:"}},
		{"several errors", "providers", header + "a,A,,2024-01-01,,\nb,B,D,,,\nc,C,D,2024-01-01,,\n",
			[]string{"2 errors", "line 2, column anrt_declaration: missing", "line 3, column declared_at: missing"}},
		{"wrong field count", "operators", "id,name\niam,IAM\norange\n", []string{"line 3: wrong number of fields (the header has 2)"}},
		{"bad quoting", "operators", "id,name\niam,\"IAM\n", []string{"line 2:", "quote"}},
		{"reference", "senders", "value,provider_id,advertiser_id,category\nPROMO,nobody,nobody,commercial\n",
			[]string{`line 2, column provider_id: no provider "nobody"`}},
		{"long sender", "senders", "value,provider_id,advertiser_id,category\nPROMOTIONS2025,p,a,commercial\n",
			[]string{"line 2, column value: alphanumeric sender"}},
		{"long smpp password", "accounts", "id,provider_id,password\nacc,p,123456789\n",
			[]string{"line 2, column password: 9 characters: an SMPP password has at most 8"}},
	}
	forEachStore(t, func(t *testing.T, flags []string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := writeFile(t, t.TempDir(), tt.kind+".csv", tt.content)
				r := run(t, "", append([]string{"registry", "import", tt.kind, f}, flags...)...)
				if r.code != ExitFail {
					t.Fatalf("exit %d, want %d\n%s", r.code, ExitFail, r.errOut)
				}
				for _, w := range append(tt.want, "nothing was imported") {
					if !strings.Contains(r.errOut, w) {
						t.Errorf("stderr lacks %q:\n%s", w, r.errOut)
					}
				}
				// Nothing went in.
				out := mustRun(t, "", append([]string{"registry", "export", tt.kind}, flags...)...).out
				if strings.Count(out, "\n") != 1 {
					t.Fatalf("after a rejected import, the store holds:\n%s", out)
				}
			})
		}
	})
}

// TestRegistryImportAllOrNothing checks that a directory import with one
// bad file imports none of the good ones.
func TestRegistryImportAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"operators", "providers", "advertisers"} {
		writeFile(t, dir, name+".csv", readFile(t, filepath.Join(examples, name+".csv")))
	}
	writeFile(t, dir, "senders.csv", "value,provider_id,advertiser_id,category\nATLASMKT,atlasvas,atlas-market,commercial\nDARPROMO,atlasvas,dar-lbahja,commercial\n")
	data := t.TempDir()
	r := run(t, "", "registry", "import", dir, "--data", data)
	if r.code != ExitFail || !strings.Contains(r.errOut, `senders.csv, line 3, column provider_id: provider "atlasvas" does not act for advertiser "dar-lbahja"`) {
		t.Fatalf("exit %d:\n%s", r.code, r.errOut)
	}
	out := mustRun(t, "", "registry", "export", "operators", "--data", data).out
	if out != "id,name\n" {
		t.Fatalf("operators after the rejected import:\n%s", out)
	}
}

func TestRegistryUsage(t *testing.T) {
	data := []string{"--data", t.TempDir()}
	for _, args := range [][]string{
		{"registry"},
		{"registry", "import"},
		{"registry", "import", "dragons", "x.csv"},
		{"registry", "export"},
		{"registry", "delete", "providers"},
		{"registry", "--bogus"},
	} {
		if r := run(t, "", append(args, data...)...); r.code != ExitUsage {
			t.Errorf("bawwab %v: exit %d, want %d\n%s", args, r.code, ExitUsage, r.errOut)
		}
	}
	r := mustRun(t, "", "registry", "-help")
	for _, want := range []string{"bawwab registry import DIR", "senders:", "value ", "unique ignoring case", "--postgres"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if r := run(t, "", "registry", "import", "providers", "/nonexistent/p.csv", "--data", t.TempDir()); r.code != ExitFail {
		t.Errorf("missing file: exit %d", r.code)
	}
}

func TestExamplesDocumented(t *testing.T) {
	// The README of the examples lists every column of every kind.
	readme := readFile(t, filepath.Join(examples, "README.md"))
	for _, k := range registryKinds {
		for _, c := range k.Format.Columns {
			if !strings.Contains(readme, "`"+c.Name+"`") {
				t.Errorf("examples/registry/README.md does not document %s column %s", k.Name, c.Name)
			}
		}
		if _, err := os.Stat(filepath.Join(examples, k.Name+".csv")); err != nil {
			t.Errorf("no example for %s: %v", k.Name, err)
		}
	}
}
