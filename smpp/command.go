package smpp

import (
	"fmt"
	"log/slog"
)

// CommandID is the command_id of a PDU header (SMPP 3.4 §5.1.2.1). The high
// bit marks a response.
type CommandID uint32

// The SMPP 3.4 commands.
const (
	GenericNack         CommandID = 0x80000000 // generic_nack
	BindReceiver        CommandID = 0x00000001 // bind_receiver
	BindReceiverResp    CommandID = 0x80000001 // bind_receiver_resp
	BindTransmitter     CommandID = 0x00000002 // bind_transmitter
	BindTransmitterResp CommandID = 0x80000002 // bind_transmitter_resp
	QuerySM             CommandID = 0x00000003 // query_sm
	QuerySMResp         CommandID = 0x80000003 // query_sm_resp
	SubmitSM            CommandID = 0x00000004 // submit_sm
	SubmitSMResp        CommandID = 0x80000004 // submit_sm_resp
	DeliverSM           CommandID = 0x00000005 // deliver_sm
	DeliverSMResp       CommandID = 0x80000005 // deliver_sm_resp
	Unbind              CommandID = 0x00000006 // unbind
	UnbindResp          CommandID = 0x80000006 // unbind_resp
	ReplaceSM           CommandID = 0x00000007 // replace_sm
	ReplaceSMResp       CommandID = 0x80000007 // replace_sm_resp
	CancelSM            CommandID = 0x00000008 // cancel_sm
	CancelSMResp        CommandID = 0x80000008 // cancel_sm_resp
	BindTransceiver     CommandID = 0x00000009 // bind_transceiver
	BindTransceiverResp CommandID = 0x80000009 // bind_transceiver_resp
	Outbind             CommandID = 0x0000000B // outbind
	EnquireLink         CommandID = 0x00000015 // enquire_link
	EnquireLinkResp     CommandID = 0x80000015 // enquire_link_resp
	SubmitMulti         CommandID = 0x00000021 // submit_multi
	SubmitMultiResp     CommandID = 0x80000021 // submit_multi_resp
	AlertNotification   CommandID = 0x00000102 // alert_notification
	DataSM              CommandID = 0x00000103 // data_sm
	DataSMResp          CommandID = 0x80000103 // data_sm_resp
)

const respBit = 0x80000000

// IsResponse reports whether c is a response (its high bit is set).
func (c CommandID) IsResponse() bool { return c&respBit != 0 }

// Response returns the command_id of the response to request c.
func (c CommandID) Response() CommandID { return c | respBit }

// Known reports whether c is a command of SMPP 3.4.
func (c CommandID) Known() bool { return layoutOf(c) != nil }

// HasResponse reports whether request c is answered by a response PDU:
// every SMPP 3.4 request except outbind and alert_notification.
func (c CommandID) HasResponse() bool {
	return c.Known() && !c.IsResponse() && c != Outbind && c != AlertNotification
}

// String returns the specification's name of c ("submit_sm"), or its hex
// value for a command SMPP 3.4 does not define.
func (c CommandID) String() string {
	if n, ok := commandNames[c]; ok {
		return n
	}
	return fmt.Sprintf("command_id(0x%08X)", uint32(c))
}

var commandNames = map[CommandID]string{
	GenericNack:         "generic_nack",
	BindReceiver:        "bind_receiver",
	BindReceiverResp:    "bind_receiver_resp",
	BindTransmitter:     "bind_transmitter",
	BindTransmitterResp: "bind_transmitter_resp",
	QuerySM:             "query_sm",
	QuerySMResp:         "query_sm_resp",
	SubmitSM:            "submit_sm",
	SubmitSMResp:        "submit_sm_resp",
	DeliverSM:           "deliver_sm",
	DeliverSMResp:       "deliver_sm_resp",
	Unbind:              "unbind",
	UnbindResp:          "unbind_resp",
	ReplaceSM:           "replace_sm",
	ReplaceSMResp:       "replace_sm_resp",
	CancelSM:            "cancel_sm",
	CancelSMResp:        "cancel_sm_resp",
	BindTransceiver:     "bind_transceiver",
	BindTransceiverResp: "bind_transceiver_resp",
	Outbind:             "outbind",
	EnquireLink:         "enquire_link",
	EnquireLinkResp:     "enquire_link_resp",
	SubmitMulti:         "submit_multi",
	SubmitMultiResp:     "submit_multi_resp",
	AlertNotification:   "alert_notification",
	DataSM:              "data_sm",
	DataSMResp:          "data_sm_resp",
}

// BindKind is the kind of a bind: which way messages may flow on it.
type BindKind uint8

// The three kinds of bind.
const (
	Transmitter BindKind = iota + 1 // bind_transmitter: the ESME submits
	Receiver                        // bind_receiver: the SMSC delivers
	Transceiver                     // bind_transceiver: both
)

// Command returns the bind request of kind k.
func (k BindKind) Command() CommandID {
	switch k {
	case Transmitter:
		return BindTransmitter
	case Receiver:
		return BindReceiver
	case Transceiver:
		return BindTransceiver
	}
	return 0
}

// LogValue logs the kind by name ("transceiver"), in JSON logs too.
func (k BindKind) LogValue() slog.Value { return slog.StringValue(k.String()) }

func (k BindKind) String() string {
	switch k {
	case Transmitter:
		return "transmitter"
	case Receiver:
		return "receiver"
	case Transceiver:
		return "transceiver"
	}
	return fmt.Sprintf("BindKind(%d)", uint8(k))
}

// bindKindOf returns the kind of bind requested by command c, or 0.
func bindKindOf(c CommandID) BindKind {
	switch c &^ respBit {
	case BindTransmitter:
		return Transmitter
	case BindReceiver:
		return Receiver
	case BindTransceiver:
		return Transceiver
	}
	return 0
}

// allowed reports whether request c may be sent by the ESME (fromESME) or by
// the SMSC on a bind of kind k (SMPP 3.4 §2.3, table 2-1).
func allowed(c CommandID, k BindKind, fromESME bool) bool {
	switch c {
	case EnquireLink, Unbind, GenericNack:
		return true
	case SubmitSM, SubmitMulti, QuerySM, CancelSM, ReplaceSM:
		return fromESME && (k == Transmitter || k == Transceiver)
	case DeliverSM, AlertNotification:
		return !fromESME && (k == Receiver || k == Transceiver)
	case DataSM:
		return k == Transceiver || (fromESME && k == Transmitter) || (!fromESME && k == Receiver)
	}
	return false
}
