package bawwab_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/bawwab/bawwab"

// importRules is the dependency graph of docs/ARCHITECTURE.md: for each
// package of the module, the module packages and outside modules its
// non-test code may import. The standard library is always allowed. Domain
// types sit at the root, technologies at the edges, and wiring in cmd/, so
// dependencies point inward; a package missing from this table fails the
// test until its rule is written down.
var importRules = map[string]struct {
	module  []string // module packages, relative to the module root ("" is the root)
	outside []string // path prefixes of outside modules
}{
	"": {},
	"msisdn": {outside: []string{
		"github.com/nyaruka/phonenumbers",
	}},
	"textcheck": {outside: []string{
		"golang.org/x/text/",
	}},
	"smpp": {outside: []string{
		"github.com/warthog618/sms/",
	}},
	"smpp/smpptest": {module: []string{"smpp"}},
	"sim":           {module: []string{"", "smpp"}},
	"optout": {module: []string{""}, outside: []string{
		"github.com/RoaringBitmap/roaring/v2",
	}},
	"mo":                {module: []string{"", "textcheck"}},
	"ledger":            {module: []string{""}, outside: []string{"golang.org/x/mod/sumdb/"}},
	"ledger/ledgertest": {module: []string{"", "ledger"}, outside: []string{"golang.org/x/mod/sumdb/"}},
	"compliance":        {module: []string{"", "textcheck", "msisdn"}},
	"storetest":         {module: []string{"", "ledger"}},
	"complaint":         {module: []string{"", "textcheck", "msisdn"}},
	"sanction":          {module: []string{"", "internal/safehttp"}},
	"report":            {module: []string{""}},
	"report/reporttest": {module: []string{"", "report"}},
	"sqlite": {module: []string{"", "ledger"}, outside: []string{
		"modernc.org/sqlite",
	}},
	"postgres": {module: []string{"", "ledger"}, outside: []string{
		"github.com/jackc/pgx/v5",
		"golang.org/x/mod/sumdb/", // the ledger's stored hashes (tlog.Hash)
	}},
	"web/subscriber":    {module: []string{"", "msisdn", "textcheck"}},
	"internal/progress": {outside: []string{"golang.org/x/term", "github.com/schollz/progressbar/v3"}},
	"internal/secret":   {outside: []string{"golang.org/x/crypto/"}},
	"internal/peer":     {}, // test support: the independent peers run as processes
	"internal/safehttp": {}, // stdlib only: providers copy its Verify
	"proxy": {module: []string{"", "smpp", "compliance", "msisdn", "mo", "complaint", "sanction", "internal/secret", "internal/safehttp"}, outside: []string{
		"github.com/prometheus/client_golang/",
	}},
	// web: the console and the API; report builds its overview and
	// tables from the aggregates, msisdn reads a number to search the
	// ledger by, internal/secret hashes passwords and API keys. The
	// complaint desk, the sanction monitor and the ledger are behind
	// small interfaces in web.
	"web":         {module: []string{"", "report", "msisdn", "internal/secret", "registrycsv"}},
	"registrycsv": {module: []string{"", "internal/secret"}},
	"cmd/bawwab":  {module: []string{"*"}, outside: []string{"*"}},
}

type listedPackage struct {
	ImportPath string
	Imports    []string
	Standard   bool
}

func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		rule, ok := importRules[rel]
		if !ok {
			t.Errorf("package %q has no import rule: add it to importRules in deps_test.go", p.ImportPath)
			continue
		}
		for _, imp := range p.Imports {
			if isStandard(imp) {
				continue
			}
			if imp == module || strings.HasPrefix(imp, module+"/") {
				dep := strings.TrimPrefix(strings.TrimPrefix(imp, module), "/")
				if !allowed(rule.module, dep, true) {
					t.Errorf("%s imports %s: not allowed by the import rules", p.ImportPath, imp)
				}
				continue
			}
			if !allowed(rule.outside, imp, false) {
				t.Errorf("%s imports outside package %s: not allowed by the import rules", p.ImportPath, imp)
			}
		}
	}
}

// isStandard reports whether an import path belongs to the standard library:
// its first element has no dot.
func isStandard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func allowed(list []string, path string, exact bool) bool {
	for _, a := range list {
		switch {
		case a == "*", a == path:
			return true
		case !exact && strings.HasSuffix(a, "/") && strings.HasPrefix(path, a):
			return true
		case !exact && (path == a || strings.HasPrefix(path, a+"/")):
			return true
		}
	}
	return false
}
