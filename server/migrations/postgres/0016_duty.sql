-- The duty roster (值班). Staff accounts: the id is the staff member's pass id (the `Staff` pass
-- kind); the PIN is stored only as its argon2id hash; a deactivated account's pass is revoked.
-- `compound_id` '' = staff of the whole district.
CREATE TABLE staff (
    staff_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    compound_id TEXT NOT NULL,
    pin_hash TEXT,
    active BIGINT NOT NULL DEFAULT 1,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
-- Sign-ons and sign-offs: one row per accepted `duty` entry (the entry itself is in `entries`),
-- written by the ingest in the same transaction; paired into shifts when a report asks.
CREATE TABLE duty_events (
    entry_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    staff_id TEXT NOT NULL,
    staff_name TEXT NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('on', 'off')),
    method TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL
);
CREATE INDEX duty_events_time ON duty_events (corrected_at_ms);
-- The duty report counts each shift's passages and patrol rounds at its phone.
CREATE INDEX passages_device_corrected ON passages (device_id, corrected_at_ms);
CREATE INDEX patrol_checks_device ON patrol_checks (device_id, corrected_at_ms);
