package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
)

// ComplaintService keeps complaint cases and looks up deliveries, on
// PostgreSQL.
type ComplaintService struct {
	db *DB
}

var _ bawwab.ComplaintService = (*ComplaintService)(nil)

// NewComplaintService returns the cases of db.
func NewComplaintService(db *DB) *ComplaintService { return &ComplaintService{db: db} }

const complaintCols = "id, status, channel, reporter, reported_at, received_at, sender_id, text, fingerprint, provider_id, advertiser_id, operator_id, matches"

// CreateComplaint implements bawwab.ComplaintService.
func (s *ComplaintService) CreateComplaint(ctx context.Context, c *bawwab.Complaint) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("record complaints")
	}
	normComplaint(c)
	if err := c.Validate(); err != nil {
		return err
	}
	matches, err := json.Marshal(c.Matches)
	if err != nil {
		return fmt.Errorf("encode matches: %w", err)
	}
	if c.Matches == nil {
		matches = []byte("[]")
	}
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO complaints (status, channel, reporter, reported_at, received_at, sender_id, text, fingerprint,
			provider_id, advertiser_id, operator_id, matches, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			int16(c.Status), c.Channel, c.Reporter.String(), c.ReportedAt, c.ReceivedAt, c.SenderID, c.Text,
			c.Fingerprint, c.ProviderID, c.AdvertiserID, c.OperatorID, string(matches), decidedAt(c)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("record complaint: %w", err)
		}
		for i := range c.Events {
			if err := insertEvent(ctx, tx, c.ID, &c.Events[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func normComplaint(c *bawwab.Complaint) {
	c.ReportedAt, c.ReceivedAt = utc(c.ReportedAt), utc(c.ReceivedAt)
	for i := range c.Matches {
		c.Matches[i].At = utc(c.Matches[i].At)
	}
	if len(c.Fingerprint) == 0 {
		c.Fingerprint = nil
	}
	for i := range c.Events {
		c.Events[i].At = utc(c.Events[i].At)
		if c.Events[i].LedgerIndex == 0 && c.Events[i].Origin == "" {
			c.Events[i].LedgerIndex = -1
		}
	}
}

func decidedAt(c *bawwab.Complaint) any {
	for _, e := range c.Events {
		if e.Action == bawwab.ComplaintActionConfirmed || e.Action == bawwab.ComplaintActionDismissed {
			return e.At
		}
	}
	return nil
}

func nullIndex(i int64) any {
	if i < 0 {
		return nil
	}
	return i
}

func insertEvent(ctx context.Context, tx pgx.Tx, caseID int64, e *bawwab.ComplaintEvent) error {
	err := tx.QueryRow(ctx, "INSERT INTO complaint_events (complaint_id, at, action, actor, reason, origin, ledger_index) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
		caseID, e.At, e.Action, e.Actor.String(), e.Reason, e.Origin, nullIndex(e.LedgerIndex)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("record complaint event: %w", err)
	}
	return nil
}

func (s *ComplaintService) where(ctx context.Context, f bawwab.ComplaintFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v ...any) { conds = append(conds, cond); args = append(args, v...) }
	if p, ok := tenant(ctx); ok {
		add("provider_id = ?", p)
	}
	if f.ID != nil {
		add("id = ?", *f.ID)
	}
	if f.Status != nil {
		add("status = ?", int16(*f.Status))
	}
	if f.ProviderID != nil {
		add("provider_id = ?", *f.ProviderID)
	}
	if f.OperatorID != nil {
		add("operator_id = ?", *f.OperatorID)
	}
	if len(f.Reporters) > 0 {
		rs := make([]string, len(f.Reporters))
		for i, p := range f.Reporters {
			rs[i] = p.String()
		}
		add("reporter = ANY(?)", rs)
	}
	if !f.Since.IsZero() {
		add("received_at >= ?", f.Since)
	}
	if !f.Before.IsZero() {
		add("received_at < ?", f.Before)
	}
	if !f.DecidedSince.IsZero() {
		add("decided_at >= ?", f.DecidedSince)
	}
	if f.PendingLedger {
		conds = append(conds, "id IN (SELECT complaint_id FROM complaint_events WHERE ledger_index IS NULL)")
	}
	return whereClause(conds), args
}

// FindComplaintByID implements bawwab.ComplaintService.
func (s *ComplaintService) FindComplaintByID(ctx context.Context, id int64) (*bawwab.Complaint, error) {
	cs, _, err := s.FindComplaints(ctx, bawwab.ComplaintFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "complaint %d not found", id)
	}
	return cs[0], nil
}

// FindComplaints implements bawwab.ComplaintService.
func (s *ComplaintService) FindComplaints(ctx context.Context, f bawwab.ComplaintFilter) ([]*bawwab.Complaint, int, error) {
	w, args := s.where(ctx, f)
	var out []*bawwab.Complaint
	var total int
	err := s.db.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, rebind("SELECT count(*) FROM complaints"+w), args...).Scan(&total); err != nil {
			return err
		}
		q := "SELECT " + complaintCols + " FROM complaints" + w + " ORDER BY id DESC"
		if f.Limit > 0 {
			q += fmt.Sprintf(" LIMIT %d", f.Limit)
		}
		if f.Offset > 0 {
			q += fmt.Sprintf(" OFFSET %d", f.Offset)
		}
		rows, err := tx.Query(ctx, rebind(q), args...)
		if err != nil {
			return err
		}
		byID := map[int64]*bawwab.Complaint{}
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, c)
			byID[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return loadEvents(ctx, tx, byID)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find complaints: %w", err)
	}
	return out, total, nil
}

func scanComplaint(sc scanner) (*bawwab.Complaint, error) {
	c := new(bawwab.Complaint)
	var reporter string
	var matches []byte
	var status int16
	if err := sc.Scan(&c.ID, &status, &c.Channel, &reporter, &c.ReportedAt, &c.ReceivedAt, &c.SenderID, &c.Text,
		&c.Fingerprint, &c.ProviderID, &c.AdvertiserID, &c.OperatorID, &matches); err != nil {
		return nil, err
	}
	c.Status = bawwab.ComplaintStatus(status)
	var err error
	if c.Reporter, err = bawwab.ParsePseudonym(reporter); err != nil {
		return nil, err
	}
	c.ReportedAt, c.ReceivedAt = c.ReportedAt.UTC(), c.ReceivedAt.UTC()
	if len(c.Fingerprint) == 0 {
		c.Fingerprint = nil
	}
	if err := json.Unmarshal(matches, &c.Matches); err != nil {
		return nil, fmt.Errorf("decode matches of case %d: %w", c.ID, err)
	}
	if len(c.Matches) == 0 {
		c.Matches = nil
	}
	for i := range c.Matches {
		c.Matches[i].At = c.Matches[i].At.UTC()
	}
	return c, nil
}

func loadEvents(ctx context.Context, tx pgx.Tx, byID map[int64]*bawwab.Complaint) error {
	if len(byID) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	rows, err := tx.Query(ctx, "SELECT id, complaint_id, at, action, actor, reason, origin, ledger_index FROM complaint_events WHERE complaint_id = ANY($1) ORDER BY id", ids)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e bawwab.ComplaintEvent
		var caseID int64
		var actor string
		var idx *int64
		if err := rows.Scan(&e.ID, &caseID, &e.At, &e.Action, &actor, &e.Reason, &e.Origin, &idx); err != nil {
			return err
		}
		e.At = e.At.UTC()
		if e.Actor, err = bawwab.ParseActor(actor); err != nil {
			return err
		}
		e.LedgerIndex = -1
		if idx != nil {
			e.LedgerIndex = *idx
		}
		c := byID[caseID]
		c.Events = append(c.Events, e)
	}
	return rows.Err()
}

// DecideComplaint implements bawwab.ComplaintService.
func (s *ComplaintService) DecideComplaint(ctx context.Context, id int64, to bawwab.ComplaintStatus, ev bawwab.ComplaintEvent) (*bawwab.Complaint, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("decide complaints")
	}
	if !ev.Actor.MayDecideComplaints() {
		return nil, bawwab.Errorf(bawwab.EFORBIDDEN, "only a regulator or an operator decides a complaint")
	}
	want := map[bawwab.ComplaintStatus]string{bawwab.ComplaintConfirmed: bawwab.ComplaintActionConfirmed, bawwab.ComplaintDismissed: bawwab.ComplaintActionDismissed}[to]
	if want == "" || ev.Action != want {
		return nil, bawwab.Errorf(bawwab.EINVALID, "a case is decided confirmed or dismissed, with the matching action")
	}
	ev.At = utc(ev.At)
	if ev.LedgerIndex == 0 && ev.Origin == "" {
		ev.LedgerIndex = -1
	}
	if err := ev.Validate(); err != nil {
		return nil, err
	}
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var status int16
		err := tx.QueryRow(ctx, "SELECT status FROM complaints WHERE id = $1 FOR UPDATE", id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return bawwab.Errorf(bawwab.ENOTFOUND, "complaint %d not found", id)
		}
		if err != nil {
			return err
		}
		if bawwab.ComplaintStatus(status) != bawwab.ComplaintOpen {
			return bawwab.Errorf(bawwab.ECONFLICT, "complaint %d is %s, not open", id, bawwab.ComplaintStatus(status))
		}
		if _, err := tx.Exec(ctx, "UPDATE complaints SET status = $1, decided_at = $2 WHERE id = $3", int16(to), ev.At, id); err != nil {
			return err
		}
		return insertEvent(ctx, tx, id, &ev)
	})
	if err != nil {
		return nil, fmt.Errorf("decide complaint %d: %w", id, err)
	}
	return s.FindComplaintByID(ctx, id)
}

// SetComplaintEventLedgerIndex implements bawwab.ComplaintService.
func (s *ComplaintService) SetComplaintEventLedgerIndex(ctx context.Context, eventID int64, origin string, index int64) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("change complaints")
	}
	tag, err := s.db.pool.Exec(ctx, "UPDATE complaint_events SET origin = $1, ledger_index = $2 WHERE id = $3", origin, index, eventID)
	if err != nil {
		return fmt.Errorf("record ledger index: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bawwab.Errorf(bawwab.ENOTFOUND, "complaint event %d not found", eventID)
	}
	return nil
}

// recipientKey is how the delivery index keys a pseudonym: its key id and
// the first 8 bytes of its HMAC.
func recipientKey(p bawwab.Pseudonym) []byte {
	b := make([]byte, 12)
	b[0], b[1], b[2], b[3] = byte(p.KeyID>>24), byte(p.KeyID>>16), byte(p.KeyID>>8), byte(p.KeyID)
	copy(b[4:], p.Sum[:8])
	return b
}

// FindDeliveries implements bawwab.ComplaintService.
func (s *ComplaintService) FindDeliveries(ctx context.Context, recipients []bawwab.Pseudonym, since, before time.Time, limit int) ([]bawwab.Delivery, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("look up deliveries")
	}
	if limit <= 0 {
		limit = 1000
	}
	var out []bawwab.Delivery
	for _, p := range recipients {
		q := "SELECT at, origin, idx FROM deliveries WHERE recipient = ?"
		args := []any{recipientKey(p)}
		if !since.IsZero() {
			q += " AND at >= ?"
			args = append(args, since)
		}
		if !before.IsZero() {
			q += " AND at < ?"
			args = append(args, before)
		}
		rows, err := s.db.pool.Query(ctx, rebind(q+" ORDER BY at, origin, idx LIMIT ?"), append(args, limit)...)
		if err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
		for rows.Next() {
			d := bawwab.Delivery{Recipient: p}
			if err := rows.Scan(&d.Time, &d.Origin, &d.Index); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find deliveries: %w", err)
			}
			d.Time = d.Time.UTC()
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
	}
	sortDeliveries(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
