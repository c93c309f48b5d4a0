package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/internal/secret"
)

// registryKind is one kind of registry record as a CSV file.
type registryKind struct {
	name   string // the KIND argument and the file name in a directory: "providers"
	kind   bawwab.RecordKind
	format csvFormat
	// parse reads the current row; env gives it the store, for accounts
	// whose hash is kept when the password is unchanged.
	parse func(env *importEnv, r *csvReader) (bawwab.Record, error)
	// row formats a record for export, in the format's column order.
	row func(bawwab.Record) []string
	// list returns every record, for export.
	list func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error)
	// fieldColumn maps a validation error's field to the CSV column.
	fieldColumn func(string) string
}

// importEnv is what parsers may need.
type importEnv struct {
	ctx context.Context
	st  bawwab.Store
}

// hashSecret hashes account passwords; tests swap in cheap parameters.
var hashSecret = secret.Hash

// smppPasswordMax is the longest SMPP 3.4 password (9 octets with the NUL).
const smppPasswordMax = 8

var registryKinds = []*registryKind{
	{
		name: "operators", kind: bawwab.KindOperator,
		format: csvFormat{columns: []column{
			{"id", true, "short lower-case key: iam, orange, inwi"},
			{"name", true, "the operator's name"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			return &bawwab.Operator{ID: r.get("id"), Name: r.get("name")}, nil
		},
		row: func(rec bawwab.Record) []string {
			o := rec.(*bawwab.Operator)
			return []string{o.ID, o.Name}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindOperators(ctx, bawwab.OperatorFilter{})
			return records(rs), err
		},
	},
	{
		name: "providers", kind: bawwab.KindProvider,
		format: csvFormat{columns: []column{
			{"id", true, "short lower-case key: atlasvas"},
			{"name", true, "legal name"},
			{"anrt_declaration", false, "ANRT declaration number (required unless operator_id is set)"},
			{"declared_at", false, "date of the declaration: 2024-01-15"},
			{"status", false, "active (default), warned, throttled, suspended or withdrawn"},
			{"operator_id", false, "set for an operator's own marketing: it may reach only that operator's subscribers"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			p := &bawwab.Provider{ID: r.get("id"), Name: r.get("name"), ANRTDeclaration: r.get("anrt_declaration"), OperatorID: r.get("operator_id")}
			if v := r.get("declared_at"); v != "" {
				t, err := parseTime(v)
				if err != nil {
					return nil, r.fail("declared_at", err)
				}
				p.DeclaredAt = t
			}
			if v := r.get("status"); v != "" {
				st, err := bawwab.ParseProviderStatus(v)
				if err != nil {
					return nil, r.fail("status", err)
				}
				p.Status = st
			}
			return p, nil
		},
		row: func(rec bawwab.Record) []string {
			p := rec.(*bawwab.Provider)
			return []string{p.ID, p.Name, p.ANRTDeclaration, formatTime(p.DeclaredAt), p.Status.String(), p.OperatorID}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindProviders(ctx, bawwab.ProviderFilter{})
			return records(rs), err
		},
	},
	{
		name: "accounts", kind: bawwab.KindAccount,
		format: csvFormat{columns: []column{
			{"id", true, "SMPP system_id (at most 15 characters), or an API key's ID"},
			{"provider_id", true, "the provider the account belongs to"},
			{"kind", false, "smpp (default) or api"},
			{"password", false, "the SMPP password (at most 8 characters) or the whole API key, in clear: it is hashed (argon2id) on import"},
			{"secret_hash", false, "instead of password: the hash, as export writes it"},
			{"max_binds", false, "concurrent SMPP binds allowed (0: the gateway default)"},
			{"rate_limit", false, "messages per second allowed (0: the gateway default)"},
			{"disabled", false, "true to refuse binds"},
		}},
		parse: parseAccount,
		row: func(rec bawwab.Record) []string {
			a := rec.(*bawwab.Account)
			return []string{a.ID, a.ProviderID, a.Kind.String(), "", a.SecretHash, itoa(a.MaxBinds), strconv.FormatFloat(a.RateLimit, 'g', -1, 64), strconv.FormatBool(a.Disabled)}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindAccounts(ctx, bawwab.AccountFilter{})
			return records(rs), err
		},
	},
	{
		name: "contracts", kind: bawwab.KindContract,
		format: csvFormat{columns: []column{
			{"id", true, "short lower-case key"},
			{"provider_id", true, "the provider"},
			{"operator_id", true, "the operator"},
			{"valid_from", true, "start: 2025-01-01 (midnight UTC) or 2025-01-01T00:00:00+01:00"},
			{"valid_to", false, "end, excluded; empty: open-ended"},
			{"daily_cap", false, "messages a day through this contract (0: none)"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			c := &bawwab.Contract{ID: r.get("id"), ProviderID: r.get("provider_id"), OperatorID: r.get("operator_id")}
			var err error
			if c.ValidFrom, err = parseTime(r.get("valid_from")); err != nil {
				return nil, r.fail("valid_from", err)
			}
			if v := r.get("valid_to"); v != "" {
				if c.ValidTo, err = parseTime(v); err != nil {
					return nil, r.fail("valid_to", err)
				}
			}
			if c.DailyCap, err = parseInt(r.get("daily_cap")); err != nil {
				return nil, r.fail("daily_cap", err)
			}
			return c, nil
		},
		row: func(rec bawwab.Record) []string {
			c := rec.(*bawwab.Contract)
			return []string{c.ID, c.ProviderID, c.OperatorID, formatTime(c.ValidFrom), formatTime(c.ValidTo), itoa(c.DailyCap)}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindContracts(ctx, bawwab.ContractFilter{})
			return records(rs), err
		},
	},
	{
		name: "advertisers", kind: bawwab.KindAdvertiser,
		format: csvFormat{columns: []column{
			{"id", true, "short lower-case key: atlas-market"},
			{"name", true, "the brand as subscribers know it, matched by STOP <BRAND>"},
			{"sector", false, "retail, banking..."},
			{"provider_ids", false, "the providers acting for it, separated by spaces or semicolons"},
			{"contact", false, "what CONTACT <BRAND> answers: who is behind the brand"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			return &bawwab.Advertiser{ID: r.get("id"), Name: r.get("name"), Sector: r.get("sector"),
				ProviderIDs: strings.FieldsFunc(r.get("provider_ids"), func(c rune) bool { return c == ';' || c == ',' || c == ' ' }),
				Contact:     r.get("contact")}, nil
		},
		row: func(rec bawwab.Record) []string {
			a := rec.(*bawwab.Advertiser)
			return []string{a.ID, a.Name, a.Sector, strings.Join(a.ProviderIDs, " "), a.Contact}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindAdvertisers(ctx, bawwab.AdvertiserFilter{})
			return records(rs), err
		},
	},
	{
		name: "senders", kind: bawwab.KindSenderID,
		format: csvFormat{columns: []column{
			{"value", true, "the sender ID: up to 11 GSM characters (ATLASMKT) or 3 to 15 digits; unique ignoring case"},
			{"provider_id", true, "the provider sending under it (it must act for the advertiser)"},
			{"advertiser_id", true, "the advertiser owning it"},
			{"category", true, "commercial or transactional"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			cat, err := bawwab.ParseCategory(r.get("category"))
			if err != nil {
				return nil, r.fail("category", err)
			}
			// The value is not trimmed: a space in a sender ID is an error
			// to report, not to hide.
			return &bawwab.SenderID{Value: r.row[r.cols["value"]], ProviderID: r.get("provider_id"), AdvertiserID: r.get("advertiser_id"), Category: cat}, nil
		},
		row: func(rec bawwab.Record) []string {
			s := rec.(*bawwab.SenderID)
			return []string{s.Value, s.ProviderID, s.AdvertiserID, s.Category.String()}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindSenderIDs(ctx, bawwab.SenderIDFilter{})
			return records(rs), err
		},
	},
	{
		name: "channels", kind: bawwab.KindChannel,
		format: csvFormat{columns: []column{
			{"code", true, "the short code or number subscribers write to: 5050"},
			{"purpose", false, "optout (default), complaint or service"},
			{"scope", true, "national (the StopSMS channel), provider or advertiser"},
			{"free", true, "true when free for the subscriber; only a free channel is a valid opt-out means"},
			{"provider_id", false, "owner, for the provider scope; operator of the code, for the advertiser scope"},
			{"advertiser_id", false, "owner, for the advertiser scope"},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			c := &bawwab.Channel{Code: r.get("code"), ProviderID: r.get("provider_id"), AdvertiserID: r.get("advertiser_id")}
			var err error
			if v := r.get("purpose"); v != "" {
				if c.Purpose, err = bawwab.ParseChannelPurpose(v); err != nil {
					return nil, r.fail("purpose", err)
				}
			}
			if c.Scope, err = bawwab.ParseChannelScope(r.get("scope")); err != nil {
				return nil, r.fail("scope", err)
			}
			if c.Free, err = parseBool(r.get("free")); err != nil {
				return nil, r.fail("free", err)
			}
			return c, nil
		},
		row: func(rec bawwab.Record) []string {
			c := rec.(*bawwab.Channel)
			return []string{c.Code, c.Purpose.String(), c.Scope.String(), strconv.FormatBool(c.Free), c.ProviderID, c.AdvertiserID}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindChannels(ctx, bawwab.ChannelFilter{})
			return records(rs), err
		},
	},
	{
		name: "campaigns", kind: bawwab.KindCampaign,
		format: csvFormat{columns: []column{
			{"id", true, "short lower-case key"},
			{"advertiser_id", true, "the advertiser"},
			{"sender_id", true, "the advertiser's sender ID it goes out under"},
			{"purpose", true, "what it promotes"},
			{"list_source", true, "where the contact list comes from"},
			{"basis", false, "consent (default) or customer (existing customers, analogous products)"},
			{"templates", false, `message templates: one text, or a JSON array of texts ["...", "..."]`},
		}},
		parse: func(_ *importEnv, r *csvReader) (bawwab.Record, error) {
			c := &bawwab.Campaign{ID: r.get("id"), AdvertiserID: r.get("advertiser_id"), SenderID: r.get("sender_id"),
				Purpose: r.get("purpose"), ListSource: r.get("list_source")}
			var err error
			if v := r.get("basis"); v != "" {
				if c.Basis, err = bawwab.ParseLegalBasis(v); err != nil {
					return nil, r.fail("basis", err)
				}
			}
			switch v := r.get("templates"); {
			case strings.HasPrefix(v, "["):
				if err := json.Unmarshal([]byte(v), &c.Templates); err != nil {
					return nil, r.fail("templates", fmt.Errorf("not a JSON array of texts: %w", err))
				}
			case v != "":
				c.Templates = []string{v}
			}
			return c, nil
		},
		row: func(rec bawwab.Record) []string {
			c := rec.(*bawwab.Campaign)
			t := ""
			if len(c.Templates) > 0 {
				b, _ := json.Marshal(c.Templates)
				t = string(b)
			}
			return []string{c.ID, c.AdvertiserID, c.SenderID, c.Purpose, c.ListSource, c.Basis.String(), t}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindCampaigns(ctx, bawwab.CampaignFilter{})
			return records(rs), err
		},
	},
}

func itoa(n int) string { return strconv.Itoa(n) }

func records[T bawwab.Record](rs []T) []bawwab.Record {
	out := make([]bawwab.Record, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

func lookupKind(name string) *registryKind {
	name = strings.ToLower(name)
	for _, k := range registryKinds {
		if k.name == name || string(k.kind) == name || k.name == name+"s" {
			return k
		}
	}
	return nil
}

func kindNames() string {
	var out []string
	for _, k := range registryKinds {
		out = append(out, k.name)
	}
	return strings.Join(out, ", ")
}

// parseAccount reads an account row. A clear password is hashed, unless
// the account exists and its hash matches it already: re-importing the
// same file then changes nothing.
func parseAccount(env *importEnv, r *csvReader) (bawwab.Record, error) {
	a := &bawwab.Account{ID: r.get("id"), ProviderID: r.get("provider_id"), SecretHash: r.get("secret_hash")}
	var err error
	if v := r.get("kind"); v != "" {
		if a.Kind, err = bawwab.ParseAccountKind(v); err != nil {
			return nil, r.fail("kind", err)
		}
	}
	if a.MaxBinds, err = parseInt(r.get("max_binds")); err != nil {
		return nil, r.fail("max_binds", err)
	}
	if v := r.get("rate_limit"); v != "" {
		if a.RateLimit, err = strconv.ParseFloat(v, 64); err != nil || a.RateLimit < 0 {
			return nil, r.fail("rate_limit", fmt.Errorf("%q is not a number ≥ 0", v))
		}
	}
	if a.Disabled, err = parseBool(r.get("disabled")); err != nil {
		return nil, r.fail("disabled", err)
	}
	// The password is taken as written: spaces may be part of it.
	password := ""
	if i, ok := r.cols["password"]; ok {
		password = r.row[i]
	}
	switch {
	case password != "" && a.SecretHash != "":
		return nil, r.fail("password", errors.New("give password or secret_hash, not both"))
	case password == "" && a.SecretHash == "":
		return nil, r.fail("password", errors.New("missing: give the password (hashed on import) or secret_hash"))
	case password == "":
		return a, nil
	case a.Kind == bawwab.AccountSMPP && len(password) > smppPasswordMax:
		return nil, r.fail("password", fmt.Errorf("%d characters: an SMPP password has at most %d", len(password), smppPasswordMax))
	}
	if old, err := env.st.Registry.FindAccountByID(env.ctx, a.ID); err == nil && secret.Verify(old.SecretHash, password) == nil {
		a.SecretHash = old.SecretHash
		return a, nil
	}
	if a.SecretHash, err = hashSecret(password); err != nil {
		return nil, r.fail("password", err)
	}
	return a, nil
}

func init() {
	register(&Command{
		Name:     "registry",
		Synopsis: "import|export [flags] KIND FILE | import [flags] DIR",
		Summary:  "load or dump the registry (providers, sender IDs, channels...) as CSV",
		Help:     registryHelp(),
		Run:      runRegistry,
	})
}

func registryHelp() string {
	var b strings.Builder
	b.WriteString(`Load the registry from CSV files, or write it out, one kind of record per
file. KIND is one of
` + kindNames() + `.

  bawwab registry import KIND FILE   create or replace the records of FILE
  bawwab registry import DIR         import every KIND.csv found in DIR, in
                                     dependency order
  bawwab registry export KIND [FILE] write every record of KIND (FILE "-" or
                                     none: standard output)

An import is all or nothing: the file (or the directory) is applied in one
transaction, or, at the first bad line, not at all; up to ten errors are
listed with their line and column. Records are matched by key: an import
creates the new ones, replaces the changed ones and leaves the rest; it
never deletes. Records refer only to kinds before them in the list above,
so import in that order (a directory import does).

Every file starts with a header line naming its columns, in any order;
optional columns may be left out. UTF-8, comma-separated, RFC 4180 quoting.
Dates are 2025-03-01 (midnight UTC) or RFC 3339 times.
`)
	for _, k := range registryKinds {
		fmt.Fprintf(&b, "\n%s:\n%s", k.name, k.format.doc("  "))
	}
	b.WriteString(`
Accounts: the password column is read in clear and stored hashed (argon2id);
export writes the hash in secret_hash, which import accepts back.

` + storeHelp + `

Examples:
  bawwab registry import examples/registry
  bawwab registry import providers providers.csv --data /var/lib/bawwab
  bawwab registry export senders - --postgres postgres://bawwab@db/bawwab
`)
	return b.String()
}

func runRegistry(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("missing import or export")
	}
	switch pos[0] {
	case "import":
		var files []registryFile
		switch len(pos) {
		case 2:
			if files, err = registryDir(pos[1]); err != nil {
				return err
			}
		case 3:
			k := lookupKind(pos[1])
			if k == nil {
				return usageErrorf("unknown kind %q (want one of %s)", pos[1], kindNames())
			}
			files = []registryFile{{kind: k, path: pos[2]}}
		default:
			return usageErrorf("registry import takes KIND FILE, or DIR")
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		start := time.Now()
		res, err := importRegistry(ctx, st, files, stdio)
		if err != nil {
			return importFailure(err)
		}
		printSummary(stdio.Err, "records", res, time.Since(start))
		return nil
	case "export":
		if len(pos) < 2 || len(pos) > 3 {
			return usageErrorf("registry export takes KIND [FILE]")
		}
		k := lookupKind(pos[1])
		if k == nil {
			return usageErrorf("unknown kind %q (want one of %s)", pos[1], kindNames())
		}
		out := "-"
		if len(pos) == 3 {
			out = pos[2]
		}
		st, closeStore, err := sf.open(ctx, fs)
		if err != nil {
			return err
		}
		defer closeStore()
		return exportRegistry(ctx, st, k, out, stdio)
	}
	return usageErrorf("unknown action %q: want import or export", pos[0])
}

// importFailure turns an import error into the command's error: a
// rejected file exits 1 with its list of errors.
func importFailure(err error) error {
	var rej *rejectedError
	if errors.As(err, &rej) {
		return &exitError{code: ExitFail, msg: rej.Error()}
	}
	return err
}

type registryFile struct {
	kind *registryKind
	path string
}

// registryDir lists the KIND.csv files of dir, in dependency order.
func registryDir(dir string) ([]registryFile, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, usageErrorf("%s is not a directory: give KIND FILE to import one file", dir)
	}
	var files []registryFile
	for _, k := range registryKinds {
		p := filepath.Join(dir, k.name+".csv")
		if _, err := os.Stat(p); err == nil {
			files = append(files, registryFile{kind: k, path: p})
		}
	}
	if len(files) == 0 {
		return nil, &exitError{code: ExitFail, msg: fmt.Sprintf("%s holds none of %s (with .csv)", dir, kindNames())}
	}
	return files, nil
}

// importRegistry imports the files in one transaction.
func importRegistry(ctx context.Context, st bawwab.Store, files []registryFile, stdio *IO) (bawwab.ImportResult, error) {
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f.path); err == nil && f.path != "-" {
			total += fi.Size()
		}
	}
	bar := progress.New(stdio.Err, total, "importing registry", "rows")
	rej := &rejectedError{}
	env := &importEnv{ctx: ctx, st: st}
	var cur *csvReader // the reader of the record being imported
	var curKind *registryKind
	src := func(yield func(bawwab.Record, error) bool) {
		for _, f := range files {
			in, _, err := openInput(f.path, stdio)
			if err != nil {
				yield(nil, err)
				return
			}
			name := ""
			if len(files) > 1 {
				name = filepath.Base(f.path)
			}
			r, err := newCSVReader(bar.Reader(in), name, f.kind.format)
			if err != nil {
				in.Close()
				rej.add(err)
				continue
			}
			cur, curKind = r, f.kind
			for {
				err := r.next()
				if err == io.EOF {
					break
				}
				if err != nil {
					// A malformed line may throw the reader off: stop here.
					rej.add(err)
					break
				}
				bar.Record()
				rec, err := f.kind.parse(env, r)
				if err == nil {
					if verr := rec.Validate(); verr != nil {
						err = r.recordError(verr, f.kind.fieldColumn)
					}
				}
				if err != nil {
					rej.add(err)
					continue
				}
				if rej.count == 0 && !yield(rec, nil) {
					in.Close()
					return
				}
			}
			in.Close()
		}
		if rej.count > 0 {
			yield(nil, rej)
		}
	}
	res, err := st.Registry.ImportRegistry(ctx, src)
	bar.Finish()
	var ie *bawwab.ImportError
	if errors.As(err, &ie) && cur != nil {
		// The store refused the record just read (a reference, a
		// duplicate): point at its line.
		rej.add(cur.recordError(ie.Err, curKind.fieldColumn))
		return res, rej
	}
	return res, err
}

func exportRegistry(ctx context.Context, st bawwab.Store, k *registryKind, out string, stdio *IO) error {
	recs, err := k.list(ctx, st.Registry)
	if err != nil {
		return err
	}
	w, commit, abort, err := createOutput(out, stdio)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write(k.format.names())
	for _, r := range recs {
		cw.Write(k.row(r))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		abort()
		return fmt.Errorf("export %s: %w", k.name, err)
	}
	if err := commit(); err != nil {
		return fmt.Errorf("export %s: %w", k.name, err)
	}
	if out != "-" {
		fmt.Fprintf(stdio.Err, "exported %d %s to %s\n", len(recs), k.name, out)
	}
	return nil
}
