-- Where each subject is now: its last admitted crossing (by corrected time, then arrival order).
-- The dashboard's "residents out" and "visitors inside", the list behind them and the anomaly
-- "visitors still inside after midnight" read this one row per subject instead of a window over
-- every passage of the retention period. Kept by the trigger below for every write path (ingest,
-- quarantine release, seeds), one statement at a time; the retention purge deletes the rows whose
-- crossing it purges (a subject with no passage left has no place).
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

CREATE FUNCTION presence_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
    SELECT DISTINCT ON (subject_key) subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk
    FROM new_passages WHERE verdict = 'admitted'
    ORDER BY subject_key, corrected_at_ms DESC, pk DESC
    ON CONFLICT (subject_key) DO UPDATE SET
        subject_kind = excluded.subject_kind, direction = excluded.direction,
        checkpoint_id = excluded.checkpoint_id, corrected_at_ms = excluded.corrected_at_ms,
        passage_pk = excluded.passage_pk
    WHERE (excluded.corrected_at_ms, excluded.passage_pk) > (presence.corrected_at_ms, presence.passage_pk);
    RETURN NULL;
END $$;

CREATE TRIGGER passages_presence AFTER INSERT ON passages
    REFERENCING NEW TABLE AS new_passages
    FOR EACH STATEMENT EXECUTE FUNCTION presence_after_insert();

INSERT INTO presence (subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, passage_pk)
SELECT DISTINCT ON (subject_key) subject_key, subject_kind, direction, checkpoint_id, corrected_at_ms, pk
FROM passages WHERE verdict = 'admitted'
ORDER BY subject_key, corrected_at_ms DESC, pk DESC;
