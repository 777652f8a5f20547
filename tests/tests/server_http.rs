//! HTTP tests of the device API on the in-process router: every bad request gets a clear 4xx and
//! nothing is partially stored. Runs on SQLite, and on PostgreSQL when a server is given.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;

use std::io::Write;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};
use district_server::AppState;
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use server_support::{
    enrollment_code, fresh_pg_database, genesis_chain, send, temp_sqlite, test_state,
};
use sync_core::protocol::{
    BatchLimits, BatchRequest, BatchResponse, EnrollResponse, ErrorBody, RecordStatus,
};
use sync_core::{Passage, PassageBody, Subject};
use uuid::Uuid;

fn post(path: &str, token: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(body.into()).unwrap()
}

fn get(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

fn error_code(bytes: &[u8]) -> String {
    let body: ErrorBody = serde_json::from_slice(bytes).expect("an ErrorBody");
    assert!(!body.message.is_empty());
    body.code
}

async fn enroll(state: &AppState, device_id: &str) -> String {
    let code = enrollment_code(state).await;
    let body = json!({ "code": code, "device_id": device_id, "label": "test phone" }).to_string();
    let (status, bytes) = send(state, post("/api/v1/enroll", None, body)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let resp: EnrollResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(resp.checkpoint.checkpoint_id, "cp-east");
    resp.device_token
}

fn batch_json(device_id: &str, passages: &[Passage]) -> String {
    serde_json::to_string(&BatchRequest::of_passages(device_id, passages, 0)).unwrap()
}

async fn post_batch(
    state: &AppState,
    token: &str,
    device_id: &str,
    passages: &[Passage],
) -> (StatusCode, BatchResponse) {
    let (status, bytes) = send(
        state,
        post(
            "/api/v2/entries",
            Some(token),
            batch_json(device_id, passages),
        ),
    )
    .await;
    (
        status,
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes))),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

async fn count(state: &AppState) -> i64 {
    state.store.passage_count(None).await.unwrap()
}

async fn device_api(state: AppState) {
    let start = Utc::now() - Duration::hours(2);
    let token = enroll(&state, "dev-1").await;

    // Enrollment: a used or unknown code is refused clearly.
    let (status, bytes) = send(
        &state,
        post(
            "/api/v1/enroll",
            None,
            json!({"code": "NOSUCH99", "device_id": "dev-2"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&bytes), "forbidden");

    // Malformed JSON and a wrong shape: 400, nothing stored.
    for body in [
        "{\"device_id\": \"dev-1\", \"passages\": [",
        "[1,2,3]",
        "",
        "{\"device_id\":\"dev-1\",\"passages\":[{\"body\":{}}],\"backlog\":0}",
    ] {
        let (status, bytes) = send(&state, post("/api/v2/entries", Some(&token), body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(&bytes), "bad_request");
    }
    let chain = genesis_chain("dev-1", 30, start);
    // Missing and wrong tokens: 401, nothing stored.
    let (status, bytes) = send(
        &state,
        post("/api/v2/entries", None, batch_json("dev-1", &chain)),
    )
    .await;
    assert_eq!(
        (status, error_code(&bytes).as_str()),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, _) = send(
        &state,
        post(
            "/api/v2/entries",
            Some("not-a-token"),
            batch_json("dev-1", &chain),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(
        &state,
        Request::get("/api/v1/keys").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another device's batch under this token: 403.
    let (status, _) = send(
        &state,
        post(
            "/api/v2/entries",
            Some(&token),
            batch_json("dev-9", &genesis_chain("dev-9", 2, start)),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count(&state).await, 0);

    // Too many records: 413 with the limits, nothing stored.
    let limits = state.config.batch_limits();
    let big = genesis_chain("dev-1", limits.max_records as u64 + 1, start);
    let (status, bytes) = send(
        &state,
        post(
            "/api/v2/entries",
            Some(&token),
            gzip(batch_json("dev-1", &big).as_bytes()),
        ),
    )
    .await;
    // (sent without the gzip header: not JSON, so 400 first)
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let mut req = post(
        "/api/v2/entries",
        Some(&token),
        gzip(batch_json("dev-1", &big).as_bytes()),
    );
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
    let (status, bytes) = send(&state, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        serde_json::from_slice::<BatchLimits>(&bytes).unwrap(),
        limits
    );
    // Too many bytes, plain and as a gzip bomb: 413.
    let padding = " ".repeat(limits.max_bytes + 1);
    let (status, bytes) = send(
        &state,
        post("/api/v2/entries", Some(&token), padding.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        serde_json::from_slice::<BatchLimits>(&bytes).unwrap(),
        limits
    );
    let mut req = post("/api/v2/entries", Some(&token), gzip(padding.as_bytes()));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
    assert_eq!(send(&state, req).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let mut req = post("/api/v2/entries", Some(&token), "not gzip at all");
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
    assert_eq!(send(&state, req).await.0, StatusCode::BAD_REQUEST);
    let mut req = post("/api/v2/entries", Some(&token), batch_json("dev-1", &chain));
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "br".parse().unwrap());
    assert_eq!(
        send(&state, req).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(count(&state).await, 0);

    // A gzip batch of 20 is stored; replaying it changes nothing.
    let mut req = post(
        "/api/v2/entries",
        Some(&token),
        gzip(batch_json("dev-1", &chain[..20]).as_bytes()),
    );
    req.headers_mut()
        .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
    let (status, bytes) = send(&state, req).await;
    assert_eq!(status, StatusCode::OK);
    let resp: BatchResponse = serde_json::from_slice(&bytes).unwrap();
    assert!(resp
        .results
        .iter()
        .all(|r| r.status == RecordStatus::Accepted));
    let (status, resp) = post_batch(&state, &token, "dev-1", &chain[..20]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(resp
        .results
        .iter()
        .all(|r| r.status == RecordStatus::Duplicate));
    assert_eq!(count(&state).await, 20);

    // Mixed: valid records kept, a future one and a tampered one refused with reasons.
    let mut mixed = chain[20..25].to_vec();
    mixed[1] = Passage::seal(
        PassageBody {
            recorded_at: Utc::now() + Duration::hours(3),
            ..mixed[1].body.clone()
        },
        &mixed[0].hash,
    );
    mixed[3].body.staff = "someone else".into();
    let (status, resp) = post_batch(&state, &token, "dev-1", &mixed).await;
    assert_eq!(status, StatusCode::OK);
    let reasons: Vec<String> = resp
        .results
        .iter()
        .map(|r| match &r.status {
            RecordStatus::Quarantined { reason } => reason.clone(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(reasons[0], "Accepted");
    assert!(reasons[1].contains("future"), "{reasons:?}");
    assert_eq!(reasons[2], "Accepted");
    assert!(reasons[3].contains("hash"), "{reasons:?}");
    assert_eq!(reasons[4], "Accepted");
    assert_eq!(count(&state).await, 23);
    // A batch of only future records: every record refused, nothing stored.
    let future: Vec<Passage> = genesis_chain("dev-1", 1, Utc::now() + Duration::days(2))
        .into_iter()
        .map(|p| {
            Passage::seal(
                PassageBody {
                    seq: 31,
                    id: Uuid::now_v7(),
                    ..p.body
                },
                &chain[29].hash,
            )
        })
        .collect();
    let (_, resp) = post_batch(&state, &token, "dev-1", &future).await;
    assert!(
        matches!(&resp.results[0].status, RecordStatus::Quarantined { reason } if reason.contains("future"))
    );
    assert_eq!(count(&state).await, 23);

    // SQL-looking strings are data: stored verbatim, nothing else happens.
    let sql = "Robert'); DROP TABLE passages;--";
    let mut p = chain[25].body.clone();
    p.subject = Subject::Visitor {
        name: sql.into(),
        phone: "13800001111".into(),
        id_number: None,
        host_household: "1' OR '1'='1".into(),
        reason: "x\"; DELETE FROM devices; --".into(),
        plate: None,
        visitor_pass_id: None,
    };
    let sealed = Passage::seal(p, &chain[24].hash);
    let (_, resp) = post_batch(&state, &token, "dev-1", std::slice::from_ref(&sealed)).await;
    assert_eq!(resp.results[0].status, RecordStatus::Accepted);
    assert_eq!(count(&state).await, 24);
    assert_eq!(state.store.devices().await.unwrap().len(), 1);

    // Pulls: config, keys and revocations answer the device.
    let (status, bytes) = send(&state, get("/api/v1/config", &token)).await;
    assert_eq!(status, StatusCode::OK);
    let cfg: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(cfg["retention_days"], 28);
    let (status, bytes) = send(&state, get("/api/v1/keys", &token)).await;
    assert_eq!(status, StatusCode::OK);
    let keys: sync_core::protocol::KeySetResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(keys.keys.len(), 1);
    assert_eq!(keys.keys[0].key_id, state.signer.key_id());
    let (status, bytes) = send(&state, get("/api/v1/revocations?since=0", &token)).await;
    assert_eq!(status, StatusCode::OK);
    let rev: sync_core::protocol::RevocationsResponse = serde_json::from_slice(&bytes).unwrap();
    assert_eq!((rev.version, rev.revocations.len()), (0, 0));
    let (status, bytes) = send(&state, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&bytes).unwrap()["status"],
        "ok"
    );
}

#[tokio::test]
async fn device_api_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    device_api(test_state(&url, |c| c.max_batch_bytes = 256 * 1024).await).await;
}

#[tokio::test]
async fn device_api_on_postgres() {
    let Some(url) = fresh_pg_database("device_api_on_postgres").await else {
        return;
    };
    device_api(test_state(&url, |c| c.max_batch_bytes = 256 * 1024).await).await;
}
