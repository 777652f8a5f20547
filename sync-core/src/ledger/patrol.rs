//! The patrol face of the journal: the patrol steps recorded since a moment, with their upload
//! state, so the patrol screen can resume a round after a restart and show which rounds still
//! wait to upload.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::journal::{decode_entry, entry_from_row, ENTRY_COLUMNS};
use super::{Ledger, LedgerError};
use crate::domain::{EntryBody, EntryHead, EntryKind};
use crate::patrol::PatrolCheckData;

/// One recorded patrol step.
#[derive(Debug, Clone, PartialEq)]
pub struct PatrolStepRecord {
    pub head: EntryHead,
    pub data: PatrolCheckData,
    /// Still waiting to reach the district server.
    pub pending: bool,
}

impl Ledger {
    /// Patrol steps recorded at or after `since` (device time), oldest first.
    pub fn patrol_steps_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<PatrolStepRecord>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS}, upload_state FROM journal
             WHERE entry_kind = ?1 AND recorded_ms >= ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(
            params![EntryKind::PatrolCheck.as_str(), since.timestamp_millis()],
            |row| Ok((entry_from_row(row)?, row.get::<_, String>(4)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (raw, state) = row?;
            let entry = decode_entry(raw)?;
            if let EntryBody::PatrolCheck(data) = entry.body {
                out.push(PatrolStepRecord {
                    head: entry.head,
                    data,
                    pending: state == "pending",
                });
            }
        }
        Ok(out)
    }
}
