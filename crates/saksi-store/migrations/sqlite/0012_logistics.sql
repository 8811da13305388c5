-- Saksi SQLite schema, version 12: the logistics chain (README:
-- Logistics). Adds a table only, so a server of an earlier schema keeps
-- running against it during a deploy.
--
-- logistics_entries: the log indexes of the shipments and deliveries
-- (docs/log-entries.md), so a starting server rebuilds every shipment and
-- every office's stock without scanning the log; written in the group
-- commit of the entry, never updated or deleted.
CREATE TABLE logistics_entries (
    log_index INTEGER PRIMARY KEY REFERENCES log_entries (log_index)
);
