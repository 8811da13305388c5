-- Saksi SQLite schema, version 9: incidents (issue 12). Adds tables only,
-- so a server of schema 8 keeps running against it during a deploy.
--
-- Every incident event is a log entry (`incident` v1, docs/log-entries.md);
-- these tables are what the server reads back without scanning the log:
-- each incident's state after its latest event (the in-memory book is
-- loaded from it at start-up, so deadlines survive a restart), who filed
-- it and who it is assigned to (never in the log), its events, and the
-- private content each event's `content_sha256` commits to. All three are
-- written in the transaction of the event's log entry.

-- One row per incident, replaced by each event. id is the 16 bytes of the
-- incident id; contests are the contest ids separated by spaces ('' for
-- none); next_due is the earliest running deadline (the sweep's order).
CREATE TABLE incidents (
    id            BLOB PRIMARY KEY CHECK (length(id) = 16),
    category      TEXT NOT NULL,
    severity      TEXT NOT NULL,
    region        TEXT NOT NULL,
    contests      TEXT NOT NULL,
    owner_level   TEXT NOT NULL,
    owner_region  TEXT NOT NULL,
    status        TEXT NOT NULL,
    ack_due       INTEGER,
    resolve_due   INTEGER,
    overdue       INTEGER NOT NULL,
    public        INTEGER NOT NULL,
    seq           INTEGER NOT NULL,
    next_due      INTEGER,
    filed_at      INTEGER NOT NULL,
    acked_at      INTEGER,
    resolved_at   INTEGER,
    -- The filing account's username, or the KPPS device's key text.
    reporter      TEXT NOT NULL,
    assignee      TEXT
) WITHOUT ROWID;

CREATE INDEX incidents_next_due ON incidents (next_due) WHERE next_due IS NOT NULL;

-- Every event: who acted (role and region, `system` with no region for the
-- server's own escalations), under which account (NULL for a device or
-- the server), and its place in the log.
CREATE TABLE incident_events (
    id           BLOB NOT NULL,
    seq          INTEGER NOT NULL,
    log_index    INTEGER NOT NULL UNIQUE,
    action       TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    actor_region TEXT,
    username     TEXT,
    logged_at    INTEGER NOT NULL,
    PRIMARY KEY (id, seq)
) WITHOUT ROWID;

-- The salt and content (RFC 8785 bytes) an event's content_sha256 commits
-- to; none for the server's own events.
CREATE TABLE incident_private (
    id      BLOB NOT NULL,
    seq     INTEGER NOT NULL,
    salt    BLOB NOT NULL CHECK (length(salt) = 32),
    content BLOB NOT NULL,
    PRIMARY KEY (id, seq)
) WITHOUT ROWID;
