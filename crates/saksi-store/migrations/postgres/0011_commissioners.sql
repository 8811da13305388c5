-- Saksi PostgreSQL schema, version 11: which registered keys are commissioners'
-- (docs/statements.md, "`key`": `"commissioner": true`), those whose
-- signatures make a level's recap final. Adds a table only, so a server of
-- an earlier schema keeps running against it during a deploy.
--
-- One row per key registered as a commissioner's, written in the group
-- commit of its registration entry; never updated or deleted.
CREATE TABLE commissioner_keys (
    log_index BIGINT PRIMARY KEY REFERENCES officer_keys (log_index)
);
