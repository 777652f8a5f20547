//! Photos through the fault proxy to a real district server on loopback HTTP: entries that name
//! photos upload first, then every photo arrives exactly once with bytes that match its name,
//! whatever the network does to the requests (cut mid-body, dropped, reset, truncated answers,
//! stalls). The server runs in this process, so it knows the test-only entry kind.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

mod server_support;

use checkpoint_tests::device::Device;
use checkpoint_tests::fault_proxy::{Fault, FaultProxy, Plan};
use checkpoint_tests::photos::fake_photo;
use chrono::Utc;
use server_support::{enrolled_phone, serve_loopback, temp_sqlite, test_state};
use sync_core::domain::ProbeNote;
use sync_core::photo::sha256_hex;
use sync_core::sync::SyncEngine;
use sync_core::{EntryBody, NewEntry};

const PHOTOS: usize = 24;
const PHOTO_BYTES: usize = 200 * 1024;

fn photo(i: usize) -> Vec<u8> {
    fake_photo(i as u64, PHOTO_BYTES)
}

/// Store the photos and one probe entry per photo; their names.
fn record_with_photos(device: &Device) -> Vec<String> {
    let mut ledger = device.ledger.lock().unwrap();
    (0..PHOTOS)
        .map(|i| {
            let name = ledger.store_photo(&photo(i)).unwrap();
            ledger
                .append_entry(NewEntry {
                    recorded_at: Utc::now(),
                    clock_offset_ms: Some(0),
                    staff: "巡查员".into(),
                    attachments: vec![name.clone()],
                    body: EntryBody::Probe(ProbeNote {
                        note: format!("point {i}"),
                    }),
                })
                .unwrap();
            name
        })
        .collect()
}

/// What the server's database holds: `(sha256, size, bytes)` of every photo.
fn stored_photos(db: &std::path::Path) -> Vec<(String, i64, Vec<u8>)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT sha256, size, bytes FROM photos ORDER BY sha256")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Step until nothing (entries or photos) is pending and a round succeeded.
async fn drain_all(engine: &mut SyncEngine, max_rounds: usize) -> bool {
    for _ in 0..max_rounds {
        let ok = engine.step().await.is_ok();
        let s = engine.status();
        if ok && s.pending == 0 && s.photos_pending == 0 {
            return true;
        }
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_photo_arrives_once_and_whole_through_faults() {
    let (dir, url) = temp_sqlite();
    let db_path = std::path::PathBuf::from(url.trim_start_matches("sqlite:"));
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    let device = Device {
        path: dir.path().join("gate.db"),
        ledger: enrolled_phone(&state, dir.path(), &base).await,
        token: String::new(),
    };
    let names = record_with_photos(&device);
    let proxy = std::sync::Arc::new(
        FaultProxy::start(addr, Plan::Always(Fault::None))
            .await
            .unwrap(),
    );
    let mut engine = device
        .engine(&proxy.url(), 10, Duration::from_secs(2))
        .unwrap();
    // The entries first, on a clean network; their photos are not sent before them.
    let report = engine.upload_pending().await.unwrap();
    assert_eq!(report.acknowledged, PHOTOS);
    // Every photo upload cut off mid-body: the pass fails, nothing is stored, all stay pending.
    proxy.set_plan(Plan::Always(Fault::TruncateRequest));
    assert!(engine.upload_photos().await.is_err());
    assert_eq!(
        stored_photos(&db_path).len(),
        0,
        "nothing partial is stored"
    );
    let pending = device
        .ledger
        .lock()
        .unwrap()
        .photo_summary()
        .unwrap()
        .pending;
    assert_eq!(pending as usize, PHOTOS);
    // Random faults on every new connection, and the link flapping every 40 ms (cutting requests
    // mid-body), until everything is across.
    proxy.set_plan(Plan::Random {
        faults: vec![
            Fault::TruncateRequest,
            Fault::DropBeforeRequest,
            Fault::DropAfterCommit,
            Fault::Reset,
            Fault::TruncateResponse,
            Fault::Stall(Duration::from_millis(2500)),
        ],
        pass: 0.3,
        seed: 2026,
    });
    let flapper = {
        let proxy = proxy.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(40)).await;
                proxy.cut_all();
            }
        })
    };
    let run = async {
        for _ in 0..120 {
            let _ = engine.step().await;
            if engine.status().photos_pending == 0 {
                break;
            }
        }
        flapper.abort();
        proxy.set_plan(Plan::Always(Fault::None));
        assert!(drain_all(&mut engine, 3).await, "{:?}", engine.status());
    };
    tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .unwrap();
    let stats = proxy.stats();
    let faults = stats.faults.load(std::sync::atomic::Ordering::Relaxed);
    let cuts = stats.cuts.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!("{faults} faulted connections, {cuts} cut");
    assert!(
        faults + cuts > PHOTOS as u64 / 4,
        "{faults} faults, {cuts} cuts"
    );

    let stored = stored_photos(&db_path);
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let mut expected = names.clone();
    expected.sort();
    let got: Vec<&String> = stored.iter().map(|(n, ..)| n).collect();
    assert_eq!(got, expected.iter().collect::<Vec<_>>(), "each photo once");
    for (name, size, bytes) in &stored {
        assert_eq!(*size as usize, PHOTO_BYTES);
        assert_eq!(&sha256_hex(bytes), name, "nothing partial is stored");
    }
    let entries: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM entries WHERE kind = 'probe'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(entries as usize, PHOTOS);
    let expected_photos: i64 = conn
        .query_row("SELECT COUNT(*) FROM entry_photos", [], |r| r.get(0))
        .unwrap();
    assert_eq!(expected_photos as usize, PHOTOS);
    let summary = device.ledger.lock().unwrap().photo_summary().unwrap();
    assert_eq!(
        (summary.pending, summary.uploaded, summary.rejected),
        (0, PHOTOS as u64, 0)
    );
    server.abort();
}
