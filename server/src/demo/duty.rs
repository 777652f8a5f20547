//! The demo district's duty roster: two staff accounts with their passes and PINs (王师傅 1234,
//! 刘志愿者 5678, printed by `cargo xtask demo`), and 刘志愿者 signed on at the north gate since
//! this morning, so the east gate shows on the dashboard as unstaffed.

use chrono::{DateTime, Duration, Utc};
use sync_core::duty::{DutyData, DutyEvent, DutyMethod};
use sync_core::pass::DistrictSigner;
use sync_core::protocol::WireEntry;
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;

use super::ChainEnd;
use crate::passes::IssueError;
use crate::staff::{issue_staff_pass, pin_hash};
use crate::store::{StaffRecord, Store};

/// The demo's staff: pass id, name, PIN.
pub const DEMO_STAFF: [(&str, &str, &str); 2] = [
    ("S000001", "王师傅", "1234"),
    ("S000002", "刘志愿者", "5678"),
];

/// The two accounts and their passes (once).
pub async fn seed_staff(
    store: &Store,
    signer: &DistrictSigner,
    now: DateTime<Utc>,
) -> Result<(), IssueError> {
    let known = store.staff().await?;
    for (staff_id, name, pin) in DEMO_STAFF {
        if known.iter().any(|s| s.staff_id == staff_id) {
            continue;
        }
        let record = StaffRecord {
            staff_id: staff_id.into(),
            name: name.into(),
            compound_id: "c1".into(),
            has_pin: true,
            active: true,
        };
        let hash = pin_hash(pin)?;
        store
            .add_staff(&record, Some(&hash), "demo", now.timestamp_millis())
            .await?;
        if store.last_serial(staff_id).await? == 0 {
            issue_staff_pass(store, signer, &record, now).await?;
        }
    }
    Ok(())
}

/// 刘志愿者 signed on at the north gate's phone three hours ago, by PIN.
pub async fn seed_duty(
    store: &Store,
    now: DateTime<Utc>,
    chain: ChainEnd,
) -> Result<(), crate::store::DbError> {
    let (staff_id, name, _) = DEMO_STAFF[1];
    let head = EntryHead {
        id: Uuid::now_v7(),
        device_id: chain.device_id.clone(),
        seq: chain.next_seq,
        recorded_at: now - Duration::hours(3),
        clock_offset_ms: Some(0),
        staff: name.into(),
        attachments: Vec::new(),
    };
    let body = EntryBody::Duty(DutyData {
        checkpoint_id: "cp-north".into(),
        staff_id: staff_id.into(),
        staff_name: name.into(),
        event: DutyEvent::On,
        method: DutyMethod::Pin,
    });
    let entry = Entry::seal(head, body, &chain.prev_hash);
    store
        .ingest_entries(&chain.device_id, vec![WireEntry::from(&entry)], 0, now, 28)
        .await?;
    Ok(())
}
