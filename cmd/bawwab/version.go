package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is stamped at build time with -ldflags "-X main.version=v1.2.3";
// without it the module version or VCS revision from the build info is used.
var version = ""

func init() {
	register(&Command{
		Name:     "version",
		Synopsis: "",
		Summary:  "print the version of this build",
		Run: func(ctx context.Context, c *Command, args []string, stdio *IO) error {
			if err := c.Parse(c.FlagSet(), args, stdio); err != nil {
				return err
			}
			v := buildVersion()
			if v == "devel" {
				// Say why there is nothing more to tell.
				fmt.Fprintf(stdio.Out, "bawwab devel (%s; no VCS revision recorded: built with -buildvcs=false or outside the git checkout)\n", runtime.Version())
				return nil
			}
			fmt.Fprintf(stdio.Out, "bawwab %s (%s)\n", v, runtime.Version())
			return nil
		},
	})
}

func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(info)
}

// versionOf is the module's version, or "devel" followed by the VCS
// revision, "+dirty" when the tree had changes, and the commit's time,
// when the build recorded them (go build stamps them unless
// -buildvcs=false).
func versionOf(info *debug.BuildInfo) string {
	var rev, dirty, at string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	v := "devel-" + rev + dirty
	if at != "" {
		v += " " + at
	}
	return v
}
