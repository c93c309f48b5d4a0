package safehttp_test

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

// TestImportsStandardLibraryOnly: the package imports only the standard
// library (DESIGN.md's rule for it, also in the module's deps_test.go), so
// that a provider can copy Verify into its own code.
func TestImportsStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p struct {
			ImportPath string
			Standard   bool
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if !p.Standard && p.ImportPath != "github.com/bawwab/bawwab/internal/safehttp" {
			t.Errorf("depends on %s, outside the standard library", p.ImportPath)
		}
	}
}
