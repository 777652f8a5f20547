-- A kept record's body is stored minimised (a visitor's ID number cut to its last 4 characters),
-- so it can no longer be re-hashed: remember whether its hash was checked when it arrived.
ALTER TABLE quarantine ADD COLUMN hash_verified INTEGER NOT NULL DEFAULT 0;
