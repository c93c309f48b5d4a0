package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An [[smsc]] entry gets the documented defaults for the keys it leaves
// out; a key set to a bad value is still an error.
func TestConfigSMSCDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`
[[smsc]]
operator = "iam"
addr = "10.0.0.1:2775"
system_id = "bawwab"
password = "pw"
[[smsc]]
operator = "inwi"
addr = "10.0.0.3:2775"
system_id = "bawwab"
binds = 4
`), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if s := c.SMSC[0]; s.Binds != 2 || s.Window != 100 {
		t.Errorf("smsc[0]: binds %d window %d, want the defaults 2 and 100", s.Binds, s.Window)
	}
	if s := c.SMSC[1]; s.Binds != 4 || s.Window != 100 {
		t.Errorf("smsc[1]: binds %d window %d, want 4 and 100", s.Binds, s.Window)
	}
	c, err = ParseConfig([]byte("[[smsc]]\noperator = \"iam\"\naddr = \"10.0.0.1:2775\"\nsystem_id = \"b\"\nbinds = 0\n"), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "smsc[0].binds") {
		t.Errorf("binds = 0: %v, want an error naming smsc[0].binds", err)
	}
}

// The errors the example file promises: named by their key's path, with
// the index of an array's entry.
func TestConfigErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"[[smsc]]\noperator = \"iam\"\n[[smsc]]\noperator = \"inwi\"\npasword = \"x\"\n", "smsc[1].pasword: unknown key"},
		{"[[sanctions.rule]]\nname = \"a\"\nwarnig = 3\n", "sanctions.rule[0].warnig: unknown key"},
		{"[limits]\nwindoww = 3\n", "limits.windoww: unknown key"},
		{"[listen]\nsmpp = \"127.0.0.1:99999\"\n", "listen.smpp"},
		{"[listen]\nhttp = \"127.0.0.1:http\"\n", "listen.http"},
		{"[[smsc]]\noperator = \"iam\"\naddr = \"10.0.0.1:0\"\nsystem_id = \"b\"\n", "smsc[0].addr"},
		{"[ledger]\ntext_retention = \"ten\"\n", "ledger.text_retention"},
		{"[sanctions]\nrefresh_interval = \"ten\"\n", "sanctions.refresh_interval"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "bawwab.toml")
		os.WriteFile(path, []byte(tc.file), 0o600)
		code, stdout, stderr := runMain(t, "", "serve", "-config", path, "-check")
		if code == ExitOK || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, want %q in the error:\n%s%s", tc.file, code, tc.want, stdout, stderr)
		}
	}
}

func TestConfigTypeErrorNamesTheEntry(t *testing.T) {
	_, err := ParseConfig([]byte("[[smsc]]\noperator = \"iam\"\n[[smsc]]\noperator = \"inwi\"\nwindow = \"ten\"\n"), os.LookupEnv)
	if err == nil || !strings.HasPrefix(err.Error(), "line 5: smsc[1].window: ") {
		t.Errorf("got %v, want line 5: smsc[1].window: ...", err)
	}
}
