-- Daily health check-ins from residents' own phones (only what the form asks; purged with the
-- retention period) and visitor invitations made with a household letter's token (the visitor's
-- link token kept only as a hash). A check-in's id makes an upload idempotent; a second check-in
-- of the same member on the same day is the next version, the earlier one kept.
CREATE TABLE health_checkins (
    id TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL,
    household TEXT NOT NULL,
    pass_id TEXT NOT NULL,
    day TEXT NOT NULL,
    version BIGINT NOT NULL,
    temperature_c DOUBLE PRECISION NOT NULL,
    symptoms TEXT NOT NULL,
    left_city_to TEXT,
    flagged BIGINT NOT NULL,
    declared_at_ms BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    phone_id TEXT NOT NULL,
    UNIQUE (pass_id, day, version)
);
CREATE INDEX health_checkins_day ON health_checkins (compound_id, day);
CREATE INDEX health_checkins_received ON health_checkins (received_at_ms);
CREATE TABLE invitations (
    pass_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    compound_id TEXT NOT NULL,
    household TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    day TEXT NOT NULL,
    plate TEXT,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    made_day TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    valid_until_ms BIGINT NOT NULL
);
CREATE INDEX invitations_household ON invitations (compound_id, household, made_day);
