//! `cargo xtask bench server`, its last part: the fleet through the load balancer. 1,000 simulated
//! devices upload through HAProxy (the shipped `deploy/haproxy.cfg`) to two `district-server`
//! processes on one PostgreSQL, all at once and paced, against one device alone sent straight to
//! one instance in the same run (the single-stream ceiling). Every batch is sealed and
//! compressed before the clock starts. Exactly once is checked after the clock (rows and gaps
//! per device). Writes `$CHECKPOINT_BENCH_DIR/fleet_lb.json`.

#[path = "support/pg.rs"]
mod pg;

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use checkpoint_tests::balancer::Balancer;
use checkpoint_tests::server_proc::ServerProc;
use chrono::Utc;
use district_server::auth::hash_token;
use district_server::store::{Checkpoint, Store};
use flate2::write::GzEncoder;
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::{BatchRequest, BatchResponse, RecordStatus};
use sync_core::{Passage, PassageBody};
use uuid::Uuid;

const DEVICES: usize = 1_000;
/// The burst: every device's backlog of 5 batches of 100 at once (a fleet back from an outage).
const BATCHES: usize = 5;
const BATCH: usize = 100;
/// Paced: each device sends 20 records every 5 s, 10 times (4,000 records/s for the fleet, a
/// busy morning well below the ceiling), so its latency is the service time, not a queue.
const PACED_BATCHES: usize = 10;
const PACED_BATCH: usize = 20;
/// The single stream: one device's 10,000 records in batches of 500 (as the server bench's).
const SINGLE_RECORDS: usize = 10_000;
const SINGLE_BATCH: usize = 500;
const PACE: Duration = Duration::from_secs(5);

/// One device's batches, sealed and gzipped, with its bearer token.
struct Uploads {
    token: String,
    records: usize,
    bodies: Vec<Vec<u8>>,
}

fn sealed(device: &str, n: usize, per_batch: usize) -> anyhow::Result<Vec<Vec<u8>>> {
    // One second apart from four hours ago: 10,000 records end well before now.
    let start = Utc::now() - chrono::Duration::hours(4);
    let mut prev = GENESIS_HASH.to_owned();
    let chain: Vec<Passage> = (1..=n as u64)
        .map(|seq| {
            let p = Passage::seal(
                PassageBody::new(Uuid::now_v7(), device, seq, sample_passage(seq, start)),
                &prev,
            );
            prev.clone_from(&p.hash);
            p
        })
        .collect();
    chain
        .chunks(per_batch)
        .map(|b| {
            let json = serde_json::to_vec(&BatchRequest::of_passages(device, b, 0))?;
            let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(&json)?;
            Ok(gz.finish()?)
        })
        .collect()
}

/// Enroll `n` devices named `<prefix>-<i>` at `cp-east` straight in the store; their uploads.
async fn enroll(
    store: &Store,
    prefix: &str,
    n: usize,
    records: (usize, usize),
) -> anyhow::Result<Vec<Uploads>> {
    let now = Utc::now().timestamp_millis();
    let mut all = Vec::with_capacity(n);
    for i in 0..n {
        let (device, code, token) = (
            format!("{prefix}-{i}"),
            format!("CODE-{prefix}-{i}"),
            format!("token-{prefix}-{i}"),
        );
        store
            .create_enroll_code(&hash_token(&code), "cp-east", "bench", now, now + 3_600_000)
            .await?;
        store
            .enroll(
                &hash_token(&code),
                &device,
                "bench",
                &hash_token(&token),
                now,
            )
            .await?
            .checkpoint()
            .context("enrollment refused")?;
        all.push(Uploads {
            token,
            records: records.0,
            bodies: sealed(&device, records.0, records.1)?,
        });
    }
    Ok(all)
}

/// Every device's batches to `base`, one after another per device, all devices at once (or each
/// paced, starting at a spread offset): records per second and each batch's latency (ms).
async fn send(
    base: &str,
    devices: Vec<Uploads>,
    pace: Option<Duration>,
) -> anyhow::Result<(f64, Vec<f64>)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .pool_max_idle_per_host(devices.len())
        .build()?;
    let n = devices.len();
    let records: usize = devices.iter().map(|d| d.records).sum();
    let clock = Instant::now();
    let tasks: Vec<_> = devices
        .into_iter()
        .enumerate()
        .map(|(d, up)| {
            let (client, base) = (client.clone(), base.to_owned());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(up.bodies.len());
                let offset = pace.map(|p| p.mul_f64(d as f64 / n as f64));
                for (i, body) in up.bodies.into_iter().enumerate() {
                    if let (Some(p), Some(offset)) = (pace, offset) {
                        tokio::time::sleep_until((clock + offset + p * i as u32).into()).await;
                    }
                    let t = Instant::now();
                    let resp = client
                        .post(format!("{base}/api/v2/entries"))
                        .bearer_auth(&up.token)
                        .header("content-type", "application/json")
                        .header("content-encoding", "gzip")
                        .body(body)
                        .send()
                        .await?;
                    ensure!(resp.status() == 200, "batch answered {}", resp.status());
                    let answer: BatchResponse = resp.json().await?;
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    ensure!(
                        answer
                            .results
                            .iter()
                            .all(|r| r.status == RecordStatus::Accepted),
                        "a record was not accepted"
                    );
                }
                Ok::<_, anyhow::Error>(latencies)
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((records as f64 / clock.elapsed().as_secs_f64(), all))
}

fn pct(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// Rows stored for the devices named `<prefix>-…`, and how many of them have a gap in their seqs.
async fn stored(store: &Store, prefix: &str) -> anyhow::Result<(i64, i64)> {
    let rows = store
        .count_query(&format!(
            "SELECT COUNT(*) FROM passages WHERE device_id LIKE '{prefix}-%'"
        ))
        .await?;
    let gapped = store
        .count_query(&format!(
            "SELECT COUNT(*) FROM (SELECT device_id FROM passages WHERE device_id LIKE '{prefix}-%'
             GROUP BY device_id HAVING COUNT(*) <> MAX(seq) - MIN(seq) + 1) g"
        ))
        .await?;
    Ok((rows, gapped))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = std::env::var("CHECKPOINT_TEST_PG_URL")
        .context("CHECKPOINT_TEST_PG_URL is not set: run `cargo xtask bench server`")?;
    let url = pg::fresh_pg_database(&base, "bench_fleet").await?;
    let out = std::env::var("CHECKPOINT_BENCH_DIR").unwrap_or_else(|_| "target/bench".into());
    // The instances' and the balancer's logs stay beside the JSON, for a run that went wrong.
    let logs = Path::new(&out).join("fleet-logs");
    std::fs::create_dir_all(&logs)?;
    let store = Store::open(&url).await?;
    store.upsert_compound("c1", "bench").await?;
    let cp = Checkpoint {
        id: "cp-east".into(),
        compound_id: "c1".into(),
        name: "东门".into(),
        gates: vec!["east-1".into()],
    };
    store.upsert_checkpoint(&cp, 0).await?;
    eprintln!("bench fleet: enrolling 2 x {DEVICES} devices and one alone, sealing their batches");
    let burst = enroll(&store, "burst", DEVICES, (BATCHES * BATCH, BATCH)).await?;
    let paced = enroll(
        &store,
        "paced",
        DEVICES,
        (PACED_BATCHES * PACED_BATCH, PACED_BATCH),
    )
    .await?;
    let single = enroll(&store, "single", 1, (SINGLE_RECORDS, SINGLE_BATCH)).await?;

    let one = ServerProc::start(&url, &logs.join("instance1.log"))?;
    let two = ServerProc::start(&url, &logs.join("instance2.log"))?;
    let lb = Balancer::start([one.addr, two.addr], &logs.join("haproxy.log"))?;

    let (single_rps, _) = send(&one.url(), single, None).await?;
    eprintln!("bench fleet: one device alone, straight to one instance: {single_rps:.0} records/s");
    let (burst_rps, mut burst_ms) = send(&lb.url(), burst, None).await?;
    burst_ms.sort_by(f64::total_cmp);
    eprintln!("bench fleet: {DEVICES} devices at once through HAProxy: {burst_rps:.0} records/s");
    let (_, mut paced_ms) = send(&lb.url(), paced, Some(PACE)).await?;
    paced_ms.sort_by(f64::total_cmp);
    let shares = lb.instances()?;

    let mut lost = 0;
    let mut duplicates = 0;
    for (prefix, per_device) in [
        ("burst", BATCHES * BATCH),
        ("paced", PACED_BATCHES * PACED_BATCH),
    ] {
        let expected = (DEVICES * per_device) as i64;
        let (rows, gapped) = stored(&store, prefix).await?;
        lost += (expected - rows).max(0) + gapped;
        duplicates += (rows - expected).max(0);
    }
    println!("\n| measure (through HAProxy to 2 instances, PostgreSQL) | value |");
    println!("|---|---|");
    println!("| one device alone, straight to an instance, records/s | {single_rps:.0} |");
    println!("| {DEVICES} devices at once, records/s | {burst_rps:.0} |");
    println!(
        "| fleet ÷ one device alone | {:.2} |",
        burst_rps / single_rps
    );
    println!(
        "| burst batch p50 / p99, ms | {:.1} / {:.1} |",
        pct(&burst_ms, 0.5),
        pct(&burst_ms, 0.99)
    );
    println!(
        "| paced ({PACED_BATCH} records per device every {PACE:?}) p50 / p99, ms | {:.1} / {:.1} |",
        pct(&paced_ms, 0.5),
        pct(&paced_ms, 0.99)
    );
    println!(
        "| sessions per instance (HAProxy's count) | {} |",
        shares
            .iter()
            .map(|s| format!("{} {}", s.name, s.sessions))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!("| lost / duplicates | {lost} / {duplicates} |");
    let summary = serde_json::json!({
        "through": "haproxy (deploy/haproxy.cfg), 2 district-server processes, one PostgreSQL",
        "devices": DEVICES,
        "single_stream_rps": single_rps,
        "fleet_rps": burst_rps,
        "fleet_to_ceiling": burst_rps / single_rps,
        "p50_batch_ms_burst": pct(&burst_ms, 0.5),
        "p99_batch_ms_burst": pct(&burst_ms, 0.99),
        "p50_batch_ms_paced": pct(&paced_ms, 0.5),
        "p99_batch_ms_paced": pct(&paced_ms, 0.99),
        "burst_batches_of_100_per_device": BATCHES,
        "paced_every_s": PACE.as_secs_f64(),
        "paced_records_per_batch": PACED_BATCH,
        "sessions_per_instance": shares.iter().map(|s| s.sessions).collect::<Vec<_>>(),
        "lost": lost,
        "duplicates": duplicates,
    });
    let path = Path::new(&out).join("fleet_lb.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)?)?;
    println!("\nwrote {}", path.display());
    drop(lb);
    ensure!(
        (lost, duplicates) == (0, 0),
        "records lost ({lost}) or duplicated ({duplicates})"
    );
    Ok(())
}
