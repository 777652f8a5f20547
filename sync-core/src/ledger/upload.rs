//! Upload state of journal entries (every kind): the pending queue in `seq` order, and applying the
//! server's per-record results atomically.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::journal::{decode_entry, RawEntry, ENTRY_COLUMNS};
use super::{Ledger, LedgerError};
use crate::domain::Entry;

/// Where an entry stands with the district server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum UploadState {
    Pending,
    Uploaded,
    Rejected { reason: String },
}

/// The server's answer for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadOutcome {
    /// Stored now, or already stored before (a duplicate is an acknowledgement too).
    Acknowledged,
    /// Refused and kept in the server's quarantine, with its reason; shown to staff, not resent.
    Rejected(String),
}

/// What the sync status line shows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UploadSummary {
    pub pending: u64,
    pub rejected: u64,
    /// Pending entries that cannot be read and were set aside (kept on disk, not uploaded).
    #[serde(default)]
    pub set_aside: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

impl Ledger {
    /// The oldest `limit` pending entries, in `seq` order.
    pub fn pending_batch(&self, limit: usize) -> Result<Vec<Entry>, LedgerError> {
        self.pending_batch_after(0, limit)
    }

    /// The oldest `limit` pending entries with `seq > after`, in `seq` order: an upload round moves
    /// past records the server refused without keeping, which stay pending for the next round.
    /// A row that cannot be read is set aside with the error (and logged) instead of stopping every
    /// upload behind it; it stays on disk, counted in [`UploadSummary::set_aside`].
    pub fn pending_batch_after(&self, after: u64, limit: usize) -> Result<Vec<Entry>, LedgerError> {
        let mut cursor = i64::try_from(after).unwrap_or(i64::MAX);
        loop {
            let rows: Vec<(i64, RawEntry)> = {
                let mut stmt = self.conn.prepare_cached(&format!(
                    "SELECT seq, {ENTRY_COLUMNS} FROM journal
                     WHERE upload_state = 'pending' AND set_aside IS NULL AND seq > ?1
                     ORDER BY seq LIMIT ?2"
                ))?;
                let rows = stmt.query_map([cursor, limit as i64], |r| {
                    Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                })?;
                rows.collect::<Result<_, _>>()?
            };
            let Some(&(last, _)) = rows.last() else {
                return Ok(Vec::new());
            };
            let mut batch = Vec::with_capacity(rows.len());
            for (seq, raw) in rows {
                match decode_entry(raw) {
                    Ok(p) => batch.push(p),
                    Err(e) => self.set_aside(seq, &e)?,
                }
            }
            if !batch.is_empty() {
                return Ok(batch);
            }
            cursor = last;
        }
    }

    fn set_aside(&self, seq: i64, error: &LedgerError) -> Result<(), LedgerError> {
        tracing::error!(seq, %error, "a pending entry cannot be read; set aside, the rest uploads");
        self.conn.execute(
            "UPDATE journal SET set_aside = ?2 WHERE seq = ?1",
            rusqlite::params![seq, error.to_string()],
        )?;
        Ok(())
    }

    /// Apply the server's results in one transaction. Ids not in the ledger, or no longer pending, are ignored
    /// (a stray or repeated acknowledgement changes nothing). Returns how many rows changed.
    pub fn apply_upload_results(
        &mut self,
        results: &[(Uuid, UploadOutcome)],
        now: DateTime<Utc>,
    ) -> Result<usize, LedgerError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut ack = tx.prepare_cached(
                "UPDATE journal SET upload_state = 'uploaded', settled_ms = ?2
                 WHERE id = ?1 AND upload_state = 'pending'",
            )?;
            let mut reject = tx.prepare_cached(
                "UPDATE journal SET upload_state = 'rejected', reject_reason = ?2, settled_ms = ?3
                 WHERE id = ?1 AND upload_state = 'pending'",
            )?;
            // The photos of a refused entry are not sent: the server does not have their entry.
            let mut reject_photos = tx.prepare_cached(
                "UPDATE attachments SET upload_state = 'rejected', reject_reason = 'entry refused'
                 WHERE upload_state = 'pending'
                   AND entry_seq = (SELECT seq FROM journal WHERE id = ?1)",
            )?;
            for (id, outcome) in results {
                changed += match outcome {
                    UploadOutcome::Acknowledged => {
                        ack.execute(params![id.to_string(), now.timestamp_millis()])?
                    }
                    UploadOutcome::Rejected(reason) => {
                        reject_photos.execute([id.to_string()])?;
                        reject.execute(params![id.to_string(), reason, now.timestamp_millis()])?
                    }
                };
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// The upload state of one entry.
    pub fn upload_state(&self, id: Uuid) -> Result<UploadState, LedgerError> {
        let (state, reason): (String, Option<String>) = self.conn.query_row(
            "SELECT upload_state, reject_reason FROM journal WHERE id = ?1",
            [id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(match state.as_str() {
            "uploaded" => UploadState::Uploaded,
            "rejected" => UploadState::Rejected {
                reason: reason.unwrap_or_default(),
            },
            _ => UploadState::Pending,
        })
    }

    /// How many entries wait for upload (index-only count).
    pub fn pending_count(&self) -> Result<u64, LedgerError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM journal WHERE upload_state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Pending and rejected counts and the oldest pending time.
    pub fn upload_summary(&self) -> Result<UploadSummary, LedgerError> {
        let (pending, oldest, rejected, set_aside): (i64, Option<i64>, i64, i64) =
            self.conn.query_row(
                "SELECT
                (SELECT COUNT(*) FROM journal WHERE upload_state = 'pending'),
                (SELECT MIN(recorded_ms) FROM journal WHERE upload_state = 'pending'),
                (SELECT COUNT(*) FROM journal WHERE upload_state = 'rejected'),
                (SELECT COUNT(*) FROM journal WHERE set_aside IS NOT NULL)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        Ok(UploadSummary {
            pending: pending as u64,
            rejected: rejected as u64,
            set_aside: set_aside as u64,
            oldest_pending_at: oldest.and_then(DateTime::from_timestamp_millis),
        })
    }
}
