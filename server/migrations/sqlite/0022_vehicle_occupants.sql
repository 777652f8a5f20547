-- The people in a vehicle passage (counted by staff, scanned companions included), so the
-- dashboard and the report count them without reading each body; filled for stored rows.
ALTER TABLE passages ADD COLUMN occupants BIGINT NOT NULL DEFAULT 0;
UPDATE passages SET occupants = COALESCE(json_extract(body, '$.body.subject.occupants'), 0) WHERE subject_kind = 'vehicle';
