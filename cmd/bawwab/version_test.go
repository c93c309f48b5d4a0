package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		main     string
		settings []debug.BuildSetting
		want     string
	}{
		{"(devel)", nil, "devel"},
		{"(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "b772c28a1b2c3d4e5f60718293a4b5c6d7e8f901"},
			{Key: "vcs.time", Value: "2026-11-27T15:20:00Z"}, {Key: "vcs.modified", Value: "true"}},
			"devel-b772c28a1b2c+dirty 2026-11-27T15:20:00Z"},
		{"(devel)", []debug.BuildSetting{{Key: "vcs.revision", Value: "b772c28a1b2c3d4e5f60718293a4b5c6d7e8f901"}, {Key: "vcs.modified", Value: "false"}},
			"devel-b772c28a1b2c"},
		{"v1.2.3", []debug.BuildSetting{{Key: "vcs.revision", Value: "b772c28a1b2c"}}, "v1.2.3"},
	} {
		info := &debug.BuildInfo{Main: debug.Module{Version: tc.main}, Settings: tc.settings}
		if got := versionOf(info); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.main, tc.settings, got, tc.want)
		}
	}
	code, stdout, _ := runMain(t, "", "version")
	if code != ExitOK || !strings.HasPrefix(stdout, "bawwab ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
}
