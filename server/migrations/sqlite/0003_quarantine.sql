-- Every record a device sent that ingest refused, kept with its reason until an administrator accepts
-- or discards it (or the retention purge removes it).
CREATE TABLE quarantine (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    record_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    body_sha TEXT NOT NULL,
    reason TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    state TEXT NOT NULL DEFAULT 'held',
    decided_by TEXT,
    decided_at_ms BIGINT,
    UNIQUE (device_id, record_id, body_sha)
);
CREATE INDEX quarantine_by_state ON quarantine (state, device_id);
CREATE INDEX quarantine_by_received ON quarantine (received_at_ms);
