//! The demo district's incidents, reported from the north gate's phone: an urgent one still new
//! (a visitor with fever), and one already closed by the district (supplies running out).

use chrono::{DateTime, Duration, Utc};
use sync_core::incident::{IncidentCategory, IncidentData};
use sync_core::protocol::WireEntry;
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;

use super::ChainEnd;
use crate::store::{DbError, IncidentStatus, Store};

/// Two incidents on `chain`; the first is closed as an officer would. Returns where the chain
/// ends after them.
pub async fn seed_incidents(
    store: &Store,
    now: DateTime<Utc>,
    chain: ChainEnd,
) -> Result<ChainEnd, DbError> {
    let reports = [
        (
            IncidentCategory::SuppliesLow,
            false,
            "额温枪电池只剩一节，消毒液够用两天",
            Duration::minutes(95),
        ),
        (
            IncidentCategory::Fever,
            true,
            "访客体温38.4℃，已请其在观察点等候",
            Duration::minutes(12),
        ),
    ];
    let mut prev = chain.prev_hash;
    let mut entries: Vec<WireEntry> = Vec::new();
    for (i, (category, urgent, note, ago)) in reports.into_iter().enumerate() {
        let head = EntryHead {
            id: Uuid::now_v7(),
            device_id: chain.device_id.clone(),
            seq: chain.next_seq + i as u64,
            recorded_at: now - ago,
            clock_offset_ms: Some(0),
            staff: "值班员".into(),
            attachments: Vec::new(),
        };
        let body = EntryBody::Incident(IncidentData {
            checkpoint_id: "cp-north".into(),
            category,
            urgent,
            note: note.into(),
        });
        let entry = Entry::seal(head, body, &prev);
        prev.clone_from(&entry.hash);
        entries.push(WireEntry::from(&entry));
    }
    let closed = entries.first().map(|e| e.id.to_string());
    let n = entries.len();
    store
        .ingest_entries(&chain.device_id, entries, 0, now, 28)
        .await?;
    if let Some(id) = closed {
        store
            .set_incident_status(
                &id,
                IncidentStatus::Closed,
                "已补发电池两板 Batteries delivered",
                "demo",
                now.timestamp_millis(),
            )
            .await?;
    }
    Ok(ChainEnd {
        device_id: chain.device_id,
        next_seq: chain.next_seq + n as u64,
        prev_hash: prev,
    })
}
