-- Saksi SQLite schema, version 10: outgoing webhooks for incident
-- notifications (README: Webhooks). Adds tables only, so a server of an
-- earlier schema keeps running against it during a deploy.
--
-- events: the notice ids the webhook subscribes to, comma-separated
-- (`new,escalated`). secret: the HMAC-SHA256 key of its signatures, shown
-- once by `saksi webhook add`; the server must read it to sign.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row per (notice, webhook subscribed to it), written when the notice
-- is published and kept after delivery as its record. Pending while
-- delivered_at is NULL and next_attempt_at is set; given up when both are
-- NULL. body: the payload's `incident` object (JSON), the same on every
-- attempt.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    webhook         INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_attempt_at INTEGER,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook, id);
