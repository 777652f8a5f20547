-- Notices down to the gates (上传下达): every edit is a new row (version + 1), so what was published
-- when stays on record; a checkpoint's phones get the newest version of each notice that reaches
-- them (`target_kind` district / compounds / checkpoints, `target_ids` a JSON list) and is not
-- over or withdrawn (`retired` on the newest version).
CREATE TABLE notices (
    notice_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    priority TEXT NOT NULL CHECK (priority IN ('normal', 'urgent')),
    target_kind TEXT NOT NULL CHECK (target_kind IN ('district', 'compounds', 'checkpoints')),
    target_ids TEXT NOT NULL,
    effective_from_ms BIGINT NOT NULL,
    effective_until_ms BIGINT,
    retired BIGINT NOT NULL DEFAULT 0,
    published_by TEXT NOT NULL,
    published_at_ms BIGINT NOT NULL,
    PRIMARY KEY (notice_id, version)
);
-- Read receipts: one row per accepted `notice_ack` entry (the entry itself is in `entries`),
-- written by the ingest in the same transaction.
CREATE TABLE notice_acks (
    entry_id TEXT PRIMARY KEY,
    notice_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    staff TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL
);
CREATE INDEX notice_acks_notice ON notice_acks (notice_id, version, checkpoint_id);
