//! Appending passages durably onto the device's chain, reading them back, and verifying the stored chain.

use rusqlite::{params, Row, TransactionBehavior};
use uuid::Uuid;

use super::{Ledger, LedgerError};
use crate::domain::{verify_chain, NewPassage, Passage, PassageBody};

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

fn insert_passage(tx: &rusqlite::Transaction<'_>, passage: &Passage) -> Result<(), LedgerError> {
    let b = &passage.body;
    let json =
        String::from_utf8(b.canonical_bytes()).map_err(|e| LedgerError::Decode(e.to_string()))?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO passages (seq, id, recorded_ms, kind, direction, verdict, subject_key,
                               plate, name, id_tail, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    stmt.execute(params![
        b.seq as i64,
        b.id.to_string(),
        b.recorded_at.timestamp_millis(),
        b.subject.kind().as_str(),
        b.direction.as_str(),
        b.verdict.as_str(),
        b.subject.key(),
        b.subject.plate(),
        b.subject.name(),
        b.subject.id_tail(),
        json,
        passage.prev_hash,
        passage.hash,
    ])?;
    Ok(())
}

impl Ledger {
    /// Append a passage. When this returns `Ok`, the passage is on disk (fsynced); only then may a verdict be shown.
    pub fn append(&mut self, new: NewPassage) -> Result<Passage, LedgerError> {
        let mut stored = self.append_all(vec![new])?;
        stored.pop().ok_or(LedgerError::NotFound)
    }

    /// Append several passages in one transaction (one fsync): all are stored, or none.
    pub fn append_all(&mut self, news: Vec<NewPassage>) -> Result<Vec<Passage>, LedgerError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut last_seq, mut last_hash): (i64, String) = tx.query_row(
            "SELECT last_seq, last_hash FROM device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let mut stored = Vec::with_capacity(news.len());
        for new in news {
            let seq = last_seq as u64 + 1;
            let body = PassageBody::new(Uuid::now_v7(), &self.device_id, seq, new);
            let passage = Passage::seal(body, &last_hash);
            insert_passage(&tx, &passage)?;
            last_seq = seq as i64;
            last_hash.clone_from(&passage.hash);
            stored.push(passage);
        }
        tx.execute(
            "UPDATE device SET last_seq = ?1, last_hash = ?2 WHERE id = 1",
            params![last_seq, last_hash],
        )?;
        tx.commit()?;
        Ok(stored)
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

    /// Number of passages stored (after purges).
    pub fn stored_count(&self) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM passages", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Verify the whole stored chain: hashes, links, no gaps from the purge base to the head,
    /// and that the indexed columns agree with each hashed body. Returns the number verified.
    pub fn verify(&self) -> Result<u64, LedgerError> {
        let (base_seq, base_hash, last_seq): (i64, String, i64) = self.conn.query_row(
            "SELECT base_seq, base_hash, last_seq FROM device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut stmt = self.conn.prepare(
            "SELECT body, prev_hash, hash, seq, id, kind, direction, verdict FROM passages ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut passages = Vec::new();
        while let Some(row) = rows.next()? {
            let p = decode(passage_from_row(row)?)?;
            let b = &p.body;
            let seq: i64 = row.get(3)?;
            let columns_agree = seq as u64 == b.seq
                && row.get::<_, String>(4)? == b.id.to_string()
                && row.get::<_, String>(5)? == b.subject.kind().as_str()
                && row.get::<_, String>(6)? == b.direction.as_str()
                && row.get::<_, String>(7)? == b.verdict.as_str();
            if !columns_agree {
                return Err(crate::domain::ChainError::Tampered { seq: seq as u64 }.into());
            }
            passages.push(p);
        }
        verify_chain(base_seq as u64, &base_hash, &passages)?;
        let verified_to = passages.last().map_or(base_seq as u64, |p| p.body.seq);
        if verified_to != last_seq as u64 {
            return Err(crate::domain::ChainError::Gap {
                expected: verified_to + 1,
                found: last_seq as u64,
            }
            .into());
        }
        Ok(passages.len() as u64)
    }
}
