//! `cargo xtask bench sync`: a week's backlog (100k passages) drained to a fresh district server on SQLite
//! and on PostgreSQL, against the same records sent one HTTP POST per record (the OpenRosa/ODK way) in the
//! same run, plus bytes on the wire per passage, and photo upload throughput (200 KB photos over
//! loopback, against a bare HTTP server as the peer). Writes `target/bench/sync.json`.

#[path = "support/pg.rs"]
mod pg;
#[path = "support/photos.rs"]
mod photos;

use std::path::Path;
use std::time::{Duration, Instant};

use checkpoint_tests::device::{drain, Device};
use checkpoint_tests::server_proc::{enrollment_code, ServerProc};

struct Drain {
    seconds: f64,
    bytes: usize,
}

/// Fill a fresh device with `n` passages and time its drain to the server at `db`.
async fn drain_backlog(dir: &Path, db: &str, n: u64, batch: usize) -> anyhow::Result<Drain> {
    let server = ServerProc::start(db, &dir.join("server.log"))?;
    let code = enrollment_code(db, "cp-bench")?;
    let device = Device::enrolled(&dir.join("device.db"), &server.url(), &code).await?;
    for _ in 0..n / 10_000 {
        device.record(10_000)?;
    }
    device.record(n % 10_000)?;
    let mut engine = device.engine(&server.url(), batch, Duration::from_secs(60))?;
    let started = Instant::now();
    let drained = drain(&mut engine, 5).await?;
    let seconds = started.elapsed().as_secs_f64();
    anyhow::ensure!(device.pending()? == 0, "backlog not drained");
    if let Some(path) = db.strip_prefix("sqlite:") {
        let held = device.check(Path::new(path))?;
        anyhow::ensure!(held as u64 == n, "server holds {held}, expected {n}");
    }
    Ok(Drain {
        seconds,
        bytes: drained.bytes_sent,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let backlog: u64 = std::env::var("CHECKPOINT_SYNC_BACKLOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let peer_n: u64 = (backlog / 20).clamp(100, 5_000);

    let dir = tempfile::tempdir()?;
    let sqlite_dir = dir.path().join("sqlite");
    std::fs::create_dir_all(&sqlite_dir)?;
    let db = format!("sqlite:{}", sqlite_dir.join("district.db").display());
    let sqlite = drain_backlog(&sqlite_dir, &db, backlog, 500).await?;
    eprintln!("sqlite: {backlog} passages in {:.2} s", sqlite.seconds);

    let pg = match std::env::var("CHECKPOINT_TEST_PG_URL") {
        Ok(base) => {
            let url = pg::fresh_pg_database(&base, "bench_sync").await?;
            let pg_dir = dir.path().join("pg");
            std::fs::create_dir_all(&pg_dir)?;
            let d = drain_backlog(&pg_dir, &url, backlog, 500).await?;
            eprintln!("postgres: {backlog} passages in {:.2} s", d.seconds);
            Some(d)
        }
        Err(_) => {
            eprintln!("CHECKPOINT_TEST_PG_URL is not set: skipping the PostgreSQL drain (cargo xtask bench sync sets it)");
            None
        }
    };

    // Photos: through a fresh SQLite server (median of runs) and through bare HTTP.
    let photo_dir = dir.path().join("photos");
    std::fs::create_dir_all(&photo_dir)?;
    let photo_db = format!("sqlite:{}", photo_dir.join("district.db").display());
    let photo_server = ServerProc::start(&photo_db, &photo_dir.join("server.log"))?;
    let code = enrollment_code(&photo_db, "cp-photos")?;
    let photo_device =
        Device::enrolled(&photo_dir.join("device.db"), &photo_server.url(), &code).await?;
    let photos_per_s = photos::through_server(&photo_server.url(), &photo_device.token).await?;
    let bare_per_s = photos::through_bare_http().await?;
    drop(photo_server);

    // The peer: one POST per record, same records, same server kind (SQLite), measured on `peer_n`.
    let peer_dir = dir.path().join("peer");
    std::fs::create_dir_all(&peer_dir)?;
    let peer_db = format!("sqlite:{}", peer_dir.join("district.db").display());
    let peer = drain_backlog(&peer_dir, &peer_db, peer_n, 1).await?;
    let peer_per_record = peer.seconds / peer_n as f64;
    let peer_backlog_s = peer_per_record * backlog as f64;
    let speedup = peer_backlog_s / sqlite.seconds;
    let wire = sqlite.bytes as f64 / backlog as f64;

    println!("sync bench: backlog of {backlog} passages, batches of 500, gzip; peer = one POST per record");
    println!("{:<44} {:>12}", "", "value");
    println!(
        "{:<44} {:>12.2}   (goal <= 2 s on the faster machines of this kind)",
        "drain, SQLite server (s)", sqlite.seconds
    );
    match &pg {
        Some(d) => println!("{:<44} {:>12.2}", "drain, PostgreSQL server (s)", d.seconds),
        None => println!("{:<44} {:>12}", "drain, PostgreSQL server (s)", "skipped"),
    }
    println!(
        "{:<44} {:>12.2}   (measured on {peer_n} records: {:.2} ms each)",
        "one POST per record, same backlog (s)",
        peer_backlog_s,
        peer_per_record * 1e3
    );
    println!(
        "{:<44} {:>12.1}x  (goal >= 25x)",
        "speed-up of batching", speedup
    );
    println!(
        "{:<44} {:>12.1}   (one-per-record: {:.0})",
        "bytes on the wire per passage",
        wire,
        peer.bytes as f64 / peer_n as f64
    );

    println!(
        "{:<44} {:>12.1}   (bare HTTP PUT of the same bytes: {:.1}/s, ratio {:.2}; median of {} runs of {})",
        "photos of 200 KB uploaded per second",
        photos_per_s,
        bare_per_s,
        photos_per_s / bare_per_s,
        photos::RUNS,
        photos::PHOTOS_PER_RUN
    );

    let json = serde_json::json!({
        "photos_per_s": photos_per_s,
        "photos_per_s_bare_http": bare_per_s,
        "photos_ratio_to_bare_http": photos_per_s / bare_per_s,
        "photo_bytes": photos::PHOTO_BYTES,
        "backlog": backlog,
        "drain_s_sqlite": sqlite.seconds,
        "drain_s_pg": pg.as_ref().map(|d| d.seconds),
        "per_record_peer_s": peer_backlog_s,
        "per_record_peer_measured_n": peer_n,
        "speedup": speedup,
        "wire_bytes_per_passage": wire,
        "wire_bytes_per_passage_peer": peer.bytes as f64 / peer_n as f64,
    });
    let out = std::env::var("CHECKPOINT_BENCH_DIR").unwrap_or_else(|_| "target/bench".into());
    std::fs::create_dir_all(&out)?;
    let file = Path::new(&out).join("sync.json");
    std::fs::write(&file, serde_json::to_string_pretty(&json)?)?;
    println!("wrote {}", file.display());
    Ok(())
}
