package bawwab

import (
	"errors"
	"fmt"
)

// Application error codes. They classify an error for the transports (an
// HTTP status, a CLI exit code) without tying the domain to any of them.
const (
	ECONFLICT       = "conflict"        // the record exists, or a concurrent change won
	EINTERNAL       = "internal"        // a bug or an unavailable dependency
	EINVALID        = "invalid"         // the input is malformed or breaks a constraint
	ENOTFOUND       = "not_found"       // the record does not exist
	EUNAUTHORIZED   = "unauthorized"    // the caller is not authenticated
	EFORBIDDEN      = "forbidden"       // the caller may not do this
	ENOTIMPLEMENTED = "not_implemented" // the store or mode does not support it
)

// Error is an error meant for the people using Bawwab: its Message is safe
// to show to a provider or an inspector; internal details stay in the
// wrapped error and in the logs.
type Error struct {
	Code    string
	Message string
	// Err is the underlying cause, if any; it is never shown to users.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or a generic message for any other error.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
