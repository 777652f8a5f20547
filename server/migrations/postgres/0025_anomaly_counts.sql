-- The dashboard's anomaly counts per compound and day, recounted in the background (every
-- `anomaly_refresh_seconds`) so a district dashboard of a hundred compounds reads a hundred small
-- rows instead of running the rules over a city's day of passages on every view. The anomaly
-- page itself always runs the rules.
CREATE TABLE anomaly_counts (
    compound_id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    counts TEXT NOT NULL,
    computed_at_ms BIGINT NOT NULL
);
