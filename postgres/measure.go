package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
)

// MeasureService keeps measures, notifications and webhooks on
// PostgreSQL.
type MeasureService struct {
	db *DB
}

var _ bawwab.MeasureService = (*MeasureService)(nil)

// NewMeasureService returns the measures of db.
func NewMeasureService(db *DB) *MeasureService { return &MeasureService{db: db} }

const measureCols = "id, provider_id, kind, rule, count, volume, window_us, rate, at, actor, reason, refs, origin, ledger_index, lifted_at, lifted_by, lift_reason, lift_origin, lift_ledger_index"

func normMeasure(m *bawwab.Measure) {
	m.At, m.LiftedAt = utc(m.At), utc(m.LiftedAt)
	if m.LedgerIndex == 0 && m.Origin == "" {
		m.LedgerIndex = -1
	}
	if m.LiftLedgerIndex == 0 && m.LiftOrigin == "" {
		m.LiftLedgerIndex = -1
	}
	if len(m.Refs) == 0 {
		m.Refs = nil
	}
}

// CreateMeasure implements bawwab.MeasureService. It writes under the
// change sequence's lock, since it changes the provider's status.
func (s *MeasureService) CreateMeasure(ctx context.Context, m *bawwab.Measure, n *bawwab.Notification) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("take measures")
	}
	normMeasure(m)
	if err := m.Validate(); err != nil {
		return err
	}
	if !m.LiftedAt.IsZero() {
		return bawwab.InvalidField("lifted_at", "a new measure is in force")
	}
	refs, err := json.Marshal(m.Refs)
	if err != nil {
		return err
	}
	return s.db.writeTx(ctx, func(tx pgx.Tx) error {
		old, err := providers.get(ctx, tx, m.ProviderID)
		if bawwab.ErrorCode(err) == bawwab.ENOTFOUND {
			return bawwab.InvalidField("provider_id", "no provider %q", m.ProviderID)
		}
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO measures (provider_id, kind, rule, count, volume, window_us, rate, at, actor, reason, refs, origin, ledger_index,
			lifted_by, lift_reason, lift_origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, '', '', '') RETURNING id`,
			m.ProviderID, int16(m.Kind), m.Rule, m.Count, m.Volume, m.Window.Microseconds(), m.Rate, m.At, m.Actor.String(), m.Reason,
			string(refs), m.Origin, nullIndex(m.LedgerIndex)).Scan(&m.ID)
		if err != nil {
			return fmt.Errorf("record measure: %w", err)
		}
		if err := s.setStatus(ctx, tx, old, max(old.Status, m.Kind.ProviderStatus())); err != nil {
			return err
		}
		return s.insertNotification(ctx, tx, m, n)
	})
}

func (s *MeasureService) setStatus(ctx context.Context, tx pgx.Tx, old *bawwab.Provider, status bawwab.ProviderStatus) error {
	if old.Status == bawwab.ProviderWithdrawn || old.Status == status {
		return nil
	}
	p := *old
	p.Status = status
	_, err := providers.put(ctx, s.db, tx, old, &p)
	return err
}

func (s *MeasureService) insertNotification(ctx context.Context, tx pgx.Tx, m *bawwab.Measure, n *bawwab.Notification) error {
	if n == nil {
		return nil
	}
	n.ProviderID, n.MeasureID = m.ProviderID, m.ID
	n.At = utc(n.At)
	if n.At.IsZero() {
		n.At = m.At
	}
	err := tx.QueryRow(ctx, "SELECT url FROM webhooks WHERE provider_id = $1", m.ProviderID).Scan(&n.Webhook)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("look up webhook: %w", err)
	}
	err = tx.QueryRow(ctx, "INSERT INTO notifications (provider_id, measure_id, at, subject, body, webhook, attempts, last_error) VALUES ($1, $2, $3, $4, $5, $6, 0, '') RETURNING id",
		n.ProviderID, n.MeasureID, n.At, n.Subject, n.Body, n.Webhook).Scan(&n.ID)
	if err != nil {
		return fmt.Errorf("record notification: %w", err)
	}
	return nil
}

// LiftMeasure implements bawwab.MeasureService.
func (s *MeasureService) LiftMeasure(ctx context.Context, id int64, at time.Time, by bawwab.Actor, reason string, n *bawwab.Notification) (*bawwab.Measure, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("lift measures")
	}
	if err := by.Validate(); err != nil {
		return nil, err
	}
	if by.Role != bawwab.RoleRegulator {
		return nil, bawwab.Errorf(bawwab.EFORBIDDEN, "only a regulator lifts a measure")
	}
	if strings.TrimSpace(reason) == "" {
		return nil, bawwab.InvalidField("lift_reason", "missing")
	}
	at = utc(at)
	var out *bawwab.Measure
	err := s.db.writeTx(ctx, func(tx pgx.Tx) error {
		ms, err := s.query(ctx, tx, " WHERE id = ? FOR UPDATE", []any{id}, 1, 0)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return bawwab.Errorf(bawwab.ENOTFOUND, "measure %d not found", id)
		}
		m := ms[0]
		if !m.Active() {
			return bawwab.Errorf(bawwab.ECONFLICT, "measure %d was lifted on %s", id, m.LiftedAt.Format(time.RFC3339))
		}
		if _, err := tx.Exec(ctx, "UPDATE measures SET lifted_at = $1, lifted_by = $2, lift_reason = $3 WHERE id = $4", at, by.String(), reason, id); err != nil {
			return fmt.Errorf("lift measure: %w", err)
		}
		m.LiftedAt, m.LiftedBy, m.LiftReason = at, by, reason
		old, err := providers.get(ctx, tx, m.ProviderID)
		if err != nil && bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
			return err
		}
		if old != nil {
			var strongest *int16
			if err := tx.QueryRow(ctx, "SELECT max(kind) FROM measures WHERE provider_id = $1 AND lifted_at IS NULL", m.ProviderID).Scan(&strongest); err != nil {
				return err
			}
			status := bawwab.ProviderActive
			if strongest != nil {
				status = bawwab.MeasureKind(*strongest).ProviderStatus()
			}
			if err := s.setStatus(ctx, tx, old, status); err != nil {
				return err
			}
		}
		out = m
		return s.insertNotification(ctx, tx, m, n)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *MeasureService) query(ctx context.Context, q querier, where string, args []any, limit, offset int) ([]*bawwab.Measure, error) {
	sql := "SELECT " + measureCols + " FROM measures" + where
	if !strings.Contains(where, "FOR UPDATE") {
		sql += " ORDER BY id DESC"
		if limit > 0 {
			sql += fmt.Sprintf(" LIMIT %d", limit)
		}
		if offset > 0 {
			sql += fmt.Sprintf(" OFFSET %d", offset)
		}
	}
	rows, err := q.Query(ctx, rebind(sql), args...)
	if err != nil {
		return nil, fmt.Errorf("find measures: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.Measure
	for rows.Next() {
		m := new(bawwab.Measure)
		var kind int16
		var window int64
		var actor, liftedBy string
		var refs []byte
		var idx, liftIdx *int64
		var liftedAt *time.Time
		if err := rows.Scan(&m.ID, &m.ProviderID, &kind, &m.Rule, &m.Count, &m.Volume, &window, &m.Rate, &m.At, &actor, &m.Reason, &refs,
			&m.Origin, &idx, &liftedAt, &liftedBy, &m.LiftReason, &m.LiftOrigin, &liftIdx); err != nil {
			return nil, fmt.Errorf("find measures: %w", err)
		}
		m.Kind = bawwab.MeasureKind(kind)
		m.Window, m.At = time.Duration(window)*time.Microsecond, m.At.UTC()
		if m.Actor, err = bawwab.ParseActor(actor); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(refs, &m.Refs); err != nil {
			return nil, err
		}
		m.LedgerIndex, m.LiftLedgerIndex = -1, -1
		if idx != nil {
			m.LedgerIndex = *idx
		}
		if liftIdx != nil {
			m.LiftLedgerIndex = *liftIdx
		}
		if liftedAt != nil {
			m.LiftedAt = liftedAt.UTC()
			if m.LiftedBy, err = bawwab.ParseActor(liftedBy); err != nil {
				return nil, err
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func measureWhere(ctx context.Context, f bawwab.MeasureFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	if p, ok := tenant(ctx); ok {
		add("provider_id = ?", p)
	}
	if f.ID != nil {
		add("id = ?", *f.ID)
	}
	if f.ProviderID != nil {
		add("provider_id = ?", *f.ProviderID)
	}
	if f.Active != nil {
		if *f.Active {
			add("lifted_at IS NULL")
		} else {
			add("lifted_at IS NOT NULL")
		}
	}
	if f.Kind != nil {
		add("kind = ?", int16(*f.Kind))
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since)
	}
	if !f.Before.IsZero() {
		add("at < ?", f.Before)
	}
	if !f.LiftedSince.IsZero() {
		add("lifted_at >= ?", f.LiftedSince)
	}
	if f.PendingLedger {
		add("(ledger_index IS NULL OR (lifted_at IS NOT NULL AND lift_ledger_index IS NULL))")
	}
	return whereClause(conds), args
}

// FindMeasureByID implements bawwab.MeasureService.
func (s *MeasureService) FindMeasureByID(ctx context.Context, id int64) (*bawwab.Measure, error) {
	ms, _, err := s.FindMeasures(ctx, bawwab.MeasureFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "measure %d not found", id)
	}
	return ms[0], nil
}

// FindMeasures implements bawwab.MeasureService.
func (s *MeasureService) FindMeasures(ctx context.Context, f bawwab.MeasureFilter) ([]*bawwab.Measure, int, error) {
	w, args := measureWhere(ctx, f)
	var out []*bawwab.Measure
	var total int
	err := s.db.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, rebind("SELECT count(*) FROM measures"+w), args...).Scan(&total); err != nil {
			return fmt.Errorf("count measures: %w", err)
		}
		var err error
		out, err = s.query(ctx, tx, w, args, f.Limit, f.Offset)
		return err
	})
	return out, total, err
}

// SetMeasureLedgerIndex implements bawwab.MeasureService.
func (s *MeasureService) SetMeasureLedgerIndex(ctx context.Context, id int64, lift bool, origin string, index int64) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("change measures")
	}
	q := "UPDATE measures SET origin = $1, ledger_index = $2 WHERE id = $3"
	if lift {
		q = "UPDATE measures SET lift_origin = $1, lift_ledger_index = $2 WHERE id = $3 AND lifted_at IS NOT NULL"
	}
	tag, err := s.db.pool.Exec(ctx, q, origin, index, id)
	if err != nil {
		return fmt.Errorf("record ledger index: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bawwab.Errorf(bawwab.ENOTFOUND, "measure %d not found (or not lifted)", id)
	}
	return nil
}

// FindNotifications implements bawwab.MeasureService.
func (s *MeasureService) FindNotifications(ctx context.Context, f bawwab.NotificationFilter) ([]*bawwab.Notification, int, error) {
	var conds []string
	var args []any
	add := func(c string, v ...any) { conds = append(conds, c); args = append(args, v...) }
	if p, ok := tenant(ctx); ok {
		add("provider_id = ?", p)
	}
	if f.ProviderID != nil {
		add("provider_id = ?", *f.ProviderID)
	}
	if f.MeasureID != nil {
		add("measure_id = ?", *f.MeasureID)
	}
	if f.Undelivered {
		add("webhook != '' AND delivered_at IS NULL")
	}
	w := whereClause(conds)
	var out []*bawwab.Notification
	var total int
	err := s.db.readTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, rebind("SELECT count(*) FROM notifications"+w), args...).Scan(&total); err != nil {
			return err
		}
		q := "SELECT id, provider_id, measure_id, at, subject, body, webhook, delivered_at, attempts, last_error FROM notifications" + w + " ORDER BY id DESC"
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
		defer rows.Close()
		for rows.Next() {
			n := new(bawwab.Notification)
			var delivered *time.Time
			var attempts int32
			if err := rows.Scan(&n.ID, &n.ProviderID, &n.MeasureID, &n.At, &n.Subject, &n.Body, &n.Webhook, &delivered, &attempts, &n.LastError); err != nil {
				return err
			}
			n.At, n.Attempts = n.At.UTC(), int(attempts)
			if delivered != nil {
				n.DeliveredAt = delivered.UTC()
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("find notifications: %w", err)
	}
	return out, total, nil
}

// MarkNotification implements bawwab.MeasureService.
func (s *MeasureService) MarkNotification(ctx context.Context, id int64, deliveredAt time.Time, lastErr string) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("change notifications")
	}
	tag, err := s.db.pool.Exec(ctx, "UPDATE notifications SET delivered_at = $1, attempts = attempts + 1, last_error = $2 WHERE id = $3",
		tstz(utc(deliveredAt)), lastErr, id)
	if err != nil {
		return fmt.Errorf("record notification attempt: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bawwab.Errorf(bawwab.ENOTFOUND, "notification %d not found", id)
	}
	return nil
}

// SetWebhook implements bawwab.MeasureService.
func (s *MeasureService) SetWebhook(ctx context.Context, providerID, url string) error {
	if p, ok := tenant(ctx); ok && p != providerID {
		return bawwab.Errorf(bawwab.ENOTFOUND, "provider %q not found", providerID)
	}
	if err := bawwab.ValidWebhook(url); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if err := refExists(ctx, tx, "provider_id", "providers", "id", providerID, "provider"); err != nil {
			return err
		}
		var err error
		if url == "" {
			_, err = tx.Exec(ctx, "DELETE FROM webhooks WHERE provider_id = $1", providerID)
		} else {
			_, err = tx.Exec(ctx, "INSERT INTO webhooks (provider_id, url) VALUES ($1, $2) ON CONFLICT (provider_id) DO UPDATE SET url = excluded.url", providerID, url)
		}
		if err != nil {
			return fmt.Errorf("set webhook: %w", err)
		}
		return nil
	})
}

// FindWebhook implements bawwab.MeasureService.
func (s *MeasureService) FindWebhook(ctx context.Context, providerID string) (string, error) {
	if p, ok := tenant(ctx); ok && p != providerID {
		return "", bawwab.Errorf(bawwab.ENOTFOUND, "no webhook for provider %q", providerID)
	}
	var url string
	err := s.db.pool.QueryRow(ctx, "SELECT url FROM webhooks WHERE provider_id = $1", providerID).Scan(&url)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", bawwab.Errorf(bawwab.ENOTFOUND, "no webhook for provider %q", providerID)
	}
	if err != nil {
		return "", fmt.Errorf("find webhook: %w", err)
	}
	return url, nil
}
