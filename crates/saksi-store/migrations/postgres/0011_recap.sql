-- Saksi PostgreSQL schema, version 11: the recapitulation (README: Recap).
-- Adds tables and one nullable column only, so a server of an earlier
-- schema keeps running against it during a deploy.
--
-- commissioner_keys: one row per key registered as a commissioner's
-- (docs/statements.md, "`key`": `"commissioner": true`), those whose
-- signatures make a level's recap final; written in the group commit of
-- its registration entry, never updated or deleted.
CREATE TABLE commissioner_keys (
    log_index BIGINT PRIMARY KEY REFERENCES officer_keys (log_index)
);

-- recap_entries: the log indexes of the recap's own entries (objections,
-- rulings), so a starting server replays them without scanning the log.
CREATE TABLE recap_entries (
    log_index BIGINT PRIMARY KEY REFERENCES log_entries (log_index)
);

-- users.paslon: the PPWP pair a `saksi` witnesses for (a party's witness
-- has `party` instead).
ALTER TABLE users ADD COLUMN paslon BIGINT;
