package main

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/internal/progress"
)

var consentFormat = csvFormat{columns: []column{
	{"msisdn", true, "the number, in any usual form (see bawwab optout -help)"},
	{"advertiser_id", true, "the advertiser the consent is given to"},
	{"basis", false, "consent (default: prior consent) or customer (existing customer, analogous products)"},
	{"at", false, "when it was given (default: the time of the import)"},
	{"channel", false, "where: web, shop, import (default)..."},
	{"evidence_hash", false, "hash of the proof the advertiser keeps: sha256:9f86d0..."},
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

` + consentFormat.doc("  ") + `
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
	r, err := newCSVReader(in, "", consentFormat)
	if err != nil {
		return bawwab.ImportResult{}, &rejectedError{errs: []error{err}, count: 1}
	}
	rej := &rejectedError{}
	at := now().UTC()
	src := func(yield func(bawwab.Consent, error) bool) {
		for {
			err := r.next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rej.add(err)
				break
			}
			bar.Record()
			c, err := parseConsent(r, at)
			if err != nil {
				rej.add(err)
				continue
			}
			if rej.count == 0 && !yield(c, nil) {
				return
			}
		}
		if rej.count > 0 {
			yield(bawwab.Consent{}, rej)
		}
	}
	res, err := st.Consents.ImportConsents(ctx, src)
	var ie *bawwab.ImportError
	if errors.As(err, &ie) {
		rej.add(r.recordError(ie.Err, nil))
		return res, rej
	}
	return res, err
}

func parseConsent(r *csvReader, now time.Time) (bawwab.Consent, error) {
	c := bawwab.Consent{AdvertiserID: r.get("advertiser_id"), Channel: r.get("channel"), EvidenceHash: r.get("evidence_hash"), At: now}
	var err error
	if c.MSISDN, err = normalizeMSISDN(r.get("msisdn")); err != nil {
		return c, r.fail("msisdn", err)
	}
	if v := r.get("basis"); v != "" {
		if c.Basis, err = bawwab.ParseLegalBasis(v); err != nil {
			return c, r.fail("basis", err)
		}
	}
	if v := r.get("at"); v != "" {
		if c.At, err = parseTime(v); err != nil {
			return c, r.fail("at", err)
		}
	}
	if c.Channel == "" {
		c.Channel = "import"
	}
	if err := c.Validate(); err != nil {
		return c, r.recordError(err, nil)
	}
	return c, nil
}
