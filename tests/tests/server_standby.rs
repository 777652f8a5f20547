//! Reports and searches from the standby (`report_db`): with a PostgreSQL primary and a
//! synchronous hot standby, the server's `reports` store reads the standby (its connections show
//! there under their own name), finds what was just ingested on the primary, cannot write (a
//! refusal the device API would answer 503), and a copy without this server's schema is refused.

#![allow(clippy::unwrap_used)]

mod server_support;

use checkpoint_tests::pg_pair::PgPair;
use chrono::{Duration, Utc};
use district_server::report::{local_day, DailyReport};
use district_server::store::{DbOptions, RecordQuery, Store};
use server_support::{enroll_at, genesis_chain, test_state};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_searches_read_the_standby() {
    let pair = match PgPair::start() {
        Ok(pair) => pair,
        Err(e) if std::env::var_os("CHECKPOINT_REQUIRE_PG").is_none() => {
            eprintln!("\n!!!!!!!!!! SKIPPING the standby test: {e:#}\n");
            return;
        }
        Err(e) => panic!("cannot start PostgreSQL with a standby: {e:#}"),
    };
    pair.psql(&pair.primary, "postgres", "CREATE DATABASE district")
        .unwrap();
    pair.psql(&pair.primary, "postgres", "CREATE DATABASE empty")
        .unwrap();
    let standby = pair.node_url(&pair.standby, "district");
    let state = test_state(&pair.node_url(&pair.primary, "district"), |c| {
        c.report_db = Some(standby.clone());
    })
    .await;
    assert!(state.reports.is_replica() && !state.store.is_replica());

    let now = Utc::now();
    enroll_at(&state.store, "dev-report", "cp-east").await;
    let chain = genesis_chain("dev-report", 12, now - Duration::minutes(30));
    state
        .store
        .ingest("dev-report", chain, 0, now, 28)
        .await
        .unwrap();

    // Synchronous replication: what the primary acknowledged is on the standby already.
    let all_today = RecordQuery {
        from_ms: (now - Duration::hours(2)).timestamp_millis(),
        to_ms: (now + Duration::hours(1)).timestamp_millis(),
        compound: None,
        term: None,
        kind: None,
        direction: None,
        admitted: None,
        limit: 100,
        offset: 0,
    };
    assert_eq!(
        state
            .reports
            .search_records(&all_today)
            .await
            .unwrap()
            .len(),
        12
    );
    let day = local_day(now, state.config.utc_offset_minutes);
    let from_standby = DailyReport::compute(&state.reports, &state.config, day, None)
        .await
        .unwrap();
    let from_primary = DailyReport::compute(&state.store, &state.config, day, None)
        .await
        .unwrap();
    assert_eq!(from_standby, from_primary);
    assert!(
        from_standby.records_counted > 0,
        "the day's passages were not counted"
    );
    let readers = pair
        .psql(
            &pair.standby,
            "postgres",
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'district-server reports'",
        )
        .unwrap();
    assert!(
        readers.trim().parse::<i64>().unwrap() >= 1,
        "no reader on the standby"
    );

    // It is the standby: a write is refused, and counts as a passing failure (503).
    let refused = state.reports.set_setting("probe", "x").await.unwrap_err();
    assert!(refused.is_transient(), "{refused}");

    // A copy that lacks this server's schema is refused with a clear message.
    let empty = pair.node_url(&pair.standby, "empty");
    let Err(e) = Store::open_replica(&empty, &DbOptions::default()).await else {
        panic!("a copy without the schema was opened");
    };
    assert!(e.to_string().contains("no district schema"), "{e}");
}
