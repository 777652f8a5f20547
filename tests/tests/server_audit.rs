//! An administrator's change and its audit row are one transaction: both or neither. SQLite and
//! PostgreSQL.
#![allow(clippy::unwrap_used)]

mod server_support;

use chrono::Utc;
use district_server::store::{Checkpoint, EnrollCode, Store};
use server_support::{fresh_pg_database, seeded_store, temp_sqlite};

async fn audits(store: &Store, action: &str) -> usize {
    let log = store.audit_log(1_000).await.unwrap();
    log.iter().filter(|a| a.action == action).count()
}

async fn story(store: Store) {
    let now = Utc::now().timestamp_millis();
    store
        .save_compound("c9", "新小区", "officer", now)
        .await
        .unwrap();
    assert_eq!(audits(&store, "compound").await, 1);
    let cp = Checkpoint {
        id: "cp-9".into(),
        compound_id: "c9".into(),
        name: "南门".into(),
        gates: vec!["s-1".into()],
    };
    store.save_checkpoint(&cp, "officer", now).await.unwrap();
    assert_eq!(audits(&store, "checkpoint").await, 1);
    let code = EnrollCode {
        code_hash: "abc",
        checkpoint_id: "cp-9",
        created_by: "officer",
        now_ms: now,
        expires_at_ms: now + 60_000,
    };
    store.issue_enroll_code(&code).await.unwrap();
    // The same code again breaks the code's key: the change fails, and no audit row is left.
    assert!(store.issue_enroll_code(&code).await.is_err());
    assert_eq!(
        audits(&store, "enroll_code").await,
        1,
        "no audit row for a change that failed"
    );
    // Nothing to revoke: nothing changed, nothing audited.
    assert!(!store.revoke("R404", 1, "officer", now).await.unwrap());
    assert_eq!(audits(&store, "revoke").await, 0);
}

#[tokio::test]
async fn audit_rows_go_with_their_change_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(seeded_store(&url).await).await;
}

#[tokio::test]
async fn audit_rows_go_with_their_change_on_postgres() {
    let Some(url) = fresh_pg_database("audit_rows_go_with_their_change_on_postgres").await else {
        return;
    };
    story(seeded_store(&url).await).await;
}
