//! The background runner moves the queue by itself: when the server comes back it uploads without waiting
//! for a new passage, a new passage is uploaded soon (debounced), and "sync now" works at once.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use checkpoint_tests::device::Device;
use checkpoint_tests::server_proc::{enrollment_code, ServerProc};
use sync_core::sync::{spawn, RunnerTimings, SyncHandle};

async fn wait_until(
    handle: &SyncHandle,
    limit: Duration,
    what: &str,
    f: impl Fn(&sync_core::sync::SyncStatus) -> bool,
) {
    let started = Instant::now();
    while started.elapsed() < limit {
        if f(&handle.status()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{what} did not happen within {limit:?}: {:?}",
        handle.status()
    );
}

/// Wait until the device's own ledger has nothing pending (the status is only as fresh as the last round).
async fn wait_for_ledger(device: &Device, what: &str) {
    let started = Instant::now();
    while device.pending().unwrap() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what} did not drain the ledger"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_moves_without_a_new_write() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let mut server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-triggers").unwrap();
    let device = Device::enrolled(&dir.path().join("device.db"), &server.url(), &code)
        .await
        .unwrap();
    // The network goes away; the gate keeps recording.
    server.kill();
    device.record(300).unwrap();
    let engine = device
        .engine(&server.url(), 100, Duration::from_secs(2))
        .unwrap();
    let handle = spawn(
        engine,
        RunnerTimings {
            debounce: Duration::from_millis(100),
            periodic: Duration::from_secs(60),
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_millis(800),
            ..RunnerTimings::default()
        },
    );
    // App start triggered a round; it failed, and the status says offline with the backlog.
    wait_until(&handle, Duration::from_secs(10), "offline status", |s| {
        !s.online && s.pending == 300 && s.last_error_en.is_some()
    })
    .await;
    // The server comes back. Nobody writes or presses anything: the probe finds it and the queue drains.
    server.restart().unwrap();
    wait_until(
        &handle,
        Duration::from_secs(15),
        "drain after reconnect",
        |s| s.online && s.pending == 0 && s.last_success_at.is_some(),
    )
    .await;
    assert_eq!(device.check(&db_path).unwrap(), 300);
    let status = handle.status();
    assert!(status.clock_offset_ms.is_some(), "server time was pulled");
    assert!(!status.clock_warning());

    // A new passage is uploaded soon after it is written (the periodic timer is a minute away).
    device.record(5).unwrap();
    handle.passage_added();
    wait_for_ledger(&device, "upload of a new passage").await;
    assert_eq!(device.check(&db_path).unwrap(), 305);

    // "Sync now" without a nudge.
    device.record(7).unwrap();
    handle.sync_now();
    wait_for_ledger(&device, "sync now").await;
    assert_eq!(device.check(&db_path).unwrap(), 312);
    handle.stop().await;
}

/// "Online" means the last contact succeeded: a failed round says offline with its error, and the
/// probe that reaches the server again clears the "cannot be reached" error it would contradict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_never_says_online_beside_cannot_be_reached() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("district.db").display());
    let mut server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-honest").unwrap();
    let device = Device::enrolled(&dir.path().join("device.db"), &server.url(), &code)
        .await
        .unwrap();
    let mut engine = device
        .engine(&server.url(), 100, Duration::from_secs(2))
        .unwrap();
    server.kill();
    device.record(3).unwrap();
    assert!(engine.step().await.is_err());
    let s = engine.status().clone();
    assert!(!s.online, "{s:?}");
    assert!(
        s.last_error_en
            .as_deref()
            .is_some_and(|e| e.contains("cannot be reached")),
        "{s:?}"
    );
    server.restart().unwrap();
    assert!(engine.probe().await, "the server is back");
    let s = engine.status().clone();
    assert!(
        s.online && s.last_error_en.is_none() && s.last_error_zh.is_none(),
        "{s:?}"
    );
    engine.step().await.unwrap();
    assert_eq!(engine.status().pending, 0);
}
