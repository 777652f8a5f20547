//! The journal: appending entries of any kind durably onto the device's one chain, reading them
//! back, and verifying the stored chain. Passages are entries too (`passages.rs` wraps this).

use rusqlite::{params, Row, Transaction, TransactionBehavior};
use serde::Deserialize;
use uuid::Uuid;

use super::photos::attach;
use super::{Ledger, LedgerError};
use crate::domain::{
    check_attachments, verify_chain, ChainError, Entry, EntryBody, EntryHead, EntryKind, NewEntry,
    PassageBody,
};
use crate::domain::{Passage, PassageData};

/// The columns `decode_entry` reads, in order.
pub(super) const ENTRY_COLUMNS: &str = "entry_kind, body, prev_hash, hash";

/// A stored entry as read: its kind word, canonical body, and chain link.
pub(super) type RawEntry = (String, String, String, String);

pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

/// The stored form of an entry that is not a passage: the generic canonical JSON.
#[derive(Deserialize)]
struct StoredGeneric {
    #[serde(flatten)]
    head: EntryHead,
    kind: String,
    body: serde_json::Value,
}

pub(super) fn decode_entry((kind, body, prev_hash, hash): RawEntry) -> Result<Entry, LedgerError> {
    let word = EntryKind::parse(&kind)
        .ok_or_else(|| LedgerError::Decode(format!("unknown entry kind {kind:?}")))?;
    if word == EntryKind::Passage {
        let body: PassageBody = serde_json::from_str(&body)?;
        return Ok(Entry::from(Passage {
            body,
            prev_hash,
            hash,
        }));
    }
    let stored: StoredGeneric = serde_json::from_str(&body)?;
    if stored.kind != kind {
        return Err(LedgerError::Decode(format!(
            "entry kind {kind:?} stored with a body of kind {:?}",
            stored.kind
        )));
    }
    let body = EntryBody::from_json(word, &stored.body.to_string())
        .map_err(|e| LedgerError::Decode(e.to_string()))?;
    Ok(Entry {
        head: stored.head,
        body,
        prev_hash,
        hash,
    })
}

/// The passage columns of an entry (all `NULL` for other kinds).
fn passage_columns(d: Option<&PassageData>) -> [Option<String>; 7] {
    let Some(d) = d else {
        return Default::default();
    };
    let s = &d.subject;
    [
        Some(s.kind().as_str().to_owned()),
        Some(d.direction.as_str().to_owned()),
        Some(d.verdict.as_str().to_owned()),
        Some(s.key()),
        s.plate().map(str::to_owned),
        s.name().map(str::to_owned),
        s.id_tail(),
    ]
}

fn insert_entry(tx: &Transaction<'_>, entry: &Entry) -> Result<(), LedgerError> {
    let canonical = String::from_utf8(entry.canonical_bytes())
        .map_err(|e| LedgerError::Decode(e.to_string()))?;
    let passage = match &entry.body {
        EntryBody::Passage(d) => Some(d),
        _ => None,
    };
    let [kind, direction, verdict, subject_key, plate, name, id_tail] = passage_columns(passage);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO journal (seq, id, entry_kind, recorded_ms, kind, direction, verdict,
                              subject_key, plate, name, id_tail, body, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    let h = &entry.head;
    stmt.execute(params![
        h.seq as i64,
        h.id.to_string(),
        entry.kind().as_str(),
        h.recorded_at.timestamp_millis(),
        kind,
        direction,
        verdict,
        subject_key,
        plate,
        name,
        id_tail,
        canonical,
        entry.prev_hash,
        entry.hash,
    ])?;
    Ok(())
}

impl Ledger {
    /// Append entries of any kind in one transaction (one fsync): all are stored, or none. When
    /// this returns `Ok`, they are on disk; only then may the screen confirm them. Photos an
    /// entry names must have been stored with [`Ledger::store_photo`] first.
    pub fn append_entries(&mut self, news: Vec<NewEntry>) -> Result<Vec<Entry>, LedgerError> {
        for new in &news {
            check_attachments(new.body.kind().as_str(), &new.attachments)?;
            self.check_photos_stored(&new.attachments)?;
        }
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
            let head = EntryHead {
                id: Uuid::now_v7(),
                device_id: self.device_id.clone(),
                seq,
                recorded_at: new.recorded_at,
                clock_offset_ms: new.clock_offset_ms,
                staff: new.staff,
                attachments: new.attachments,
            };
            let entry = Entry::seal(head, new.body, &last_hash);
            insert_entry(&tx, &entry)?;
            attach(&tx, seq, &entry.head.attachments)?;
            last_seq = seq as i64;
            last_hash.clone_from(&entry.hash);
            stored.push(entry);
        }
        tx.execute(
            "UPDATE device SET last_seq = ?1, last_hash = ?2 WHERE id = 1",
            params![last_seq, last_hash],
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Append one entry (see [`Ledger::append_entries`]).
    pub fn append_entry(&mut self, new: NewEntry) -> Result<Entry, LedgerError> {
        self.append_entries(vec![new])?
            .pop()
            .ok_or(LedgerError::NotFound)
    }

    /// Up to `limit` entries of every kind with `seq > after_seq`, in `seq` order.
    pub fn entries_after(&self, after_seq: u64, limit: usize) -> Result<Vec<Entry>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![after, limit as i64], entry_from_row)?;
        rows.map(|r| decode_entry(r?)).collect()
    }

    /// Entries of `kind` with `seq > after_seq` recorded at or after `since` (device time), in
    /// `seq` order: a screen's own records without reading the passages.
    pub fn entries_of_kind(
        &self,
        kind: EntryKind,
        after_seq: u64,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Entry>, LedgerError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM journal
             WHERE entry_kind = ?1 AND seq > ?2 AND recorded_ms >= ?3 ORDER BY seq"
        ))?;
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            params![kind.as_str(), after, since.timestamp_millis()],
            entry_from_row,
        )?;
        rows.map(|r| decode_entry(r?)).collect()
    }

    /// Number of entries of every kind stored (after purges).
    pub fn entry_count(&self) -> Result<u64, LedgerError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Verify the whole stored chain over every kind: hashes, links, no gaps from the purge base
    /// to the head, and that the indexed columns agree with each hashed body. Returns the number
    /// of entries verified.
    pub fn verify(&self) -> Result<u64, LedgerError> {
        let (base_seq, base_hash, last_seq): (i64, String, i64) = self.conn.query_row(
            "SELECT base_seq, base_hash, last_seq FROM device WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS}, seq, id, kind, direction, verdict FROM journal ORDER BY seq"
        ))?;
        let mut rows = stmt.query([])?;
        let mut entries = Vec::new();
        while let Some(row) = rows.next()? {
            let entry = decode_entry(entry_from_row(row)?)?;
            let seq: i64 = row.get(4)?;
            let stored: [Option<String>; 3] = [row.get(6)?, row.get(7)?, row.get(8)?];
            let passage = match &entry.body {
                EntryBody::Passage(d) => Some(d),
                _ => None,
            };
            let [kind, direction, verdict, ..] = passage_columns(passage);
            let columns_agree = seq as u64 == entry.head.seq
                && row.get::<_, String>(5)? == entry.head.id.to_string()
                && stored == [kind, direction, verdict];
            if !columns_agree {
                return Err(ChainError::Tampered { seq: seq as u64 }.into());
            }
            entries.push(entry);
        }
        verify_chain(base_seq as u64, &base_hash, &entries)?;
        let verified_to = entries.last().map_or(base_seq as u64, |e| e.head.seq);
        if verified_to != last_seq as u64 {
            return Err(ChainError::Gap {
                expected: verified_to + 1,
                found: last_seq as u64,
            }
            .into());
        }
        Ok(entries.len() as u64)
    }
}
