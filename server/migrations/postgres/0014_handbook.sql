-- The gate handbook (标准化手册): every edit of a section is a new row (version + 1), so what was
-- published when stays on record; the phones get the newest version of each section with their
-- config. A section whose newest version has `retired` = 1 is no longer published.
CREATE TABLE handbook_sections (
    section_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    position BIGINT NOT NULL,
    title_zh TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_en TEXT NOT NULL,
    retired BIGINT NOT NULL DEFAULT 0,
    updated_by TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    PRIMARY KEY (section_id, version)
);
