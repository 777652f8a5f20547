//! Retention: delete settled entries (of every kind) older than the retention period, with their
//! photos, never an unsynced entry nor one whose photo the server does not have yet.
//!
//! Only a prefix of the chain is purged (up to the first passage that must stay), so the rest of the
//! chain still verifies from the recorded base.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Ledger, LedgerError};

/// Default retention in days (comparable systems keep 14–30).
pub const DEFAULT_RETENTION_DAYS: u32 = 28;

impl Ledger {
    /// Delete entries recorded before `cutoff` that the server has settled (uploaded, or rejected with a
    /// reason the server keeps). Pending entries are never deleted, nor anything after one.
    /// An entry whose photo is still waiting for upload stays too. Photo files of deleted
    /// entries go with them. Returns the number of entries deleted.
    pub fn purge_settled_before(&mut self, cutoff: DateTime<Utc>) -> Result<usize, LedgerError> {
        let (deleted, photos) = self.purge_entries(cutoff)?;
        self.delete_unreferenced_photos(&photos)?;
        Ok(deleted)
    }

    /// The database half of the purge: entries deleted, and the photo names they referenced.
    fn purge_entries(
        &mut self,
        cutoff: DateTime<Utc>,
    ) -> Result<(usize, Vec<String>), LedgerError> {
        let tx = self.conn.transaction()?;
        // The first entry that has to stay: pending, recent, or with a photo still to upload.
        let keep_from: Option<i64> = tx.query_row(
            "SELECT MIN(seq) FROM (
                SELECT MIN(seq) AS seq FROM journal
                 WHERE upload_state = 'pending' OR recorded_ms >= ?1
                UNION ALL
                SELECT MIN(entry_seq) FROM attachments WHERE upload_state = 'pending')",
            [cutoff.timestamp_millis()],
            |r| r.get(0),
        )?;
        let last: Option<(i64, String)> = {
            let mut stmt = tx.prepare(
                "SELECT seq, hash FROM journal WHERE (?1 IS NULL OR seq < ?1) ORDER BY seq DESC LIMIT 1",
            )?;
            let mut rows = stmt.query(params![keep_from])?;
            match rows.next()? {
                Some(row) => Some((row.get(0)?, row.get(1)?)),
                None => None,
            }
        };
        let Some((base_seq, base_hash)) = last else {
            return Ok((0, Vec::new()));
        };
        let photos: Vec<String> = tx
            .prepare("DELETE FROM attachments WHERE entry_seq <= ?1 RETURNING sha256")?
            .query_map([base_seq], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let deleted = tx.execute(
            "DELETE FROM journal WHERE seq <= ?1 AND upload_state <> 'pending'",
            [base_seq],
        )?;
        tx.execute(
            "UPDATE device SET base_seq = ?1, base_hash = ?2 WHERE id = 1",
            params![base_seq, base_hash],
        )?;
        tx.commit()?;
        Ok((deleted, photos))
    }
}
