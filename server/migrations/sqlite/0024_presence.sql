-- Where each subject is now: its last admitted crossing (by corrected time, then arrival order).
-- The dashboard's "residents out" and "visitors inside", the list behind them and the anomaly
-- "visitors still inside since before midnight" read this one row per subject instead of a window
-- over every passage of the retention period. Ingest only appends the admitted passages' keys to
-- `presence_queue` (a trigger, for every write path); whoever reads places first applies the
-- queue to `presence` ("newer wins"). The retention purge deletes the places whose crossing it
-- purges.
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

CREATE TRIGGER passages_presence AFTER INSERT ON passages WHEN NEW.verdict = 'admitted'
BEGIN
    INSERT INTO presence_queue (passage_pk) VALUES (NEW.pk);
END;

INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
SELECT subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk FROM (
    SELECT subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk,
           ROW_NUMBER() OVER (PARTITION BY subject_key ORDER BY corrected_at_ms DESC, pk DESC) AS rn
    FROM passages WHERE verdict = 'admitted'
) last_crossing WHERE rn = 1;
