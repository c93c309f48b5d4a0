package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bawwab/bawwab"
)

// The HTTP messages' status, in the outbox service (see
// bawwab.OutboxService). Like the outbox, a provider's context may read
// its own messages and write none; the writes do not take the change
// sequence.

const httpMessageCols = "id, provider_id, account_id, status, reason, defer_until, parts, operator_id, smsc_ids, stats, submitted, done, callback_url, dlr_url, dlr_mask, sender, recipient"

// PutHTTPMessages implements bawwab.OutboxService.
func (s *OutboxService) PutHTTPMessages(ctx context.Context, ms []*bawwab.HTTPMessage) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("write the outbox")
	}
	if len(ms) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, m := range ms {
		if err := queueHTTPMessage(b, m); err != nil {
			return err
		}
	}
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("put HTTP message: %w", err)
		}
		return nil
	})
}

// queueHTTPMessage queues the statements that put m.
func queueHTTPMessage(b *pgx.Batch, m *bawwab.HTTPMessage) error {
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
	b.Queue(`INSERT INTO http_messages (`+httpMessageCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO UPDATE SET provider_id = EXCLUDED.provider_id, account_id = EXCLUDED.account_id, status = EXCLUDED.status,
		reason = EXCLUDED.reason, defer_until = EXCLUDED.defer_until, parts = EXCLUDED.parts, operator_id = EXCLUDED.operator_id,
		smsc_ids = EXCLUDED.smsc_ids, stats = EXCLUDED.stats, submitted = EXCLUDED.submitted, done = EXCLUDED.done,
		callback_url = EXCLUDED.callback_url, dlr_url = EXCLUDED.dlr_url, dlr_mask = EXCLUDED.dlr_mask, sender = EXCLUDED.sender,
		recipient = EXCLUDED.recipient`,
		m.ID, m.ProviderID, m.AccountID, m.Status, m.Reason, micros(m.Until), m.Parts, m.OperatorID, string(ids), string(stats),
		m.Submitted.UnixMicro(), micros(m.Done), m.CallbackURL, m.DLRURL, m.DLRMask, m.From, m.To)
	b.Queue("DELETE FROM http_message_ids WHERE message_id = $1", m.ID)
	for _, id := range m.SMSCIDs {
		b.Queue(`INSERT INTO http_message_ids (operator_id, smsc_id, message_id) VALUES ($1, $2, $3)
			ON CONFLICT (operator_id, smsc_id) DO UPDATE SET message_id = EXCLUDED.message_id`, m.OperatorID, id, m.ID)
	}
	return nil
}

// setHTTPState writes what a receipt changes in a message; its arguments
// are httpStateArgs'.
const setHTTPState = "UPDATE http_messages SET status = $1, reason = $2, defer_until = $3, stats = $4, done = $5 WHERE id = $6"

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
	b := &pgx.Batch{}
	for _, m := range ms {
		args, err := httpStateArgs(m)
		if err != nil {
			return err
		}
		b.Queue(setHTTPState, args...)
	}
	return pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("set HTTP message state: %w", err)
		}
		return nil
	})
}

// FindHTTPMessage implements bawwab.OutboxService.
func (s *OutboxService) FindHTTPMessage(ctx context.Context, providerID, id string) (*bawwab.HTTPMessage, error) {
	if t, ok := tenant(ctx); ok && t != providerID {
		return nil, notFoundHTTP(id)
	}
	m, err := scanHTTPMessage(s.db.pool.QueryRow(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = $1 AND provider_id = $2", id, providerID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundHTTP(id)
	}
	if err != nil {
		return nil, fmt.Errorf("find HTTP message: %w", err)
	}
	return m, nil
}

// FindHTTPMessageBySMSCID implements bawwab.OutboxService.
func (s *OutboxService) FindHTTPMessageBySMSCID(ctx context.Context, operatorID, smscMessageID string) (*bawwab.HTTPMessage, error) {
	m, err := scanHTTPMessage(s.db.pool.QueryRow(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = (SELECT message_id FROM http_message_ids WHERE operator_id = $1 AND smsc_id = $2)",
		operatorID, smscMessageID))
	if errors.Is(err, pgx.ErrNoRows) {
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

// UpdateHTTPMessage implements bawwab.OutboxService. The row is locked
// (SELECT ... FOR UPDATE) from its read to the commit: a concurrent
// update waits, then reads what this one wrote.
func (s *OutboxService) UpdateHTTPMessage(ctx context.Context, id string, update func(m *bawwab.HTTPMessage) error) (*bawwab.HTTPMessage, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("write the outbox")
	}
	var m *bawwab.HTTPMessage
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		var err error
		m, err = scanHTTPMessage(tx.QueryRow(ctx, "SELECT "+httpMessageCols+" FROM http_messages WHERE id = $1 FOR UPDATE", id))
		if errors.Is(err, pgx.ErrNoRows) {
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
		if _, err := tx.Exec(ctx, setHTTPState, args...); err != nil {
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
	err := pgx.BeginFunc(ctx, s.db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM http_message_ids WHERE message_id IN (SELECT id FROM http_messages WHERE submitted < $1)", before.UnixMicro()); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM http_messages WHERE submitted < $1", before.UnixMicro())
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return nil
	})
	return n, err
}

func scanHTTPMessage(row pgx.Row) (*bawwab.HTTPMessage, error) {
	m := &bawwab.HTTPMessage{}
	var submitted int64
	var until, done *int64
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
	m.Until, m.Submitted, m.Done = fromMicros(until), time.UnixMicro(submitted).UTC(), fromMicros(done)
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

// micros is t in microseconds since the Unix epoch, NULL for the zero
// time.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func fromMicros(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return time.UnixMicro(*us).UTC()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
