package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/safehttp"
	"github.com/bawwab/bawwab/sanction"
)

// Config is bawwab.toml, the configuration of `bawwab serve`. Every key is
// documented in bawwab.example.toml at the root of the repository, which
// the tests load; LoadConfig fills the defaults, expands ${VAR} and reads
// the *_file secrets, and Validate names the first bad key.
type Config struct {
	// Node names this gateway in its ledger's checkpoints and its logs;
	// give each node sharing a PostgreSQL store its own.
	Node      string            `toml:"node"`
	Listen    ListenConfig      `toml:"listen"`
	Store     StoreConfig       `toml:"store"`
	Ledger    LedgerConfig      `toml:"ledger"`
	SMSC      []SMSCConfig      `toml:"smsc"`
	Channels  ChannelsConfig    `toml:"channels"`
	Rules     compliance.Config `toml:"compliance"`
	Sanctions sanction.Config   `toml:"sanctions"`
	// Complaints configures how reports are matched to deliveries.
	Complaints complaint.Config `toml:"complaints"`
	Limits     LimitsConfig     `toml:"limits"`
	Callbacks  CallbacksConfig  `toml:"callbacks"`
	Log        LogConfig        `toml:"log"`
}

// CallbacksConfig governs the calls the gateway makes on the providers'
// behalf: callback_url, Kannel's dlr-url and the measure webhooks.
type CallbacksConfig struct {
	// Allow lists the address ranges (CIDR, or single addresses) those
	// calls may reach although they are not public: loopback, private,
	// link-local, shared (CGNAT) and the like are refused otherwise,
	// checked on the address actually connected to.
	Allow []string `toml:"allow"`
}

// ListenConfig holds the listeners; an empty address turns one off.
type ListenConfig struct {
	// SMPP is the providers' SMPP 3.4 listener.
	SMPP string `toml:"smpp"`
	// HTTP serves the console, /api/v1, the Kannel-compatible
	// /cgi-bin/sendsms and, unless Metrics is set, /metrics.
	HTTP string `toml:"http"`
	// Metrics serves /metrics alone, for a scraper on another network.
	Metrics string `toml:"metrics"`
	// TLSCertFile and TLSKeyFile are the PEM certificate and key of the
	// listeners that SMPPTLS and HTTPTLS put under TLS.
	TLSCertFile string `toml:"tls_cert_file"`
	TLSKeyFile  string `toml:"tls_key_file"`
	SMPPTLS     bool   `toml:"smpp_tls"`
	HTTPTLS     bool   `toml:"http_tls"`
	// TrustedOrigins are origins whose cross-origin form posts the
	// console accepts: only behind a reverse proxy that changes the Host.
	TrustedOrigins []string `toml:"trusted_origins"`
}

// StoreConfig chooses the store.
type StoreConfig struct {
	// Data is the node's own directory: the ledger, the keys, the
	// opposition index snapshot and, without Postgres, the embedded store.
	Data string `toml:"data"`
	// Postgres is the DSN of the shared PostgreSQL store; empty, the
	// embedded store (Data/bawwab.db) is used.
	Postgres     string `toml:"postgres"`
	PostgresFile string `toml:"postgres_file"`
}

// LedgerConfig configures the ledger (always Data/ledger).
type LedgerConfig struct {
	// SigningKeyFile signs the checkpoints (made when missing); default
	// Data/keys/signing.key.
	SigningKeyFile string `toml:"signing_key_file"`
	// KeyringFile holds the pseudonym keys (made when missing); default
	// Data/keys/pseudonym.keys.
	KeyringFile string `toml:"keyring_file"`
	// TextRetention is how long message texts are kept in the ledger
	// before they are purged (the entries stay); 0 keeps them.
	TextRetention Duration `toml:"text_retention"`
	// CheckpointInterval is the longest time between signed checkpoints.
	CheckpointInterval Duration `toml:"checkpoint_interval"`
}

// SMSCConfig is one operator's SMSC link.
type SMSCConfig struct {
	// Operator is the operator's ID in the registry (iam, orange, inwi).
	Operator     string `toml:"operator"`
	Addr         string `toml:"addr"`
	SystemID     string `toml:"system_id"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	SystemType   string `toml:"system_type"`
	// Binds is the number of transceiver binds; Window the outstanding
	// submits per bind.
	Binds  int  `toml:"binds"`
	Window int  `toml:"window"`
	TLS    bool `toml:"tls"`
}

// ChannelsConfig names the short codes the gateway handles itself.
type ChannelsConfig struct {
	// NationalStop is the national StopSMS short code.
	NationalStop string `toml:"national_stop"`
	// Complaint is the short code subscribers forward spam to.
	Complaint string `toml:"complaint"`
}

// LimitsConfig bounds what one client may hold.
type LimitsConfig struct {
	// MaxBinds is the most SMPP binds of one account.
	MaxBinds int `toml:"max_binds"`
	// Window is the most outstanding submits a provider's bind may have.
	Window int `toml:"window"`
	// RateLimit caps an account's messages per second when the registry
	// sets none for it (0: no cap).
	RateLimit float64 `toml:"rate_limit"`
	// SMSCTimeout bounds the wait for an SMSC's answer; past it the
	// provider is answered ESME_RTHROTTLED.
	SMSCTimeout Duration `toml:"smsc_timeout"`
	// HTTPMaxBody caps a request body, in bytes.
	HTTPMaxBody int64 `toml:"http_max_body"`
	// ShutdownTimeout is how long a graceful shutdown waits for the
	// submissions in flight.
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
}

// LogConfig configures the logs (standard error).
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // json or text
}

// Duration is a time.Duration written "30s", "90d" or "2160h" in TOML.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	s := string(b)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err != nil || fmt.Sprint(days) != n {
			return fmt.Errorf("bad duration %q", s)
		}
		*d = Duration(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %q (want 30s, 5m, 24h or 90d)", s)
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig returns the configuration of an empty bawwab.toml.
func DefaultConfig() Config {
	return Config{
		Node:   "node1",
		Listen: ListenConfig{SMPP: "127.0.0.1:2775", HTTP: "127.0.0.1:8080"},
		Store:  StoreConfig{Data: defaultDataDir},
		Ledger: LedgerConfig{
			TextRetention:      Duration(90 * 24 * time.Hour),
			CheckpointInterval: Duration(10 * time.Second),
		},
		Channels:   ChannelsConfig{NationalStop: "3030", Complaint: "3300"},
		Rules:      compliance.DefaultConfig(),
		Sanctions:  sanction.DefaultConfig(),
		Complaints: complaint.DefaultConfig(),
		Limits: LimitsConfig{
			MaxBinds:        8,
			Window:          1000,
			SMSCTimeout:     Duration(10 * time.Second),
			HTTPMaxBody:     64 << 10,
			ShutdownTimeout: Duration(30 * time.Second),
		},
		Log: LogConfig{Level: "info", Format: "json"},
	}
}

// LoadConfig reads a configuration file: ${VAR} references are replaced by
// the environment's values, the defaults fill what the file leaves out,
// the *_file secrets are read, relative paths are taken from the file's
// directory, and the result is validated.
func LoadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := ParseConfig(raw, os.LookupEnv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.resolvePaths(filepath.Dir(path))
	if err := c.readSecrets(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParseConfig decodes a configuration over the defaults, after env
// expansion; it neither reads secrets nor validates.
func ParseConfig(raw []byte, lookup func(string) (string, bool)) (*Config, error) {
	text, err := expandEnv(raw, lookup)
	if err != nil {
		return nil, err
	}
	// What the file itself holds, to tell a key left out from one set to
	// its zero value, and to name an array's entry. A syntax error shows
	// here.
	var held map[string]any
	if _, err := toml.Decode(text, &held); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return nil, err
	}
	c := DefaultConfig()
	md, err := toml.Decode(text, &c)
	if err != nil {
		// A value its type refused (a duration, a time, a string for a
		// number): name its key.
		var pe toml.ParseError
		if m := tomlTypeError.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, fmt.Errorf("line %d: %s: %s", line, indexedKey(text, m[2], line), m[3])
		}
		if errors.As(err, &pe) {
			if pe.LastKey != "" {
				return nil, fmt.Errorf("line %d: %s: %s", pe.Position.Line, indexedKey(text, pe.LastKey, pe.Position.Line), pe.Message)
			}
			return nil, fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
		}
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, bawwab.InvalidField(rawKeyPath(held, und[0]), "unknown key (misspelt? see bawwab.example.toml)")
	}
	entries, _ := held["smsc"].([]map[string]any)
	for i := range c.SMSC {
		if i >= len(entries) {
			break
		}
		if _, ok := entries[i]["binds"]; !ok {
			c.SMSC[i].Binds = DefaultSMSCBinds
		}
		if _, ok := entries[i]["window"]; !ok {
			c.SMSC[i].Window = DefaultSMSCWindow
		}
	}
	return &c, nil
}

// tomlTypeError is how the toml package words a value of the wrong type.
var tomlTypeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]+)"\): (.*)$`)

// The defaults of an [[smsc]] entry's keys.
const (
	DefaultSMSCBinds  = 2
	DefaultSMSCWindow = 100
)

// rawKeyPath writes a key the way the example file does, with the index
// of the entry of an array of tables that holds it: smsc[1].pasword
// rather than smsc.pasword.
func rawKeyPath(raw map[string]any, k toml.Key) string {
	var b strings.Builder
	var cur any = raw
	for i, part := range k {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
		m, ok := cur.(map[string]any)
		if !ok {
			cur = nil
			continue
		}
		cur = m[part]
		if arr, ok := cur.([]map[string]any); ok && i+1 < len(k) {
			// The entry that holds the rest of the key (the last one holding
			// its next part).
			idx := -1
			for j, e := range arr {
				if _, ok := e[k[i+1]]; ok {
					idx = j
				}
			}
			if idx >= 0 {
				fmt.Fprintf(&b, "[%d]", idx)
				cur = arr[idx]
			} else {
				cur = nil
			}
		}
	}
	return b.String()
}

// indexedKey adds to a dotted key the index of its array-of-tables entry,
// counted from the [[table]] headers before line: smsc[1].window.
func indexedKey(text, key string, line int) string {
	lines := strings.Split(text, "\n")
	best, idx := "", -1
	parts := strings.Split(key, ".")
	for p := len(parts) - 1; p > 0 && best == ""; p-- {
		table := strings.Join(parts[:p], ".")
		n := 0
		for _, l := range lines[:min(line, len(lines))] {
			if strings.TrimSpace(l) == "[["+table+"]]" {
				n++
			}
		}
		if n > 0 {
			best, idx = table, n-1
		}
	}
	if best == "" {
		return key
	}
	return fmt.Sprintf("%s[%d]%s", best, idx, strings.TrimPrefix(key, best))
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// expandEnv replaces ${VAR} (or ${VAR:-default}) outside comment lines.
// A value is escaped for a TOML basic string, where references belong.
func expandEnv(raw []byte, lookup func(string) (string, bool)) (string, error) {
	lines := bytes.Split(raw, []byte("\n"))
	var firstErr error
	for i, line := range lines {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] == '#' {
			continue
		}
		lines[i] = envRef.ReplaceAllFunc(line, func(m []byte) []byte {
			sub := envRef.FindSubmatch(m)
			v, ok := lookup(string(sub[1]))
			if !ok || v == "" {
				if sub[2] != nil {
					v, ok = string(sub[3]), true
				}
			}
			if !ok {
				if firstErr == nil {
					firstErr = fmt.Errorf("line %d: environment variable %s is not set", i+1, sub[1])
				}
				return m
			}
			return []byte(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v))
		})
	}
	return string(bytes.Join(lines, []byte("\n"))), firstErr
}

// resolvePaths makes relative paths relative to the configuration file's
// directory, so that the file works whatever the working directory.
func (c *Config) resolvePaths(dir string) {
	for _, p := range []*string{&c.Store.Data, &c.Store.PostgresFile, &c.Ledger.SigningKeyFile,
		&c.Ledger.KeyringFile, &c.Listen.TLSCertFile, &c.Listen.TLSKeyFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range c.SMSC {
		if p := &c.SMSC[i].PasswordFile; *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// readSecrets reads each *_file key into its plain key.
func (c *Config) readSecrets() error {
	read := func(key, file string, dst *string) error {
		if file == "" {
			return nil
		}
		if *dst != "" {
			return bawwab.InvalidField(key, "set together with %s_file: keep one", strings.TrimSuffix(key, "_file"))
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return bawwab.InvalidField(key, "%v", err)
		}
		*dst = strings.TrimRight(string(b), "\r\n")
		if *dst == "" {
			return bawwab.InvalidField(key, "%s is empty", file)
		}
		return nil
	}
	if err := read("store.postgres_file", c.Store.PostgresFile, &c.Store.Postgres); err != nil {
		return err
	}
	for i := range c.SMSC {
		s := &c.SMSC[i]
		if err := read(fmt.Sprintf("smsc[%d].password_file", i), s.PasswordFile, &s.Password); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the configuration and names the first bad key.
func (c *Config) Validate() error {
	bad := bawwab.InvalidField
	if !bawwab.ValidKey(c.Node) {
		return bad("node", "%q: want lower-case letters, digits, '.', '_' or '-'", c.Node)
	}
	for _, l := range []struct{ key, addr string }{{"listen.smpp", c.Listen.SMPP}, {"listen.http", c.Listen.HTTP}, {"listen.metrics", c.Listen.Metrics}} {
		if l.addr == "" {
			continue
		}
		if err := checkHostPort(l.addr, false); err != nil {
			return bad(l.key, "%q is not host:port: %v", l.addr, err)
		}
	}
	if c.Listen.SMPP == "" && c.Listen.HTTP == "" {
		return bad("listen.smpp", "no listener: set listen.smpp or listen.http")
	}
	if (c.Listen.SMPPTLS || c.Listen.HTTPTLS) && (c.Listen.TLSCertFile == "" || c.Listen.TLSKeyFile == "") {
		key := "listen.tls_cert_file"
		if c.Listen.TLSCertFile != "" {
			key = "listen.tls_key_file"
		}
		return bad(key, "missing, and a listener asks for TLS")
	}
	for i, a := range c.Callbacks.Allow {
		if _, err := safehttp.ParseAllow([]string{a}); err != nil {
			return bad(fmt.Sprintf("callbacks.allow[%d]", i), "%v", err)
		}
	}
	for i, o := range c.Listen.TrustedOrigins {
		if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") || strings.Count(o, "/") != 2 {
			return bad(fmt.Sprintf("listen.trusted_origins[%d]", i), "%q: want scheme://host[:port], no path", o)
		}
	}
	if c.Store.Data == "" {
		return bad("store.data", "missing: the node's ledger and keys live there")
	}
	if c.Store.Postgres != "" && !strings.HasPrefix(c.Store.Postgres, "postgres://") && !strings.HasPrefix(c.Store.Postgres, "postgresql://") {
		return bad("store.postgres", "want a postgres:// URL")
	}
	if c.Ledger.TextRetention < 0 {
		return bad("ledger.text_retention", "negative")
	}
	if c.Ledger.CheckpointInterval < Duration(time.Second) {
		return bad("ledger.checkpoint_interval", "%s: want at least 1s", time.Duration(c.Ledger.CheckpointInterval))
	}
	seen := map[string]bool{}
	for i, s := range c.SMSC {
		key := func(k string) string { return fmt.Sprintf("smsc[%d].%s", i, k) }
		if !bawwab.ValidKey(s.Operator) {
			return bad(key("operator"), "%q is not an operator ID", s.Operator)
		}
		if seen[s.Operator] {
			return bad(key("operator"), "%q has two links: list its binds in one", s.Operator)
		}
		seen[s.Operator] = true
		if err := checkHostPort(s.Addr, true); err != nil {
			return bad(key("addr"), "%q is not host:port: %v", s.Addr, err)
		}
		if s.SystemID == "" || len(s.SystemID) > 15 {
			return bad(key("system_id"), "want 1 to 15 characters")
		}
		if len(s.Password) > 8 {
			return bad(key("password"), "SMPP 3.4 passwords have at most 8 characters")
		}
		if len(s.SystemType) > 12 {
			return bad(key("system_type"), "at most 12 characters")
		}
		if s.Binds < 1 || s.Binds > 64 {
			return bad(key("binds"), "%d: want 1 to 64", s.Binds)
		}
		if s.Window < 1 || s.Window > 1000 {
			return bad(key("window"), "%d: want 1 to 1000", s.Window)
		}
	}
	if !shortCode(c.Channels.NationalStop) {
		return bad("channels.national_stop", "%q is not a short code", c.Channels.NationalStop)
	}
	if !shortCode(c.Channels.Complaint) {
		return bad("channels.complaint", "%q is not a short code", c.Channels.Complaint)
	}
	if c.Channels.Complaint == c.Channels.NationalStop {
		return bad("channels.complaint", "the same code as channels.national_stop")
	}
	if err := c.Rules.Validate(); err != nil {
		var fe *bawwab.FieldError
		if errors.As(err, &fe) {
			return bad("compliance."+fe.Field, "%s", strings.TrimPrefix(bawwab.ErrorMessage(err), fe.Field+": "))
		}
		return err
	}
	if err := c.Sanctions.Validate(); err != nil {
		return err
	}
	if err := c.Complaints.Validate(); err != nil {
		return err
	}
	if c.Limits.MaxBinds < 1 {
		return bad("limits.max_binds", "%d: want at least 1", c.Limits.MaxBinds)
	}
	if c.Limits.Window < 1 || c.Limits.Window > 1000 {
		return bad("limits.window", "%d: want 1 to 1000", c.Limits.Window)
	}
	if c.Limits.RateLimit < 0 {
		return bad("limits.rate_limit", "negative")
	}
	if c.Limits.SMSCTimeout < Duration(100*time.Millisecond) {
		return bad("limits.smsc_timeout", "%s: want at least 100ms", time.Duration(c.Limits.SMSCTimeout))
	}
	if c.Limits.HTTPMaxBody < 1024 {
		return bad("limits.http_max_body", "%d: want at least 1024 bytes", c.Limits.HTTPMaxBody)
	}
	if c.Limits.ShutdownTimeout <= 0 {
		return bad("limits.shutdown_timeout", "want a positive duration")
	}
	if _, err := c.Log.level(); err != nil {
		return bad("log.level", "%v", err)
	}
	if c.Log.Format != "json" && c.Log.Format != "text" {
		return bad("log.format", "%q: want json or text", c.Log.Format)
	}
	return nil
}

// checkHostPort checks an address is host:port with a numeric port in
// range: 0 (any free port) only where the gateway listens.
func checkHostPort(addr string, dial bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if dial && host == "" {
		return errors.New("no host")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 || dial && p == 0 {
		if dial {
			return fmt.Errorf("port %q: want 1 to 65535", port)
		}
		return fmt.Errorf("port %q: want 0 to 65535", port)
	}
	return nil
}

func shortCode(s string) bool {
	if len(s) < 3 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (l LogConfig) level() (slog.Level, error) {
	var lv slog.Level
	err := lv.UnmarshalText([]byte(l.Level))
	if err != nil {
		return 0, fmt.Errorf("%q: want debug, info, warn or error", l.Level)
	}
	return lv, nil
}

// Logger returns the logger the configuration asks for, on w.
func (l LogConfig) Logger(w io.Writer) *slog.Logger {
	lv, _ := l.level()
	opts := &slog.HandlerOptions{Level: lv}
	if l.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// ledgerDir, keysDir and the other paths of the data directory.
func (c *Config) ledgerDir() string { return filepath.Join(c.Store.Data, "ledger") }
func (c *Config) signingKeyFile() string {
	if c.Ledger.SigningKeyFile != "" {
		return c.Ledger.SigningKeyFile
	}
	return filepath.Join(c.Store.Data, "keys", "signing.key")
}
func (c *Config) keyringFile() string {
	if c.Ledger.KeyringFile != "" {
		return c.Ledger.KeyringFile
	}
	return filepath.Join(c.Store.Data, "keys", "pseudonym.keys")
}
