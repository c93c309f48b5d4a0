package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/report"
)

// The system messages, counted in the decisions but no provider's, have
// their line; the receipts say they are per part.
func TestDemoSummarySystemMessages(t *testing.T) {
	d := &demo{}
	var b bytes.Buffer
	d.writeSummary(&b, demoCounts{Row: report.Row{Submitted: 12, Accepted: 12}, System: 3}, time.Second)
	if !strings.Contains(b.String(), "System messages 3 ") {
		t.Errorf("summary:\n%s", b.String())
	}
}

// In a report by provider, what no provider sent is the row "system".
func TestReportLabelsSystemRows(t *testing.T) {
	for _, tc := range []struct {
		by   []report.Dim
		want string
	}{{nil, "system"}, {[]report.Dim{report.ByDay, report.ByProvider}, "system"}, {[]report.Dim{report.ByOperator}, ""}} {
		rows := []report.Row{{ProviderID: "atlasvas", Submitted: 5}, {ProviderID: "", OperatorID: "iam", Submitted: 2}}
		labelSystemRows(rows, tc.by)
		if rows[0].ProviderID != "atlasvas" || rows[1].ProviderID != tc.want {
			t.Errorf("by %v: %q %q", tc.by, rows[0].ProviderID, rows[1].ProviderID)
		}
	}
}
