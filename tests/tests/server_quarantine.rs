//! Refused records are kept, not lost: ingest puts each one in the quarantine with its reason (once,
//! however often it is resent), the device settles it only then, and an administrator accepts one
//! after review (a genuine record with a 1970 clock) or discards it, audited. SQLite and PostgreSQL.
//! Neither table keeps more of a visitor's ID number than its last 4 characters.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use district_server::store::{Decision, EnrollOutcome, ReviewOutcome, Store};
use district_server::AppState;
use server_support::{enrollment_code, fresh_pg_database, serve_loopback, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::RecordStatus;
use sync_core::sync::{SyncConfig, SyncEngine};
use sync_core::{Passage, PassageBody};
use uuid::Uuid;

fn status(s: &RecordStatus) -> &'static str {
    match s {
        RecordStatus::Accepted => "accepted",
        RecordStatus::Duplicate => "duplicate",
        RecordStatus::Quarantined { .. } => "quarantined",
        RecordStatus::Rejected { .. } => "refused-not-kept",
    }
}

/// Seqs 1..=4 of `dev-Q`: seq 2 recorded with the phone's clock at 1970, seq 4 at another compound.
fn records(now: DateTime<Utc>) -> Vec<Passage> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=4u64)
        .map(|seq| {
            let mut new = sample_passage(seq, now - Duration::minutes(10));
            if seq == 2 {
                new.recorded_at = DateTime::from_timestamp(3_600, 0).unwrap();
            }
            if seq == 4 {
                new.checkpoint_id = "cp-west".into();
            }
            let p = Passage::seal(PassageBody::new(Uuid::now_v7(), "dev-Q", seq, new), &prev);
            prev.clone_from(&p.hash);
            p
        })
        .collect()
}

async fn quarantine_story(state: AppState, url: &str) {
    let store = &state.store;
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    server_support::west_compound(store).await;
    let code = enrollment_code(&state).await;
    let hash = district_server::auth::hash_token(&code);
    let token = district_server::auth::hash_token("tq");
    let enrolled = store
        .enroll(&hash, "dev-Q", "q", &token, now_ms)
        .await
        .unwrap();
    assert!(matches!(enrolled, EnrollOutcome::Enrolled(_)));

    let batch = records(now);
    let r = store
        .ingest("dev-Q", batch.clone(), 0, now, 28)
        .await
        .unwrap();
    let got: Vec<_> = r.iter().map(|r| status(&r.status)).collect();
    assert_eq!(got, ["accepted", "quarantined", "accepted", "quarantined"]);
    // Resent (the device did not hear the answer): kept once, not twice.
    let r = store
        .ingest("dev-Q", batch.clone(), 0, now, 28)
        .await
        .unwrap();
    let got: Vec<_> = r.iter().map(|r| status(&r.status)).collect();
    assert_eq!(
        got,
        ["duplicate", "quarantined", "duplicate", "quarantined"]
    );
    let held = store.quarantined(None, 100, 28).await.unwrap();
    assert_eq!(held.len(), 2, "{held:?}");
    assert_eq!(store.quarantine_counts().await.unwrap()["dev-Q"], 2);
    let (old, foreign) = (&held[1], &held[0]);
    assert_eq!((old.seq, foreign.seq), (2, 4));
    assert!(
        old.reason.contains("older than the retention"),
        "{}",
        old.reason
    );
    assert!(foreign.reason.contains("checkpoint"), "{}", foreign.reason);
    // No person's data on the review page's rows: kind and times only.
    assert_eq!(old.kind.as_deref(), Some("visitor"));

    // Least data: a visitor's ID number is kept as its last 4 characters only, in the quarantine
    // and, once accepted, in the passages (seq 2 is a visitor who gave one).
    let id_tail = |table: &str| {
        (
            format!("SELECT COUNT(*) FROM {table} WHERE body LIKE '%11010519491231002X%'"),
            format!("SELECT COUNT(*) FROM {table} WHERE body LIKE '%\"id_number\":\"002X\"%'"),
        )
    };
    let (whole, tail) = id_tail("quarantine");
    assert_eq!(store.count_query(&whole).await.unwrap(), 0);
    assert_eq!(store.count_query(&tail).await.unwrap(), 1);

    // Accepted after review: stored at the suggested time (its arrival; the 1970 clock is useless).
    let accept = Decision::Accept {
        recorded_at_ms: None,
    };
    let done = store
        .review_quarantined(old.pk, accept, "officer", now, 28)
        .await
        .unwrap();
    assert_eq!(done, ReviewOutcome::Done);
    assert_eq!(store.passage_count(Some("dev-Q")).await.unwrap(), 3);
    let at = store
        .count_query(&format!(
            "SELECT recorded_at_ms FROM passages WHERE id = '{}'",
            batch[1].body.id
        ))
        .await
        .unwrap();
    assert_eq!(at, old.suggested_at_ms);
    assert!((at - now_ms).abs() < 60_000, "stored at its arrival time");
    let (whole, tail) = id_tail("passages");
    assert_eq!(store.count_query(&whole).await.unwrap(), 0);
    assert_eq!(store.count_query(&tail).await.unwrap(), 1);
    let again = store
        .review_quarantined(old.pk, accept, "officer", now, 28)
        .await
        .unwrap();
    assert_eq!(again, ReviewOutcome::NotHeld);

    // A record for another compound's checkpoint cannot be accepted, only discarded.
    let refused = store
        .review_quarantined(foreign.pk, accept, "officer", now, 28)
        .await
        .unwrap();
    assert!(matches!(refused, ReviewOutcome::CannotAccept(ref r) if r.contains("checkpoint")));
    let discarded = store
        .review_quarantined(foreign.pk, Decision::Discard, "officer", now, 28)
        .await
        .unwrap();
    assert_eq!(discarded, ReviewOutcome::Done);
    assert!(store.quarantined(None, 100, 28).await.unwrap().is_empty());
    let audit = store.audit_log(10).await.unwrap();
    for action in ["quarantine_accepted", "quarantine_discarded"] {
        assert!(audit
            .iter()
            .any(|a| a.action == action && a.actor == "officer"));
    }
    // The device's chain has no hole left at seq 2.
    let device = &store.devices().await.unwrap()[0];
    assert_eq!((device.last_seq, device.missing), (3, 0));

    // A passage stored whole by a release before the ID tail: the migration cuts it when it runs.
    let whole = serde_json::to_string(&batch[1]).unwrap();
    let id = batch[1].body.id;
    store
        .count_query(&format!(
            "UPDATE passages SET body = '{whole}' WHERE id = '{id}'"
        ))
        .await
        .unwrap();
    let full = "SELECT COUNT(*) FROM passages WHERE body LIKE '%11010519491231002X%'";
    assert_eq!(store.count_query(full).await.unwrap(), 1);
    store
        .count_query("DELETE FROM schema_migrations WHERE name = '0005_visitor_id_tail'")
        .await
        .unwrap();
    let reopened = Store::open(url).await.unwrap();
    assert_eq!(reopened.count_query(full).await.unwrap(), 0);
    let tail = format!("SELECT COUNT(*) FROM passages WHERE id = '{id}' AND body LIKE '%002X%'");
    assert_eq!(reopened.count_query(&tail).await.unwrap(), 1);
}

#[tokio::test]
async fn quarantine_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    quarantine_story(test_state(&url, |_| {}).await, &url).await;
}

#[tokio::test]
async fn quarantine_on_postgres() {
    let Some(url) = fresh_pg_database("quarantine_on_postgres").await else {
        return;
    };
    quarantine_story(test_state(&url, |_| {}).await, &url).await;
}

/// Over a real socket, the device settles a refused record only because the server kept it.
#[tokio::test]
async fn the_device_settles_a_refused_record_once_it_is_quarantined() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = server_support::enrolled_phone(&state, dir.path(), &base).await;
    {
        let mut l = ledger.lock().unwrap();
        for i in 0..10 {
            let mut new = sample_passage(i, Utc::now() - Duration::minutes(5));
            if i == 3 {
                new.recorded_at = DateTime::from_timestamp(0, 0).unwrap();
            }
            l.append(new).unwrap();
        }
    }
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    let mut engine = SyncEngine::new(Arc::clone(&ledger), config).unwrap();
    let report = engine.step().await.unwrap();
    assert_eq!(
        (report.acknowledged, report.rejected, report.held),
        (9, 1, 0)
    );
    let summary = ledger.lock().unwrap().upload_summary().unwrap();
    assert_eq!((summary.pending, summary.rejected), (0, 1));
    assert_eq!(
        state.store.quarantined(None, 10, 28).await.unwrap().len(),
        1
    );
    server.abort();
}
