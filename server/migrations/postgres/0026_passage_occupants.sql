-- The scanned companions of a vehicle passage, one row per pass id, so a records search or a
-- contact trace by pass id finds the vehicle passages a person rode through as well. Kept by the
-- trigger of migration 0027 at every insert of a passage; purged with the passages.
CREATE TABLE passage_occupants (
    passage_pk BIGINT NOT NULL,
    pass_id TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL,
    PRIMARY KEY (passage_pk, pass_id)
);
CREATE INDEX passage_occupants_pass ON passage_occupants (pass_id, corrected_at_ms);
CREATE INDEX passage_occupants_corrected ON passage_occupants (corrected_at_ms);

INSERT INTO passage_occupants (passage_pk, pass_id, corrected_at_ms)
SELECT DISTINCT n.pk, o.pass_id, n.corrected_at_ms FROM passages n
CROSS JOIN LATERAL jsonb_array_elements_text(n.body::jsonb -> 'body' -> 'subject' -> 'occupant_pass_ids') AS o(pass_id)
WHERE n.subject_kind = 'vehicle' AND n.body LIKE '%occupant_pass_ids%'
ON CONFLICT DO NOTHING;
