-- How many of a device's journal rows the retention purge has removed, so the devices page counts
-- as missing only the seqs never received (last_seq - rows held - rows purged), not purged ones.
ALTER TABLE devices ADD COLUMN purged_rows BIGINT NOT NULL DEFAULT 0;
