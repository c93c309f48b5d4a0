// Package msisdn parses the phone numbers people and machines write — in
// lists exported from spreadsheets, in web forms, in SMPP destination
// addresses — into one compact Number value, tells a mobile number from a
// fixed or special one, and says which Moroccan operator serves a number.
//
// Moroccan numbers (country code 212, a nine-digit national significant
// number) take a hand-written path that accepts every usual form (+212…,
// 00212…, 212…, 0…, grouped with spaces, dots, dashes or parentheses, a
// "(0)" after the country code, Eastern Arabic, Persian and fullwidth digits)
// without allocating, because the gateway parses every submit_sm's
// destination on its hot path. Other numbers go through
// github.com/nyaruka/phonenumbers, hundreds of times slower, and only
// numbers it finds valid are accepted (or, where its metadata leaves a
// sub-block out, numbers of a valid block: see Parse).
//
// Anything that is not exactly one phone number is refused with an *Error
// saying why (empty, letters, too short, two numbers, an extension...). The
// errors never contain the input: numbers are personal data.
//
// The operator of a Moroccan number is the holder of its range, from the
// embedded prefix table (prefixes.csv, generated from the libphonenumber
// carrier data by gen_prefixes.go), unless the number was ported: Operators
// keeps the portability overrides, loaded from a CSV file and updated at run
// time when an operator reports a port.
package msisdn

//go:generate go run gen_prefixes.go
