//! A tampering proxy between a gate phone and its district server (on the gate's Wi-Fi): it adds a
//! key to the key set, strips revocations, shows a revoked pass as valid in the roster, cuts a
//! roster answer short, and answers "accepted" to every batch without passing it
//! on. The phone pinned the district root key from the enrollment QR, so it refuses the first two
//! (keeping what it had) and keeps every passage pending under the third until a signed receipt
//! from the real server arrives. Loopback only.
#![allow(clippy::unwrap_used)]

mod server_support;

use std::future::IntoFuture;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use district_server::passes::{import_residents, ImportRow};
use district_server::{app, AppState};
use server_support::{enrollment_code, temp_sqlite, test_state};
use sync_core::fixtures::sample_passage;
use sync_core::pass::DistrictSigner;
use sync_core::protocol::{
    BatchRequest, BatchResponse, KeySetResponse, RecordResult, RecordStatus, RevocationsResponse,
    RosterResponse,
};
use sync_core::signed::{RootSigner, TrustError};
use sync_core::sync::{enroll_pinned, Pins, SyncConfig, SyncEngine, SyncError};
use sync_core::Ledger;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tamper {
    AddKey,
    StripRevocations,
    UnrevokeRoster,
    TruncateRoster,
    AckAll,
}

#[derive(Clone)]
struct Proxy {
    upstream: String,
    tamper: Tamper,
    http: reqwest::Client,
}

fn json(value: serde_json::Value) -> Response {
    (StatusCode::OK, axum::Json(value)).into_response()
}

async fn forward(
    State(p): State<Proxy>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if p.tamper == Tamper::AckAll && path == "/api/v2/entries" {
        // Never reaches the server: every record "accepted", with the server's receipt fields empty.
        let mut raw = Vec::new();
        let _ = flate2::read::GzDecoder::new(&body[..]).read_to_end(&mut raw);
        let batch: BatchRequest = serde_json::from_slice(&raw).unwrap();
        let results = batch
            .entries
            .iter()
            .map(|r| RecordResult {
                id: r.id,
                status: RecordStatus::Accepted,
            })
            .collect();
        let answer = BatchResponse {
            results,
            server_time: Utc::now(),
            batch_sha: sync_core::signed::batch_digest(&raw),
            signature: "00".repeat(64),
        };
        return json(serde_json::to_value(answer).unwrap());
    }
    let url = format!(
        "{}{}",
        p.upstream,
        uri.path_and_query().map_or("", |q| q.as_str())
    );
    let mut req = p.http.request(method, url).body(body);
    for name in ["authorization", "content-type", "content-encoding"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v);
        }
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap();
    match (p.tamper, path) {
        (Tamper::AddKey, "/api/v1/keys") => {
            let mut keys: KeySetResponse = serde_json::from_slice(&bytes).unwrap();
            let forger = DistrictSigner::generate(&keys.district_id).unwrap();
            keys.keys.push(forger.key_record(None, None));
            json(serde_json::to_value(keys).unwrap())
        }
        (Tamper::StripRevocations, "/api/v1/revocations") => {
            let mut r: RevocationsResponse = serde_json::from_slice(&bytes).unwrap();
            assert!(!r.revocations.is_empty(), "there is something to strip");
            r.revocations.clear();
            json(serde_json::to_value(r).unwrap())
        }
        (Tamper::UnrevokeRoster, "/api/v1/roster") => {
            let mut r: RosterResponse = serde_json::from_slice(&bytes).unwrap();
            assert!(
                r.entries.iter().any(|e| e.revoked),
                "a revoked pass to hide"
            );
            for e in &mut r.entries {
                e.revoked = false;
            }
            json(serde_json::to_value(r).unwrap())
        }
        (Tamper::TruncateRoster, "/api/v1/roster") => {
            // The connection "drops" half-way: a 200 with half the body.
            (status, Body::from(bytes.slice(..bytes.len() / 2))).into_response()
        }
        _ => (status, Body::from(bytes)).into_response(),
    }
}

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .into_future(),
    );
    format!("http://{addr}")
}

async fn proxy(upstream: &str, tamper: Tamper) -> String {
    let state = Proxy {
        upstream: upstream.to_owned(),
        tamper,
        http: reqwest::Client::new(),
    };
    listen(Router::new().fallback(forward).with_state(state)).await
}

fn root_pin(fingerprint: &str) -> Pins {
    Pins {
        root: Some(fingerprint.to_owned()),
        tls: None,
    }
}

fn engine_via(ledger: &Arc<Mutex<Ledger>>, url: &str) -> SyncEngine {
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    let config = SyncConfig {
        server_url: url.to_owned(),
        ..config
    };
    SyncEngine::new(Arc::clone(ledger), config).unwrap()
}

fn untrusted(result: Result<sync_core::sync::StepReport, SyncError>) -> TrustError {
    match result {
        Err(SyncError::Untrusted(e)) => e,
        other => panic!("expected an untrusted answer, got {other:?}"),
    }
}

async fn revoke_a_pass(state: &AppState) {
    let row = ImportRow {
        name: "张三".into(),
        id_number: "11010519491231002X".into(),
        phone: "13812345678".into(),
        household: "3-2-401".into(),
        plates: vec![],
    };
    import_residents(
        &state.store,
        &state.signer,
        "c1",
        &[row],
        Utc::now(),
        "test",
    )
    .await
    .unwrap();
    let pass = &state.store.passes().await.unwrap()[0];
    let now = Utc::now().timestamp_millis();
    assert!(state
        .store
        .revoke(&pass.pass_id, pass.serial, "officer", now)
        .await
        .unwrap());
}

#[tokio::test]
async fn a_tampering_proxy_changes_nothing_on_the_phone() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let server = listen(app(state.clone())).await;
    let fingerprint = state.root.fingerprint();

    // The QR's fingerprint is checked at enrollment: another district's key is refused, nothing stored.
    let other = RootSigner::generate().unwrap().fingerprint();
    let stranger = Arc::new(Mutex::new(Ledger::open(dir.path().join("s.db")).unwrap()));
    let code = enrollment_code(&state).await;
    let refused = enroll_pinned(&stranger, &server, &code, "phone", &root_pin(&other)).await;
    assert!(matches!(
        refused,
        Err(SyncError::Untrusted(TrustError::FingerprintMismatch))
    ));
    assert!(SyncConfig::from_ledger(&stranger.lock().unwrap()).is_err());

    let ledger = Arc::new(Mutex::new(Ledger::open(dir.path().join("g.db")).unwrap()));
    let code = enrollment_code(&state).await;
    enroll_pinned(&ledger, &server, &code, "phone", &root_pin(&fingerprint))
        .await
        .unwrap();
    engine_via(&ledger, &server).step().await.unwrap();
    let keys_before = ledger.lock().unwrap().key_set().unwrap();
    assert_eq!(keys_before.len(), 1);

    // An added key (it would make forged passes green) is refused; the key set stays.
    let add_key = proxy(&server, Tamper::AddKey).await;
    let e = untrusted(engine_via(&ledger, &add_key).step().await);
    assert_eq!(e, TrustError::BadSignature);
    assert_eq!(ledger.lock().unwrap().key_set().unwrap(), keys_before);

    // Stripped revocations (a revoked card would stay green) are refused, and so is a roster that
    // shows the revoked pass as valid (a typed pass id would pass); then the real deltas land.
    revoke_a_pass(&state).await;
    let pass_id = state.store.passes().await.unwrap()[0].pass_id.clone();
    let strip = proxy(&server, Tamper::StripRevocations).await;
    untrusted(engine_via(&ledger, &strip).step().await);
    assert_eq!(ledger.lock().unwrap().revocations_version().unwrap(), 0);
    let roster_before = ledger.lock().unwrap().roster_version("c1").unwrap();
    let unrevoke = proxy(&server, Tamper::UnrevokeRoster).await;
    assert_eq!(
        untrusted(engine_via(&ledger, &unrevoke).step().await),
        TrustError::BadSignature
    );
    assert_eq!(
        ledger.lock().unwrap().roster_version("c1").unwrap(),
        roster_before
    );
    assert!(ledger
        .lock()
        .unwrap()
        .roster_pass(&pass_id)
        .unwrap()
        .is_none());
    // A roster answer cut short is not applied either (nothing half-stored).
    let truncate = proxy(&server, Tamper::TruncateRoster).await;
    let cut = engine_via(&ledger, &truncate).step().await;
    assert!(matches!(cut, Err(SyncError::BadAnswer(_))), "{cut:?}");
    {
        let l = ledger.lock().unwrap();
        assert_eq!(l.roster_version("c1").unwrap(), roster_before);
        assert!(l.roster_pass(&pass_id).unwrap().is_none());
    }
    engine_via(&ledger, &server).step().await.unwrap();
    assert_eq!(ledger.lock().unwrap().revocations().unwrap().len(), 1);
    let entry = ledger
        .lock()
        .unwrap()
        .roster_pass(&pass_id)
        .unwrap()
        .unwrap();
    assert!(entry.revoked, "the real roster says revoked");

    // "Accepted" for every batch, never stored: every passage stays pending on the phone.
    {
        let mut l = ledger.lock().unwrap();
        for i in 0..25 {
            l.append(sample_passage(i, Utc::now())).unwrap();
        }
    }
    let ack_all = proxy(&server, Tamper::AckAll).await;
    untrusted(engine_via(&ledger, &ack_all).step().await);
    assert_eq!(ledger.lock().unwrap().upload_summary().unwrap().pending, 25);
    assert_eq!(state.store.passage_count(None).await.unwrap(), 0);
    // The real server's signed receipts settle them, exactly once.
    let report = engine_via(&ledger, &server).step().await.unwrap();
    assert_eq!(report.acknowledged, 25);
    assert_eq!(ledger.lock().unwrap().upload_summary().unwrap().pending, 0);
    assert_eq!(state.store.passage_count(None).await.unwrap(), 25);
}
