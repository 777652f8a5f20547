//! The journal partitioned by month on PostgreSQL (migration 0029): the server makes the months
//! ahead of time, retention drops the months that have expired whole and leaves every record
//! that has not, and the exactly-once keys still answer a resend after the drop. The same story
//! on SQLite (one table, rows deleted) must end with the same records.
#![allow(clippy::unwrap_used)]

mod server_support;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use district_server::store::{Store, MONTHS_AHEAD};
use server_support::{chain, enroll_at, fresh_pg_database, seeded_store, temp_sqlite};
use sync_core::domain::GENESIS_HASH;
use sync_core::protocol::RecordStatus;
use sync_core::Passage;

/// Ages of the four batches (days before now): two months that expire whole, one that
/// straddles the 28-day cutoff on most dates, and today.
const AGES_DAYS: [i64; 4] = [80, 50, 27, 0];
const PER_BATCH: u64 = 5;

/// The passages' months on PostgreSQL, each with its upper bound (ms), and the default's rows.
async fn months(url: &str) -> (Vec<(String, i64)>, i64) {
    let (db, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    let rows = db
        .query(
            "SELECT c.relname::text, (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                    'TO \\(''?(-?\\d+)''?\\)'))[1]::bigint
             FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
             WHERE i.inhparent = 'passages'::regclass AND c.relname <> 'passages_other'
             ORDER BY 2",
            &[],
        )
        .await
        .unwrap();
    let other: i64 = db
        .query_one("SELECT COUNT(*) FROM passages_other", &[])
        .await
        .unwrap()
        .get(0);
    (rows.iter().map(|r| (r.get(0), r.get(1))).collect(), other)
}

fn month_name(t: DateTime<Utc>, ahead: u32) -> String {
    let first = NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap();
    let m = first.checked_add_months(Months::new(ahead)).unwrap();
    format!("passages_y{}m{:02}", m.year(), m.month())
}

/// Four batches of one device, each stored as its own day's upload (the server's clock then).
async fn store_batches(store: &Store, now: DateTime<Utc>) -> Vec<Passage> {
    enroll_at(store, "dev-P", "cp-east").await;
    let mut prev = GENESIS_HASH.to_owned();
    let mut all = Vec::new();
    for (i, age) in AGES_DAYS.iter().enumerate() {
        let at = now - Duration::days(*age) - Duration::hours(1);
        let from = i as u64 * PER_BATCH + 1;
        let batch = chain("dev-P", from, from + PER_BATCH - 1, at, &prev);
        prev.clone_from(&batch[batch.len() - 1].hash);
        let upload_now = at + Duration::minutes(5);
        let results = store
            .ingest("dev-P", batch.clone(), 0, upload_now, 28)
            .await
            .unwrap();
        assert!(results.iter().all(|r| r.status == RecordStatus::Accepted));
        all.extend(batch);
    }
    all
}

async fn story(store: Store, pg_url: Option<&str>) {
    let now = Utc::now();
    let cutoff = now - Duration::days(28);
    // The server's retention job makes the months from the oldest kept to two ahead.
    let made = store
        .make_months(now - Duration::days(90), now)
        .await
        .unwrap();
    let passages = store_batches(&store, now).await;
    if let Some(url) = pg_url {
        let (before, other) = months(url).await;
        assert!(made > 0 || before.len() >= 4, "months made: {made}");
        assert_eq!(other, 0, "every record lies in a month made ahead");
        for ahead in 0..=MONTHS_AHEAD {
            let name = month_name(now, ahead);
            assert!(before.iter().any(|(n, _)| *n == name), "{name} made ahead");
        }
        // Made once: a second call makes nothing.
        assert_eq!(
            store
                .make_months(now - Duration::days(90), now)
                .await
                .unwrap(),
            0
        );
    }

    let expired: Vec<&Passage> = passages
        .iter()
        .filter(|p| p.body.recorded_at.timestamp_millis() - 1200 < cutoff.timestamp_millis())
        .collect();
    let purged = store
        .purge_before(cutoff.timestamp_millis(), now.timestamp_millis())
        .await
        .unwrap();
    assert_eq!(purged.passages, expired.len() as u64);
    // Every record that has not expired is still there, each once.
    let kept = store.passage_count(None).await.unwrap();
    assert_eq!(kept as usize, passages.len() - expired.len());
    for p in passages
        .iter()
        .filter(|p| !expired.iter().any(|e| e.hash == p.hash))
    {
        let n = store
            .count_query(&format!(
                "SELECT COUNT(*) FROM passages WHERE id = '{}'",
                p.body.id
            ))
            .await
            .unwrap();
        assert_eq!(n, 1, "unexpired passage {} kept once", p.body.seq);
    }
    assert_eq!(
        store.devices().await.unwrap()[0].missing,
        0,
        "dropped rows are not missing"
    );

    if let Some(url) = pg_url {
        let (after, _) = months(url).await;
        assert!(
            after.iter().all(|(_, hi)| *hi > cutoff.timestamp_millis()),
            "no expired month left: {after:?}"
        );
        assert!(
            after
                .iter()
                .any(|(_, hi)| *hi - 31 * 86_400_000 <= cutoff.timestamp_millis()),
            "the month holding the cutoff stays: {after:?}"
        );
    }
    // A resend of a kept record is a duplicate; of a dropped one, older than retention.
    let last = passages[passages.len() - 1].clone();
    let first = passages[0].clone();
    let r = store
        .ingest("dev-P", vec![first, last], 0, now, 28)
        .await
        .unwrap();
    assert!(
        matches!(r[0].status, RecordStatus::Quarantined { .. }),
        "{:?}",
        r[0]
    );
    assert_eq!(r[1].status, RecordStatus::Duplicate);
    assert_eq!(store.passage_count(None).await.unwrap(), kept);
}

#[tokio::test]
async fn months_on_postgres() {
    let Some(url) = fresh_pg_database("months_on_postgres").await else {
        return;
    };
    story(seeded_store(&url).await, Some(&url)).await;
}

#[tokio::test]
async fn same_records_kept_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(seeded_store(&url).await, None).await;
}
