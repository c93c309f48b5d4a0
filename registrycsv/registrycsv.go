package registrycsv

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/secret"
)

// Column documents one column of a CSV format.
type Column struct {
	Name     string
	Required bool
	Doc      string
}

// Format is the set of columns of one kind of file.
type Format struct {
	Columns []Column
	// Ignored are columns accepted and skipped (what export adds, such as
	// seq).
	Ignored []string
}

// Names are the columns, in order: the header export writes.
func (f Format) Names() []string {
	var out []string
	for _, c := range f.Columns {
		out = append(out, c.Name)
	}
	return out
}

// doc renders the columns for a help text.
func (f Format) Doc(indent string) string {
	var b strings.Builder
	for _, c := range f.Columns {
		req := ""
		if c.Required {
			req = " (required)"
		}
		fmt.Fprintf(&b, "%s%-17s %s%s\n", indent, c.Name, c.Doc, req)
	}
	return b.String()
}

// LineError is a problem on one line (and column) of a file.
type LineError struct {
	File   string // empty for a single file
	Line   int
	Column string // empty when the line as a whole is wrong
	Err    error
}

func (e *LineError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ", ")
	}
	fmt.Fprintf(&b, "line %d", e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(problem(e.Err, e.Column))
	return b.String()
}

func (e *LineError) Unwrap() error { return e.Err }

// problem is the message of err without the field name it may start with
// (it is in the column already).
func problem(err error, field string) string {
	msg := bawwab.ErrorMessage(err)
	if bawwab.ErrorCode(err) == bawwab.EINTERNAL {
		msg = err.Error()
	}
	if field != "" {
		msg = strings.TrimPrefix(msg, field+": ")
	}
	return msg
}

// Reader reads a CSV stream with a header, row by row.
type Reader struct {
	r      *csv.Reader
	file   string
	cols   map[string]int
	row    []string
	line   int
	header []string
}

// NewReader reads the header and checks it against the format: every
// required column present, no unknown or repeated column.
func NewReader(r io.Reader, file string, f Format) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0 // the header sets it
	c := &Reader{r: cr, file: file, cols: map[string]int{}}
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &LineError{File: file, Line: 1, Err: errors.New("empty file: a header line is required (" + strings.Join(f.Names(), ",") + ")")}
	}
	if err != nil {
		return nil, c.wrap(err)
	}
	c.header = slices.Clone(header)
	for i, h := range c.header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		c.header[i] = h
		known := slices.Contains(f.Names(), h)
		if !known && !slices.Contains(f.Ignored, h) {
			return nil, &LineError{File: file, Line: 1, Err: fmt.Errorf("unknown column %q (the columns are %s)", h, strings.Join(f.Names(), ", "))}
		}
		if _, dup := c.cols[h]; dup {
			return nil, &LineError{File: file, Line: 1, Err: fmt.Errorf("column %q appears twice", h)}
		}
		if known {
			c.cols[h] = i
		}
	}
	for _, col := range f.Columns {
		if _, ok := c.cols[col.Name]; col.Required && !ok {
			return nil, &LineError{File: file, Line: 1, Err: fmt.Errorf("missing column %q (the header must name %s)", col.Name, strings.Join(required(f), ", "))}
		}
	}
	return c, nil
}

func required(f Format) []string {
	var out []string
	for _, c := range f.Columns {
		if c.Required {
			out = append(out, c.Name)
		}
	}
	return out
}

// Next reads the next row; it returns io.EOF at the end.
func (c *Reader) Next() error {
	row, err := c.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return c.wrap(err)
	}
	c.row = row
	c.line, _ = c.r.FieldPos(0)
	for _, v := range row {
		if !utf8.ValidString(v) {
			return &LineError{File: c.file, Line: c.line, Err: errors.New("not valid UTF-8")}
		}
	}
	return nil
}

// wrap turns an encoding/csv error into a LineError.
func (c *Reader) wrap(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = fmt.Errorf("%w (the header has %d)", pe.Err, len(c.header))
		}
		return &LineError{File: c.file, Line: pe.Line, Err: msg}
	}
	return fmt.Errorf("read %s: %w", c.fileName(), err)
}

func (c *Reader) fileName() string {
	if c.file == "" {
		return "input"
	}
	return c.file
}

// Get returns a column's trimmed value, "" when the column is absent.
func (c *Reader) Get(col string) string {
	i, ok := c.cols[col]
	if !ok {
		return ""
	}
	return strings.TrimSpace(c.row[i])
}

// Fail returns an error about a column of the current line.
func (c *Reader) Fail(col string, err error) error {
	return &LineError{File: c.file, Line: c.line, Column: col, Err: err}
}

// RecordError turns a store or validation error about the current line's
// record into a LineError naming the column when the error names a field.
func (c *Reader) RecordError(err error, fieldColumn func(string) string) error {
	var fe *bawwab.FieldError
	if errors.As(err, &fe) {
		col := fe.Field
		if fieldColumn != nil {
			col = fieldColumn(col)
		}
		return &LineError{File: c.file, Line: c.line, Column: col, Err: err}
	}
	return &LineError{File: c.file, Line: c.line, Err: err}
}

// Value parsers, each naming what it wants.

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// ParseTime reads RFC 3339 or a date; a time without a zone, or a date
// alone (midnight), is UTC.
func ParseTime(s string) (time.Time, error) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (want 2025-03-01 or 2025-03-01T09:30:00Z)", s)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1", "oui", "y":
		return true, nil
	case "false", "no", "0", "non", "n", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

func parseInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole number ≥ 0", s)
	}
	return n, nil
}

// FormatTime writes t as ParseTime reads it: RFC 3339 in UTC, "" for zero.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// RejectedError is an import that failed: nothing was imported.
type RejectedError struct {
	Errs  []error // the first ones
	Count int     // all of them
}

// maxReported is how many errors an import reports before only counting.
const maxReported = 10

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rejected, nothing was imported: %d error", e.Count)
	if e.Count != 1 {
		b.WriteString("s")
	}
	for _, err := range e.Errs {
		b.WriteString("\n  " + err.Error())
	}
	if e.Count > len(e.Errs) {
		fmt.Fprintf(&b, "\n  ... and %d more", e.Count-len(e.Errs))
	}
	return b.String()
}

// Add counts err and keeps it if fewer than maxReported are kept.
func (e *RejectedError) Add(err error) {
	e.Count++
	if len(e.Errs) < maxReported {
		e.Errs = append(e.Errs, err)
	}
}

// Kind is one kind of registry record as a CSV file.
type Kind struct {
	Name   string // the KIND argument and the file name in a directory: "providers"
	Kind   bawwab.RecordKind
	Format Format
	// parse reads the current row; env gives it the store, for accounts
	// whose hash is kept when the password is unchanged.
	parse func(env *importEnv, r *Reader) (bawwab.Record, error)
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
	reg bawwab.RegistryService
}

// HashSecret hashes account passwords; tests swap in cheap parameters.
var HashSecret = secret.Hash

// smppPasswordMax is the longest SMPP 3.4 password (9 octets with the NUL).
const smppPasswordMax = 8

// Kinds are the registry's kinds, in dependency order: a record refers
// only to kinds before it.
var Kinds = []*Kind{
	{
		Name: "operators", Kind: bawwab.KindOperator,
		Format: Format{Columns: []Column{
			{"id", true, "short lower-case key: iam, orange, inwi"},
			{"name", true, "the operator's name"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			return &bawwab.Operator{ID: r.Get("id"), Name: r.Get("name")}, nil
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
		Name: "providers", Kind: bawwab.KindProvider,
		Format: Format{Columns: []Column{
			{"id", true, "short lower-case key: atlasvas"},
			{"name", true, "legal name"},
			{"anrt_declaration", false, "ANRT declaration number (required unless operator_id is set)"},
			{"declared_at", false, "date of the declaration: 2024-01-15"},
			{"status", false, "active (default), warned, throttled, suspended or withdrawn"},
			{"operator_id", false, "set for an operator's own marketing: it may reach only that operator's subscribers"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			p := &bawwab.Provider{ID: r.Get("id"), Name: r.Get("name"), ANRTDeclaration: r.Get("anrt_declaration"), OperatorID: r.Get("operator_id")}
			if v := r.Get("declared_at"); v != "" {
				t, err := ParseTime(v)
				if err != nil {
					return nil, r.Fail("declared_at", err)
				}
				p.DeclaredAt = t
			}
			if v := r.Get("status"); v != "" {
				st, err := bawwab.ParseProviderStatus(v)
				if err != nil {
					return nil, r.Fail("status", err)
				}
				p.Status = st
			}
			return p, nil
		},
		row: func(rec bawwab.Record) []string {
			p := rec.(*bawwab.Provider)
			return []string{p.ID, p.Name, p.ANRTDeclaration, FormatTime(p.DeclaredAt), p.Status.String(), p.OperatorID}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindProviders(ctx, bawwab.ProviderFilter{})
			return records(rs), err
		},
	},
	{
		Name: "accounts", Kind: bawwab.KindAccount,
		Format: Format{Columns: []Column{
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
		Name: "contracts", Kind: bawwab.KindContract,
		Format: Format{Columns: []Column{
			{"id", true, "short lower-case key"},
			{"provider_id", true, "the provider"},
			{"operator_id", true, "the operator"},
			{"valid_from", true, "start: 2025-01-01 (midnight UTC) or 2025-01-01T00:00:00+01:00"},
			{"valid_to", false, "end, excluded; empty: open-ended"},
			{"daily_cap", false, "messages a day through this contract (0: none)"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			c := &bawwab.Contract{ID: r.Get("id"), ProviderID: r.Get("provider_id"), OperatorID: r.Get("operator_id")}
			var err error
			if c.ValidFrom, err = ParseTime(r.Get("valid_from")); err != nil {
				return nil, r.Fail("valid_from", err)
			}
			if v := r.Get("valid_to"); v != "" {
				if c.ValidTo, err = ParseTime(v); err != nil {
					return nil, r.Fail("valid_to", err)
				}
			}
			if c.DailyCap, err = parseInt(r.Get("daily_cap")); err != nil {
				return nil, r.Fail("daily_cap", err)
			}
			return c, nil
		},
		row: func(rec bawwab.Record) []string {
			c := rec.(*bawwab.Contract)
			return []string{c.ID, c.ProviderID, c.OperatorID, FormatTime(c.ValidFrom), FormatTime(c.ValidTo), itoa(c.DailyCap)}
		},
		list: func(ctx context.Context, reg bawwab.RegistryService) ([]bawwab.Record, error) {
			rs, _, err := reg.FindContracts(ctx, bawwab.ContractFilter{})
			return records(rs), err
		},
	},
	{
		Name: "advertisers", Kind: bawwab.KindAdvertiser,
		Format: Format{Columns: []Column{
			{"id", true, "short lower-case key: atlas-market"},
			{"name", true, "the brand as subscribers know it, matched by STOP <BRAND>"},
			{"sector", false, "retail, banking..."},
			{"provider_ids", false, "the providers acting for it, separated by spaces or semicolons"},
			{"contact", false, "what CONTACT <BRAND> answers: who is behind the brand"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			return &bawwab.Advertiser{ID: r.Get("id"), Name: r.Get("name"), Sector: r.Get("sector"),
				ProviderIDs: strings.FieldsFunc(r.Get("provider_ids"), func(c rune) bool { return c == ';' || c == ',' || c == ' ' }),
				Contact:     r.Get("contact")}, nil
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
		Name: "senders", Kind: bawwab.KindSenderID,
		Format: Format{Columns: []Column{
			{"value", true, "the sender ID: up to 11 GSM characters (ATLASMKT) or 3 to 15 digits; unique ignoring case"},
			{"provider_id", true, "the provider sending under it (it must act for the advertiser)"},
			{"advertiser_id", true, "the advertiser owning it"},
			{"category", true, "commercial or transactional"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			cat, err := bawwab.ParseCategory(r.Get("category"))
			if err != nil {
				return nil, r.Fail("category", err)
			}
			// The value is not trimmed: a space in a sender ID is an error
			// to report, not to hide.
			return &bawwab.SenderID{Value: r.row[r.cols["value"]], ProviderID: r.Get("provider_id"), AdvertiserID: r.Get("advertiser_id"), Category: cat}, nil
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
		Name: "channels", Kind: bawwab.KindChannel,
		Format: Format{Columns: []Column{
			{"code", true, "the short code or number subscribers write to: 5050"},
			{"purpose", false, "optout (default), complaint or service"},
			{"scope", true, "national (the StopSMS channel), provider or advertiser"},
			{"free", true, "true when free for the subscriber; only a free channel is a valid opt-out means"},
			{"provider_id", false, "owner, for the provider scope; operator of the code, for the advertiser scope"},
			{"advertiser_id", false, "owner, for the advertiser scope"},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			c := &bawwab.Channel{Code: r.Get("code"), ProviderID: r.Get("provider_id"), AdvertiserID: r.Get("advertiser_id")}
			var err error
			if v := r.Get("purpose"); v != "" {
				if c.Purpose, err = bawwab.ParseChannelPurpose(v); err != nil {
					return nil, r.Fail("purpose", err)
				}
			}
			if c.Scope, err = bawwab.ParseChannelScope(r.Get("scope")); err != nil {
				return nil, r.Fail("scope", err)
			}
			if c.Free, err = parseBool(r.Get("free")); err != nil {
				return nil, r.Fail("free", err)
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
		Name: "campaigns", Kind: bawwab.KindCampaign,
		Format: Format{Columns: []Column{
			{"id", true, "short lower-case key"},
			{"advertiser_id", true, "the advertiser"},
			{"sender_id", true, "the advertiser's sender ID it goes out under"},
			{"purpose", true, "what it promotes"},
			{"list_source", true, "where the contact list comes from"},
			{"basis", false, "consent (default) or customer (existing customers, analogous products)"},
			{"templates", false, `message templates: one text, or a JSON array of texts ["...", "..."]`},
		}},
		parse: func(_ *importEnv, r *Reader) (bawwab.Record, error) {
			c := &bawwab.Campaign{ID: r.Get("id"), AdvertiserID: r.Get("advertiser_id"), SenderID: r.Get("sender_id"),
				Purpose: r.Get("purpose"), ListSource: r.Get("list_source")}
			var err error
			if v := r.Get("basis"); v != "" {
				if c.Basis, err = bawwab.ParseLegalBasis(v); err != nil {
					return nil, r.Fail("basis", err)
				}
			}
			switch v := r.Get("templates"); {
			case strings.HasPrefix(v, "["):
				if err := json.Unmarshal([]byte(v), &c.Templates); err != nil {
					return nil, r.Fail("templates", fmt.Errorf("not a JSON array of texts: %w", err))
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

// Lookup finds a kind by its file name ("providers"), its record kind
// ("provider") or either in upper case; nil when there is none.
func Lookup(name string) *Kind {
	name = strings.ToLower(name)
	for _, k := range Kinds {
		if k.Name == name || string(k.Kind) == name || k.Name == name+"s" {
			return k
		}
	}
	return nil
}

// KindNames lists the kinds' file names.
func KindNames() string {
	var out []string
	for _, k := range Kinds {
		out = append(out, k.Name)
	}
	return strings.Join(out, ", ")
}

// parseAccount reads an account row. A clear password is hashed, unless
// the account exists and its hash matches it already: re-importing the
// same file then changes nothing.
func parseAccount(env *importEnv, r *Reader) (bawwab.Record, error) {
	a := &bawwab.Account{ID: r.Get("id"), ProviderID: r.Get("provider_id"), SecretHash: r.Get("secret_hash")}
	var err error
	if v := r.Get("kind"); v != "" {
		if a.Kind, err = bawwab.ParseAccountKind(v); err != nil {
			return nil, r.Fail("kind", err)
		}
	}
	if a.MaxBinds, err = parseInt(r.Get("max_binds")); err != nil {
		return nil, r.Fail("max_binds", err)
	}
	if v := r.Get("rate_limit"); v != "" {
		if a.RateLimit, err = strconv.ParseFloat(v, 64); err != nil || a.RateLimit < 0 {
			return nil, r.Fail("rate_limit", fmt.Errorf("%q is not a number ≥ 0", v))
		}
	}
	if a.Disabled, err = parseBool(r.Get("disabled")); err != nil {
		return nil, r.Fail("disabled", err)
	}
	// The password is taken as written: spaces may be part of it.
	password := ""
	if i, ok := r.cols["password"]; ok {
		password = r.row[i]
	}
	switch {
	case password != "" && a.SecretHash != "":
		return nil, r.Fail("password", errors.New("give password or secret_hash, not both"))
	case password == "" && a.SecretHash == "":
		return nil, r.Fail("password", errors.New("missing: give the password (hashed on import) or secret_hash"))
	case password == "":
		return a, nil
	case a.Kind == bawwab.AccountSMPP && len(password) > smppPasswordMax:
		return nil, r.Fail("password", fmt.Errorf("%d characters: an SMPP password has at most %d", len(password), smppPasswordMax))
	}
	if old, err := env.reg.FindAccountByID(env.ctx, a.ID); err == nil && secret.Verify(old.SecretHash, password) == nil {
		a.SecretHash = old.SecretHash
		return a, nil
	}
	if a.SecretHash, err = HashSecret(password); err != nil {
		return nil, r.Fail("password", err)
	}
	return a, nil
}

// File is one CSV file of one kind to import. Name is shown in errors
// when an import reads several files ("" for one).
type File struct {
	Kind *Kind
	Name string
	R    io.Reader
}

// Import creates or replaces the records of the files, read in order, in
// one transaction: all or nothing. A bad line does not stop the reading
// (up to ten errors are listed, with their line and column, in a
// *RejectedError), but nothing is imported then. onRow, when set, is
// called for each row read (a progress bar).
func Import(ctx context.Context, reg bawwab.RegistryService, files []File, onRow func()) (bawwab.ImportResult, error) {
	rej := &RejectedError{}
	env := &importEnv{ctx: ctx, reg: reg}
	var cur *Reader // the reader of the record being imported
	var curKind *Kind
	src := func(yield func(bawwab.Record, error) bool) {
		for _, f := range files {
			r, err := NewReader(f.R, f.Name, f.Kind.Format)
			if err != nil {
				rej.Add(err)
				continue
			}
			cur, curKind = r, f.Kind
			for {
				err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					// A malformed line may throw the reader off: stop here.
					rej.Add(err)
					break
				}
				if onRow != nil {
					onRow()
				}
				rec, err := f.Kind.parse(env, r)
				if err == nil {
					if verr := rec.Validate(); verr != nil {
						err = r.RecordError(verr, f.Kind.fieldColumn)
					}
				}
				if err != nil {
					rej.Add(err)
					continue
				}
				if rej.Count == 0 && !yield(rec, nil) {
					return
				}
			}
		}
		if rej.Count > 0 {
			yield(nil, rej)
		}
	}
	res, err := reg.ImportRegistry(ctx, src)
	var ie *bawwab.ImportError
	if errors.As(err, &ie) && cur != nil {
		// The store refused the record just read (a reference, a
		// duplicate): point at its line.
		rej.Add(cur.RecordError(ie.Err, curKind.fieldColumn))
		return res, rej
	}
	return res, err
}

// Export writes every record of a kind as CSV, with its header, and
// returns how many. Accounts are written with their secret's hash, never
// a password.
func Export(ctx context.Context, reg bawwab.RegistryService, k *Kind, w io.Writer) (int, error) {
	recs, err := k.list(ctx, reg)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	cw.Write(k.Format.Names())
	for _, r := range recs {
		cw.Write(k.row(r))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("export %s: %w", k.Name, err)
	}
	return len(recs), nil
}
