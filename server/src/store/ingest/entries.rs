//! Batches of journal entries of any kind (`POST /api/v2/entries`): each wire entry is decoded as
//! far as this server can, then the one ingest transaction plans and stores them all; entries of
//! kinds other than a passage are stored as sent in `entries`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sync_core::protocol::{RecordResult, WireEntry};

use super::incoming::Incoming;
use super::plan::{corrected, MAX_FIELD_CHARS};
use super::{Clock, Source};
use crate::store::{Checkpoint, DbError, Stmt, Store, Val};
use sync_core::duty::DutyData;
use sync_core::incident::IncidentData;
use sync_core::notice::NoticeAckData;
use sync_core::patrol::{PatrolCheckData, PatrolStep};
use sync_core::validate::check_text;
use sync_core::EntryBody;

impl Store {
    /// Store a batch of entries of any kind: one result per entry, in order. An entry of a kind
    /// this server does not know is refused with its own reason and kept in the quarantine; the
    /// rest of the batch is stored.
    pub async fn ingest_entries(
        &self,
        device_id: &str,
        entries: Vec<WireEntry>,
        backlog: u64,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<Vec<RecordResult>, DbError> {
        let mut records: Vec<Incoming> = entries.into_iter().map(Incoming::from_wire).collect();
        self.refuse_misplaced(device_id, &mut records).await?;
        let clock = Clock::device(now, retention_days);
        self.ingest_from(device_id, records, Source::Device { backlog }, clock)
            .await
    }
}

impl Store {
    /// Entries about this device's own checkpoint that cannot stand are refused before planning,
    /// with their reason (kept in the quarantine like any refused entry): a read receipt or a
    /// duty event naming another checkpoint, a receipt for a notice (version) never published to
    /// the device's checkpoint, a duty event with a staff id or name that is not plain text.
    async fn refuse_misplaced(
        &self,
        device_id: &str,
        records: &mut [Incoming],
    ) -> Result<(), DbError> {
        let mut asked: Vec<(String, u32)> = Vec::new();
        let mut placed = false;
        for r in records.iter() {
            match r.other_body() {
                Some(EntryBody::NoticeAck(a)) => asked.push((a.notice_id.clone(), a.version)),
                Some(EntryBody::Duty(_)) => placed = true,
                _ => continue,
            }
        }
        if asked.is_empty() && !placed {
            return Ok(());
        }
        let cp: Option<Checkpoint> = self
            .query_opt(
                "SELECT c.id, c.compound_id, c.name, c.gates FROM checkpoints c
                 JOIN devices d ON d.checkpoint_id = c.id WHERE d.device_id = $1",
                vec![device_id.into()],
            )
            .await?;
        let sent = match &cp {
            Some(cp) => self.notices_sent(cp, &asked).await?,
            None => Default::default(),
        };
        let here = cp.map(|cp| cp.id).unwrap_or_default();
        for rec in records.iter_mut() {
            if let Some(reason) = misplaced(rec.other_body(), &here, &sent) {
                rec.refuse(reason);
            }
        }
        Ok(())
    }
}

/// Why an entry about checkpoint `here` cannot stand, if it cannot.
fn misplaced(
    body: Option<&EntryBody>,
    here: &str,
    sent: &HashSet<(String, u32)>,
) -> Option<String> {
    let elsewhere = |cp: &str| format!("refused: it names checkpoint {cp:?}, not this device's");
    match body? {
        EntryBody::NoticeAck(a) if a.checkpoint_id != here => Some(elsewhere(&a.checkpoint_id)),
        EntryBody::NoticeAck(a) if !sent.contains(&(a.notice_id.clone(), a.version)) => {
            Some(format!(
                "receipt refused: notice {:?} version {} was never sent to this device's checkpoint",
                a.notice_id, a.version
            ))
        }
        EntryBody::Duty(d) if d.checkpoint_id != here => Some(elsewhere(&d.checkpoint_id)),
        EntryBody::Duty(d) => [("staff_id", &d.staff_id), ("staff_name", &d.staff_name)]
            .into_iter()
            .find_map(|(field, v)| {
                let bad = v.trim().is_empty() || check_text(v, MAX_FIELD_CHARS).is_err();
                bad.then(|| format!("duty refused: {field} must be 1–{MAX_FIELD_CHARS} plain characters"))
            }),
        _ => None,
    }
}

/// Device time corrected by the device's known offset, in milliseconds.
fn corrected_ms(rec: &Incoming) -> i64 {
    let h = &rec.head;
    let recorded_ms = h.recorded_at.timestamp_millis();
    corrected(h.recorded_at, h.clock_offset_ms).map_or(recorded_ms, |t| t.timestamp_millis())
}

/// The insert of one accepted entry that is not a passage (`RETURNING id` when it was stored).
pub(super) fn other_stmt(rec: &Incoming, now_ms: i64) -> Stmt {
    let h = &rec.head;
    let recorded_ms = h.recorded_at.timestamp_millis();
    let corrected_ms = corrected_ms(rec);
    Stmt::new(
        "INSERT INTO entries (id, device_id, seq, kind, recorded_at_ms, corrected_at_ms,
         offset_known, received_at_ms, staff, body, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT DO NOTHING RETURNING id",
        vec![
            h.id.to_string().into(),
            h.device_id.as_str().into(),
            h.seq.into(),
            rec.kind_word().into(),
            recorded_ms.into(),
            corrected_ms.into(),
            i64::from(h.clock_offset_ms.is_some()).into(),
            now_ms.into(),
            h.staff.as_str().into(),
            rec.wire_json().into(),
            rec.prev_hash.as_str().into(),
            rec.hash.as_str().into(),
        ],
    )
}

/// The facts of an accepted entry in its kind's own table, for the kinds that have one (patrol
/// checks for round evaluation, incidents for their list). Keyed by the entry id, so storing the
/// same entry again changes nothing.
pub(super) fn facts_stmt(rec: &Incoming) -> Option<Stmt> {
    match rec.other_body()? {
        EntryBody::PatrolCheck(c) => Some(patrol_stmt(rec, c)),
        EntryBody::Incident(i) => Some(incident_stmt(rec, i)),
        EntryBody::NoticeAck(a) => Some(receipt_stmt(rec, a)),
        EntryBody::Duty(d) => Some(duty_stmt(rec, d)),
        _ => None,
    }
}

fn patrol_stmt(rec: &Incoming, c: &PatrolCheckData) -> Stmt {
    let (point, outcome, note) = match &c.step {
        PatrolStep::Point {
            point_id,
            outcome,
            note,
        } => (
            Val::from(point_id.as_str()),
            Val::from(outcome.as_str()),
            note.as_str(),
        ),
        PatrolStep::Finish { .. } => (Val::Null, Val::Null, ""),
    };
    Stmt::new(
        "INSERT INTO patrol_checks (entry_id, device_id, route_id, round_id, window_start_ms,
         point_id, outcome, note, staff, corrected_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        vec![
            rec.head.id.to_string().into(),
            rec.head.device_id.as_str().into(),
            c.route_id.as_str().into(),
            c.round_id.to_string().into(),
            c.window.map(|w| w.start.timestamp_millis()).into(),
            point,
            outcome,
            note.into(),
            rec.head.staff.as_str().into(),
            corrected_ms(rec).into(),
        ],
    )
}

/// An incident starts as `new`.
fn incident_stmt(rec: &Incoming, i: &IncidentData) -> Stmt {
    Stmt::new(
        "INSERT INTO incidents (entry_id, device_id, checkpoint_id, category, urgent, note, staff,
         corrected_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        vec![
            rec.head.id.to_string().into(),
            rec.head.device_id.as_str().into(),
            i.checkpoint_id.as_str().into(),
            i.category.as_str().into(),
            i64::from(i.urgent).into(),
            i.note.as_str().into(),
            rec.head.staff.as_str().into(),
            corrected_ms(rec).into(),
        ],
    )
}

/// A read receipt (the ingest has already refused one naming another checkpoint than the device's,
/// or a notice never sent there).
fn receipt_stmt(rec: &Incoming, a: &NoticeAckData) -> Stmt {
    Stmt::new(
        "INSERT INTO notice_acks (entry_id, notice_id, version, device_id, checkpoint_id, staff,
         corrected_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        vec![
            rec.head.id.to_string().into(),
            a.notice_id.as_str().into(),
            i64::from(a.version).into(),
            rec.head.device_id.as_str().into(),
            a.checkpoint_id.as_str().into(),
            rec.head.staff.as_str().into(),
            corrected_ms(rec).into(),
        ],
    )
}

/// A sign-on or sign-off (the ingest has already refused one naming another checkpoint).
fn duty_stmt(rec: &Incoming, d: &DutyData) -> Stmt {
    Stmt::new(
        "INSERT INTO duty_events (entry_id, device_id, checkpoint_id, staff_id, staff_name, event,
         method, corrected_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        vec![
            rec.head.id.to_string().into(),
            rec.head.device_id.as_str().into(),
            d.checkpoint_id.as_str().into(),
            d.staff_id.as_str().into(),
            d.staff_name.as_str().into(),
            d.event.as_str().into(),
            d.method.as_str().into(),
            corrected_ms(rec).into(),
        ],
    )
}
