-- Digital patrol (数字巡查). Points carry signed labels; a route lists points (in order when
-- `ordered` = 1) and belongs to one checkpoint, whose phones walk it; each schedule edit is a new
-- version from the moment it was saved (every_minutes = 0: no rounds from then on), so a round
-- keeps the window of the version in force at its start. patrol_checks holds each accepted
-- patrol_check entry's facts (the entry itself is in `entries`), one row per entry.
CREATE TABLE patrol_points (
    point_id TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX patrol_points_compound ON patrol_points (compound_id);
CREATE TABLE patrol_routes (
    route_id TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    name TEXT NOT NULL,
    ordered BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX patrol_routes_checkpoint ON patrol_routes (checkpoint_id);
CREATE TABLE patrol_route_points (
    route_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    point_id TEXT NOT NULL,
    PRIMARY KEY (route_id, position)
);
CREATE TABLE patrol_schedules (
    route_id TEXT NOT NULL,
    valid_from_ms BIGINT NOT NULL,
    first_start TEXT NOT NULL,
    last_start TEXT NOT NULL,
    every_minutes BIGINT NOT NULL,
    window_minutes BIGINT NOT NULL,
    PRIMARY KEY (route_id, valid_from_ms)
);
CREATE TABLE patrol_checks (
    entry_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    route_id TEXT NOT NULL,
    round_id TEXT NOT NULL,
    window_start_ms BIGINT,
    point_id TEXT,
    outcome TEXT CHECK (outcome IN ('normal', 'problem')),
    note TEXT NOT NULL,
    staff TEXT NOT NULL,
    corrected_at_ms BIGINT NOT NULL
);
CREATE INDEX patrol_checks_route ON patrol_checks (route_id, corrected_at_ms);
-- When a device last had nothing left to upload (a batch with no backlog, or a config pull,
-- which follows a complete upload): a round whose window ended before it is known.
ALTER TABLE devices ADD COLUMN synced_at_ms BIGINT;
