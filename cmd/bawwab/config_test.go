package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
)

// The example file at the root of the repository is the documentation of
// every key: it must load, and equal the defaults.
func TestExampleConfig(t *testing.T) {
	c, err := LoadConfig("../../bawwab.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	d := DefaultConfig()
	d.resolvePaths(filepath.Clean("../.."))
	if c.Node != d.Node || c.Listen.SMPP != d.Listen.SMPP || c.Listen.HTTP != d.Listen.HTTP || len(c.Listen.TrustedOrigins) != 0 || c.Store != d.Store || c.Ledger != d.Ledger ||
		c.Channels != d.Channels || c.Complaints != d.Complaints || c.Limits != d.Limits || c.Log != d.Log || len(c.SMSC) != 0 || len(c.Callbacks.Allow) != 0 {
		t.Errorf("the example differs from the defaults:\n%+v\n%+v", c, d)
	}
	if c.Rules.Version() != d.Rules.Version() {
		t.Errorf("the example's rules differ from the defaults: %+v", c.Rules)
	}
	if len(c.Sanctions.Rules) != len(d.Sanctions.Rules) {
		t.Errorf("sanction rules: %d, want the %d defaults", len(c.Sanctions.Rules), len(d.Sanctions.Rules))
	}
	code, stdout, stderr := runMain(t, "", "serve", "-config", "../../bawwab.example.toml", "-check")
	if code != ExitOK || !strings.Contains(stdout, "ok") {
		t.Errorf("serve -check: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestConfigFull(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "orange.pw"), []byte("s3cret\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "pg.dsn"), []byte("postgres://bawwab@db/bawwab\n"), 0o600)
	t.Setenv("IAM_PW", `p"w\x`)
	path := filepath.Join(dir, "bawwab.toml")
	os.WriteFile(path, []byte(`
node = "casa-1"
[listen]
smpp = "0.0.0.0:2775"
# a comment naming ${UNSET_VAR} is left alone
http = "${HTTP_ADDR:-127.0.0.1:9090}"
[store]
data = "data"
postgres_file = "pg.dsn"
[ledger]
text_retention = "30d"
[[smsc]]
operator = "iam"
addr = "10.0.0.1:2775"
system_id = "bawwab"
password = "${IAM_PW}"
binds = 2
window = 50
[[smsc]]
operator = "orange"
addr = "10.0.0.2:2775"
system_id = "bawwab"
password_file = "orange.pw"
binds = 1
window = 10
[compliance]
quiet_hours = "reject"
no_send_weekdays = ["friday"]
[compliance.rules.r6]
mode = "monitor"
[[sanctions.rule]]
name = "opposed"
counter = "recipient-opted-out"
window = "24h"
suspension = 100
[callbacks]
allow = ["10.20.0.0/16", "127.0.0.1"]
[log]
format = "text"
level = "debug"
`), 0o600)
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen.HTTP != "127.0.0.1:9090" {
		t.Errorf("default of ${HTTP_ADDR:-...}: %q", c.Listen.HTTP)
	}
	if c.SMSC[0].Password != `p"w\x` {
		t.Errorf("env password: %q", c.SMSC[0].Password)
	}
	if c.SMSC[1].Password != "s3cret" {
		t.Errorf("password_file: %q", c.SMSC[1].Password)
	}
	if c.Store.Postgres != "postgres://bawwab@db/bawwab" {
		t.Errorf("postgres_file: %q", c.Store.Postgres)
	}
	if c.Store.Data != filepath.Join(dir, "data") {
		t.Errorf("data is not relative to the file: %q", c.Store.Data)
	}
	if time.Duration(c.Ledger.TextRetention) != 30*24*time.Hour {
		t.Errorf("text_retention: %v", c.Ledger.TextRetention)
	}
	if c.Rules.QuietHours != compliance.QuietReject || len(c.Rules.NoSendWeekdays) != 1 || c.Rules.Rules.R6 == nil || c.Rules.Rules.R6.Mode != bawwab.Monitor {
		t.Errorf("compliance: %+v", c.Rules)
	}
	if len(c.Sanctions.Rules) != 1 || c.Sanctions.Rules[0].Window != 24*time.Hour || c.Sanctions.ThrottleRate != 10 {
		t.Errorf("sanctions: %+v", c.Sanctions)
	}
	if !slices.Equal(c.Callbacks.Allow, []string{"10.20.0.0/16", "127.0.0.1"}) {
		t.Errorf("callbacks.allow: %q", c.Callbacks.Allow)
	}
	if c.Rules.CapTotal != 4 || c.Limits.Window != 1000 {
		t.Errorf("defaults lost: %+v %+v", c.Rules, c.Limits)
	}
}

// Each bad configuration is refused with the key named.
func TestConfigInvalid(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	smsc := "[[smsc]]\noperator = \"iam\"\naddr = \"127.0.0.1:2775\"\nsystem_id = \"b\"\nbinds = 1\nwindow = 10\n"
	tests := []struct {
		name, toml, key string
	}{
		{"unknown key", "[listen]\nsmp = \"x\"", "listen.smp"},
		{"bad node", `node = "Node 1"`, "node"},
		{"bad listener", "[listen]\nsmpp = \"2775\"", "listen.smpp"},
		{"no listener", "[listen]\nsmpp = \"\"\nhttp = \"\"", "listen.smpp"},
		{"tls without cert", "[listen]\nsmpp_tls = true", "listen.tls_cert_file"},
		{"origin", "[listen]\ntrusted_origins = [\"console.bawwab.ma\"]", "listen.trusted_origins[0]"},
		{"no data", "[store]\ndata = \"\"", "store.data"},
		{"bad dsn", "[store]\npostgres = \"host=db\"", "store.postgres"},
		{"checkpoint", "[ledger]\ncheckpoint_interval = \"1ms\"", "ledger.checkpoint_interval"},
		{"smsc operator", strings.Replace(smsc, `"iam"`, `"IAM"`, 1), "smsc[0].operator"},
		{"smsc twice", smsc + smsc, "smsc[1].operator"},
		{"smsc addr", strings.Replace(smsc, "127.0.0.1:2775", "nowhere", 1), "smsc[0].addr"},
		{"smsc system_id", strings.Replace(smsc, `system_id = "b"`, `system_id = "a-very-long-system-id"`, 1), "smsc[0].system_id"},
		{"smsc password", smsc + "password = \"123456789\"\n", "smsc[0].password"},
		{"smsc both", smsc + "password = \"x\"\npassword_file = \"" + empty + "\"\n", "smsc[0].password_file"},
		{"smsc empty file", smsc + "password_file = \"" + empty + "\"\n", "smsc[0].password_file"},
		{"smsc binds", strings.Replace(smsc, "binds = 1", "binds = 0", 1), "smsc[0].binds"},
		{"smsc window", strings.Replace(smsc, "window = 10", "window = 5000", 1), "smsc[0].window"},
		{"national", "[channels]\nnational_stop = \"STOP\"", "channels.national_stop"},
		{"complaint same", "[channels]\ncomplaint = \"3030\"", "channels.complaint"},
		{"time zone", "[compliance]\ntime_zone = \"Mars/Olympus\"", "compliance.time_zone"},
		{"hours", "[compliance.hours]\nfrom = \"09:00\"\nuntil = \"09:00\"", "compliance.hours.until"},
		{"cap", "[compliance]\ncap_total = 300", "compliance.cap_total"},
		{"sanction", "[[sanctions.rule]]\nname = \"x\"\ncounter = \"nothing\"\nwindow = \"24h\"\nwarning = 1", "sanctions.rule[0].counter"},
		{"limits", "[limits]\nwindow = 0", "limits.window"},
		{"complaints", "[complaints]\nthreshold = 2.0", "complaints.threshold"},
		{"body", "[limits]\nhttp_max_body = 10", "limits.http_max_body"},
		{"rate", "[limits]\nrate_limit = -1.0", "limits.rate_limit"},
		{"smsc timeout", "[limits]\nsmsc_timeout = \"1ms\"", "limits.smsc_timeout"},
		{"callbacks", "[callbacks]\nallow = [\"10.0.0.0/8\", \"10.0.0.1/8\"]", "callbacks.allow[1]"},
		{"callbacks name", "[callbacks]\nallow = [\"localhost\"]", "callbacks.allow[0]"},
		{"log level", "[log]\nlevel = \"loud\"", "log.level"},
		{"log format", "[log]\nformat = \"xml\"", "log.format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bawwab.toml")
			os.WriteFile(path, []byte(tt.toml), 0o600)
			_, err := LoadConfig(path)
			var fe *bawwab.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.key {
				t.Fatalf("error %v, want one naming %s", err, tt.key)
			}
			code, _, stderr := runMain(t, "", "serve", "-config", path, "-check")
			if code != ExitFail || !strings.Contains(stderr, tt.key) {
				t.Errorf("serve -check: exit %d, stderr %q", code, stderr)
			}
		})
	}
}

func TestConfigSyntaxAndEnv(t *testing.T) {
	for _, tt := range []struct{ toml, want string }{
		{"[listen\nsmpp = 1", "to end table name"},
		{"node = \"${NO_SUCH_BAWWAB_VAR}\"", "NO_SUCH_BAWWAB_VAR is not set"},
		{"[ledger]\ntext_retention = \"3 weeks\"", "bad duration"},
	} {
		_, err := ParseConfig([]byte(tt.toml), func(string) (string, bool) { return "", false })
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.toml, err, tt.want)
		}
	}
}
