-- Photos that devices attach to journal entries, named by the SHA-256 of their bytes. A photo
-- arrives after its entry (PUT /api/v1/blobs/{sha256}); entry_photos lists what accepted entries
-- expect, so a photo that never arrives shows on the devices page, and a photo no entry expects
-- is dropped by the retention purge 24 hours after it came.
CREATE TABLE photos (
    sha256 TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    size BIGINT NOT NULL,
    bytes BYTEA NOT NULL,
    received_at_ms BIGINT NOT NULL
);
CREATE INDEX photos_received ON photos (received_at_ms);
CREATE TABLE entry_photos (
    entry_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    expected_since_ms BIGINT NOT NULL,
    PRIMARY KEY (entry_id, sha256)
);
CREATE INDEX entry_photos_sha ON entry_photos (sha256);
CREATE INDEX entry_photos_device ON entry_photos (device_id);
