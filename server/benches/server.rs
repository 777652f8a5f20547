//! `cargo xtask bench server`: batch ingest over loopback HTTP on SQLite and PostgreSQL against a raw
//! binary PostgreSQL COPY of the same rows (as many streams as ingest devices, encoded before the
//! clock), one device alone (the single-stream ceiling), and 1,000 simulated devices' batch
//! latency (all at once, and paced) with an exact count check.
//!
//! Reads `CHECKPOINT_TEST_PG_URL` (a PostgreSQL server where it may create databases) and writes
//! `$CHECKPOINT_BENCH_DIR/server.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: any failure should stop it loudly

#[path = "support/copy_peer.rs"]
mod copy_peer;
#[path = "support/pg.rs"]
mod pg;

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use district_server::auth::hash_token;
use district_server::store::{Checkpoint, Store};
use district_server::{app, setup, AppState, Config};
use flate2::write::GzEncoder;
use pg::fresh_pg;
use serde_json::json;
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::{BatchRequest, BatchResponse, RecordStatus};
use sync_core::{Passage, PassageBody};
use uuid::Uuid;

const INGEST_DEVICES: usize = 10;
const INGEST_TOTAL: usize = 100_000;
const INGEST_BATCH: usize = 500;
const FLEET_DEVICES: usize = 1_000;
const FLEET_BATCHES: usize = 10;
const FLEET_BATCH: usize = 100;

fn chain(device_id: &str, n: usize, start: DateTime<Utc>) -> Vec<Passage> {
    let mut prev = GENESIS_HASH.to_owned();
    (1..=n as u64)
        .map(|seq| {
            let mut new = sample_passage(seq, start);
            new.checkpoint_id = "cp-east".into();
            let p = Passage::seal(PassageBody::new(Uuid::now_v7(), device_id, seq, new), &prev);
            prev.clone_from(&p.hash);
            p
        })
        .collect()
}

fn gzip_batch(device_id: &str, passages: &[Passage]) -> Vec<u8> {
    let json = serde_json::to_vec(&BatchRequest::of_passages(device_id, passages, 0)).unwrap();
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&json).unwrap();
    gz.finish().unwrap()
}

/// A started server on a loopback port, with `n` enrolled devices; returns the state, base URL and tokens.
async fn server(url: &str, n: usize) -> (AppState, String, Vec<String>) {
    let config = Config {
        db: url.into(),
        max_batch_records: 1000,
        max_batch_bytes: 16 << 20,
        // The fleet's closing counts scan a million rows on a busy machine: not the measure.
        db_statement_timeout_secs: 300,
        ..Config::default()
    };
    let (state, _) = setup::start(config).await.unwrap();
    state.store.upsert_compound("c1", "bench").await.unwrap();
    let cp = Checkpoint {
        id: "cp-east".into(),
        compound_id: "c1".into(),
        name: "东门".into(),
        gates: vec!["east-1".into()],
    };
    state.store.upsert_checkpoint(&cp, 0).await.unwrap();
    let now = Utc::now().timestamp_millis();
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let code = format!("BENCH{i}");
        state
            .store
            .create_enroll_code(&hash_token(&code), "cp-east", "bench", now, now + 3_600_000)
            .await
            .unwrap();
        let token = format!("bench-token-{i}");
        state
            .store
            .enroll(
                &hash_token(&code),
                &format!("dev-{i}"),
                "bench",
                &hash_token(&token),
                now,
            )
            .await
            .unwrap()
            .checkpoint()
            .unwrap();
        tokens.push(token);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (state, format!("http://{addr}"), tokens)
}

async fn post(client: &reqwest::Client, base: &str, token: &str, body: Vec<u8>) -> BatchResponse {
    let resp = client
        .post(format!("{base}/api/v2/entries"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

/// The chains' passages from their devices in batches of 500, all devices at once; records per
/// second (100k from 10 devices, or one device's 10k for the single-stream ceiling).
async fn ingest(url: &str, chains: &[Vec<Passage>]) -> f64 {
    let total: usize = chains.iter().map(Vec::len).sum();
    let (state, base, tokens) = server(url, chains.len()).await;
    let bodies: Vec<Vec<Vec<u8>>> = chains
        .iter()
        .enumerate()
        .map(|(d, c)| {
            c.chunks(INGEST_BATCH)
                .map(|b| gzip_batch(&format!("dev-{d}"), b))
                .collect()
        })
        .collect();
    let client = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(120))
        .build()
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = bodies
        .into_iter()
        .zip(tokens)
        .map(|(batches, token)| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                for body in batches {
                    let resp = post(&client, &base, &token, body).await;
                    assert!(resp
                        .results
                        .iter()
                        .all(|r| r.status == RecordStatus::Accepted));
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(state.store.passage_count(None).await.unwrap(), total as i64);
    total as f64 / secs
}

struct Fleet {
    /// Records per second over the whole timed part (all devices sending at once).
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    lost: i64,
    duplicates: i64,
}

/// 1,000 devices, each sending 10 batches of 100 in order; latency per batch and a count check.
/// With `pace: None` every device sends its next batch the moment the last is answered (a whole
/// district coming back online at once). With `Some(p)` each device sends one batch every `p`, starting
/// at a spread-out offset (gates in steady operation).
async fn fleet(url: &str, pace: Option<StdDuration>) -> Fleet {
    let (state, base, tokens) = server(url, FLEET_DEVICES).await;
    let client = reqwest::Client::builder()
        .timeout(StdDuration::from_secs(120))
        .pool_max_idle_per_host(FLEET_DEVICES)
        .build()
        .unwrap();
    // Every batch is sealed and compressed before the clock starts: only the HTTP round trips are timed.
    let start = Utc::now() - Duration::hours(1);
    let bodies: Vec<Vec<Vec<u8>>> = (0..FLEET_DEVICES)
        .map(|d| {
            let device = format!("dev-{d}");
            chain(&device, FLEET_BATCHES * FLEET_BATCH, start)
                .chunks(FLEET_BATCH)
                .map(|b| gzip_batch(&device, b))
                .collect()
        })
        .collect();
    eprintln!("bench server: fleet sending (timed from here)");
    let clock = Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .zip(bodies)
        .enumerate()
        .map(|(d, (token, batches))| {
            let (client, base) = (client.clone(), base.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(FLEET_BATCHES);
                // A fixed spread of start offsets over one period (device d starts at d/N of it).
                let offset = pace.map(|p| p.mul_f64(d as f64 / FLEET_DEVICES as f64));
                for (i, body) in batches.into_iter().enumerate() {
                    if let (Some(p), Some(offset)) = (pace, offset) {
                        let due = clock + offset + p * i as u32;
                        tokio::time::sleep_until(due.into()).await;
                    }
                    let t = Instant::now();
                    let resp = post(&client, &base, &token, body).await;
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    assert!(resp
                        .results
                        .iter()
                        .all(|r| r.status == RecordStatus::Accepted));
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::with_capacity(FLEET_DEVICES * FLEET_BATCHES);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let wall = clock.elapsed().as_secs_f64();
    eprintln!("bench server: fleet done in {wall:.1} s");
    all.sort_by(f64::total_cmp);
    let pct = |q: f64| all[((all.len() as f64 - 1.0) * q).round() as usize];
    let expected = (FLEET_DEVICES * FLEET_BATCHES * FLEET_BATCH) as i64;
    // The counts below check the run, after the clock: fresh statistics first, or PostgreSQL may
    // plan them for the empty table it last analysed (one ran for minutes).
    if url.starts_with("postgres") {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.batch_execute("ANALYZE passages").await.unwrap();
    }
    let count = |sql: &'static str| {
        let store = state.store.clone();
        async move { store_count(&store, sql).await }
    };
    // The schema's unique keys (the record id, and (device, seq)) rule out a record stored twice,
    // so the check needs no DISTINCT over a million rows (a spilling hash aggregate that took
    // minutes): the rows are counted, and each device's seqs must run without a gap (a device
    // with a gap counts as at least one lost record).
    let rows = count("SELECT COUNT(*) FROM passages").await;
    let gapped = count(
        "SELECT COUNT(*) FROM (SELECT device_id FROM passages GROUP BY device_id
             HAVING COUNT(*) <> MAX(seq) - MIN(seq) + 1) g",
    )
    .await;
    Fleet {
        rps: expected as f64 / wall,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        lost: (expected - rows).max(0) + gapped,
        duplicates: (rows - expected).max(0),
    }
}

async fn store_count(store: &Store, sql: &str) -> i64 {
    store.count_query(sql).await.unwrap()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let out = std::env::var("CHECKPOINT_BENCH_DIR").unwrap_or_else(|_| "target/bench".into());
        std::fs::create_dir_all(&out).unwrap();
        let pg = std::env::var("CHECKPOINT_TEST_PG_URL").ok();
        if pg.is_none() {
            eprintln!("!!!!!!!!!! CHECKPOINT_TEST_PG_URL is not set: PostgreSQL parts are skipped; run `cargo xtask bench server`");
        }
        let start = Utc::now() - Duration::hours(3);
        let chains: Vec<Vec<Passage>> = (0..INGEST_DEVICES)
            .map(|d| chain(&format!("dev-{d}"), INGEST_TOTAL / INGEST_DEVICES, start))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let sqlite_url = format!("sqlite:{}", dir.path().join("bench.db").display());
        eprintln!("bench server: ingest on SQLite ({INGEST_TOTAL} passages, {INGEST_DEVICES} devices, batches of {INGEST_BATCH})");
        let sqlite_rps = ingest(&sqlite_url, &chains).await;
        let (mut pg_rps, mut copy_rps) = (None, None);
        if let Some(base) = &pg {
            eprintln!("bench server: ingest on PostgreSQL");
            pg_rps = Some(ingest(&fresh_pg(base).await, &chains).await);
            eprintln!("bench server: raw COPY peer on PostgreSQL");
            copy_rps = Some(copy_peer::copy(&fresh_pg(base).await, &chains).await);
            eprintln!("bench server: ingest SQLite {sqlite_rps:.0}/s, PostgreSQL {pg_rps:?}/s, COPY {copy_rps:?}/s");
        }
        // One device alone: the ceiling of a single stream, for the fleet's ratio.
        let single_url = match &pg {
            Some(base) => fresh_pg(base).await,
            None => format!("sqlite:{}", dir.path().join("single.db").display()),
        };
        let single_rps = ingest(&single_url, &chains[..1]).await;
        eprintln!("bench server: one device alone {single_rps:.0}/s");
        // `CHECKPOINT_BENCH_INGEST_RUNS=N`: only the ingest measures, N more times each, medians.
        if let Some(runs) = std::env::var("CHECKPOINT_BENCH_INGEST_RUNS").ok().and_then(|v| v.parse::<usize>().ok()) {
            let median = |mut v: Vec<f64>| { v.sort_by(f64::total_cmp); v[v.len() / 2] };
            let (mut s, mut p, mut c) = (vec![sqlite_rps], pg_rps.into_iter().collect::<Vec<_>>(), copy_rps.into_iter().collect::<Vec<_>>());
            for i in 0..runs {
                let url = format!("sqlite:{}", dir.path().join(format!("bench-{i}.db")).display());
                s.push(ingest(&url, &chains).await);
                if let Some(base) = &pg {
                    p.push(ingest(&fresh_pg(base).await, &chains).await);
                    c.push(copy_peer::copy(&fresh_pg(base).await, &chains).await);
                }
            }
            let ratios: Vec<f64> = p.iter().zip(&c).map(|(a, b)| a / b).collect();
            println!("ingest medians of {} runs: SQLite {:.0}/s {s:.0?}; PostgreSQL {:?}/s {p:.0?}; COPY {:?}/s {c:.0?}; PG/COPY per run {ratios:.2?}",
                runs + 1, median(s.clone()), (!p.is_empty()).then(|| median(p.clone())), (!c.is_empty()).then(|| median(c.clone())));
            return;
        }
        let fleet_url = match &pg {
            Some(base) => fresh_pg(base).await,
            None => format!("sqlite:{}", dir.path().join("fleet.db").display()),
        };
        let fleet_backend = if pg.is_some() { "postgres" } else { "sqlite" };
        eprintln!("bench server: {FLEET_DEVICES} devices x {FLEET_BATCHES} batches of {FLEET_BATCH} on {fleet_backend}");
        let f = fleet(&fleet_url, None).await;
        let pace = StdDuration::from_secs(5);
        let paced_url = match &pg {
            Some(base) => fresh_pg(base).await,
            None => format!("sqlite:{}", dir.path().join("fleet-paced.db").display()),
        };
        eprintln!("bench server: the same fleet paced, one batch per device every {pace:?}");
        let paced = fleet(&paced_url, Some(pace)).await;
        let ratio = pg_rps.zip(copy_rps).map(|(a, b)| a / b);
        let fmt = |v: Option<f64>| v.map_or("skipped".to_owned(), |v| format!("{v:.0}"));
        println!("\n| measure | value | peer (same run) | ratio | goal |");
        println!("|---|---|---|---|---|");
        println!("| ingest SQLite, records/s | {sqlite_rps:.0} | — | — | — |");
        println!("| ingest PostgreSQL, records/s ({INGEST_DEVICES} devices) | {} | binary COPY, {INGEST_DEVICES} streams {} | {} | ≥ 0.90 |", fmt(pg_rps), fmt(copy_rps), ratio.map_or("—".into(), |r| format!("{r:.2}")));
        println!("| {FLEET_DEVICES} devices ({fleet_backend}) batch p50, ms | {:.1} | — | — | — |", f.p50_ms);
        println!("| {FLEET_DEVICES} devices ({fleet_backend}) batch p99, ms | {:.1} | — | — | < 1000 |", f.p99_ms);
        // Every device sends its next batch as soon as the last is answered, so about FLEET_DEVICES
        // batches wait at any time: by Little's law the mean latency is FLEET_DEVICES / (batches per s).
        let batches_per_s = f.rps / FLEET_BATCH as f64;
        println!("| {FLEET_DEVICES} devices ({fleet_backend}) records/s (all at once) | {:.0} | — | — | ≥ {} for p99 < 1 s |", f.rps, FLEET_DEVICES * FLEET_BATCH);
        println!("| queueing floor: devices ÷ batches/s, ms | {:.0} | — | — | — |", FLEET_DEVICES as f64 / batches_per_s * 1000.0);
        println!("| same fleet paced (a batch per device every 5 s, {:.0} records/s offered) p50 / p99, ms | {:.1} / {:.1} | — | — | p99 < 1000 |", (FLEET_DEVICES * FLEET_BATCH) as f64 / pace.as_secs_f64(), paced.p50_ms, paced.p99_ms);
        println!("| {FLEET_DEVICES} devices' records/s ÷ one device alone ({single_rps:.0}/s) | {:.2} | — | — | — |", f.rps / single_rps);
        println!("| lost / duplicates | {} / {} | — | — | 0 / 0 |", f.lost + paced.lost, f.duplicates + paced.duplicates);
        let summary = json!({
            "ingest_sqlite_rps": sqlite_rps,
            "ingest_pg_rps": pg_rps,
            "copy_pg_rps": copy_rps,
            "copy_pg_streams": INGEST_DEVICES,
            "copy_pg_format": "binary, encoded before the clock",
            "ratio_pg_vs_copy": ratio,
            "single_stream_rps": single_rps,
            "fleet_to_ceiling": f.rps / single_rps,
            "devices": FLEET_DEVICES,
            "fleet_backend": fleet_backend,
            "fleet_rps": f.rps,
            "p50_batch_ms": f.p50_ms,
            "p99_batch_ms": f.p99_ms,
            "p99_batch_ms_burst": f.p99_ms,
            "p50_batch_ms_paced": paced.p50_ms,
            "p99_batch_ms_paced": paced.p99_ms,
            "paced_every_s": pace.as_secs_f64(),
            "lost": f.lost + paced.lost,
            "duplicates": f.duplicates + paced.duplicates,
        });
        let path = std::path::Path::new(&out).join("server.json");
        std::fs::write(&path, serde_json::to_string_pretty(&summary).unwrap()).unwrap();
        println!("\nwrote {}", path.display());
        assert_eq!((f.lost, f.duplicates), (0, 0), "records lost or duplicated");
        assert_eq!((paced.lost, paced.duplicates), (0, 0), "records lost or duplicated (paced)");
    });
}
