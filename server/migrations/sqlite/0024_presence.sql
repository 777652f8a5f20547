-- Where each subject is now: its last admitted crossing (by corrected time, then arrival order).
-- The dashboard's "residents out" and "visitors inside", the list behind them and the anomaly
-- "visitors still inside after midnight" read this one row per subject instead of a window over
-- every passage of the retention period. Kept by the trigger below for every write path (ingest,
-- quarantine release, seeds); the retention purge deletes the rows whose crossing it purges.
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

CREATE TRIGGER passages_presence AFTER INSERT ON passages WHEN NEW.verdict = 'admitted'
BEGIN
    INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
    VALUES (NEW.subject_key, NEW.subject_kind, NEW.direction, NEW.checkpoint_id, NEW.corrected_at_ms, NEW.pk)
    ON CONFLICT (subject_key) DO UPDATE SET
        subject_kind = excluded.subject_kind, direction = excluded.direction,
        checkpoint_id = excluded.checkpoint_id, corrected_at_ms = excluded.corrected_at_ms,
        passage_pk = excluded.passage_pk
    WHERE excluded.corrected_at_ms > presence.corrected_at_ms
       OR (excluded.corrected_at_ms = presence.corrected_at_ms AND excluded.passage_pk > presence.passage_pk);
END;

INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
SELECT subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk FROM (
    SELECT subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk,
           ROW_NUMBER() OVER (PARTITION BY subject_key ORDER BY corrected_at_ms DESC, pk DESC) AS rn
    FROM passages WHERE verdict = 'admitted'
) last_crossing WHERE rn = 1;
