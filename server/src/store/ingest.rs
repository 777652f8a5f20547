//! Exactly-once batch ingest: a pure planner decides each record's fate, then one transaction stores it.
//!
//! Idempotency lives in the schema (unique record id, unique `(device_id, seq)`, `ON CONFLICT DO
//! NOTHING`); the planner only sorts records into accepted, duplicate and rejected, and notes
//! sequence gaps and chain breaks against the device's last known `(seq, hash)`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use sync_core::protocol::{RecordResult, RecordStatus};
use sync_core::validate::check_text;
use sync_core::{Passage, Subject, Verdict};

use super::value::placeholders;
use super::{DbError, Row, Stmt, Store, Val};

/// How far past the server's clock a (clock-corrected) record may claim to be.
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(10);
/// Longest text field accepted in a record (names, gates, staff, reasons).
pub const MAX_FIELD_CHARS: usize = 128;
const INSERT_CHUNK: usize = 250;
const PASSAGE_COLUMNS: usize = 16;

/// A device's place in its chain as the server knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceState {
    pub device_id: String,
    pub last_seq: u64,
    pub last_hash: String,
}

/// A passage already stored, as far as duplicate detection needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: String,
    pub device_id: String,
    pub seq: u64,
    pub hash: String,
}

/// What one batch does to the database.
#[derive(Debug, Clone)]
pub struct BatchPlan {
    pub results: Vec<RecordResult>,
    /// Indexes into the batch of the records to insert.
    pub accepted: Vec<usize>,
    /// `(kind, expected_seq, found_seq)`; kind is `gap` or `break`.
    pub chain_events: Vec<(&'static str, u64, u64)>,
    pub new_state: DeviceState,
    pub n_rejected: u64,
}

/// Most occupants one vehicle record may claim, and most scanned companions it may list.
pub const MAX_OCCUPANTS: u32 = 99;
/// Largest clock offset a device may report (server − device); beyond it the clock is not trusted.
pub const MAX_CLOCK_OFFSET: Duration = Duration::days(365);
/// How far past the device's known head a record's seq may be; beyond it the record is rejected
/// so that one absurd seq cannot move the head out of reach and switch chain monitoring off.
pub const MAX_SEQ_AHEAD: u64 = 1_000_000;

fn is_hash_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Every text a record carries, with its field name (optional ones only when present).
fn texts(p: &Passage) -> Vec<(&'static str, &str)> {
    let b = &p.body;
    let mut texts: Vec<(&'static str, &str)> = vec![
        ("checkpoint_id", &b.checkpoint_id),
        ("gate", &b.gate),
        ("staff", &b.staff),
    ];
    match &b.subject {
        Subject::Resident {
            pass_id,
            household,
            name,
        } => {
            texts.extend([("pass_id", pass_id.as_str()), ("household", household)]);
            texts.extend(name.as_deref().map(|n| ("name", n)));
        }
        Subject::Vehicle {
            plate,
            pass_id,
            occupant_pass_ids,
            ..
        } => {
            texts.push(("plate", plate));
            texts.extend(pass_id.as_deref().map(|v| ("pass_id", v)));
            texts.extend(
                occupant_pass_ids
                    .iter()
                    .map(|v| ("occupant_pass_ids", v.as_str())),
            );
        }
        Subject::Visitor {
            name,
            phone,
            id_number,
            host_household,
            reason,
            plate,
            visitor_pass_id,
        } => {
            texts.extend([
                ("name", name.as_str()),
                ("phone", phone),
                ("host_household", host_household),
                ("reason", reason),
            ]);
            texts.extend(id_number.as_deref().map(|v| ("id_number", v)));
            texts.extend(plate.as_deref().map(|v| ("plate", v)));
            texts.extend(visitor_pass_id.as_deref().map(|v| ("visitor_pass_id", v)));
        }
    }
    texts
}

fn field_problem(p: &Passage) -> Option<String> {
    let b = &p.body;
    for (field, value) in texts(p) {
        if let Err(e) = check_text(value, MAX_FIELD_CHARS) {
            return Some(format!("{field}: {e}"));
        }
    }
    if b.checkpoint_id.is_empty() || b.gate.is_empty() {
        return Some("checkpoint_id and gate are required".into());
    }
    if !is_hash_hex(&p.prev_hash) || !is_hash_hex(&p.hash) {
        return Some("hash and prev_hash must be 64 lowercase hex characters".into());
    }
    if let Subject::Vehicle {
        occupant_pass_ids,
        occupants,
        ..
    } = &b.subject
    {
        if *occupants > MAX_OCCUPANTS || occupant_pass_ids.len() > MAX_OCCUPANTS as usize {
            return Some(format!(
                "a vehicle carries at most {MAX_OCCUPANTS} occupants"
            ));
        }
    }
    if let Some(t) = b.temperature_c {
        if !(30.0..=45.0).contains(&t) {
            return Some(format!("temperature {t} °C is outside 30–45 °C"));
        }
    }
    None
}

/// The record's time on the server's clock: `recorded_at` corrected by the device's reported offset.
/// `None` when the offset is beyond a year or the sum leaves the calendar.
fn corrected_time(p: &Passage) -> Option<DateTime<Utc>> {
    let offset = Duration::try_milliseconds(p.body.clock_offset_ms.unwrap_or(0))?;
    if offset.abs() > MAX_CLOCK_OFFSET {
        return None;
    }
    p.body.recorded_at.checked_add_signed(offset)
}

fn record_problem(
    p: &Passage,
    device_id: &str,
    checkpoints: &HashSet<String>,
    now: DateTime<Utc>,
    oldest: DateTime<Utc>,
) -> Option<String> {
    let b = &p.body;
    if b.device_id != device_id {
        return Some("record belongs to another device".into());
    }
    if b.seq == 0 || i64::try_from(b.seq).is_err() {
        return Some("seq must be between 1 and 2^63".into());
    }
    if let Some(problem) = field_problem(p) {
        return Some(problem);
    }
    if !p.is_self_consistent() {
        return Some("hash does not match the record's contents".into());
    }
    if !checkpoints.contains(&b.checkpoint_id) {
        return Some(format!(
            "record is for checkpoint {:?}, not this device's checkpoint",
            b.checkpoint_id
        ));
    }
    // The device's known offset (server − device) corrects a wrong device clock.
    let Some(corrected) = corrected_time(p) else {
        return Some("clock_offset_ms is more than a year, or recorded_at is out of range".into());
    };
    if corrected > now + MAX_FUTURE_SKEW {
        let minutes = (corrected - now).num_minutes();
        return Some(format!(
            "recorded_at is {minutes} minutes in the future of server time"
        ));
    }
    if corrected < oldest {
        return Some("recorded_at is older than the retention period".into());
    }
    None
}

/// Decide each record's fate. `stored_by_seq` holds this device's stored records in the batch's
/// seq range, `stored_by_id` every stored record whose id appears in the batch, `checkpoints` the
/// checkpoints this device may record at (its own).
pub fn plan_batch(
    state: &DeviceState,
    passages: &[Passage],
    stored_by_seq: &HashMap<u64, StoredRecord>,
    stored_by_id: &HashMap<String, StoredRecord>,
    checkpoints: &HashSet<String>,
    now: DateTime<Utc>,
    retention_days: u32,
) -> BatchPlan {
    let oldest = now
        .checked_sub_signed(Duration::days(i64::from(retention_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut results = Vec::with_capacity(passages.len());
    let mut accepted = Vec::new();
    let mut seen_ids: HashMap<String, (u64, String)> = HashMap::new();
    let mut n_rejected = 0;
    for (i, p) in passages.iter().enumerate() {
        let id = p.body.id.to_string();
        let status =
            if let Some(reason) = record_problem(p, &state.device_id, checkpoints, now, oldest) {
                RecordStatus::Rejected { reason }
            } else if p.body.seq > state.last_seq.saturating_add(MAX_SEQ_AHEAD) {
                RecordStatus::Rejected {
                    reason: format!(
                        "seq {} is more than {MAX_SEQ_AHEAD} past the device's last known seq {}",
                        p.body.seq, state.last_seq
                    ),
                }
            } else if let Some(prior) = stored_by_id
                .get(&id)
                .map(|s| {
                    (
                        s.device_id == state.device_id && s.seq == p.body.seq,
                        &s.hash,
                    )
                })
                .or_else(|| seen_ids.get(&id).map(|(seq, h)| (*seq == p.body.seq, h)))
            {
                match prior {
                    (true, hash) if *hash == p.hash => RecordStatus::Duplicate,
                    _ => RecordStatus::Rejected {
                        reason: "record id already used by a different record".into(),
                    },
                }
            } else if stored_by_seq.contains_key(&p.body.seq)
                || seen_ids.values().any(|(seq, _)| *seq == p.body.seq)
            {
                RecordStatus::Rejected {
                    reason: format!("seq {} already holds a different record", p.body.seq),
                }
            } else {
                seen_ids.insert(id.clone(), (p.body.seq, p.hash.clone()));
                accepted.push(i);
                RecordStatus::Accepted
            };
        if matches!(status, RecordStatus::Rejected { .. }) {
            n_rejected += 1;
        }
        results.push(RecordResult {
            id: p.body.id,
            status,
        });
    }
    let mut order = accepted.clone();
    order.sort_by_key(|&i| passages[i].body.seq);
    let mut new_state = state.clone();
    let mut chain_events = Vec::new();
    for i in order {
        let p = &passages[i];
        let expected = new_state.last_seq + 1;
        if p.body.seq == expected && p.prev_hash != new_state.last_hash {
            chain_events.push(("break", expected, p.body.seq));
        } else if p.body.seq > expected {
            chain_events.push(("gap", expected, p.body.seq));
        }
        if p.body.seq >= expected {
            new_state.last_seq = p.body.seq;
            new_state.last_hash.clone_from(&p.hash);
        }
    }
    BatchPlan {
        results,
        accepted,
        chain_events,
        new_state,
        n_rejected,
    }
}

fn passage_values(p: &Passage, received_ms: i64) -> Vec<Val> {
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
        b.recorded_at.timestamp_millis().into(),
        received_ms.into(),
        b.subject.kind().as_str().into(),
        b.subject.key().into(),
        b.verdict.as_str().into(),
        deny,
        b.temperature_c.map(f64::from).into(),
        p.prev_hash.as_str().into(),
        p.hash.as_str().into(),
        serde_json::to_string(p).unwrap_or_default().into(),
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
        let now_ms = now.timestamp_millis();
        let seqs = passages.iter().map(|p| p.body.seq.min(i64::MAX as u64));
        let lo = seqs.clone().min().unwrap_or(0);
        let hi = seqs.max().unwrap_or(0);
        let ids: Vec<Val> = passages
            .iter()
            .map(|p| p.body.id.to_string().into())
            .collect();
        let mut first = vec![
            // Locks the device row: batches of one device are stored one after another.
            Stmt::new(
                "UPDATE devices SET last_seen_ms = $1 WHERE device_id = $2 RETURNING last_seq, last_hash",
                vec![now_ms.into(), device_id.into()],
            ),
            Stmt::new(
                "SELECT id, device_id, seq, hash FROM passages WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
                vec![device_id.into(), lo.into(), hi.into()],
            ),
            // A device records only at its own checkpoint.
            Stmt::new(
                "SELECT c.id FROM checkpoints c JOIN devices d ON d.checkpoint_id = c.id WHERE d.device_id = $1",
                vec![device_id.into()],
            ),
        ];
        if !ids.is_empty() {
            first.push(Stmt::new(
                format!(
                    "SELECT id, device_id, seq, hash FROM passages WHERE id IN ({})",
                    placeholders(0, ids.len())
                ),
                ids,
            ));
        }
        let device = device_id.to_owned();
        let passages = Arc::new(passages);
        let plan_out: Arc<Mutex<Option<BatchPlan>>> = Arc::new(Mutex::new(None));
        let (batch, out) = (Arc::clone(&passages), Arc::clone(&plan_out));
        let n_batch = passages.len() as u64;
        self.transact(
            first,
            Box::new(move |rows| {
                let state_row = rows[0]
                    .first()
                    .ok_or_else(|| DbError::Invalid("device is not enrolled".into()))?;
                let state = DeviceState {
                    device_id: device.clone(),
                    last_seq: state_row.int(0)?.try_into().unwrap_or(0),
                    last_hash: state_row.text(1)?,
                };
                let by_seq = rows[1]
                    .iter()
                    .map(|r| stored(r).map(|s| (s.seq, s)))
                    .collect::<Result<HashMap<_, _>, _>>()?;
                let checkpoints = rows[2].iter().map(|r| r.text(0)).collect::<Result<_, _>>()?;
                let by_id = match rows.get(3) {
                    Some(rs) => rs
                        .iter()
                        .map(|r| stored(r).map(|s| (s.id.clone(), s)))
                        .collect::<Result<HashMap<_, _>, _>>()?,
                    None => HashMap::new(),
                };
                let plan = plan_batch(
                    &state,
                    &batch,
                    &by_seq,
                    &by_id,
                    &checkpoints,
                    now,
                    retention_days,
                );
                let mut stmts = Vec::new();
                for chunk in plan.accepted.chunks(INSERT_CHUNK) {
                    let mut params = Vec::with_capacity(chunk.len() * PASSAGE_COLUMNS);
                    let mut tuples = Vec::with_capacity(chunk.len());
                    for (k, &i) in chunk.iter().enumerate() {
                        tuples.push(format!(
                            "({})",
                            placeholders(k * PASSAGE_COLUMNS, PASSAGE_COLUMNS)
                        ));
                        params.extend(passage_values(&batch[i], now_ms));
                    }
                    stmts.push(Stmt::new(
                        format!(
                            "INSERT INTO passages (id, device_id, seq, checkpoint_id, gate, direction,
                             recorded_at_ms, received_at_ms, subject_kind, subject_key, verdict,
                             deny_reason, temperature_c, prev_hash, hash, body)
                             VALUES {} ON CONFLICT DO NOTHING",
                            tuples.join(", ")
                        ),
                        params,
                    ));
                }
                for (kind, expected, found) in &plan.chain_events {
                    stmts.push(Stmt::new(
                        "INSERT INTO chain_events (device_id, kind, expected_seq, found_seq, detected_at_ms)
                         VALUES ($1, $2, $3, $4, $5)",
                        vec![
                            device.as_str().into(),
                            (*kind).into(),
                            (*expected).into(),
                            (*found).into(),
                            now_ms.into(),
                        ],
                    ));
                }
                let n_gaps = plan.chain_events.iter().filter(|e| e.0 == "gap").count() as u64;
                let n_breaks = plan.chain_events.len() as u64 - n_gaps;
                stmts.push(Stmt::new(
                    "UPDATE devices SET last_seq = $1, last_hash = $2, last_batch_at_ms = $3,
                     last_batch_size = $4, backlog = $5, n_gaps = n_gaps + $6,
                     n_breaks = n_breaks + $7, n_rejected = n_rejected + $8 WHERE device_id = $9",
                    vec![
                        plan.new_state.last_seq.into(),
                        plan.new_state.last_hash.as_str().into(),
                        now_ms.into(),
                        n_batch.into(),
                        backlog.into(),
                        n_gaps.into(),
                        n_breaks.into(),
                        plan.n_rejected.into(),
                        device.as_str().into(),
                    ],
                ));
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
        Ok(plan.results)
    }
}
