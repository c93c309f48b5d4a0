-- The gateway's outbox: delivery receipts and MO messages waiting for a
-- provider's receiver bind, kept across restarts. The PDU holds the
-- subscriber's number, as the provider will receive it: rows are deleted
-- once delivered.

CREATE TABLE outbox (
	id          INTEGER PRIMARY KEY,
	provider_id TEXT    NOT NULL,
	account_id  TEXT    NOT NULL, -- '' for any account of the provider
	kind        INTEGER NOT NULL, -- 0 receipt, 1 MO
	pdu         BLOB    NOT NULL,
	at          INTEGER NOT NULL  -- microseconds since the Unix epoch, UTC
);
CREATE INDEX outbox_provider ON outbox (provider_id, id);

-- Where the receipts of the messages forwarded to an operator go: the
-- account that sent each one, by the operator's message id. Kept for the
-- validity period of messages (three days by default).
CREATE TABLE outbox_routes (
	operator_id TEXT    NOT NULL,
	smsc_id     TEXT    NOT NULL,
	provider_id TEXT    NOT NULL,
	account_id  TEXT    NOT NULL,
	own_id      TEXT    NOT NULL, -- '' when the provider has the SMSC's id
	at          INTEGER NOT NULL,
	PRIMARY KEY (operator_id, smsc_id)
) WITHOUT ROWID;
CREATE INDEX outbox_routes_at ON outbox_routes (at);
