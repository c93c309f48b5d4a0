package msisdn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestAgainstPhonenumbers compares the Moroccan path with phonenumbers on
// random numbers written in random forms: every number phonenumbers finds
// valid for Morocco must read the same, with the same mobile-ness. (The
// reverse does not hold: the national plan gives whole first digits to
// mobile, fixed and special numbers, where phonenumbers knows only the
// ranges allocated when its metadata was built.)
func TestAgainstPhonenumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	forms := []func(nsn string) string{
		func(n string) string { return "0" + n },
		func(n string) string { return "+212" + n },
		func(n string) string { return "00212" + n },
		func(n string) string { return "212" + n },
		func(n string) string { return fmt.Sprintf("0%s %s %s %s %s", n[:1], n[1:3], n[3:5], n[5:7], n[7:]) },
		func(n string) string { return fmt.Sprintf("+212 (0)%s-%s-%s", n[:3], n[3:6], n[6:]) },
	}
	checked := 0
	for range 3000 {
		nsn := fmt.Sprint(100_000_000 + rng.IntN(900_000_000))
		in := forms[rng.IntN(len(forms))](nsn)
		pn, err := phonenumbers.Parse(in, "MA")
		if err != nil || !phonenumbers.IsValidNumber(pn) {
			continue
		}
		checked++
		n, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v; phonenumbers reads it as valid", in, err)
			continue
		}
		if want := phonenumbers.Format(pn, phonenumbers.E164); n.E164() != want {
			t.Errorf("Parse(%q) = %s, phonenumbers %s", in, n, want)
		}
		typ := phonenumbers.GetNumberType(pn)
		if n.Mobile() != (typ == phonenumbers.MOBILE) {
			t.Errorf("Parse(%q).Mobile() = %v, phonenumbers type %v", in, n.Mobile(), typ)
		}
	}
	if checked < 500 {
		t.Fatalf("only %d numbers checked", checked)
	}
}
