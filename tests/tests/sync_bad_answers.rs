//! A server that answers badly — garbage JSON, HTTP 500, acknowledgements for records never sent, half the
//! answers missing, an answer that never ends: the engine keeps its data, reports the error in plain
//! words, and backs off.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::{BatchRequest, BatchResponse, RecordResult, RecordStatus};
use sync_core::signed::{batch_digest, RootKey, RootSigner};
use sync_core::sync::{spawn, RunnerTimings, SyncConfig, SyncEngine};
use sync_core::Ledger;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Garbage,
    Status500,
    WrongIds,
    HalfAnswered,
    /// 200 with a body that never ends.
    Endless,
    /// The first record of each batch refused without being kept (an older server), the rest stored.
    RefusedNotKept,
}

#[derive(Clone)]
struct Bad {
    mode: Mode,
    hits: Arc<AtomicU64>,
    /// The bad server is still the district: its receipts are signed (the device's checks on
    /// signatures are tested against a tampering proxy in `sync_tamper.rs`).
    root: Arc<RootSigner>,
}

async fn passages(State(bad): State<Bad>, body: axum::body::Bytes) -> Response {
    bad.hits.fetch_add(1, Ordering::Relaxed);
    let json = {
        use std::io::Read;
        let mut out = Vec::new();
        let _ = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut out);
        out
    };
    let batch: BatchRequest = match serde_json::from_slice(&json) {
        Ok(b) => b,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let answer = |results| {
        axum::Json(bad.root.sign(BatchResponse {
            results,
            server_time: Utc::now(),
            batch_sha: batch_digest(&json),
            signature: String::new(),
        }))
        .into_response()
    };
    match bad.mode {
        Mode::Garbage => (StatusCode::OK, "{\"results\": [oops").into_response(),
        Mode::Endless => {
            let chunk = axum::body::Bytes::from(vec![b' '; 64 * 1024]);
            let endless =
                futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            (StatusCode::OK, axum::body::Body::from_stream(endless)).into_response()
        }
        Mode::Status500 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::WrongIds => answer(
            batch
                .entries
                .iter()
                .map(|_| RecordResult {
                    id: uuid::Uuid::now_v7(),
                    status: RecordStatus::Accepted,
                })
                .collect(),
        ),
        Mode::RefusedNotKept => answer(
            batch
                .entries
                .iter()
                .enumerate()
                .map(|(i, p)| RecordResult {
                    id: p.id,
                    status: if i == 0 {
                        RecordStatus::Rejected {
                            reason: "not today".into(),
                        }
                    } else {
                        RecordStatus::Accepted
                    },
                })
                .collect(),
        ),
        Mode::HalfAnswered => answer(
            batch
                .entries
                .iter()
                .take(batch.entries.len() / 2)
                .map(|p| RecordResult {
                    id: p.id,
                    status: RecordStatus::Accepted,
                })
                .collect(),
        ),
    }
}

async fn bad_server(mode: Mode) -> (String, Arc<AtomicU64>, RootKey) {
    let hits = Arc::new(AtomicU64::new(0));
    let root = Arc::new(RootSigner::generate().unwrap());
    let key = RootKey::from_public_hex(&root.public_key_hex()).unwrap();
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/api/v2/entries", post(passages))
        .with_state(Bad {
            mode,
            hits: hits.clone(),
            root,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), hits, key)
}

fn ledger_with(dir: &std::path::Path, n: u64) -> Arc<Mutex<Ledger>> {
    let mut ledger = Ledger::open(dir.join("device.db")).unwrap();
    for i in 0..n {
        ledger.append(sample_passage(i, Utc::now())).unwrap();
    }
    Arc::new(Mutex::new(ledger))
}

#[tokio::test]
async fn bad_answers_keep_data_and_report() {
    for mode in [
        Mode::Garbage,
        Mode::Status500,
        Mode::WrongIds,
        Mode::HalfAnswered,
        Mode::Endless,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let ledger = ledger_with(dir.path(), 20);
        let (url, _, root) = bad_server(mode).await;
        let mut config = SyncConfig::new(url, "token").pinned(root);
        config.max_batch_records = 10;
        let mut engine = SyncEngine::new(ledger.clone(), config).unwrap();
        let err = engine.step().await.unwrap_err();
        let status = engine.status().clone();
        eprintln!("{mode:?}: {err} / {:?}", status.last_error_zh);
        assert!(status.last_error_en.is_some() && status.last_error_zh.is_some());
        let summary = ledger.lock().unwrap().upload_summary().unwrap();
        let expected_pending = if mode == Mode::HalfAnswered { 15 } else { 20 };
        assert_eq!(summary.pending, expected_pending, "{mode:?}");
        assert_eq!(summary.rejected, 0);
        assert!(!err.is_permanent(), "{mode:?} is worth retrying later");
        // The data is intact and still chained.
        assert_eq!(ledger.lock().unwrap().verify().unwrap(), 20);
    }
}

#[tokio::test]
async fn a_failing_server_gets_backoff_not_a_busy_loop() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger_with(dir.path(), 5);
    let (url, hits, root) = bad_server(Mode::Status500).await;
    let engine = SyncEngine::new(ledger, SyncConfig::new(url, "token").pinned(root)).unwrap();
    let handle = spawn(
        engine,
        RunnerTimings {
            debounce: Duration::from_millis(10),
            periodic: Duration::from_secs(30),
            backoff_min: Duration::from_millis(50),
            backoff_max: Duration::from_millis(800),
            ..RunnerTimings::default()
        },
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let status = handle.status();
    handle.stop().await;
    let n = hits.load(Ordering::Relaxed);
    eprintln!("{n} uploads in 3 s against a failing server");
    assert!(n >= 3, "it kept retrying by itself ({n})");
    assert!(n <= 30, "it backed off ({n})");
    assert_eq!(status.pending, 5);
    assert!(status.last_error_en.unwrap().contains("500"));
}

/// A record refused without being kept stays pending (and the round still ends): nothing is lost.
#[tokio::test]
async fn a_record_refused_without_being_kept_stays_pending() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = ledger_with(dir.path(), 20);
    let (url, hits, root) = bad_server(Mode::RefusedNotKept).await;
    let mut config = SyncConfig::new(url, "token").pinned(root);
    config.max_batch_records = 10;
    let mut engine = SyncEngine::new(ledger.clone(), config).unwrap();
    let report = tokio::time::timeout(Duration::from_secs(10), engine.upload_pending())
        .await
        .expect("the round ends")
        .unwrap();
    assert_eq!(
        (report.acknowledged, report.rejected, report.held),
        (18, 0, 2)
    );
    assert_eq!(
        hits.load(Ordering::Relaxed),
        2,
        "one post per batch, no spinning"
    );
    let summary = ledger.lock().unwrap().upload_summary().unwrap();
    assert_eq!((summary.pending, summary.rejected), (2, 0));
    // Next round the two are sent again.
    let report = engine.upload_pending().await.unwrap();
    assert_eq!((report.acknowledged, report.held), (1, 1));
}
