package main

import (
	"context"
	"io"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
	"github.com/bawwab/bawwab/registrycsv"
)

var consentFormat = registrycsv.Format{Columns: []registrycsv.Column{
	{Name: "msisdn", Required: true, Doc: "the number, in any usual form (see bawwab optout -help)"},
	{Name: "advertiser_id", Required: true, Doc: "the advertiser the consent is given to"},
	{Name: "basis", Required: false, Doc: "consent (default: prior consent) or customer (existing customer, analogous products)"},
	{Name: "at", Required: false, Doc: "when it was given (default: the time of the import)"},
	{Name: "channel", Required: false, Doc: "where: web, shop, import (default)..."},
	{Name: "evidence_hash", Required: false, Doc: "hash of the proof the advertiser keeps: sha256:9f86d0..."},
}}

func init() {
	register(&Command{
		Name:     "consent",
		Synopsis: "import FILE",
		Summary:  "load consents and existing-customer records (rule R6) from CSV",
		Help: `Append consents to the store: the records rule R6 looks for when consent
mode is on (law 09-08, article 10: prior consent, or an existing customer
for analogous products). A consent lapses when the operator reports the
number reassigned after it was given.

  bawwab consent import FILE   (FILE "-": standard input)

The import streams and is all or nothing, like optout import. Columns:

` + consentFormat.Doc("  ") + `
` + storeHelp + `

` + ledgerRecordHelp + `

Example:
  bawwab consent import fidelite.csv --data /var/lib/bawwab`,
		Run: runConsent,
	})
}

func runConsent(ctx context.Context, c *Command, args []string, stdio *IO) error {
	fs := c.FlagSet()
	sf := addStoreFlags(fs)
	actor := addActorFlag(fs)
	pos, err := parseArgs(c, fs, args, stdio)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "import" {
		return usageErrorf("want: consent import FILE")
	}
	in, size, err := openInput(pos[1], stdio)
	if err != nil {
		return err
	}
	defer in.Close()
	st, closeStore, err := sf.open(ctx, fs)
	if err != nil {
		return err
	}
	defer closeStore()
	start := time.Now()
	bar := progress.New(stdio.Err, size, "importing consents", "lines")
	res, err := importConsents(ctx, st, bar.Reader(in), bar, time.Now)
	bar.Finish()
	if err != nil {
		return importFailure(err)
	}
	printSummary(stdio.Err, "consents", res, time.Since(start))
	return recordCLIChange(ctx, sf, st, importChange(bawwab.EntryRegistryChange, "consents", pos[1], cliActor(*actor), res), stdio.Err)
}

// importConsents streams a consent CSV into the store in one transaction.
func importConsents(ctx context.Context, st bawwab.Store, in io.Reader, bar *progress.Bar, now func() time.Time) (bawwab.ImportResult, error) {
	r, err := registrycsv.NewReader(in, "", consentFormat)
	if err != nil {
		return bawwab.ImportResult{}, &registrycsv.RejectedError{Errs: []error{err}, Count: 1}
	}
	rej := &registrycsv.RejectedError{}
	at := now().UTC()
	src := csvRows(r, bar, rej, func() (bawwab.Consent, error) { return parseConsent(r, at) })
	res, err := st.Consents.ImportConsents(ctx, src)
	return csvImported(r, rej, res, err)
}

func parseConsent(r *registrycsv.Reader, now time.Time) (bawwab.Consent, error) {
	c := bawwab.Consent{AdvertiserID: r.Get("advertiser_id"), Channel: r.Get("channel"), EvidenceHash: r.Get("evidence_hash"), At: now}
	var err error
	if c.MSISDN, err = normalizeMSISDN(r.Get("msisdn")); err != nil {
		return c, r.Fail("msisdn", err)
	}
	if v := r.Get("basis"); v != "" {
		if c.Basis, err = bawwab.ParseLegalBasis(v); err != nil {
			return c, r.Fail("basis", err)
		}
	}
	if v := r.Get("at"); v != "" {
		if c.At, err = registrycsv.ParseTime(v); err != nil {
			return c, r.Fail("at", err)
		}
	}
	if c.Channel == "" {
		c.Channel = "import"
	}
	if err := c.Validate(); err != nil {
		return c, r.RecordError(err, nil)
	}
	return c, nil
}
