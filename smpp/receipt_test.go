package smpp

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestReceiptBuildParse(t *testing.T) {
	r := Receipt{ID: "1A2B3C", Sub: 1, Dlvrd: 1,
		SubmitDate: time.Date(2026, 7, 15, 12, 30, 0, 0, time.UTC), DoneDate: time.Date(2026, 7, 15, 12, 31, 0, 0, time.UTC),
		Stat: "DELIVRD", Err: "000", Text: "Hello"}
	if got := r.String(); got != receiptText {
		t.Fatalf("text:\n got %q\nwant %q", got, receiptText)
	}
	b := r.Body(Address{1, 1, "212612345678"}, Address{5, 0, "BRAND"})
	b.TLVs = append(b.TLVs, TLV{TagNetworkErrorCode, []byte{3, 0, 0}})
	raw, err := b.Encode(DeliverSM, 0, 12)
	if err != nil {
		t.Fatal(err)
	}
	if want := vector(t, "deliver_sm receipt"); string(raw) != string(want) {
		t.Errorf("deliver_sm:\n got %X\nwant %X", raw, want)
	}
	var p PDU
	if err := p.Decode(raw); err != nil {
		t.Fatal(err)
	}
	got, err := ReceiptOf(&p)
	if err != nil {
		t.Fatal(err)
	}
	r.State, r.NetworkError = StateDelivered, NetworkError{Type: 3}
	if got != r {
		t.Errorf("parsed\n %+v\nwant %+v", got, r)
	}
}

func TestParseReceiptLenient(t *testing.T) {
	d := func(y, mo, da, h, mi, s int) time.Time {
		return time.Date(y, time.Month(mo), da, h, mi, s, 0, time.UTC)
	}
	cases := []struct {
		in   string
		want Receipt
	}{
		{"id:123 sub:001 dlvrd:000 submit date:2607151230 done date:2607151231 stat:UNDELIV err:034 Text:Promo",
			Receipt{ID: "123", Sub: 1, SubmitDate: d(2026, 7, 15, 12, 30, 0), DoneDate: d(2026, 7, 15, 12, 31, 0),
				Stat: "UNDELIV", State: StateUndeliverable, Err: "034", Text: "Promo"}},
		{"ID:ab-12 STAT:delivrd submit_date:260715123045 done_date:20260715123100",
			Receipt{ID: "ab-12", Stat: "DELIVRD", State: StateDelivered, SubmitDate: d(2026, 7, 15, 12, 30, 45), DoneDate: d(2026, 7, 15, 12, 31, 0)}},
		{"stat:EXPIRED id:9 err:000 text:id:7 stat:DELIVRD",
			Receipt{ID: "9", Stat: "EXPIRED", State: StateExpired, Err: "000", Text: "id:7 stat:DELIVRD"}},
		{"id:77 submit date:bad done date:2607 stat:REJECTED",
			Receipt{ID: "77", Stat: "REJECTED", State: StateRejected}},
		{"  id:5  sub:1 dlvrd:1\r\nstat:ACCEPTD", Receipt{ID: "5", Sub: 1, Dlvrd: 1, Stat: "ACCEPTD", State: StateAccepted}},
	}
	for _, c := range cases {
		got, err := ParseReceipt([]byte(c.in))
		if err != nil || got != c.want {
			t.Errorf("%q:\n got %+v %v\nwant %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "hello world", "identity:5", "text"} {
		if _, err := ParseReceipt([]byte(bad)); !errors.Is(err, ErrNotReceipt) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
	// The text of a receipt is ASCII.
	b := (&Receipt{ID: "1", Text: "Réponse سلام"}).Body(Address{}, Address{})
	if got := string(b.ShortMessage); !strings.HasSuffix(got, "text:R?ponse ????") {
		t.Errorf("receipt text %q", got)
	}
	// TLVs alone make a receipt, and win over the text.
	b = &Body{ESMClass: ESMClassReceipt, ShortMessage: []byte("id:1 stat:ENROUTE"),
		TLVs: []TLV{CStringTLV(TagReceiptedMessageID, "0xFF01"), Uint8TLV(TagMessageState, byte(StateDelivered))}}
	raw, _ := b.Encode(DeliverSM, 0, 1)
	var p PDU
	if err := p.Decode(raw); err != nil {
		t.Fatal(err)
	}
	if r, err := ReceiptOf(&p); err != nil || r.ID != "0xFF01" || r.State != StateDelivered {
		t.Errorf("TLVs: %+v %v", r, err)
	}
}

// FuzzParseReceipt: the parser never panics, and a receipt it builds
// parses back to itself.
func FuzzParseReceipt(f *testing.F) {
	f.Add([]byte(receiptText), "x")
	f.Add([]byte("id:1 stat:DELIVRD text:"), "id:")
	f.Add([]byte("ID:\xff\x00 SUB:-1 dlvrd:99999999999999999999"), "é")
	f.Fuzz(func(t *testing.T, in []byte, id string) {
		_, _ = ParseReceipt(in)
		if !validID(id) {
			return
		}
		r := Receipt{ID: id, Sub: 1, Dlvrd: 1, Stat: "DELIVRD", Err: "000", Text: string(in),
			SubmitDate: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), DoneDate: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC)}
		got, err := ParseReceipt(r.AppendText(nil))
		r.State = StateDelivered
		if err != nil || got != r {
			t.Fatalf("round trip:\n got %+v %v\nwant %+v", got, err, r)
		}
	})
}

// validID is an id that survives the text format: no spaces, not empty.
func validID(id string) bool {
	if id == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c == ',' || c == ';' || c >= 0x7F {
			return false
		}
	}
	return true
}
