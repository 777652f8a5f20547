//! Passages in the journal: appending them (as passage entries) and reading them back through the
//! `passages` view.

use rusqlite::{params, Row};
use uuid::Uuid;

use super::{Ledger, LedgerError};
use crate::domain::{NewEntry, NewPassage, Passage, PassageBody};

pub(super) const PASSAGE_COLUMNS: &str = "body, prev_hash, hash";

pub(super) fn passage_from_row(row: &Row<'_>) -> rusqlite::Result<(String, String, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

pub(super) fn decode(
    (body, prev_hash, hash): (String, String, String),
) -> Result<Passage, LedgerError> {
    let body: PassageBody = serde_json::from_str(&body)?;
    Ok(Passage {
        body,
        prev_hash,
        hash,
    })
}

impl Ledger {
    /// Append a passage. When this returns `Ok`, the passage is on disk (fsynced); only then may a verdict be shown.
    pub fn append(&mut self, new: NewPassage) -> Result<Passage, LedgerError> {
        let mut stored = self.append_all(vec![new])?;
        stored.pop().ok_or(LedgerError::NotFound)
    }

    /// Append several passages in one transaction (one fsync): all are stored, or none.
    pub fn append_all(&mut self, news: Vec<NewPassage>) -> Result<Vec<Passage>, LedgerError> {
        let entries = self.append_entries(news.into_iter().map(NewEntry::from).collect())?;
        entries
            .iter()
            .map(|e| e.as_passage().ok_or(LedgerError::NotFound))
            .collect()
    }

    /// The passage with this id.
    pub fn passage(&self, id: Uuid) -> Result<Passage, LedgerError> {
        let raw = self.conn.query_row(
            &format!("SELECT {PASSAGE_COLUMNS} FROM passages WHERE id = ?1"),
            [id.to_string()],
            passage_from_row,
        )?;
        decode(raw)
    }

    /// Up to `limit` passages with `seq > after_seq`, in `seq` order.
    pub fn passages_after(
        &self,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<Passage>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PASSAGE_COLUMNS} FROM passages WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![after_seq as i64, limit as i64], passage_from_row)?;
        rows.map(|r| decode(r?)).collect()
    }

    /// The last seq ever written (0 for a new ledger).
    pub fn last_seq(&self) -> Result<u64, LedgerError> {
        let seq: i64 =
            self.conn
                .query_row("SELECT last_seq FROM device WHERE id = 1", [], |r| r.get(0))?;
        Ok(seq as u64)
    }

    /// Number of passages stored (after purges; other kinds of entry are not counted).
    pub fn stored_count(&self) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM passages", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}
