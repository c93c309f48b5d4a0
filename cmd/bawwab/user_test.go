package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestUserCommand(t *testing.T) {
	forEachStore(t, func(t *testing.T, flags []string) {
		cmd := func(args ...string) []string { return append(append([]string{"user"}, args...), flags...) }
		// A provider's account needs its provider.
		mustRun(t, "id,name,anrt_declaration,declared_at\natlasvas,Atlas VAS SARL,ANRT/VAS/2024/017,2024-01-15\n", append([]string{"registry", "import", "providers", "-"}, flags...)...)
		r := mustRun(t, "", cmd("add", "k.benali", "--role", "regulator")...)
		m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(r.out)
		if !strings.Contains(r.out, "added k.benali (regulator)") || m == nil || len(m[1]) < 16 {
			t.Fatalf("add:\n%s", r.out)
		}
		r = mustRun(t, "a long passphrase\n", cmd("add", "atlas.ops", "--role", "provider", "--provider", "atlasvas", "--password-stdin")...)
		if !strings.Contains(r.out, "of provider atlasvas") || strings.Contains(r.out, "password:") {
			t.Fatalf("add with stdin:\n%s", r.out)
		}
		for _, tc := range []struct {
			stdin string
			args  []string
			code  int
			want  string
		}{
			{"", []string{"add", "x", "--role", "king"}, ExitUsage, "unknown role"},
			{"", []string{"add", "ghost", "--role", "provider", "--provider", "ghostvas"}, ExitFail, "no provider"},
			{"", []string{"add", "k.benali", "--role", "regulator"}, ExitFail, "exists"},
			{"short\n", []string{"add", "y", "--role", "regulator", "--password-stdin"}, ExitUsage, "too short"},
			{"", []string{"add"}, ExitUsage, "NAME"},
			{"", []string{"frobnicate"}, ExitUsage, "unknown action"},
			{"", []string{"disable", "nobody"}, ExitFail, "not found"},
		} {
			r := run(t, tc.stdin, cmd(tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.errOut, tc.want) {
				t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.errOut, tc.code, tc.want)
			}
		}
		r = mustRun(t, "", cmd("list")...)
		if !strings.Contains(r.out, "atlas.ops") || !strings.Contains(r.out, "atlasvas") || !strings.Contains(r.out, "k.benali") || strings.Contains(r.out, "argon2") {
			t.Fatalf("list:\n%s", r.out)
		}
		r = mustRun(t, "", cmd("list", "--role", "provider")...)
		if strings.Contains(r.out, "k.benali") {
			t.Fatalf("list providers:\n%s", r.out)
		}
		r = mustRun(t, "", cmd("disable", "atlas.ops")...)
		if !strings.Contains(r.out, "disabled atlas.ops") {
			t.Fatalf("disable:\n%s", r.out)
		}
		if r = mustRun(t, "", cmd("list")...); !strings.Contains(r.out, "disabled") {
			t.Fatalf("list after disable:\n%s", r.out)
		}
		mustRun(t, "", cmd("enable", "atlas.ops")...)
		r = mustRun(t, "another long one\n", cmd("passwd", "atlas.ops", "--password-stdin")...)
		if !strings.Contains(r.out, "password of atlas.ops changed") {
			t.Fatalf("passwd:\n%s", r.out)
		}
	})
}
