package compliance

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Texts of the cases. The opt-out mentions name the channels of the test
// registry: 5050 (atlasvas, free), 7777 (atlasvas, premium), 8585
// (kech-shop, free), 4545 (othervas), 3030 (national).
const (
	textOK        = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! STOP au 5050"
	textNational  = "Atlas Market : nouvelle collection en magasin. STOP ATLAS au 3030"
	textMissing   = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end !"
	textPremium   = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! STOP au 7777"
	textOtherProv = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! STOP au 4545"
	textDisguised = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! S T O P au 5050"
	textKech      = "KECHSHOP : soldes -50% sur les sacs ! STOP au 8585"
	textReply     = "ATLAS MARKET : -30% sur tout le rayon frais ce week-end ! Répondez STOP"
	textOTP       = "Votre code de vérification est 482913. Il expire dans 5 minutes."
	textPromo     = "KechShop : NOUVEAU ! -40% sur toute la boutique, profitez-en vite !"
	textArabic    = "أطلس ماركت: تخفيضات 30% على كل المنتجات. للتوقف أرسل STOP إلى ٥٠٥٠"
)

// monday… are days of the week of May 2026 (Casablanca, UTC+1).
var tuesday = local(2026, 5, 5, 10, 0)

// testEnv is one engine on the test registry with its registers.
type testEnv struct {
	t    testing.TB
	opp  *testOppositions
	cons mapConsents
	ops  *msisdn.Operators
	ctr  *MemCounters
	eng  *Engine
}

func newTestEnv(t testing.TB, cfg Config) *testEnv {
	t.Helper()
	e := &testEnv{t: t, opp: newTestOppositions(), cons: mapConsents{}, ops: msisdn.NewOperators(), ctr: NewMemCounters()}
	view, err := NewView(testRegistry())
	if err != nil {
		t.Fatal(err)
	}
	e.eng, err = New(cfg, view, Deps{Oppositions: IndexOppositions(e.opp.ix), Consents: e.cons, Counters: e.ctr})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// submission is the base case: a compliant commercial message of atlasvas
// for Atlas Market to an IAM subscriber on a Tuesday morning.
func (e *testEnv) submission() Submission {
	s := Submission{AccountID: "atlas", Sender: "ATLASMKT", Text: textOK, Time: tuesday}
	e.to(iamNumber)(e, &s)
	return s
}

type mod func(*testEnv, *Submission)

// to sets the recipient, and its operator the way the gateway finds it: the
// portability table for a Moroccan number, IAM's international gateway for
// a foreign one.
func (*testEnv) to(number string) mod {
	return func(e *testEnv, s *Submission) {
		s.Recipient, s.RecipientErr = msisdn.Parse(number)
		switch {
		case s.RecipientErr != nil:
			s.Operator = msisdn.NoOperator
		case s.Recipient.Moroccan():
			s.Operator = e.ops.Operator(s.Recipient)
		default:
			s.Operator = msisdn.IAM
		}
	}
}

func to(number string) mod { return (*testEnv)(nil).to(number) }

func at(t time.Time) mod             { return func(_ *testEnv, s *Submission) { s.Time = t } }
func text(x string) mod              { return func(_ *testEnv, s *Submission) { s.Text = x } }
func from(x string) mod              { return func(_ *testEnv, s *Submission) { s.Sender = x } }
func acctID(x string) mod            { return func(_ *testEnv, s *Submission) { s.AccountID = x } }
func providerID(x string) mod        { return func(_ *testEnv, s *Submission) { s.ProviderID = x } }
func declared(c bawwab.Category) mod { return func(_ *testEnv, s *Submission) { s.Category = c } }
func operator(o msisdn.Operator) mod { return func(_ *testEnv, s *Submission) { s.Operator = o } }

// as sends as another account and sender ID, naming the national channel
// (the only one valid for every provider).
func as(acct, snd string) mod { return all(acctID(acct), from(snd), text(textNational)) }

func all(ms ...mod) mod {
	return func(e *testEnv, s *Submission) {
		for _, m := range ms {
			m(e, s)
		}
	}
}

type step struct {
	mod  mod
	want string // Decision.String()
	// release gives the slot back after the decision, as the gateway does
	// when the SMSC refuses the message.
	release bool
}

type ruleCase struct {
	name  string
	cfg   func(*Config)
	setup func(*testEnv)
	steps []step
}

func mode(r Rule, m bawwab.Mode) func(*Config) {
	return func(c *Config) { c.Rules.Set(r, RuleMode{Mode: m}) }
}

func cutover(r Rule, from time.Time) func(*Config) {
	return func(c *Config) { c.Rules.Set(r, RuleMode{Mode: bawwab.Monitor, EnforceFrom: from}) }
}

func providerMode(p string, r Rule, m RuleMode) func(*Config) {
	return func(c *Config) {
		if c.Providers == nil {
			c.Providers = map[string]Modes{}
		}
		o := c.Providers[p]
		o.Set(r, m)
		c.Providers[p] = o
	}
}

// noCaps turns R8 off, for cases that send many messages to one recipient.
func noCaps(c *Config) { c.CapPerAdvertiser, c.CapTotal = 0, 0 }

func configs(fs ...func(*Config)) func(*Config) {
	return func(c *Config) {
		for _, f := range fs {
			f(c)
		}
	}
}

func stop(scope bawwab.Scope, numbers ...string) func(*testEnv) {
	return func(e *testEnv) {
		for _, n := range numbers {
			e.opp.stop(e.t, scope, number(e.t, n))
		}
	}
}

const (
	accept = "accept"
	r1     = "reject(provider-not-authorised)"
	r2     = "reject(sender-not-registered)"
	r3     = "reject(invalid-recipient)"
	r4miss = "reject(optout-mention-missing)"
	r4chan = "reject(optout-channel-invalid)"
	r5     = "reject(recipient-opted-out)"
	r6     = "reject(no-consent)"
	r7     = "reject(quiet-hours)"
	r8     = "reject(frequency-cap)"
	r9     = "reject(mislabelled-commercial)"
)

func monitored(r bawwab.Reason) string { return "accept [monitor: " + string(r) + "]" }

func deferred(t time.Time) string {
	return "defer(quiet-hours) until " + t.In(casablanca).Format(time.RFC3339)
}

const flagged = "accept [flag: mislabelled-commercial]"

func one(m mod, want string) []step { return []step{{mod: m, want: want}} }

func nothing(*testEnv, *Submission) {}

var ruleCases = []ruleCase{
	// R1: the account, the provider's standing, the contract.
	{name: "r1/active", steps: one(nothing, accept)},
	{name: "r1/account-unknown", steps: one(acctID("nobody"), r1)},
	{name: "r1/account-disabled", steps: one(acctID("atlas-off"), r1)},
	{name: "r1/account-of-other-provider", steps: one(providerID("warnvas"), r1)},
	{name: "r1/account-provider-given", steps: one(providerID("atlasvas"), accept)},
	{name: "r1/provider-not-in-registry", steps: one(acctID("orphan"), r1)},
	{name: "r1/warned", steps: one(as("warn", "WARNMKT"), accept)},
	{name: "r1/throttled-passes", steps: one(as("throttle", "THRMKT"), accept)},
	{name: "r1/suspended", steps: one(as("susp", "SUSPMKT"), r1)},
	{name: "r1/withdrawn", steps: one(as("gone", "GONEMKT"), r1)},
	{name: "r1/declared-later", steps: []step{
		{mod: as("new", "NEWMKT"), want: r1},
		{mod: all(as("new", "NEWMKT"), at(local(2026, 6, 2, 10, 0))), want: accept},
	}},
	{name: "r1/not-declared", steps: one(as("nodecl", "NODECL"), r1)},
	{name: "r1/contract-expired", steps: one(to(orangeNumber), r1)},
	{name: "r1/contract-not-yet", steps: []step{
		{mod: to(inwiNumber), want: r1},
		{mod: all(to(inwiNumber), at(local(2026, 6, 2, 10, 0))), want: accept},
		{mod: all(to(inwiNumber), at(local(2021, 6, 2, 10, 0))), want: accept}, // the old contract
	}},
	{name: "r1/operator-own", steps: one(as("iamsmpp", "IAMPROMO"), accept)},
	{name: "r1/operator-own-other-network", steps: one(all(as("iamsmpp", "IAMPROMO"), to(orangeNumber)), r1)},
	{
		name: "r1/operator-own-ported",
		setup: func(e *testEnv) {
			// An IAM-range number now served by Orange, an Orange-range
			// number now served by IAM.
			must(e.t, e.ops.Port(number(e.t, "0611998877"), msisdn.Orange))
			must(e.t, e.ops.Port(number(e.t, "0612998877"), msisdn.IAM))
		},
		steps: []step{
			{mod: all(as("iamsmpp", "IAMPROMO"), to("0611998877")), want: r1},
			{mod: all(as("iamsmpp", "IAMPROMO"), to("0612998877")), want: accept},
			// The VAS provider's contract follows the serving operator too.
			{mod: to("0612998877"), want: accept},
			{mod: to("0611998877"), want: r1},
		},
	},
	{name: "r1/operator-own-foreign", cfg: func(c *Config) { c.ForeignRecipients = true },
		steps: one(all(as("iamsmpp", "IAMPROMO"), to("+33612345678")), r1)},
	{name: "r1/monitor", cfg: mode(R1, bawwab.Monitor), steps: []step{
		{mod: to(orangeNumber), want: monitored(bawwab.ReasonProviderNotAuthorised)},
		{mod: as("nodecl", "NODECL"), want: monitored(bawwab.ReasonProviderNotAuthorised)},
		// No provider: the sender ID is not this (unknown) provider's.
		{mod: acctID("nobody"), want: r2},
		// A suspension is a measure in force, not a rule being rolled out.
		{mod: as("susp", "SUSPMKT"), want: r1},
		{mod: as("gone", "GONEMKT"), want: r1},
	}},
	{name: "r1/provider-override", cfg: providerMode("atlasvas", R1, RuleMode{Mode: bawwab.Monitor}), steps: []step{
		{mod: to(orangeNumber), want: monitored(bawwab.ReasonProviderNotAuthorised)},
		{mod: all(as("warn", "WARNMKT"), at(local(2019, 6, 1, 10, 0))), want: r1}, // declared in 2020
	}},

	// R2: the sender ID.
	{name: "r2/unknown", steps: one(from("PROMO"), r2)},
	{name: "r2/other-providers", steps: one(from("SOUKDEAL"), r2)},
	{name: "r2/provider-no-longer-acts-for-advertiser", steps: one(from("DROPPED"), r2)},
	{name: "r2/category-unknown", steps: one(from("NOCAT"), r2)},
	{name: "r2/case-matters", steps: one(from("AtlasMkt"), r2)},
	{name: "r2/monitor", cfg: mode(R2, bawwab.Monitor), steps: []step{
		// Unregistered: held to the commercial rules with the provider's
		// channels only.
		{mod: from("PROMO"), want: monitored(bawwab.ReasonSenderNotRegistered)},
		{mod: all(from("PROMO"), text(textKech)), want: r4chan},
		{mod: all(from("PROMO"), text(textOTP), declared(bawwab.CategoryTransactional)), want: monitored(bawwab.ReasonSenderNotRegistered)},
	}},

	// R3: the recipient.
	{name: "r3/unreadable", steps: one(to("06 12 AB"), r3)},
	{name: "r3/fixed-line", steps: one(to("0522456789"), r3)},
	{name: "r3/foreign-refused", steps: one(to("+33612345678"), r3)},
	{name: "r3/foreign-allowed", cfg: func(c *Config) { c.ForeignRecipients = true }, steps: []step{
		{mod: to("+33612345678"), want: accept},
		{mod: to("+33142685300"), want: r3}, // a Paris fixed line
	}},
	{name: "r3/operator-unknown", steps: one(operator(msisdn.NoOperator), r3)},
	{name: "r3/monitor", cfg: mode(R3, bawwab.Monitor), steps: []step{
		// R5, R6 and R8 need a number: they cannot run.
		{mod: to("06 12 AB"), want: monitored(bawwab.ReasonInvalidRecipient)},
		{mod: to("0522456789"), want: monitored(bawwab.ReasonInvalidRecipient)},
	}},

	// R4: the opt-out instruction.
	{name: "r4/provider-channel", steps: one(nothing, accept)},
	{name: "r4/national-channel", steps: one(text(textNational), accept)},
	{name: "r4/arabic-eastern-digits", steps: one(text(textArabic), accept)},
	{name: "r4/advertiser-channel", steps: one(from("KECHSHOP"), accept)},
	{name: "r4/other-advertisers-channel", steps: one(text(textKech), r4chan)},
	{name: "r4/missing", steps: one(text(textMissing), r4miss)},
	{name: "r4/premium", steps: one(text(textPremium), r4chan)},
	{name: "r4/other-providers-code", steps: one(text(textOtherProv), r4chan)},
	{name: "r4/disguised", steps: one(text(textDisguised), r4miss)},
	{name: "r4/reply-to-numeric-sender", steps: one(all(from("5050"), text(textReply)), accept)},
	{name: "r4/reply-to-alphanumeric-sender", steps: one(text(textReply), r4miss)},
	{name: "r4/declared-transactional-is-ignored", steps: one(all(declared(bawwab.CategoryTransactional), text(textMissing)), r4miss)},
	{name: "r4/monitor", cfg: mode(R4, bawwab.Monitor), steps: one(text(textMissing), monitored(bawwab.ReasonOptOutMentionMissing))},
	{name: "r4/cut-over", cfg: cutover(R4, local(2026, 6, 1, 0, 0)), steps: []step{
		{mod: text(textMissing), want: monitored(bawwab.ReasonOptOutMentionMissing)},
		{mod: all(text(textMissing), at(local(2026, 5, 31, 20, 59))), want: monitored(bawwab.ReasonOptOutMentionMissing)},
		{mod: all(text(textMissing), at(local(2026, 6, 1, 8, 0))), want: r4miss},
	}},
	{name: "r4/provider-monitors", cfg: providerMode("atlasvas", R4, RuleMode{Mode: bawwab.Monitor}), steps: []step{
		{mod: text(textMissing), want: monitored(bawwab.ReasonOptOutMentionMissing)},
		{mod: all(as("warn", "WARNMKT"), text(textMissing)), want: r4miss},
	}},
	{name: "r4/provider-enforces-early", cfg: configs(mode(R4, bawwab.Monitor), providerMode("atlasvas", R4, RuleMode{Mode: bawwab.Enforce})), steps: []step{
		{mod: text(textMissing), want: r4miss},
		{mod: all(as("warn", "WARNMKT"), text(textMissing)), want: monitored(bawwab.ReasonOptOutMentionMissing)},
	}},
	{name: "r4/provider-cut-over", cfg: configs(mode(R4, bawwab.Monitor), providerMode("atlasvas", R4, RuleMode{Mode: bawwab.Monitor, EnforceFrom: local(2026, 5, 5, 12, 0)})), steps: []step{
		{mod: all(text(textMissing), at(local(2026, 5, 5, 11, 59))), want: monitored(bawwab.ReasonOptOutMentionMissing)},
		{mod: all(text(textMissing), at(local(2026, 5, 5, 12, 0))), want: r4miss},
		{mod: all(as("warn", "WARNMKT"), text(textMissing), at(local(2026, 5, 5, 12, 0))), want: monitored(bawwab.ReasonOptOutMentionMissing)},
	}},

	// R5: the opposition register.
	{name: "r5/national", setup: stop(bawwab.NationalScope, iamNumber), steps: []step{
		{mod: nothing, want: r5},
		{mod: from("KECHSHOP"), want: r5},
		{mod: all(from("KECHLIVR"), text(textOTP)), want: accept}, // transactional
	}},
	{name: "r5/provider", setup: stop(bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}, iamNumber), steps: []step{
		{mod: nothing, want: r5},
		{mod: from("KECHSHOP"), want: r5},
		{mod: as("warn", "WARNMKT"), want: accept}, // same advertiser, other provider
	}},
	{name: "r5/advertiser", setup: stop(bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}, iamNumber), steps: []step{
		{mod: nothing, want: r5},
		{mod: as("warn", "WARNMKT"), want: r5}, // whatever provider carries it
		{mod: all(from("KECHSHOP"), text(textKech)), want: accept},
		{mod: to("0611223345"), want: accept},
	}},
	{
		name: "r5/ported-number-keeps-its-oppositions",
		setup: func(e *testEnv) {
			stop(bawwab.NationalScope, "0611998877")(e)
			must(e.t, e.ops.Port(number(e.t, "0611998877"), msisdn.Inwi))
		},
		steps: one(all(to("0611998877"), at(local(2026, 6, 2, 10, 0))), r5),
	},
	{name: "r5/monitor-several", cfg: configs(mode(R4, bawwab.Monitor), mode(R5, bawwab.Monitor)),
		setup: stop(bawwab.NationalScope, iamNumber),
		steps: one(text(textMissing), monitored(bawwab.ReasonOptOutMentionMissing))},
	{name: "r5/monitored-then-enforced", cfg: mode(R4, bawwab.Monitor),
		setup: stop(bawwab.NationalScope, iamNumber),
		steps: one(text(textMissing), r5)},

	// R6: consent mode.
	{name: "r6/off", steps: one(nothing, accept)},
	{
		name: "r6/on",
		cfg:  func(c *Config) { c.Consent = true },
		setup: func(e *testEnv) {
			e.cons[consentKey{number(e.t, iamNumber), "atlas-market"}] = true
		},
		steps: []step{
			{mod: nothing, want: accept},
			{mod: from("KECHSHOP"), want: r6},
			{mod: to("0611223345"), want: r6},
			{mod: all(from("KECHLIVR"), text(textOTP)), want: accept},
		},
	},
	{name: "r6/monitor", cfg: configs(func(c *Config) { c.Consent = true }, mode(R6, bawwab.Monitor)),
		steps: one(nothing, monitored(bawwab.ReasonNoConsent))},

	// R7: hours and days, in Africa/Casablanca.
	{name: "r7/window-edges", cfg: noCaps, steps: []step{
		{mod: at(local(2026, 5, 5, 8, 0)), want: accept},
		{mod: at(local(2026, 5, 6, 7, 59)), want: deferred(local(2026, 5, 6, 8, 0))},
		{mod: at(local(2026, 5, 7, 20, 59)), want: accept},
		{mod: at(local(2026, 5, 8, 21, 0)), want: deferred(local(2026, 5, 9, 8, 0))},
	}},
	{name: "r7/across-midnight", cfg: noCaps, steps: []step{
		{mod: at(local(2026, 5, 5, 23, 30)), want: deferred(local(2026, 5, 6, 8, 0))},
		{mod: at(local(2026, 5, 6, 0, 30)), want: deferred(local(2026, 5, 6, 8, 0))},
		// 23:30 UTC is already the next day in Casablanca (UTC+1).
		{mod: at(time.Date(2026, 5, 6, 23, 30, 0, 0, time.UTC)), want: deferred(local(2026, 5, 7, 8, 0))},
	}},
	{name: "r7/reject", cfg: func(c *Config) { c.QuietHours = QuietReject }, steps: []step{
		{mod: at(local(2026, 5, 5, 22, 0)), want: r7},
		{mod: all(at(local(2026, 5, 5, 22, 0)), from("KECHLIVR"), text(textOTP)), want: accept},
	}},
	{name: "r7/ramadan-2026", cfg: noCaps, steps: []step{
		// Morocco leaves UTC+1 for UTC+0 on 15 February 2026 at 03:00 and
		// comes back on 22 March at 02:00: the window follows the clocks.
		{mod: at(local(2026, 2, 14, 21, 30)), want: deferred(time.Date(2026, 2, 15, 8, 0, 0, 0, time.UTC))},
		{mod: at(time.Date(2026, 2, 15, 7, 30, 0, 0, time.UTC)), want: deferred(time.Date(2026, 2, 15, 8, 0, 0, 0, time.UTC))},
		{mod: at(time.Date(2026, 2, 16, 7, 30, 0, 0, time.UTC)), want: deferred(local(2026, 2, 16, 8, 0))},
		{mod: at(time.Date(2026, 2, 16, 8, 0, 0, 0, time.UTC)), want: accept},
		{mod: at(time.Date(2026, 2, 16, 20, 30, 0, 0, time.UTC)), want: accept},
		{mod: at(time.Date(2026, 3, 21, 21, 30, 0, 0, time.UTC)), want: deferred(time.Date(2026, 3, 22, 7, 0, 0, 0, time.UTC))},
		{mod: at(time.Date(2026, 3, 22, 7, 0, 0, 0, time.UTC)), want: accept},
		{mod: at(time.Date(2026, 3, 22, 20, 0, 0, 0, time.UTC)), want: deferred(local(2026, 3, 23, 8, 0))},
	}},
	{name: "r7/window-over-midnight", cfg: configs(noCaps, func(c *Config) { c.Hours = Hours{From: 20 * 60, Until: 2 * 60} }), steps: []step{
		{mod: at(local(2026, 5, 5, 23, 0)), want: accept},
		{mod: at(local(2026, 5, 6, 1, 59)), want: accept},
		{mod: at(local(2026, 5, 6, 2, 0)), want: deferred(local(2026, 5, 6, 20, 0))},
		{mod: at(local(2026, 5, 6, 10, 0)), want: deferred(local(2026, 5, 6, 20, 0))},
	}},
	{name: "r7/no-send-weekday", cfg: configs(noCaps, func(c *Config) { c.NoSendWeekdays = []Weekday{Weekday(time.Friday)} }), steps: []step{
		{mod: at(local(2026, 5, 7, 21, 30)), want: deferred(local(2026, 5, 9, 8, 0))},
		{mod: at(local(2026, 5, 8, 10, 0)), want: deferred(local(2026, 5, 9, 8, 0))},
		{mod: at(local(2026, 5, 9, 10, 0)), want: accept},
	}},
	{name: "r7/no-send-dates", cfg: func(c *Config) {
		c.NoSendDates = []Date{{2026, 5, 5}, {2026, 5, 6}}
		c.NoSendWeekdays = []Weekday{Weekday(time.Thursday)}
	}, steps: []step{
		{mod: nothing, want: deferred(local(2026, 5, 8, 8, 0))},
		{mod: at(local(2026, 5, 4, 22, 0)), want: deferred(local(2026, 5, 8, 8, 0))},
	}},
	{name: "r7/monitor", cfg: mode(R7, bawwab.Monitor), steps: one(at(local(2026, 5, 5, 22, 0)), monitored(bawwab.ReasonQuietHours))},
	{name: "r7/monitor-reject", cfg: configs(mode(R7, bawwab.Monitor), func(c *Config) { c.QuietHours = QuietReject }),
		steps: one(at(local(2026, 5, 5, 22, 0)), monitored(bawwab.ReasonQuietHours))},
	{name: "r7/deferred-and-monitored", cfg: mode(R4, bawwab.Monitor),
		steps: one(all(text(textMissing), at(local(2026, 5, 5, 22, 0))), deferred(local(2026, 5, 6, 8, 0)))},

	// R8: daily caps per recipient, in Africa/Casablanca days.
	{name: "r8/per-advertiser", steps: []step{
		{mod: nothing, want: accept},
		{mod: from("5050"), want: accept},
		{mod: nothing, want: r8},
		{mod: as("warn", "WARNMKT"), want: r8}, // same advertiser through another provider
		{mod: to("0611223345"), want: accept},
	}},
	{name: "r8/total", steps: []step{
		{mod: nothing, want: accept},
		{mod: nothing, want: accept},
		{mod: all(from("KECHSHOP"), text(textKech)), want: accept},
		{mod: all(from("KECHSHOP"), text(textKech)), want: accept},
		{mod: from("BANQSUD"), want: r8},
		{mod: all(from("KECHLIVR"), text(textOTP)), want: accept}, // transactional: not counted
	}},
	{name: "r8/day-boundary", steps: []step{
		{mod: at(local(2026, 5, 5, 20, 0)), want: accept},
		{mod: at(local(2026, 5, 5, 20, 30)), want: accept},
		{mod: at(local(2026, 5, 5, 20, 59)), want: r8},
		{mod: at(local(2026, 5, 6, 8, 0)), want: accept},
	}},
	{name: "r8/deferred-counts-on-delivery-day", steps: []step{
		{mod: at(local(2026, 5, 5, 10, 0)), want: accept},
		{mod: at(local(2026, 5, 5, 11, 0)), want: accept},
		{mod: at(local(2026, 5, 5, 22, 0)), want: deferred(local(2026, 5, 6, 8, 0))},
		{mod: at(local(2026, 5, 5, 22, 30)), want: deferred(local(2026, 5, 6, 8, 0))},
		{mod: at(local(2026, 5, 5, 23, 0)), want: r8},
		{mod: at(local(2026, 5, 6, 9, 0)), want: r8},
	}},
	{name: "r8/release", steps: []step{
		{mod: nothing, want: accept},
		{mod: nothing, want: accept, release: true},
		{mod: nothing, want: accept},
		{mod: nothing, want: r8},
	}},
	{name: "r8/monitor", cfg: mode(R8, bawwab.Monitor), steps: []step{
		{mod: nothing, want: accept},
		{mod: nothing, want: accept},
		{mod: nothing, want: monitored(bawwab.ReasonFrequencyCap)},
	}},
	{name: "r8/off", cfg: func(c *Config) { c.CapPerAdvertiser, c.CapTotal = 0, 0 }, steps: []step{
		{mod: nothing, want: accept},
		{mod: nothing, want: accept},
		{mod: nothing, want: accept},
	}},
	{name: "r8/one-a-day", cfg: func(c *Config) { c.CapPerAdvertiser, c.CapTotal = 1, 1 }, steps: []step{
		{mod: nothing, want: accept},
		{mod: from("KECHSHOP"), want: r8},
	}},
	{name: "r8/foreign", cfg: func(c *Config) { c.ForeignRecipients = true }, steps: []step{
		{mod: to("+33612345678"), want: accept},
		{mod: to("+33612345678"), want: accept},
		{mod: to("+33612345678"), want: r8},
	}},

	// R9: commercial content under a transactional sender ID.
	{name: "r9/service-message", steps: one(all(from("KECHLIVR"), text(textOTP)), accept)},
	{name: "r9/flag", steps: one(all(from("KECHLIVR"), text(textPromo)), flagged)},
	{name: "r9/reject", cfg: func(c *Config) { c.Mislabelled = MislabelledReject },
		steps: one(all(from("KECHLIVR"), text(textPromo)), r9)},
	{name: "r9/reject-monitored", cfg: configs(func(c *Config) { c.Mislabelled = MislabelledReject }, mode(R9, bawwab.Monitor)),
		steps: one(all(from("KECHLIVR"), text(textPromo)), monitored(bawwab.ReasonMislabelledCommercial))},
	{name: "r9/declared-commercial", steps: []step{
		// The commercial rules apply, and the sender ID is mislabelled.
		{mod: all(from("KECHLIVR"), declared(bawwab.CategoryCommercial), text(textKech)), want: flagged},
		{mod: all(from("KECHLIVR"), declared(bawwab.CategoryCommercial), text(textMissing)), want: r4miss},
	}},
	{name: "r9/declared-commercial-reject", cfg: func(c *Config) { c.Mislabelled = MislabelledReject }, steps: []step{
		{mod: all(from("KECHLIVR"), declared(bawwab.CategoryCommercial), text(textKech)), want: r9},
		// The slot R8 took for the rejected message was given back.
		{mod: all(from("KECHSHOP"), text(textKech)), want: accept},
		{mod: all(from("KECHSHOP"), text(textKech)), want: accept},
	}},
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRules runs every case and compares the whole result of each step
// with testdata/rules.golden (go test -run TestRules -update rewrites it);
// each step's decision is also checked against the case's expectation.
func TestRules(t *testing.T) {
	var golden bytes.Buffer
	seen := map[string]bool{}
	for _, c := range ruleCases {
		if seen[c.name] {
			t.Fatalf("two cases named %s", c.name)
		}
		seen[c.name] = true
		cfg := DefaultConfig()
		if c.cfg != nil {
			c.cfg(&cfg)
		}
		e := newTestEnv(t, cfg)
		if c.setup != nil {
			c.setup(e)
		}
		fmt.Fprintf(&golden, "## %s\n", c.name)
		for i, st := range c.steps {
			s := e.submission()
			st.mod(e, &s)
			r := e.eng.Decide(&s)
			if got := r.Decision.String(); got != st.want {
				t.Errorf("%s step %d: got %s, want %s\n\t%s", c.name, i+1, got, st.want, r.Explain())
			}
			if r.RuleSet != e.eng.RuleSet() {
				t.Errorf("%s step %d: rule set %q, want %q", c.name, i+1, r.RuleSet, e.eng.RuleSet())
			}
			checkResult(t, c.name, &s, &r)
			fmt.Fprintf(&golden, "%d. %s\n", i+1, describe(&s, &r))
			if st.release {
				e.eng.Release(r.Reservation)
			}
		}
	}
	compareGolden(t, "rules.golden", golden.Bytes())
}

// checkResult checks the invariants of every result.
func checkResult(t *testing.T, name string, s *Submission, r *Result) {
	t.Helper()
	switch {
	case r.Outcome == bawwab.Reject && (r.Monitored || r.Rule == NoRule || !r.Findings.Has(r.Rule) || !r.Reservation.IsZero()):
		t.Errorf("%s: inconsistent reject: %+v", name, r.Decision)
	case r.Outcome == bawwab.Defer && (r.Until.IsZero() || !r.Until.After(s.Time) || r.Rule != R7):
		t.Errorf("%s: inconsistent defer: %+v", name, r.Decision)
	case r.Outcome == bawwab.Accept && r.Reason != bawwab.ReasonNone && !r.Monitored:
		t.Errorf("%s: accepted with a reason but not monitored: %+v", name, r.Decision)
	case r.Monitored && (r.Rule == NoRule || !r.Findings.Has(r.Rule)):
		t.Errorf("%s: monitored without its rule: %+v", name, r)
	}
	if r.Reason != bawwab.ReasonNone && !r.Reason.Valid() {
		t.Errorf("%s: unknown reason %q", name, r.Reason)
	}
	if info, ok := r.Reason.Info(); ok && r.Rule != NoRule && info.Rule != r.Rule.String() {
		t.Errorf("%s: reason %s belongs to %s, decided by %s", name, r.Reason, info.Rule, r.Rule)
	}
	if start, end, ok := r.Span(); ok && (start < 0 || end > len(s.Text) || start >= end) {
		t.Errorf("%s: span [%d,%d) outside the text", name, start, end)
	}
}

// describe is the golden form of a result: the decision, the rule and its
// detail, every finding, what the gateway gets besides, and the
// explanation.
func describe(s *Submission, r *Result) string {
	var b strings.Builder
	b.WriteString(r.Decision.String())
	if r.Rule != NoRule {
		fmt.Fprintf(&b, " | %s %s", r.Rule, r.Detail)
	}
	if r.Findings != 0 {
		fmt.Fprintf(&b, " | findings %s", r.Findings)
	}
	fmt.Fprintf(&b, " | %s %s/%s", r.Category, r.ProviderID, r.AdvertiserID)
	if r.TextChecked {
		fmt.Fprintf(&b, " | text %s", r.Text.Verdict)
		if start, end, ok := r.Span(); ok {
			fmt.Fprintf(&b, " %q", s.Text[start:end])
		}
	}
	if !r.Reservation.IsZero() {
		fmt.Fprintf(&b, " | counted %s", time.Unix(int64(r.Reservation.Day)*86400, 0).UTC().Format(time.DateOnly))
	}
	fmt.Fprintf(&b, "\n   %s", r.Explain())
	return b.String()
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		must(t, os.MkdirAll("testdata", 0o755))
		must(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%s is missing: run go test -run %s -update", path, t.Name())
	}
	must(t, err)
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(go test -run %s -update rewrites it; review the diff)", path, i+1, g, w, t.Name())
			}
		}
	}
}
