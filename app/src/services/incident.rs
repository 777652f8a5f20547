//! The incident screen's back end: a report appended to the journal (same staff and clock offset
//! as a passage or a patrol step, its photos stored before), this device's incidents read back
//! from the journal, and their upload state.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sync_core::domain::{EntryBody, EntryKind, NewEntry};
use sync_core::ledger::{Ledger, UploadState};
use sync_core::LedgerError;
use uuid::Uuid;

use crate::state::incident::{IncidentRecord, PendingReport, Upload};
use crate::state::recorded::{Stored, Words};

/// Photos waiting to upload looked at when telling an incident's photos are still to send.
const PHOTOS_LOOKED_AT: usize = 1000;

/// Append `report` durably; the screen confirms it only on `Ok`.
pub fn record_report(
    ledger: &mut Ledger,
    report: &PendingReport,
    staff: &str,
    clock_offset_ms: Option<i64>,
    recorded_at: DateTime<Utc>,
) -> Result<(Uuid, Stored), Words> {
    let entry = ledger
        .append_entry(NewEntry {
            recorded_at,
            clock_offset_ms,
            staff: staff.to_owned(),
            attachments: report.attachments.clone(),
            body: EntryBody::Incident(report.data.clone()),
        })
        .map_err(|e| {
            tracing::error!("incident not stored: {e}");
            Words::of(&e)
        })?;
    Ok((
        entry.head.id,
        Stored {
            seq: entry.head.seq,
            recorded_at: entry.head.recorded_at,
        },
    ))
}

/// The incidents with `seq > after_seq` recorded at or after `since` (device time), oldest
/// first, and the last seq read (to continue from next time).
pub fn read_incidents(
    ledger: &Ledger,
    after_seq: u64,
    since: DateTime<Utc>,
) -> Result<(Vec<IncidentRecord>, u64), LedgerError> {
    let entries = ledger.entries_of_kind(EntryKind::Incident, after_seq, since)?;
    let read_to = entries.last().map_or(after_seq, |e| e.head.seq);
    let mut out: Vec<IncidentRecord> = entries
        .into_iter()
        .filter_map(|entry| match entry.body {
            EntryBody::Incident(data) => Some(IncidentRecord {
                id: entry.head.id,
                seq: entry.head.seq,
                recorded_at: entry.head.recorded_at,
                category: data.category,
                urgent: data.urgent,
                note: data.note,
                photos: entry.head.attachments,
                upload: Upload::Pending,
            }),
            _ => None,
        })
        .collect();
    uploads_into(ledger, &mut out)?;
    Ok((out, read_to))
}

/// The upload state of these incidents (entry id and the photos it names).
pub fn upload_states(
    ledger: &Ledger,
    incidents: &[(Uuid, Vec<String>)],
) -> Result<Vec<(Uuid, Upload)>, LedgerError> {
    if incidents.is_empty() {
        return Ok(Vec::new());
    }
    let waiting: HashSet<String> = ledger
        .pending_photos(PHOTOS_LOOKED_AT)?
        .into_iter()
        .collect();
    let mut out = Vec::with_capacity(incidents.len());
    for (id, photos) in incidents {
        match upload_of(ledger, *id, photos, &waiting) {
            Ok(u) => out.push((*id, u)),
            // Purged meanwhile (or unreadable): the list keeps what it last knew.
            Err(e) => tracing::warn!("upload state of incident {id} unreadable: {e}"),
        }
    }
    Ok(out)
}

fn uploads_into(ledger: &Ledger, records: &mut [IncidentRecord]) -> Result<(), LedgerError> {
    let asked: Vec<(Uuid, Vec<String>)> =
        records.iter().map(|r| (r.id, r.photos.clone())).collect();
    for (id, upload) in upload_states(ledger, &asked)? {
        if let Some(r) = records.iter_mut().find(|r| r.id == id) {
            r.upload = upload;
        }
    }
    Ok(())
}

/// An entry's upload state, and whether photos of an uploaded one still wait (they go after
/// their entry is acknowledged).
fn upload_of(
    ledger: &Ledger,
    id: Uuid,
    photos: &[String],
    waiting: &HashSet<String>,
) -> Result<Upload, LedgerError> {
    Ok(match ledger.upload_state(id)? {
        UploadState::Pending => Upload::Pending,
        UploadState::Rejected { reason } => Upload::Rejected(reason),
        UploadState::Uploaded if photos.iter().any(|p| waiting.contains(p)) => {
            Upload::PhotosPending
        }
        UploadState::Uploaded => Upload::Uploaded,
    })
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
