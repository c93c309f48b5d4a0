-- Control by the regulators: complaint cases, measures against providers
-- and their notifications, and what the report feeder derives from the
-- ledger (aggregates per hour and per day, the delivery index, the feed
-- marks). The same model as the SQLite store. No table holds a subscriber
-- number: reporters and recipients are keyed pseudonyms, and reported
-- texts have their numbers masked.

CREATE TABLE complaints (
	id            bigserial PRIMARY KEY,
	status        smallint    NOT NULL, -- 0 unmatched, 1 open, 2 confirmed, 3 dismissed
	channel       text        NOT NULL,
	reporter      text COLLATE "C" NOT NULL, -- pseudonym, "keyid:hmac"
	reported_at   timestamptz NOT NULL,
	received_at   timestamptz NOT NULL,
	sender_id     text        NOT NULL,
	text          text        NOT NULL,
	fingerprint   bytea,
	provider_id   text COLLATE "C" NOT NULL, -- '' when unmatched
	advertiser_id text COLLATE "C" NOT NULL,
	operator_id   text COLLATE "C" NOT NULL,
	matches       jsonb       NOT NULL,
	decided_at    timestamptz
);
CREATE INDEX complaints_provider ON complaints (provider_id, id);
CREATE INDEX complaints_reporter ON complaints (reporter, id);
CREATE INDEX complaints_decided ON complaints (decided_at) WHERE decided_at IS NOT NULL;

CREATE TABLE complaint_events (
	id           bigserial PRIMARY KEY,
	complaint_id bigint      NOT NULL REFERENCES complaints (id),
	at           timestamptz NOT NULL,
	action       text        NOT NULL,
	actor        text        NOT NULL, -- "role:name"
	reason       text        NOT NULL,
	origin       text COLLATE "C" NOT NULL,
	ledger_index bigint                -- NULL until the ledger entry is appended
);
CREATE INDEX complaint_events_case ON complaint_events (complaint_id, id);
CREATE INDEX complaint_events_pending ON complaint_events (complaint_id) WHERE ledger_index IS NULL;

CREATE TABLE measures (
	id                bigserial PRIMARY KEY,
	provider_id       text COLLATE "C" NOT NULL,
	kind              smallint         NOT NULL, -- 1 warning, 2 throttle, 3 suspension
	rule              text             NOT NULL,
	count             bigint           NOT NULL,
	volume            bigint           NOT NULL,
	window_us         bigint           NOT NULL,
	rate              double precision NOT NULL,
	at                timestamptz      NOT NULL,
	actor             text             NOT NULL,
	reason            text             NOT NULL,
	refs              jsonb            NOT NULL,
	origin            text COLLATE "C" NOT NULL,
	ledger_index      bigint,
	lifted_at         timestamptz,
	lifted_by         text             NOT NULL,
	lift_reason       text             NOT NULL,
	lift_origin       text COLLATE "C" NOT NULL,
	lift_ledger_index bigint
);
CREATE INDEX measures_provider ON measures (provider_id, id);
CREATE INDEX measures_active ON measures (provider_id) WHERE lifted_at IS NULL;

CREATE TABLE notifications (
	id           bigserial PRIMARY KEY,
	provider_id  text COLLATE "C" NOT NULL,
	measure_id   bigint      NOT NULL REFERENCES measures (id),
	at           timestamptz NOT NULL,
	subject      text        NOT NULL,
	body         text        NOT NULL,
	webhook      text        NOT NULL,
	delivered_at timestamptz,
	attempts     integer     NOT NULL,
	last_error   text        NOT NULL
);
CREATE INDEX notifications_provider ON notifications (provider_id, id);

CREATE TABLE webhooks (
	provider_id text COLLATE "C" PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
	url         text NOT NULL
);

-- Aggregates: the number of ledger entries per hour (Unix hours) or per
-- local day (Unix days of the date) and per dimension; '' and 0 stand for
-- a dimension an entry lacks.
CREATE TABLE agg_hourly (
	hour     bigint   NOT NULL,
	provider text COLLATE "C" NOT NULL,
	operator text COLLATE "C" NOT NULL,
	kind     smallint NOT NULL,
	category smallint NOT NULL,
	outcome  smallint NOT NULL,
	reason   text COLLATE "C" NOT NULL,
	flag     text COLLATE "C" NOT NULL,
	mode     smallint NOT NULL,
	action   text COLLATE "C" NOT NULL,
	n        bigint   NOT NULL,
	PRIMARY KEY (hour, provider, operator, kind, category, outcome, reason, flag, mode, action)
);

CREATE TABLE agg_daily (
	day      bigint   NOT NULL,
	provider text COLLATE "C" NOT NULL,
	operator text COLLATE "C" NOT NULL,
	kind     smallint NOT NULL,
	category smallint NOT NULL,
	outcome  smallint NOT NULL,
	reason   text COLLATE "C" NOT NULL,
	flag     text COLLATE "C" NOT NULL,
	mode     smallint NOT NULL,
	action   text COLLATE "C" NOT NULL,
	n        bigint   NOT NULL,
	PRIMARY KEY (day, provider, operator, kind, category, outcome, reason, flag, mode, action)
);

-- The messages delivered, by recipient: the key id (4 bytes) and the first
-- 8 bytes of the pseudonym's HMAC.
CREATE TABLE deliveries (
	recipient bytea       NOT NULL,
	at        timestamptz NOT NULL,
	origin    text COLLATE "C" NOT NULL,
	idx       bigint      NOT NULL,
	PRIMARY KEY (recipient, at, origin, idx)
);
CREATE INDEX deliveries_at ON deliveries (at);

-- Per ledger origin, the index of the first entry not yet fed.
CREATE TABLE feed_marks (
	origin text COLLATE "C" PRIMARY KEY,
	next   bigint NOT NULL
);
