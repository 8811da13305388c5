-- Saksi SQLite schema, version 1. Append-only: never edit this file once
-- applied; add 0002_*.sql instead (expand/contract: old code keeps running
-- against the new schema during a deploy).
--
-- Conventions: region codes are the dotted text form (`11.01.01.2001.001`,
-- `0` for the national root); contests are their stable ids (`ppwp`, ...);
-- times are integer Unix seconds (UTC), passed in by the caller's clock.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The region tree. dpt_l/dpt_p are the TPS's own voters, and above a TPS
-- the sum over the TPS below (kept for reports; recomputed on load).
CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL,
    parent TEXT,
    dpt_l  INTEGER NOT NULL,
    dpt_p  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE parties (
    number INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    local  INTEGER NOT NULL
);

CREATE TABLE paslon (
    number INTEGER PRIMARY KEY,
    name   TEXT NOT NULL
);

-- id is the dapil's position in the election's list, so loading in id order
-- gives back the same list.
CREATE TABLE dapil (
    id      INTEGER PRIMARY KEY,
    contest TEXT NOT NULL,
    code    TEXT NOT NULL,
    name    TEXT NOT NULL,
    seats   INTEGER NOT NULL,
    UNIQUE (contest, code)
);

-- ord keeps each list in the order it was given.
CREATE TABLE dapil_regions (
    dapil_id INTEGER NOT NULL REFERENCES dapil (id),
    ord      INTEGER NOT NULL,
    region   TEXT NOT NULL,
    PRIMARY KEY (dapil_id, ord)
) WITHOUT ROWID;

CREATE TABLE dapil_parties (
    dapil_id INTEGER NOT NULL REFERENCES dapil (id),
    ord      INTEGER NOT NULL,
    party    INTEGER NOT NULL,
    PRIMARY KEY (dapil_id, ord)
) WITHOUT ROWID;

CREATE TABLE candidates (
    dapil_id INTEGER NOT NULL REFERENCES dapil (id),
    ord      INTEGER NOT NULL,
    party    INTEGER,
    number   INTEGER NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (dapil_id, ord)
) WITHOUT ROWID;

-- Generated KPPS officers have no password_hash: they cannot log in.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    region        TEXT NOT NULL,
    party         INTEGER,
    password_hash TEXT,
    created_at    INTEGER NOT NULL
);

-- Only a hash of each session token is stored.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_user ON sessions (user_id);

-- Every accepted C.Hasil submission, never updated or deleted. log_index is
-- assigned by the sequencer (dense, 0-based) and is the rowid, so the table
-- is stored in log order and every batch appends at its end.
-- (tps, contest, version) is the natural key; versions count from 1.
CREATE TABLE form_versions (
    log_index       INTEGER PRIMARY KEY,
    tps             TEXT NOT NULL,
    contest         TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version >= 1),
    form_json       TEXT NOT NULL,
    warnings_json   TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    submitted_at    INTEGER NOT NULL,
    idempotency_key TEXT,
    request_hash    BLOB,
    UNIQUE (tps, contest, version)
);

-- Corrections only (version > 1): small, and enough to tell which versions
-- are superseded without scanning the whole table.
CREATE INDEX form_versions_corrections
    ON form_versions (tps, contest, version) WHERE version > 1;

-- The first answer to each (principal, Idempotency-Key), replayed on retry.
CREATE TABLE idempotency (
    principal       TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_hash    BLOB NOT NULL,
    response_status INTEGER NOT NULL,
    response_body   TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (principal, key)
) WITHOUT ROWID;
