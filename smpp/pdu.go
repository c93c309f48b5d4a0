package smpp

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"iter"
)

// HeaderLen is the length of a PDU header: command_length, command_id,
// command_status and sequence_number, four octets each.
const HeaderLen = 16

// MaxSeq is the largest sequence number; numbers run 1..MaxSeq and wrap
// (SMPP 3.4 §5.1.4).
const MaxSeq = 0x7FFFFFFF

// Field names a mandatory field of a PDU body (SMPP 3.4 §4).
type Field uint8

// The mandatory fields of SMPP 3.4, across all PDUs.
const (
	FieldSystemID             Field = iota + 1 // system_id
	FieldPassword                              // password
	FieldSystemType                            // system_type
	FieldInterfaceVersion                      // interface_version
	FieldAddrTON                               // addr_ton
	FieldAddrNPI                               // addr_npi
	FieldAddressRange                          // address_range
	FieldServiceType                           // service_type
	FieldSourceAddrTON                         // source_addr_ton
	FieldSourceAddrNPI                         // source_addr_npi
	FieldSourceAddr                            // source_addr
	FieldDestAddrTON                           // dest_addr_ton
	FieldDestAddrNPI                           // dest_addr_npi
	FieldDestinationAddr                       // destination_addr
	FieldESMClass                              // esm_class
	FieldProtocolID                            // protocol_id
	FieldPriorityFlag                          // priority_flag
	FieldScheduleDeliveryTime                  // schedule_delivery_time
	FieldValidityPeriod                        // validity_period
	FieldRegisteredDelivery                    // registered_delivery
	FieldReplaceIfPresentFlag                  // replace_if_present_flag
	FieldDataCoding                            // data_coding
	FieldSMDefaultMsgID                        // sm_default_msg_id
	FieldSMLength                              // sm_length
	FieldShortMessage                          // short_message
	FieldMessageID                             // message_id
	FieldNumberOfDests                         // number_of_dests
	FieldDestAddresses                         // dest_address list of submit_multi
	FieldNoUnsuccess                           // no_unsuccess
	FieldUnsuccessSMEs                         // unsuccess_sme list of submit_multi_resp
	FieldFinalDate                             // final_date
	FieldMessageState                          // message_state
	FieldErrorCode                             // error_code
	FieldESMEAddrTON                           // esme_addr_ton
	FieldESMEAddrNPI                           // esme_addr_npi
	FieldESMEAddr                              // esme_addr
	numFields
)

var fieldNames = [numFields]string{
	"", "system_id", "password", "system_type", "interface_version", "addr_ton", "addr_npi",
	"address_range", "service_type", "source_addr_ton", "source_addr_npi", "source_addr",
	"dest_addr_ton", "dest_addr_npi", "destination_addr", "esm_class", "protocol_id",
	"priority_flag", "schedule_delivery_time", "validity_period", "registered_delivery",
	"replace_if_present_flag", "data_coding", "sm_default_msg_id", "sm_length", "short_message",
	"message_id", "number_of_dests", "dest_address", "no_unsuccess", "unsuccess_sme",
	"final_date", "message_state", "error_code", "esme_addr_ton", "esme_addr_npi", "esme_addr",
}

func (f Field) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", uint8(f))
}

type fieldKind uint8

const (
	kindUint8 fieldKind = iota
	kindCString
	kindOctets    // short_message: sm_length octets
	kindDests     // submit_multi's dest_address list
	kindUnsuccess // submit_multi_resp's unsuccess_sme list
)

func (f Field) kind() fieldKind {
	switch f {
	case FieldSystemID, FieldPassword, FieldSystemType, FieldAddressRange, FieldServiceType,
		FieldSourceAddr, FieldDestinationAddr, FieldScheduleDeliveryTime, FieldValidityPeriod,
		FieldMessageID, FieldFinalDate, FieldESMEAddr:
		return kindCString
	case FieldShortMessage:
		return kindOctets
	case FieldDestAddresses:
		return kindDests
	case FieldUnsuccessSMEs:
		return kindUnsuccess
	}
	return kindUint8
}

// fieldSpec is one field of a layout; max is the largest size the
// specification allows for a C-Octet String, NUL included.
type fieldSpec struct {
	f    Field
	max  int
	kind fieldKind // filled in by init from f.kind()
}

func init() {
	for _, lay := range [][]fieldSpec{layoutBind, layoutBindResp, layoutOutbind, layoutMessageID,
		layoutSubmit, layoutSubmitMulti, layoutSubmitMultiResp, layoutDataSM, layoutQuerySM,
		layoutQuerySMResp, layoutCancelSM, layoutReplaceSM, layoutAlert} {
		for i := range lay {
			lay[i].kind = lay[i].f.kind()
		}
	}
}

// The body layouts of SMPP 3.4 §4, in wire order. Any PDU may be followed
// by TLVs; the codec keeps them whatever the command.
var (
	layoutEmpty = []fieldSpec{}
	layoutBind  = []fieldSpec{
		{f: FieldSystemID, max: 16}, {f: FieldPassword, max: 9}, {f: FieldSystemType, max: 13}, {f: FieldInterfaceVersion},
		{f: FieldAddrTON}, {f: FieldAddrNPI}, {f: FieldAddressRange, max: 41},
	}
	layoutBindResp  = []fieldSpec{{f: FieldSystemID, max: 16}}
	layoutOutbind   = []fieldSpec{{f: FieldSystemID, max: 16}, {f: FieldPassword, max: 9}}
	layoutMessageID = []fieldSpec{{f: FieldMessageID, max: 65}}
	layoutSubmit    = []fieldSpec{
		{f: FieldServiceType, max: 6}, {f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 21},
		{f: FieldDestAddrTON}, {f: FieldDestAddrNPI}, {f: FieldDestinationAddr, max: 21},
		{f: FieldESMClass}, {f: FieldProtocolID}, {f: FieldPriorityFlag},
		{f: FieldScheduleDeliveryTime, max: 17}, {f: FieldValidityPeriod, max: 17}, {f: FieldRegisteredDelivery},
		{f: FieldReplaceIfPresentFlag}, {f: FieldDataCoding}, {f: FieldSMDefaultMsgID},
		{f: FieldSMLength}, {f: FieldShortMessage, max: 254},
	}
	layoutSubmitMulti = []fieldSpec{
		{f: FieldServiceType, max: 6}, {f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 21},
		{f: FieldNumberOfDests}, {f: FieldDestAddresses, max: 21},
		{f: FieldESMClass}, {f: FieldProtocolID}, {f: FieldPriorityFlag},
		{f: FieldScheduleDeliveryTime, max: 17}, {f: FieldValidityPeriod, max: 17}, {f: FieldRegisteredDelivery},
		{f: FieldReplaceIfPresentFlag}, {f: FieldDataCoding}, {f: FieldSMDefaultMsgID},
		{f: FieldSMLength}, {f: FieldShortMessage, max: 254},
	}
	layoutSubmitMultiResp = []fieldSpec{{f: FieldMessageID, max: 65}, {f: FieldNoUnsuccess}, {f: FieldUnsuccessSMEs, max: 21}}
	layoutDataSM          = []fieldSpec{
		{f: FieldServiceType, max: 6}, {f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 65},
		{f: FieldDestAddrTON}, {f: FieldDestAddrNPI}, {f: FieldDestinationAddr, max: 65},
		{f: FieldESMClass}, {f: FieldRegisteredDelivery}, {f: FieldDataCoding},
	}
	layoutQuerySM = []fieldSpec{
		{f: FieldMessageID, max: 65}, {f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 21},
	}
	layoutQuerySMResp = []fieldSpec{
		{f: FieldMessageID, max: 65}, {f: FieldFinalDate, max: 17}, {f: FieldMessageState}, {f: FieldErrorCode},
	}
	layoutCancelSM = []fieldSpec{
		{f: FieldServiceType, max: 6}, {f: FieldMessageID, max: 65},
		{f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 21},
		{f: FieldDestAddrTON}, {f: FieldDestAddrNPI}, {f: FieldDestinationAddr, max: 21},
	}
	layoutReplaceSM = []fieldSpec{
		{f: FieldMessageID, max: 65}, {f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 21},
		{f: FieldScheduleDeliveryTime, max: 17}, {f: FieldValidityPeriod, max: 17}, {f: FieldRegisteredDelivery},
		{f: FieldSMDefaultMsgID}, {f: FieldSMLength}, {f: FieldShortMessage, max: 254},
	}
	layoutAlert = []fieldSpec{
		{f: FieldSourceAddrTON}, {f: FieldSourceAddrNPI}, {f: FieldSourceAddr, max: 65},
		{f: FieldESMEAddrTON}, {f: FieldESMEAddrNPI}, {f: FieldESMEAddr, max: 65},
	}
)

// layoutOf returns the body layout of c, or nil if SMPP 3.4 has no such
// command.
func layoutOf(c CommandID) []fieldSpec {
	switch c {
	case SubmitSM, DeliverSM:
		return layoutSubmit
	case SubmitSMResp, DeliverSMResp, DataSMResp:
		return layoutMessageID
	case EnquireLink, EnquireLinkResp, Unbind, UnbindResp, GenericNack, CancelSMResp, ReplaceSMResp:
		return layoutEmpty
	case BindTransmitter, BindReceiver, BindTransceiver:
		return layoutBind
	case BindTransmitterResp, BindReceiverResp, BindTransceiverResp:
		return layoutBindResp
	case Outbind:
		return layoutOutbind
	case DataSM:
		return layoutDataSM
	case SubmitMulti:
		return layoutSubmitMulti
	case SubmitMultiResp:
		return layoutSubmitMultiResp
	case QuerySM:
		return layoutQuerySM
	case QuerySMResp:
		return layoutQuerySMResp
	case CancelSM:
		return layoutCancelSM
	case ReplaceSM:
		return layoutReplaceSM
	case AlertNotification:
		return layoutAlert
	}
	return nil
}

type span struct{ off, end int32 }

// PDU is a decoded protocol data unit: a view over its raw bytes. Fields
// and TLVs are sub-slices of those bytes, valid as long as the bytes are and
// changed if they are changed. The zero PDU is empty; Decode fills it. A
// PDU is a value meant to be reused: decoding into the same PDU again
// allocates nothing.
type PDU struct {
	raw    []byte
	spans  [numFields]span
	tlvOff int32
}

// DecodeError describes a PDU that cannot be decoded. Status is the
// command_status to answer it with (in a generic_nack); errors.Is(err,
// StatusInvalidCmdLen) and the like work through Unwrap.
type DecodeError struct {
	Command CommandID
	Seq     uint32
	Status  Status
	Field   Field // the field where decoding stopped, or 0
	Offset  int   // offset in the PDU where decoding stopped
	Reason  string
}

func (e *DecodeError) Error() string {
	where := ""
	if e.Field != 0 {
		where = " " + e.Field.String()
	}
	return fmt.Sprintf("smpp: decode %v (seq %d)%s at offset %d: %s: %s",
		e.Command, e.Seq, where, e.Offset, e.Reason, e.Status.Name())
}

func (e *DecodeError) Unwrap() error { return e.Status }

func decodeFail(cmd CommandID, seq uint32, off int, f Field, st Status, reason string) error {
	return &DecodeError{Command: cmd, Seq: seq, Status: st, Field: f, Offset: off, Reason: reason}
}

// Decode makes p a view of the PDU in b, which must hold exactly one PDU
// (command_length == len(b)). p keeps b; it does not copy it. Decode checks
// the structure only (terminators, lengths, the TLV stream); Validate checks
// the specification's limits on top.
//
// A response with an empty body is accepted whatever its command: SMPP 3.4
// lets a refused submit_sm_resp omit its body, and many peers do the same
// elsewhere.
func (p *PDU) Decode(b []byte) error {
	p.raw = nil
	p.spans = [numFields]span{}
	p.tlvOff = 0
	if len(b) < HeaderLen {
		return &DecodeError{Status: StatusInvalidCmdLen, Reason: fmt.Sprintf("%d octets, shorter than a header", len(b))}
	}
	cmd := CommandID(binary.BigEndian.Uint32(b[4:]))
	seq := binary.BigEndian.Uint32(b[12:])
	if n := binary.BigEndian.Uint32(b); int64(n) != int64(len(b)) {
		return &DecodeError{Command: cmd, Seq: seq, Status: StatusInvalidCmdLen,
			Reason: fmt.Sprintf("command_length %d for %d octets", n, len(b))}
	}
	lay := layoutOf(cmd)
	if lay == nil {
		return &DecodeError{Command: cmd, Seq: seq, Status: StatusInvalidCmdID, Reason: "unknown command_id"}
	}
	if len(b) > 1<<31-1 {
		return &DecodeError{Command: cmd, Seq: seq, Status: StatusInvalidCmdLen, Reason: "too long"}
	}
	off := HeaderLen
	if cmd.IsResponse() && len(b) == HeaderLen {
		p.raw, p.tlvOff = b, HeaderLen
		return nil
	}
	for i := range lay {
		fs := &lay[i]
		switch fs.kind {
		case kindUint8:
			if off >= len(b) {
				return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "body ends before the field")
			}
			p.spans[fs.f] = span{int32(off), int32(off + 1)}
			off++
		case kindCString:
			i := bytes.IndexByte(b[off:], 0)
			if i < 0 {
				return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "no NUL terminator")
			}
			p.spans[fs.f] = span{int32(off), int32(off + i)}
			off += i + 1
		case kindOctets:
			n := int(b[p.spans[FieldSMLength].off])
			if len(b)-off < n {
				return decodeFail(cmd, seq, off, fs.f, StatusInvalidMsgLen, fmt.Sprintf("sm_length %d, %d octets left", n, len(b)-off))
			}
			p.spans[fs.f] = span{int32(off), int32(off + n)}
			off += n
		case kindDests:
			start := off
			n := int(b[p.spans[FieldNumberOfDests].off])
			for range n {
				if off >= len(b) {
					return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "body ends in dest_address list")
				}
				switch b[off] {
				case DestFlagSME:
					if len(b)-off < 3 {
						return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "body ends in dest_address")
					}
					off += 3
				case DestFlagDistributionList:
					off++
				default:
					return decodeFail(cmd, seq, off, fs.f, StatusInvalidDestFlag, fmt.Sprintf("dest_flag %d", b[off]))
				}
				i := bytes.IndexByte(b[off:], 0)
				if i < 0 {
					return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "no NUL terminator in dest_address")
				}
				off += i + 1
			}
			p.spans[fs.f] = span{int32(start), int32(off)}
		case kindUnsuccess:
			start := off
			n := int(b[p.spans[FieldNoUnsuccess].off])
			for range n {
				if len(b)-off < 2 {
					return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "body ends in unsuccess_sme")
				}
				off += 2
				i := bytes.IndexByte(b[off:], 0)
				if i < 0 || len(b)-off-i-1 < 4 {
					return decodeFail(cmd, seq, off, fs.f, StatusInvalidCmdLen, "body ends in unsuccess_sme")
				}
				off += i + 1 + 4
			}
			p.spans[fs.f] = span{int32(start), int32(off)}
		}
	}
	p.tlvOff = int32(off)
	for off < len(b) {
		_, next, ok := nextTLV(b, off)
		if !ok {
			p.spans = [numFields]span{}
			return decodeFail(cmd, seq, off, 0, StatusInvalidOptParamStream, "truncated TLV")
		}
		off = next
	}
	p.raw = b
	return nil
}

// Bytes returns the raw PDU, header included.
func (p *PDU) Bytes() []byte { return p.raw }

// Len returns the length of the PDU (its command_length).
func (p *PDU) Len() int { return len(p.raw) }

// CommandID returns the command_id of the header.
func (p *PDU) CommandID() CommandID {
	if len(p.raw) < HeaderLen {
		return 0
	}
	return CommandID(binary.BigEndian.Uint32(p.raw[4:]))
}

// Status returns the command_status of the header.
func (p *PDU) Status() Status {
	if len(p.raw) < HeaderLen {
		return 0
	}
	return Status(binary.BigEndian.Uint32(p.raw[8:]))
}

// Seq returns the sequence_number of the header.
func (p *PDU) Seq() uint32 {
	if len(p.raw) < HeaderLen {
		return 0
	}
	return binary.BigEndian.Uint32(p.raw[12:])
}

// SetSeq writes seq into the header in place: how a PDU is forwarded to
// another session without being re-encoded.
func (p *PDU) SetSeq(seq uint32) { PatchSeq(p.raw, seq) }

// PatchSeq writes seq into the sequence_number of the PDU in b, in place.
func PatchSeq(b []byte, seq uint32) { binary.BigEndian.PutUint32(b[12:], seq) }

// Has reports whether field f is present in the PDU.
func (p *PDU) Has(f Field) bool { return f < numFields && p.spans[f].end != 0 }

// Field returns the octets of field f without the NUL terminator of a
// C-Octet String (a one-octet slice for an integer field), or nil if the
// PDU has no such field.
func (p *PDU) Field(f Field) []byte {
	if f >= numFields {
		return nil
	}
	s := p.spans[f]
	if s.end == 0 {
		return nil
	}
	return p.raw[s.off:s.end:s.end]
}

// Uint8 returns the integer field f, or 0 if the PDU has no such field.
func (p *PDU) Uint8(f Field) byte {
	if f >= numFields {
		return 0
	}
	s := p.spans[f]
	if s.end == 0 {
		return 0
	}
	return p.raw[s.off]
}

// SystemID returns system_id (binds, bind responses, outbind).
func (p *PDU) SystemID() []byte { return p.Field(FieldSystemID) }

// Password returns password (binds, outbind).
func (p *PDU) Password() []byte { return p.Field(FieldPassword) }

// SystemType returns system_type (binds).
func (p *PDU) SystemType() []byte { return p.Field(FieldSystemType) }

// InterfaceVersion returns interface_version (binds).
func (p *PDU) InterfaceVersion() byte { return p.Uint8(FieldInterfaceVersion) }

// ServiceType returns service_type.
func (p *PDU) ServiceType() []byte { return p.Field(FieldServiceType) }

// SourceAddr returns source_addr.
func (p *PDU) SourceAddr() []byte { return p.Field(FieldSourceAddr) }

// SourceTON returns source_addr_ton.
func (p *PDU) SourceTON() byte { return p.Uint8(FieldSourceAddrTON) }

// SourceNPI returns source_addr_npi.
func (p *PDU) SourceNPI() byte { return p.Uint8(FieldSourceAddrNPI) }

// DestAddr returns destination_addr.
func (p *PDU) DestAddr() []byte { return p.Field(FieldDestinationAddr) }

// DestTON returns dest_addr_ton.
func (p *PDU) DestTON() byte { return p.Uint8(FieldDestAddrTON) }

// DestNPI returns dest_addr_npi.
func (p *PDU) DestNPI() byte { return p.Uint8(FieldDestAddrNPI) }

// ESMClass returns esm_class.
func (p *PDU) ESMClass() byte { return p.Uint8(FieldESMClass) }

// ProtocolID returns protocol_id.
func (p *PDU) ProtocolID() byte { return p.Uint8(FieldProtocolID) }

// PriorityFlag returns priority_flag.
func (p *PDU) PriorityFlag() byte { return p.Uint8(FieldPriorityFlag) }

// ScheduleDeliveryTime returns schedule_delivery_time.
func (p *PDU) ScheduleDeliveryTime() []byte { return p.Field(FieldScheduleDeliveryTime) }

// ValidityPeriod returns validity_period.
func (p *PDU) ValidityPeriod() []byte { return p.Field(FieldValidityPeriod) }

// RegisteredDelivery returns registered_delivery.
func (p *PDU) RegisteredDelivery() byte { return p.Uint8(FieldRegisteredDelivery) }

// DataCoding returns data_coding.
func (p *PDU) DataCoding() DataCoding { return DataCoding(p.Uint8(FieldDataCoding)) }

// ShortMessage returns short_message (UDH included, if any).
func (p *PDU) ShortMessage() []byte { return p.Field(FieldShortMessage) }

// MessageID returns message_id.
func (p *PDU) MessageID() []byte { return p.Field(FieldMessageID) }

// MessageState returns message_state (query_sm_resp).
func (p *PDU) MessageState() MessageState { return MessageState(p.Uint8(FieldMessageState)) }

// TLVs returns the optional parameters in wire order, duplicates and
// unknown tags included.
func (p *PDU) TLVs() iter.Seq[TLV] {
	return func(yield func(TLV) bool) {
		for off := int(p.tlvOff); off < len(p.raw); {
			t, next, ok := nextTLV(p.raw, off)
			if !ok || !yield(t) {
				return
			}
			off = next
		}
	}
}

// TLV returns the first optional parameter with tag t.
func (p *PDU) TLV(t Tag) (TLV, bool) {
	for off := int(p.tlvOff); off < len(p.raw); {
		v, next, ok := nextTLV(p.raw, off)
		if !ok {
			break
		}
		if v.Tag == t {
			return v, true
		}
		off = next
	}
	return TLV{}, false
}

// TLVBytes returns the raw optional part of the body.
func (p *PDU) TLVBytes() []byte {
	if p.raw == nil {
		return nil
	}
	return p.raw[p.tlvOff:]
}

// Destination flags of a submit_multi dest_address.
const (
	DestFlagSME              = 1 // an SME address
	DestFlagDistributionList = 2 // a distribution list name
)

// DestAddress is one destination of a submit_multi: an SME address
// (Flag DestFlagSME) or the name of a distribution list (DestFlagDistributionList).
type DestAddress struct {
	Flag   byte
	Addr   Address
	DLName string
}

// UnsuccessSME is one destination a submit_multi could not reach.
type UnsuccessSME struct {
	Addr  Address
	Error Status
}

// Dests returns the destinations of a submit_multi.
func (p *PDU) Dests() []DestAddress {
	b := p.Field(FieldDestAddresses)
	var out []DestAddress
	for off := 0; off < len(b); {
		d := DestAddress{Flag: b[off]}
		off++
		if d.Flag == DestFlagSME {
			d.Addr.TON, d.Addr.NPI = b[off], b[off+1]
			off += 2
		}
		i := bytes.IndexByte(b[off:], 0)
		if d.Flag == DestFlagSME {
			d.Addr.Addr = string(b[off : off+i])
		} else {
			d.DLName = string(b[off : off+i])
		}
		off += i + 1
		out = append(out, d)
	}
	return out
}

// Unsuccess returns the unsuccess_sme list of a submit_multi_resp.
func (p *PDU) Unsuccess() []UnsuccessSME {
	b := p.Field(FieldUnsuccessSMEs)
	var out []UnsuccessSME
	for off := 0; off < len(b); {
		u := UnsuccessSME{Addr: Address{TON: b[off], NPI: b[off+1]}}
		off += 2
		i := bytes.IndexByte(b[off:], 0)
		u.Addr.Addr = string(b[off : off+i])
		off += i + 1
		u.Error = Status(binary.BigEndian.Uint32(b[off:]))
		off += 4
		out = append(out, u)
	}
	return out
}

// Validate checks the decoded PDU against the limits of SMPP 3.4: the
// maximum size of each C-Octet String, the 16-character time format, and
// short_message versus message_payload. It returns the Status the
// specification associates with the first violation.
func (p *PDU) Validate() error {
	lay := layoutOf(p.CommandID())
	for i := range lay {
		fs := &lay[i]
		sp := p.spans[fs.f]
		if sp.end == 0 { // absent
			continue
		}
		n := int(sp.end - sp.off)
		switch fs.kind {
		case kindCString:
			if n+1 > fs.max {
				return &DecodeError{Command: p.CommandID(), Seq: p.Seq(), Status: fieldStatus(fs.f),
					Field: fs.f, Offset: int(sp.off),
					Reason: fmt.Sprintf("%d octets, at most %d allowed", n, fs.max-1)}
			}
			if n != 0 && n != 16 && (fs.f == FieldScheduleDeliveryTime || fs.f == FieldValidityPeriod || fs.f == FieldFinalDate) {
				return &DecodeError{Command: p.CommandID(), Seq: p.Seq(), Status: fieldStatus(fs.f),
					Field: fs.f, Offset: int(sp.off), Reason: "time is not 16 characters"}
			}
		case kindOctets:
			if n > fs.max {
				return &DecodeError{Command: p.CommandID(), Seq: p.Seq(), Status: StatusInvalidMsgLen,
					Field: fs.f, Offset: int(sp.off), Reason: "short_message longer than 254 octets"}
			}
			if n > 0 && int(p.tlvOff) < len(p.raw) {
				if _, ok := p.TLV(TagMessagePayload); ok {
					return &DecodeError{Command: p.CommandID(), Seq: p.Seq(), Status: StatusInvalidMsgLen,
						Field: fs.f, Offset: int(sp.off), Reason: "both short_message and message_payload"}
				}
			}
		case kindDests:
			if n := p.Uint8(FieldNumberOfDests); n == 0 || n > 254 {
				return &DecodeError{Command: p.CommandID(), Seq: p.Seq(), Status: StatusInvalidNumDests,
					Field: FieldNumberOfDests, Offset: int(p.spans[FieldNumberOfDests].off), Reason: "number_of_dests must be 1..254"}
			}
		}
	}
	return nil
}

func fieldStatus(f Field) Status {
	switch f {
	case FieldSystemID:
		return StatusInvalidSystemID
	case FieldPassword:
		return StatusInvalidPassword
	case FieldSystemType:
		return StatusInvalidSystemType
	case FieldServiceType:
		return StatusInvalidServiceType
	case FieldSourceAddr:
		return StatusInvalidSourceAddr
	case FieldDestinationAddr:
		return StatusInvalidDestAddr
	case FieldMessageID:
		return StatusInvalidMsgID
	case FieldScheduleDeliveryTime:
		return StatusInvalidSchedule
	case FieldValidityPeriod:
		return StatusInvalidExpiry
	}
	return StatusInvalidCmdLen
}

// String summarises the PDU for logs; it prints no addresses or text.
func (p *PDU) String() string {
	return fmt.Sprintf("%v seq=%d status=%s len=%d", p.CommandID(), p.Seq(), p.Status().Name(), p.Len())
}
