//! Batches of journal entries of any kind (`POST /api/v2/entries`): each wire entry is decoded as
//! far as this server can, then the one ingest transaction plans and stores them all; entries of
//! kinds other than a passage are stored as sent in `entries`.

use chrono::{DateTime, Utc};
use sync_core::protocol::{RecordResult, WireEntry};

use super::incoming::Incoming;
use super::plan::corrected;
use super::{Clock, Source};
use crate::store::{DbError, Stmt, Store, Val};
use sync_core::incident::IncidentData;
use sync_core::patrol::{PatrolCheckData, PatrolStep};
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
        let records = entries.into_iter().map(Incoming::from_wire).collect();
        let clock = Clock::device(now, retention_days);
        self.ingest_from(device_id, records, Source::Device { backlog }, clock)
            .await
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
