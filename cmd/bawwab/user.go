package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/postgres"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
)

func init() {
	register(&Command{
		Name:     "user",
		Synopsis: "add|list|passwd|disable|enable [NAME] [flags]",
		Summary:  "manage the web console's accounts (regulators, operators, providers)",
		Help: `The web console and its API are used with named accounts, each with one
role: regulator (sees everything, takes and lifts measures, manages the
registry), operator (its network: --operator ID) or provider (its own
traffic, keys and opted-out numbers: --provider ID). Passwords are stored
as argon2id hashes only.

  bawwab user add NAME --role regulator|operator|provider [--provider ID | --operator ID]
  bawwab user list [--role ROLE] [--provider ID]
  bawwab user passwd NAME
  bawwab user disable NAME      (ends its sessions)
  bawwab user enable NAME

add and passwd read the password from the first line of standard input
with --password-stdin; without it they make a random password and print
it once.

` + storeHelp + `

` + ledgerRecordHelp + `

Examples:
  bawwab user add k.benali --role regulator --data /var/lib/bawwab
  echo 'a long passphrase' | bawwab user add atlas.ops --role provider --provider atlasvas --password-stdin
  bawwab user disable atlas.ops --data /var/lib/bawwab`,
		Run: runUser,
	})
}

// openUsers opens the chosen store with its console accounts.
func (f *storeFlags) openUsers(ctx context.Context, fs *flag.FlagSet) (bawwab.UserService, func() error, error) {
	explicit := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { explicit[fl.Name] = true })
	if f.postgres != "" {
		if explicit["data"] {
			return nil, nil, usageErrorf("--data and --postgres name two stores: choose one")
		}
		db := postgres.NewDB(f.postgres)
		db.Now = time.Now
		if err := db.Open(ctx); err != nil {
			return nil, nil, err
		}
		return postgres.NewUserService(db), db.Close, nil
	}
	if f.data == "" {
		return nil, nil, usageErrorf("--data: empty directory name")
	}
	if err := os.MkdirAll(f.data, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create data directory: %w", err)
	}
	db := sqlite.NewDB(filepath.Join(f.data, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		return nil, nil, err
	}
	return sqlite.NewUserService(db), db.Close, nil
}

func runUser(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	role := fs.String("role", "", "the account's `role`: regulator, operator or provider")
	provider := fs.String("provider", "", "the provider `id` a provider's account belongs to")
	operator := fs.String("operator", "", "the operator `id` an operator's account belongs to")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	actor := addActorFlag(fs)
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("user: want add, list, passwd, disable or enable")
	}
	verb, rest := pos[0], pos[1:]
	name := ""
	switch verb {
	case "add", "passwd", "disable", "enable":
		if len(rest) != 1 {
			return usageErrorf("user %s: want one account NAME", verb)
		}
		name = rest[0]
	case "list":
		if len(rest) != 0 {
			return usageErrorf("user list: no arguments")
		}
	default:
		return usageErrorf("user: unknown action %q (want add, list, passwd, disable or enable)", verb)
	}
	users, closeStore, err := sf.openUsers(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	record := func(action, detail string) error {
		ch := cliChange{Kind: bawwab.EntryRegistryChange, Action: action, Subject: "user:" + name,
			Actor: cliActor(*actor), Detail: detail, At: time.Now().UTC()}
		return recordCLIChange(ctx, sf, bawwab.Store{}, ch, stdio.Err)
	}
	password := func() (string, bool, error) {
		if !*stdin {
			b := make([]byte, 15)
			if _, err := rand.Read(b); err != nil {
				return "", false, err
			}
			return base64.RawURLEncoding.EncodeToString(b), true, nil
		}
		line, err := bufio.NewReader(stdio.In).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" && err != nil {
			return "", false, usageErrorf("--password-stdin: no password on standard input")
		}
		if len(line) < web.MinPasswordLen {
			return "", false, usageErrorf("the password is too short: at least %d characters", web.MinPasswordLen)
		}
		return line, false, nil
	}
	switch verb {
	case "add":
		r, err := bawwab.ParseRole(*role)
		if err != nil {
			return usageErrorf("--role: %s", bawwab.ErrorMessage(err))
		}
		pw, made, err := password()
		if err != nil {
			return err
		}
		h, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		u := &bawwab.User{Name: name, Role: r, ProviderID: *provider, OperatorID: *operator, PasswordHash: h}
		if err := users.CreateUser(ctx, u); err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "added %s (%s%s)\n", u.Name, u.Role, org(u))
		if made {
			fmt.Fprintf(stdio.Out, "password: %s\n", pw)
		}
		return record("create", "console account, role "+u.Role.String()+" "+u.ProviderID+u.OperatorID)
	case "passwd":
		pw, made, err := password()
		if err != nil {
			return err
		}
		h, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		if _, err := users.UpdateUser(ctx, name, bawwab.UserUpdate{PasswordHash: &h}); err != nil {
			return err
		}
		n, err := users.DeleteUserSessions(ctx, name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdio.Out, "password of %s changed; %d sessions ended\n", name, n)
		if made {
			fmt.Fprintf(stdio.Out, "password: %s\n", pw)
		}
		return record("update", "console account's password changed")
	case "disable", "enable":
		off := verb == "disable"
		if _, err := users.UpdateUser(ctx, name, bawwab.UserUpdate{Disabled: &off}); err != nil {
			return err
		}
		msg := verb + "d " + name
		if off {
			n, err := users.DeleteUserSessions(ctx, name)
			if err != nil {
				return err
			}
			msg += fmt.Sprintf("; %d sessions ended", n)
		}
		fmt.Fprintln(stdio.Out, msg)
		return record("update", "console account "+verb+"d")
	case "list":
		f := bawwab.UserFilter{}
		if *role != "" {
			r, err := bawwab.ParseRole(*role)
			if err != nil {
				return usageErrorf("--role: %s", bawwab.ErrorMessage(err))
			}
			f.Role = &r
		}
		if *provider != "" {
			f.ProviderID = provider
		}
		if *operator != "" {
			f.OperatorID = operator
		}
		us, _, err := users.FindUsers(ctx, f)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdio.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tOF\tSTATE\tCREATED")
		for _, u := range us {
			state := "enabled"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, u.ProviderID+u.OperatorID, state, u.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	}
	return nil
}

func org(u *bawwab.User) string {
	switch {
	case u.ProviderID != "":
		return " of provider " + u.ProviderID
	case u.OperatorID != "":
		return " of operator " + u.OperatorID
	}
	return ""
}
