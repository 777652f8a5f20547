-- A compound's daily report, signed off once (最多报一次): the snapshot as signed (the counted
-- report and the manager's typed figures, JSON) and its SHA-256. The primary key makes a second
-- sign-off of the same compound and day impossible. Counts only: kept beyond the retention period
-- as the district's record of what was reported.
CREATE TABLE report_signoffs (
    compound_id TEXT NOT NULL,
    day TEXT NOT NULL,
    signed_by TEXT NOT NULL,
    signed_at_ms BIGINT NOT NULL,
    snapshot TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (compound_id, day)
);
