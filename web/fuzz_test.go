package web

import (
	"net/http/httptest"
	"testing"
)

// FuzzLanguage: any Accept-Language header picks French or English.
func FuzzLanguage(f *testing.F) {
	for _, s := range []string{"", "en-US,en;q=0.9", "ar-MA, fr;q=0.8", "de;q=x, en;q=", ";;,,", "fr;q=1e400", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", h)
		if l := language(r); l != "fr" && l != "en" {
			t.Fatalf("%q: %q", h, l)
		}
	})
}

// FuzzSafeNext: a redirect after login stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//evil", "/\\evil", "/\t/evil", "https://evil", "/ledger?x=1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := safeNext(s)
		if len(n) == 0 || n[0] != '/' || (len(n) > 1 && (n[1] == '/' || n[1] == '\\')) {
			t.Fatalf("%q → %q", s, n)
		}
		for _, c := range n {
			if c < 0x20 || c == 0x7f || c == '\\' {
				t.Fatalf("%q → %q", s, n)
			}
		}
	})
}
