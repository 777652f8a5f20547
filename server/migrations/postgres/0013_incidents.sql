-- Incidents reported from the gates (事件上报): one row per accepted `incident` entry (the entry
-- itself is in `entries`), written by the ingest in the same transaction, then handled in the
-- admin web: new → in_hand → closed, with who and when.
CREATE TABLE incidents (
    entry_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    category TEXT NOT NULL,
    urgent BIGINT NOT NULL,
    note TEXT NOT NULL,
    staff TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_hand', 'closed')),
    handled_by TEXT,
    handled_at_ms BIGINT,
    handling_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incidents_status ON incidents (status, urgent, corrected_at_ms);
CREATE INDEX incidents_corrected ON incidents (corrected_at_ms);
