//! PostgreSQL that survives losing its primary: a primary and a synchronous hot standby
//! (`pg_basebackup`, Debian's PostgreSQL), the server pointed at both hosts with
//! `target_session_attrs=read-write`.
//! - Failover: devices upload; the primary is SIGKILLed mid-upload and the standby promoted; every
//!   entry a device saw acknowledged is on the promoted server, nothing twice, and the devices
//!   finish their backlog by themselves.
//! - A standby that falls behind (frozen with SIGSTOP) or goes away (stopped): ingest waits for
//!   it, answers 503 with `Retry-After` after the configured commit wait, and once the standby is
//!   back the device's resends settle everything exactly once.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use checkpoint_tests::device::Device;
use checkpoint_tests::exactly_once::{connect_postgres, stored_in_postgres, StoredEntry};
use checkpoint_tests::pg_pair::PgPair;
use checkpoint_tests::server_proc::{another_enrollment_code, enrollment_code, ServerProc};
use sync_core::sync::SyncEngine;

const DATABASE: &str = "district";

/// The pair, or `None` (loudly) when PostgreSQL is not installed and not required.
fn pair() -> Option<PgPair> {
    match PgPair::start() {
        Ok(pair) => Some(pair),
        Err(e) if std::env::var_os("CHECKPOINT_REQUIRE_PG").is_none() => {
            eprintln!("\n!!!!!!!!!! SKIPPING the standby tests: {e:#}\n");
            None
        }
        Err(e) => panic!("cannot start PostgreSQL with a standby: {e:#}"),
    }
}

/// The pair with the district's database, a server on both hosts with short waits, and a
/// directory for the devices.
struct Setup {
    pair: PgPair,
    dir: tempfile::TempDir,
    url: String,
    server: ServerProc,
}

fn setup() -> Option<Setup> {
    let pair = pair()?;
    pair.psql(
        &pair.primary,
        "postgres",
        &format!("CREATE DATABASE {DATABASE}"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = pair.url(DATABASE);
    let config = short_waits(dir.path());
    let server =
        ServerProc::start_configured(&url, &dir.path().join("server.log"), Some(&config)).unwrap();
    Some(Setup {
        pair,
        dir,
        url,
        server,
    })
}

/// A config file with short waits, so a test sees the bounded answers in seconds.
fn short_waits(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("config.json");
    std::fs::write(
        &path,
        r#"{"db_commit_wait_secs": 2, "db_statement_timeout_secs": 4, "db_wait_timeout_secs": 3}"#,
    )
    .unwrap();
    path
}

async fn stored(url: &str, device_id: &str) -> Vec<StoredEntry> {
    let client = connect_postgres(url).await.unwrap();
    stored_in_postgres(&client, device_id).await.unwrap()
}

/// Step like the app's sync loop: on an error wait a little and try again, until nothing is
/// pending or `limit` has passed.
async fn sync_until_done(engine: &mut SyncEngine, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let ok = engine.step().await.is_ok();
        if ok && engine.status().pending == 0 {
            return Ok(());
        }
        if started.elapsed() > limit {
            anyhow::bail!(
                "still {} pending after {limit:?} (last error: {:?})",
                engine.status().pending,
                engine.status().last_error_en
            );
        }
        tokio::time::sleep(Duration::from_millis(if ok { 0 } else { 250 })).await;
    }
}

async fn enrolled_devices(
    db: &str,
    server: &ServerProc,
    dir: &Path,
    n: usize,
    each: u64,
) -> Vec<Device> {
    let mut devices = Vec::new();
    for i in 0..n {
        let code = if i == 0 {
            enrollment_code(db, "cp-standby").unwrap()
        } else {
            another_enrollment_code(db, "cp-standby").unwrap()
        };
        let d = Device::enrolled(&dir.join(format!("device-{i}.db")), &server.url(), &code)
            .await
            .unwrap();
        d.record(each).unwrap();
        devices.push(d);
    }
    devices
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_primary_dies_mid_upload_and_the_promoted_standby_holds_every_acknowledged_entry() {
    let Some(Setup {
        pair,
        dir,
        url,
        server,
    }) = setup()
    else {
        return;
    };
    const DEVICES: usize = 10;
    const EACH: u64 = 200;
    let devices = enrolled_devices(&url, &server, dir.path(), DEVICES, EACH).await;
    let all = (DEVICES as u64 * EACH) as i64;

    let mut tasks = Vec::new();
    for d in &devices {
        let mut engine = d.engine(&server.url(), 10, Duration::from_secs(5)).unwrap();
        tasks.push(tokio::spawn(async move {
            sync_until_done(&mut engine, Duration::from_secs(120)).await
        }));
    }
    // Kill the primary once a third is in, then promote the standby.
    let count = |pair: &PgPair| {
        pair.psql(&pair.primary, DATABASE, "SELECT COUNT(*) FROM passages")
            .ok()
            .and_then(|n| n.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    let mut at_kill = count(&pair);
    for _ in 0..3_000 {
        if at_kill >= all / 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        at_kill = count(&pair);
    }
    pair.kill_primary().unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    pair.promote().unwrap();
    eprintln!("primary killed with {at_kill} of {all} passages in; standby promoted");
    for t in tasks {
        t.await.unwrap().unwrap();
    }

    let promoted = pair.node_url(&pair.standby, DATABASE);
    let mut total = 0;
    for d in &devices {
        let rows = stored(&promoted, &d.device_id().unwrap()).await;
        total += d.check_stored(&rows).unwrap();
    }
    assert_eq!(total as i64, all);
    assert!(
        at_kill < all,
        "the primary died after the upload, not during it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_that_falls_behind_holds_ingest_then_503_and_nothing_is_lost() {
    let Some(Setup {
        pair,
        dir,
        url,
        server,
    }) = setup()
    else {
        return;
    };
    let devices = enrolled_devices(&url, &server, dir.path(), 1, 30).await;
    let device = &devices[0];
    let mut engine = device
        .engine(&server.url(), 10, Duration::from_secs(20))
        .unwrap();

    // The standby falls behind: frozen, it acknowledges nothing.
    pair.freeze_standby(true).unwrap();
    refused_in_bounded_time(&mut engine, device, 30).await;
    assert_server_up(&server).await;
    pair.freeze_standby(false).unwrap();
    sync_until_done(&mut engine, Duration::from_secs(60))
        .await
        .unwrap();

    // The standby goes away: stopped, then started again.
    device.record(20).unwrap();
    pair.stop_standby().unwrap();
    refused_in_bounded_time(&mut engine, device, 20).await;
    assert_server_up(&server).await;
    pair.start_standby().unwrap();
    pair.wait_synchronous(Duration::from_secs(30)).unwrap();
    sync_until_done(&mut engine, Duration::from_secs(60))
        .await
        .unwrap();
    let rows = stored(
        &pair.node_url(&pair.primary, DATABASE),
        &device.device_id().unwrap(),
    )
    .await;
    assert_eq!(device.check_stored(&rows).unwrap(), 50);
}

/// An upload round while the standby cannot confirm: 503 after the 2 s commit wait (not at once,
/// not never), and the device still holds its `pending` entries as unacknowledged.
async fn refused_in_bounded_time(engine: &mut SyncEngine, device: &Device, pending: u64) {
    let started = Instant::now();
    let refused = engine
        .step()
        .await
        .expect_err("a batch acknowledged on one disk only");
    let waited = started.elapsed();
    assert!(refused.to_string().contains("503"), "{refused}");
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
    assert_eq!(
        device.pending().unwrap(),
        pending,
        "nothing is acknowledged"
    );
}

async fn assert_server_up(server: &ServerProc) {
    let answer = reqwest::get(format!("{}/health", server.url()))
        .await
        .unwrap();
    assert!(answer.status().is_success(), "the server itself stays up");
}
