package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"github.com/bawwab/bawwab"
)

// ConsentService keeps consents on SQLite.
type ConsentService struct {
	db *DB
}

var _ bawwab.ConsentService = (*ConsentService)(nil)

// NewConsentService returns the consents of db.
func NewConsentService(db *DB) *ConsentService { return &ConsentService{db: db} }

// A consent lapses when its number was reassigned after it was given.
const consentCols = `c.seq, c.msisdn, c.advertiser_id, c.basis, c.at, c.channel, c.evidence_hash,
	EXISTS (SELECT 1 FROM number_events e WHERE e.msisdn = c.msisdn AND e.kind = 0 AND e.at > c.at)`

func scanConsent(s scanner) (*bawwab.Consent, error) {
	var c bawwab.Consent
	var n, at int64
	if err := s.Scan(&c.Seq, &n, &c.AdvertiserID, &c.Basis, &at, &c.Channel, &c.EvidenceHash, &c.Lapsed); err != nil {
		return nil, fmt.Errorf("read consent: %w", err)
	}
	c.MSISDN = msisdnOf(n)
	c.At = fromMicros(sql.NullInt64{Int64: at, Valid: true})
	return &c, nil
}

// advertiserChecker checks consents' advertisers during one write
// transaction, remembering the answers.
type advertiserChecker struct {
	tx         *sql.Tx
	known      map[string]error
	tenant     string
	restricted bool
}

func newAdvertiserChecker(ctx context.Context, tx *sql.Tx) *advertiserChecker {
	c := &advertiserChecker{tx: tx, known: map[string]error{}}
	c.tenant, c.restricted = tenant(ctx)
	return c
}

func (c *advertiserChecker) check(ctx context.Context, id string) error {
	if err, ok := c.known[id]; ok {
		return err
	}
	err := refExists(ctx, c.tx, "advertiser_id", "advertisers", "id", id, "advertiser")
	if err == nil && c.restricted {
		if err = actsFor(ctx, c.tx, "advertiser_id", c.tenant, id); bawwab.ErrorCode(err) == bawwab.EINVALID {
			err = forbidden("record consents for advertiser " + id)
		}
	}
	if bawwab.ErrorCode(err) != bawwab.EINTERNAL {
		c.known[id] = err
	}
	return err
}

func (s *ConsentService) prepare(c *bawwab.Consent) (int64, error) {
	if c.At.IsZero() {
		c.At = s.db.Now()
	}
	c.At = utc(c.At)
	c.Lapsed = false
	if err := c.Validate(); err != nil {
		return 0, err
	}
	return number(c.MSISDN)
}

const insertConsent = "INSERT INTO consents (seq, msisdn, advertiser_id, basis, at, channel, evidence_hash) VALUES (?, ?, ?, ?, ?, ?, ?)"

// RecordConsent implements bawwab.ConsentService.
func (s *ConsentService) RecordConsent(ctx context.Context, c *bawwab.Consent) error {
	n, err := s.prepare(c)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if err := newAdvertiserChecker(ctx, tx).check(ctx, c.AdvertiserID); err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx, 1)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, insertConsent, seq, n, c.AdvertiserID, int(c.Basis), c.At.UnixMicro(), c.Channel, c.EvidenceHash); err != nil {
			return fmt.Errorf("record consent: %w", err)
		}
		c.Seq = seq
		return nil
	})
}

// ImportConsents implements bawwab.ConsentService.
func (s *ConsentService) ImportConsents(ctx context.Context, consents iter.Seq2[bawwab.Consent, error]) (bawwab.ImportResult, error) {
	var res bawwab.ImportResult
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		chk := newAdvertiserChecker(ctx, tx)
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&last); err != nil {
			return fmt.Errorf("read change sequence: %w", err)
		}
		ins := newBatchInsert(tx, "consents", "seq, msisdn, advertiser_id, basis, at, channel, evidence_hash", 7)
		defer ins.close()
		for c, err := range consents {
			if err != nil {
				return err
			}
			res.Records++
			n, err := s.prepare(&c)
			if err == nil {
				err = chk.check(ctx, c.AdvertiserID)
			}
			if err != nil {
				return &bawwab.ImportError{Record: res.Records, Err: err}
			}
			if err := ins.add(ctx, last+res.Records, n, c.AdvertiserID, int(c.Basis), c.At.UnixMicro(), c.Channel, c.EvidenceHash); err != nil {
				return fmt.Errorf("import consents: %w", err)
			}
		}
		if err := ins.flush(ctx); err != nil {
			return fmt.Errorf("import consents: %w", err)
		}
		if res.Records == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE seq SET last = ? WHERE id = 1", last+res.Records); err != nil {
			return fmt.Errorf("advance change sequence: %w", err)
		}
		res.Changes, res.FirstSeq, res.LastSeq = res.Records, last+1, last+res.Records
		return ctx.Err()
	})
	if err != nil {
		return bawwab.ImportResult{Records: res.Records}, err
	}
	return res, nil
}

func consentTenant(ctx context.Context, c *cond) {
	if p, ok := tenant(ctx); ok {
		c.conds = append(c.conds, "c.advertiser_id IN ("+providersAdvertisers+")")
		c.args = append(c.args, p)
	}
}

// FindConsents implements bawwab.ConsentService.
func (s *ConsentService) FindConsents(ctx context.Context, f bawwab.ConsentFilter) ([]*bawwab.Consent, error) {
	c := cond{conds: []string{"c.seq > ?"}, args: []any{f.AfterSeq}}
	if f.MSISDN != nil {
		n, err := number(*f.MSISDN)
		if err != nil {
			return nil, err
		}
		c.eq("c.msisdn", n)
	}
	eqIf(&c, "c.advertiser_id", f.AdvertiserID, str)
	consentTenant(ctx, &c)
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	return s.query(ctx, "SELECT "+consentCols+" FROM consents c"+whereClause(c.conds)+" ORDER BY c.seq LIMIT ?", append(c.args, limit)...)
}

// FindConsent implements bawwab.ConsentService.
func (s *ConsentService) FindConsent(ctx context.Context, msisdn, advertiserID string) (*bawwab.Consent, error) {
	n, err := number(msisdn)
	if err != nil {
		return nil, err
	}
	c := cond{conds: []string{"c.msisdn = ?", "c.advertiser_id = ?"}, args: []any{n, advertiserID}}
	consentTenant(ctx, &c)
	out, err := s.query(ctx, "SELECT * FROM (SELECT "+consentCols+" AS lapsed FROM consents c"+whereClause(c.conds)+
		") WHERE NOT lapsed ORDER BY seq DESC LIMIT 1", c.args...)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no consent in force for this number and advertiser %q", advertiserID)
	}
	return out[0], nil
}

func (s *ConsentService) query(ctx context.Context, query string, args ...any) ([]*bawwab.Consent, error) {
	rows, err := s.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find consents: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// NumberService keeps number events on SQLite.
type NumberService struct {
	db *DB
}

var _ bawwab.NumberService = (*NumberService)(nil)

// NewNumberService returns the number events of db.
func NewNumberService(db *DB) *NumberService { return &NumberService{db: db} }

// RecordNumberEvent implements bawwab.NumberService.
func (s *NumberService) RecordNumberEvent(ctx context.Context, e *bawwab.NumberEvent) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("record number events")
	}
	if e.At.IsZero() {
		e.At = s.db.Now()
	}
	e.At = utc(e.At)
	if err := e.Validate(); err != nil {
		return err
	}
	n, err := number(e.MSISDN)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if e.OperatorID != "" {
			if err := refExists(ctx, tx, "operator_id", "operators", "id", e.OperatorID, "operator"); err != nil {
				return err
			}
		}
		seq, err := nextSeq(ctx, tx, 1)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO number_events (seq, msisdn, kind, operator_id, at) VALUES (?, ?, ?, ?, ?)",
			seq, n, int(e.Kind), nullString(e.OperatorID), e.At.UnixMicro()); err != nil {
			return fmt.Errorf("record number event: %w", err)
		}
		e.Seq = seq
		return nil
	})
}

const numberEventCols = "seq, msisdn, kind, operator_id, at"

func scanNumberEvent(s scanner) (*bawwab.NumberEvent, error) {
	var e bawwab.NumberEvent
	var n, at int64
	var op sql.NullString
	if err := s.Scan(&e.Seq, &n, &e.Kind, &op, &at); err != nil {
		return nil, fmt.Errorf("read number event: %w", err)
	}
	e.MSISDN, e.OperatorID = msisdnOf(n), op.String
	e.At = fromMicros(sql.NullInt64{Int64: at, Valid: true})
	return &e, nil
}

// FindNumberEvents implements bawwab.NumberService.
func (s *NumberService) FindNumberEvents(ctx context.Context, f bawwab.NumberEventFilter) ([]*bawwab.NumberEvent, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("read number events")
	}
	c := cond{conds: []string{"seq > ?"}, args: []any{f.AfterSeq}}
	if f.MSISDN != nil {
		n, err := number(*f.MSISDN)
		if err != nil {
			return nil, err
		}
		c.eq("msisdn", n)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.read.QueryContext(ctx, "SELECT "+numberEventCols+" FROM number_events"+whereClause(c.conds)+
		" ORDER BY seq LIMIT ?", append(c.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("find number events: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.NumberEvent
	for rows.Next() {
		e, err := scanNumberEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
