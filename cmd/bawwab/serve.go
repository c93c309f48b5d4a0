package main

import (
	"context"
	"fmt"
)

func init() {
	register(&Command{
		Name:     "serve",
		Synopsis: "-config FILE [-check]",
		Summary:  "run the gateway (SMPP and HTTP listeners, SMSC links, console)",
		Help: `Serve runs the gateway as its configuration file says: the providers'
SMPP and HTTP listeners, the links to the operators' SMSCs, the rules, the
ledger, the console and /metrics. bawwab.example.toml documents every key.

SIGINT or SIGTERM stops it gracefully: the listeners close, the submissions
in flight are answered and recorded (up to limits.shutdown_timeout), then
the ledger is checkpointed and closed.

Examples:
  bawwab serve -config /etc/bawwab/bawwab.toml
  bawwab serve -config bawwab.toml -check     # validate the file and exit`,
		Run: runServe,
	})
}

func runServe(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	path := fs.String("config", "bawwab.toml", "the configuration `FILE`")
	check := fs.Bool("check", false, "validate the configuration and exit")
	if err := c.Parse(fs, args, stdio); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := LoadConfig(*path)
	if err != nil {
		return err
	}
	if *check {
		fmt.Fprintf(stdio.Out, "%s: ok (node %s, %d SMSC links, rule set %s)\n", *path, cfg.Node, len(cfg.SMSC), cfg.Rules.Version())
		return nil
	}
	logger := cfg.Log.Logger(stdio.Err)
	tuneGC()
	n, err := StartNode(ctx, cfg, NodeOptions{Logger: logger})
	if err != nil {
		return err
	}
	<-ctx.Done()
	return n.Shutdown(context.Background())
}
