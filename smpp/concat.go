package smpp

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Information element identifiers of a user data header (3GPP TS 23.040
// §9.2.3.24) that concatenation uses.
const (
	IEIConcat8  = 0x00 // concatenated short messages, 8-bit reference
	IEIConcat16 = 0x08 // concatenated short messages, 16-bit reference
)

// ConcatKind is how the parts of a long message are tied together.
type ConcatKind uint8

// The three ways.
const (
	ConcatUDH8  ConcatKind = iota + 1 // UDH IEI 0x00 (what Kannel sends)
	ConcatUDH16                       // UDH IEI 0x08
	ConcatSAR                         // sar_msg_ref_num, sar_total_segments, sar_segment_seqnum TLVs
)

func (k ConcatKind) String() string {
	switch k {
	case ConcatUDH8:
		return "udh8"
	case ConcatUDH16:
		return "udh16"
	case ConcatSAR:
		return "sar"
	}
	return "none"
}

// Concat says which part of which long message a PDU carries.
type Concat struct {
	Kind  ConcatKind
	Ref   uint16 // message reference, shared by the parts
	Total uint8  // number of parts
	Seq   uint8  // this part, 1..Total
}

// ErrBadConcat reports concatenation information that cannot be right: a
// truncated header, a part number of 0 or above the total.
var ErrBadConcat = errors.New("smpp: bad concatenation information")

// SplitUDH splits user data that starts with a user data header (UDHI set
// in esm_class) into the header, length octet included, and the rest.
func SplitUDH(ud []byte) (udh, rest []byte, err error) {
	if len(ud) == 0 {
		return nil, nil, fmt.Errorf("%w: empty user data with UDHI", ErrBadConcat)
	}
	n := 1 + int(ud[0])
	if n > len(ud) {
		return nil, nil, fmt.Errorf("%w: UDH length %d, %d octets", ErrBadConcat, ud[0], len(ud)-1)
	}
	return ud[:n:n], ud[n:], nil
}

// ConcatOfUDH returns the concatenation element of a user data header
// (length octet included); ok is false if it has none. If several are
// present, the last wins, as in TS 23.040.
func ConcatOfUDH(udh []byte) (c Concat, ok bool, err error) {
	if len(udh) == 0 {
		return c, false, nil
	}
	b := udh[1:]
	for len(b) >= 2 {
		iei, l := b[0], int(b[1])
		if 2+l > len(b) {
			return Concat{}, false, fmt.Errorf("%w: information element 0x%02X overruns the UDH", ErrBadConcat, iei)
		}
		v := b[2 : 2+l]
		switch {
		case iei == IEIConcat8 && l == 3:
			c, ok = Concat{Kind: ConcatUDH8, Ref: uint16(v[0]), Total: v[1], Seq: v[2]}, true
		case iei == IEIConcat16 && l == 4:
			c, ok = Concat{Kind: ConcatUDH16, Ref: binary.BigEndian.Uint16(v), Total: v[2], Seq: v[3]}, true
		}
		b = b[2+l:]
	}
	if ok && (c.Total == 0 || c.Seq == 0 || c.Seq > c.Total) {
		return c, false, fmt.Errorf("%w: part %d of %d", ErrBadConcat, c.Seq, c.Total)
	}
	return c, ok, nil
}

// UserData returns the user data of a message PDU: message_payload if
// present, else short_message, with the user data header (if esm_class has
// UDHI) split off. Both are sub-slices of the PDU.
func (p *PDU) UserData() (udh, data []byte, err error) {
	data = p.ShortMessage()
	if t, ok := p.TLV(TagMessagePayload); ok && len(data) == 0 {
		data = t.Value
	}
	if p.ESMClass()&ESMClassUDHI != 0 {
		return SplitUDH(data)
	}
	return nil, data, nil
}

// Concat returns the concatenation information of a message PDU, from its
// UDH (when esm_class has UDHI) or its SAR TLVs; ok is false for a message
// in one part.
func (p *PDU) Concat() (c Concat, ok bool, err error) {
	udh, _, err := p.UserData()
	if err != nil {
		return c, false, err
	}
	if c, ok, err = ConcatOfUDH(udh); ok || err != nil {
		return c, ok, err
	}
	ref, okRef := p.TLV(TagSARMsgRefNum)
	tot, okTot := p.TLV(TagSARTotalSegments)
	seq, okSeq := p.TLV(TagSARSegmentSeqnum)
	if !okRef && !okTot && !okSeq {
		return c, false, nil
	}
	if !okRef || !okTot || !okSeq || len(ref.Value) != 2 || len(tot.Value) != 1 || len(seq.Value) != 1 {
		return c, false, fmt.Errorf("%w: incomplete or mis-sized sar_* TLVs", ErrBadConcat)
	}
	c = Concat{Kind: ConcatSAR, Ref: binary.BigEndian.Uint16(ref.Value), Total: tot.Value[0], Seq: seq.Value[0]}
	if c.Total == 0 || c.Seq == 0 || c.Seq > c.Total {
		return c, false, fmt.Errorf("%w: part %d of %d", ErrBadConcat, c.Seq, c.Total)
	}
	return c, true, nil
}

// Text decodes the text of a message PDU (its user data without UDH,
// following data_coding); see AppendText.
func (p *PDU) Text() (string, error) {
	_, ud, err := p.UserData()
	if err != nil {
		return "", err
	}
	return DecodeText(p.DataCoding(), ud)
}
