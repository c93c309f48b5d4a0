package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Command is one subcommand of bawwab.
type Command struct {
	Name string
	// Synopsis is the usage line after "bawwab NAME".
	Synopsis string
	// Summary is one line for the command list.
	Summary string
	// Help is the text printed by "bawwab NAME -help" before the flags: what
	// the command does, with examples.
	Help string
	// Run executes the command; c is the command itself, for its FlagSet.
	Run func(ctx context.Context, c *Command, args []string, stdio *IO) error
}

var commands = map[string]*Command{}

// register adds a subcommand; each command's file calls it from init, so
// that adding a command touches no shared list.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("bawwab: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

func lookup(name string) *Command { return commands[name] }

// errHelp is returned by parseFlags when -help was asked for: the help is
// printed and the command exits 0.
var errHelp = errors.New("help requested")

// FlagSet returns an empty, silent FlagSet for the command; Parse prints the
// help and the errors.
func (c *Command) FlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("bawwab "+c.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// Parse parses args with fs, printing the help on -help (exit 0) and a
// usage error (exit 2) on a bad flag.
func (c *Command) Parse(fs *flag.FlagSet, args []string, stdio *IO) error {
	err := fs.Parse(args)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdio.Out, c, fs)
		return errHelp
	}
	return usageErrorf("%v", err)
}

func printCommandHelp(w io.Writer, c *Command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: bawwab %s %s\n\n", c.Name, c.Synopsis)
	if c.Help != "" {
		fmt.Fprintln(w, strings.TrimSpace(c.Help))
		fmt.Fprintln(w)
	}
	var n int
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "Flags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `bawwab — the compliance gateway for commercial SMS in Morocco.

It sits between VAS providers and the operators' SMSCs, checks every message
against the rules of the CNDP and the ANRT (an opt-out instruction in every
commercial SMS, the opposition register, sending hours...), records each
decision in a tamper-evident ledger, and catches subscribers' STOP replies.

Usage: bawwab COMMAND [flags] [arguments]

Commands:
`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].Summary)
	}
	fmt.Fprint(w, `
Run 'bawwab COMMAND -help' for a command's flags and examples.
`)
}
