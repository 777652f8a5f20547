//! The sync engine against a real district server on loopback HTTP through a fault proxy: for each
//! fault, and for random sequences of them, the server ends up holding exactly the device's journal,
//! passages and a second (test-only) kind on one chain. The server runs in this process, built with
//! sync-core's `fixtures`, so it knows the test-only kind.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

mod server_support;

use checkpoint_tests::device::{drain, Device};
use checkpoint_tests::fault_proxy::{Fault, FaultProxy, Plan};
use server_support::{enrolled_phone, serve_loopback, temp_sqlite, test_state};

/// An in-process server on a fresh SQLite file and a phone enrolled at it: the server's database
/// file, its loopback address, the phone, and the server task.
async fn server_and_phone() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    std::net::SocketAddr,
    Device,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let (dir, url) = temp_sqlite();
    let db_path = std::path::PathBuf::from(url.trim_start_matches("sqlite:"));
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let addr = base.trim_start_matches("http://").parse().unwrap();
    let device = Device {
        path: dir.path().join("gate.db"),
        ledger: enrolled_phone(&state, dir.path(), &base).await,
        token: String::new(),
    };
    (dir, db_path, addr, device, server)
}

const ALL_FAULTS: [Fault; 6] = [
    Fault::DropBeforeRequest,
    Fault::DropAfterCommit,
    Fault::Reset,
    Fault::Delay(Duration::from_millis(200)),
    Fault::TruncateResponse,
    Fault::Stall(Duration::from_millis(2500)),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_then_recovery_is_exactly_once() {
    let (_dir, db_path, addr, device, server) = server_and_phone().await;
    let proxy = FaultProxy::start(addr, Plan::Always(Fault::None))
        .await
        .unwrap();
    let mut engine = device
        .engine(&proxy.url(), 25, Duration::from_secs(2))
        .unwrap();

    let run = async {
        for (i, fault) in ALL_FAULTS.into_iter().enumerate() {
            device.record_mixed(60).unwrap();
            proxy.set_plan(Plan::Always(fault));
            let first = engine.step().await;
            if !matches!(fault, Fault::Delay(_)) {
                assert!(first.is_err(), "{fault:?} was not felt");
                assert!(
                    device.pending().unwrap() > 0,
                    "{fault:?}: data kept for resending"
                );
                assert!(engine.status().last_error_en.is_some());
            }
            // Half of the connections fail from now on; the engine must still get everything across.
            proxy.set_plan(Plan::Random {
                faults: vec![fault],
                pass: 0.5,
                seed: 17 + i as u64,
            });
            let _ = drain(&mut engine, 60).await;
            proxy.set_plan(Plan::Always(Fault::None));
            drain(&mut engine, 3).await.unwrap();
            let n = device.check(&db_path).unwrap();
            assert_eq!(n, 60 * (i + 1), "after {fault:?}");
        }
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .unwrap();
    assert!(
        proxy
            .stats()
            .faults
            .load(std::sync::atomic::Ordering::Relaxed)
            >= 6
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_fault_sequences_are_exactly_once() {
    let (_dir, db_path, addr, device, server) = server_and_phone().await;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("fault sequence seed {seed}");
    let proxy = FaultProxy::start(
        addr,
        Plan::Random {
            faults: ALL_FAULTS.to_vec(),
            pass: 0.4,
            seed,
        },
    )
    .await
    .unwrap();
    let mut engine = device
        .engine(&proxy.url(), 40, Duration::from_secs(2))
        .unwrap();
    let run = async {
        for _ in 0..4 {
            device.record_mixed(150).unwrap();
            let _ = drain(&mut engine, 40).await;
        }
        proxy.set_plan(Plan::Always(Fault::None));
        drain(&mut engine, 3).await.unwrap();
        assert_eq!(device.check(&db_path).unwrap(), 600);
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .unwrap();
    server.abort();
}
