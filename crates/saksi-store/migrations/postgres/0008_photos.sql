-- Saksi PostgreSQL schema, version 8: the photos public log entries name
-- (README: Photos). Adds a table only, so a server of schema 7 keeps
-- running against it during a deploy.
--
-- One row per (photo, entry naming it), written in the transaction of its
-- log entry: a photo may be stored (PUT /api/v1/photos/{sha256}) and served
-- only if a row names it. The photos' bytes are never in the database.
CREATE TABLE photo_names (
    sha256    BYTEA NOT NULL CHECK (octet_length(sha256) = 32),
    log_index BIGINT NOT NULL,
    PRIMARY KEY (sha256, log_index)
);

-- The photos of the form statements already logged (`form` v2 entries,
-- docs/log-entries.md), whose `photos` the server checked as 64 lowercase
-- hex digits each.
INSERT INTO photo_names (sha256, log_index)
SELECT DISTINCT decode(p.hex, 'hex'), e.log_index
FROM (SELECT log_index, convert_from(data, 'UTF8')::jsonb AS entry FROM log_entries) e
CROSS JOIN LATERAL jsonb_array_elements_text(e.entry -> 'statement' -> 'photos') AS p(hex)
WHERE e.entry ->> 'type' = 'form' AND e.entry ->> 'v' = '2';
