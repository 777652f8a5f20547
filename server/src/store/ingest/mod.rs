//! Exactly-once batch ingest: a pure planner (`plan.rs`) decides each record's fate, then one
//! transaction stores the batch, its refused records in the quarantine, and the chain events.
//!
//! Idempotency lives in the schema (unique record id, unique `(device_id, seq)`, `ON CONFLICT DO
//! NOTHING`, and for the quarantine unique `(device_id, record_id, body_sha)`).

mod entries;
mod incoming;
mod minimise;
mod plan;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sync_core::protocol::{RecordResult, RecordStatus};
use sync_core::{Passage, Verdict};

pub use incoming::Incoming;
pub use minimise::id_tail;
use minimise::stored_json;
pub use plan::{corrected_time, plan_batch, BatchPlan, Clock, DeviceState, Places, StoredRecord};

use super::bulk::{BulkInsert, ColumnType};
use super::value::placeholders;
use super::{DbError, FromRow, JsonList, Row, Stmt, Store, Val};

/// Who hands the batch in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The device's own upload, with its pending count after this batch.
    Device { backlog: u64 },
    /// An administrator accepting a quarantined record, stored at `recorded_at_ms` (reviewed).
    Review { recorded_at_ms: i64 },
}

/// When a record is stored as having happened: `(recorded_at_ms, corrected_at_ms, offset_known)`.
/// A device's record keeps its own clock reading and is corrected by the offset it reported (by
/// nothing when it reported none); a reviewed record's time is the administrator's, on the
/// server's clock.
fn stored_times(p: &Passage, source: Source) -> (i64, i64, bool) {
    match source {
        Source::Review { recorded_at_ms } => (recorded_at_ms, recorded_at_ms, true),
        Source::Device { .. } => {
            let recorded = p.body.recorded_at.timestamp_millis();
            let corrected = corrected_time(p).map_or(recorded, |t| t.timestamp_millis());
            (recorded, corrected, p.body.clock_offset_ms.is_some())
        }
    }
}

fn passage_values(p: &Passage, received_ms: i64, source: Source) -> Vec<Val> {
    let b = &p.body;
    let deny = match b.verdict {
        Verdict::Denied { reason } => Val::from(reason.as_str()),
        Verdict::Admitted => Val::Null,
    };
    let (recorded_ms, corrected_ms, offset_known) = stored_times(p, source);
    vec![
        b.id.to_string().into(),
        b.device_id.as_str().into(),
        b.seq.into(),
        b.checkpoint_id.as_str().into(),
        b.gate.as_str().into(),
        b.direction.as_str().into(),
        recorded_ms.into(),
        received_ms.into(),
        b.subject.kind().as_str().into(),
        b.subject.key().into(),
        b.verdict.as_str().into(),
        deny,
        b.temperature_c.map(f64::from).into(),
        p.prev_hash.as_str().into(),
        p.hash.as_str().into(),
        stored_json(p).into(),
        corrected_ms.into(),
        i64::from(offset_known).into(),
        i64::from(b.subject.occupants()).into(),
        b.subject.pass_id().into(),
        b.subject.plate().into(),
        b.subject.household().into(),
        b.subject.name().into(),
        b.subject.id_tail().into(),
    ]
}

impl FromRow for StoredRecord {
    fn from_row(row: &Row) -> Result<Self, DbError> {
        Ok(Self {
            id: row.get(0)?,
            device_id: row.get(1)?,
            seq: row.get(2)?,
            hash: row.get(3)?,
        })
    }
}

/// What the planner needs: the device's head, stored records in the batch's seq range and with
/// the batch's ids, and the device's checkpoint with its gates.
struct Known {
    state: DeviceState,
    by_seq: HashMap<u64, StoredRecord>,
    by_id: HashMap<String, StoredRecord>,
    places: Places,
}

/// Lock the device row (batches of one device are stored one after another), read its head and
/// what the batch touches: four statements, run in one go with the transaction's begin.
fn read_stmts(device_id: &str, records: &[Incoming], source: Source, now_ms: i64) -> Vec<Stmt> {
    let lock = match source {
        // Nothing left behind this batch: the device is fully synced as of now.
        Source::Device { backlog: 0 } => Stmt::new(
            "UPDATE devices SET last_seen_ms = $1, synced_at_ms = $1 WHERE device_id = $2
             RETURNING last_seq, last_hash",
            vec![now_ms.into(), device_id.into()],
        ),
        Source::Device { .. } => Stmt::new(
            "UPDATE devices SET last_seen_ms = $1 WHERE device_id = $2 RETURNING last_seq, last_hash",
            vec![now_ms.into(), device_id.into()],
        ),
        Source::Review { .. } => Stmt::new(
            "UPDATE devices SET last_seq = last_seq WHERE device_id = $1 RETURNING last_seq, last_hash",
            vec![device_id.into()],
        ),
    };
    let seqs = records.iter().map(|r| r.head.seq.min(i64::MAX as u64));
    let lo = seqs.clone().min().unwrap_or(0);
    let hi = seqs.max().unwrap_or(0);
    let ids: Vec<Val> = records
        .iter()
        .map(|r| r.head.id.to_string().into())
        .collect();
    // Every kind shares the device's seq and the id space: `journal_heads` spans their tables.
    let by_id_sql = format!(
        "SELECT id, device_id, seq, hash FROM journal_heads WHERE id IN ({})",
        placeholders(0, ids.len().max(1))
    );
    let ids = if ids.is_empty() { vec![Val::Null] } else { ids };
    vec![
        lock,
        Stmt::new(
            "SELECT id, device_id, seq, hash FROM journal_heads WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
            vec![device_id.into(), lo.into(), hi.into()],
        ),
        // A device records only at its own checkpoint.
        Stmt::new(
            "SELECT c.id, c.gates FROM checkpoints c JOIN devices d ON d.checkpoint_id = c.id WHERE d.device_id = $1",
            vec![device_id.into()],
        ),
        Stmt::new(by_id_sql, ids),
    ]
}

/// What the four statements of [`read_stmts`] found.
fn decode_known(device_id: &str, rows: Vec<Vec<Row>>) -> Result<Known, DbError> {
    let mut rows = rows.into_iter();
    let mut next = || rows.next().unwrap_or_default();
    let (last_seq, last_hash) = <(u64, String)>::from_first(&next())?
        .ok_or_else(|| DbError::Invalid("device is not enrolled".into()))?;
    let by_seq = StoredRecord::from_rows(&next())?
        .into_iter()
        .map(|s| (s.seq, s))
        .collect();
    let places = <(String, JsonList)>::from_rows(&next())?
        .into_iter()
        .map(|(id, JsonList(gates))| (id, gates))
        .collect();
    let by_id = StoredRecord::from_rows(&next())?
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    Ok(Known {
        state: DeviceState {
            device_id: device_id.to_owned(),
            last_seq,
            last_hash,
        },
        by_seq,
        by_id,
        places,
    })
}

/// The columns of a stored passage, in the order of [`passage_values`].
const PASSAGE_COLUMNS: &[(&str, ColumnType)] = &[
    ("id", ColumnType::Text),
    ("device_id", ColumnType::Text),
    ("seq", ColumnType::Int),
    ("checkpoint_id", ColumnType::Text),
    ("gate", ColumnType::Text),
    ("direction", ColumnType::Text),
    ("recorded_at_ms", ColumnType::Int),
    ("received_at_ms", ColumnType::Int),
    ("subject_kind", ColumnType::Text),
    ("subject_key", ColumnType::Text),
    ("verdict", ColumnType::Text),
    ("deny_reason", ColumnType::Text),
    ("temperature_c", ColumnType::Real),
    ("prev_hash", ColumnType::Text),
    ("hash", ColumnType::Text),
    ("body", ColumnType::Text),
    ("corrected_at_ms", ColumnType::Int),
    ("offset_known", ColumnType::Int),
    ("occupants", ColumnType::Int),
    ("pass_id", ColumnType::Text),
    ("plate", ColumnType::Text),
    ("household", ColumnType::Text),
    ("person_name", ColumnType::Text),
    ("id_tail", ColumnType::Text),
];

/// The accepted passages as one bulk insert (`RETURNING id` of each stored).
fn passage_rows(passages: &[&Passage], source: Source, now_ms: i64) -> BulkInsert {
    BulkInsert {
        table: "passages",
        columns: PASSAGE_COLUMNS,
        rows: passages
            .iter()
            .map(|p| passage_values(p, now_ms, source))
            .collect(),
        returning: "id",
        order_by: "seq",
    }
}

/// The refused records of any kind, kept with their reason; a resend of the same record is kept
/// once.
fn quarantine_stmts(plan: &BatchPlan, batch: &[Incoming], device: &str, now_ms: i64) -> Vec<Stmt> {
    plan.quarantined
        .iter()
        .map(|(i, reason)| {
            let rec = &batch[*i];
            // The hash is checked on the body as sent, before the body is minimised for storage.
            let hash_verified = i64::from(rec.is_self_consistent());
            let body = rec.wire_json();
            let sha = hex::encode(Sha256::digest(body.as_bytes()));
            Stmt::new(
                "INSERT INTO quarantine (device_id, record_id, seq, body_sha, reason, body, received_at_ms, hash_verified)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (device_id, record_id, body_sha) DO NOTHING",
                vec![
                    device.into(),
                    rec.head.id.to_string().into(),
                    rec.head.seq.into(),
                    sha.into(),
                    reason.as_str().into(),
                    body.into(),
                    now_ms.into(),
                    hash_verified.into(),
                ],
            )
        })
        .collect()
}

/// Chain events and the device row's new head and counters.
fn chain_stmts(
    plan: &BatchPlan,
    device: &str,
    n_batch: u64,
    source: Source,
    now_ms: i64,
) -> Vec<Stmt> {
    let mut stmts: Vec<Stmt> = plan
        .chain_events
        .iter()
        .map(|(kind, expected, found)| {
            Stmt::new(
                "INSERT INTO chain_events (device_id, kind, expected_seq, found_seq, detected_at_ms)
                 VALUES ($1, $2, $3, $4, $5)",
                vec![
                    device.into(),
                    (*kind).into(),
                    (*expected).into(),
                    (*found).into(),
                    now_ms.into(),
                ],
            )
        })
        .collect();
    let n_gaps = plan.chain_events.iter().filter(|e| e.0 == "gap").count() as u64;
    let n_breaks = plan.chain_events.len() as u64 - n_gaps;
    let head: Vec<Val> = vec![
        plan.new_state.last_seq.into(),
        plan.new_state.last_hash.as_str().into(),
        n_gaps.into(),
        n_breaks.into(),
    ];
    stmts.push(match source {
        Source::Device { backlog } => Stmt::new(
            "UPDATE devices SET last_seq = $1, last_hash = $2, n_gaps = n_gaps + $3,
             n_breaks = n_breaks + $4, n_rejected = n_rejected + $5, last_batch_at_ms = $6,
             last_batch_size = $7, backlog = $8 WHERE device_id = $9",
            [
                head,
                vec![
                    (plan.quarantined.len() as u64).into(),
                    now_ms.into(),
                    n_batch.into(),
                    backlog.into(),
                    device.into(),
                ],
            ]
            .concat(),
        ),
        Source::Review { .. } => Stmt::new(
            "UPDATE devices SET last_seq = $1, last_hash = $2, n_gaps = n_gaps + $3,
             n_breaks = n_breaks + $4 WHERE device_id = $5",
            [head, vec![device.into()]].concat(),
        ),
    });
    stmts
}

/// Every write of the planned batch, to run in one go before the commit: the accepted passages
/// (one bulk insert), the other kinds (with the photos they name), the refused records, the
/// chain. Also the positions of the statements whose `RETURNING id` rows are records stored.
fn write_stmts(
    plan: &BatchPlan,
    batch: &[Incoming],
    meta: (&str, Source, i64),
) -> (BulkInsert, Vec<Stmt>, Vec<usize>) {
    let (device, source, now_ms) = meta;
    let accepted = plan.accepted.iter().map(|&i| &batch[i]);
    let passages: Vec<&Passage> = accepted.clone().filter_map(Incoming::passage).collect();
    let bulk = passage_rows(&passages, source, now_ms);
    let mut stmts = Vec::new();
    let mut returning: Vec<usize> = Vec::new();
    for rec in accepted.filter(|r| r.passage().is_none()) {
        returning.push(stmts.len());
        stmts.push(entries::other_stmt(rec, now_ms));
        stmts.extend(entries::facts_stmt(rec));
        stmts.extend(super::photos::expect_photo_stmts(
            &rec.head, &rec.hash, now_ms,
        ));
    }
    stmts.extend(quarantine_stmts(plan, batch, device, now_ms));
    stmts.extend(chain_stmts(
        plan,
        device,
        batch.len() as u64,
        source,
        now_ms,
    ));
    (bulk, stmts, returning)
}

/// The ids the inserts at `returning` said they stored.
fn stored_ids(rows: &[Vec<Row>], returning: &[usize]) -> Result<HashSet<String>, DbError> {
    let mut stored = HashSet::new();
    for rows in returning.iter().filter_map(|&i| rows.get(i)) {
        stored.extend(<(String,)>::from_rows(rows)?.into_iter().map(|(id,)| id));
    }
    Ok(stored)
}

impl Store {
    /// Store one batch of passages from an enrolled device in one transaction; one result per
    /// record, in order (the passage-only form of [`Store::ingest_entries`]).
    pub async fn ingest(
        &self,
        device_id: &str,
        passages: Vec<Passage>,
        backlog: u64,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<Vec<RecordResult>, DbError> {
        let records = passages.into_iter().map(Incoming::from_passage).collect();
        self.ingest_from(
            device_id,
            records,
            Source::Device { backlog },
            Clock::device(now, retention_days),
        )
        .await
    }

    /// `ingest` for either source: lock the device, read, plan, write, commit.
    pub(crate) async fn ingest_from(
        &self,
        device_id: &str,
        records: Vec<Incoming>,
        source: Source,
        clock: Clock,
    ) -> Result<Vec<RecordResult>, DbError> {
        let now_ms = clock.now.timestamp_millis();
        // Two trips to the database: begin with the reads, then the writes with the commit.
        let (tx, rows) = self
            .begin_with(read_stmts(device_id, &records, source, now_ms))
            .await?;
        let known = decode_known(device_id, rows)?;
        let plan = plan_batch(
            &known.state,
            &records,
            &known.by_seq,
            &known.by_id,
            &known.places,
            &clock,
        );
        let (bulk, stmts, returning) = write_stmts(&plan, &records, (device_id, source, now_ms));
        let (passages, rows) = tx.commit_bulk(bulk, stmts).await?;
        let mut stored = stored_ids(&rows, &returning)?;
        stored.extend(
            <(String,)>::from_rows(&passages)?
                .into_iter()
                .map(|(id,)| id),
        );
        Ok(confirm_stored(plan.results, &stored))
    }
}

/// "Accepted" only for a row the database returned as inserted. One that a concurrent write beat to
/// its id is answered `rejected` (not kept): the device keeps it pending and sends it again, and the
/// next batch finds out whether it is a duplicate or belongs in the quarantine.
fn confirm_stored(results: Vec<RecordResult>, stored: &HashSet<String>) -> Vec<RecordResult> {
    results
        .into_iter()
        .map(|mut r| {
            if r.status == RecordStatus::Accepted && !stored.contains(&r.id.to_string()) {
                tracing::warn!(id = %r.id, "planned insert not stored (concurrent write); not acknowledged");
                r.status = RecordStatus::Rejected {
                    reason: "not stored: a concurrent write took its id; send it again".into(),
                };
            }
            r
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rows_the_database_returned_are_acknowledged() {
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let results = vec![
            RecordResult {
                id: a,
                status: RecordStatus::Accepted,
            },
            RecordResult {
                id: b,
                status: RecordStatus::Accepted,
            },
        ];
        let stored = HashSet::from([a.to_string()]);
        let out = confirm_stored(results, &stored);
        assert_eq!(out[0].status, RecordStatus::Accepted);
        assert!(matches!(out[1].status, RecordStatus::Rejected { .. }));
    }
}
