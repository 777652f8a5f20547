//! The quarantine: records that ingest refused, kept with their reason until an administrator
//! accepts one (stored as a passage with a reviewed time) or discards it; each decision is audited
//! in the same transaction as the change.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sync_core::protocol::RecordStatus;
use sync_core::Passage;

use super::ingest::{corrected_time, Clock, Incoming, Source};
use super::{AuditEntry, DbError, FromRow, Row, Stmt, Store};

/// One kept record, as the review page shows it (no names, phones or ID numbers).
#[derive(Debug, Clone, PartialEq)]
pub struct QuarantinedRecord {
    pub pk: i64,
    pub device_id: String,
    pub seq: i64,
    pub reason: String,
    pub received_at_ms: i64,
    /// `resident`, `vehicle` or `visitor`, when the kept body can be read.
    pub kind: Option<String>,
    /// The device's own clock reading, when the kept body can be read.
    pub recorded_at_ms: Option<i64>,
    /// The time accepting it would store unless the administrator gives another.
    pub suggested_at_ms: i64,
}

/// What an administrator decided about one kept record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Store it as a passage at this time (`None`: the suggested time).
    Accept {
        recorded_at_ms: Option<i64>,
    },
    Discard,
}

/// How a review ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewOutcome {
    Done,
    /// No such record, or it was decided already.
    NotHeld,
    /// The record fails a check that a reviewed time does not cure (another device, a bad hash…).
    CannotAccept(String),
}

/// The time to store a kept record at: its device time corrected by the device's offset when that
/// lies within the retention period before its arrival, else the time it arrived.
fn suggested_time(p: &Passage, received_ms: i64, retention_days: u32) -> i64 {
    let received = DateTime::<Utc>::from_timestamp_millis(received_ms).unwrap_or_else(Utc::now);
    let oldest = received
        .checked_sub_signed(Duration::days(i64::from(retention_days)))
        .unwrap_or(received);
    corrected_time(p)
        .filter(|t| *t >= oldest && *t <= received)
        .unwrap_or(received)
        .timestamp_millis()
}

/// A kept record's row: `pk, device_id, seq, reason, received_at_ms, body, hash_verified`.
struct KeptRow {
    pk: i64,
    device_id: String,
    seq: i64,
    reason: String,
    received_at_ms: i64,
    body: String,
    hash_verified: bool,
}

const KEPT_COLUMNS: &str = "pk, device_id, seq, reason, received_at_ms, body, hash_verified";

impl FromRow for KeptRow {
    fn from_row(r: &Row) -> Result<Self, DbError> {
        Ok(Self {
            pk: r.get(0)?,
            device_id: r.get(1)?,
            seq: r.get(2)?,
            reason: r.get(3)?,
            received_at_ms: r.get(4)?,
            body: r.get(5)?,
            hash_verified: r.get(6)?,
        })
    }
}

/// Why a kept body cannot be accepted: an entry of a kind this server does not store (kept for a
/// newer server, or to be discarded), or a body that cannot be read at all.
fn cannot_read(body: &str) -> String {
    match serde_json::from_str::<sync_core::protocol::WireEntry>(body) {
        Ok(wire) => format!(
            "an entry of kind {:?}, which this server version cannot store; discard it or keep it for a newer version",
            wire.kind
        ),
        Err(_) => "the kept record cannot be read".into(),
    }
}

fn record_from(row: &KeptRow, retention_days: u32) -> QuarantinedRecord {
    let received_at_ms = row.received_at_ms;
    let body: Option<Passage> = serde_json::from_str(&row.body).ok();
    QuarantinedRecord {
        pk: row.pk,
        device_id: row.device_id.clone(),
        seq: row.seq,
        reason: row.reason.clone(),
        received_at_ms,
        kind: body
            .as_ref()
            .map(|p| p.body.subject.kind().as_str().to_owned()),
        recorded_at_ms: body.as_ref().map(|p| p.body.recorded_at.timestamp_millis()),
        suggested_at_ms: body.as_ref().map_or(received_at_ms, |p| {
            suggested_time(p, received_at_ms, retention_days)
        }),
    }
}

impl Store {
    /// Kept records not decided yet, newest first (at most `limit`), of one device or all.
    pub async fn quarantined(
        &self,
        device_id: Option<&str>,
        limit: i64,
        retention_days: u32,
    ) -> Result<Vec<QuarantinedRecord>, DbError> {
        let rows: Vec<KeptRow> = self
            .query_as(
                &format!(
                    "SELECT {KEPT_COLUMNS} FROM quarantine
                     WHERE state = 'held' AND ($1 = '' OR device_id = $1)
                     ORDER BY received_at_ms DESC, pk DESC LIMIT $2"
                ),
                vec![device_id.unwrap_or("").into(), limit.into()],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| record_from(r, retention_days))
            .collect())
    }

    /// How many records each device has waiting in the quarantine.
    pub async fn quarantine_counts(&self) -> Result<HashMap<String, i64>, DbError> {
        let rows: Vec<(String, i64)> = self
            .query_as(
                "SELECT device_id, COUNT(*) FROM quarantine WHERE state = 'held' GROUP BY device_id",
                vec![],
            )
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Carry out an administrator's decision on kept record `pk`.
    pub async fn review_quarantined(
        &self,
        pk: i64,
        decision: Decision,
        actor: &str,
        now: DateTime<Utc>,
        retention_days: u32,
    ) -> Result<ReviewOutcome, DbError> {
        let row: Option<KeptRow> = self
            .query_opt(
                &format!("SELECT {KEPT_COLUMNS} FROM quarantine WHERE pk = $1 AND state = 'held'"),
                vec![pk.into()],
            )
            .await?;
        let Some(row) = row else {
            return Ok(ReviewOutcome::NotHeld);
        };
        let kept = record_from(&row, retention_days);
        if let Decision::Accept { recorded_at_ms } = decision {
            let Ok(passage) = serde_json::from_str::<Passage>(&row.body) else {
                return Ok(ReviewOutcome::CannotAccept(cannot_read(&row.body)));
            };
            let at = recorded_at_ms.unwrap_or(kept.suggested_at_ms);
            let clock = Clock {
                now,
                retention_days,
                time_reviewed: true,
                hash_checked_at_intake: row.hash_verified,
            };
            let source = Source::Review { recorded_at_ms: at };
            let results = self
                .ingest_from(
                    &kept.device_id,
                    vec![Incoming::from_passage(passage)],
                    source,
                    clock,
                )
                .await?;
            match results.first().map(|r| &r.status) {
                Some(RecordStatus::Accepted | RecordStatus::Duplicate) => {}
                Some(RecordStatus::Quarantined { reason } | RecordStatus::Rejected { reason }) => {
                    return Ok(ReviewOutcome::CannotAccept(reason.clone()))
                }
                None => return Ok(ReviewOutcome::CannotAccept("no result".into())),
            }
        }
        self.mark_decided(&kept, decision, actor, now.timestamp_millis())
            .await
    }

    async fn mark_decided(
        &self,
        kept: &QuarantinedRecord,
        decision: Decision,
        actor: &str,
        now_ms: i64,
    ) -> Result<ReviewOutcome, DbError> {
        let (state, verb) = match decision {
            Decision::Accept { .. } => ("accepted", "accepted"),
            Decision::Discard => ("discarded", "discarded"),
        };
        let detail = format!(
            "{verb} quarantined record seq {} of device {} (refused for: {})",
            kept.seq, kept.device_id, kept.reason
        );
        let change = Stmt::new(
            "UPDATE quarantine SET state = $1, decided_by = $2, decided_at_ms = $3
             WHERE pk = $4 AND state = 'held' RETURNING pk",
            vec![state.into(), actor.into(), now_ms.into(), kept.pk.into()],
        );
        let entry = AuditEntry {
            at_ms: now_ms,
            actor: actor.to_owned(),
            action: format!("quarantine_{verb}"),
            detail,
        };
        let changed = self.audited_change(change, entry).await?;
        Ok(if changed {
            ReviewOutcome::Done
        } else {
            ReviewOutcome::NotHeld
        })
    }
}
