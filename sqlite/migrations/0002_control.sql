-- Control by the regulators: complaint cases, measures against providers
-- and their notifications, and what the report feeder derives from the
-- ledger (aggregates per hour and per day, the delivery index, the feed
-- marks). Times are INTEGER microseconds since the Unix epoch, UTC.
-- No table holds a subscriber number: reporters and recipients are keyed
-- pseudonyms, and reported texts have their numbers masked.

CREATE TABLE complaints (
	id            INTEGER PRIMARY KEY,
	status        INTEGER NOT NULL, -- 0 unmatched, 1 open, 2 confirmed, 3 dismissed
	channel       TEXT    NOT NULL,
	reporter      TEXT    NOT NULL, -- pseudonym, "keyid:hmac"
	reported_at   INTEGER NOT NULL,
	received_at   INTEGER NOT NULL,
	sender_id     TEXT    NOT NULL,
	text          TEXT    NOT NULL,
	fingerprint   BLOB,
	provider_id   TEXT    NOT NULL, -- '' when unmatched
	advertiser_id TEXT    NOT NULL,
	operator_id   TEXT    NOT NULL,
	matches       TEXT    NOT NULL, -- JSON array
	decided_at    INTEGER
);
CREATE INDEX complaints_provider ON complaints (provider_id, id);
CREATE INDEX complaints_reporter ON complaints (reporter, id);
CREATE INDEX complaints_decided ON complaints (decided_at) WHERE decided_at IS NOT NULL;

CREATE TABLE complaint_events (
	id           INTEGER PRIMARY KEY,
	complaint_id INTEGER NOT NULL REFERENCES complaints (id),
	at           INTEGER NOT NULL,
	action       TEXT    NOT NULL,
	actor        TEXT    NOT NULL, -- "role:name"
	reason       TEXT    NOT NULL,
	origin       TEXT    NOT NULL,
	ledger_index INTEGER          -- NULL until the ledger entry is appended
);
CREATE INDEX complaint_events_case ON complaint_events (complaint_id, id);
CREATE INDEX complaint_events_pending ON complaint_events (complaint_id) WHERE ledger_index IS NULL;

CREATE TABLE measures (
	id                INTEGER PRIMARY KEY,
	provider_id       TEXT    NOT NULL,
	kind              INTEGER NOT NULL, -- 1 warning, 2 throttle, 3 suspension
	rule              TEXT    NOT NULL,
	count             INTEGER NOT NULL,
	volume            INTEGER NOT NULL,
	window_us         INTEGER NOT NULL,
	rate              REAL    NOT NULL,
	at                INTEGER NOT NULL,
	actor             TEXT    NOT NULL,
	reason            TEXT    NOT NULL,
	refs              TEXT    NOT NULL, -- JSON array of ledger indexes
	origin            TEXT    NOT NULL,
	ledger_index      INTEGER,
	lifted_at         INTEGER,
	lifted_by         TEXT    NOT NULL,
	lift_reason       TEXT    NOT NULL,
	lift_origin       TEXT    NOT NULL,
	lift_ledger_index INTEGER
);
CREATE INDEX measures_provider ON measures (provider_id, id);
CREATE INDEX measures_active ON measures (provider_id) WHERE lifted_at IS NULL;

CREATE TABLE notifications (
	id           INTEGER PRIMARY KEY,
	provider_id  TEXT    NOT NULL,
	measure_id   INTEGER NOT NULL REFERENCES measures (id),
	at           INTEGER NOT NULL,
	subject      TEXT    NOT NULL,
	body         TEXT    NOT NULL,
	webhook      TEXT    NOT NULL,
	delivered_at INTEGER,
	attempts     INTEGER NOT NULL,
	last_error   TEXT    NOT NULL
);
CREATE INDEX notifications_provider ON notifications (provider_id, id);

CREATE TABLE webhooks (
	provider_id TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
	url         TEXT NOT NULL
);

-- Aggregates: the number of ledger entries per hour (Unix hours) or per
-- local day (Unix days of the date) and per dimension; '' and 0 stand for
-- a dimension an entry lacks.
CREATE TABLE agg_hourly (
	hour     INTEGER NOT NULL,
	provider TEXT    NOT NULL,
	operator TEXT    NOT NULL,
	kind     INTEGER NOT NULL,
	category INTEGER NOT NULL,
	outcome  INTEGER NOT NULL,
	reason   TEXT    NOT NULL,
	flag     TEXT    NOT NULL,
	mode     INTEGER NOT NULL,
	action   TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (hour, provider, operator, kind, category, outcome, reason, flag, mode, action)
) WITHOUT ROWID;

CREATE TABLE agg_daily (
	day      INTEGER NOT NULL,
	provider TEXT    NOT NULL,
	operator TEXT    NOT NULL,
	kind     INTEGER NOT NULL,
	category INTEGER NOT NULL,
	outcome  INTEGER NOT NULL,
	reason   TEXT    NOT NULL,
	flag     TEXT    NOT NULL,
	mode     INTEGER NOT NULL,
	action   TEXT    NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (day, provider, operator, kind, category, outcome, reason, flag, mode, action)
) WITHOUT ROWID;

-- The messages delivered, by recipient: the key id (4 bytes) and the first
-- 8 bytes of the pseudonym's HMAC, enough to find a subscriber's messages
-- (the desk checks the whole pseudonym in the ledger entry).
CREATE TABLE deliveries (
	recipient BLOB    NOT NULL,
	at        INTEGER NOT NULL,
	origin    TEXT    NOT NULL,
	idx       INTEGER NOT NULL,
	PRIMARY KEY (recipient, at, origin, idx)
) WITHOUT ROWID;
CREATE INDEX deliveries_at ON deliveries (at);

-- Per ledger origin, the index of the first entry not yet fed.
CREATE TABLE feed_marks (
	origin TEXT PRIMARY KEY,
	next   INTEGER NOT NULL
);
