-- Each compound's rules (JSON of sync_core::rules::CompoundRules), carried to its gates in the
-- signed config; and the visitor ID-number tail when a compound asks visitors for their ID.
CREATE TABLE compound_rules (
    compound_id TEXT PRIMARY KEY REFERENCES compounds (id),
    rules TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
ALTER TABLE visitor_passes ADD COLUMN id_tail TEXT;
CREATE INDEX visitor_passes_phone ON visitor_passes (phone, issued_at_ms);
