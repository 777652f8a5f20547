-- The passages counted per UTC hour, device (so concurrent batches of different devices never
-- share a row), checkpoint, direction, kind and outcome, with the people the
-- vehicles among them carried: the dashboard's day reads a few thousand of these rows instead of
-- a city's day of passages (when the district's UTC offset is whole hours, as China's +8 is).
-- Kept by the trigger below at every insert of a passage, in the same statement; purged by hour
-- with the passages.
CREATE TABLE passage_hours (
    hour_ms BIGINT NOT NULL,
    device_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    verdict TEXT NOT NULL,
    deny_reason TEXT NOT NULL,
    passages BIGINT NOT NULL,
    occupants BIGINT NOT NULL,
    PRIMARY KEY (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict, deny_reason)
);

-- One trigger keeps what is derived from the passages, once per inserting statement over the rows
-- it inserted (one function call per statement, not three): the admitted passages' keys queued for
-- the places (0024), the vehicles' scanned companions (0026) and the hourly counts.
CREATE FUNCTION passages_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO presence_queue (passage_pk) SELECT pk FROM new_passages WHERE verdict = 'admitted';
    INSERT INTO passage_occupants (passage_pk, pass_id, corrected_at_ms)
    SELECT DISTINCT n.pk, o.pass_id, n.corrected_at_ms FROM new_passages n
    CROSS JOIN LATERAL jsonb_array_elements_text(n.body::jsonb -> 'body' -> 'subject' -> 'occupant_pass_ids') AS o(pass_id)
    WHERE n.subject_kind = 'vehicle' AND n.body LIKE '%occupant_pass_ids%'
    ON CONFLICT DO NOTHING;
    INSERT INTO passage_hours AS h (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict,
                                    deny_reason, passages, occupants)
    SELECT corrected_at_ms / 3600000 * 3600000, device_id, checkpoint_id, direction, subject_kind, verdict,
           COALESCE(deny_reason, ''), COUNT(*), SUM(occupants)
    FROM new_passages GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict, deny_reason)
    DO UPDATE SET passages = h.passages + excluded.passages,
                  occupants = h.occupants + excluded.occupants;
    RETURN NULL;
END $$;

CREATE TRIGGER passages_derived AFTER INSERT ON passages
    REFERENCING NEW TABLE AS new_passages
    FOR EACH STATEMENT EXECUTE FUNCTION passages_after_insert();

INSERT INTO passage_hours (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict, deny_reason,
                           passages, occupants)
SELECT corrected_at_ms / 3600000 * 3600000, device_id, checkpoint_id, direction, subject_kind, verdict,
       COALESCE(deny_reason, ''), COUNT(*), SUM(occupants)
FROM passages GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Fever cases are few: the dashboard's fever alerts and the anomaly rule read them by this index
-- (any threshold from 37.0 °C up).
CREATE INDEX passages_warm ON passages (corrected_at_ms) WHERE deny_reason = 'fever' OR temperature_c >= 37.0;
