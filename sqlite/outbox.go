package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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

// PutRoutes implements bawwab.OutboxService.
func (s *OutboxService) PutRoutes(ctx context.Context, routes []bawwab.OutboxRoute) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if len(routes) == 0 {
		return nil
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		err := insertRows(ctx, tx, "INSERT OR REPLACE INTO outbox_routes (operator_id, smsc_id, provider_id, account_id, own_id, at)", "", 6, len(routes),
			func(dst []any, i int) []any {
				r := &routes[i]
				return append(dst, r.OperatorID, r.SMSCMessageID, r.ProviderID, r.AccountID, r.OwnID, r.At.UnixMicro())
			})
		if err != nil {
			return fmt.Errorf("put route: %w", err)
		}
		return nil
	})
}

// FindRoute implements bawwab.OutboxService.
func (s *OutboxService) FindRoute(ctx context.Context, operatorID, smscMessageID string) (*bawwab.OutboxRoute, error) {
	r := &bawwab.OutboxRoute{OperatorID: operatorID, SMSCMessageID: smscMessageID}
	var at int64
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT provider_id, account_id, own_id, at FROM outbox_routes WHERE operator_id = ? AND smsc_id = ?",
			operatorID, smscMessageID).Scan(&r.ProviderID, &r.AccountID, &r.OwnID, &at)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no route for message %q of operator %q", smscMessageID, operatorID)
	}
	if err != nil {
		return nil, fmt.Errorf("find route: %w", err)
	}
	if id, ok := tenant(ctx); ok && id != r.ProviderID {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no route for message %q of operator %q", smscMessageID, operatorID)
	}
	r.At = time64(at)
	return r, nil
}

// DeleteRoutes implements bawwab.OutboxService.
func (s *OutboxService) DeleteRoutes(ctx context.Context, before time.Time) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("write the outbox")
	}
	var n int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM outbox_routes WHERE at < ?", before.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
