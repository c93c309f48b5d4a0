// Command bawwab is the commercial-SMS compliance gateway and its tools:
// the gateway itself (serve), a demonstration on simulated networks (demo),
// and the offline tools providers and inspectors run (lint, numbers,
// registry, optout, consent, ledger, report).
//
// Each subcommand lives in a file of its own with a Run function over plain
// flag.FlagSets, registered in commands.go; Main is what main calls and what
// tests drive.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	stop()
	os.Exit(code)
}

// IO holds the streams of one run, so that tests can capture them.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// Exit codes shared by every subcommand.
const (
	ExitOK    = 0
	ExitFail  = 1 // the command ran and found a problem (a non-compliant text, a failed verification)
	ExitUsage = 2 // the command line is wrong
)

// exitError carries an exit code up to Main; its message, if any, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageErrorf reports a command-line mistake: exit 2, message on stderr.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: ExitUsage, msg: fmt.Sprintf(format, args...)}
}

// Main runs bawwab with args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, stdio *IO) int {
	if len(args) == 0 {
		printUsage(stdio.Err)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			if c := lookup(args[1]); c != nil {
				return Main(ctx, []string{c.Name, "-help"}, stdio)
			}
		}
		printUsage(stdio.Out)
		return ExitOK
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stdio.Err, "bawwab: unknown command %q\n\n", name)
		printUsage(stdio.Err)
		return ExitUsage
	}
	err := c.Run(ctx, c, args[1:], stdio)
	return exitCode(err, c.Name, stdio.Err)
}

// exitCode prints err (when it has something to say) and maps it to an exit
// code.
func exitCode(err error, name string, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(stderr, "bawwab %s: %s\n", name, ee.msg)
		}
		if ee.code == ExitUsage {
			fmt.Fprintf(stderr, "Run 'bawwab %s -help' for usage.\n", name)
		}
		return ee.code
	}
	if errors.Is(err, errHelp) {
		return ExitOK
	}
	fmt.Fprintf(stderr, "bawwab %s: %v\n", name, err)
	return ExitFail
}
