//! Exactly-once batch ingest: a pure planner (`plan.rs`) decides each record's fate, then one
//! transaction stores the batch, its refused records in the quarantine, and the chain events.
//!
//! Idempotency lives in the schema (unique record id, unique `(device_id, seq)`, `ON CONFLICT DO
//! NOTHING`, and for the quarantine unique `(device_id, record_id, body_sha)`).

mod entries;
mod minimise;
mod plan;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sync_core::protocol::{RecordResult, RecordStatus};
use sync_core::{Passage, Verdict};

pub use minimise::id_tail;
use minimise::stored_json;
pub use plan::{corrected_time, plan_batch, BatchPlan, Clock, DeviceState, Places, StoredRecord};

use super::value::placeholders;
use super::{DbError, Row, Stmt, Store, Val};

const INSERT_CHUNK: usize = 250;
const PASSAGE_COLUMNS: usize = 16;

/// Who hands the batch in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The device's own upload, with its pending count after this batch.
    Device { backlog: u64 },
    /// An administrator accepting a quarantined record, stored at `recorded_at_ms` (reviewed).
    Review { recorded_at_ms: i64 },
}

fn passage_values(p: &Passage, received_ms: i64, recorded_ms: i64) -> Vec<Val> {
    let b = &p.body;
    let deny = match b.verdict {
        Verdict::Denied { reason } => Val::from(reason.as_str()),
        Verdict::Admitted => Val::Null,
    };
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
    ]
}

fn stored(row: &Row) -> Result<StoredRecord, DbError> {
    Ok(StoredRecord {
        id: row.text(0)?,
        device_id: row.text(1)?,
        seq: row.int(2)?.try_into().unwrap_or(0),
        hash: row.text(3)?,
    })
}

/// The statements that read what the planner needs; the first one locks the device row, so
/// batches of one device are stored one after another.
fn reads(device_id: &str, passages: &[Passage], source: Source, now_ms: i64) -> Vec<Stmt> {
    let seqs = passages.iter().map(|p| p.body.seq.min(i64::MAX as u64));
    let lo = seqs.clone().min().unwrap_or(0);
    let hi = seqs.max().unwrap_or(0);
    let lock = match source {
        Source::Device { .. } => Stmt::new(
            "UPDATE devices SET last_seen_ms = $1 WHERE device_id = $2 RETURNING last_seq, last_hash",
            vec![now_ms.into(), device_id.into()],
        ),
        Source::Review { .. } => Stmt::new(
            "UPDATE devices SET last_seq = last_seq WHERE device_id = $1 RETURNING last_seq, last_hash",
            vec![device_id.into()],
        ),
    };
    let mut first = vec![
        lock,
        Stmt::new(
            "SELECT id, device_id, seq, hash FROM passages WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
            vec![device_id.into(), lo.into(), hi.into()],
        ),
        // A device records only at its own checkpoint.
        Stmt::new(
            "SELECT c.id, c.gates FROM checkpoints c JOIN devices d ON d.checkpoint_id = c.id WHERE d.device_id = $1",
            vec![device_id.into()],
        ),
    ];
    let ids: Vec<Val> = passages
        .iter()
        .map(|p| p.body.id.to_string().into())
        .collect();
    if !ids.is_empty() {
        first.push(Stmt::new(
            format!(
                "SELECT id, device_id, seq, hash FROM passages WHERE id IN ({})",
                placeholders(0, ids.len())
            ),
            ids,
        ));
    }
    first
}

/// The planner's inputs, from the rows of `reads`.
fn plan_from_rows(
    device_id: &str,
    rows: &[Vec<Row>],
    batch: &[Passage],
    clock: &Clock,
) -> Result<BatchPlan, DbError> {
    let state_row = rows[0]
        .first()
        .ok_or_else(|| DbError::Invalid("device is not enrolled".into()))?;
    let state = DeviceState {
        device_id: device_id.to_owned(),
        last_seq: state_row.int(0)?.try_into().unwrap_or(0),
        last_hash: state_row.text(1)?,
    };
    let by_seq = rows[1]
        .iter()
        .map(|r| stored(r).map(|s| (s.seq, s)))
        .collect::<Result<HashMap<_, _>, _>>()?;
    let checkpoints = rows[2]
        .iter()
        .map(|r| {
            let gates: Vec<String> = serde_json::from_str(&r.text(1)?).unwrap_or_default();
            Ok((r.text(0)?, gates))
        })
        .collect::<Result<Places, DbError>>()?;
    let by_id = match rows.get(3) {
        Some(rs) => rs
            .iter()
            .map(|r| stored(r).map(|s| (s.id.clone(), s)))
            .collect::<Result<HashMap<_, _>, _>>()?,
        None => HashMap::new(),
    };
    Ok(plan_batch(
        &state,
        batch,
        &by_seq,
        &by_id,
        &checkpoints,
        clock,
    ))
}

/// Multi-row inserts of the accepted records.
fn insert_accepted(plan: &BatchPlan, batch: &[Passage], source: Source, now_ms: i64) -> Vec<Stmt> {
    let mut stmts = Vec::new();
    for chunk in plan.accepted.chunks(INSERT_CHUNK) {
        let mut params = Vec::with_capacity(chunk.len() * PASSAGE_COLUMNS);
        let mut tuples = Vec::with_capacity(chunk.len());
        for (k, &i) in chunk.iter().enumerate() {
            tuples.push(format!(
                "({})",
                placeholders(k * PASSAGE_COLUMNS, PASSAGE_COLUMNS)
            ));
            let recorded_ms = match source {
                Source::Device { .. } => batch[i].body.recorded_at.timestamp_millis(),
                Source::Review { recorded_at_ms } => recorded_at_ms,
            };
            params.extend(passage_values(&batch[i], now_ms, recorded_ms));
        }
        stmts.push(Stmt::new(
            format!(
                "INSERT INTO passages (id, device_id, seq, checkpoint_id, gate, direction,
                 recorded_at_ms, received_at_ms, subject_kind, subject_key, verdict,
                 deny_reason, temperature_c, prev_hash, hash, body)
                 VALUES {} ON CONFLICT DO NOTHING RETURNING id",
                tuples.join(", ")
            ),
            params,
        ));
    }
    stmts
}

/// The refused records, kept with their reason; a resend of the same record is kept once.
fn insert_quarantined(plan: &BatchPlan, batch: &[Passage], device: &str, now_ms: i64) -> Vec<Stmt> {
    plan.quarantined
        .iter()
        .map(|(i, reason)| {
            let p = &batch[*i];
            // The hash is checked on the body as sent, before the body is minimised for storage.
            let hash_verified = i64::from(p.is_self_consistent());
            let body = stored_json(p);
            let sha = hex::encode(Sha256::digest(body.as_bytes()));
            Stmt::new(
                "INSERT INTO quarantine (device_id, record_id, seq, body_sha, reason, body, received_at_ms, hash_verified)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (device_id, record_id, body_sha) DO NOTHING",
                vec![
                    device.into(),
                    p.body.id.to_string().into(),
                    p.body.seq.into(),
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
fn record_chain(
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

impl Store {
    /// Store one batch from an enrolled device in one transaction; one result per record, in order.
    pub async fn ingest(
        &self,
        device_id: &str,
        passages: Vec<Passage>,
        backlog: u64,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<Vec<RecordResult>, DbError> {
        let clock = Clock {
            now,
            retention_days,
            time_reviewed: false,
            hash_checked_at_intake: false,
        };
        self.ingest_from(device_id, passages, Source::Device { backlog }, clock)
            .await
    }

    /// `ingest` for either source.
    pub(crate) async fn ingest_from(
        &self,
        device_id: &str,
        passages: Vec<Passage>,
        source: Source,
        clock: Clock,
    ) -> Result<Vec<RecordResult>, DbError> {
        let now_ms = clock.now.timestamp_millis();
        let first = reads(device_id, &passages, source, now_ms);
        let device = device_id.to_owned();
        let batch = Arc::new(passages);
        let plan_out: Arc<Mutex<Option<BatchPlan>>> = Arc::new(Mutex::new(None));
        let (rows_batch, out) = (Arc::clone(&batch), Arc::clone(&plan_out));
        let out_rows = self
            .transact(
                first,
                Box::new(move |rows| {
                    let plan = plan_from_rows(&device, rows, &rows_batch, &clock)?;
                    let n_batch = rows_batch.len() as u64;
                    let mut stmts = insert_accepted(&plan, &rows_batch, source, now_ms);
                    stmts.extend(insert_quarantined(&plan, &rows_batch, &device, now_ms));
                    stmts.extend(record_chain(&plan, &device, n_batch, source, now_ms));
                    if let Ok(mut slot) = out.lock() {
                        *slot = Some(plan);
                    }
                    Ok(stmts)
                }),
            )
            .await?;
        let plan = plan_out
            .lock()
            .ok()
            .and_then(|mut slot| slot.take())
            .ok_or_else(|| DbError::Invalid("ingest plan missing".into()))?;
        // The first statements of the second part are the inserts; their RETURNING rows are the
        // records actually stored.
        let n_inserts = plan.accepted.chunks(INSERT_CHUNK).count();
        let stored: HashSet<String> = out_rows
            .then
            .iter()
            .take(n_inserts)
            .flatten()
            .map(|r| r.text(0))
            .collect::<Result<_, _>>()?;
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
