package bawwab

import (
	"context"
	"time"
)

// OutboxKind says what an outbox message carries.
type OutboxKind uint8

const (
	// OutboxReceipt is a delivery receipt for a message the provider sent.
	OutboxReceipt OutboxKind = iota
	// OutboxMO is a subscriber's message to the provider's service code.
	OutboxMO
)

func (k OutboxKind) String() string {
	if k == OutboxMO {
		return "mo"
	}
	return "receipt"
}

// OutboxMessage is a deliver_sm waiting for its provider: a receipt or an
// MO message that arrived while the provider had no receiver bind up. The
// gateway keeps it until the provider binds as receiver or transceiver,
// across restarts: none is lost.
type OutboxMessage struct {
	// ID is assigned by PutOutbox, increasing.
	ID         int64
	ProviderID string
	// AccountID is the account whose binds should get it (the one that
	// sent the message a receipt is about); empty: any account of the
	// provider.
	AccountID string
	Kind      OutboxKind
	// PDU is the deliver_sm as it is to be sent (its sequence number is
	// replaced when sent).
	PDU []byte
	At  time.Time
}

// OutboxService keeps the deliver_sm waiting for providers' receiver binds.
type OutboxService interface {
	// PutOutbox stores m durably and sets its ID.
	PutOutbox(ctx context.Context, m *OutboxMessage) error
	// FindOutbox returns a provider's waiting messages with an ID above
	// afterID, in ID order, at most limit (0: 1000).
	FindOutbox(ctx context.Context, providerID string, afterID int64, limit int) ([]*OutboxMessage, error)
	// DeleteOutbox removes a delivered message; deleting one already gone
	// is not an error.
	DeleteOutbox(ctx context.Context, id int64) error

	// PutRoutes records where the receipts of forwarded messages go, in
	// one transaction; a route already recorded is replaced.
	PutRoutes(ctx context.Context, routes []OutboxRoute) error
	// FindRoute returns the route of an operator's message id, or
	// ENOTFOUND.
	FindRoute(ctx context.Context, operatorID, smscMessageID string) (*OutboxRoute, error)
	// DeleteRoutes removes the routes recorded before a time (receipts
	// come within the validity period) and returns how many.
	DeleteRoutes(ctx context.Context, before time.Time) (int64, error)
}

// OutboxRoute says which account sent a message the gateway forwarded to
// an operator, so that its receipts find their way back to that account
// even after a gateway restart.
type OutboxRoute struct {
	OperatorID    string
	SMSCMessageID string
	ProviderID    string
	AccountID     string
	// OwnID is the message id Bawwab gave the provider (a held part of a
	// concatenated message), written into the receipt; empty when the
	// provider has the SMSC's.
	OwnID string
	At    time.Time
}
