-- The messages submitted over the gateway's HTTP API, kept a day so that
-- their status can be read and their receipts reported across gateway
-- restarts. recipient is the subscriber's number, stored only for a
-- dlr-url's %p ('' when the message has none): rows are deleted after a
-- day.

CREATE TABLE http_messages (
	id           text    PRIMARY KEY,
	provider_id  text    NOT NULL,
	account_id   text    NOT NULL,
	status       text    NOT NULL,
	reason       text    NOT NULL,
	defer_until  bigint,           -- microseconds since the Unix epoch, UTC; NULL: none
	parts        integer NOT NULL,
	operator_id  text    NOT NULL,
	smsc_ids     text    NOT NULL, -- JSON array of strings
	stats        text    NOT NULL, -- JSON array of strings
	submitted    bigint  NOT NULL,
	done         bigint,           -- NULL: not yet
	callback_url text    NOT NULL,
	dlr_url      text    NOT NULL,
	dlr_mask     integer NOT NULL,
	sender       text    NOT NULL,
	recipient    text    NOT NULL
);
CREATE INDEX http_messages_submitted ON http_messages (submitted);

-- The operator's ids of each HTTP message's parts: where their receipts
-- go after a restart.
CREATE TABLE http_message_ids (
	operator_id text NOT NULL,
	smsc_id     text NOT NULL,
	message_id  text NOT NULL,
	PRIMARY KEY (operator_id, smsc_id)
);
CREATE INDEX http_message_ids_message ON http_message_ids (message_id);
