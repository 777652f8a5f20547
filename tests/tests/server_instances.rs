//! Several server instances on one database: the self-registration limit is counted together
//! (also under concurrent requests), each background job runs on one instance at a time (and a
//! dead instance's lock goes with its session), and an instance refuses a database that a newer
//! server migrated, with a message that says so.

#![allow(clippy::unwrap_used)]

mod server_support;

use std::time::Duration;

use checkpoint_tests::server_proc::ServerProc;
use district_server::store::{DbError, Job, RateLimit, Store};
use server_support::{fresh_pg_database, temp_sqlite};

const HOURLY_FIVE: RateLimit = RateLimit {
    per_window: 5,
    window_ms: 3_600_000,
};

async fn limit_is_shared(a: &Store, b: &Store) {
    let now = chrono::Utc::now().timestamp_millis();
    let mut answers = Vec::new();
    for i in 0..7 {
        let store = if i % 2 == 0 { a } else { b };
        answers.push(
            store
                .rate_allow("register:203.0.113.9", HOURLY_FIVE, now)
                .await
                .unwrap(),
        );
    }
    assert_eq!(answers, [true, true, true, true, true, false, false]);
    // Twenty requests at once, half on each instance: exactly five get through.
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tokio::spawn(async move {
                store
                    .rate_allow("register:198.51.100.4", HOURLY_FIVE, now)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut admitted = 0;
    for t in tasks {
        admitted += usize::from(t.await.unwrap());
    }
    assert_eq!(admitted, 5);
}

async fn newer_schema_is_refused(url: &str, mark: impl std::future::Future<Output = ()>) {
    mark.await;
    let Err(e) = Store::open(url).await else {
        panic!("a database migrated by a newer server was opened");
    };
    assert!(
        matches!(&e, DbError::NewerSchema { unknown } if unknown == &["9999_from_a_newer_server".to_owned()]),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let refused = ServerProc::start(url, &dir.path().join("server.log"))
        .expect_err("the server started on a newer schema");
    let text = format!("{refused:#}");
    assert!(
        text.contains("migrated by a newer district-server")
            && text.contains("9999_from_a_newer_server"),
        "{text}"
    );
}

#[tokio::test]
async fn instances_share_limits_and_refuse_a_newer_schema_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    let a = Store::open(&url).await.unwrap();
    let b = Store::open(&url).await.unwrap();
    limit_is_shared(&a, &b).await;
    // One instance on SQLite: it always leads.
    let lead = a.try_lead(Job::Retention).await.unwrap().unwrap();
    lead.release().await;
    drop((a, b));
    let path = url.trim_start_matches("sqlite:").to_owned();
    newer_schema_is_refused(&url, async move {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (name, applied_at_ms) VALUES ('9999_from_a_newer_server', 0)",
            [],
        )
        .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_limits_jobs_and_refuse_a_newer_schema_on_postgres() {
    let Some(url) = fresh_pg_database("server_instances").await else {
        return;
    };
    let a = Store::open(&url).await.unwrap();
    let b = Store::open(&url).await.unwrap();
    limit_is_shared(&a, &b).await;

    // One instance at a time per job; another job is free.
    let lead = a.try_lead(Job::Retention).await.unwrap().expect("a leads");
    assert!(b.try_lead(Job::Retention).await.unwrap().is_none());
    b.try_lead(Job::AnomalyCounts)
        .await
        .unwrap()
        .expect("another job is free")
        .release()
        .await;
    lead.release().await;
    let lead = b
        .try_lead(Job::Retention)
        .await
        .unwrap()
        .expect("b leads after a released");
    // A lead dropped without release (a task cancelled, an instance dying) closes its
    // connection: the lock goes with the session.
    drop(lead);
    let mut free = None;
    for _ in 0..50 {
        free = a.try_lead(Job::Retention).await.unwrap();
        if free.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    free.expect("the dropped lead's lock was released")
        .release()
        .await;
    drop((a, b));

    let mark_url = url.clone();
    newer_schema_is_refused(&url, async move {
        let (client, conn) = tokio_postgres::connect(&mark_url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .execute(
                "INSERT INTO schema_migrations (name, applied_at_ms) VALUES ('9999_from_a_newer_server', 0)",
                &[],
            )
            .await
            .unwrap();
    })
    .await;
}
