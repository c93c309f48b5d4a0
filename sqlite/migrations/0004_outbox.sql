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
