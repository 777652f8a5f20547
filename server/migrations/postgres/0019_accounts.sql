-- Accounts and roles (issue 17): a district administrator (everything), a compound manager (only
-- the compounds listed in admin_compounds) or an observer (read only; exports of personal data
-- only when granted). A deactivated account keeps its audit trail and cannot log in; a reset
-- password must be changed at the next login.
ALTER TABLE admins ADD COLUMN role TEXT NOT NULL DEFAULT 'district';
ALTER TABLE admins ADD COLUMN personal_exports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE admins ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE admins ADD COLUMN deactivated_at_ms BIGINT;
CREATE TABLE admin_compounds (
    username TEXT NOT NULL REFERENCES admins (username),
    compound_id TEXT NOT NULL REFERENCES compounds (id),
    PRIMARY KEY (username, compound_id)
);
-- A session ends after inactivity: the time of its last request.
ALTER TABLE sessions ADD COLUMN last_seen_ms BIGINT NOT NULL DEFAULT 0;
-- Login throttling, shared by every server instance: failures per account ('user:<name>') and
-- per address ('ip:<address>'), and until when the next attempt is refused.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    blocked_until_ms BIGINT NOT NULL,
    last_failure_ms BIGINT NOT NULL
);
