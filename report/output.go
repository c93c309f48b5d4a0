package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/bawwab/bawwab"
)

// CSVHeader returns the columns of WriteCSV: the day, provider and
// operator, the decisions, one column of rejections per reason code (in
// rule order, "rejected_" and the code), then the flags, oppositions,
// complaints and measures.
func CSVHeader() []string {
	h := []string{"day", "provider", "operator", "submitted", "accepted", "deferred", "rejected"}
	for _, r := range bawwab.Reasons() {
		h = append(h, "rejected_"+string(r.Reason))
	}
	return append(h, "flagged", "monitored", "stops", "starts",
		"complaints_opened", "complaints_unmatched", "complaints_confirmed", "complaints_dismissed",
		"warnings", "throttles", "suspensions", "lifts")
}

// WriteCSV writes rows as CSV with a header line (CSVHeader). A column
// the rows are not per (no day, all providers) is empty.
func WriteCSV(w io.Writer, rows []Row) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader()); err != nil {
		return err
	}
	reasons := bawwab.Reasons()
	rec := make([]string, 0, len(CSVHeader()))
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range rows {
		day := ""
		if !r.Day.IsZero() {
			day = r.Day.Format(time.DateOnly)
		}
		rec = append(rec[:0], day, r.ProviderID, r.OperatorID, n(r.Submitted), n(r.Accepted), n(r.Deferred), n(r.Rejected))
		for _, info := range reasons {
			rec = append(rec, n(r.Rejections[info.Reason]))
		}
		rec = append(rec, n(r.Flagged), n(r.Monitored), n(r.Stops), n(r.Starts),
			n(r.ComplaintsOpened), n(r.ComplaintsUnmatched), n(r.ComplaintsConfirmed), n(r.ComplaintsDismissed),
			n(r.Warnings), n(r.Throttles), n(r.Suspensions), n(r.Lifts))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// jsonRow is a Row with its day as a date.
type jsonRow struct {
	Day string `json:"day,omitempty"`
	Row
}

// WriteJSON writes rows as a JSON array, days as YYYY-MM-DD: the API's
// answer.
func WriteJSON(w io.Writer, rows []Row) error {
	out := make([]jsonRow, len(rows))
	for i, r := range rows {
		out[i].Row = r
		out[i].Row.Day = time.Time{}
		if !r.Day.IsZero() {
			out[i].Day = r.Day.Format(time.DateOnly)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
