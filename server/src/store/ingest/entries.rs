//! Batches of journal entries of any kind: passages go through the passage ingest; an entry of a
//! kind this server cannot store yet is refused on its own, and the rest of the batch is stored.

use chrono::{DateTime, Utc};
use sync_core::protocol::{RecordResult, RecordStatus, WireEntry};
use sync_core::Passage;

use super::super::{DbError, Store};

impl Store {
    /// Store a batch of entries: one result per entry, in order.
    pub async fn ingest_entries(
        &self,
        device_id: &str,
        entries: Vec<WireEntry>,
        backlog: u64,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<Vec<RecordResult>, DbError> {
        let mut passages: Vec<Passage> = Vec::with_capacity(entries.len());
        let mut slots: Vec<Result<(), RecordResult>> = Vec::with_capacity(entries.len());
        for wire in &entries {
            match wire.decode().map(|e| e.as_passage()) {
                Ok(Some(p)) => {
                    passages.push(p);
                    slots.push(Ok(()));
                }
                Ok(None) => slots.push(Err(refused(wire, "this kind of entry is not stored yet"))),
                Err(e) => slots.push(Err(refused(wire, &e.to_string()))),
            }
        }
        let mut stored = self
            .ingest(device_id, passages, backlog, now, retention_days)
            .await?
            .into_iter();
        Ok(slots
            .into_iter()
            .filter_map(|slot| match slot {
                Ok(()) => stored.next(),
                Err(result) => Some(result),
            })
            .collect())
    }
}

fn refused(wire: &WireEntry, reason: &str) -> RecordResult {
    RecordResult {
        id: wire.id,
        status: RecordStatus::Rejected {
            reason: reason.to_owned(),
        },
    }
}
