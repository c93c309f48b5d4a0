-- The gateway's outbox: delivery receipts and MO messages waiting for a
-- provider's receiver bind, kept across restarts. The PDU holds the
-- subscriber's number, as the provider will receive it: rows are deleted
-- once delivered.

CREATE TABLE outbox (
	id          bigserial PRIMARY KEY,
	provider_id text     NOT NULL,
	account_id  text     NOT NULL, -- '' for any account of the provider
	kind        smallint NOT NULL, -- 0 receipt, 1 MO
	pdu         bytea    NOT NULL,
	at          bigint   NOT NULL  -- microseconds since the Unix epoch, UTC
);
CREATE INDEX outbox_provider ON outbox (provider_id, id);

-- Where the receipts of the messages forwarded to an operator go: the
-- account that sent each one, by the operator's message id. Kept for the
-- validity period of messages (three days by default).
CREATE TABLE outbox_routes (
	operator_id text   NOT NULL,
	smsc_id     text   NOT NULL,
	provider_id text   NOT NULL,
	account_id  text   NOT NULL,
	own_id      text   NOT NULL, -- '' when the provider has the SMSC's id
	at          bigint NOT NULL,
	PRIMARY KEY (operator_id, smsc_id)
);
CREATE INDEX outbox_routes_at ON outbox_routes (at);
