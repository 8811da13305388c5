-- Saksi PostgreSQL schema, version 4: the writer lease, as
-- migrations/sqlite/0004_lease.sql. Adds one table of exactly one row.
--
-- Only one server may write an election at a time. The server holding the
-- lease renews it every few seconds; another may take it over only once it
-- has not been renewed until expires_at_ms (milliseconds since the Unix
-- epoch, on the database server's clock). Every grant sets token to the
-- previous token plus one, in the granting transaction (which holds the row
-- with SELECT ... FOR UPDATE): the fencing token. A batch written under the
-- lease locks the row the same way and checks that the token is still the
-- one it was granted, so a server that lost the lease writes nothing.
-- holder is who holds (or last held) it, `<hostname>:<pid>`.
CREATE TABLE writer_lease (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    holder        TEXT NOT NULL,
    token         BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);

INSERT INTO writer_lease (id, holder, token, expires_at_ms) VALUES (1, '', 0, 0);
