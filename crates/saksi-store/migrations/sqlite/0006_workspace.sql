-- Saksi SQLite schema, version 6: the officers' workspace (issue 10):
-- KPPS device enrolment codes, enrolments, and officers' keys waiting to
-- be certified. Adds tables only.
--
-- Whether an enrolment is approved or revoked, and whether an officer's key
-- is certified or revoked, is not stored here: it is read from the key
-- registry (officer_keys, key_revocations), which the log's key statements
-- fill, so the two can never disagree.

-- One-time enrolment codes a KPU Kab/Kota issues for TPS of its kab/kota.
-- Only a SHA-256 of the code is kept (the code is shown once). Issuing a
-- new code for a TPS voids its unused one (voided_at); a code is used once
-- (used_at).
CREATE TABLE enrolment_codes (
    id         INTEGER PRIMARY KEY,
    tps        TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    issued_by  INTEGER NOT NULL REFERENCES users (id),
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    voided_at  INTEGER
);

CREATE INDEX enrolment_codes_tps ON enrolment_codes (tps, code_hash);

-- A KPPS device's request to have its key registered for a TPS, made with
-- an enrolment code. id is 32 random hex digits, what the phone polls.
-- kabkota is the TPS's kab/kota, whose officers list and decide it.
CREATE TABLE enrolments (
    id          TEXT PRIMARY KEY,
    tps         TEXT NOT NULL,
    kabkota     TEXT NOT NULL,
    key         TEXT NOT NULL,
    code_id     INTEGER NOT NULL REFERENCES enrolment_codes (id),
    created_at  INTEGER NOT NULL,
    rejected_at INTEGER,
    reason      TEXT
);

CREATE INDEX enrolments_kabkota ON enrolments (kabkota, created_at);

-- An officer's key made in the browser, waiting for the officer one level
-- up (certifier_role at certifier_region; `root` at 0 for kpu-prov keys)
-- to certify it. A key is submitted once.
CREATE TABLE officer_key_submissions (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    user_id          INTEGER NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL,
    region           TEXT NOT NULL,
    certifier_role   TEXT NOT NULL,
    certifier_region TEXT NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE INDEX officer_key_submissions_certifier
    ON officer_key_submissions (certifier_role, certifier_region);
CREATE INDEX officer_key_submissions_user ON officer_key_submissions (user_id);
