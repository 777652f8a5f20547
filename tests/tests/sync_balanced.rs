//! Two `district-server` processes on one PostgreSQL behind HAProxy (the shipped
//! `deploy/haproxy.cfg`): 50 simulated gates upload through a flapping network to the balancer
//! while each instance in turn is SIGKILLed mid-upload and restarted; the server holds every
//! device's journal exactly once and every device ledger says all of it is acknowledged.
//! (CI scale: 100 passages a device; `CHECKPOINT_SYNC_PER_DEVICE` raises it.)

#![allow(clippy::unwrap_used)]

mod server_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use checkpoint_tests::balancer::Balancer;
use checkpoint_tests::device::{drain, drain_together, per_device, Device};
use checkpoint_tests::exactly_once::{connect_postgres, stored_in_postgres};
use checkpoint_tests::fault_proxy::{Fault, FaultProxy, Plan};
use checkpoint_tests::server_proc::{another_enrollment_code, enrollment_code, ServerProc};
use server_support::fresh_pg_database;

const DEVICES: usize = 50;

/// SIGKILL `server`, leave it down until the balancer's health checks mark it down, then start
/// it again on the same port and database.
async fn kill_and_restart(server: Arc<Mutex<ServerProc>>, balancer: Arc<Balancer>, name: &str) {
    let name = name.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut s = server.lock().unwrap();
        s.kill();
        // Down until HAProxy's checks have seen it (as a crashed instance waits for systemd's
        // restart): in between, the balancer sends it nothing or retries refused connections.
        balancer.wait_down(&name, Duration::from_secs(20)).unwrap();
        s.restart().unwrap();
    })
    .await
    .unwrap();
}

/// Passages the server holds now.
async fn count(db: &tokio_postgres::Client) -> i64 {
    db.query_one("SELECT COUNT(*) FROM passages", &[])
        .await
        .unwrap()
        .get(0)
}

/// Wait until the server holds at least `at_least` passages (or the upload ended), then kill and
/// restart `server`; returns the count at the kill.
async fn kill_when(
    db: &tokio_postgres::Client,
    at_least: i64,
    server: Arc<Mutex<ServerProc>>,
    balancer: (Arc<Balancer>, &str),
) -> i64 {
    let mut n = count(db).await;
    for _ in 0..2_000 {
        if n >= at_least {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        n = count(db).await;
    }
    kill_and_restart(server, balancer.0, balancer.1).await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_through_a_balancer_while_instances_die_total_exactly() {
    let Some(db) = fresh_pg_database("sync_balanced").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let first = ServerProc::start(&db, &dir.path().join("server-1.log")).unwrap();
    let second = ServerProc::start(&db, &dir.path().join("server-2.log")).unwrap();
    let balancer = Arc::new(
        Balancer::start([first.addr, second.addr], &dir.path().join("haproxy.log")).unwrap(),
    );
    let per_device = per_device(100);
    let mut devices = Vec::new();
    for i in 0..DEVICES {
        let code = if i == 0 {
            enrollment_code(&db, "cp-balanced").unwrap()
        } else {
            another_enrollment_code(&db, "cp-balanced").unwrap()
        };
        let path = dir.path().join(format!("device-{i}.db"));
        let d = Device::enrolled(&path, &balancer.url(), &code)
            .await
            .unwrap();
        d.record(per_device).unwrap();
        devices.push(d);
    }
    let proxy = FaultProxy::start(
        balancer.addr,
        Plan::Random {
            faults: vec![
                Fault::Reset,
                Fault::DropAfterCommit,
                Fault::TruncateResponse,
                Fault::Delay(Duration::from_millis(100)),
            ],
            pass: 0.7,
            seed: 0xBA1A,
        },
    )
    .await
    .unwrap();
    let url = proxy.url();
    let proxy = Arc::new(proxy);
    let flapper = proxy.flap_every(Duration::from_millis(300));
    let first = Arc::new(Mutex::new(first));
    let second = Arc::new(Mutex::new(second));
    let all = (DEVICES as u64 * per_device) as i64;
    let killer = {
        let (first, second, lb) = (first.clone(), second.clone(), balancer.clone());
        let watch = connect_postgres(&db).await.unwrap();
        tokio::spawn(async move {
            let one = kill_when(&watch, all / 4, first, (lb.clone(), "instance1")).await;
            let two = kill_when(&watch, all * 3 / 5, second, (lb, "instance2")).await;
            (one, two)
        })
    };
    let run = async {
        let mut engines = drain_together(&devices, &url, 25, 80).await.unwrap();
        let kills = killer.await.unwrap();
        flapper.abort();
        proxy.set_plan(Plan::Always(Fault::None));
        for engine in &mut engines {
            drain(engine, 5).await.unwrap();
        }
        kills
    };
    let (at_first_kill, at_second_kill) = tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .unwrap();
    eprintln!(
        "instance 1 killed at {at_first_kill} of {all} passages, instance 2 at {at_second_kill}"
    );

    let client = connect_postgres(&db).await.unwrap();
    let mut total = 0;
    for d in &devices {
        let rows = stored_in_postgres(&client, &d.device_id().unwrap())
            .await
            .unwrap();
        total += d.check_stored(&rows).unwrap();
    }
    assert_eq!(total as u64, DEVICES as u64 * per_device);
    assert_eq!(count(&client).await, all);
    // Both instances took requests, HAProxy saw each go down, and both are up again.
    let mut instances = balancer.instances().unwrap();
    for _ in 0..50 {
        if instances.iter().all(|i| i.status == "UP") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        instances = balancer.instances().unwrap();
    }
    eprintln!("{instances:?}");
    assert_eq!(instances.len(), 2);
    for i in &instances {
        assert!(i.sessions > 0, "{} took no requests", i.name);
        assert!(i.went_down > 0, "{} was never seen down", i.name);
        assert_eq!(i.status, "UP", "{} did not come back", i.name);
    }
    let stats = proxy.stats();
    let load = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{DEVICES} devices x {per_device} passages exact through the balancer; {} connections, {} faults, {} cut by flaps",
        load(&stats.connections),
        load(&stats.faults),
        load(&stats.cuts),
    );
}
