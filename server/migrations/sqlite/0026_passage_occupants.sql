-- The scanned companions of a vehicle passage, one row per pass id, so a records search or a
-- contact trace by pass id finds the vehicle passages a person rode through as well. Kept by the
-- trigger below at every insert of a passage; purged with the passages.
CREATE TABLE passage_occupants (
    passage_pk BIGINT NOT NULL,
    pass_id TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL,
    PRIMARY KEY (passage_pk, pass_id)
);
CREATE INDEX passage_occupants_pass ON passage_occupants (pass_id, corrected_at_ms);
CREATE INDEX passage_occupants_corrected ON passage_occupants (corrected_at_ms);

CREATE TRIGGER passages_occupants AFTER INSERT ON passages
    WHEN NEW.subject_kind = 'vehicle' AND NEW.body LIKE '%occupant_pass_ids%'
BEGIN
    INSERT OR IGNORE INTO passage_occupants (passage_pk, pass_id, corrected_at_ms)
    SELECT NEW.pk, value, NEW.corrected_at_ms
    FROM json_each(NEW.body, '$.body.subject.occupant_pass_ids');
END;

INSERT OR IGNORE INTO passage_occupants (passage_pk, pass_id, corrected_at_ms)
SELECT p.pk, j.value, p.corrected_at_ms
FROM passages p, json_each(p.body, '$.body.subject.occupant_pass_ids') j
WHERE p.subject_kind = 'vehicle' AND p.body LIKE '%occupant_pass_ids%';
