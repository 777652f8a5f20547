//! `cargo xtask bench server` (duty part): the monthly duty report of a district. 20 phones at
//! their gates for 31 days, each with a day shift (06:00–18:00) and a night shift (18:00–06:00) of
//! its own two staff members, 240 passages a day (all uploaded through the real ingest); then the
//! report of the month the days fall in, several times, on SQLite and PostgreSQL. The peer,
//! measured in the same run, is reading the rows the report reads (the duty events, each phone's
//! passage times and patrol round starts) without pairing or counting them.
//!
//! Reads `CHECKPOINT_TEST_PG_URL` (optional) and writes `$CHECKPOINT_BENCH_DIR/duty.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: any failure should stop it loudly

#[path = "support/pg.rs"]
mod pg;
#[path = "support/run.rs"]
mod run;
#[path = "support/stats.rs"]
mod stats;

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use district_server::report::{day_bounds, month_bounds, DutyMonth};
use district_server::store::{Checkpoint, Store};
use district_server::{setup, Config};
use serde_json::json;
use stats::{median, p95};
use sync_core::domain::GENESIS_HASH;
use sync_core::duty::{DutyData, DutyEvent, DutyMethod, MAX_SHIFT_HOURS};
use sync_core::protocol::WireEntry;
use sync_core::{Direction, Entry, EntryBody, EntryHead, PassageData, Subject, Verdict};
use uuid::Uuid;

const PHONES: usize = 20;
const DAYS: i64 = 31;
const PASSAGES_PER_DAY: i64 = 240;
const RUNS: usize = 5;
const OFFSET: i32 = 480;
const GOAL_MS: f64 = 2000.0;

async fn set_up(store: &Store, now: DateTime<Utc>) {
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
    for p in 0..PHONES {
        let hashed = district_server::auth::hash_token(&format!("DUTY{p}"));
        store
            .create_enroll_code(&hashed, "cp-east", "bench", 0, i64::MAX / 2)
            .await
            .unwrap();
        let token = district_server::auth::hash_token(&format!("t{p}"));
        store
            .enroll(&hashed, &format!("phone-{p}"), "bench", &token, 0)
            .await
            .unwrap();
    }
}

fn duty(p: usize, who: usize, event: DutyEvent) -> EntryBody {
    EntryBody::Duty(DutyData {
        checkpoint_id: "cp-east".into(),
        staff_id: format!("S{:06}", p * 2 + who),
        staff_name: format!("值守{p}-{who}"),
        event,
        method: DutyMethod::Pin,
    })
}

fn passage(n: i64) -> EntryBody {
    EntryBody::Passage(PassageData {
        checkpoint_id: "cp-east".into(),
        gate: "east-1".into(),
        direction: if n % 2 == 0 {
            Direction::In
        } else {
            Direction::Out
        },
        subject: Subject::Resident {
            pass_id: format!("R{:06}", n % 5000),
            household: "1-1-101".into(),
            name: None,
        },
        temperature_c: None,
        verdict: Verdict::Admitted,
    })
}

/// One phone's month: per day a day shift and a night shift with passages spread over the day.
fn month_of(p: usize, first_day: NaiveDate) -> Vec<WireEntry> {
    let device = format!("phone-{p}");
    let mut items: Vec<(DateTime<Utc>, EntryBody)> = Vec::new();
    for d in 0..DAYS {
        let (start, _) = day_bounds(first_day + Duration::days(d), OFFSET);
        let (six, eighteen) = (start + Duration::hours(6), start + Duration::hours(18));
        items.push((six, duty(p, 0, DutyEvent::On)));
        items.push((eighteen, duty(p, 0, DutyEvent::Off)));
        items.push((eighteen + Duration::seconds(1), duty(p, 1, DutyEvent::On)));
        items.push((six + Duration::hours(24), duty(p, 1, DutyEvent::Off)));
        let step = 86_400 / PASSAGES_PER_DAY;
        for n in 0..PASSAGES_PER_DAY {
            items.push((six + Duration::seconds(n * step + 7), passage(n)));
        }
    }
    items.sort_by_key(|(at, _)| *at);
    let mut prev = GENESIS_HASH.to_owned();
    items
        .into_iter()
        .enumerate()
        .map(|(i, (at, body))| {
            let head = EntryHead {
                id: Uuid::now_v7(),
                device_id: device.clone(),
                seq: i as u64 + 1,
                recorded_at: at,
                clock_offset_ms: Some(0),
                staff: "值守".into(),
                attachments: Vec::new(),
            };
            let entry = Entry::seal(head, body, &prev);
            prev.clone_from(&entry.hash);
            WireEntry::from(&entry)
        })
        .collect()
}

struct Measured {
    report_ms: Vec<f64>,
    read_ms: Vec<f64>,
    passages: i64,
    events: i64,
    staff: usize,
    hours: f64,
}

/// The rows the report reads for the month `first`, read and dropped.
async fn read_rows(store: &Store, first: NaiveDate) {
    let window = month_bounds(first, OFFSET);
    let margin = Duration::hours(MAX_SHIFT_HOURS + 1);
    let rows = store
        .duty_rows(
            (window.0 - margin).timestamp_millis(),
            (window.1 + margin).timestamp_millis(),
        )
        .await
        .unwrap();
    let (w0, w1) = (window.0.timestamp_millis(), window.1.timestamp_millis());
    for p in 0..PHONES {
        let device = format!("phone-{p}");
        std::hint::black_box(store.passage_times(&device, w0, w1).await.unwrap());
        std::hint::black_box(store.round_starts(&device, w0, w1).await.unwrap());
    }
    std::hint::black_box(rows);
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
    set_up(store, now).await;
    let loading = Instant::now();
    for p in 0..PHONES {
        for batch in month_of(p, first_day).chunks(1000) {
            store
                .ingest_entries(&format!("phone-{p}"), batch.to_vec(), 0, now, 60)
                .await
                .unwrap();
        }
    }
    let passages = store
        .count_query("SELECT COUNT(*) FROM passages")
        .await
        .unwrap();
    let events = store
        .count_query("SELECT COUNT(*) FROM duty_events")
        .await
        .unwrap();
    eprintln!(
        "bench duty: {passages} passages and {events} duty events stored in {:.1} s",
        loading.elapsed().as_secs_f64()
    );
    // The month with most of the days in it.
    let middle = first_day + Duration::days(DAYS / 2);
    let month = district_server::report::this_month(day_bounds(middle, OFFSET).0, OFFSET);
    let (mut report_ms, mut read_ms) = (Vec::new(), Vec::new());
    let (mut staff, mut hours) = (0, 0.0);
    for _ in 0..RUNS {
        let t = Instant::now();
        read_rows(store, month).await;
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let report = DutyMonth::compute(store, month, now, OFFSET).await.unwrap();
        report_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        staff = report.staff.len();
        hours = report.staff.iter().map(|s| s.hours).sum();
    }
    Measured {
        report_ms,
        read_ms,
        passages,
        events,
        staff,
        hours,
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
        let backends = run::backends(dir.path(), "duty.db").await;
        let mut summary = serde_json::Map::new();
        println!("\n| monthly duty report, 1 district-month ({PHONES} phones × 2 shifts a day, {PASSAGES_PER_DAY} passages a phone-day) | median ms | p95 ms | peer: read the rows, median ms | ratio | goal |");
        println!("|---|---|---|---|---|---|");
        for (name, url) in backends {
            let m = measure(&url).await;
            let (report, read) = (median(m.report_ms.clone()), median(m.read_ms.clone()));
            let worst = p95(m.report_ms.clone());
            println!(
                "| {name} ({} passages, {} duty events, {} staff, {:.0} h; {RUNS} runs) | {report:.1} | {worst:.1} | {read:.1} | {:.2} | < {GOAL_MS} ms |",
                m.passages, m.events, m.staff, m.hours,
                report / read
            );
            summary.insert(
                name.into(),
                json!({
                    "passages": m.passages, "duty_events": m.events, "staff": m.staff,
                    "hours": m.hours, "runs": RUNS,
                    "report_median_ms": report, "report_p95_ms": worst,
                    "read_median_ms": read, "ratio_report_vs_read": report / read,
                    "goal_ms": GOAL_MS,
                }),
            );
            assert!(worst < GOAL_MS * 4.0, "{name}: p95 {worst:.1} ms is far over the goal");
        }
        run::write_summary(&out, "duty", summary);
    });
}
