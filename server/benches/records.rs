//! `cargo xtask bench server` (records part): finding people in a city-sized PostgreSQL. 10 million
//! passages (`CHECKPOINT_BENCH_PASSAGES`) over 30 days at 200 checkpoints of 100 compounds —
//! about 333,000 a day — and 200,000 resident passes are written straight into the tables (the
//! ingest has its own bench); then, with the same `Store` the pages use:
//! - a 30-day search of one plate (50 plates), against the peer: the same rows read by a bare
//!   indexed query over one connection;
//! - a 30-day contact list of one resident pass (20 passes), against the peer: reading that
//!   resident's own passages;
//! - a 30-day search of one name over every search column (20 names);
//! - the whole dashboard page (`GET /admin` through the router) for the district administrator,
//!   with the anomaly panel of all 100 compounds (5 runs), after the background recount of the
//!   anomaly counts that the server runs every `anomaly_refresh_seconds` (timed on its own).
//!
//! Goals (issue 17): plate search p95 < 300 ms, contact list p95 < 1 s, dashboard < 500 ms.
//! Reads `CHECKPOINT_TEST_PG_URL` (required: PostgreSQL only) and writes
//! `$CHECKPOINT_BENCH_DIR/records.json`; `CHECKPOINT_BENCH_REUSE_DB=<name>` loads into that
//! database once and reuses it on later runs (the times are then relative to the first load's day).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: any failure should stop it loudly

#[path = "support/pg.rs"]
mod pg;
#[path = "support/run.rs"]
#[allow(dead_code)] // PostgreSQL only: the SQLite half of the support is not used here
mod run;
#[path = "support/stats.rs"]
mod stats;

use std::time::Instant;

use axum::body::Body;
use axum::http::{header, Request};
use chrono::{Duration, Utc};
use district_server::auth::hash_token;
use district_server::store::{RecordQuery, SearchField};
use district_server::{setup, AppState, Config};
use serde_json::json;
use stats::{median, p95};
use tower::ServiceExt;

const COMPOUNDS: usize = 100;
const DAYS: i64 = 30;
const RESIDENTS: i64 = 200_000;
const PLATES: i64 = 50_000;
const GOAL_PLATE_P95_MS: f64 = 300.0;
const GOAL_CONTACTS_P95_MS: f64 = 1000.0;
const GOAL_DASHBOARD_MS: f64 = 500.0;

fn passages() -> i64 {
    std::env::var("CHECKPOINT_BENCH_PASSAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000)
}

/// One passage per row of `generate_series`: the subject, checkpoint and time follow from `g`.
/// Every resident passes about once a day (`$3` residents over the resident rows, numbered
/// densely). A visitor comes in and leaves by the same gate 200 rows later (`g` and `g + 200`
/// share a phone, a name and a host), except one visit in 50 whose exit was never registered:
/// those visitors stay "inside", as forgotten exits do at real gates.
const FILL: &str = "
INSERT INTO passages (id, device_id, seq, checkpoint_id, gate, direction, recorded_at_ms,
    received_at_ms, subject_kind, subject_key, verdict, deny_reason, temperature_c, prev_hash, hash,
    body, corrected_at_ms, offset_known, occupants, pass_id, plate, household, person_name, id_tail)
SELECT 'p' || g, 'dev-' || (g % 200), g / 200 + 1,
    'cp-' || lpad(((g % 200) / 2)::text, 3, '0') || CASE WHEN g % 2 = 0 THEN '-a' ELSE '-b' END,
    'g1', CASE WHEN (g / 200) % 2 = 0 THEN 'in' ELSE 'out' END,
    $1 + g * $2, $1 + g * $2,
    CASE WHEN g % 10 < 6 THEN 'resident' WHEN g % 10 < 8 THEN 'vehicle' ELSE 'visitor' END,
    CASE WHEN g % 10 < 6 THEN 'pass:R' || lpad(r::text, 6, '0')
         WHEN g % 10 < 8 THEN 'plate:京A' || lpad(((g * 104729) % $4)::text, 5, '0')
         ELSE 'phone:137' || lpad((v % 100000000)::text, 8, '0') END,
    CASE WHEN g % 97 = 0 THEN 'denied' ELSE 'admitted' END,
    CASE WHEN g % 97 = 0 THEN 'revoked' END,
    CASE WHEN g % 5000 = 0 THEN 38.1 ELSE 36.5 END,
    '', '', '{}', $1 + g * $2, 1,
    CASE WHEN g % 10 IN (6, 7) THEN 2 ELSE 0 END,
    CASE WHEN g % 10 < 6 THEN 'R' || lpad(r::text, 6, '0') END,
    CASE WHEN g % 10 IN (6, 7) THEN '京A' || lpad(((g * 104729) % $4)::text, 5, '0') END,
    CASE WHEN g % 10 < 6 THEN (r / 4)::text
         WHEN g % 10 >= 8 THEN ((v % $3) / 4)::text END,
    CASE WHEN g % 10 < 6 THEN '居民' || r
         WHEN g % 10 >= 8 THEN '访客' || (v % 100000) END,
    NULL
FROM generate_series($5::bigint, $6::bigint) g,
    LATERAL (SELECT ((g / 10 * 6 + g % 10) * 7919) % $3 AS r,
                    CASE WHEN (g / 400) % 50 = 0 THEN g ELSE g / 400 * 400 + g % 200 END AS v) k";

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    client
}

/// Compounds, checkpoints, resident passes and the passages, with the passages' secondary
/// indexes dropped during the load and built again after it (as a bulk load does).
async fn load(state: &AppState, url: &str, start_ms: i64) {
    let now_ms = Utc::now().timestamp_millis();
    for c in 0..COMPOUNDS {
        let id = format!("c{c:03}");
        state
            .store
            .upsert_compound(&id, &format!("小区{c}"))
            .await
            .unwrap();
        for side in ["a", "b"] {
            let cp = district_server::store::Checkpoint {
                id: format!("cp-{c:03}-{side}"),
                compound_id: id.clone(),
                name: format!("小区{c}{side}门"),
                gates: vec!["g1".into()],
            };
            state.store.upsert_checkpoint(&cp, now_ms).await.unwrap();
        }
    }
    let db = connect(url).await;
    db.execute(
        "INSERT INTO passes (pass_id, serial, kind, resident_id, compound_id, household,
             display_name, plate, payload, issued_at_ms, valid_until_ms)
         SELECT 'R' || lpad(g::text, 6, '0'), 1, 'resident', 'R' || lpad(g::text, 6, '0'),
                'c' || lpad((g % 100)::text, 3, '0'), (g / 4)::text, '居民' || g, NULL, '',
                $1, $2 FROM generate_series(0::bigint, $3::bigint - 1) g",
        &[
            &(start_ms - 86_400_000),
            &(now_ms + 365 * 86_400_000),
            &RESIDENTS,
        ],
    )
    .await
    .unwrap();
    let indexes: Vec<(String, String)> = db
        .query(
            "SELECT indexname::text, indexdef::text FROM pg_indexes
             WHERE tablename = 'passages' AND indexdef NOT LIKE '%UNIQUE%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    for (name, _) in &indexes {
        db.batch_execute(&format!("DROP INDEX {name}"))
            .await
            .unwrap();
    }
    let n = passages();
    let step = DAYS * 86_400_000 / n;
    let chunk = 1_000_000;
    let started = Instant::now();
    let mut from = 0;
    while from < n {
        let to = (from + chunk).min(n) - 1;
        db.execute(FILL, &[&start_ms, &step, &RESIDENTS, &PLATES, &from, &to])
            .await
            .unwrap();
        from = to + 1;
        eprintln!(
            "  {from} passages ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    for (_, def) in &indexes {
        // `pg_indexes` prints a partitioned table's index as `ON ONLY passages`, which would
        // build it on the parent alone and leave every month without it.
        db.batch_execute(&def.replace(" ON ONLY ", " ON "))
            .await
            .unwrap();
    }
    db.batch_execute("ANALYZE").await.unwrap();
    eprintln!(
        "  loaded and indexed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn query(term: String, field: Option<SearchField>, from_ms: i64, to_ms: i64) -> RecordQuery {
    RecordQuery {
        from_ms,
        to_ms,
        term: Some((term, field)),
        limit: 51,
        ..RecordQuery::default()
    }
}

/// The dashboard's times, or the status it answered with when it failed.
async fn dashboard_ms(state: &AppState) -> Result<Vec<f64>, String> {
    let now = Utc::now().timestamp_millis();
    // A token of this run (a reused database keeps the sessions of earlier runs).
    let token = format!("bench-{now}");
    state
        .store
        .create_session(&hash_token(&token), "admin", "csrf", now + 3_600_000, now)
        .await
        .unwrap();
    let mut times = Vec::new();
    for _ in 0..5 {
        let req = Request::get("/admin")
            .header(header::COOKIE, format!("cp_session={token}"))
            .body(Body::empty())
            .unwrap();
        let t = Instant::now();
        let resp = district_server::app(state.clone())
            .oneshot(req)
            .await
            .unwrap();
        if !resp.status().is_success() {
            return Err(format!("{} after {:.0} ms", resp.status(), ms_since(t)));
        }
        axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        times.push(ms_since(t));
    }
    Ok(times)
}

/// How long `f` took, or how it failed.
async fn timed<T, E: std::fmt::Display>(
    f: impl std::future::Future<Output = Result<T, E>>,
) -> String {
    let t = Instant::now();
    match f.await {
        Ok(_) => format!("{:.0} ms", ms_since(t)),
        Err(e) => format!("failed after {:.0} ms: {e}", ms_since(t)),
    }
}

#[tokio::main]
async fn main() {
    let base =
        std::env::var("CHECKPOINT_TEST_PG_URL").expect("CHECKPOINT_TEST_PG_URL: PostgreSQL only");
    // `CHECKPOINT_BENCH_REUSE_DB=<name>` keeps the loaded database between runs (loaded once).
    let reuse = std::env::var("CHECKPOINT_BENCH_REUSE_DB").ok();
    let url = match &reuse {
        Some(name) => pg::named_pg(&base, name).await,
        None => pg::fresh_pg(&base).await,
    };
    // The district's clock, a whole number of hours from UTC as China's +8 is, is set so that
    // its "today" began 23 hours ago or more: the dashboard counts a full day of passages
    // whatever the hour the bench runs at.
    let utc_hour = i32::try_from(Utc::now().timestamp().rem_euclid(86_400) / 3600).unwrap();
    let mut offset = (23 - utc_hour) * 60;
    if offset > 720 {
        offset -= 1440;
    }
    let config = Config {
        db: url.clone(),
        utc_offset_minutes: offset,
        ..Config::default()
    };
    let (state, _) = setup::start(config).await.unwrap();
    let now = Utc::now();
    let start_ms = (now - Duration::days(DAYS)).timestamp_millis();
    let loaded: i64 = connect(&url)
        .await
        .query_one("SELECT COUNT(*) FROM passages", &[])
        .await
        .unwrap()
        .get(0);
    if loaded == 0 {
        eprintln!("loading {} passages into PostgreSQL …", passages());
        load(&state, &url, start_ms).await;
    } else {
        eprintln!("reusing the {loaded} passages of {url}");
    }
    let (from_ms, to_ms) = (start_ms, now.timestamp_millis() + 1);
    let raw = connect(&url).await;

    let (mut plate, mut plate_peer, mut plate_rows) = (Vec::new(), Vec::new(), 0);
    for i in 0..50 {
        let p = format!("京A{:05}", (i * 997) % PLATES);
        let t = Instant::now();
        let rows = state
            .store
            .search_records(&query(p.clone(), Some(SearchField::Plate), from_ms, to_ms))
            .await
            .unwrap();
        plate.push(ms_since(t));
        let t = Instant::now();
        let peer = raw
            .query(
                "SELECT * FROM passages WHERE plate = $1 AND corrected_at_ms >= $2
                 AND corrected_at_ms < $3 ORDER BY corrected_at_ms DESC, pk DESC LIMIT 51",
                &[&p, &from_ms, &to_ms],
            )
            .await
            .unwrap();
        plate_peer.push(ms_since(t));
        assert_eq!(rows.len(), peer.len(), "{p}");
        plate_rows += rows.len();
    }
    let (mut contacts, mut contacts_peer, mut found) = (Vec::new(), Vec::new(), 0);
    for i in 0..20 {
        let pass = format!("R{:06}", (i * 9973) % RESIDENTS);
        let mut q = query(pass.clone(), Some(SearchField::PassId), from_ms, to_ms);
        q.limit = 5000;
        let t = Instant::now();
        found += state.store.contacts(&q, 15 * 60_000).await.unwrap().len();
        contacts.push(ms_since(t));
        let t = Instant::now();
        raw.query(
            "SELECT * FROM passages WHERE pass_id = $1 AND corrected_at_ms >= $2 AND corrected_at_ms < $3",
            &[&pass, &from_ms, &to_ms],
        )
        .await
        .unwrap();
        contacts_peer.push(ms_since(t));
    }
    let mut names = Vec::new();
    for i in 0..20 {
        let name = format!("居民{}", (i * 7919) % RESIDENTS);
        let t = Instant::now();
        state
            .store
            .search_records(&query(name, None, from_ms, to_ms))
            .await
            .unwrap();
        names.push(ms_since(t));
    }
    // The background recount the server runs every `anomaly_refresh_seconds` (the dashboard
    // reads its counts), timed on its own: the rules of all 100 compounds.
    let ids: Vec<String> = (0..COMPOUNDS).map(|c| format!("c{c:03}")).collect();
    let recount = timed(district_server::anomaly_panel::recount(
        &state.store,
        &state.config,
        ids,
        now,
    ))
    .await;
    let dashboard = dashboard_ms(&state).await;
    let glance = timed(district_server::report::Glance::compute(
        &state.store,
        &state.config,
        now,
        None,
    ))
    .await;
    let dashboard_text = match &dashboard {
        Ok(times) => format!("{:.0} ms median", median(times.clone())),
        Err(e) => format!("failed: {e}"),
    };

    let row = json!({
        "passages": passages(), "compounds": COMPOUNDS, "checkpoints": COMPOUNDS * 2, "days": DAYS,
        "resident_passes": RESIDENTS,
        "plate_search_ms": {"median": median(plate.clone()), "p95": p95(plate.clone()), "peer_median": median(plate_peer.clone()), "ratio": median(plate.clone()) / median(plate_peer.clone()), "goal_p95": GOAL_PLATE_P95_MS},
        "contacts_ms": {"median": median(contacts.clone()), "p95": p95(contacts.clone()), "peer_median": median(contacts_peer.clone()), "ratio": median(contacts.clone()) / median(contacts_peer.clone()), "contacts_found": found, "goal_p95": GOAL_CONTACTS_P95_MS},
        "name_search_any_field_ms": {"median": median(names.clone()), "p95": p95(names.clone())},
        "dashboard_with_anomalies": {"result": dashboard_text, "goal_ms": GOAL_DASHBOARD_MS, "anomaly_recount_of_all_compounds": recount, "glance": glance},
        "plate_rows_found": plate_rows,
    });
    println!(
        "\n| records, PostgreSQL, {} passages, {COMPOUNDS} compounds, {DAYS} days | median ms | p95 ms | peer median ms | ratio | goal |\n|---|---|---|---|---|---|\n| plate search, 30 days | {:.1} | {:.1} | {:.1} | {:.2} | p95 < {GOAL_PLATE_P95_MS} |\n| contact list, 30 days ({found} contacts of 20 passes) | {:.1} | {:.1} | {:.1} | {:.2} | p95 < {GOAL_CONTACTS_P95_MS} |\n| name search over every field | {:.1} | {:.1} | | | |\n| dashboard with anomalies of {COMPOUNDS} compounds (5 runs): {dashboard_text}; the background recount of every compound's anomalies: {recount}; the day's glance: {glance} | | | | | < {GOAL_DASHBOARD_MS} |\n\n{plate_rows} rows found by the 50 plate searches",
        passages(),
        median(plate.clone()), p95(plate.clone()), median(plate_peer.clone()), median(plate.clone()) / median(plate_peer.clone()),
        median(contacts.clone()), p95(contacts.clone()), median(contacts_peer.clone()), median(contacts.clone()) / median(contacts_peer.clone()),
        median(names.clone()), p95(names),
    );
    let mut summary = serde_json::Map::new();
    summary.insert("postgres".into(), row);
    run::write_summary(&run::out_dir(), "records", summary);
}
