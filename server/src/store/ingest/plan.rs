//! The pure planner of ingest: which records of a batch are stored, which are duplicates, which go
//! to the quarantine and why, and the gaps and chain breaks they reveal. No database access.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sync_core::protocol::{RecordResult, RecordStatus};
use sync_core::validate::check_text;
use sync_core::{Passage, Subject};

use super::incoming::Incoming;

/// How far past the server's clock a (clock-corrected) record may claim to be.
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(10);
/// Longest text field accepted in a record (names, gates, staff, reasons).
pub const MAX_FIELD_CHARS: usize = 128;

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
    /// Indexes of the refused records, with the reason they are kept in the quarantine for.
    pub quarantined: Vec<(usize, String)>,
    /// `(kind, expected_seq, found_seq)`; kind is `gap` or `break`.
    pub chain_events: Vec<(&'static str, u64, u64)>,
    pub new_state: DeviceState,
}

/// The checkpoints a device may record at, each with its gate names (none listed: any gate).
pub type Places = HashMap<String, Vec<String>>;

/// When the batch is taken in, and whether an administrator vouched for its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    pub now: DateTime<Utc>,
    pub retention_days: u32,
    /// Skip the checks on the record's time (an administrator accepted it after review).
    pub time_reviewed: bool,
    /// The record's hash was checked when it was first received, before its body was minimised
    /// for storage (`minimise.rs`); a kept record re-read from the quarantine cannot be re-hashed.
    pub hash_checked_at_intake: bool,
}

impl Clock {
    /// A device's own upload at `now`: every check applies.
    pub fn device(now: DateTime<Utc>, retention_days: u32) -> Self {
        Self {
            now,
            retention_days,
            time_reviewed: false,
            hash_checked_at_intake: false,
        }
    }
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
        Subject::Staff { pass_id, name } => {
            texts.push(("pass_id", pass_id));
            texts.extend(name.as_deref().map(|n| ("name", n)));
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
pub fn corrected_time(p: &Passage) -> Option<DateTime<Utc>> {
    corrected(p.body.recorded_at, p.body.clock_offset_ms)
}

/// `recorded_at + offset`, for an entry of any kind (see [`corrected_time`]).
pub fn corrected(recorded_at: DateTime<Utc>, offset_ms: Option<i64>) -> Option<DateTime<Utc>> {
    let offset = Duration::try_milliseconds(offset_ms.unwrap_or(0))?;
    if offset.abs() > MAX_CLOCK_OFFSET {
        return None;
    }
    recorded_at.checked_add_signed(offset)
}

fn record_problem(
    rec: &Incoming,
    device_id: &str,
    checkpoints: &Places,
    hash_checked: bool,
) -> Option<String> {
    if let Some(reason) = rec.undecodable() {
        return Some(reason.to_owned());
    }
    let h = &rec.head;
    if h.device_id != device_id {
        return Some("record belongs to another device".into());
    }
    if h.seq == 0 || i64::try_from(h.seq).is_err() {
        return Some("seq must be between 1 and 2^63".into());
    }
    let problem = match rec.passage() {
        Some(p) => field_problem(p),
        None => envelope_problem(rec),
    };
    if problem.is_some() {
        return problem;
    }
    if !hash_checked && !rec.is_self_consistent() {
        return Some("hash does not match the record's contents".into());
    }
    rec.passage().and_then(|p| place_problem(p, checkpoints))
}

/// The envelope's own checks, for an entry that is not a passage.
fn envelope_problem(rec: &Incoming) -> Option<String> {
    if let Err(e) = check_text(&rec.head.staff, MAX_FIELD_CHARS) {
        return Some(format!("staff: {e}"));
    }
    if !is_hash_hex(&rec.prev_hash) || !is_hash_hex(&rec.hash) {
        return Some("hash and prev_hash must be 64 lowercase hex characters".into());
    }
    None
}

/// A passage is recorded at one of this device's gates.
fn place_problem(p: &Passage, checkpoints: &Places) -> Option<String> {
    let b = &p.body;
    let Some(gates) = checkpoints.get(&b.checkpoint_id) else {
        return Some(format!(
            "record is for checkpoint {:?}, not this device's checkpoint",
            b.checkpoint_id
        ));
    };
    if !gates.is_empty() && !gates.contains(&b.gate) {
        return Some(format!(
            "gate {:?} is not a gate of checkpoint {:?}",
            b.gate, b.checkpoint_id
        ));
    }
    None
}

/// The record's time is believable: within a year of offset, not in the future, not purged already.
fn time_problem(rec: &Incoming, now: DateTime<Utc>, oldest: DateTime<Utc>) -> Option<String> {
    // The device's known offset (server − device) corrects a wrong device clock.
    let Some(corrected) = corrected(rec.head.recorded_at, rec.head.clock_offset_ms) else {
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
/// checkpoints this device may record at (its own) with their gates.
pub fn plan_batch(
    state: &DeviceState,
    records: &[Incoming],
    stored_by_seq: &HashMap<u64, StoredRecord>,
    stored_by_id: &HashMap<String, StoredRecord>,
    checkpoints: &Places,
    clock: &Clock,
) -> BatchPlan {
    let now = clock.now;
    let oldest = now
        .checked_sub_signed(Duration::days(i64::from(clock.retention_days)))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut results = Vec::with_capacity(records.len());
    let mut accepted = Vec::new();
    let mut seen_ids: HashMap<String, (u64, String)> = HashMap::new();
    let mut quarantined = Vec::new();
    for (i, p) in records.iter().enumerate() {
        let seq = p.head.seq;
        let id = p.head.id.to_string();
        let status = if let Some(reason) = record_problem(
            p,
            &state.device_id,
            checkpoints,
            clock.hash_checked_at_intake,
        )
        .or_else(|| {
            (!clock.time_reviewed)
                .then(|| time_problem(p, now, oldest))
                .flatten()
        }) {
            RecordStatus::Quarantined { reason }
        } else if seq > state.last_seq.saturating_add(MAX_SEQ_AHEAD) {
            RecordStatus::Quarantined {
                reason: format!(
                    "seq {seq} is more than {MAX_SEQ_AHEAD} past the device's last known seq {}",
                    state.last_seq
                ),
            }
        } else if let Some(prior) = stored_by_id
            .get(&id)
            .map(|s| (s.device_id == state.device_id && s.seq == seq, &s.hash))
            .or_else(|| seen_ids.get(&id).map(|(s, h)| (*s == seq, h)))
        {
            match prior {
                (true, hash) if *hash == p.hash => RecordStatus::Duplicate,
                _ => RecordStatus::Quarantined {
                    reason: "record id already used by a different record".into(),
                },
            }
        } else if stored_by_seq.contains_key(&seq) || seen_ids.values().any(|(s, _)| *s == seq) {
            RecordStatus::Quarantined {
                reason: format!("seq {seq} already holds a different record"),
            }
        } else {
            seen_ids.insert(id.clone(), (seq, p.hash.clone()));
            accepted.push(i);
            RecordStatus::Accepted
        };
        if let RecordStatus::Quarantined { reason } = &status {
            quarantined.push((i, reason.clone()));
        }
        results.push(RecordResult {
            id: p.head.id,
            status,
        });
    }
    let mut order = accepted.clone();
    order.sort_by_key(|&i| records[i].head.seq);
    let mut new_state = state.clone();
    let mut chain_events = Vec::new();
    for i in order {
        let p = &records[i];
        let seq = p.head.seq;
        let expected = new_state.last_seq + 1;
        if seq == expected && p.prev_hash != new_state.last_hash {
            chain_events.push(("break", expected, seq));
        } else if seq > expected {
            chain_events.push(("gap", expected, seq));
        }
        if seq >= expected {
            new_state.last_seq = seq;
            new_state.last_hash.clone_from(&p.hash);
        }
    }
    BatchPlan {
        results,
        accepted,
        chain_events,
        new_state,
        quarantined,
    }
}
