-- The audit ledger on PostgreSQL (ledger.Store, see postgres/ledger.go and
-- ledger/FORMAT.md §11): each gateway node appends its own chain, named by
-- its origin. Records and their stored tree hashes are never updated, only
-- appended (the hashes after the last checkpoint may be rewritten after a
-- crash); message texts live apart so that the retention policy can delete
-- them while the records, which commit to them, stay.

CREATE TABLE ledger_records (
	origin   text COLLATE "C" NOT NULL,
	idx      bigint  NOT NULL,
	data     bytea   NOT NULL, -- the canonical encoding (what is hashed)
	chain    bytea   NOT NULL, -- the chain hash
	has_text boolean NOT NULL,
	PRIMARY KEY (origin, idx)
);

CREATE TABLE ledger_texts (
	origin text COLLATE "C" NOT NULL,
	idx    bigint NOT NULL,
	time   bigint NOT NULL, -- the entry's time, Unix nanoseconds
	nonce  bytea  NOT NULL,
	body   bytea  NOT NULL,
	PRIMARY KEY (origin, idx)
);

-- The stored hashes of the Merkle tree (tlog's stored order), 256 a row.
CREATE TABLE ledger_hashes (
	origin text COLLATE "C" NOT NULL,
	chunk  bigint NOT NULL,
	hashes bytea  NOT NULL,
	PRIMARY KEY (origin, chunk)
);

CREATE TABLE ledger_checkpoints (
	origin text COLLATE "C" NOT NULL,
	seq    bigint NOT NULL,
	n      bigint NOT NULL,
	note   bytea  NOT NULL,
	PRIMARY KEY (origin, seq)
);
