package smpp

import (
	"encoding/binary"
	"fmt"
)

// Tag is the tag of an optional parameter (TLV), SMPP 3.4 §5.3.2.
type Tag uint16

// The optional parameters of SMPP 3.4. Tags 0x1400–0x3FFF are reserved for
// SMSC vendors; the codec keeps any tag, known or not.
const (
	TagDestAddrSubunit          Tag = 0x0005 // dest_addr_subunit
	TagDestNetworkType          Tag = 0x0006 // dest_network_type
	TagDestBearerType           Tag = 0x0007 // dest_bearer_type
	TagDestTelematicsID         Tag = 0x0008 // dest_telematics_id
	TagSourceAddrSubunit        Tag = 0x000D // source_addr_subunit
	TagSourceNetworkType        Tag = 0x000E // source_network_type
	TagSourceBearerType         Tag = 0x000F // source_bearer_type
	TagSourceTelematicsID       Tag = 0x0010 // source_telematics_id
	TagQOSTimeToLive            Tag = 0x0017 // qos_time_to_live
	TagPayloadType              Tag = 0x0019 // payload_type
	TagAdditionalStatusInfoText Tag = 0x001D // additional_status_info_text
	TagReceiptedMessageID       Tag = 0x001E // receipted_message_id
	TagMSMsgWaitFacilities      Tag = 0x0030 // ms_msg_wait_facilities
	TagPrivacyIndicator         Tag = 0x0201 // privacy_indicator
	TagSourceSubaddress         Tag = 0x0202 // source_subaddress
	TagDestSubaddress           Tag = 0x0203 // dest_subaddress
	TagUserMessageReference     Tag = 0x0204 // user_message_reference
	TagUserResponseCode         Tag = 0x0205 // user_response_code
	TagSourcePort               Tag = 0x020A // source_port
	TagDestinationPort          Tag = 0x020B // destination_port
	TagSARMsgRefNum             Tag = 0x020C // sar_msg_ref_num
	TagLanguageIndicator        Tag = 0x020D // language_indicator
	TagSARTotalSegments         Tag = 0x020E // sar_total_segments
	TagSARSegmentSeqnum         Tag = 0x020F // sar_segment_seqnum
	TagSCInterfaceVersion       Tag = 0x0210 // sc_interface_version
	TagCallbackNumPresInd       Tag = 0x0302 // callback_num_pres_ind
	TagCallbackNumAtag          Tag = 0x0303 // callback_num_atag
	TagNumberOfMessages         Tag = 0x0304 // number_of_messages
	TagCallbackNum              Tag = 0x0381 // callback_num
	TagDPFResult                Tag = 0x0420 // dpf_result
	TagSetDPF                   Tag = 0x0421 // set_dpf
	TagMSAvailabilityStatus     Tag = 0x0422 // ms_availability_status
	TagNetworkErrorCode         Tag = 0x0423 // network_error_code
	TagMessagePayload           Tag = 0x0424 // message_payload
	TagDeliveryFailureReason    Tag = 0x0425 // delivery_failure_reason
	TagMoreMessagesToSend       Tag = 0x0426 // more_messages_to_send
	TagMessageState             Tag = 0x0427 // message_state
	TagUSSDServiceOp            Tag = 0x0501 // ussd_service_op
	TagDisplayTime              Tag = 0x1201 // display_time
	TagSMSSignal                Tag = 0x1203 // sms_signal
	TagMSValidity               Tag = 0x1204 // ms_validity
	TagAlertOnMessageDelivery   Tag = 0x130C // alert_on_message_delivery
	TagITSReplyType             Tag = 0x1380 // its_reply_type
	TagITSSessionInfo           Tag = 0x1383 // its_session_info
)

var tagNames = map[Tag]string{
	TagDestAddrSubunit: "dest_addr_subunit", TagDestNetworkType: "dest_network_type",
	TagDestBearerType: "dest_bearer_type", TagDestTelematicsID: "dest_telematics_id",
	TagSourceAddrSubunit: "source_addr_subunit", TagSourceNetworkType: "source_network_type",
	TagSourceBearerType: "source_bearer_type", TagSourceTelematicsID: "source_telematics_id",
	TagQOSTimeToLive: "qos_time_to_live", TagPayloadType: "payload_type",
	TagAdditionalStatusInfoText: "additional_status_info_text", TagReceiptedMessageID: "receipted_message_id",
	TagMSMsgWaitFacilities: "ms_msg_wait_facilities", TagPrivacyIndicator: "privacy_indicator",
	TagSourceSubaddress: "source_subaddress", TagDestSubaddress: "dest_subaddress",
	TagUserMessageReference: "user_message_reference", TagUserResponseCode: "user_response_code",
	TagSourcePort: "source_port", TagDestinationPort: "destination_port",
	TagSARMsgRefNum: "sar_msg_ref_num", TagLanguageIndicator: "language_indicator",
	TagSARTotalSegments: "sar_total_segments", TagSARSegmentSeqnum: "sar_segment_seqnum",
	TagSCInterfaceVersion: "sc_interface_version", TagCallbackNumPresInd: "callback_num_pres_ind",
	TagCallbackNumAtag: "callback_num_atag", TagNumberOfMessages: "number_of_messages",
	TagCallbackNum: "callback_num", TagDPFResult: "dpf_result", TagSetDPF: "set_dpf",
	TagMSAvailabilityStatus: "ms_availability_status", TagNetworkErrorCode: "network_error_code",
	TagMessagePayload: "message_payload", TagDeliveryFailureReason: "delivery_failure_reason",
	TagMoreMessagesToSend: "more_messages_to_send", TagMessageState: "message_state",
	TagUSSDServiceOp: "ussd_service_op", TagDisplayTime: "display_time", TagSMSSignal: "sms_signal",
	TagMSValidity: "ms_validity", TagAlertOnMessageDelivery: "alert_on_message_delivery",
	TagITSReplyType: "its_reply_type", TagITSSessionInfo: "its_session_info",
}

// String returns the specification's name of t, or its hex value.
func (t Tag) String() string {
	if n, ok := tagNames[t]; ok {
		return n
	}
	if t >= 0x1400 && t <= 0x3FFF {
		return fmt.Sprintf("vendor_tlv(0x%04X)", uint16(t))
	}
	return fmt.Sprintf("tlv(0x%04X)", uint16(t))
}

// TLV is one optional parameter. In a decoded PDU, Value is a sub-slice of
// the PDU's bytes.
type TLV struct {
	Tag   Tag
	Value []byte
}

// Uint returns Value as a big-endian unsigned integer of 1, 2 or 4 octets.
func (t TLV) Uint() (uint32, error) {
	switch len(t.Value) {
	case 1:
		return uint32(t.Value[0]), nil
	case 2:
		return uint32(binary.BigEndian.Uint16(t.Value)), nil
	case 4:
		return binary.BigEndian.Uint32(t.Value), nil
	}
	return 0, fmt.Errorf("%v: %d octets is not an integer: %w", t.Tag, len(t.Value), StatusInvalidParamLen)
}

// CString returns Value without its terminating NUL (a C-Octet String TLV
// such as receipted_message_id); a value without NUL is returned whole.
func (t TLV) CString() []byte {
	if n := len(t.Value); n > 0 && t.Value[n-1] == 0 {
		return t.Value[:n-1]
	}
	return t.Value
}

// Uint8TLV builds a 1-octet integer TLV.
func Uint8TLV(tag Tag, v uint8) TLV { return TLV{tag, []byte{v}} }

// Uint16TLV builds a 2-octet integer TLV.
func Uint16TLV(tag Tag, v uint16) TLV { return TLV{tag, binary.BigEndian.AppendUint16(nil, v)} }

// Uint32TLV builds a 4-octet integer TLV.
func Uint32TLV(tag Tag, v uint32) TLV { return TLV{tag, binary.BigEndian.AppendUint32(nil, v)} }

// CStringTLV builds a C-Octet String TLV (the value and a NUL).
func CStringTLV(tag Tag, s string) TLV { return TLV{tag, append([]byte(s), 0)} }

// nextTLV reads the TLV at b[off:]; ok is false if it does not fit.
func nextTLV(b []byte, off int) (t TLV, next int, ok bool) {
	if len(b)-off < 4 {
		return TLV{}, off, false
	}
	tag := Tag(binary.BigEndian.Uint16(b[off:]))
	n := int(binary.BigEndian.Uint16(b[off+2:]))
	if len(b)-off-4 < n {
		return TLV{}, off, false
	}
	v := b[off+4 : off+4+n : off+4+n]
	return TLV{tag, v}, off + 4 + n, true
}
