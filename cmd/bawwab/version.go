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
			fmt.Fprintf(stdio.Out, "bawwab %s (%s)\n", buildVersion(), runtime.Version())
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
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return "devel"
	}
	return "devel-" + rev + dirty
}
