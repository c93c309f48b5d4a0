package optout

// Members of the bitmaps are uint32: a Moroccan number is its national
// significant number (612345678 for +212612345678), below 10^9; a foreign
// number is interned to foreignBase plus its rank, so that foreign numbers
// share the bitmaps, the scopes logic and the snapshot with Moroccan ones
// (and the chunks of foreign members sit right after the Moroccan ones,
// which keeps dense directories short).
const (
	minNSN      = 100_000_000 // 9 digits, the first not 0
	foreignBase = 1_000_000_000
	maxForeign  = 1<<32 - foreignBase
)

// splitE164 reads a number in E.164 form, as the store keeps it: a
// Moroccan one (+212 and 9 digits, the first not 0) gives its national
// significant number, any other gives foreign. It only checks the shape;
// parsing what people type is the msisdn package's job.
func splitE164(s string) (nsn uint32, foreign, ok bool) {
	if len(s) < 5 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return 0, false, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false, false
		}
	}
	if s[1:4] != "212" {
		return 0, true, true
	}
	if len(s) != 13 || s[4] == '0' {
		return 0, false, false
	}
	for i := 4; i < 13; i++ {
		nsn = nsn*10 + uint32(s[i]-'0')
	}
	return nsn, false, true
}
