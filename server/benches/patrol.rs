//! `cargo xtask bench server` (patrol part): evaluating a compound's patrol day. 1,000 points on
//! 10 routes of 100, 12 rounds a day each, 30 days of checks (360,000 entries, uploaded through
//! the real ingest); then every day evaluated, several times, on SQLite and PostgreSQL. The peer,
//! measured in the same run, is reading the same day's check rows without evaluating them.
//!
//! Reads `CHECKPOINT_TEST_PG_URL` (optional) and writes `$CHECKPOINT_BENCH_DIR/patrol.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: any failure should stop it loudly

#[path = "support/pg.rs"]
mod pg;
#[path = "support/run.rs"]
mod run;
#[path = "support/stats.rs"]
mod stats;

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use district_server::report::{day_bounds, PatrolDay};
use district_server::store::{Checkpoint, PointRow, RouteRow, RoutesOf, Store};
use district_server::{setup, Config};
use serde_json::json;
use stats::{median, p95};
use sync_core::domain::GENESIS_HASH;
use sync_core::patrol::{
    windows_on, PatrolCheckData, PatrolStep, PointOutcome, RoundStatus, Schedule,
};
use sync_core::protocol::WireEntry;
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;

const ROUTES: usize = 10;
const POINTS_PER_ROUTE: usize = 100;
const DAYS: i64 = 30;
const RUNS: usize = 5;
const OFFSET: i32 = 480;
const GOAL_MS: f64 = 200.0;

fn schedule(from: DateTime<Utc>) -> Schedule {
    Schedule {
        first_start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        last_start: NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
        every_minutes: 60,
        window_minutes: 45,
        valid_from: from,
    }
}

/// Points, routes (one phone each) and schedules; returns the route ids.
async fn set_up(store: &Store, first_day: NaiveDate, now: DateTime<Utc>) -> Vec<String> {
    store.upsert_compound("c1", "bench").await.unwrap();
    let cp = Checkpoint {
        id: "cp-east".into(),
        compound_id: "c1".into(),
        name: "东门".into(),
        gates: vec!["east-1".into()],
    };
    store
        .upsert_checkpoint(&cp, now.timestamp_millis())
        .await
        .unwrap();
    let (start, _) = day_bounds(first_day, OFFSET);
    let mut routes = Vec::new();
    for r in 0..ROUTES {
        let mut point_ids = Vec::new();
        for p in 0..POINTS_PER_ROUTE {
            let row = PointRow {
                point_id: format!("pt-{r:02}-{p:03}"),
                compound_id: "c1".into(),
                name: format!("点{r}-{p}"),
                description: String::new(),
                location: String::new(),
            };
            store.save_patrol_point(&row, "bench", 0).await.unwrap();
            point_ids.push(row.point_id);
        }
        let route_id = format!("rt-{r:02}");
        let row = RouteRow {
            route_id: route_id.clone(),
            compound_id: "c1".into(),
            checkpoint_id: "cp-east".into(),
            name: format!("路线{r}"),
            ordered: r % 2 == 0,
            point_ids,
        };
        store.save_patrol_route(&row, "bench", 0).await.unwrap();
        store
            .save_patrol_schedule(&route_id, &schedule(start - Duration::days(1)), "bench")
            .await
            .unwrap();
        let code = format!("PATROL{r}");
        let hashed = district_server::auth::hash_token(&code);
        store
            .create_enroll_code(&hashed, "cp-east", "bench", 0, i64::MAX / 2)
            .await
            .unwrap();
        store
            .enroll(
                &hashed,
                &format!("phone-{r}"),
                "bench",
                &district_server::auth::hash_token(&format!("t{r}")),
                0,
            )
            .await
            .unwrap();
        routes.push(route_id);
    }
    routes
}

/// One phone's 30 days of rounds on route `r`: every point of every round, 20 s apart, except
/// that every 7th round skips its last 10 points and every 11th is not walked at all.
fn rounds_of(r: usize, route_id: &str, first_day: NaiveDate) -> Vec<WireEntry> {
    let device = format!("phone-{r}");
    let mut prev = GENESIS_HASH.to_owned();
    let mut out = Vec::new();
    let mut n = 0usize;
    for d in 0..DAYS {
        let day = first_day + Duration::days(d);
        for window in windows_on(&[schedule(DateTime::UNIX_EPOCH)], day, OFFSET) {
            n += 1;
            if n.is_multiple_of(11) {
                continue;
            }
            let points = if n.is_multiple_of(7) {
                POINTS_PER_ROUTE - 10
            } else {
                POINTS_PER_ROUTE
            };
            let round = Uuid::now_v7();
            for p in 0..points {
                let head = EntryHead {
                    id: Uuid::now_v7(),
                    device_id: device.clone(),
                    seq: out.len() as u64 + 1,
                    recorded_at: window.start + Duration::seconds(20 * p as i64 + 10),
                    clock_offset_ms: Some(0),
                    staff: "巡查员".into(),
                    attachments: Vec::new(),
                };
                let body = EntryBody::PatrolCheck(PatrolCheckData {
                    checkpoint_id: "cp-east".into(),
                    route_id: route_id.into(),
                    round_id: round,
                    window: Some(window),
                    step: PatrolStep::Point {
                        point_id: format!("pt-{r:02}-{p:03}"),
                        outcome: PointOutcome::Normal,
                        note: String::new(),
                    },
                });
                let entry = Entry::seal(head, body, &prev);
                prev.clone_from(&entry.hash);
                out.push(WireEntry::from(&entry));
            }
        }
    }
    out
}

/// Per compound-day: evaluation times and the peer's (reading the same rows), in ms.
struct Measured {
    eval_ms: Vec<f64>,
    read_ms: Vec<f64>,
    checks: i64,
    done_share: f64,
}

async fn measure(url: &str) -> Measured {
    let config = Config {
        db: url.into(),
        utc_offset_minutes: OFFSET,
        ..Config::default()
    };
    let (state, _) = setup::start(config).await.unwrap();
    let store = &state.store;
    let now = Utc::now();
    let today = (now + Duration::minutes(i64::from(OFFSET))).date_naive();
    let first_day = today - Duration::days(DAYS + 1);
    let routes = set_up(store, first_day, now).await;
    let loading = Instant::now();
    for (r, route_id) in routes.iter().enumerate() {
        let entries = rounds_of(r, route_id, first_day);
        for batch in entries.chunks(1000) {
            store
                .ingest_entries(&format!("phone-{r}"), batch.to_vec(), 0, now, 60)
                .await
                .unwrap();
        }
    }
    let checks = store
        .count_query("SELECT COUNT(*) FROM patrol_checks")
        .await
        .unwrap();
    eprintln!(
        "bench patrol: {checks} checks stored in {:.1} s",
        loading.elapsed().as_secs_f64()
    );
    let compounds = ["c1".to_owned()];
    let (mut eval_ms, mut read_ms) = (Vec::new(), Vec::new());
    let (mut done, mut due) = (0, 0);
    for run in 0..RUNS {
        for d in 0..DAYS {
            let day = first_day + Duration::days(d);
            // The peer: the same rows read, not evaluated.
            let t = Instant::now();
            let (start, end) = day_bounds(day, OFFSET);
            for route in store.patrol_routes(RoutesOf::Compound("c1")).await.unwrap() {
                let rows = store
                    .patrol_checks(
                        &route.route_id,
                        (start - Duration::hours(2)).timestamp_millis(),
                        (end + Duration::hours(12)).timestamp_millis(),
                    )
                    .await
                    .unwrap();
                std::hint::black_box(rows);
            }
            read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let result = PatrolDay::compute(store, &compounds, day, now, OFFSET)
                .await
                .unwrap();
            eval_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if run == 0 {
                done += result.count(RoundStatus::Done);
                due += result.due;
                assert_eq!(result.routes.len(), ROUTES);
            }
        }
    }
    Measured {
        eval_ms,
        read_ms,
        checks,
        done_share: done as f64 / due.max(1) as f64,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let out = run::out_dir();
        let dir = tempfile::tempdir().unwrap();
        let backends = run::backends(dir.path(), "patrol.db").await;
        let mut summary = serde_json::Map::new();
        println!("\n| patrol evaluation, 1 compound-day ({ROUTES} routes × {POINTS_PER_ROUTE} points × 12 rounds) | median ms | p95 ms | peer: read the rows, median ms | ratio | goal |");
        println!("|---|---|---|---|---|---|");
        for (name, url) in backends {
            let m = measure(&url).await;
            let (eval, read) = (median(m.eval_ms.clone()), median(m.read_ms.clone()));
            let worst = p95(m.eval_ms.clone());
            println!(
                "| {name} ({} checks, {DAYS} days, {RUNS} runs) | {eval:.1} | {worst:.1} | {read:.1} | {:.2} | < {GOAL_MS} ms |",
                m.checks,
                eval / read
            );
            summary.insert(
                name.into(),
                json!({
                    "checks": m.checks, "days": DAYS, "runs": RUNS,
                    "eval_median_ms": eval, "eval_p95_ms": worst,
                    "read_median_ms": read, "ratio_eval_vs_read": eval / read,
                    "done_share": m.done_share, "goal_ms": GOAL_MS,
                }),
            );
            assert!(worst < GOAL_MS * 4.0, "{name}: p95 {worst:.1} ms is far over the goal");
        }
        run::write_summary(&out, "patrol", summary);
    });
}
