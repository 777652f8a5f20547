//! Incidents reported from a gate (事件上报), SQLite and PostgreSQL: uploaded as journal entries
//! (one with a photo), stored once even when sent twice, listed urgent-new first with the compound
//! of the device's checkpoint, handled only forward (new → in hand → closed, audited), counted by
//! category in the daily report, shown at the top of the dashboard while urgent and new, escaped
//! on the page, and purged with their entries.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use district_server::report::{day_bounds, local_day};
use district_server::store::{EnrollOutcome, IncidentFilter, IncidentStatus};
use server_support::{enrollment_code, fresh_pg_database, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use sync_core::incident::{IncidentCategory, IncidentData};
use sync_core::photo::sha256_hex;
use sync_core::protocol::{RecordStatus, WireEntry};
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;
use web_support::{form, login, page, send};

const DEVICE: &str = "dev-incident";

fn reports(at: DateTime<Utc>, photo: &str) -> Vec<WireEntry> {
    let items = [
        (IncidentCategory::Crowding, false, "东门排队二十多人", None),
        (
            IncidentCategory::Fever,
            true,
            "访客体温38.6℃，已引导至观察点",
            Some(photo),
        ),
        (
            IncidentCategory::Other,
            false,
            "<script>alert(1)</script>",
            None,
        ),
    ];
    let mut prev = GENESIS_HASH.to_owned();
    let mut out = Vec::new();
    for (i, (category, urgent, note, photo)) in items.into_iter().enumerate() {
        let head = EntryHead {
            id: Uuid::now_v7(),
            device_id: DEVICE.into(),
            seq: i as u64 + 1,
            recorded_at: at + Duration::minutes(i as i64),
            clock_offset_ms: Some(0),
            staff: "值班员小李".into(),
            attachments: photo.map(str::to_owned).into_iter().collect(),
        };
        let body = EntryBody::Incident(IncidentData {
            // What the phone claims; the list uses the device's own checkpoint.
            checkpoint_id: "cp-claimed".into(),
            category,
            urgent,
            note: note.into(),
        });
        let entry = Entry::seal(head, body, &prev);
        prev.clone_from(&entry.hash);
        out.push(WireEntry::from(&entry));
    }
    out
}

async fn incidents_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let store = &state.store;
    let now = Utc::now();
    let code = district_server::auth::hash_token(&enrollment_code(&state).await);
    let token = district_server::auth::hash_token("ti");
    let enrolled = store
        .enroll(&code, DEVICE, "东门手机", &token, now.timestamp_millis())
        .await
        .unwrap();
    assert!(matches!(enrolled, EnrollOutcome::Enrolled(_)));

    let photo = sha256_hex(b"a jpeg of the queue");
    let batch = reports(now - Duration::minutes(30), &photo);
    for expected in [RecordStatus::Accepted, RecordStatus::Duplicate] {
        let results = store
            .ingest_entries(DEVICE, batch.clone(), 0, now, 28)
            .await
            .unwrap();
        assert!(results.iter().all(|r| r.status == expected), "{results:?}");
    }
    let all = store.incidents(IncidentFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3, "stored once");
    assert!(all[0].urgent && all[0].category == IncidentCategory::Fever);
    assert_eq!(all[0].photos, vec![photo.clone()]);
    assert!(all.iter().all(|i| i.checkpoint_id == "cp-east"
        && i.compound_id == "c1"
        && i.status == IncidentStatus::New));
    let elsewhere = store
        .incidents(IncidentFilter {
            compound: Some("c-elsewhere"),
            ..IncidentFilter::default()
        })
        .await
        .unwrap();
    assert!(elsewhere.is_empty());

    // While the urgent one is new, it stands at the top of the dashboard.
    let (cookie, csrf) = login(&state).await;
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert!(dashboard.contains("id=\"urgent-incidents\""));
    assert!(dashboard.contains("访客体温38.6℃"));

    // Handling moves forward only, and is audited.
    let fever = all[0].entry_id.clone();
    let t = now.timestamp_millis();
    let set = |to, note: &'static str| {
        let fever = fever.clone();
        async move {
            store
                .set_incident_status(&fever, to, note, "officer", t)
                .await
                .unwrap()
        }
    };
    assert!(set(IncidentStatus::InHand, "已派人").await);
    assert!(!set(IncidentStatus::InHand, "again").await);
    assert!(set(IncidentStatus::Closed, "已转运").await);
    assert!(!set(IncidentStatus::InHand, "back").await);
    let closed = store
        .incidents(IncidentFilter {
            status: Some(IncidentStatus::Closed),
            ..IncidentFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].handled_by.as_deref(), Some("officer"));
    assert_eq!(closed[0].handling_note, "已转运");
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM audit WHERE action = 'incident'")
            .await
            .unwrap(),
        2
    );

    // Counted by category in the day's report.
    let (start, end) = day_bounds(local_day(now - Duration::minutes(30), 480), 480);
    let counts = store
        .incident_counts(start.timestamp_millis(), end.timestamp_millis(), Some("c1"))
        .await
        .unwrap();
    let n = |c| counts.iter().find(|(k, _)| *k == c).map_or(0, |(_, n)| *n);
    assert_eq!(
        (
            n(IncidentCategory::Fever),
            n(IncidentCategory::Crowding),
            n(IncidentCategory::Other),
            n(IncidentCategory::SuppliesLow)
        ),
        (1, 1, 1, 0)
    );

    // The pages: escaped notes, the handling form, the dashboard once the urgent one is closed.
    let (status, html, _) = send(&state, page("/admin/incidents", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script>alert"));
    assert!(html.contains("东门排队二十多人"));
    let crowding = all
        .iter()
        .find(|i| i.category == IncidentCategory::Crowding)
        .unwrap()
        .entry_id
        .clone();
    let (status, _, _) = send(
        &state,
        form(
            &format!("/admin/incidents/{crowding}/status"),
            Some(&cookie),
            &[("csrf", &csrf), ("to", "in_hand"), ("note", "保安已到场")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(
        &state,
        form(
            &format!("/admin/incidents/{crowding}/status"),
            Some(&cookie),
            &[("csrf", &csrf), ("to", "new")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "never back to new");
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert!(
        !dashboard.contains("id=\"urgent-incidents\""),
        "the urgent one is closed"
    );
    assert!(dashboard.contains("id=\"incidents-new\">1<"), "{dashboard}");

    // Retention takes them with their entries.
    let later = (now + Duration::days(1)).timestamp_millis();
    store.purge_before(later, later).await.unwrap();
    assert!(store
        .incidents(IncidentFilter::default())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn incidents_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    incidents_story(&url).await;
}

#[tokio::test]
async fn incidents_on_postgres() {
    let Some(url) = fresh_pg_database("incidents_on_postgres").await else {
        return;
    };
    incidents_story(&url).await;
}
