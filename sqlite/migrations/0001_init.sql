-- Bawwab's embedded store: the registry, the opposition register, consents
-- and number events, and the change sequence that orders every change.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC (NULL: none).
-- Numbers are INTEGER E.164 digits without the '+': 10 million oppositions
-- take half the space of text keys, and compare faster.

-- The change sequence: one row, advanced in the writing transaction.
CREATE TABLE seq (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	last INTEGER NOT NULL
);
INSERT INTO seq (id, last) VALUES (1, 0);

-- The registry's change log: each record as it was after the change.
CREATE TABLE changes (
	seq  INTEGER PRIMARY KEY,
	kind TEXT    NOT NULL,
	op   INTEGER NOT NULL, -- 0 put, 1 delete
	key  TEXT    NOT NULL,
	data TEXT,             -- JSON of the record; NULL for a deletion
	at   INTEGER NOT NULL
);

CREATE TABLE operators (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL
);

CREATE TABLE providers (
	id               TEXT PRIMARY KEY,
	name             TEXT    NOT NULL,
	anrt_declaration TEXT    NOT NULL,
	declared_at      INTEGER,
	status           INTEGER NOT NULL,
	operator_id      TEXT REFERENCES operators (id)
);

CREATE TABLE accounts (
	id          TEXT PRIMARY KEY,
	provider_id TEXT    NOT NULL REFERENCES providers (id),
	kind        INTEGER NOT NULL,
	secret_hash TEXT    NOT NULL,
	max_binds   INTEGER NOT NULL,
	rate_limit  REAL    NOT NULL,
	disabled    INTEGER NOT NULL
);
CREATE INDEX accounts_provider ON accounts (provider_id);

CREATE TABLE contracts (
	id          TEXT PRIMARY KEY,
	provider_id TEXT    NOT NULL REFERENCES providers (id),
	operator_id TEXT    NOT NULL REFERENCES operators (id),
	valid_from  INTEGER NOT NULL,
	valid_to    INTEGER,
	daily_cap   INTEGER NOT NULL
);
CREATE INDEX contracts_provider ON contracts (provider_id);

CREATE TABLE advertisers (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	sector  TEXT NOT NULL,
	contact TEXT NOT NULL
);

-- Which providers act for which advertisers.
CREATE TABLE advertiser_providers (
	advertiser_id TEXT NOT NULL REFERENCES advertisers (id) ON DELETE CASCADE,
	provider_id   TEXT NOT NULL REFERENCES providers (id),
	PRIMARY KEY (advertiser_id, provider_id)
) WITHOUT ROWID;
CREATE INDEX advertiser_providers_provider ON advertiser_providers (provider_id, advertiser_id);

CREATE TABLE senders (
	value         TEXT PRIMARY KEY,
	value_fold    TEXT    NOT NULL UNIQUE, -- lower-cased in Go: unique ignoring case
	provider_id   TEXT    NOT NULL REFERENCES providers (id),
	advertiser_id TEXT    NOT NULL REFERENCES advertisers (id),
	category      INTEGER NOT NULL
);
CREATE INDEX senders_provider ON senders (provider_id);
CREATE INDEX senders_advertiser ON senders (advertiser_id);

CREATE TABLE channels (
	code          TEXT PRIMARY KEY,
	purpose       INTEGER NOT NULL,
	scope         INTEGER NOT NULL,
	free          INTEGER NOT NULL,
	provider_id   TEXT REFERENCES providers (id),
	advertiser_id TEXT REFERENCES advertisers (id)
);
CREATE INDEX channels_provider ON channels (provider_id);
CREATE INDEX channels_advertiser ON channels (advertiser_id);

CREATE TABLE campaigns (
	id            TEXT PRIMARY KEY,
	advertiser_id TEXT    NOT NULL REFERENCES advertisers (id),
	sender_id     TEXT    NOT NULL REFERENCES senders (value),
	purpose       TEXT    NOT NULL,
	list_source   TEXT    NOT NULL,
	basis         INTEGER NOT NULL,
	templates     TEXT    NOT NULL -- JSON array
);
CREATE INDEX campaigns_advertiser ON campaigns (advertiser_id);
CREATE INDEX campaigns_sender ON campaigns (sender_id);

-- The opposition register: STOP (0) and START (1) events, never updated.
-- scope_kind 0 national (scope_id ''), 1 provider, 2 advertiser.
CREATE TABLE oppositions (
	seq        INTEGER PRIMARY KEY,
	msisdn     INTEGER NOT NULL,
	scope_kind INTEGER NOT NULL,
	scope_id   TEXT    NOT NULL,
	action     INTEGER NOT NULL,
	at         INTEGER NOT NULL,
	channel    TEXT    NOT NULL
);
-- Covering: checking a number and streaming the states read the index
-- alone, never the table.
CREATE INDEX oppositions_number ON oppositions (msisdn, scope_kind, scope_id, seq, action, at, channel);

CREATE TABLE consents (
	seq           INTEGER PRIMARY KEY,
	msisdn        INTEGER NOT NULL,
	advertiser_id TEXT    NOT NULL REFERENCES advertisers (id),
	basis         INTEGER NOT NULL,
	at            INTEGER NOT NULL,
	channel       TEXT    NOT NULL,
	evidence_hash TEXT    NOT NULL
);
CREATE INDEX consents_number ON consents (msisdn, advertiser_id, seq);
CREATE INDEX consents_advertiser ON consents (advertiser_id, seq);

-- Operators' reports: 0 reassigned, 1 ported.
CREATE TABLE number_events (
	seq         INTEGER PRIMARY KEY,
	msisdn      INTEGER NOT NULL,
	kind        INTEGER NOT NULL,
	operator_id TEXT REFERENCES operators (id),
	at          INTEGER NOT NULL
);
CREATE INDEX number_events_number ON number_events (msisdn, kind, at);
