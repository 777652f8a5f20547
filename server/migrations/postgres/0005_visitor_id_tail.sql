-- Passages stored before this release: keep only the last 4 characters of a visitor's ID number.
UPDATE passages
SET body = jsonb_set(body::jsonb, '{body,subject,id_number}',
                     to_jsonb(right(body::jsonb #>> '{body,subject,id_number}', 4)))::text
WHERE subject_kind = 'visitor'
  AND length(body::jsonb #>> '{body,subject,id_number}') > 4;
