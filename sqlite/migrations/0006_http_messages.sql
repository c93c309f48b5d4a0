-- The messages submitted over the gateway's HTTP API, kept a day so that
-- their status can be read and their receipts reported across gateway
-- restarts. recipient is the subscriber's number, stored only for a
-- dlr-url's %p ('' when the message has none): rows are deleted after a
-- day.

CREATE TABLE http_messages (
	id           TEXT    PRIMARY KEY,
	provider_id  TEXT    NOT NULL,
	account_id   TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	reason       TEXT    NOT NULL,
	defer_until  INTEGER,          -- microseconds since the Unix epoch, UTC; NULL: none
	parts        INTEGER NOT NULL,
	operator_id  TEXT    NOT NULL,
	smsc_ids     TEXT    NOT NULL, -- JSON array of strings
	stats        TEXT    NOT NULL, -- JSON array of strings
	submitted    INTEGER NOT NULL,
	done         INTEGER,          -- NULL: not yet
	callback_url TEXT    NOT NULL,
	dlr_url      TEXT    NOT NULL,
	dlr_mask     INTEGER NOT NULL,
	sender       TEXT    NOT NULL,
	recipient    TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX http_messages_submitted ON http_messages (submitted);

-- The operator's ids of each HTTP message's parts: where their receipts
-- go after a restart.
CREATE TABLE http_message_ids (
	operator_id TEXT NOT NULL,
	smsc_id     TEXT NOT NULL,
	message_id  TEXT NOT NULL,
	PRIMARY KEY (operator_id, smsc_id)
) WITHOUT ROWID;
CREATE INDEX http_message_ids_message ON http_message_ids (message_id);
