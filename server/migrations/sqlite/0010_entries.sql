-- Journal entries of every kind but a passage (passages keep their own table). A device's seq runs
-- over all kinds, so idempotency holds across both tables: journal_heads is what the ingest
-- planner reads to find duplicates, and each table keeps its unique id and (device_id, seq).
-- body: the entry as sent (envelope, kind, body, chain link), for the kinds later issues add.
CREATE TABLE entries (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    recorded_at_ms BIGINT NOT NULL,
    corrected_at_ms BIGINT NOT NULL,
    offset_known BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    staff TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX entries_kind_corrected ON entries (kind, corrected_at_ms);
CREATE VIEW journal_heads AS
    SELECT id, device_id, seq, hash FROM passages
    UNION ALL
    SELECT id, device_id, seq, hash FROM entries;
