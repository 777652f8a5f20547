-- Rate limits counted in the database, so several server instances share them (self-registration
-- per client address): events per key in fixed windows; the limit weighs the previous window by
-- how much of it still falls within the sliding window. Windows older than a day are purged.
CREATE TABLE rate_windows (
    rate_key TEXT NOT NULL,
    window_start_ms BIGINT NOT NULL,
    events BIGINT NOT NULL,
    PRIMARY KEY (rate_key, window_start_ms)
);
CREATE INDEX rate_windows_start ON rate_windows (window_start_ms);
