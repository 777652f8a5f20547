//! Crashes during sync: the district server SIGKILLed and restarted mid-upload, and the device process
//! SIGKILLed mid-sync at least 10 times. Afterwards the server holds exactly the device's passages.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use checkpoint_tests::device::{drain, Device};
use checkpoint_tests::server_proc::{enrollment_code, stored_for_device, ServerProc};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_upload_is_exactly_once() {
    // Each round's upload takes well over the 40–160 ms before the kill (about 4 passages/ms here).
    const PER_ROUND: u64 = 3000;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let mut server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-crash").unwrap();
    let device = Device::enrolled(&dir.path().join("device.db"), &server.url(), &code)
        .await
        .unwrap();
    let device_id = device.ledger.lock().unwrap().device_id().to_owned();
    let run = async {
        for round in 0..3u64 {
            device.record(PER_ROUND).unwrap();
            let mut engine = device
                .engine(&server.url(), 20, Duration::from_secs(3))
                .unwrap();
            let upload = tokio::spawn(async move {
                let r = engine.step().await;
                (engine, r)
            });
            // Kill the server while batches are in flight.
            tokio::time::sleep(Duration::from_millis(40 + 60 * round)).await;
            server.kill();
            let (mut engine, result) = upload.await.unwrap();
            let stored = stored_for_device(&db_path, &device_id).unwrap().len();
            eprintln!("round {round}: step {result:?}; server had {stored} when killed");
            assert!(result.is_err(), "the kill should interrupt the upload");
            server.restart().unwrap();
            drain(&mut engine, 10).await.unwrap();
            let n = device.check(&db_path).unwrap();
            assert_eq!(n as u64, PER_ROUND * (round + 1));
        }
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_killed_mid_sync_is_exactly_once() {
    const KILLS: usize = 12;
    // Large enough that the device cannot finish between 12 kills (it drains ~2,000 a second here).
    const BACKLOG: u64 = 16_000;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-device-crash").unwrap();
    let ledger_path = dir.path().join("device.db");
    let device = Device::enrolled(&ledger_path, &server.url(), &code)
        .await
        .unwrap();
    device.record(BACKLOG).unwrap();
    let device_id = device.ledger.lock().unwrap().device_id().to_owned();
    drop(device);

    let mut seed = 0x9E37_79B9_u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
    let started = Instant::now();
    let mut kills = 0;
    let mut progress = Vec::new();
    while kills < KILLS && started.elapsed() < Duration::from_secs(120) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sync-device-child"))
            .arg(&ledger_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(30 + seed % 120));
        if child.try_wait().unwrap().is_some() {
            break; // finished before we could kill it: everything is across
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        progress.push(stored_for_device(&db_path, &device_id).unwrap().len());
    }
    eprintln!("{kills} kills; server held {progress:?} after each");
    assert!(
        kills >= 10,
        "only {kills} kills before the upload finished; make the backlog larger"
    );

    // Restart the device one last time and let it finish.
    let status = Command::new(env!("CARGO_BIN_EXE_sync-device-child"))
        .arg(&ledger_path)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let device = sync_core::Ledger::open(&ledger_path).unwrap();
    assert_eq!(
        checkpoint_tests::exactly_once::check_exactly_once(&db_path, &device).unwrap() as u64,
        BACKLOG
    );
    drop(server);
}
