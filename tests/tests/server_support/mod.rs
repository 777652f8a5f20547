//! Shared helpers of the `server_*` tests: a fresh PostgreSQL database per test, sealed passage chains.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use district_server::auth::hash_token;
use district_server::store::{Checkpoint, Store};
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::{Passage, PassageBody};
use uuid::Uuid;

pub const PG_URL_ENV: &str = "CHECKPOINT_TEST_PG_URL";
pub const PG_REQUIRED_ENV: &str = "CHECKPOINT_REQUIRE_PG";

/// A new, empty database on the test PostgreSQL server, or `None` (loudly) when no server is set.
/// Under `cargo xtask test` (`CHECKPOINT_REQUIRE_PG=1`) a missing server fails the test.
pub async fn fresh_pg_database(test: &str) -> Option<String> {
    let Ok(url) = std::env::var(PG_URL_ENV) else {
        assert!(
            std::env::var_os(PG_REQUIRED_ENV).is_none(),
            "{PG_REQUIRED_ENV} is set but {PG_URL_ENV} is not: PostgreSQL tests cannot be skipped"
        );
        eprintln!(
            "\n!!!!!!!!!! SKIPPING the PostgreSQL half of {test}: {PG_URL_ENV} is not set.\n\
             !!!!!!!!!! Run `cargo xtask test` (it starts a throwaway PostgreSQL) to run it.\n"
        );
        return None;
    };
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test PostgreSQL server");
    tokio::spawn(conn);
    let name = format!("t_{}", Uuid::now_v7().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a test database");
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}

/// A temp SQLite database URL (the directory lives as long as the returned guard).
pub fn temp_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("district.db").display());
    (dir, url)
}

/// The checkpoint the sample passages are recorded at.
pub fn east_checkpoint() -> Checkpoint {
    Checkpoint {
        id: "cp-east".into(),
        compound_id: "c1".into(),
        name: "东门".into(),
        gates: vec!["east-1".into(), "east-2".into()],
    }
}

/// A store with compound `c1` and checkpoint `cp-east`.
pub async fn seeded_store(url: &str) -> Store {
    let store = Store::open(url).await.expect("open store");
    store
        .upsert_compound("c1", "阳光小区")
        .await
        .expect("compound");
    store
        .upsert_checkpoint(&east_checkpoint(), Utc::now().timestamp_millis())
        .await
        .expect("checkpoint");
    store
}

/// Passages `from_seq ..= to_seq` of `device_id`, sealed into one chain starting after `prev_hash`.
pub fn chain(
    device_id: &str,
    from_seq: u64,
    to_seq: u64,
    start: DateTime<Utc>,
    prev_hash: &str,
) -> Vec<Passage> {
    let mut prev = prev_hash.to_owned();
    (from_seq..=to_seq)
        .map(|seq| {
            let body = PassageBody::new(Uuid::now_v7(), device_id, seq, sample_passage(seq, start));
            let p = Passage::seal(body, &prev);
            prev.clone_from(&p.hash);
            p
        })
        .collect()
}

/// A device's whole chain from seq 1.
pub fn genesis_chain(device_id: &str, n: u64, start: DateTime<Utc>) -> Vec<Passage> {
    chain(device_id, 1, n, start, GENESIS_HASH)
}

/// A fully set-up server state (first start done) on `url`, with `cp-east` in compound `c1`.
pub async fn test_state(
    url: &str,
    tweak: impl FnOnce(&mut district_server::Config),
) -> district_server::AppState {
    let mut config = district_server::Config {
        db: url.to_owned(),
        ..district_server::Config::default()
    };
    tweak(&mut config);
    let (state, first) = district_server::setup::start(config)
        .await
        .expect("first start");
    assert!(first.new_key_id.is_some() && first.new_admin.is_some());
    state
        .store
        .upsert_compound("c1", "阳光小区")
        .await
        .expect("compound");
    state
        .store
        .upsert_checkpoint(&east_checkpoint(), Utc::now().timestamp_millis())
        .await
        .expect("checkpoint");
    state
}

/// Make a one-time enrollment code for `cp-east` straight in the store.
pub async fn enrollment_code(state: &district_server::AppState) -> String {
    let code = district_server::auth::enrollment_code().expect("random");
    let now = Utc::now().timestamp_millis();
    state
        .store
        .create_enroll_code(
            &district_server::auth::hash_token(&code),
            "cp-east",
            "test",
            now,
            now + 600_000,
        )
        .await
        .expect("code");
    code
}

/// `state`'s whole app on a loopback port: its `http://` base URL, and the task to abort at the end.
pub async fn serve_loopback(
    state: &district_server::AppState,
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    use std::future::IntoFuture;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let app = district_server::app(state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(axum::serve(listener, app).into_future());
    (format!("http://{addr}"), server)
}

/// One request to the in-process router: the status and the whole body.
pub async fn send(
    state: &district_server::AppState,
    req: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, Vec<u8>) {
    use tower::ServiceExt;
    let resp = district_server::app(state.clone())
        .oneshot(req)
        .await
        .expect("the router answers");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("the whole body");
    (status, bytes.to_vec())
}

/// Import one resident of `compound` living in `household` (a real ID number), issuing their pass.
pub async fn import_resident(state: &district_server::AppState, compound: &str, household: &str) {
    let row = district_server::passes::ImportRow {
        name: "张三".into(),
        id_number: "11010519491231002X".into(),
        phone: "13812345678".into(),
        household: household.into(),
        plates: vec![],
    };
    district_server::passes::import_residents(
        &state.store,
        &state.signer,
        compound,
        &[row],
        Utc::now(),
        "test",
    )
    .await
    .expect("import a resident");
}

/// A phone's ledger `gate.db` in `dir`, enrolled at `cp-east` with the server at `base`.
pub async fn enrolled_phone(
    state: &district_server::AppState,
    dir: &std::path::Path,
    base: &str,
) -> std::sync::Arc<std::sync::Mutex<sync_core::Ledger>> {
    let ledger = std::sync::Arc::new(std::sync::Mutex::new(
        sync_core::Ledger::open(dir.join("gate.db")).expect("ledger"),
    ));
    sync_core::sync::enroll(&ledger, base, &enrollment_code(state).await, "phone")
        .await
        .expect("enroll");
    ledger
}

/// Compound `c2` (和平小区) and its checkpoint `cp-west` (gate `west-1`).
pub async fn west_compound(store: &Store) {
    store
        .upsert_compound("c2", "和平小区")
        .await
        .expect("compound");
    let west = Checkpoint {
        id: "cp-west".into(),
        compound_id: "c2".into(),
        name: "西门".into(),
        gates: vec!["west-1".into()],
    };
    store
        .upsert_checkpoint(&west, Utc::now().timestamp_millis())
        .await
        .expect("checkpoint");
}

/// Enroll `device` at `checkpoint` straight in the store, with a one-time code made for it; its
/// token is `token-<device>`.
pub async fn enroll_at(store: &Store, device: &str, checkpoint: &str) {
    let now_ms = Utc::now().timestamp_millis();
    let code = hash_token(&format!("CODE-{device}"));
    store
        .create_enroll_code(&code, checkpoint, "test", now_ms, now_ms + 60_000)
        .await
        .expect("an enrollment code");
    let token = hash_token(&format!("token-{device}"));
    store
        .enroll(&code, device, device, &token, now_ms)
        .await
        .expect("enrolled");
}
