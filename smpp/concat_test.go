package smpp

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// part builds a submit_sm carrying one part of a long message, the way kind
// says.
func part(t testing.TB, kind ConcatKind, ref uint16, total, seq uint8, dc DataCoding, ud []byte, payload bool) *PDU {
	t.Helper()
	b := &Body{Source: Address{5, 0, "BRAND"}, Dest: Address{1, 1, "212612345678"}, DataCoding: dc}
	switch kind {
	case ConcatUDH8:
		b.ESMClass = ESMClassUDHI
		ud = append([]byte{5, 0, 3, byte(ref), total, seq}, ud...)
	case ConcatUDH16:
		b.ESMClass = ESMClassUDHI
		ud = append([]byte{6, 8, 4, byte(ref >> 8), byte(ref), total, seq}, ud...)
	case ConcatSAR:
		b.TLVs = []TLV{Uint16TLV(TagSARMsgRefNum, ref), Uint8TLV(TagSARTotalSegments, total), Uint8TLV(TagSARSegmentSeqnum, seq)}
	}
	if payload {
		b.TLVs = append(b.TLVs, TLV{TagMessagePayload, ud})
	} else {
		b.ShortMessage = ud
	}
	raw, err := b.Encode(SubmitSM, 0, uint32(seq))
	if err != nil {
		t.Fatal(err)
	}
	p := new(PDU)
	if err := p.Decode(raw); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReassemble(t *testing.T) {
	text := "Promo -20% ce week-end ! Répondez STOP au 5050 pour ne plus recevoir nos offres."
	gsm, _ := AppendGSM7(nil, text)
	ucs := AppendUCS2(nil, "عرض خاص هذا الأسبوع، أرسل STOP إلى 5050 😀")
	for _, c := range []struct {
		name    string
		kind    ConcatKind
		dc      DataCoding
		ud      []byte
		payload bool
	}{
		{"UDH 8-bit GSM", ConcatUDH8, CodingDefault, gsm, false},
		{"UDH 16-bit GSM", ConcatUDH16, CodingDefault, gsm, false},
		{"SAR GSM", ConcatSAR, CodingDefault, gsm, false},
		{"UDH 8-bit UCS-2", ConcatUDH8, CodingUCS2, ucs, false},
		{"SAR UCS-2 in message_payload", ConcatSAR, CodingUCS2, ucs, true},
		{"UDH 16-bit in message_payload, 0x18", ConcatUDH16, 0x18, ucs, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Three parts, cut mid-character for UCS-2 (odd cut), sent 3, 1, 2.
			cut1, cut2 := len(c.ud)/3|1, 2*len(c.ud)/3|1
			chunks := [][]byte{c.ud[:cut1], c.ud[cut1:cut2], c.ud[cut2:]}
			r := NewReassembler(ReassemblerOptions{})
			for i, seq := range []uint8{3, 1, 2} {
				m, done, err := r.Add(part(t, c.kind, 300, 3, seq, c.dc, chunks[seq-1], c.payload), seq)
				if err != nil {
					t.Fatal(err)
				}
				if done != (i == 2) {
					t.Fatalf("after part %d: done = %v", seq, done)
				}
				if !done {
					continue
				}
				if !bytes.Equal(m.Data, c.ud) || !slices.Equal(m.Values, []any{uint8(1), uint8(2), uint8(3)}) {
					t.Errorf("data %X values %v", m.Data, m.Values)
				}
				wantRef := uint16(300)
				if c.kind == ConcatUDH8 {
					wantRef = 300 & 0xFF
				}
				if m.Concat.Kind != c.kind || m.Concat.Ref != wantRef || m.Concat.Total != 3 || m.Source != "BRAND" {
					t.Errorf("message %+v", m)
				}
				if _, err := m.Text(); err != nil {
					t.Error(err)
				}
			}
			if r.Len() != 0 || r.Bytes() != 0 {
				t.Errorf("left %d partial, %d bytes", r.Len(), r.Bytes())
			}
		})
	}

	// A message in one part comes back at once, aliasing the PDU.
	r := NewReassembler(ReassemblerOptions{})
	p := part(t, 0, 0, 0, 1, CodingDefault, gsm, false)
	if m, done, err := r.Add(p, "v"); err != nil || !done || &m.Data[0] != &p.ShortMessage()[0] {
		t.Errorf("single part: %v %v", done, err)
	}
	// Bad concatenation information is an error.
	for _, bad := range []*PDU{part(t, ConcatUDH8, 1, 3, 4, 0, gsm, false), part(t, ConcatSAR, 1, 0, 0, 0, gsm, false)} {
		if _, _, err := r.Add(bad, nil); !errors.Is(err, ErrBadConcat) {
			t.Errorf("bad part: %v", err)
		}
	}
}

func TestReassemblerBounds(t *testing.T) {
	now := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	var dropped []Dropped
	r := NewReassembler(ReassemblerOptions{Timeout: time.Minute, MaxBytes: 3 * (100 + partOverhead),
		Now: func() time.Time { return now }, OnDrop: func(d Dropped) { dropped = append(dropped, d) }})
	ud := bytes.Repeat([]byte("a"), 100)
	add := func(ref uint16, seq uint8) {
		t.Helper()
		if _, done, err := r.Add(part(t, ConcatUDH16, ref, 2, seq, 0, ud, false), ref); err != nil || done {
			t.Fatalf("add %d/%d: %v %v", ref, seq, done, err)
		}
	}
	add(1, 1)
	now = now.Add(30 * time.Second)
	add(2, 1)
	add(3, 1)
	// The bound is reached; a fourth partial message pushes out the oldest.
	add(4, 1)
	if len(dropped) != 1 || dropped[0].Concat.Ref != 1 || !errors.Is(dropped[0].Reason, ErrReassemblyFull) ||
		!slices.Equal(dropped[0].Values, []any{uint16(1), nil}) {
		t.Fatalf("dropped %+v", dropped)
	}
	if r.Bytes() > 3*(100+partOverhead) {
		t.Errorf("%d bytes held", r.Bytes())
	}
	// A part sent twice replaces the first, whose value is reported.
	add(4, 1)
	if len(dropped) != 2 || !errors.Is(dropped[1].Reason, ErrDuplicatePart) {
		t.Fatalf("dropped %+v", dropped)
	}
	// After the timeout the rest goes.
	now = now.Add(2 * time.Minute)
	if n := r.Expire(); n != 3 || r.Len() != 0 || r.Bytes() != 0 {
		t.Errorf("expired %d, %d left, %d bytes", n, r.Len(), r.Bytes())
	}
	if !errors.Is(dropped[len(dropped)-1].Reason, ErrReassemblyTimeout) {
		t.Errorf("reason %v", dropped[len(dropped)-1].Reason)
	}
	// A part larger than the bound is refused outright.
	small := NewReassembler(ReassemblerOptions{MaxBytes: 10})
	if _, _, err := small.Add(part(t, ConcatSAR, 1, 2, 1, 0, ud, false), nil); !errors.Is(err, ErrPartTooLarge) {
		t.Errorf("large part: %v", err)
	}
}

// FuzzReassembler adds arbitrary parts: nothing panics, the memory bound
// holds, and what completes is the parts' data in order.
func FuzzReassembler(f *testing.F) {
	f.Add([]byte{0, 1, 3, 1, 0, 1, 3, 3, 0, 1, 3, 2, 1, 7, 2, 2})
	f.Add([]byte{2, 9, 1, 1, 2, 9, 0, 0, 1, 255, 255, 255})
	f.Fuzz(func(t *testing.T, ops []byte) {
		r := NewReassembler(ReassemblerOptions{MaxBytes: 2000})
		for i := 0; i+4 <= len(ops); i += 4 {
			kind := ConcatKind(ops[i]%3 + 1)
			ud := bytes.Repeat([]byte{'a' + ops[i+3]%26}, int(ops[i+1])%200)
			p := part(t, kind, uint16(ops[i+1]%4), ops[i+2]%5, ops[i+3]%6, CodingDefault, ud, ops[i]&0x80 != 0)
			m, done, err := r.Add(p, i)
			if err != nil {
				continue
			}
			if done && m.Concat.Total > 1 && len(m.Values) != int(m.Concat.Total) {
				t.Fatalf("%d values for %d parts", len(m.Values), m.Concat.Total)
			}
			if r.Bytes() > 2000 {
				t.Fatalf("%d bytes held", r.Bytes())
			}
		}
	})
}

func TestUserDataAndConcat(t *testing.T) {
	// UDHI with a UDH longer than the message.
	p := part(t, 0, 0, 0, 1, 0, []byte{9, 0, 3}, false)
	raw := slices.Clone(p.Bytes())
	raw[16+1+2+6+2+13] |= ESMClassUDHI
	var q PDU
	if err := q.Decode(raw); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Concat(); !errors.Is(err, ErrBadConcat) {
		t.Errorf("overlong UDH: %v", err)
	}
	// A UDH with another element before the concatenation one, and a
	// port-addressing element after it.
	udh := []byte{0x0E, 0x24, 0x01, 0x00, 0x00, 0x03, 0x42, 0x02, 0x01, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0}
	c, ok, err := ConcatOfUDH(append(udh[:0:0], udh[:1+udh[0]]...))
	if err != nil || !ok || c.Ref != 0x42 || c.Total != 2 || c.Seq != 1 {
		t.Errorf("concat %+v %v %v", c, ok, err)
	}
	// SAR TLVs with a wrong size.
	b := &Body{ShortMessage: []byte("x"), TLVs: []TLV{{TagSARMsgRefNum, []byte{1}}, Uint8TLV(TagSARTotalSegments, 2), Uint8TLV(TagSARSegmentSeqnum, 1)}}
	enc, _ := b.Encode(SubmitSM, 0, 1)
	if err := q.Decode(enc); err != nil {
		t.Fatal(err)
	}
	if _, _, err := q.Concat(); !errors.Is(err, ErrBadConcat) {
		t.Errorf("1-octet sar_msg_ref_num: %v", err)
	}
	// Text of a message in message_payload.
	b = &Body{DataCoding: CodingUCS2, TLVs: []TLV{{TagMessagePayload, AppendUCS2(nil, strings.Repeat("سلام ", 60))}}}
	enc, _ = b.Encode(DataSM, 0, 1)
	if err := q.Decode(enc); err != nil {
		t.Fatal(err)
	}
	if s, err := q.Text(); err != nil || s != strings.Repeat("سلام ", 60) {
		t.Errorf("payload text %v", err)
	}
}
