-- A lost or stolen phone is switched off: its token is refused everywhere until re-enabled.
ALTER TABLE devices ADD COLUMN disabled_at_ms BIGINT;
ALTER TABLE devices ADD COLUMN disabled_by TEXT;
