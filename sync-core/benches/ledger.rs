//! `cargo xtask bench ledger`: durable passage writes against raw write+fsync of the same bytes (same run),
//! today's counts on a 100k-passage ledger, and bytes per passage. Writes `target/bench/ledger.json`.

use std::fs::OpenOptions;
use std::io::Write;
use std::time::Instant;

use chrono::{Duration, Utc};
use sync_core::fixtures::sample_passage;
use sync_core::{Ledger, NewPassage};

const WRITES: usize = 1000;
const LARGE: usize = 100_000;

fn passage(i: usize, at: chrono::DateTime<Utc>) -> NewPassage {
    NewPassage {
        recorded_at: at,
        ..sample_passage(i as u64, at)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir =
        tempfile::tempdir_in(std::env::var("CHECKPOINT_BENCH_TMP").unwrap_or_else(|_| ".".into()))?;
    let now = Utc::now();

    // 1. Durable writes, interleaved with the peer so both see the same disk conditions.
    let mut ledger = Ledger::open(dir.path().join("writes.db"))?;
    let mut raw = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join("raw.log"))?;
    let mut ledger_ms = Vec::with_capacity(WRITES);
    let mut fsync_ms = Vec::with_capacity(WRITES);
    let mut body_bytes = 0usize;
    for i in 0..WRITES {
        let t = Instant::now();
        let p = ledger.append(passage(i, now))?;
        ledger_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let bytes = p.body.canonical_bytes();
        body_bytes += bytes.len();
        let t = Instant::now();
        raw.write_all(&bytes)?;
        raw.sync_all()?;
        fsync_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    ledger_ms.sort_by(f64::total_cmp);
    fsync_ms.sort_by(f64::total_cmp);
    let (w50, w99) = (percentile(&ledger_ms, 0.5), percentile(&ledger_ms, 0.99));
    let (f50, f99) = (percentile(&fsync_ms, 0.5), percentile(&fsync_ms, 0.99));

    // 2. A week at a busy gate: 100k passages over 7 days, then today's counts.
    let path = dir.path().join("large.db");
    let mut large = Ledger::open(&path)?;
    let start = now - Duration::days(7);
    let step_ms = Duration::days(7).num_milliseconds() / LARGE as i64;
    for chunk in (0..LARGE).collect::<Vec<_>>().chunks(5000) {
        let news = chunk
            .iter()
            .map(|&i| passage(i, start + Duration::milliseconds(step_ms * i as i64)))
            .collect();
        large.append_all(news)?;
    }
    let day_start = now - Duration::days(1);
    let mut query_ms = Vec::new();
    let mut counts = None;
    for _ in 0..50 {
        let t = Instant::now();
        counts = Some(large.day_counts(day_start, now)?);
        query_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    query_ms.sort_by(f64::total_cmp);
    let counts_ms = percentile(&query_ms, 0.5);
    let counted = counts.map(|c| c.total_in() + c.total_out()).unwrap_or(0);
    drop(large);
    let on_disk: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    let bytes_per_passage = on_disk as f64 / LARGE as f64;

    let ratio_p50 = w50 / f50;
    let ratio_p99 = w99 / f99;
    println!("ledger bench ({WRITES} durable writes; peer = write+fsync of the same bytes to a plain file, interleaved)");
    println!(
        "{:<34} {:>10} {:>10} {:>8}",
        "", "ledger", "raw fsync", "ratio"
    );
    println!(
        "{:<34} {:>10.3} {:>10.3} {:>8.2}",
        "write p50 (ms)", w50, f50, ratio_p50
    );
    println!(
        "{:<34} {:>10.3} {:>10.3} {:>8.2}  (goal <= 2)",
        "write p99 (ms)", w99, f99, ratio_p99
    );
    println!(
        "{:<34} {:>10.3}   ({counted} passages counted; goal < 10 ms)",
        "today's counts, 100k ledger (ms)", counts_ms
    );
    println!(
        "{:<34} {:>10.0}   (canonical body {:.0} B)",
        "bytes per passage on disk",
        bytes_per_passage,
        body_bytes as f64 / WRITES as f64
    );

    let json = format!(
        "{{\n  \"writes\": {WRITES},\n  \"write_p50_ms\": {w50:.4},\n  \"write_p99_ms\": {w99:.4},\n  \"fsync_p50_ms\": {f50:.4},\n  \"fsync_p99_ms\": {f99:.4},\n  \"ratio_p50\": {ratio_p50:.3},\n  \"ratio_p99\": {ratio_p99:.3},\n  \"counts_query_ms_100k\": {counts_ms:.4},\n  \"bytes_per_passage\": {bytes_per_passage:.1}\n}}\n"
    );
    let out = std::env::var("CHECKPOINT_BENCH_DIR").unwrap_or_else(|_| "target/bench".into());
    std::fs::create_dir_all(&out)?;
    let file = std::path::Path::new(&out).join("ledger.json");
    std::fs::write(&file, json)?;
    println!("wrote {}", file.display());
    Ok(())
}
