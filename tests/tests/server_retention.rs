//! The server's retention purge removes, by itself, everything personal or expired that it keeps:
//! passages, visitor day passes (names, phones), chain events, enrollment codes, sessions and
//! quarantined records.
//! Runs on SQLite, and on PostgreSQL when a server is given.
#![allow(clippy::unwrap_used)]

mod server_support;

use chrono::{Duration, Utc};
use district_server::auth::hash_token;
use district_server::store::{Purged, RateLimit, Store, VisitorPass};
use server_support::{fresh_pg_database, genesis_chain, seeded_store, temp_sqlite};

async fn retention(store: Store) {
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    store
        .create_enroll_code(
            &hash_token("CODE0001"),
            "cp-east",
            "admin",
            now_ms,
            now_ms + 600_000,
        )
        .await
        .unwrap();
    store
        .enroll(
            &hash_token("CODE0001"),
            "dev-A",
            "phone",
            &hash_token("t"),
            now_ms,
        )
        .await
        .unwrap()
        .checkpoint()
        .unwrap();
    // Seqs 1..=5, then a gap to 8: one chain event.
    let chain = genesis_chain("dev-A", 8, now - Duration::hours(1));
    let mut batch = chain[..5].to_vec();
    batch.push(chain[7].clone());
    // And one the server refuses: kept in the quarantine.
    let mut forged = chain[5].clone();
    forged.hash = "0".repeat(64);
    batch.push(forged);
    store.ingest("dev-A", batch, 0, now, 28).await.unwrap();
    store
        .store_visitor_pass(&VisitorPass {
            pass_id: "V000001".into(),
            checkpoint_id: "cp-east".into(),
            name: "李四".into(),
            phone: "13800000000".into(),
            host_household: "3-2-401".into(),
            reason: "探亲".into(),
            plate: None,
            payload: "CP1:…".into(),
            issued_at_ms: now_ms,
            valid_until_ms: now_ms + 3_600_000,
            id_tail: None,
        })
        .await
        .unwrap();
    district_server::setup::set_admin_password(&store, "officer", "correct horse battery")
        .await
        .unwrap();
    store
        .create_session(
            &hash_token("s"),
            "officer",
            "csrf",
            now_ms + 3_600_000,
            now_ms,
        )
        .await
        .unwrap();

    let missing = |store: &district_server::Store| {
        let store = store.clone();
        async move { store.devices().await.unwrap()[0].missing }
    };
    assert_eq!(
        missing(&store).await,
        2,
        "seq 6 (quarantined) and 7 never arrived"
    );
    // Within the retention period nothing goes.
    let cutoff = (now - Duration::days(28)).timestamp_millis();
    assert_eq!(
        store.purge_before(cutoff, now_ms).await.unwrap(),
        Purged::default()
    );
    assert_eq!(store.passage_count(None).await.unwrap(), 6);

    // Rate-limit windows: one a day old goes with the purge, one of now stays.
    let minute = RateLimit {
        per_window: 5,
        window_ms: 60_000,
    };
    let later = (now + Duration::days(1)).timestamp_millis();
    for at in [now_ms - 60_000, later] {
        assert!(store.rate_allow("ip:192.0.2.1", minute, at).await.unwrap());
    }
    // A day past every expiry, everything personal or expired has gone.
    let purged = store.purge_before(later, later).await.unwrap();
    assert_eq!(
        purged,
        Purged {
            passages: 6,
            entries: 0,
            photos: 0,
            visitor_passes: 1,
            chain_events: 1,
            enroll_codes: 1,
            sessions: 1,
            quarantine: 1,
            checkins: 0,
            invitations: 0,
            rate_windows: 1,
        }
    );
    assert_eq!(store.visitor_pass_count().await.unwrap(), 0);
    assert!(store.chain_events("dev-A").await.unwrap().is_empty());
    // The device and its chain head stay: the next batch continues from seq 8.
    let next = server_support::chain("dev-A", 9, 9, now, &chain[7].hash);
    let r = store.ingest("dev-A", next, 0, now, 28).await.unwrap();
    assert_eq!(format!("{:?}", r[0].status), "Accepted");
    assert_eq!(missing(&store).await, 2, "purged rows are not missing ones");
}

#[tokio::test]
async fn retention_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    retention(seeded_store(&url).await).await;
}

#[tokio::test]
async fn retention_on_postgres() {
    let Some(url) = fresh_pg_database("retention_on_postgres").await else {
        return;
    };
    retention(seeded_store(&url).await).await;
}
