//! Schema migrations keyed on `PRAGMA user_version`; each step runs in its own transaction.

use rusqlite::Connection;
use uuid::Uuid;

use super::LedgerError;
use crate::domain::GENESIS_HASH;

const MIGRATIONS: &[&str] = &[
    // 1: passages, device identity, chain head/base, settings, keys, revocations.
    r#"
    CREATE TABLE device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        device_id TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        -- the chain head: the last seq and hash ever written (never goes back, survives purges)
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_hash TEXT NOT NULL,
        -- the chain base: passages at or below base_seq were purged; verification starts here
        base_seq INTEGER NOT NULL DEFAULT 0,
        base_hash TEXT NOT NULL
    );
    CREATE TABLE passages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        recorded_ms INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('resident', 'vehicle', 'visitor')),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        verdict TEXT NOT NULL CHECK (verdict IN ('admitted', 'denied')),
        subject_key TEXT NOT NULL,
        plate TEXT,
        name TEXT,
        id_tail TEXT,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        upload_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (upload_state IN ('pending', 'uploaded', 'rejected')),
        reject_reason TEXT,
        settled_ms INTEGER
    );
    CREATE INDEX passages_day ON passages (recorded_ms, kind, direction, verdict);
    CREATE INDEX passages_subject ON passages (subject_key, seq);
    CREATE INDEX passages_pending ON passages (upload_state, seq);
    CREATE INDEX passages_plate ON passages (plate) WHERE plate IS NOT NULL;
    CREATE INDEX passages_id_tail ON passages (id_tail) WHERE id_tail IS NOT NULL;
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE keys (
        key_id TEXT PRIMARY KEY,
        district_id TEXT NOT NULL,
        public_key TEXT NOT NULL,
        not_before_ms INTEGER,
        not_after_ms INTEGER
    );
    CREATE TABLE revocations (
        pass_id TEXT NOT NULL,
        serial INTEGER NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (pass_id, serial)
    );
    "#,
    // 2: a pending passage whose stored row cannot be read is set aside (with the error), so the
    // rest keeps uploading; it stays on disk for an administrator and is never purged.
    r#"
    ALTER TABLE passages ADD COLUMN set_aside TEXT;
    "#,
    // 3: the compound's roster (pass status for typed ids, plates and ID-number tails), pulled as
    // deltas; staff passes of the whole district; a `staff` subject kind.
    r#"
    CREATE TABLE roster (
        pass_id TEXT PRIMARY KEY,
        kind INTEGER NOT NULL,
        serial INTEGER NOT NULL,
        revoked INTEGER NOT NULL,
        household TEXT NOT NULL,
        name TEXT NOT NULL,
        plate TEXT,
        valid_until INTEGER NOT NULL,
        id_tail TEXT
    ) WITHOUT ROWID;
    CREATE INDEX roster_plate ON roster (plate) WHERE plate IS NOT NULL;
    CREATE INDEX roster_id_tail ON roster (id_tail) WHERE id_tail IS NOT NULL;
    CREATE INDEX roster_household ON roster (household);
    CREATE TABLE roster_exits (
        id TEXT PRIMARY KEY,
        household TEXT NOT NULL,
        at_ms INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX roster_exits_household ON roster_exits (household, at_ms);
    CREATE TABLE passages_v3 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        recorded_ms INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('resident', 'vehicle', 'visitor', 'staff')),
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        verdict TEXT NOT NULL CHECK (verdict IN ('admitted', 'denied')),
        subject_key TEXT NOT NULL,
        plate TEXT,
        name TEXT,
        id_tail TEXT,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        upload_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (upload_state IN ('pending', 'uploaded', 'rejected')),
        reject_reason TEXT,
        settled_ms INTEGER,
        set_aside TEXT
    );
    INSERT INTO passages_v3 SELECT seq, id, recorded_ms, kind, direction, verdict, subject_key, plate,
        name, id_tail, body, prev_hash, hash, upload_state, reject_reason, settled_ms, set_aside
        FROM passages;
    DROP TABLE passages;
    ALTER TABLE passages_v3 RENAME TO passages;
    CREATE INDEX passages_day ON passages (recorded_ms, kind, direction, verdict);
    CREATE INDEX passages_subject ON passages (subject_key, seq);
    CREATE INDEX passages_pending ON passages (upload_state, seq);
    CREATE INDEX passages_plate ON passages (plate) WHERE plate IS NOT NULL;
    CREATE INDEX passages_id_tail ON passages (id_tail) WHERE id_tail IS NOT NULL;
    "#,
    // 4: the journal. Every entry of every kind in one table, on one chain and one seq; the passage
    // columns are filled for passages only, and `passages` becomes a view of the passage entries,
    // so every reader of passages stays as it was. `body` holds the bytes the hash covers.
    r#"
    CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        entry_kind TEXT NOT NULL,
        recorded_ms INTEGER NOT NULL,
        kind TEXT CHECK (kind IN ('resident', 'vehicle', 'visitor', 'staff')),
        direction TEXT CHECK (direction IN ('in', 'out')),
        verdict TEXT CHECK (verdict IN ('admitted', 'denied')),
        subject_key TEXT,
        plate TEXT,
        name TEXT,
        id_tail TEXT,
        body TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        upload_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (upload_state IN ('pending', 'uploaded', 'rejected')),
        reject_reason TEXT,
        settled_ms INTEGER,
        set_aside TEXT,
        CHECK (entry_kind <> 'passage' OR (kind IS NOT NULL AND direction IS NOT NULL
               AND verdict IS NOT NULL AND subject_key IS NOT NULL))
    );
    INSERT INTO journal (seq, id, entry_kind, recorded_ms, kind, direction, verdict, subject_key,
        plate, name, id_tail, body, prev_hash, hash, upload_state, reject_reason, settled_ms, set_aside)
        SELECT seq, id, 'passage', recorded_ms, kind, direction, verdict, subject_key, plate, name,
        id_tail, body, prev_hash, hash, upload_state, reject_reason, settled_ms, set_aside
        FROM passages;
    DROP TABLE passages;
    CREATE VIEW passages AS SELECT seq, id, recorded_ms, kind, direction, verdict, subject_key,
        plate, name, id_tail, body, prev_hash, hash, upload_state, reject_reason, settled_ms, set_aside
        FROM journal WHERE entry_kind = 'passage';
    CREATE INDEX journal_day ON journal (recorded_ms, kind, direction, verdict);
    CREATE INDEX journal_subject ON journal (subject_key, seq);
    CREATE INDEX journal_pending ON journal (upload_state, seq);
    CREATE INDEX journal_plate ON journal (plate) WHERE plate IS NOT NULL;
    CREATE INDEX journal_id_tail ON journal (id_tail) WHERE id_tail IS NOT NULL;
    -- the photos an entry references (files beside the ledger, named by SHA-256); each uploads
    -- after its entry is acknowledged, and goes with the entry when it is purged
    CREATE TABLE attachments (
        entry_seq INTEGER NOT NULL REFERENCES journal (seq) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        upload_state TEXT NOT NULL DEFAULT 'pending'
            CHECK (upload_state IN ('pending', 'uploaded', 'rejected')),
        reject_reason TEXT,
        PRIMARY KEY (entry_seq, sha256)
    ) WITHOUT ROWID;
    CREATE INDEX attachments_pending ON attachments (upload_state, entry_seq);
    CREATE INDEX attachments_sha ON attachments (sha256);
    "#,
    // 5: the last day each resident made the daily health check-in, from the roster
    r#"
    ALTER TABLE roster ADD COLUMN checked_in_on TEXT;
    "#,
];

/// Bring the schema up to date, and create the device row on a new file.
pub(super) fn migrate(conn: &Connection) -> Result<(), LedgerError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if current > supported {
        return Err(LedgerError::TooNew {
            found: current,
            supported,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as i64 + 1;
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        if version == 1 {
            tx.execute(
                "INSERT INTO device (id, device_id, created_ms, last_hash, base_hash)
                 VALUES (1, ?1, ?2, ?3, ?3)",
                rusqlite::params![
                    Uuid::now_v7().to_string(),
                    chrono::Utc::now().timestamp_millis(),
                    GENESIS_HASH
                ],
            )?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}
