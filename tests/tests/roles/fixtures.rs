//! The demo district (compounds c1 and c2, the managers and the observer) plus one of every kind
//! of thing in compound c2 that a route can name: a device with an incident, its photo and a
//! quarantined record, a staff member, a patrol point and route, a notice, a resident's pass.

use crate::server_support::enroll_at;
use chrono::{DateTime, Duration, Utc};
use district_server::staff::{add_staff, NewStaff};
use district_server::store::{NewPhoto, NoticeEdit, PointRow, RouteRow, Store};
use district_server::AppState;
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::incident::{IncidentCategory, IncidentData};
use sync_core::notice::{NoticePriority, NoticeTarget};
use sync_core::pass::PassKind;
use sync_core::photo::sha256_hex;
use sync_core::protocol::WireEntry;
use sync_core::{Entry, EntryBody, EntryHead, Passage, PassageBody};
use uuid::Uuid;

/// What compound c2 holds, by id.
pub struct C2 {
    pub device: String,
    pub incident: String,
    pub photo: String,
    pub quarantined: i64,
    pub staff: String,
    pub route: String,
    pub notice: String,
    pub pass_id: String,
    pub serial: u32,
    pub household: String,
    pub resident: String,
}

/// Text that appears on a page only when it shows compound c2's things.
pub fn c2_markers(c2: &C2) -> Vec<String> {
    vec![
        "cp-west".into(),
        "和平小区".into(),
        c2.device.clone(),
        c2.staff.clone(),
        c2.route.clone(),
        c2.notice.clone(),
        "西门停水".into(),
        c2.household.clone(),
        c2.pass_id.clone(),
    ]
}

/// An urgent incident with a photo from `device`; its entry id and the photo's name.
async fn incident(store: &Store, device: &str, now: DateTime<Utc>) -> (String, String) {
    let bytes = b"a jpeg of the west gate";
    let photo = sha256_hex(bytes);
    let head = EntryHead {
        id: Uuid::now_v7(),
        device_id: device.into(),
        seq: 1,
        recorded_at: now - Duration::minutes(5),
        clock_offset_ms: Some(0),
        staff: "西门值班员".into(),
        attachments: vec![photo.clone()],
    };
    let body = EntryBody::Incident(IncidentData {
        checkpoint_id: "cp-west".into(),
        category: IncidentCategory::Crowding,
        urgent: true,
        note: "西门排队".into(),
    });
    let entry = Entry::seal(head, body, GENESIS_HASH);
    let id = entry.head.id.to_string();
    let batch = vec![WireEntry::from(&entry)];
    store
        .ingest_entries(device, batch, 0, now, 28)
        .await
        .unwrap();
    let stored = NewPhoto {
        sha256: &photo,
        device_id: device,
        bytes,
        now_ms: now.timestamp_millis(),
    };
    store.put_photo(stored).await.unwrap();
    (id, photo)
}

/// A passage recorded with the phone's clock at 1970: kept in the quarantine for review.
async fn quarantined(store: &Store, device: &str, now: DateTime<Utc>) -> i64 {
    let mut new = sample_passage(1, now);
    new.checkpoint_id = "cp-west".into();
    new.recorded_at = DateTime::from_timestamp(3_600, 0).unwrap();
    let p = Passage::seal(
        PassageBody::new(Uuid::now_v7(), device, 1, new),
        GENESIS_HASH,
    );
    store.ingest(device, vec![p], 0, now, 28).await.unwrap();
    let held = store.quarantined(Some(device), 10, 28).await.unwrap();
    held.first().expect("the 1970 passage is held").pk
}

async fn patrol(store: &Store, now_ms: i64) -> String {
    let point = PointRow {
        point_id: "pt-west-1".into(),
        compound_id: "c2".into(),
        name: "西门岗亭".into(),
        description: String::new(),
        location: String::new(),
    };
    store
        .save_patrol_point(&point, "test", now_ms)
        .await
        .unwrap();
    let route = RouteRow {
        route_id: "rt-west".into(),
        compound_id: "c2".into(),
        checkpoint_id: "cp-west".into(),
        name: "西门夜巡".into(),
        ordered: false,
        point_ids: vec![point.point_id],
    };
    store
        .save_patrol_route(&route, "test", now_ms)
        .await
        .unwrap();
    route.route_id
}

async fn notice(store: &Store, now_ms: i64) -> String {
    let edit = NoticeEdit {
        notice_id: "nt-west".into(),
        title: "西门停水".into(),
        body: "明天上午西门停水。".into(),
        priority: NoticePriority::Normal,
        target: NoticeTarget::Compounds(vec!["c2".into()]),
        effective_from_ms: now_ms,
        effective_until_ms: None,
        retired: false,
    };
    store.save_notice(&edit, "test", now_ms).await.unwrap();
    edit.notice_id
}

/// Seed the demo district and compound c2's things.
pub async fn seed(state: &AppState) -> C2 {
    let store = &state.store;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    district_server::demo::seed(store, &state.signer, now, 480)
        .await
        .unwrap();
    enroll_at(store, "dev-west", "cp-west").await;
    enroll_at(store, "dev-west-2", "cp-west").await;
    let (incident, photo) = incident(store, "dev-west", now).await;
    let quarantined = quarantined(store, "dev-west-2", now).await;
    let new = NewStaff {
        name: "老周".into(),
        compound_id: "c2".into(),
        pin: None,
    };
    let staff = add_staff(store, &state.signer, &new, now, "test")
        .await
        .unwrap();
    let pass = store
        .passes()
        .await
        .unwrap()
        .into_iter()
        .find(|p| {
            p.compound_id == "c2" && p.kind == PassKind::Resident && p.revoked_at_ms.is_none()
        })
        .expect("the demo's c2 residents have passes");
    C2 {
        device: "dev-west".into(),
        incident,
        photo,
        quarantined,
        staff,
        route: patrol(store, now_ms).await,
        notice: notice(store, now_ms).await,
        pass_id: pass.pass_id,
        serial: pass.serial,
        household: pass.household,
        resident: pass.resident_id.unwrap_or_default(),
    }
}
