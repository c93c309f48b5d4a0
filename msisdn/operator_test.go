package msisdn

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func mustParse(t testing.TB, s string) Number {
	t.Helper()
	n, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return n
}

func TestRangeHolder(t *testing.T) {
	tests := []struct {
		in   string
		want Operator
	}{
		{"0661234567", IAM},
		{"0612345678", Orange}, // 612 is Orange's inside IAM's 61
		{"0619999999", Orange},
		{"0613000000", IAM},
		{"0600123456", Inwi},
		{"0700123456", Inwi},
		{"0770123456", Orange},
		{"0750123456", IAM},
		{"0692100000", NoOperator}, // an MVNO's range
		{"0692300000", NoOperator}, // unallocated in the table
		{"0522123456", NoOperator}, // fixed lines are not in the carrier data
		{"0800004545", NoOperator},
		{"+33612345678", NoOperator},
	}
	for _, tt := range tests {
		if got := RangeHolder(mustParse(t, tt.in)); got != tt.want {
			t.Errorf("RangeHolder(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestPrefixTableMatchesSource checks the embedded table against its
// source, the carrier data of the phonenumbers version in go.mod, at both
// ends of every prefix of the table and at every four-digit prefix.
func TestPrefixTableMatchesSource(t *testing.T) {
	ids := map[string]Operator{"Maroc Telecom": IAM, "Orange": Orange, "Inwi": Inwi}
	check := func(nsn uint32) {
		n, err := MoroccanNumber(nsn)
		if err != nil {
			return
		}
		pn, err := phonenumbers.Parse(n.E164(), "ZZ")
		if err != nil {
			t.Fatal(err)
		}
		carrier, err := phonenumbers.GetCarrierForNumber(pn, "en")
		if err != nil {
			t.Fatal(err)
		}
		if got, want := RangeHolder(n), ids[carrier]; got != want {
			t.Errorf("RangeHolder(%s) = %q, phonenumbers says %q", n, got, carrier)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(prefixesCSV))
	entries := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] < '0' || line[0] > '9' {
			continue
		}
		entries++
		p, _, _ := strings.Cut(line, ",")
		v, _ := strconv.ParseUint(p, 10, 32)
		scale := uint32(pow10[9-len(p)])
		check(uint32(v) * scale)
		check(uint32(v+1)*scale - 1)
	}
	if entries < 50 {
		t.Fatalf("prefix table has %d entries", entries)
	}
	for p := uint32(5000); p < 9000; p++ {
		check(p*100000 + 12345)
	}
	if !strings.Contains(PrefixSource, "phonenumbers v1.8.1") || !strings.Contains(PrefixSource, "Generated 20") {
		t.Errorf("PrefixSource does not name its source and date:\n%s", PrefixSource)
	}
}

func TestLoadPrefixesNesting(t *testing.T) {
	ranges, source, err := loadPrefixes([]byte("# test table\nprefix,operator,holder\n6,iam\n61,orange,Orange\n612,,MVNO\n7,inwi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if source != "test table\n" {
		t.Errorf("source = %q", source)
	}
	want := []prefixRange{
		{600000000, 610000000, IAM},
		{610000000, 612000000, Orange},
		{613000000, 620000000, Orange},
		{620000000, 700000000, IAM},
		{700000000, 800000000, Inwi},
	}
	if fmt.Sprint(ranges) != fmt.Sprint(want) {
		t.Errorf("ranges = %v\nwant %v", ranges, want)
	}
	for _, bad := range []string{"6\n", "06,iam\n", "6x,iam\n", "1234567890,iam\n", "6,sfr\n", ",iam\n"} {
		if _, _, err := loadPrefixes([]byte(bad)); err == nil {
			t.Errorf("loadPrefixes(%q) accepted a bad table", bad)
		}
	}
}

func TestParseOperator(t *testing.T) {
	for in, want := range map[string]Operator{
		"iam": IAM, "IAM": IAM, "Maroc Telecom": IAM, " maroc  telecom ": IAM,
		"orange": Orange, "Méditel": Orange, "inwi": Inwi, "Wana": Inwi,
	} {
		if got, err := ParseOperator(in); err != nil || got != want {
			t.Errorf("ParseOperator(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "sfr", "unknown"} {
		if _, err := ParseOperator(in); !errors.Is(err, ErrUnknownOperator) {
			t.Errorf("ParseOperator(%q): %v", in, err)
		}
	}
	for _, o := range []Operator{IAM, Orange, Inwi} {
		if got, _ := ParseOperator(o.String()); got != o {
			t.Errorf("ParseOperator(%q) = %q", o, got)
		}
	}
}

func TestOperatorsPort(t *testing.T) {
	ops := NewOperators()
	n := mustParse(t, "0661234567") // IAM's range
	if got := ops.Operator(n); got != IAM {
		t.Fatalf("before the port: %q", got)
	}
	if err := ops.Port(n, Inwi); err != nil {
		t.Fatal(err)
	}
	if got := ops.Operator(n); got != Inwi || ops.Ported() != 1 {
		t.Fatalf("after the port: %q, %d ported", got, ops.Ported())
	}
	if RangeHolder(n) != IAM {
		t.Error("the port changed the range holder")
	}
	// Ported back home: the override goes.
	if err := ops.Port(n, IAM); err != nil {
		t.Fatal(err)
	}
	if got := ops.Operator(n); got != IAM || ops.Ported() != 0 {
		t.Fatalf("after the port back: %q, %d ported", got, ops.Ported())
	}
	// A fixed line has no range holder in the table but can be ported.
	fixed := mustParse(t, "0522123456")
	if err := ops.Port(fixed, Orange); err != nil || ops.Operator(fixed) != Orange {
		t.Errorf("port of a fixed line: %v, %q", err, ops.Operator(fixed))
	}
	if err := ops.Port(mustParse(t, "+33612345678"), Orange); err == nil {
		t.Error("ported a French number")
	}
	if err := ops.Port(n, NoOperator); err == nil {
		t.Error("ported to no operator")
	}
	var none *Operators
	if none.Operator(n) != IAM || none.Ported() != 0 {
		t.Error("a nil *Operators does not fall back to the range holder")
	}
}

func TestLoadPortability(t *testing.T) {
	ops := NewOperators()
	in := "# ports reported on 2026-11-26\nnumber,operator,date\n0661234567,inwi,2026-11-20\n+212 6 12 34 56 78 , Maroc Telecom\n212700123456,orange\n0600123456,inwi\n"
	n, err := ops.LoadPortability(strings.NewReader(in))
	if err != nil || n != 4 {
		t.Fatalf("LoadPortability = %d, %v", n, err)
	}
	for in, want := range map[string]Operator{"0661234567": Inwi, "0612345678": IAM, "0700123456": Orange, "0600123456": Inwi} {
		if got := ops.Operator(mustParse(t, in)); got != want {
			t.Errorf("Operator(%s) = %q, want %q", in, got, want)
		}
	}
	if ops.Ported() != 3 { // 0600123456 is inwi's own range
		t.Errorf("Ported() = %d, want 3", ops.Ported())
	}
	// A bad line names itself and changes nothing.
	for _, bad := range []struct{ in, want string }{
		{"0661234567,orange\n0661234567\n", "line 2"},
		{"0661234567,orange\n06612345,orange\n", "line 2: too short"},
		{"0661234567,orange\n+33612345678,orange\n", "line 2: not a Moroccan"},
		{"0661234567,orange\n0661234568,sfr\n", "line 2: unknown operator"},
		{"number,operator\n0661234567,orange\n0661234568,\"x\n", "portability"},
		{"0661x234567,orange\n", "line 1: contains letters"},
	} {
		before := ops.Ported()
		_, err := ops.LoadPortability(strings.NewReader(bad.in))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("LoadPortability(%q): %v, want %q", bad.in, err, bad.want)
		}
		if ops.Ported() != before || ops.Operator(mustParse(t, "0661234567")) != Inwi {
			t.Errorf("LoadPortability(%q) failed but changed the table", bad.in)
		}
	}
}

// TestOperatorsConcurrent reads while ports are applied; run with -race.
func TestOperatorsConcurrent(t *testing.T) {
	ops := NewOperators()
	n := mustParse(t, "0661234567")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				if op := ops.Operator(n); op != IAM && op != Orange {
					t.Errorf("Operator = %q mid-port", op)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 1000 {
			to := Orange
			if i%2 == 1 {
				to = IAM
			}
			if err := ops.Port(n, to); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Wait()
}
