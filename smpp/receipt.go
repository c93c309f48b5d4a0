package smpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MessageState is the state of a message (SMPP 3.4 §5.2.28): the
// message_state of query_sm_resp and of the TLV in receipts.
type MessageState byte

// The message states of SMPP 3.4.
const (
	StateEnroute       MessageState = 1 // ENROUTE
	StateDelivered     MessageState = 2 // DELIVERED
	StateExpired       MessageState = 3 // EXPIRED
	StateDeleted       MessageState = 4 // DELETED
	StateUndeliverable MessageState = 5 // UNDELIVERABLE
	StateAccepted      MessageState = 6 // ACCEPTED
	StateUnknown       MessageState = 7 // UNKNOWN
	StateRejected      MessageState = 8 // REJECTED
)

var stateStats = [...]string{"", "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD", "UNKNOWN", "REJECTD"}

// Stat returns the 7-letter form receipts use ("DELIVRD"), or "" for a
// value SMPP 3.4 does not define.
func (s MessageState) Stat() string {
	if int(s) < len(stateStats) {
		return stateStats[s]
	}
	return ""
}

func (s MessageState) String() string {
	if st := s.Stat(); st != "" {
		return st
	}
	return fmt.Sprintf("MessageState(%d)", byte(s))
}

// Final reports whether s is a final state (the message will not change).
func (s MessageState) Final() bool {
	switch s {
	case StateDelivered, StateExpired, StateDeleted, StateUndeliverable, StateRejected:
		return true
	}
	return false
}

// StateOfStat returns the state of a receipt's stat: value, accepting the
// long spellings some SMSCs use ("DELIVERED", "UNDELIVERABLE"); 0 if
// unknown.
func StateOfStat(stat string) MessageState {
	switch strings.ToUpper(strings.TrimSpace(stat)) {
	case "ENROUTE":
		return StateEnroute
	case "DELIVRD", "DELIVERED":
		return StateDelivered
	case "EXPIRED":
		return StateExpired
	case "DELETED":
		return StateDeleted
	case "UNDELIV", "UNDELIVERABLE":
		return StateUndeliverable
	case "ACCEPTD", "ACCEPTED":
		return StateAccepted
	case "UNKNOWN":
		return StateUnknown
	case "REJECTD", "REJECTED":
		return StateRejected
	}
	return 0
}

// NetworkError is the network_error_code TLV: a network type (1 ANSI-136,
// 2 IS-95, 3 GSM, ...) and a network-specific code. The zero value means
// absent.
type NetworkError struct {
	Type byte
	Code uint16
}

// Receipt is an SMSC delivery receipt: the de-facto text of SMPP 3.4
// Appendix B ("id:… sub:… dlvrd:… submit date:… done date:… stat:… err:…
// text:…") together with the receipt TLVs.
type Receipt struct {
	ID         string    // id of the message, as the submit_sm_resp gave it
	Sub        int       // messages submitted (usually 1)
	Dlvrd      int       // messages delivered
	SubmitDate time.Time // minute (or second) precision
	DoneDate   time.Time
	Stat       string // DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD, ENROUTE
	Err        string // network-specific error, 3 characters
	Text       string // the first characters of the message

	// From the TLVs: receipted_message_id (when set, it is the ID),
	// message_state and network_error_code.
	State        MessageState
	NetworkError NetworkError
}

// receiptDate is the date layout of receipts (YYMMDDhhmm).
const receiptDate = "0601021504"

// AppendText appends the receipt text to dst.
func (r *Receipt) AppendText(dst []byte) []byte {
	pad3 := func(dst []byte, n int) []byte {
		if n >= 0 && n < 100 {
			dst = append(dst, '0')
		}
		if n >= 0 && n < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(n), 10)
	}
	stat := r.Stat
	if stat == "" {
		stat = r.State.Stat()
	}
	errs := r.Err
	if errs == "" {
		errs = "000"
	}
	dst = append(dst, "id:"...)
	dst = append(dst, r.ID...)
	dst = append(dst, " sub:"...)
	dst = pad3(dst, r.Sub)
	dst = append(dst, " dlvrd:"...)
	dst = pad3(dst, r.Dlvrd)
	dst = append(dst, " submit date:"...)
	dst = r.SubmitDate.AppendFormat(dst, receiptDate)
	dst = append(dst, " done date:"...)
	dst = r.DoneDate.AppendFormat(dst, receiptDate)
	dst = append(dst, " stat:"...)
	dst = append(dst, stat...)
	dst = append(dst, " err:"...)
	dst = append(dst, errs...)
	dst = append(dst, " text:"...)
	return append(dst, r.Text...)
}

// String returns the receipt text.
func (r *Receipt) String() string { return string(r.AppendText(nil)) }

// Body returns the deliver_sm carrying r from the recipient (from, the
// original destination) to the sender (to): the text in short_message,
// esm_class "SMSC delivery receipt" and the TLVs receipted_message_id,
// message_state and, if set, network_error_code. The text is ASCII, as
// receivers expect whatever the data_coding: other characters of Text
// become '?'.
func (r *Receipt) Body(from, to Address) *Body {
	state := r.State
	if state == 0 {
		state = StateOfStat(r.Stat)
	}
	ascii := *r
	ascii.Text = strings.Map(func(c rune) rune {
		if c < ' ' || c > '~' {
			return '?'
		}
		return c
	}, r.Text)
	b := &Body{
		Source:       from,
		Dest:         to,
		ESMClass:     ESMClassReceipt,
		DataCoding:   CodingDefault,
		ShortMessage: ascii.AppendText(nil),
		TLVs:         []TLV{CStringTLV(TagReceiptedMessageID, r.ID)},
	}
	if state != 0 {
		b.TLVs = append(b.TLVs, Uint8TLV(TagMessageState, byte(state)))
	}
	if r.NetworkError != (NetworkError{}) {
		v := []byte{r.NetworkError.Type, 0, 0}
		binary.BigEndian.PutUint16(v[1:], r.NetworkError.Code)
		b.TLVs = append(b.TLVs, TLV{TagNetworkErrorCode, v})
	}
	return b
}

// ErrNotReceipt is returned by ParseReceipt for text with no receipt key.
var ErrNotReceipt = errors.New("smpp: not a delivery receipt")

var receiptKeys = []string{"id", "sub", "dlvrd", "submit date", "submit_date", "submitdate",
	"done date", "done_date", "donedate", "stat", "err", "text"}

// ParseReceipt reads a receipt text leniently: keys in any order and any
// case, "submit date" or "submit_date", dates of 10, 12 or 14 digits, any
// field missing. text: takes the rest of the input. A date that cannot be
// read is left zero; only text without any receipt key is an error.
func ParseReceipt(b []byte) (Receipt, error) {
	var r Receipt
	type hit struct {
		key        string
		start, val int
	}
	var hits [16]hit
	n := 0
	lower := func(c byte) byte {
		if 'A' <= c && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	for i := 0; i < len(b) && n < len(hits); i++ {
		if i > 0 && b[i-1] != ' ' && b[i-1] != '\t' && b[i-1] != '\n' && b[i-1] != '\r' && b[i-1] != ',' && b[i-1] != ';' {
			continue
		}
	keys:
		for _, k := range receiptKeys {
			if len(b)-i < len(k)+1 {
				continue
			}
			for j := 0; j < len(k); j++ {
				if lower(b[i+j]) != k[j] {
					continue keys
				}
			}
			if b[i+len(k)] != ':' {
				continue
			}
			hits[n] = hit{k, i, i + len(k) + 1}
			n++
			i += len(k)
			if k == "text" {
				i = len(b)
			}
			break
		}
	}
	if n == 0 {
		return r, ErrNotReceipt
	}
	for h := range n {
		end := len(b)
		if h+1 < n {
			end = hits[h+1].start
		}
		raw := b[hits[h].val:end]
		v := string(bytes.TrimSpace(raw))
		switch hits[h].key {
		case "id":
			r.ID = v
		case "sub":
			r.Sub, _ = strconv.Atoi(v)
		case "dlvrd":
			r.Dlvrd, _ = strconv.Atoi(v)
		case "submit date", "submit_date", "submitdate":
			r.SubmitDate = parseReceiptDate(v)
		case "done date", "done_date", "donedate":
			r.DoneDate = parseReceiptDate(v)
		case "stat":
			r.Stat = strings.ToUpper(v)
			r.State = StateOfStat(v)
		case "err":
			r.Err = v
		case "text":
			r.Text = string(raw)
		}
	}
	return r, nil
}

func parseReceiptDate(v string) time.Time {
	var layout string
	switch len(v) {
	case 10:
		layout = receiptDate
	case 12:
		layout = "060102150405"
	case 14:
		layout = "20060102150405"
	default:
		return time.Time{}
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// ReceiptOf reads the receipt a deliver_sm or data_sm carries: the text (in
// short_message or message_payload) and the TLVs, which win over the text
// where both are present. It fails if the PDU has neither a receipt text
// nor a receipted_message_id.
func ReceiptOf(p *PDU) (Receipt, error) {
	text := p.ShortMessage()
	if mp, ok := p.TLV(TagMessagePayload); ok && len(text) == 0 {
		text = mp.Value
	}
	r, err := ParseReceipt(text)
	tlv := false
	if t, ok := p.TLV(TagReceiptedMessageID); ok {
		r.ID = string(t.CString())
		tlv = true
	}
	if t, ok := p.TLV(TagMessageState); ok && len(t.Value) == 1 {
		r.State = MessageState(t.Value[0])
		if r.Stat == "" {
			r.Stat = r.State.Stat()
		}
		tlv = true
	}
	if t, ok := p.TLV(TagNetworkErrorCode); ok && len(t.Value) == 3 {
		r.NetworkError = NetworkError{t.Value[0], binary.BigEndian.Uint16(t.Value[1:])}
	}
	if err != nil && !tlv {
		return r, err
	}
	return r, nil
}
