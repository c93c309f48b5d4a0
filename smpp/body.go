package smpp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Address is a TON, an NPI and an address string.
type Address struct {
	TON  byte
	NPI  byte
	Addr string
}

// Type of number (TON) and numbering plan (NPI) values used in Morocco and
// most elsewhere (SMPP 3.4 §5.2.5, §5.2.6).
const (
	TONUnknown       = 0
	TONInternational = 1
	TONNational      = 2
	TONAlphanumeric  = 5
	NPIUnknown       = 0
	NPIISDN          = 1 // E.164
)

// esm_class bits (SMPP 3.4 §5.2.12).
const (
	ESMClassUDHI          byte = 0x40 // short_message starts with a user data header
	ESMClassReplyPath     byte = 0x80
	ESMClassTypeMask      byte = 0x3C // message type bits
	ESMClassReceipt       byte = 0x04 // message type: SMSC delivery receipt
	ESMClassSMEAck        byte = 0x08 // message type: SME delivery acknowledgement
	ESMClassUserAck       byte = 0x10 // message type: SME manual/user acknowledgement
	ESMClassIntermediate  byte = 0x20 // message type: intermediate delivery notification
	ESMClassStoreForward  byte = 0x03 // messaging mode: store and forward
	ESMClassDatagram      byte = 0x01 // messaging mode: datagram
	ESMClassForward       byte = 0x02 // messaging mode: forward (transaction)
	RegisteredDeliveryAll byte = 0x01 // registered_delivery: receipt on success or failure
)

// Body holds the mandatory fields and TLVs of a PDU to encode. Append
// writes those that the command's layout holds, in the specification's
// order, and ignores the others, so one Body type serves every command.
// C-Octet Strings must not contain NUL.
type Body struct {
	// Binds and outbind.
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion byte
	AddressRange     Address

	// Messages.
	ServiceType          string
	Source               Address
	Dest                 Address
	Dests                []DestAddress // submit_multi
	ESMClass             byte
	ProtocolID           byte
	PriorityFlag         byte
	ScheduleDeliveryTime string
	ValidityPeriod       string
	RegisteredDelivery   byte
	ReplaceIfPresentFlag byte
	DataCoding           DataCoding
	SMDefaultMsgID       byte
	ShortMessage         []byte

	// Responses and queries.
	MessageID    string
	Unsuccess    []UnsuccessSME // submit_multi_resp
	FinalDate    string         // query_sm_resp
	MessageState MessageState   // query_sm_resp
	ErrorCode    byte           // query_sm_resp

	ESMEAddr Address // alert_notification

	// TLVs are written after the mandatory fields, in this order.
	TLVs []TLV

	// HeaderOnly writes no body at all, as a refused response may (SMPP 3.4
	// §4.4.2); Decode reports such a response this way.
	HeaderOnly bool
}

// ErrEncode is wrapped by the errors of Append: a Body that cannot be
// written as asked.
var ErrEncode = errors.New("smpp: cannot encode")

// Append appends the PDU (header and body) to dst and returns the extended
// buffer. It allocates nothing when dst has room.
func (b *Body) Append(dst []byte, cmd CommandID, status Status, seq uint32) ([]byte, error) {
	lay := layoutOf(cmd)
	if lay == nil {
		return dst, fmt.Errorf("%w: unknown command %v", ErrEncode, cmd)
	}
	start := len(dst)
	dst = binary.BigEndian.AppendUint32(dst, 0)
	dst = binary.BigEndian.AppendUint32(dst, uint32(cmd))
	dst = binary.BigEndian.AppendUint32(dst, uint32(status))
	dst = binary.BigEndian.AppendUint32(dst, seq)
	var err error
	if b != nil && !b.HeaderOnly {
		for _, fs := range lay {
			if dst, err = b.appendField(dst, fs.f); err != nil {
				return dst[:start], err
			}
		}
		for _, t := range b.TLVs {
			if len(t.Value) > 0xFFFF {
				return dst[:start], fmt.Errorf("%w: %v value of %d octets", ErrEncode, t.Tag, len(t.Value))
			}
			dst = binary.BigEndian.AppendUint16(dst, uint16(t.Tag))
			dst = binary.BigEndian.AppendUint16(dst, uint16(len(t.Value)))
			dst = append(dst, t.Value...)
		}
	}
	if n := len(dst) - start; n > 1<<31-1 {
		return dst[:start], fmt.Errorf("%w: %d octets", ErrEncode, n)
	}
	binary.BigEndian.PutUint32(dst[start:], uint32(len(dst)-start))
	return dst, nil
}

// Encode returns the PDU in a new buffer.
func (b *Body) Encode(cmd CommandID, status Status, seq uint32) ([]byte, error) {
	return b.Append(nil, cmd, status, seq)
}

func appendCString(dst []byte, f Field, s string) ([]byte, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return dst, fmt.Errorf("%w: %v contains NUL", ErrEncode, f)
	}
	return append(append(dst, s...), 0), nil
}

func (b *Body) appendField(dst []byte, f Field) ([]byte, error) {
	switch f {
	case FieldSystemID:
		return appendCString(dst, f, b.SystemID)
	case FieldPassword:
		return appendCString(dst, f, b.Password)
	case FieldSystemType:
		return appendCString(dst, f, b.SystemType)
	case FieldInterfaceVersion:
		return append(dst, b.InterfaceVersion), nil
	case FieldAddrTON:
		return append(dst, b.AddressRange.TON), nil
	case FieldAddrNPI:
		return append(dst, b.AddressRange.NPI), nil
	case FieldAddressRange:
		return appendCString(dst, f, b.AddressRange.Addr)
	case FieldServiceType:
		return appendCString(dst, f, b.ServiceType)
	case FieldSourceAddrTON:
		return append(dst, b.Source.TON), nil
	case FieldSourceAddrNPI:
		return append(dst, b.Source.NPI), nil
	case FieldSourceAddr:
		return appendCString(dst, f, b.Source.Addr)
	case FieldDestAddrTON:
		return append(dst, b.Dest.TON), nil
	case FieldDestAddrNPI:
		return append(dst, b.Dest.NPI), nil
	case FieldDestinationAddr:
		return appendCString(dst, f, b.Dest.Addr)
	case FieldESMClass:
		return append(dst, b.ESMClass), nil
	case FieldProtocolID:
		return append(dst, b.ProtocolID), nil
	case FieldPriorityFlag:
		return append(dst, b.PriorityFlag), nil
	case FieldScheduleDeliveryTime:
		return appendCString(dst, f, b.ScheduleDeliveryTime)
	case FieldValidityPeriod:
		return appendCString(dst, f, b.ValidityPeriod)
	case FieldRegisteredDelivery:
		return append(dst, b.RegisteredDelivery), nil
	case FieldReplaceIfPresentFlag:
		return append(dst, b.ReplaceIfPresentFlag), nil
	case FieldDataCoding:
		return append(dst, byte(b.DataCoding)), nil
	case FieldSMDefaultMsgID:
		return append(dst, b.SMDefaultMsgID), nil
	case FieldSMLength:
		if len(b.ShortMessage) > 255 {
			return dst, fmt.Errorf("%w: short_message of %d octets (use message_payload)", ErrEncode, len(b.ShortMessage))
		}
		return append(dst, byte(len(b.ShortMessage))), nil
	case FieldShortMessage:
		return append(dst, b.ShortMessage...), nil
	case FieldMessageID:
		return appendCString(dst, f, b.MessageID)
	case FieldNumberOfDests:
		if len(b.Dests) > 255 {
			return dst, fmt.Errorf("%w: %d destinations", ErrEncode, len(b.Dests))
		}
		return append(dst, byte(len(b.Dests))), nil
	case FieldDestAddresses:
		var err error
		for _, d := range b.Dests {
			dst = append(dst, d.Flag)
			switch d.Flag {
			case DestFlagSME:
				dst = append(dst, d.Addr.TON, d.Addr.NPI)
				dst, err = appendCString(dst, f, d.Addr.Addr)
			case DestFlagDistributionList:
				dst, err = appendCString(dst, f, d.DLName)
			default:
				err = fmt.Errorf("%w: dest_flag %d", ErrEncode, d.Flag)
			}
			if err != nil {
				return dst, err
			}
		}
		return dst, nil
	case FieldNoUnsuccess:
		if len(b.Unsuccess) > 255 {
			return dst, fmt.Errorf("%w: %d unsuccess_sme", ErrEncode, len(b.Unsuccess))
		}
		return append(dst, byte(len(b.Unsuccess))), nil
	case FieldUnsuccessSMEs:
		var err error
		for _, u := range b.Unsuccess {
			dst = append(dst, u.Addr.TON, u.Addr.NPI)
			if dst, err = appendCString(dst, f, u.Addr.Addr); err != nil {
				return dst, err
			}
			dst = binary.BigEndian.AppendUint32(dst, uint32(u.Error))
		}
		return dst, nil
	case FieldFinalDate:
		return appendCString(dst, f, b.FinalDate)
	case FieldMessageState:
		return append(dst, byte(b.MessageState)), nil
	case FieldErrorCode:
		return append(dst, b.ErrorCode), nil
	case FieldESMEAddrTON:
		return append(dst, b.ESMEAddr.TON), nil
	case FieldESMEAddrNPI:
		return append(dst, b.ESMEAddr.NPI), nil
	case FieldESMEAddr:
		return appendCString(dst, f, b.ESMEAddr.Addr)
	}
	return dst, fmt.Errorf("%w: field %v", ErrEncode, f)
}

// Body copies the fields and TLVs of the PDU into a Body, so that
// Body.Append with the same header gives back the same bytes.
func (p *PDU) Body() *Body {
	b := &Body{}
	if p.CommandID().IsResponse() && len(p.raw) == HeaderLen && len(layoutOf(p.CommandID())) > 0 {
		b.HeaderOnly = true
		return b
	}
	s := func(f Field) string { return string(p.Field(f)) }
	b.SystemID = s(FieldSystemID)
	b.Password = s(FieldPassword)
	b.SystemType = s(FieldSystemType)
	b.InterfaceVersion = p.Uint8(FieldInterfaceVersion)
	b.AddressRange = Address{p.Uint8(FieldAddrTON), p.Uint8(FieldAddrNPI), s(FieldAddressRange)}
	b.ServiceType = s(FieldServiceType)
	b.Source = Address{p.SourceTON(), p.SourceNPI(), s(FieldSourceAddr)}
	b.Dest = Address{p.DestTON(), p.DestNPI(), s(FieldDestinationAddr)}
	b.Dests = p.Dests()
	b.ESMClass = p.ESMClass()
	b.ProtocolID = p.ProtocolID()
	b.PriorityFlag = p.PriorityFlag()
	b.ScheduleDeliveryTime = s(FieldScheduleDeliveryTime)
	b.ValidityPeriod = s(FieldValidityPeriod)
	b.RegisteredDelivery = p.RegisteredDelivery()
	b.ReplaceIfPresentFlag = p.Uint8(FieldReplaceIfPresentFlag)
	b.DataCoding = p.DataCoding()
	b.SMDefaultMsgID = p.Uint8(FieldSMDefaultMsgID)
	if sm := p.ShortMessage(); sm != nil {
		b.ShortMessage = append([]byte{}, sm...)
	}
	b.MessageID = s(FieldMessageID)
	b.Unsuccess = p.Unsuccess()
	b.FinalDate = s(FieldFinalDate)
	b.MessageState = p.MessageState()
	b.ErrorCode = p.Uint8(FieldErrorCode)
	b.ESMEAddr = Address{p.Uint8(FieldESMEAddrTON), p.Uint8(FieldESMEAddrNPI), s(FieldESMEAddr)}
	for t := range p.TLVs() {
		b.TLVs = append(b.TLVs, TLV{t.Tag, append([]byte{}, t.Value...)})
	}
	return b
}

// AppendHeaderOnly appends a PDU without body (enquire_link, unbind,
// generic_nack and their responses, or a refused response).
func AppendHeaderOnly(dst []byte, cmd CommandID, status Status, seq uint32) []byte {
	dst = binary.BigEndian.AppendUint32(dst, HeaderLen)
	dst = binary.BigEndian.AppendUint32(dst, uint32(cmd))
	dst = binary.BigEndian.AppendUint32(dst, uint32(status))
	return binary.BigEndian.AppendUint32(dst, seq)
}

// AppendMessageIDResp appends a response whose body is a message_id
// (submit_sm_resp, deliver_sm_resp, data_sm_resp), the hot path of an SMSC.
// messageID must not contain NUL. A refused response carries an empty
// message_id rather than no body: SMPP 3.4 allows either, and Kannel warns
// about the latter.
func AppendMessageIDResp(dst []byte, cmd CommandID, status Status, seq uint32, messageID string) []byte {
	n := HeaderLen + len(messageID) + 1
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	dst = binary.BigEndian.AppendUint32(dst, uint32(cmd))
	dst = binary.BigEndian.AppendUint32(dst, uint32(status))
	dst = binary.BigEndian.AppendUint32(dst, seq)
	return append(append(dst, messageID...), 0)
}
