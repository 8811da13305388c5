-- Saksi SQLite schema, version 2: the transparency log's entries
-- (docs/log-entries.md). Append-only like 0001; adds a table only, so a
-- server of schema 1 keeps running against it during a deploy.
--
-- One row per log entry, never updated or deleted. log_index is assigned by
-- the sequencer (dense, 0-based, shared with form_versions.log_index) and is
-- the rowid, so the table is stored in log order. data is the exact entry
-- bytes (RFC 8785 canonical JSON) that leaf_hash = SHA-256(0x00 || data)
-- commits to (RFC 9162 §2.1.1); the hash is kept so the Merkle tree is
-- rebuilt at start-up without rehashing every entry.
CREATE TABLE log_entries (
    log_index INTEGER PRIMARY KEY,
    data      BLOB NOT NULL,
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32)
);
