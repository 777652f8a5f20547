-- The compound roster devices pull as deltas: every change to a pass (issue, reissue, revocation)
-- stamps its rows with the next value of the 'roster' counter, taken under the counter's row lock.
ALTER TABLE passes ADD COLUMN roster_version BIGINT NOT NULL DEFAULT 0;
INSERT INTO counters (name, value) VALUES ('roster', 1) ON CONFLICT (name) DO NOTHING;
UPDATE passes SET roster_version = 1;
CREATE INDEX passes_roster ON passes (compound_id, roster_version);
CREATE INDEX passes_kind_roster ON passes (kind, roster_version);
