package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// ComplaintService keeps complaint cases and looks up deliveries, on
// SQLite.
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
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO complaints (status, channel, reporter, reported_at, received_at, sender_id, text, fingerprint, provider_id, advertiser_id, operator_id, matches, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			int(c.Status), c.Channel, c.Reporter.String(), c.ReportedAt.UnixMicro(), c.ReceivedAt.UnixMicro(), c.SenderID, c.Text,
			c.Fingerprint, c.ProviderID, c.AdvertiserID, c.OperatorID, string(matches), decidedAt(c))
		if err != nil {
			return fmt.Errorf("record complaint: %w", err)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
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

// normComplaint brings a case to the store's precision.
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

// decidedAt is the time of the case's confirmation or dismissal, if any.
func decidedAt(c *bawwab.Complaint) any {
	for _, e := range c.Events {
		if e.Action == bawwab.ComplaintActionConfirmed || e.Action == bawwab.ComplaintActionDismissed {
			return e.At.UnixMicro()
		}
	}
	return nil
}

func insertEvent(ctx context.Context, tx *sql.Tx, caseID int64, e *bawwab.ComplaintEvent) error {
	var idx any
	if e.LedgerIndex >= 0 {
		idx = e.LedgerIndex
	}
	res, err := tx.ExecContext(ctx, "INSERT INTO complaint_events (complaint_id, at, action, actor, reason, origin, ledger_index) VALUES (?, ?, ?, ?, ?, ?, ?)",
		caseID, e.At.UnixMicro(), e.Action, e.Actor.String(), e.Reason, e.Origin, idx)
	if err != nil {
		return fmt.Errorf("record complaint event: %w", err)
	}
	e.ID, err = res.LastInsertId()
	return err
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
		add("status = ?", int(*f.Status))
	}
	if f.ProviderID != nil {
		add("provider_id = ?", *f.ProviderID)
	}
	if f.OperatorID != nil {
		add("operator_id = ?", *f.OperatorID)
	}
	if len(f.Reporters) > 0 {
		ph := make([]string, len(f.Reporters))
		for i, p := range f.Reporters {
			ph[i] = "?"
			args = append(args, p.String())
		}
		conds = append(conds, "reporter IN ("+strings.Join(ph, ", ")+")")
	}
	if !f.Since.IsZero() {
		add("received_at >= ?", f.Since.UnixMicro())
	}
	if !f.Before.IsZero() {
		add("received_at < ?", f.Before.UnixMicro())
	}
	if !f.DecidedSince.IsZero() {
		add("decided_at >= ?", f.DecidedSince.UnixMicro())
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
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM complaints"+w, args...).Scan(&total); err != nil {
			return err
		}
		lim := -1
		if f.Limit > 0 {
			lim = f.Limit
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+complaintCols+" FROM complaints"+w+" ORDER BY id DESC LIMIT ? OFFSET ?",
			append(args, lim, max(f.Offset, 0))...)
		if err != nil {
			return err
		}
		defer rows.Close()
		byID := map[int64]*bawwab.Complaint{}
		for rows.Next() {
			c, err := scanComplaint(rows)
			if err != nil {
				return err
			}
			out = append(out, c)
			byID[c.ID] = c
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		return loadEvents(ctx, tx, byID)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find complaints: %w", err)
	}
	return out, total, nil
}

func scanComplaint(sc scanner) (*bawwab.Complaint, error) {
	c := new(bawwab.Complaint)
	var reporter, matches string
	var reported, received int64
	if err := sc.Scan(&c.ID, &c.Status, &c.Channel, &reporter, &reported, &received, &c.SenderID, &c.Text,
		&c.Fingerprint, &c.ProviderID, &c.AdvertiserID, &c.OperatorID, &matches); err != nil {
		return nil, err
	}
	var err error
	if c.Reporter, err = bawwab.ParsePseudonym(reporter); err != nil {
		return nil, err
	}
	c.ReportedAt, c.ReceivedAt = time64(reported), time64(received)
	if len(c.Fingerprint) == 0 {
		c.Fingerprint = nil
	}
	if err := json.Unmarshal([]byte(matches), &c.Matches); err != nil {
		return nil, fmt.Errorf("decode matches of case %d: %w", c.ID, err)
	}
	for i := range c.Matches {
		c.Matches[i].At = c.Matches[i].At.UTC()
	}
	return c, nil
}

func loadEvents(ctx context.Context, tx *sql.Tx, byID map[int64]*bawwab.Complaint) error {
	if len(byID) == 0 {
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, fmt.Sprint(id))
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, complaint_id, at, action, actor, reason, origin, ledger_index FROM complaint_events WHERE complaint_id IN ("+
		strings.Join(ids, ", ")+") ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e bawwab.ComplaintEvent
		var caseID, at int64
		var actor string
		var idx sql.NullInt64
		if err := rows.Scan(&e.ID, &caseID, &at, &e.Action, &actor, &e.Reason, &e.Origin, &idx); err != nil {
			return err
		}
		e.At = time64(at)
		if e.Actor, err = bawwab.ParseActor(actor); err != nil {
			return err
		}
		e.LedgerIndex = -1
		if idx.Valid {
			e.LedgerIndex = idx.Int64
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
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		var status int
		err := tx.QueryRowContext(ctx, "SELECT status FROM complaints WHERE id = ?", id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return bawwab.Errorf(bawwab.ENOTFOUND, "complaint %d not found", id)
		}
		if err != nil {
			return err
		}
		if bawwab.ComplaintStatus(status) != bawwab.ComplaintOpen {
			return bawwab.Errorf(bawwab.ECONFLICT, "complaint %d is %s, not open", id, bawwab.ComplaintStatus(status))
		}
		if _, err := tx.ExecContext(ctx, "UPDATE complaints SET status = ?, decided_at = ? WHERE id = ?", int(to), ev.At.UnixMicro(), id); err != nil {
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
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE complaint_events SET origin = ?, ledger_index = ? WHERE id = ?", origin, index, eventID)
		if err != nil {
			return fmt.Errorf("record ledger index: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return bawwab.Errorf(bawwab.ENOTFOUND, "complaint event %d not found", eventID)
		}
		return nil
	})
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
			args = append(args, since.UnixMicro())
		}
		if !before.IsZero() {
			q += " AND at < ?"
			args = append(args, before.UnixMicro())
		}
		rows, err := s.db.read.QueryContext(ctx, q+" ORDER BY at, origin, idx LIMIT ?", append(args, limit)...)
		if err != nil {
			return nil, fmt.Errorf("find deliveries: %w", err)
		}
		for rows.Next() {
			d := bawwab.Delivery{Recipient: p}
			var at int64
			if err := rows.Scan(&at, &d.Origin, &d.Index); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find deliveries: %w", err)
			}
			d.Time = time64(at)
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
