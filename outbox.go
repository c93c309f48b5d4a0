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

	// The status of the messages submitted over the gateway's HTTP API.
	// They are here, beside the routes, rather than in a service of their
	// own: they are the routes of the HTTP messages' receipts, with the
	// same life (written on the gateway's path, read back after a
	// restart), and a gateway given a durable outbox gets durable HTTP
	// status with it, with nothing more to configure.

	// PutHTTPMessages stores messages in one transaction, each replacing
	// the message of the same ID (its SMSC message ids included), in
	// order: of two states of a message, the later is kept. One call for
	// many lets the gateway write the submissions of a moment together.
	PutHTTPMessages(ctx context.Context, ms []*HTTPMessage) error
	// SetHTTPStates sets the Status, Reason, Until, Stats and Done of
	// stored messages to those of ms, in one transaction, in order; a
	// message not stored is skipped. It writes less than PutHTTPMessages:
	// what a receipt changes.
	SetHTTPStates(ctx context.Context, ms []*HTTPMessage) error
	// FindHTTPMessage returns a provider's message, or ENOTFOUND; another
	// provider's message is not found.
	FindHTTPMessage(ctx context.Context, providerID, id string) (*HTTPMessage, error)
	// FindHTTPMessageBySMSCID returns the message one of whose parts an
	// operator took under smscMessageID, or ENOTFOUND: where a receipt
	// goes after a gateway restart.
	FindHTTPMessageBySMSCID(ctx context.Context, operatorID, smscMessageID string) (*HTTPMessage, error)
	// UpdateHTTPMessage calls update with the stored message of an ID and
	// stores the fields it changes among Status, Reason, Until, Stats and
	// Done, in one transaction, and returns the message stored: the
	// updates of a message never overlap, so two parts' receipts arriving
	// together both count. If update returns an error, nothing is stored
	// and that error is returned; ENOTFOUND if there is no such message.
	UpdateHTTPMessage(ctx context.Context, id string, update func(m *HTTPMessage) error) (*HTTPMessage, error)
	// DeleteHTTPMessages removes the messages submitted before a time and
	// returns how many.
	DeleteHTTPMessages(ctx context.Context, before time.Time) (int64, error)
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

// HTTPMessage is a message submitted over the gateway's HTTP API (JSON or
// Kannel's sendsms), as kept for a day so that its status can be read and
// its receipts reported, across gateway restarts.
type HTTPMessage struct {
	// ID is the id the gateway gave the provider.
	ID         string
	ProviderID string
	AccountID  string
	// Status is accepted, deferred, delivered, undelivered or rejected;
	// Reason the reason of a refusal or deferral, Until the end of a
	// deferral.
	Status string
	Reason string
	Until  time.Time
	Parts  int
	// OperatorID is the operator whose SMSC took the parts, SMSCIDs its
	// ids of them, in order: the receipts name them.
	OperatorID string
	SMSCIDs    []string
	// Stats are the stat: of each receipt, in the order they came.
	Stats     []string
	Submitted time.Time
	// Done is when the last part's final receipt came (zero before).
	Done time.Time
	// CallbackURL is posted the status when final; DLRURL is Kannel's
	// dlr-url, called for the report types in DLRMask.
	CallbackURL string
	DLRURL      string
	DLRMask     int
	// From is the sender ID (a dlr-url's %P).
	From string
	// To is the subscriber's number: personal data. It is stored only
	// because a dlr-url's %p and %q need it (empty when the message has
	// no dlr-url), and is never logged.
	To string
}
