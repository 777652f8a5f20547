-- The passages counted per UTC hour, device (so concurrent batches of different devices never
-- share a row), checkpoint, direction, kind and outcome, with the people the
-- vehicles among them carried: the dashboard's day reads a few thousand of these rows instead of
-- a city's day of passages (when the district's UTC offset is whole hours, as China's +8 is).
-- Kept by the trigger below at every insert of a passage; purged by hour with the passages.
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

CREATE TRIGGER passages_hours AFTER INSERT ON passages
BEGIN
    INSERT INTO passage_hours (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict,
                               deny_reason, passages, occupants)
    VALUES (NEW.corrected_at_ms / 3600000 * 3600000, NEW.device_id, NEW.checkpoint_id, NEW.direction,
            NEW.subject_kind, NEW.verdict, COALESCE(NEW.deny_reason, ''), 1, NEW.occupants)
    ON CONFLICT (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict, deny_reason)
    DO UPDATE SET passages = passages + 1, occupants = occupants + excluded.occupants;
END;

INSERT INTO passage_hours (hour_ms, device_id, checkpoint_id, direction, subject_kind, verdict, deny_reason,
                           passages, occupants)
SELECT corrected_at_ms / 3600000 * 3600000, device_id, checkpoint_id, direction, subject_kind, verdict,
       COALESCE(deny_reason, ''), COUNT(*), SUM(occupants)
FROM passages WHERE TRUE GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Fever cases are few: the dashboard's fever alerts and the anomaly rule read them by this index
-- (any threshold from 37.0 °C up).
CREATE INDEX passages_warm ON passages (corrected_at_ms) WHERE deny_reason = 'fever' OR temperature_c >= 37.0;
