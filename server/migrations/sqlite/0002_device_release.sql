-- An enrolled device id can be enrolled again only after an administrator released it.
ALTER TABLE devices ADD COLUMN released_at_ms BIGINT;
