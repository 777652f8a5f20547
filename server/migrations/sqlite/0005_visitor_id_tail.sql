-- Passages stored before this release: keep only the last 4 characters of a visitor's ID number.
UPDATE passages
SET body = json_set(body, '$.body.subject.id_number',
                    substr(json_extract(body, '$.body.subject.id_number'), -4))
WHERE subject_kind = 'visitor'
  AND length(json_extract(body, '$.body.subject.id_number')) > 4;
