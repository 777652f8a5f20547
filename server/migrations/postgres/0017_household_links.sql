-- Household links (the letter that puts a household's passes on its residents' own phones): only
-- the token's hash is kept; a new letter revokes the household's earlier link; each phone that
-- opened a link is remembered (and audited the first time).
CREATE TABLE household_links (
    token_hash TEXT PRIMARY KEY,
    compound_id TEXT NOT NULL,
    household TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    revoked_at_ms BIGINT
);
CREATE INDEX household_links_household ON household_links (compound_id, household);
CREATE TABLE household_link_phones (
    token_hash TEXT NOT NULL,
    phone_id TEXT NOT NULL,
    first_seen_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    PRIMARY KEY (token_hash, phone_id)
);
