package bawwab_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/bawwab/bawwab"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestReasonsAreStableAndDistinct(t *testing.T) {
	seenStatus := map[uint32]bawwab.Reason{}
	for _, info := range bawwab.Reasons() {
		r := info.Reason
		if !r.Valid() {
			t.Errorf("%q is listed but not valid", r)
		}
		if got, err := bawwab.ParseReason(string(r)); err != nil || got != r {
			t.Errorf("ParseReason(%q) = %q, %v", r, got, err)
		}
		if prev, dup := seenStatus[info.SMPPStatus]; dup {
			t.Errorf("%s and %s share SMPP status %#x", prev, r, info.SMPPStatus)
		}
		seenStatus[info.SMPPStatus] = r
		if info.Rule != "gateway" && (info.SMPPStatus < 0x400 || info.SMPPStatus > 0x4FF) {
			t.Errorf("%s: SMPP status %#x outside the vendor range 0x400-0x4FF", r, info.SMPPStatus)
		}
		if back, ok := bawwab.ReasonForSMPPStatus(info.SMPPStatus); !ok || back != r {
			t.Errorf("ReasonForSMPPStatus(%#x) = %q, %v", info.SMPPStatus, back, ok)
		}
		if info.HTTPStatus < 400 || info.HTTPStatus > 599 {
			t.Errorf("%s: HTTP status %d is not an error", r, info.HTTPStatus)
		}
		if info.Summary == "" || info.Fix == "" {
			t.Errorf("%s: missing summary or fix", r)
		}
	}
	if _, err := bawwab.ParseReason("no-such-reason"); err == nil {
		t.Error("ParseReason accepted an unknown reason")
	}
	if got := bawwab.Reason("bogus").SMPPStatus(); got != 0x08 {
		t.Errorf("unknown reason maps to %#x, want ESME_RSYSERR", got)
	}
}

// TestReasonsDoc keeps docs/REASONS.md, the table integrators read, in step
// with the code. Run "go test -run TestReasonsDoc -update" after adding a
// reason.
func TestReasonsDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Reason codes\n\n")
	b.WriteString("Every refusal, deferral or flag carries one of these stable codes. The same code is written\n")
	b.WriteString("in the ledger, returned in the JSON error of the HTTP API, and mapped to one SMPP\n")
	b.WriteString("`command_status` in `submit_sm_resp` (the vendor range 0x400–0x4FF; `rate-limited` uses the\n")
	b.WriteString("standard `ESME_RTHROTTLED` so that clients retry). Codes are only ever added, never renamed.\n")
	b.WriteString("This file is generated from `reason.go` by `go test -run TestReasonsDoc -update`.\n\n")
	b.WriteString("| reason | rule | SMPP status | HTTP | meaning | how to fix |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, info := range bawwab.Reasons() {
		fmt.Fprintf(&b, "| `%s` | %s | `0x%08X` | %d | %s | %s |\n",
			info.Reason, info.Rule, info.SMPPStatus, info.HTTPStatus, info.Summary, info.Fix)
	}
	const path = "docs/REASONS.md"
	if *update {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestReasonsDoc -update)", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date: run go test -run TestReasonsDoc -update", path)
	}
}
