package proxy

import (
	"net/url"
	"testing"
)

// TestExpandDLR: Kannel's escapes are replaced in one pass, so a value's
// own URL escapes are left alone, the escapes this gateway does not fill
// become empty, and the result is always a URL that parses.
func TestExpandDLR(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://h/d?type=%d&t=%T&id=%I", "http://h/d?type=8&t=1700000000&id=m-1"},
		{"http://h/d?to=%p&q=%q&from=%P&Q=%Q", "http://h/d?to=%2B212661234567&q=%2B212661234567&from=ATLASMKT&Q=ATLASMKT"},
		// The text's own escapes ("%C3%A9", "%2F") are not read as %C, %A.
		{"http://h/d?a=%A&b=%d", "http://h/d?a=stat%3ADELIVRD+%C3%A9t%C3%A9%2F&b=8"},
		// Kannel's escapes without a value here become empty.
		{"http://h/d?smsc=%i&f=%F&n=%n&x", "http://h/d?smsc=&f=&n=&x"},
		// URL escapes (a digit after %) and a trailing % stay.
		{"http://h/d%2F?x=%20%", "http://h/d%2F?x=%20%"},
	} {
		got := expandDLR(tc.in, 8, "stat:DELIVRD été/", "+212661234567", "ATLASMKT", 1700000000, "m-1")
		if got != tc.want {
			t.Errorf("expandDLR(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if _, err := url.Parse(got); err != nil && tc.in[len(tc.in)-1] != '%' {
			t.Errorf("%q does not parse: %v", got, err)
		}
	}
}
