//! The store's transaction handle on both databases: a committed transaction is visible, a dropped
//! one leaves nothing (and on PostgreSQL no pooled connection stays inside a transaction), and a
//! panic while a transaction is open fails that call only.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;

use std::time::Duration;

use district_server::store::{DbError, Store};
use server_support::{fresh_pg_database, seeded_store, temp_sqlite};

async fn put(store: &Store, key: &str) -> Result<u64, DbError> {
    let mut tx = store.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec![key.into(), "v".into()],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

async fn straight_line_commit_is_visible(store: &Store) {
    let mut tx = store.begin().await.unwrap();
    let changed = tx
        .execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec!["tx-a".into(), "1".into()],
        )
        .await
        .unwrap();
    assert_eq!(changed, 1);
    // The transaction reads its own write, typed.
    let (value,): (String,) = tx
        .query_one(
            "SELECT value FROM settings WHERE key = $1",
            vec!["tx-a".into()],
        )
        .await
        .unwrap();
    assert_eq!(value, "1");
    let none: Option<(String,)> = tx
        .query_opt(
            "SELECT value FROM settings WHERE key = $1",
            vec!["tx-none".into()],
        )
        .await
        .unwrap();
    assert!(none.is_none());
    assert!(tx
        .query_one::<(String,)>(
            "SELECT value FROM settings WHERE key = $1",
            vec!["tx-none".into()],
        )
        .await
        .is_err());
    tx.commit().await.unwrap();
    assert_eq!(store.setting("tx-a").await.unwrap().as_deref(), Some("1"));
}

async fn a_dropped_transaction_leaves_nothing(store: &Store) {
    for i in 0..40 {
        let mut tx = store.begin().await.unwrap();
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec![format!("dropped-{i}").into(), "x".into()],
        )
        .await
        .unwrap();
        drop(tx);
    }
    // Also one dropped after a failed statement (the transaction is aborted on PostgreSQL).
    let mut tx = store.begin().await.unwrap();
    assert!(tx
        .execute("SELECT * FROM no_such_table", vec![])
        .await
        .is_err());
    drop(tx);
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM settings WHERE key LIKE 'dropped-%'")
            .await
            .unwrap(),
        0
    );
    // The next calls work, on whichever pooled connection they get.
    for i in 0..20 {
        assert_eq!(put(store, &format!("after-{i}")).await.unwrap(), 1);
    }
    for i in 0..20 {
        let key = format!("after-{i}");
        assert_eq!(store.setting(&key).await.unwrap().as_deref(), Some("v"));
    }
}

async fn a_panic_holding_a_transaction_fails_that_call_only(store: &Store) {
    let in_task = store.clone();
    let call = tokio::spawn(async move {
        let mut tx = in_task.begin().await.unwrap();
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2)",
            vec!["panicked".into(), "x".into()],
        )
        .await
        .unwrap();
        panic!("boom while holding a transaction");
    });
    assert!(call.await.expect_err("that call failed").is_panic());
    assert_eq!(store.setting("panicked").await.unwrap(), None);
    assert_eq!(put(store, "after-panic").await.unwrap(), 1);
    assert_eq!(
        store.setting("after-panic").await.unwrap().as_deref(),
        Some("v")
    );
}

async fn story(store: Store) {
    straight_line_commit_is_visible(&store).await;
    a_dropped_transaction_leaves_nothing(&store).await;
    a_panic_holding_a_transaction_fails_that_call_only(&store).await;
}

#[tokio::test]
async fn transactions_commit_roll_back_and_survive_panics_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(seeded_store(&url).await).await;
}

/// Connections of this database left "idle in transaction" (none may stay so for long).
async fn idle_in_transaction(store: &Store) -> i64 {
    store
        .count_query(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()
             AND state LIKE 'idle in transaction%'",
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn transactions_commit_roll_back_and_survive_panics_on_postgres() {
    let Some(url) =
        fresh_pg_database("transactions_commit_roll_back_and_survive_panics_on_postgres").await
    else {
        return;
    };
    let store = seeded_store(&url).await;
    story(store.clone()).await;
    // The rollbacks of dropped transactions run on the runtime; soon none is left open.
    let mut open = idle_in_transaction(&store).await;
    for _ in 0..50 {
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
        open = idle_in_transaction(&store).await;
    }
    assert_eq!(open, 0, "a pooled connection was left inside a transaction");
}
