-- What the records search and the contact tracing look passages up by, each with the time, so a
-- 30-day search of one plate or pass reads only that subject's rows: the pass shown (a visitor's
-- day pass too), the plate, the household (a visitor's host), the name, and the last four
-- characters of a visitor's ID number (all the server keeps of it). Filled for stored rows.
ALTER TABLE passages ADD COLUMN pass_id TEXT;
ALTER TABLE passages ADD COLUMN plate TEXT;
ALTER TABLE passages ADD COLUMN household TEXT;
ALTER TABLE passages ADD COLUMN person_name TEXT;
ALTER TABLE passages ADD COLUMN id_tail TEXT;
UPDATE passages SET
    pass_id = COALESCE((body::jsonb -> 'body' -> 'subject' ->> 'pass_id'), (body::jsonb -> 'body' -> 'subject' ->> 'visitor_pass_id')),
    plate = (body::jsonb -> 'body' -> 'subject' ->> 'plate'),
    household = COALESCE((body::jsonb -> 'body' -> 'subject' ->> 'household'), (body::jsonb -> 'body' -> 'subject' ->> 'host_household')),
    person_name = (body::jsonb -> 'body' -> 'subject' ->> 'name'),
    id_tail = right((body::jsonb -> 'body' -> 'subject' ->> 'id_number'), 4);
CREATE INDEX passages_pass_id ON passages (pass_id, corrected_at_ms);
CREATE INDEX passages_plate ON passages (plate, corrected_at_ms);
CREATE INDEX passages_household ON passages (household, corrected_at_ms);
CREATE INDEX passages_person_name ON passages (person_name, corrected_at_ms);
CREATE INDEX passages_id_tail ON passages (id_tail, corrected_at_ms);
CREATE INDEX passages_checkpoint_corrected ON passages (checkpoint_id, corrected_at_ms);
