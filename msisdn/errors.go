package msisdn

// Error says why an input is not a phone number. Parse returns one of the
// Err values below, so callers compare with errors.Is or read Code; the
// values are shared and never carry the input, which is personal data.
type Error struct {
	// Code is a short stable identifier ("too-short"), for counting and for
	// machine-readable output.
	Code string
	msg  string
}

func (e *Error) Error() string { return e.msg }

// The reasons an input is refused.
var (
	ErrEmpty        = &Error{"empty", "empty input"}
	ErrNoDigits     = &Error{"no-digits", "no digits"}
	ErrLetters      = &Error{"letters", "contains letters"}
	ErrCharacter    = &Error{"bad-character", "contains a character that is not part of a phone number"}
	ErrExtension    = &Error{"extension", "an extension follows the number"}
	ErrTwoNumbers   = &Error{"two-numbers", "more than one number"}
	ErrTooShort     = &Error{"too-short", "too short"}
	ErrTooLong      = &Error{"too-long", "too long"}
	ErrPrefix       = &Error{"invalid-prefix", "invalid prefix: a Moroccan number starts with 5, 6, 7 or 8"}
	ErrCountryCode  = &Error{"invalid-country-code", "unknown country calling code"}
	ErrInvalid      = &Error{"invalid-number", "not a valid number in its country's numbering plan"}
	ErrAlphanumeric = &Error{"alphanumeric", "alphanumeric address, not a number"}
)

// Errors lists every reason, in a stable order (for reports).
var Errors = []*Error{
	ErrEmpty, ErrNoDigits, ErrLetters, ErrCharacter, ErrExtension, ErrTwoNumbers,
	ErrTooShort, ErrTooLong, ErrPrefix, ErrCountryCode, ErrInvalid, ErrAlphanumeric,
}
