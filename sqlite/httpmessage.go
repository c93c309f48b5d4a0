package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bawwab/bawwab"
)

// The HTTP messages' status, in the outbox service (see
// bawwab.OutboxService). Like the outbox, a provider's context may read
// its own messages and write none.

const httpMessageCols = "id, provider_id, account_id, status, reason, defer_until, parts, operator_id, smsc_ids, stats, submitted, done, callback_url, dlr_url, dlr_mask, sender, recipient"

// PutHTTPMessages implements bawwab.OutboxService.
func (s *OutboxService) PutHTTPMessages(ctx context.Context, ms []*bawwab.HTTPMessage) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if len(ms) == 0 {
		return nil
	}
	type row struct{ ids, stats string }
	rows := make([]row, len(ms))
	for i, m := range ms {
		if m.ID == "" || m.ProviderID == "" {
			return bawwab.InvalidField("id", "an HTTP message needs an id and a provider")
		}
		ids, err := json.Marshal(nonNil(m.SMSCIDs))
		if err != nil {
			return err
		}
		stats, err := json.Marshal(nonNil(m.Stats))
		if err != nil {
			return err
		}
		rows[i] = row{string(ids), string(stats)}
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		put, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO http_messages ("+httpMessageCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("put HTTP message: %w", err)
		}
		defer put.Close()
		del, err := tx.PrepareContext(ctx, "DELETE FROM http_message_ids WHERE message_id = ?")
		if err != nil {
			return fmt.Errorf("put HTTP message: %w", err)
		}
		defer del.Close()
		putID, err := tx.PrepareContext(ctx, "INSERT OR REPLACE INTO http_message_ids (operator_id, smsc_id, message_id) VALUES (?, ?, ?)")
		if err != nil {
			return fmt.Errorf("put HTTP message: %w", err)
		}
		defer putID.Close()
		rctx := rowContext(ctx)
		for i, m := range ms {
			if _, err := put.ExecContext(rctx, m.ID, m.ProviderID, m.AccountID, m.Status, m.Reason, micros(m.Until), m.Parts, m.OperatorID,
				rows[i].ids, rows[i].stats, m.Submitted.UnixMicro(), micros(m.Done), m.CallbackURL, m.DLRURL, m.DLRMask, m.From, m.To); err != nil {
				return fmt.Errorf("put HTTP message: %w", err)
			}
			if _, err := del.ExecContext(rctx, m.ID); err != nil {
				return fmt.Errorf("put HTTP message: %w", err)
			}
			for _, id := range m.SMSCIDs {
				if _, err := putID.ExecContext(rctx, m.OperatorID, id, m.ID); err != nil {
					return fmt.Errorf("put HTTP message ids: %w", err)
				}
			}
		}
		return ctx.Err()
	})
}

// setHTTPState writes what a receipt changes in a message; its arguments
// are httpStateArgs'.
const setHTTPState = "UPDATE http_messages SET status = ?, reason = ?, defer_until = ?, stats = ?, done = ? WHERE id = ?"

func httpStateArgs(m *bawwab.HTTPMessage) ([]any, error) {
	stats, err := json.Marshal(nonNil(m.Stats))
	if err != nil {
		return nil, err
	}
	return []any{m.Status, m.Reason, micros(m.Until), string(stats), micros(m.Done), m.ID}, nil
}

// SetHTTPStates implements bawwab.OutboxService.
func (s *OutboxService) SetHTTPStates(ctx context.Context, ms []*bawwab.HTTPMessage) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if len(ms) == 0 {
		return nil
	}
	args := make([][]any, len(ms))
	for i, m := range ms {
		var err error
		if args[i], err = httpStateArgs(m); err != nil {
			return err
		}
	}
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		set, err := tx.PrepareContext(ctx, setHTTPState)
		if err != nil {
			return fmt.Errorf("set HTTP message state: %w", err)
		}
		defer set.Close()
		rctx := rowContext(ctx)
		for _, a := range args {
			if _, err := set.ExecContext(rctx, a...); err != nil {
				return fmt.Errorf("set HTTP message state: %w", err)
			}
		}
		return ctx.Err()
	})
}

// FindHTTPMessage implements bawwab.OutboxService.
func (s *OutboxService) FindHTTPMessage(ctx context.Context, providerID, id string) (*bawwab.HTTPMessage, error) {
	if t, ok := tenant(ctx); ok && t != providerID {
		return nil, notFoundHTTP(id)
	}
	var m *bawwab.HTTPMessage
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanHTTPMessage(tx.QueryRowContext(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = ? AND provider_id = ?", id, providerID))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFoundHTTP(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find HTTP message: %w", err)
	}
	return m, nil
}

// FindHTTPMessageBySMSCID implements bawwab.OutboxService.
func (s *OutboxService) FindHTTPMessageBySMSCID(ctx context.Context, operatorID, smscMessageID string) (*bawwab.HTTPMessage, error) {
	var m *bawwab.HTTPMessage
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanHTTPMessage(tx.QueryRowContext(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = (SELECT message_id FROM http_message_ids WHERE operator_id = ? AND smsc_id = ?)",
			operatorID, smscMessageID))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message for message %q of operator %q", smscMessageID, operatorID)
	}
	if err != nil {
		return nil, fmt.Errorf("find HTTP message: %w", err)
	}
	if t, ok := tenant(ctx); ok && t != m.ProviderID {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message for message %q of operator %q", smscMessageID, operatorID)
	}
	return m, nil
}

// UpdateHTTPMessage implements bawwab.OutboxService. The single write
// connection makes the read and the write one step.
func (s *OutboxService) UpdateHTTPMessage(ctx context.Context, id string, update func(m *bawwab.HTTPMessage) error) (*bawwab.HTTPMessage, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("write the outbox")
	}
	var m *bawwab.HTTPMessage
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanHTTPMessage(tx.QueryRowContext(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = ?", id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundHTTP(id)
		}
		if err != nil {
			return fmt.Errorf("find HTTP message: %w", err)
		}
		if err := update(m); err != nil {
			return err
		}
		args, err := httpStateArgs(m)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, setHTTPState, args...); err != nil {
			return fmt.Errorf("update HTTP message: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DeleteHTTPMessages implements bawwab.OutboxService.
func (s *OutboxService) DeleteHTTPMessages(ctx context.Context, before time.Time) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("write the outbox")
	}
	var n int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM http_message_ids WHERE message_id IN (SELECT id FROM http_messages WHERE submitted < ?)", before.UnixMicro()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM http_messages WHERE submitted < ?", before.UnixMicro())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

func scanHTTPMessage(row *sql.Row) (*bawwab.HTTPMessage, error) {
	m := &bawwab.HTTPMessage{}
	var submitted int64
	var until, done sql.NullInt64
	var ids, stats string
	if err := row.Scan(&m.ID, &m.ProviderID, &m.AccountID, &m.Status, &m.Reason, &until, &m.Parts, &m.OperatorID, &ids, &stats,
		&submitted, &done, &m.CallbackURL, &m.DLRURL, &m.DLRMask, &m.From, &m.To); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &m.SMSCIDs); err != nil {
		return nil, fmt.Errorf("HTTP message %q: smsc_ids: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(stats), &m.Stats); err != nil {
		return nil, fmt.Errorf("HTTP message %q: stats: %w", m.ID, err)
	}
	m.Until, m.Submitted, m.Done = fromMicros(until), time64(submitted), fromMicros(done)
	if len(m.SMSCIDs) == 0 {
		m.SMSCIDs = nil
	}
	if len(m.Stats) == 0 {
		m.Stats = nil
	}
	return m, nil
}

func notFoundHTTP(id string) error {
	return bawwab.Errorf(bawwab.ENOTFOUND, "no HTTP message %q", id)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
