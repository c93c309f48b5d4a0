-- Console users and their sessions (web). Passwords are PHC hashes;
-- sessions are kept by the SHA-256 of their token, never the token.
-- Times are INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE users (
	name          TEXT    PRIMARY KEY,
	role          INTEGER NOT NULL, -- 1 regulator, 2 operator, 3 provider
	provider_id   TEXT    NOT NULL,
	operator_id   TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	disabled      INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);
CREATE INDEX users_provider ON users (provider_id, name);

CREATE TABLE sessions (
	id         TEXT    PRIMARY KEY, -- hex SHA-256 of the token
	user_name  TEXT    NOT NULL REFERENCES users (name),
	csrf_token TEXT    NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
