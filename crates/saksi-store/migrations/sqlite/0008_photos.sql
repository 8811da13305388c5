-- Saksi SQLite schema, version 8: the photos public log entries name
-- (README: Photos). Adds a table only, so a server of schema 7 keeps
-- running against it during a deploy.
--
-- One row per (photo, entry naming it), written in the transaction of its
-- log entry: a photo may be stored (PUT /api/v1/photos/{sha256}) and served
-- only if a row names it. The photos' bytes are never in the database.
CREATE TABLE photo_names (
    sha256    BLOB NOT NULL CHECK (length(sha256) = 32),
    log_index INTEGER NOT NULL,
    PRIMARY KEY (sha256, log_index)
) WITHOUT ROWID;

-- The photos of the form statements already logged (`form` v2 entries,
-- docs/log-entries.md), whose `photos` the server checked as 64 lowercase
-- hex digits each. The entry bytes are cast to text: SQLite reads a BLOB
-- given to its JSON functions as its own binary JSON.
INSERT OR IGNORE INTO photo_names (sha256, log_index)
SELECT unhex(p.value), e.log_index
FROM log_entries e, json_each(CAST(e.data AS TEXT), '$.statement.photos') p
WHERE json_extract(CAST(e.data AS TEXT), '$.type') = 'form'
  AND json_extract(CAST(e.data AS TEXT), '$.v') = 2;
