//! Batches of journal entries of mixed kinds (`/api/v2/entries`): passages and a second kind are
//! stored exactly once; an entry of a kind from a newer app is refused with its own reason and kept
//! in the quarantine while the rest of the batch is stored; a tampered entry of the second kind is
//! caught by its hash; the retention purge takes the other kinds too. Photos named by entries
//! arrive through `PUT /api/v1/blobs/{sha256}`: checked against their name and the cap, stored
//! once, shown as missing until they come, dropped with their entry or a day after they came
//! unexpected. SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use district_server::store::{EnrollOutcome, Store};
use server_support::{enrollment_code, fresh_pg_database, send, temp_sqlite, test_state};
use sync_core::domain::{chain_hash, generic_canonical, ProbeNote, GENESIS_HASH};
use sync_core::fixtures::sample_passage;
use sync_core::photo::sha256_hex;
use sync_core::protocol::PhotoReceipt;
use sync_core::protocol::{RecordStatus, WireEntry};
use sync_core::signed::RootKey;
use sync_core::{Entry, EntryBody, EntryHead, NewEntry};
use uuid::Uuid;

const DEVICE: &str = "dev-E";

fn head(seq: u64) -> EntryHead {
    EntryHead {
        id: Uuid::now_v7(),
        device_id: DEVICE.into(),
        seq,
        recorded_at: Utc::now() - Duration::minutes(5),
        clock_offset_ms: Some(0),
        staff: "值班员".into(),
        attachments: Vec::new(),
    }
}

/// Seq 1 a passage, 2 a probe, 3 a kind from a newer app, 4 a passage: one chain.
fn mixed_batch() -> Vec<WireEntry> {
    let passage = |i| NewEntry::from(sample_passage(i, Utc::now() - Duration::minutes(5))).body;
    let first = Entry::seal(head(1), passage(1), GENESIS_HASH);
    let probe = EntryBody::Probe(ProbeNote {
        note: "消毒完成".into(),
    });
    let second = Entry::seal(head(2), probe, &first.hash);
    let future_head = head(3);
    let body = r#"{"route":"north","points":["P1","P2"]}"#;
    let future_hash = chain_hash(
        &second.hash,
        &generic_canonical(&future_head, "future_round", body),
    );
    let future: WireEntry = serde_json::from_value(serde_json::json!({
        "id": future_head.id, "device_id": DEVICE, "seq": 3,
        "recorded_at": future_head.recorded_at, "clock_offset_ms": 0, "staff": future_head.staff,
        "kind": "future_round", "body": serde_json::from_str::<serde_json::Value>(body).unwrap(),
        "prev_hash": second.hash, "hash": future_hash,
    }))
    .unwrap();
    let fourth = Entry::seal(head(4), passage(4), &future_hash);
    vec![
        WireEntry::from(&first),
        WireEntry::from(&second),
        future,
        WireEntry::from(&fourth),
    ]
}

fn words(results: &[sync_core::protocol::RecordResult]) -> Vec<&'static str> {
    results
        .iter()
        .map(|r| match &r.status {
            RecordStatus::Accepted => "accepted",
            RecordStatus::Duplicate => "duplicate",
            RecordStatus::Quarantined { .. } => "quarantined",
            RecordStatus::Rejected { .. } => "refused-not-kept",
        })
        .collect()
}

async fn count(store: &Store, sql: &str) -> i64 {
    store.count_query(sql).await.unwrap()
}

async fn entries_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let store = &state.store;
    let now = Utc::now();
    let code = district_server::auth::hash_token(&enrollment_code(&state).await);
    let token = district_server::auth::hash_token("te");
    let enrolled = store
        .enroll(&code, DEVICE, "e", &token, now.timestamp_millis())
        .await
        .unwrap();
    assert!(matches!(enrolled, EnrollOutcome::Enrolled(_)));

    let batch = mixed_batch();
    let results = store
        .ingest_entries(DEVICE, batch.clone(), 0, now, 28)
        .await
        .unwrap();
    assert_eq!(
        words(&results),
        ["accepted", "accepted", "quarantined", "accepted"]
    );
    let RecordStatus::Quarantined { reason } = &results[2].status else {
        unreachable!()
    };
    assert!(reason.contains("future_round"), "{reason}");
    assert_eq!(count(store, "SELECT COUNT(*) FROM passages").await, 2);
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM entries WHERE kind = 'probe'").await,
        1
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM quarantine").await, 1);
    // The kept entry's hash was checked as sent, without knowing its kind.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM quarantine WHERE hash_verified = 1"
        )
        .await,
        1
    );
    // What the district has of this device's chain: seq 3 missing (explained by the quarantine).
    let events: Vec<(String, i64, i64)> = store
        .chain_events(DEVICE)
        .await
        .unwrap()
        .into_iter()
        .map(|(kind, expected, found, _)| (kind, expected, found))
        .collect();
    assert_eq!(events, [("gap".to_owned(), 3, 4)]);

    // Sent again (a lost answer): acknowledged, nothing stored twice, the kept one kept once.
    let again = store
        .ingest_entries(DEVICE, batch, 0, now, 28)
        .await
        .unwrap();
    assert_eq!(
        words(&again),
        ["duplicate", "duplicate", "quarantined", "duplicate"]
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM entries").await, 1);
    assert_eq!(count(store, "SELECT COUNT(*) FROM quarantine").await, 1);

    // A probe whose note was changed after sealing: its hash gives it away.
    let mut tampered = Entry::seal(
        head(5),
        EntryBody::Probe(ProbeNote { note: "ok".into() }),
        &"0".repeat(64),
    );
    tampered.body = EntryBody::Probe(ProbeNote {
        note: "changed".into(),
    });
    let r = store
        .ingest_entries(DEVICE, vec![WireEntry::from(&tampered)], 0, now, 28)
        .await
        .unwrap();
    let RecordStatus::Quarantined { reason } = &r[0].status else {
        panic!("{:?}", r[0].status)
    };
    assert!(reason.contains("hash"), "{reason}");
    assert_eq!(count(store, "SELECT COUNT(*) FROM entries").await, 1);

    // The retention purge takes entries of every kind.
    let later = (now + Duration::days(1)).timestamp_millis();
    let purged = store.purge_before(later, later).await.unwrap();
    assert_eq!((purged.passages, purged.entries), (2, 1));
}

#[tokio::test]
async fn mixed_kinds_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    entries_story(&url).await;
}

#[tokio::test]
async fn mixed_kinds_on_postgres() {
    let Some(url) = fresh_pg_database("mixed_kinds_on_postgres").await else {
        return;
    };
    entries_story(&url).await;
}

/// Bytes that start like a JPEG, `len` long, different for each `tag`.
fn fake_jpeg(tag: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len - 4).map(|i| (i as u8).wrapping_mul(31) ^ tag));
    bytes
}

fn put_photo(name: &str, bytes: Vec<u8>, token: Option<&str>) -> Request<Body> {
    let mut req = Request::put(format!("/api/v1/blobs/{name}"));
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::from(bytes)).unwrap()
}

async fn photos_story(url: &str) {
    let state = test_state(url, |c| c.photo_max_bytes = 64 * 1024).await;
    let store = &state.store;
    let now = Utc::now();
    let code = district_server::auth::hash_token(&enrollment_code(&state).await);
    let token = district_server::auth::hash_token("tp");
    store
        .enroll(&code, DEVICE, "p", &token, now.timestamp_millis())
        .await
        .unwrap();
    let photo = fake_jpeg(1, 40_000);
    let name = sha256_hex(&photo);
    let mut h = head(1);
    h.attachments = vec![name.clone()];
    let entry = Entry::seal(
        h,
        EntryBody::Probe(ProbeNote {
            note: "围栏完好".into(),
        }),
        GENESIS_HASH,
    );
    let r = store
        .ingest_entries(DEVICE, vec![WireEntry::from(&entry)], 0, now, 28)
        .await
        .unwrap();
    assert_eq!(words(&r), ["accepted"]);
    // The entry is here, its photo is not yet: the devices page says so.
    assert_eq!(
        store
            .missing_photos(&entry.head.id.to_string())
            .await
            .unwrap(),
        std::slice::from_ref(&name)
    );
    let device = |infos: Vec<district_server::store::DeviceInfo>| {
        infos.into_iter().find(|d| d.device_id == DEVICE).unwrap()
    };
    assert_eq!(device(store.devices().await.unwrap()).missing_photos, 1);
    let (cookie, _) = web_support::login(&state).await;
    let (_, html, _) =
        web_support::send(&state, web_support::page("/admin/devices", &cookie)).await;
    assert!(
        html.contains(&format!("id=\"photos-missing-{DEVICE}\""))
            && html.contains("照片未到 photos 1"),
        "{html}"
    );

    // Refused, and nothing stored: no token, a bad name, bytes that do not match, too large, not a JPEG.
    let too_big = fake_jpeg(2, 64 * 1024 + 1);
    let not_jpeg = b"GIF89a not a photo".to_vec();
    for (req, status) in [
        (
            put_photo(&name, photo.clone(), None),
            StatusCode::UNAUTHORIZED,
        ),
        (
            put_photo(&name.to_uppercase(), photo.clone(), Some("tp")),
            StatusCode::BAD_REQUEST,
        ),
        (
            put_photo(&name, fake_jpeg(9, 40_000), Some("tp")),
            StatusCode::BAD_REQUEST,
        ),
        (
            put_photo(&sha256_hex(&too_big), too_big, Some("tp")),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            put_photo(&sha256_hex(&not_jpeg), not_jpeg, Some("tp")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ] {
        let what = format!("{} {}", req.method(), req.uri());
        let (got, body) = send(&state, req).await;
        assert_eq!(got, status, "{what}: {}", String::from_utf8_lossy(&body));
    }
    assert_eq!(count(store, "SELECT COUNT(*) FROM photos").await, 0);

    // Stored once, with a receipt signed by the district; sent again, the same receipt, 200.
    let root = RootKey::pin(&state.root.public_key_hex(), None).unwrap();
    for expected in [StatusCode::CREATED, StatusCode::OK] {
        let (got, body) = send(&state, put_photo(&name, photo.clone(), Some("tp"))).await;
        assert_eq!(got, expected);
        let receipt: PhotoReceipt = serde_json::from_slice(&body).unwrap();
        root.verify(&receipt).unwrap();
        assert_eq!(
            (
                receipt.sha256.as_str(),
                receipt.size,
                receipt.device_id.as_str()
            ),
            (name.as_str(), 40_000, DEVICE)
        );
    }
    assert_eq!(count(store, "SELECT COUNT(*) FROM photos").await, 1);
    assert_eq!(store.photo(&name).await.unwrap().unwrap().bytes, photo);
    assert!(store
        .missing_photos(&entry.head.id.to_string())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(device(store.devices().await.unwrap()).missing_photos, 0);
    let (_, html, _) =
        web_support::send(&state, web_support::page("/admin/devices", &cookie)).await;
    assert!(
        !html.contains("photos-missing-"),
        "no longer shown once the photo came"
    );

    // A photo no stored entry names: kept for a day (its entry may still come), then dropped.
    let stray = fake_jpeg(3, 1_000);
    let (got, _) = send(
        &state,
        put_photo(&sha256_hex(&stray), stray.clone(), Some("tp")),
    )
    .await;
    assert_eq!(got, StatusCode::CREATED);
    let old = (now - Duration::days(40)).timestamp_millis();
    let in_an_hour = (now + Duration::hours(1)).timestamp_millis();
    assert_eq!(store.purge_before(old, in_an_hour).await.unwrap().photos, 0);
    let tomorrow = (now + Duration::hours(25)).timestamp_millis();
    assert_eq!(store.purge_before(old, tomorrow).await.unwrap().photos, 1);
    assert!(store.photo(&sha256_hex(&stray)).await.unwrap().is_none());
    assert!(
        store.photo(&name).await.unwrap().is_some(),
        "its entry still names it"
    );

    // The entry's retention ends: the entry and its photo go.
    let purged = store.purge_before(tomorrow, tomorrow).await.unwrap();
    assert_eq!((purged.entries, purged.photos), (1, 1));
    assert_eq!(count(store, "SELECT COUNT(*) FROM photos").await, 0);
    assert_eq!(count(store, "SELECT COUNT(*) FROM entry_photos").await, 0);
}

#[tokio::test]
async fn photos_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    photos_story(&url).await;
}

#[tokio::test]
async fn photos_on_postgres() {
    let Some(url) = fresh_pg_database("photos_on_postgres").await else {
        return;
    };
    photos_story(&url).await;
}
