-- District server schema (SQLite). Keep in step with ../postgres/0001_init.sql: same tables, columns and keys.
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('revocation', 0);

CREATE TABLE compounds (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE checkpoints (
    id TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL REFERENCES compounds (id),
    name TEXT NOT NULL,
    gates TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);
CREATE TABLE enroll_codes (
    code_hash TEXT PRIMARY KEY,
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints (id),
    created_by TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    used_at_ms BIGINT,
    used_by_device TEXT
);
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    enrolled_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT,
    last_batch_at_ms BIGINT,
    last_batch_size BIGINT NOT NULL DEFAULT 0,
    backlog BIGINT NOT NULL DEFAULT 0,
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_hash TEXT NOT NULL,
    n_gaps BIGINT NOT NULL DEFAULT 0,
    n_breaks BIGINT NOT NULL DEFAULT 0,
    n_rejected BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE passages (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    checkpoint_id TEXT NOT NULL,
    gate TEXT NOT NULL,
    direction TEXT NOT NULL,
    recorded_at_ms BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    verdict TEXT NOT NULL,
    deny_reason TEXT,
    temperature_c DOUBLE PRECISION,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX passages_recorded ON passages (recorded_at_ms);
CREATE INDEX passages_subject ON passages (subject_key, recorded_at_ms);
CREATE TABLE chain_events (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    expected_seq BIGINT NOT NULL,
    found_seq BIGINT NOT NULL,
    detected_at_ms BIGINT NOT NULL
);

CREATE TABLE admins (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at_ms BIGINT NOT NULL);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES admins (username),
    csrf TEXT NOT NULL,
    expires_at_ms BIGINT NOT NULL
);
CREATE TABLE audit (
    pk INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE TABLE signing_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    not_before_ms BIGINT,
    not_after_ms BIGINT,
    created_at_ms BIGINT NOT NULL
);
CREATE TABLE residents (
    id TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL REFERENCES compounds (id),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    phone TEXT NOT NULL,
    household TEXT NOT NULL,
    plates TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (id_number)
);
CREATE TABLE passes (
    pass_id TEXT NOT NULL,
    serial BIGINT NOT NULL,
    kind TEXT NOT NULL,
    resident_id TEXT,
    compound_id TEXT NOT NULL,
    household TEXT NOT NULL,
    display_name TEXT NOT NULL,
    plate TEXT,
    payload TEXT NOT NULL,
    issued_at_ms BIGINT NOT NULL,
    valid_until_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT,
    PRIMARY KEY (pass_id, serial)
);
CREATE TABLE revocations (
    version BIGINT PRIMARY KEY,
    pass_id TEXT NOT NULL,
    serial BIGINT NOT NULL,
    revoked_at_ms BIGINT NOT NULL,
    UNIQUE (pass_id, serial)
);
CREATE TABLE visitor_passes (
    pass_id TEXT PRIMARY KEY,
    checkpoint_id TEXT NOT NULL REFERENCES checkpoints (id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    host_household TEXT NOT NULL,
    reason TEXT NOT NULL,
    plate TEXT,
    payload TEXT NOT NULL,
    issued_at_ms BIGINT NOT NULL,
    valid_until_ms BIGINT NOT NULL
);
