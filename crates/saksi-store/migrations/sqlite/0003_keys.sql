-- Saksi SQLite schema, version 3: registered keys
-- (docs/log-entries.md `key`). Append-only like 0001 and 0002; adds tables
-- only.
--
-- A key registration or revocation is a log entry (in log_entries); these
-- tables repeat what the server needs to rebuild its key registry at
-- start-up without scanning the log. Never updated or deleted: a revocation
-- is a row of its own. log_index is the index of the entry that registered
-- (or revoked) the key, assigned by the sequencer.
CREATE TABLE officer_keys (
    log_index   INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    region      TEXT NOT NULL,
    valid_from  INTEGER NOT NULL,
    valid_until INTEGER NOT NULL
);

CREATE TABLE key_revocations (
    log_index INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE REFERENCES officer_keys (key)
);
