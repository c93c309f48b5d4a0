-- Bawwab's shared store on PostgreSQL: the registry, the opposition
-- register, consents and number events, and the change sequence that
-- orders every change. The same model as the SQLite store; keys use the C
-- collation so that they sort by bytes on every server, as they do there.

-- The change sequence: one row, locked by every writing transaction from
-- its start and advanced in it. Writers therefore commit one after the
-- other in sequence order, and numbers are dense: a reader that sees change
-- N has seen every change before it (a plain SEQUENCE would hand out N+1 to
-- a transaction that may commit before N's).
CREATE TABLE seq (
	id   integer PRIMARY KEY CHECK (id = 1),
	last bigint  NOT NULL
);
INSERT INTO seq (id, last) VALUES (1, 0);

-- The registry's change log: each record as it was after the change.
CREATE TABLE changes (
	seq  bigint PRIMARY KEY,
	kind text        NOT NULL,
	op   smallint    NOT NULL, -- 0 put, 1 delete
	key  text        COLLATE "C" NOT NULL,
	data jsonb,                -- the record; NULL for a deletion
	at   timestamptz NOT NULL
);

CREATE TABLE operators (
	id   text COLLATE "C" PRIMARY KEY,
	name text NOT NULL
);

CREATE TABLE providers (
	id               text COLLATE "C" PRIMARY KEY,
	name             text     NOT NULL,
	anrt_declaration text     NOT NULL,
	declared_at      timestamptz,
	status           smallint NOT NULL,
	operator_id      text COLLATE "C" REFERENCES operators (id)
);

CREATE TABLE accounts (
	id          text COLLATE "C" PRIMARY KEY,
	provider_id text COLLATE "C" NOT NULL REFERENCES providers (id),
	kind        smallint         NOT NULL,
	secret_hash text             NOT NULL,
	max_binds   integer          NOT NULL,
	rate_limit  double precision NOT NULL,
	disabled    boolean          NOT NULL
);
CREATE INDEX accounts_provider ON accounts (provider_id);

CREATE TABLE contracts (
	id          text COLLATE "C" PRIMARY KEY,
	provider_id text COLLATE "C" NOT NULL REFERENCES providers (id),
	operator_id text COLLATE "C" NOT NULL REFERENCES operators (id),
	valid_from  timestamptz NOT NULL,
	valid_to    timestamptz,
	daily_cap   integer     NOT NULL
);
CREATE INDEX contracts_provider ON contracts (provider_id);

CREATE TABLE advertisers (
	id      text COLLATE "C" PRIMARY KEY,
	name    text NOT NULL,
	sector  text NOT NULL,
	contact text NOT NULL
);

-- Which providers act for which advertisers.
CREATE TABLE advertiser_providers (
	advertiser_id text COLLATE "C" NOT NULL REFERENCES advertisers (id) ON DELETE CASCADE,
	provider_id   text COLLATE "C" NOT NULL REFERENCES providers (id),
	PRIMARY KEY (advertiser_id, provider_id)
);
CREATE INDEX advertiser_providers_provider ON advertiser_providers (provider_id, advertiser_id);

CREATE TABLE senders (
	value         text COLLATE "C" PRIMARY KEY,
	value_fold    text COLLATE "C" NOT NULL UNIQUE, -- lower-cased in Go: unique ignoring case
	provider_id   text COLLATE "C" NOT NULL REFERENCES providers (id),
	advertiser_id text COLLATE "C" NOT NULL REFERENCES advertisers (id),
	category      smallint NOT NULL
);
CREATE INDEX senders_provider ON senders (provider_id);
CREATE INDEX senders_advertiser ON senders (advertiser_id);

CREATE TABLE channels (
	code          text COLLATE "C" PRIMARY KEY,
	purpose       smallint NOT NULL,
	scope         smallint NOT NULL,
	free          boolean  NOT NULL,
	provider_id   text COLLATE "C" REFERENCES providers (id),
	advertiser_id text COLLATE "C" REFERENCES advertisers (id)
);
CREATE INDEX channels_provider ON channels (provider_id);
CREATE INDEX channels_advertiser ON channels (advertiser_id);

CREATE TABLE campaigns (
	id            text COLLATE "C" PRIMARY KEY,
	advertiser_id text COLLATE "C" NOT NULL REFERENCES advertisers (id),
	sender_id     text COLLATE "C" NOT NULL REFERENCES senders (value),
	purpose       text     NOT NULL,
	list_source   text     NOT NULL,
	basis         smallint NOT NULL,
	templates     jsonb    NOT NULL
);
CREATE INDEX campaigns_advertiser ON campaigns (advertiser_id);
CREATE INDEX campaigns_sender ON campaigns (sender_id);

-- The opposition register: STOP (0) and START (1) events, never updated.
-- scope_kind 0 national (scope_id ''), 1 provider, 2 advertiser. Numbers
-- are E.164 digits without the '+', as bigint.
CREATE TABLE oppositions (
	seq        bigint PRIMARY KEY,
	msisdn     bigint      NOT NULL,
	scope_kind smallint    NOT NULL,
	scope_id   text COLLATE "C" NOT NULL,
	action     smallint    NOT NULL,
	at         timestamptz NOT NULL,
	channel    text        NOT NULL
);
CREATE INDEX oppositions_number ON oppositions (msisdn, scope_kind, scope_id, seq);

CREATE TABLE consents (
	seq           bigint PRIMARY KEY,
	msisdn        bigint      NOT NULL,
	advertiser_id text COLLATE "C" NOT NULL REFERENCES advertisers (id),
	basis         smallint    NOT NULL,
	at            timestamptz NOT NULL,
	channel       text        NOT NULL,
	evidence_hash text        NOT NULL
);
CREATE INDEX consents_number ON consents (msisdn, advertiser_id, seq);
CREATE INDEX consents_advertiser ON consents (advertiser_id, seq);

-- Operators' reports: 0 reassigned, 1 ported.
CREATE TABLE number_events (
	seq         bigint PRIMARY KEY,
	msisdn      bigint      NOT NULL,
	kind        smallint    NOT NULL,
	operator_id text COLLATE "C" REFERENCES operators (id),
	at          timestamptz NOT NULL
);
CREATE INDEX number_events_number ON number_events (msisdn, kind, at);
