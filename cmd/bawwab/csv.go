package main

import "strings"

// The CSV files of the registry, the opposition list and the consents
// share one format, read by package registrycsv: UTF-8 (a byte-order mark
// is skipped), a header line naming the columns (in any order; optional
// ones may be left out), one record per line, errors reported with the
// line and the column.

// mask shows enough of a value to find it in a file without printing a
// whole subscriber number.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("•", len(r))
	}
	return string(r[:4]) + "…" + string(r[len(r)-2:])
}
