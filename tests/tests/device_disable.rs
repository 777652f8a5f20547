//! A lost phone is switched off: the server refuses its token on every endpoint with a signed 403,
//! the phone locks and deletes the personal data of what it already uploaded (its unsynced records
//! stay), a forged "disabled" answer changes nothing, and once enabled again the phone unlocks and
//! uploads the rest. The device's retention purge runs on its own at start. Loopback only.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::Utc;
use server_support::{enrollment_code, serve_loopback, temp_sqlite, test_state};
use sync_core::fixtures::sample_passage;
use sync_core::protocol::DisabledNotice;
use sync_core::sync::{enroll, spawn, RunnerTimings, SyncConfig, SyncEngine, SyncError};
use sync_core::{Ledger, Subject};

fn engine(ledger: &Arc<Mutex<Ledger>>) -> SyncEngine {
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    SyncEngine::new(Arc::clone(ledger), config).unwrap()
}

fn append(ledger: &Arc<Mutex<Ledger>>, from: u64, n: u64) {
    let mut l = ledger.lock().unwrap();
    for i in from..from + n {
        l.append(sample_passage(i, Utc::now() - chrono::Duration::minutes(5)))
            .unwrap();
    }
}

fn visitor_names(ledger: &Arc<Mutex<Ledger>>) -> usize {
    let l = ledger.lock().unwrap();
    l.passages_after(0, 10_000)
        .unwrap()
        .iter()
        .filter(|p| matches!(p.body.subject, Subject::Visitor { .. }))
        .count()
}

#[tokio::test]
async fn a_disabled_device_is_refused_everywhere_locks_and_forgets_what_it_uploaded() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = server_support::enrolled_phone(&state, dir.path(), &base).await;
    let device_id = ledger.lock().unwrap().device_id().to_owned();
    let token: String = ledger
        .lock()
        .unwrap()
        .setting("device_token")
        .unwrap()
        .unwrap();
    append(&ledger, 0, 12);
    engine(&ledger).step().await.unwrap();
    assert!(
        visitor_names(&ledger) > 0,
        "uploaded visitors are still on the phone"
    );

    // The administrator disables it (audited).
    let now = Utc::now().timestamp_millis();
    assert!(state
        .store
        .set_device_disabled(&device_id, true, "officer", now)
        .await
        .unwrap());
    assert!(!state
        .store
        .set_device_disabled(&device_id, true, "officer", now)
        .await
        .unwrap());
    let audit = state.store.audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "disable_device" && a.actor == "officer"));

    // Every device endpoint refuses the token with the signed notice.
    let http = reqwest::Client::new();
    for path in [
        "/api/v1/keys",
        "/api/v1/revocations",
        "/api/v1/config",
        "/api/v1/roster",
    ] {
        let resp = http
            .get(format!("{base}{path}?nonce=00"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        let notice: DisabledNotice = resp.json().await.unwrap();
        assert_eq!(
            (notice.code.as_str(), notice.device_id.as_str()),
            ("device_disabled", device_id.as_str())
        );
        assert!(!notice.signature.is_empty());
    }
    let resp = http
        .post(format!("{base}/api/v2/entries"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"device_id":"{device_id}","passages":[],"backlog":0}}"#
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // Nor can it enroll again under its id with a fresh code.
    let again = Arc::new(Mutex::new(
        Ledger::open(dir.path().join("gate.db")).unwrap(),
    ));
    let refused = enroll(&again, &base, &enrollment_code(&state).await, "phone").await;
    assert!(
        matches!(refused, Err(SyncError::Refused { status: 409, .. })),
        "{refused:?}"
    );
    drop(again);

    // The phone: more records while offline from the district's view, then the next round.
    append(&ledger, 12, 3);
    let stored_before = state.store.passage_count(None).await.unwrap();
    let mut e = engine(&ledger);
    let err = e.step().await.unwrap_err();
    assert!(matches!(err, SyncError::Disabled(_)), "{err:?}");
    assert!(e.status().disabled_at.is_some());
    {
        let l = ledger.lock().unwrap();
        assert!(l.disabled_at().unwrap().is_some(), "locked");
        assert_eq!(
            l.upload_summary().unwrap().pending,
            3,
            "unsynced records kept"
        );
        assert_eq!(
            l.stored_count().unwrap(),
            3,
            "uploaded records and their PII gone"
        );
        assert_eq!(l.roster_len().unwrap(), 0);
        assert_eq!(
            l.verify().unwrap(),
            3,
            "the rest still verifies from the new base"
        );
    }
    assert_eq!(
        state.store.passage_count(None).await.unwrap(),
        stored_before,
        "records it uploaded before stay"
    );

    // Enabled again: the phone unlocks on the next signed answer and uploads what it kept.
    assert!(state
        .store
        .set_device_disabled(&device_id, false, "officer", now)
        .await
        .unwrap());
    let report = e.step().await.unwrap();
    assert_eq!(report.acknowledged, 3);
    assert!(ledger.lock().unwrap().disabled_at().unwrap().is_none());
    assert!(e.status().disabled_at.is_none());
    server.abort();
}

/// A "disabled" answer not signed by the pinned district root (a prankster on the gate's Wi-Fi)
/// locks nothing and deletes nothing.
#[tokio::test]
async fn a_forged_disabled_answer_changes_nothing() {
    use axum::routing::any;
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = server_support::enrolled_phone(&state, dir.path(), &base).await;
    append(&ledger, 0, 6);
    engine(&ledger).step().await.unwrap();
    let device_id = ledger.lock().unwrap().device_id().to_owned();
    let forged = DisabledNotice {
        code: DisabledNotice::CODE.into(),
        message: "locked".into(),
        device_id,
        disabled_at: Utc::now(),
        signature: "00".repeat(64),
    };
    let body = serde_json::to_string(&forged).unwrap();
    let prank = axum::Router::new().fallback(any(move || {
        let body = body.clone();
        async move {
            (
                StatusCode::FORBIDDEN,
                [("content-type", "application/json")],
                body,
            )
        }
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let prank_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, prank).await });
    let mut config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    config.server_url = prank_url;
    let mut e = SyncEngine::new(Arc::clone(&ledger), config).unwrap();
    let err = e.step().await.unwrap_err();
    assert!(matches!(err, SyncError::Untrusted(_)), "{err:?}");
    let l = ledger.lock().unwrap();
    assert!(l.disabled_at().unwrap().is_none());
    assert_eq!(l.stored_count().unwrap(), 6, "nothing deleted");
    server.abort();
}

/// The device's retention purge runs by itself when the sync loop starts: settled passages older
/// than the retention period go, pending ones never.
#[tokio::test]
async fn the_retention_purge_runs_at_start_and_spares_pending_passages() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = server_support::enrolled_phone(&state, dir.path(), &base).await;
    let old = Utc::now() - chrono::Duration::days(40);
    {
        let mut l = ledger.lock().unwrap();
        let ids: Vec<_> = (0..10)
            .map(|i| l.append(sample_passage(i, old)).unwrap().body.id)
            .collect();
        // Six settled (as if uploaded long ago), four still pending.
        let settled: Vec<_> = ids[..6]
            .iter()
            .map(|id| (*id, sync_core::ledger::UploadOutcome::Acknowledged))
            .collect();
        l.apply_upload_results(&settled, old).unwrap();
    }
    // Offline server address: only the purge can change the ledger.
    let mut config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    config.server_url = "http://127.0.0.1:9".into();
    let handle = spawn(
        SyncEngine::new(Arc::clone(&ledger), config).unwrap(),
        RunnerTimings::default(),
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while ledger.lock().unwrap().stored_count().unwrap() != 4 {
        assert!(tokio::time::Instant::now() < deadline, "no purge at start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    handle.stop().await;
    assert_eq!(ledger.lock().unwrap().upload_summary().unwrap().pending, 4);
    server.abort();
}
