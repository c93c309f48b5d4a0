-- Console users and their sessions (web). Passwords are PHC hashes;
-- sessions are kept by the SHA-256 of their token, never the token.

CREATE TABLE users (
	name          TEXT        PRIMARY KEY,
	role          SMALLINT    NOT NULL, -- 1 regulator, 2 operator, 3 provider
	provider_id   TEXT        NOT NULL,
	operator_id   TEXT        NOT NULL,
	password_hash TEXT        NOT NULL,
	disabled      BOOLEAN     NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX users_provider ON users (provider_id, name);

CREATE TABLE sessions (
	id         TEXT        PRIMARY KEY, -- hex SHA-256 of the token
	user_name  TEXT        NOT NULL REFERENCES users (name),
	csrf_token TEXT        NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_name);
