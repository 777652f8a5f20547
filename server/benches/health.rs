//! `cargo xtask bench server` (health part): residents' daily health check-ins in a large compound.
//! 2,100 residents in 700 households (3 each) check in every day for 7 days through the real upload
//! path (`Store::save_checkins`: the checks, the version, the roster stamp), one household's three
//! declarations per upload, as their phones send them; then a day's counts per household
//! (`checkins_by_household`, what `/admin/health` and the daily report read) several times, on
//! SQLite and PostgreSQL. The peers, measured in the same run: for the upload, the same
//! declarations written as bare inserts (one transaction per upload, no checks); for the counts,
//! reading the day's rows the counts read, without counting them.
//!
//! Reads `CHECKPOINT_TEST_PG_URL` (optional) and writes `$CHECKPOINT_BENCH_DIR/health.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: any failure should stop it loudly

#[path = "support/pg.rs"]
mod pg;
#[path = "support/run.rs"]
mod run;
#[path = "support/stats.rs"]
mod stats;

use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use district_server::auth::hash_token;
use district_server::passes::{import_residents, ImportRow};
use district_server::store::{CheckinContext, HouseholdLink, Store};
use district_server::{setup, Config};
use serde_json::json;
use stats::{median, p95};
use sync_core::health::{Checkin, Symptom};
use sync_core::validate::IdNumber;

const HOUSEHOLDS: usize = 700;
const PER_HOUSEHOLD: usize = 3;
const DAYS: i64 = 7;
const RUNS: usize = 5;
const OFFSET: i32 = 480;
/// A day's counts for the compound, per household.
const GOAL_COUNTS_MS: f64 = 500.0;
/// One household's upload of three declarations.
const GOAL_UPLOAD_MS: f64 = 100.0;

fn household(h: usize) -> String {
    format!("{}-{}-{}", 1 + h / 100, 1 + (h / 10) % 10, 101 + h % 10)
}

fn residents() -> Vec<ImportRow> {
    (0..HOUSEHOLDS * PER_HOUSEHOLD)
        .map(|i| {
            let first17 = format!(
                "1101051990{:04}{:03}",
                101 + (i / 900) % 12 * 100 + 1,
                i % 900 + 100
            );
            let check = IdNumber::check_char(&first17).unwrap_or('0');
            ImportRow {
                name: format!("居民{i}"),
                id_number: format!("{first17}{check}"),
                phone: format!("138{:08}", i),
                household: household(i / PER_HOUSEHOLD),
                plates: vec![],
            }
        })
        .collect()
}

fn checkin(pass_id: &str, day: NaiveDate, n: usize) -> Checkin {
    let flagged = n.is_multiple_of(97);
    Checkin {
        id: uuid::Uuid::now_v7().to_string(),
        pass_id: pass_id.to_owned(),
        day,
        temperature_c: if flagged { 37.9 } else { 36.5 },
        symptoms: if flagged {
            vec![Symptom::Cough]
        } else {
            vec![]
        },
        left_city_to: None,
        declared_at: Utc::now(),
    }
}

/// The peer's write: the same declarations as bare inserts, one transaction per upload.
async fn bare_insert(store: &Store, batch: &[Checkin], link: &HouseholdLink) {
    let mut tx = store.begin().await.unwrap();
    for c in batch {
        tx.execute(
            "INSERT INTO peer_checkins (id, compound_id, household, pass_id, day, temperature_c,
             symptoms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                c.id.as_str().into(),
                link.compound_id.as_str().into(),
                link.household.as_str().into(),
                c.pass_id.as_str().into(),
                c.day.to_string().into(),
                f64::from(c.temperature_c).into(),
                c.symptom_words().into(),
            ],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

struct Measured {
    upload_ms: Vec<f64>,
    peer_upload_ms: Vec<f64>,
    counts_ms: Vec<f64>,
    read_ms: Vec<f64>,
    stored: i64,
    checked_in: i64,
    flagged: i64,
}

/// A household's link (made here) and its members' pass ids.
async fn households(store: &Store) -> Vec<(HouseholdLink, Vec<String>)> {
    let passes = store.passes().await.unwrap();
    let mut out = Vec::new();
    for h in 0..HOUSEHOLDS {
        let name = household(h);
        let token = hash_token(&format!("bench-{h}"));
        store
            .new_household_link("c1", &name, &token, "bench", 0)
            .await
            .unwrap();
        let link = store.household_link(&token).await.unwrap().unwrap();
        let members = passes
            .iter()
            .filter(|p| p.household == name)
            .map(|p| p.pass_id.clone())
            .collect();
        out.push((link, members));
    }
    out
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
    store.upsert_compound("c1", "bench").await.unwrap();
    import_residents(store, &state.signer, "c1", &residents(), now, "bench")
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.execute(
        "CREATE TABLE peer_checkins (id TEXT PRIMARY KEY, compound_id TEXT NOT NULL,
         household TEXT NOT NULL, pass_id TEXT NOT NULL, day TEXT NOT NULL,
         temperature_c DOUBLE PRECISION NOT NULL, symptoms TEXT NOT NULL)",
        vec![],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let links = households(store).await;
    let today = sync_core::health::district_day(now, OFFSET);
    let (mut upload_ms, mut peer_upload_ms) = (Vec::new(), Vec::new());
    let mut n = 0;
    for d in (0..DAYS).rev() {
        let day = today - Duration::days(d);
        for (link, members) in &links {
            let batch: Vec<Checkin> = members
                .iter()
                .map(|p| {
                    n += 1;
                    checkin(p, day, n)
                })
                .collect();
            let ctx = CheckinContext {
                link,
                phone_id: "bench-phone",
                today,
                fever_threshold_c: 37.3,
                now_ms: now.timestamp_millis(),
            };
            let t = Instant::now();
            let receipt = store.save_checkins(ctx, &batch).await.unwrap();
            upload_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(receipt.stored.len(), batch.len(), "{receipt:?}");
            let t = Instant::now();
            bare_insert(store, &batch, link).await;
            peer_upload_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let stored = store
        .count_query("SELECT COUNT(*) FROM health_checkins")
        .await
        .unwrap();
    let (mut counts_ms, mut read_ms) = (Vec::new(), Vec::new());
    let (mut checked_in, mut flagged) = (0, 0);
    let at_ms = now.timestamp_millis();
    for _ in 0..RUNS {
        let t = Instant::now();
        let rows: Vec<(String, i64)> = read_day(store, today).await;
        std::hint::black_box(rows);
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let by_household = store
            .checkins_by_household("c1", today, at_ms)
            .await
            .unwrap();
        counts_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        checked_in = by_household.values().map(|c| c.checked_in).sum();
        flagged = by_household.values().map(|c| c.flagged).sum();
    }
    Measured {
        upload_ms,
        peer_upload_ms,
        counts_ms,
        read_ms,
        stored,
        checked_in,
        flagged,
    }
}

/// The peer's read: the day's declarations of the compound, as stored.
async fn read_day(store: &Store, day: NaiveDate) -> Vec<(String, i64)> {
    let mut tx = store.begin().await.unwrap();
    let rows = tx
        .query_as(
            "SELECT household, flagged FROM health_checkins WHERE compound_id = $1 AND day = $2",
            vec!["c1".into(), day.to_string().into()],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    rows
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let out = run::out_dir();
        let dir = tempfile::tempdir().unwrap();
        let backends = run::backends(dir.path(), "health.db").await;
        let mut summary = serde_json::Map::new();
        println!("\n| health check-ins, {HOUSEHOLDS} households × {PER_HOUSEHOLD} residents × {DAYS} days | upload of 3, median ms (p95) | peer: bare inserts, median ms | ratio | day's counts per household, median ms (p95) | peer: read the rows, median ms | ratio | goals |");
        println!("|---|---|---|---|---|---|---|---|");
        for (name, url) in backends {
            let m = measure(&url).await;
            let (up, peer_up) = (median(m.upload_ms.clone()), median(m.peer_upload_ms.clone()));
            let (counts, read) = (median(m.counts_ms.clone()), median(m.read_ms.clone()));
            let (up95, counts95) = (p95(m.upload_ms.clone()), p95(m.counts_ms.clone()));
            println!(
                "| {name} ({} stored; today {} checked in, {} flagged; {RUNS} runs of the counts) | {up:.2} ({up95:.2}) | {peer_up:.2} | {:.2} | {counts:.1} ({counts95:.1}) | {read:.1} | {:.2} | upload < {GOAL_UPLOAD_MS} ms, counts < {GOAL_COUNTS_MS} ms |",
                m.stored, m.checked_in, m.flagged, up / peer_up, counts / read
            );
            summary.insert(
                name.into(),
                json!({
                    "households": HOUSEHOLDS, "residents": HOUSEHOLDS * PER_HOUSEHOLD, "days": DAYS,
                    "stored": m.stored, "checked_in_today": m.checked_in, "flagged_today": m.flagged,
                    "upload_median_ms": up, "upload_p95_ms": up95,
                    "peer_upload_median_ms": peer_up, "ratio_upload_vs_bare": up / peer_up,
                    "counts_median_ms": counts, "counts_p95_ms": counts95, "runs": RUNS,
                    "read_median_ms": read, "ratio_counts_vs_read": counts / read,
                    "goal_upload_ms": GOAL_UPLOAD_MS, "goal_counts_ms": GOAL_COUNTS_MS,
                }),
            );
            assert_eq!(m.checked_in, (HOUSEHOLDS * PER_HOUSEHOLD) as i64);
            assert!(counts95 < GOAL_COUNTS_MS * 4.0, "{name}: counts p95 {counts95:.1} ms is far over the goal");
        }
        run::write_summary(&out, "health", summary);
    });
}
