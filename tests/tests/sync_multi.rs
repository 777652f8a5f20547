//! Many devices at once through a flapping network: 50 simulated gates upload concurrently through a fault
//! proxy that keeps dropping and resetting connections; the server's totals come out exact.
//! (CI scale: 200 passages a device; `cargo xtask bench sync` runs 2,000 via `CHECKPOINT_SYNC_PER_DEVICE`.)

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use checkpoint_tests::device::{drain, drain_together, per_device, Device};
use checkpoint_tests::fault_proxy::{Fault, FaultProxy, Plan};
use checkpoint_tests::server_proc::{another_enrollment_code, enrollment_code, ServerProc};

const DEVICES: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_through_a_flapping_proxy_total_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("district.db");
    let db = format!("sqlite:{}", db_path.display());
    let server = ServerProc::start(&db, &dir.path().join("server.log")).unwrap();
    let per_device = per_device(200);
    let started = std::time::Instant::now();
    let mut devices = Vec::new();
    for i in 0..DEVICES {
        let code = if i == 0 {
            enrollment_code(&db, "cp-multi").unwrap()
        } else {
            another_enrollment_code(&db, "cp-multi").unwrap()
        };
        let d = Device::enrolled(
            &dir.path().join(format!("device-{i}.db")),
            &server.url(),
            &code,
        )
        .await
        .unwrap();
        d.record(per_device).unwrap();
        devices.push(d);
    }
    let proxy = FaultProxy::start(
        server.addr,
        Plan::Random {
            faults: vec![
                Fault::Reset,
                Fault::DropBeforeRequest,
                Fault::DropAfterCommit,
                Fault::TruncateResponse,
                Fault::Delay(Duration::from_millis(100)),
            ],
            pass: 0.6,
            seed: 0xF1A9,
        },
    )
    .await
    .unwrap();
    let url = proxy.url();
    let proxy = std::sync::Arc::new(proxy);
    // The network flaps: every 200 ms every open connection is cut, whatever it is doing.
    let flapper = proxy.flap_every(Duration::from_millis(200));
    let run = async {
        let mut engines = drain_together(&devices, &url, 50, 80).await.unwrap();
        // The network settles: whatever is left goes across now.
        flapper.abort();
        proxy.set_plan(Plan::Always(Fault::None));
        for engine in &mut engines {
            drain(engine, 3).await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .unwrap();
    let mut total = 0;
    for d in &devices {
        total += d.check(&db_path).unwrap();
    }
    assert_eq!(total as u64, DEVICES as u64 * per_device);
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let server_total: i64 = conn
        .query_row("SELECT COUNT(*) FROM passages", [], |r| r.get(0))
        .unwrap();
    assert_eq!(server_total as u64, DEVICES as u64 * per_device);
    let stats = proxy.stats();
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{DEVICES} devices x {per_device} passages exact after {:.1} s; {} connections, {} faults injected, {} cut by flaps",
        started.elapsed().as_secs_f64(),
        load(&stats.connections),
        load(&stats.faults),
        load(&stats.cuts),
    );
    assert!(load(&stats.cuts) > 0, "the network never flapped");
}
