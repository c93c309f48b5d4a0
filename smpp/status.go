package smpp

import "fmt"

// Status is the command_status of a response PDU (SMPP 3.4 §5.1.3). A
// non-zero Status is an error: a refused submit_sm comes back from Conn.Send
// as its Status, so callers can compare with errors.Is or a plain ==.
type Status uint32

// The command_status values of SMPP 3.4.
const (
	StatusOK                        Status = 0x00000000 // ESME_ROK: no error
	StatusInvalidMsgLen             Status = 0x00000001 // ESME_RINVMSGLEN: message length is invalid
	StatusInvalidCmdLen             Status = 0x00000002 // ESME_RINVCMDLEN: command length is invalid
	StatusInvalidCmdID              Status = 0x00000003 // ESME_RINVCMDID: invalid command ID
	StatusInvalidBindStatus         Status = 0x00000004 // ESME_RINVBNDSTS: incorrect bind status for given command
	StatusAlreadyBound              Status = 0x00000005 // ESME_RALYBND: ESME already in bound state
	StatusInvalidPriorityFlag       Status = 0x00000006 // ESME_RINVPRTFLG: invalid priority flag
	StatusInvalidRegisteredDelivery Status = 0x00000007 // ESME_RINVREGDLVFLG: invalid registered delivery flag
	StatusSystemError               Status = 0x00000008 // ESME_RSYSERR: system error
	StatusInvalidSourceAddr         Status = 0x0000000A // ESME_RINVSRCADR: invalid source address
	StatusInvalidDestAddr           Status = 0x0000000B // ESME_RINVDSTADR: invalid destination address
	StatusInvalidMsgID              Status = 0x0000000C // ESME_RINVMSGID: message ID is invalid
	StatusBindFailed                Status = 0x0000000D // ESME_RBINDFAIL: bind failed
	StatusInvalidPassword           Status = 0x0000000E // ESME_RINVPASWD: invalid password
	StatusInvalidSystemID           Status = 0x0000000F // ESME_RINVSYSID: invalid system ID
	StatusCancelFailed              Status = 0x00000011 // ESME_RCANCELFAIL: cancel_sm failed
	StatusReplaceFailed             Status = 0x00000013 // ESME_RREPLACEFAIL: replace_sm failed
	StatusMsgQueueFull              Status = 0x00000014 // ESME_RMSGQFUL: message queue full
	StatusInvalidServiceType        Status = 0x00000015 // ESME_RINVSERTYP: invalid service type
	StatusInvalidNumDests           Status = 0x00000033 // ESME_RINVNUMDESTS: invalid number of destinations
	StatusInvalidDLName             Status = 0x00000034 // ESME_RINVDLNAME: invalid distribution list name
	StatusInvalidDestFlag           Status = 0x00000040 // ESME_RINVDESTFLAG: destination flag is invalid (submit_multi)
	StatusInvalidSubmitReplace      Status = 0x00000042 // ESME_RINVSUBREP: invalid "submit with replace" request
	StatusInvalidESMClass           Status = 0x00000043 // ESME_RINVESMCLASS: invalid esm_class field data
	StatusCannotSubmitToDL          Status = 0x00000044 // ESME_RCNTSUBDL: cannot submit to distribution list
	StatusSubmitFailed              Status = 0x00000045 // ESME_RSUBMITFAIL: submit_sm or submit_multi failed
	StatusInvalidSourceTON          Status = 0x00000048 // ESME_RINVSRCTON: invalid source address TON
	StatusInvalidSourceNPI          Status = 0x00000049 // ESME_RINVSRCNPI: invalid source address NPI
	StatusInvalidDestTON            Status = 0x00000050 // ESME_RINVDSTTON: invalid destination address TON
	StatusInvalidDestNPI            Status = 0x00000051 // ESME_RINVDSTNPI: invalid destination address NPI
	StatusInvalidSystemType         Status = 0x00000053 // ESME_RINVSYSTYP: invalid system_type field
	StatusInvalidReplaceFlag        Status = 0x00000054 // ESME_RINVREPFLAG: invalid replace_if_present flag
	StatusInvalidNumMsgs            Status = 0x00000055 // ESME_RINVNUMMSGS: invalid number of messages
	StatusThrottled                 Status = 0x00000058 // ESME_RTHROTTLED: throttling error (the ESME exceeded its allowed message rate)
	StatusInvalidSchedule           Status = 0x00000061 // ESME_RINVSCHED: invalid scheduled delivery time
	StatusInvalidExpiry             Status = 0x00000062 // ESME_RINVEXPIRY: invalid message validity period (expiry time)
	StatusInvalidDefaultMsgID       Status = 0x00000063 // ESME_RINVDFTMSGID: predefined message invalid or not found
	StatusTempAppError              Status = 0x00000064 // ESME_RX_T_APPN: ESME receiver temporary application error
	StatusPermAppError              Status = 0x00000065 // ESME_RX_P_APPN: ESME receiver permanent application error
	StatusRejectAppError            Status = 0x00000066 // ESME_RX_R_APPN: ESME receiver reject message error
	StatusQueryFailed               Status = 0x00000067 // ESME_RQUERYFAIL: query_sm request failed
	StatusInvalidOptParamStream     Status = 0x000000C0 // ESME_RINVOPTPARSTREAM: error in the optional part of the PDU body
	StatusOptParamNotAllowed        Status = 0x000000C1 // ESME_ROPTPARNOTALLWD: optional parameter not allowed
	StatusInvalidParamLen           Status = 0x000000C2 // ESME_RINVPARLEN: invalid parameter length
	StatusMissingOptParam           Status = 0x000000C3 // ESME_RMISSINGOPTPARAM: expected optional parameter missing
	StatusInvalidOptParamValue      Status = 0x000000C4 // ESME_RINVOPTPARAMVAL: invalid optional parameter value
	StatusDeliveryFailure           Status = 0x000000FE // ESME_RDELIVERYFAILURE: delivery failure (data_sm_resp)
	StatusUnknownError              Status = 0x000000FF // ESME_RUNKNOWNERR: unknown error
)

type statusInfo struct{ name, text string }

var statusNames = map[Status]statusInfo{
	StatusOK:                        {"ESME_ROK", "no error"},
	StatusInvalidMsgLen:             {"ESME_RINVMSGLEN", "message length is invalid"},
	StatusInvalidCmdLen:             {"ESME_RINVCMDLEN", "command length is invalid"},
	StatusInvalidCmdID:              {"ESME_RINVCMDID", "invalid command ID"},
	StatusInvalidBindStatus:         {"ESME_RINVBNDSTS", "incorrect bind status for given command"},
	StatusAlreadyBound:              {"ESME_RALYBND", "ESME already in bound state"},
	StatusInvalidPriorityFlag:       {"ESME_RINVPRTFLG", "invalid priority flag"},
	StatusInvalidRegisteredDelivery: {"ESME_RINVREGDLVFLG", "invalid registered delivery flag"},
	StatusSystemError:               {"ESME_RSYSERR", "system error"},
	StatusInvalidSourceAddr:         {"ESME_RINVSRCADR", "invalid source address"},
	StatusInvalidDestAddr:           {"ESME_RINVDSTADR", "invalid destination address"},
	StatusInvalidMsgID:              {"ESME_RINVMSGID", "message ID is invalid"},
	StatusBindFailed:                {"ESME_RBINDFAIL", "bind failed"},
	StatusInvalidPassword:           {"ESME_RINVPASWD", "invalid password"},
	StatusInvalidSystemID:           {"ESME_RINVSYSID", "invalid system ID"},
	StatusCancelFailed:              {"ESME_RCANCELFAIL", "cancel_sm failed"},
	StatusReplaceFailed:             {"ESME_RREPLACEFAIL", "replace_sm failed"},
	StatusMsgQueueFull:              {"ESME_RMSGQFUL", "message queue full"},
	StatusInvalidServiceType:        {"ESME_RINVSERTYP", "invalid service type"},
	StatusInvalidNumDests:           {"ESME_RINVNUMDESTS", "invalid number of destinations"},
	StatusInvalidDLName:             {"ESME_RINVDLNAME", "invalid distribution list name"},
	StatusInvalidDestFlag:           {"ESME_RINVDESTFLAG", "destination flag is invalid"},
	StatusInvalidSubmitReplace:      {"ESME_RINVSUBREP", "invalid submit with replace request"},
	StatusInvalidESMClass:           {"ESME_RINVESMCLASS", "invalid esm_class field data"},
	StatusCannotSubmitToDL:          {"ESME_RCNTSUBDL", "cannot submit to distribution list"},
	StatusSubmitFailed:              {"ESME_RSUBMITFAIL", "submit failed"},
	StatusInvalidSourceTON:          {"ESME_RINVSRCTON", "invalid source address TON"},
	StatusInvalidSourceNPI:          {"ESME_RINVSRCNPI", "invalid source address NPI"},
	StatusInvalidDestTON:            {"ESME_RINVDSTTON", "invalid destination address TON"},
	StatusInvalidDestNPI:            {"ESME_RINVDSTNPI", "invalid destination address NPI"},
	StatusInvalidSystemType:         {"ESME_RINVSYSTYP", "invalid system_type field"},
	StatusInvalidReplaceFlag:        {"ESME_RINVREPFLAG", "invalid replace_if_present flag"},
	StatusInvalidNumMsgs:            {"ESME_RINVNUMMSGS", "invalid number of messages"},
	StatusThrottled:                 {"ESME_RTHROTTLED", "throttling error"},
	StatusInvalidSchedule:           {"ESME_RINVSCHED", "invalid scheduled delivery time"},
	StatusInvalidExpiry:             {"ESME_RINVEXPIRY", "invalid validity period"},
	StatusInvalidDefaultMsgID:       {"ESME_RINVDFTMSGID", "predefined message invalid or not found"},
	StatusTempAppError:              {"ESME_RX_T_APPN", "ESME receiver temporary application error"},
	StatusPermAppError:              {"ESME_RX_P_APPN", "ESME receiver permanent application error"},
	StatusRejectAppError:            {"ESME_RX_R_APPN", "ESME receiver reject message error"},
	StatusQueryFailed:               {"ESME_RQUERYFAIL", "query_sm failed"},
	StatusInvalidOptParamStream:     {"ESME_RINVOPTPARSTREAM", "error in the optional part of the PDU body"},
	StatusOptParamNotAllowed:        {"ESME_ROPTPARNOTALLWD", "optional parameter not allowed"},
	StatusInvalidParamLen:           {"ESME_RINVPARLEN", "invalid parameter length"},
	StatusMissingOptParam:           {"ESME_RMISSINGOPTPARAM", "expected optional parameter missing"},
	StatusInvalidOptParamValue:      {"ESME_RINVOPTPARAMVAL", "invalid optional parameter value"},
	StatusDeliveryFailure:           {"ESME_RDELIVERYFAILURE", "delivery failure"},
	StatusUnknownError:              {"ESME_RUNKNOWNERR", "unknown error"},
}

// Name returns the specification's name of s ("ESME_RINVDSTADR"); values
// the specification does not name are given in hex, with their range
// (SMPP extension or SMSC vendor-specific) when it is known.
func (s Status) Name() string {
	if i, ok := statusNames[s]; ok {
		return i.name
	}
	switch {
	case s >= 0x100 && s <= 0x3FF:
		return fmt.Sprintf("ESME_0x%08X(reserved for SMPP extension)", uint32(s))
	case s >= 0x400 && s <= 0x4FF:
		return fmt.Sprintf("ESME_0x%08X(SMSC vendor-specific)", uint32(s))
	}
	return fmt.Sprintf("ESME_0x%08X", uint32(s))
}

// Error describes s, e.g. "smpp: ESME_RINVDSTADR (0x0000000B): invalid
// destination address".
func (s Status) Error() string {
	if i, ok := statusNames[s]; ok {
		return fmt.Sprintf("smpp: %s (0x%08X): %s", i.name, uint32(s), i.text)
	}
	return fmt.Sprintf("smpp: command_status 0x%08X", uint32(s))
}

func (s Status) String() string { return s.Name() }

// Err returns s as an error, or nil for StatusOK.
func (s Status) Err() error {
	if s == StatusOK {
		return nil
	}
	return s
}

// Temporary reports whether a message refused with s may succeed if sent
// again later unchanged: the queue was full, the peer throttled, or the
// receiving application failed temporarily.
func (s Status) Temporary() bool {
	switch s {
	case StatusThrottled, StatusMsgQueueFull, StatusTempAppError, StatusSystemError:
		return true
	}
	return false
}
