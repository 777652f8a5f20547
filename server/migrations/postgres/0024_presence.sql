-- Where each subject is now: its last admitted crossing (by corrected time, then arrival order).
-- The dashboard's "residents out" and "visitors inside", the list behind them and the anomaly
-- "visitors still inside since before midnight" read this one row per subject instead of a window
-- over every passage of the retention period.
--
-- Ingest only appends the admitted passages' keys to `presence_queue` (the trigger of migration
-- 0027, for every write path; appends never wait on each other), and whoever reads places first
-- applies the queue to `presence`, one applier at a time ("newer wins", so the order of
-- application does not matter).
-- Updating `presence` inside ingest instead made concurrent batches that share subjects wait on
-- and deadlock with each other. The retention purge deletes the places whose crossing it purges.
CREATE TABLE presence (
    subject_key TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    direction TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL,
    passage_pk BIGINT NOT NULL
);
CREATE INDEX presence_where ON presence (subject_kind, direction, checkpoint_id, corrected_at_ms);
CREATE INDEX presence_corrected ON presence (corrected_at_ms);
CREATE TABLE presence_queue (passage_pk BIGINT PRIMARY KEY);

INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
SELECT DISTINCT ON (subject_key) subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk
FROM passages WHERE verdict = 'admitted'
ORDER BY subject_key, corrected_at_ms DESC, pk DESC;
