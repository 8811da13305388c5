-- Saksi PostgreSQL schema, version 7: a second factor (TOTP, RFC 6238) for staff.
--
-- One secret per user, encrypted by the server (the database never holds
-- it in the clear): pending (confirmed_at NULL) until a first code
-- confirms it. last_step is the last 30-second step whose code was
-- accepted: a code is honoured only for a later step, so each works once.
CREATE TABLE user_totp (
    user_id      BIGINT PRIMARY KEY REFERENCES users (id),
    secret       BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT
);

-- One-time recovery codes, given once at confirmation, stored as SHA-256
-- hashes; used_at is set when one is spent.
CREATE TABLE recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users (id),
    code_hash BYTEA NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
