package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bawwab/bawwab"
)

// OutboxService keeps the gateway's outbox on SQLite.
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
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO outbox (provider_id, account_id, kind, pdu, at) VALUES (?, ?, ?, ?, ?)",
			m.ProviderID, m.AccountID, int(m.Kind), m.PDU, m.At.UnixMicro())
		if err != nil {
			return fmt.Errorf("put outbox: %w", err)
		}
		m.ID, err = res.LastInsertId()
		return err
	})
}

// FindOutbox implements bawwab.OutboxService.
func (s *OutboxService) FindOutbox(ctx context.Context, providerID string, afterID int64, limit int) ([]*bawwab.OutboxMessage, error) {
	if id, ok := tenant(ctx); ok && id != providerID {
		return nil, nil // another provider's messages: none visible
	}
	if limit <= 0 {
		limit = 1000
	}
	var out []*bawwab.OutboxMessage
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT id, provider_id, account_id, kind, pdu, at FROM outbox WHERE provider_id = ? AND id > ? ORDER BY id LIMIT ?",
			providerID, afterID, limit)
		if err != nil {
			return fmt.Errorf("find outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m := &bawwab.OutboxMessage{}
			var kind int
			var at int64
			if err := rows.Scan(&m.ID, &m.ProviderID, &m.AccountID, &kind, &m.PDU, &at); err != nil {
				return err
			}
			m.Kind, m.At = bawwab.OutboxKind(kind), time64(at)
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// DeleteOutbox implements bawwab.OutboxService.
func (s *OutboxService) DeleteOutbox(ctx context.Context, id int64) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE id = ?", id)
		return err
	})
}
