package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bawwab/bawwab"
)

// OutboxService keeps the gateway's outbox on PostgreSQL. Its writes do
// not take the change sequence: the outbox is no registry change.
type OutboxService struct {
	db *DB
}

var _ bawwab.OutboxService = (*OutboxService)(nil)

// NewOutboxService returns the outbox of db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

// PutOutbox implements bawwab.OutboxService.
func (s *OutboxService) PutOutbox(ctx context.Context, m *bawwab.OutboxMessage) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if m.ProviderID == "" {
		return bawwab.InvalidField("provider_id", "an outbox message needs a provider")
	}
	if len(m.PDU) == 0 {
		return bawwab.InvalidField("pdu", "an outbox message needs a PDU")
	}
	err := s.db.pool.QueryRow(ctx, "INSERT INTO outbox (provider_id, account_id, kind, pdu, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
		m.ProviderID, m.AccountID, int16(m.Kind), m.PDU, m.At.UnixMicro()).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("put outbox: %w", err)
	}
	return nil
}

// FindOutbox implements bawwab.OutboxService.
func (s *OutboxService) FindOutbox(ctx context.Context, providerID string, afterID int64, limit int) ([]*bawwab.OutboxMessage, error) {
	if id, ok := tenant(ctx); ok && id != providerID {
		return nil, nil // another provider's messages: none visible
	}
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.pool.Query(ctx, "SELECT id, provider_id, account_id, kind, pdu, at FROM outbox WHERE provider_id = $1 AND id > $2 ORDER BY id LIMIT $3",
		providerID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("find outbox: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.OutboxMessage
	for rows.Next() {
		m := &bawwab.OutboxMessage{}
		var kind int16
		var at int64
		if err := rows.Scan(&m.ID, &m.ProviderID, &m.AccountID, &kind, &m.PDU, &at); err != nil {
			return nil, err
		}
		m.Kind, m.At = bawwab.OutboxKind(kind), time.UnixMicro(at).UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteOutbox implements bawwab.OutboxService.
func (s *OutboxService) DeleteOutbox(ctx context.Context, id int64) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	_, err := s.db.pool.Exec(ctx, "DELETE FROM outbox WHERE id = $1", id)
	return err
}

// PutRoutes implements bawwab.OutboxService.
func (s *OutboxService) PutRoutes(ctx context.Context, routes []bawwab.OutboxRoute) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if len(routes) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, r := range routes {
		b.Queue(`INSERT INTO outbox_routes (operator_id, smsc_id, provider_id, account_id, own_id, at) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (operator_id, smsc_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, account_id = EXCLUDED.account_id, own_id = EXCLUDED.own_id, at = EXCLUDED.at`,
			r.OperatorID, r.SMSCMessageID, r.ProviderID, r.AccountID, r.OwnID, r.At.UnixMicro())
	}
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("put routes: %w", err)
		}
		return nil
	})
}

// FindRoute implements bawwab.OutboxService.
func (s *OutboxService) FindRoute(ctx context.Context, operatorID, smscMessageID string) (*bawwab.OutboxRoute, error) {
	r := &bawwab.OutboxRoute{OperatorID: operatorID, SMSCMessageID: smscMessageID}
	var at int64
	err := s.db.pool.QueryRow(ctx, "SELECT provider_id, account_id, own_id, at FROM outbox_routes WHERE operator_id = $1 AND smsc_id = $2",
		operatorID, smscMessageID).Scan(&r.ProviderID, &r.AccountID, &r.OwnID, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no route for message %q of operator %q", smscMessageID, operatorID)
	}
	if err != nil {
		return nil, fmt.Errorf("find route: %w", err)
	}
	if id, ok := tenant(ctx); ok && id != r.ProviderID {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no route for message %q of operator %q", smscMessageID, operatorID)
	}
	r.At = time.UnixMicro(at).UTC()
	return r, nil
}

// DeleteRoutes implements bawwab.OutboxService.
func (s *OutboxService) DeleteRoutes(ctx context.Context, before time.Time) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("write the outbox")
	}
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM outbox_routes WHERE at < $1", before.UnixMicro())
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
