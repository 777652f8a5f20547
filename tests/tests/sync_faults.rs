//! The sync engine against a real district-server process through a loopback fault proxy: for each fault,
//! and for random sequences of them, the server ends up holding exactly the device's passages.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use checkpoint_tests::device::{drain, Device};
use checkpoint_tests::fault_proxy::{Fault, FaultProxy, Plan};
use checkpoint_tests::server_proc::{enrollment_code, ServerProc};

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
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-faults").unwrap();
    let device = Device::enrolled(&dir.path().join("device.db"), &server.url(), &code)
        .await
        .unwrap();
    let proxy = FaultProxy::start(server.addr, Plan::Always(Fault::None))
        .await
        .unwrap();
    let mut engine = device
        .engine(&proxy.url(), 25, Duration::from_secs(2))
        .unwrap();

    let run = async {
        for (i, fault) in ALL_FAULTS.into_iter().enumerate() {
            device.record(60).unwrap();
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_fault_sequences_are_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let code = enrollment_code(&db, "cp-random").unwrap();
    let device = Device::enrolled(&dir.path().join("device.db"), &server.url(), &code)
        .await
        .unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("fault sequence seed {seed}");
    let proxy = FaultProxy::start(
        server.addr,
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
            device.record(150).unwrap();
            let _ = drain(&mut engine, 40).await;
        }
        proxy.set_plan(Plan::Always(Fault::None));
        drain(&mut engine, 3).await.unwrap();
        assert_eq!(device.check(&db_path).unwrap(), 600);
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .unwrap();
}
