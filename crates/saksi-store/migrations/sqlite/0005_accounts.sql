-- Saksi SQLite schema, version 5: the account lifecycle.
--
-- Usernames are unique ignoring case: `Ketua` and `ketua` are one account.
-- The program refuses to apply this migration while two stored usernames
-- differ only by case, and names them, before this index could fail.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- When the account was disabled (it cannot log in, its sessions are not
-- honoured), or NULL while it is active.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- A session minted by `saksi user token` (1) rather than opened by a login
-- (0): minted tokens are listed by `saksi user list`. Sessions are no longer
-- deleted: logout and revocation set revoked_at, so the list keeps showing
-- a revoked token.
ALTER TABLE sessions ADD COLUMN minted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN revoked_at INTEGER;

-- Counts changes that end sessions (logout, revocation, disabling, a new
-- password), in their transaction: a server polls it to drop the sessions it caches
-- when another process (the CLI) changed an account. Exactly one row.
CREATE TABLE account_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
);

INSERT INTO account_revision (id, revision) VALUES (1, 0);
