-- The record's time on the server's clock: the device's recorded_at corrected by the clock offset
-- (server - device) the device reported with it; the device time itself when it reported none
-- (offset_known = 0, and the devices page flags the device). Reports, the dashboard and presence
-- count by corrected_at_ms. A record an administrator accepted from the quarantine was stored at a
-- reviewed server time: corrected = recorded, offset known.
ALTER TABLE passages ADD COLUMN corrected_at_ms BIGINT;
ALTER TABLE passages ADD COLUMN offset_known BIGINT NOT NULL DEFAULT 0;
UPDATE passages SET
    offset_known = CASE WHEN (body::jsonb -> 'body' ->> 'clock_offset_ms') IS NULL THEN 0 ELSE 1 END,
    corrected_at_ms = recorded_at_ms + COALESCE((body::jsonb -> 'body' ->> 'clock_offset_ms')::BIGINT, 0);
UPDATE passages SET corrected_at_ms = recorded_at_ms, offset_known = 1
    WHERE id IN (SELECT record_id FROM quarantine WHERE state = 'accepted');
CREATE INDEX passages_corrected ON passages (corrected_at_ms);
CREATE INDEX passages_subject_corrected ON passages (subject_key, corrected_at_ms);
CREATE INDEX passages_unknown_offset ON passages (device_id) WHERE offset_known = 0;
-- Retention purges by corrected_at_ms too, so the indexes on the device time go.
DROP INDEX passages_subject;
DROP INDEX passages_recorded;
