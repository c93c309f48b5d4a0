package sim

import (
	"maps"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
)

func TestParseAccounts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string]string
		err  string
	}{
		{in: "gw:secret", want: map[string]string{"gw": "secret"}},
		{in: " gw:secret , kannel1:pw,empty: ", want: map[string]string{"gw": "secret", "kannel1": "pw", "empty": ""}},
		{in: "a:b:c", want: map[string]string{"a": "b:c"}},
		{in: "", err: "no account"},
		{in: "gw", err: `account 1: "gw" is not id:password`},
		{in: ":pw", err: "account 1: empty system_id"},
		{in: "ok:1,averyveryverylongid:pw", err: "account 2: system_id \"averyveryverylongid\" longer than 15"},
		{in: "gw:123456789", err: "password of \"gw\" longer than 8"},
		{in: "gw:a,gw:b", err: `account 2: system_id "gw" given twice`},
	} {
		got, err := ParseAccounts(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Errorf("%q: err %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || !maps.Equal(got, c.want) {
			t.Errorf("%q: %v, %v", c.in, got, err)
		}
	}
}

func TestReadAccounts(t *testing.T) {
	got, err := ReadAccounts(strings.NewReader("# the gateway\ngw:secret\n\n  iam:pw  \n"))
	if err != nil || !maps.Equal(got, map[string]string{"gw": "secret", "iam": "pw"}) {
		t.Errorf("%v, %v", got, err)
	}
	if _, err := ReadAccounts(strings.NewReader("gw:secret\nbroken\n")); err == nil || !strings.Contains(err.Error(), "line 2:") {
		t.Errorf("bad line: %v", err)
	}
	if _, err := ReadAccounts(strings.NewReader("# nothing\n")); err == nil {
		t.Error("empty file accepted")
	}
}

func TestReadMOs(t *testing.T) {
	in := "# subscribers' answers\n212612345678,5050,STOP\r\n 212661234567 , 5050 ,Arrêtez, merci\n\n212700123456,BRAND,توقف\n"
	got, err := ReadMOs(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []MO{
		{"212612345678", "5050", "STOP"},
		{"212661234567", "5050", "Arrêtez, merci"},
		{"212700123456", "BRAND", "توقف"},
	}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	for in, msg := range map[string]string{
		"212612345678,5050\n":        "line 1: want from,to,text",
		"ok,5050,x\n,5050,STOP\n":    "line 2: no sender",
		"212612345678,,STOP\n":       "line 1: no recipient",
		"212612345678,5050,\n":       "line 1: no text",
		"2126123456781234567890,1,x": "address longer than 20",
	} {
		if _, err := ReadMOs(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", in, err, msg)
		}
	}
}

func FuzzReadMOs(f *testing.F) {
	f.Add("212612345678,5050,STOP\n# c\n\n1,2,a,b,c\r\n")
	f.Add(",,\n")
	f.Fuzz(func(t *testing.T, in string) {
		mos, err := ReadMOs(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, m := range mos {
			if m.check() != nil {
				t.Errorf("accepted an MO its own check refuses: %+v", m)
			}
		}
	})
}

func FuzzParseAccounts(f *testing.F) {
	f.Add("gw:secret,kannel1:pw")
	f.Add(":,a:b:c,,")
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ParseAccounts(in)
		if err != nil {
			return
		}
		for id, pw := range got {
			if id == "" || len(id) > maxSystemID || len(pw) > maxPassword || strings.ContainsAny(id, ",\x00") {
				t.Errorf("accepted %q:%q from %q", id, pw, in)
			}
		}
		// The file form reads the same accounts, one a line.
		var lines []string
		for id, pw := range got {
			lines = append(lines, id+":"+pw)
		}
		again, err := ReadAccounts(strings.NewReader(strings.Join(lines, "\n")))
		if err == nil && !maps.Equal(got, again) && !strings.ContainsAny(in, "\n\r#") {
			t.Errorf("file form of %q read back as %v, not %v", in, again, got)
		}
	})
}
