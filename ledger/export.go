package ledger

import (
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// Exporter writes entries for inspectors, as JSON Lines or CSV. Subscribers
// appear only as pseudonyms; message texts appear where the retention
// policy kept them, with the nonce that opens their commitment, and
// "text_state" says whether a text was kept, purged, or never given.
type Exporter struct {
	w      io.Writer
	format string
	csv    *csv.Writer
	header bool
}

// ExportFormats are the formats NewExporter knows.
var ExportFormats = []string{"jsonl", "csv"}

// NewExporter returns an exporter writing format ("jsonl" or "csv") to w.
func NewExporter(w io.Writer, format string) (*Exporter, error) {
	x := &Exporter{w: w, format: format}
	switch format {
	case "jsonl":
	case "csv":
		x.csv = csv.NewWriter(w)
	default:
		return nil, bawwab.Errorf(bawwab.EINVALID, "unknown export format %q (want jsonl or csv)", format)
	}
	return x, nil
}

// exportColumns are the CSV columns, and the JSON keys, in order.
var exportColumns = []string{"index", "kind", "time", "outcome", "reason", "flag", "mode", "rule_set", "until",
	"provider", "account", "advertiser", "sender", "operator", "recipient", "fingerprint",
	"text_hash", "text_state", "text", "text_nonce", "smsc_message_id", "action", "subject", "channel",
	"actor", "detail", "refs"}

func textState(e *bawwab.LedgerEntry) string {
	switch {
	case e.TextHash.IsZero():
		return ""
	case e.TextNonce == nil:
		return "purged"
	}
	return "kept"
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// exportValues returns the entry's values in exportColumns order.
func exportValues(e *bawwab.LedgerEntry) []string {
	var outcome, mode string
	if e.Kind == bawwab.EntryDecision {
		outcome, mode = e.Outcome.String(), e.Mode.String()
	}
	var th, fp, nonce string
	if !e.TextHash.IsZero() {
		th = e.TextHash.String()
	}
	if e.Fingerprint != nil {
		fp = hex.EncodeToString(e.Fingerprint)
	}
	if e.TextNonce != nil {
		nonce = hex.EncodeToString(e.TextNonce)
	}
	refs := make([]string, len(e.Refs))
	for i, r := range e.Refs {
		refs[i] = strconv.FormatInt(r, 10)
	}
	return []string{strconv.FormatInt(e.Index, 10), e.Kind.String(), formatTime(e.Time), outcome,
		string(e.Reason), string(e.Flag), mode, e.RuleSet, formatTime(e.Until),
		e.ProviderID, e.AccountID, e.AdvertiserID, e.SenderID, e.OperatorID, e.Recipient.String(), fp,
		th, textState(e), e.Text, nonce, e.SMSCMessageID, e.Action, e.Subject, e.Channel,
		e.Actor, e.Detail, strings.Join(refs, " ")}
}

// Write writes one entry.
func (x *Exporter) Write(e *bawwab.LedgerEntry) error {
	vals := exportValues(e)
	if x.csv != nil {
		if !x.header {
			x.header = true
			if err := x.csv.Write(exportColumns); err != nil {
				return err
			}
		}
		return x.csv.Write(vals)
	}
	// JSON: an object with the non-empty values, keys in column order.
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for i, k := range exportColumns {
		val := vals[i]
		if val == "" {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		fmt.Fprintf(&b, "%q:", k)
		switch k {
		case "index":
			b.WriteString(val)
		case "refs":
			b.WriteString("[" + strings.ReplaceAll(val, " ", ",") + "]")
		default:
			s, _ := json.Marshal(val)
			b.Write(s)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(x.w, b.String())
	return err
}

// Flush flushes buffered output.
func (x *Exporter) Flush() error {
	if x.csv != nil {
		x.csv.Flush()
		return x.csv.Error()
	}
	return nil
}
