//! The hostile-input campaign against the in-process router, shared by `server_attack.rs` (bounded, in
//! `cargo xtask test`) and `cargo xtask bench attack` (longer).
//!
//! Each generated case sends one batch mixing valid records with hostile ones (extreme numbers, huge
//! and tiny strings, NUL and format characters, wrong hashes, seqs at the limits) or a broken request
//! (unknown fields, wrong kinds, truncated or nested JSON, gzip bombs), plus a hostile report URL and
//! revocation cursor. After each case the server must still take a normal upload, a pull and a
//! login; no answer may be a 500; and every valid record of an accepted batch must be stored.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

mod cases;

use std::io::Write;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, Duration, Utc};
use district_server::{app, AppState};
use flate2::write::GzEncoder;
use sync_core::domain::GENESIS_HASH;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::{BatchRequest, BatchResponse, EnrollResponse, RecordStatus};
use sync_core::{Passage, PassageBody};
use tower::ServiceExt;
use uuid::Uuid;

use crate::server_support::send;

pub use cases::{case_strategy, Case, Field, Hostile, Mutation, SeqAt, Wire};

const DEVICE: &str = "dev-attack";

/// A server under attack, with what an honest device knows of its own chain.
pub struct Target {
    pub state: AppState,
    token: String,
    admin: (String, String),
    head: (u64, String),
    /// Ids of records the server stored, for the "reuse a stored id" attack.
    stored_ids: Vec<Uuid>,
    pub stats: Stats,
}

/// What a campaign did, for the test's message and the bench's JSON.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub cases: u64,
    pub requests: u64,
    pub hostile_records: u64,
    pub hostile_rejected: u64,
    pub valid_stored: u64,
    pub refused_requests: u64,
}

/// A first-started server on `url` with compound `c1`, checkpoint `cp-east` and one enrolled device.
pub async fn target(url: &str) -> Target {
    let config = district_server::Config {
        db: url.to_owned(),
        ..district_server::Config::default()
    };
    let (state, first) = district_server::setup::start(config)
        .await
        .expect("first start");
    let admin = first.new_admin.expect("a new admin on first start");
    state.store.upsert_compound("c1", "阳光小区").await.unwrap();
    let cp = district_server::store::Checkpoint {
        id: "cp-east".into(),
        compound_id: "c1".into(),
        name: "东门".into(),
        gates: vec!["east-1".into(), "east-2".into()],
    };
    let now = Utc::now().timestamp_millis();
    state.store.upsert_checkpoint(&cp, now).await.unwrap();
    // Another compound's checkpoint: this device must not record there.
    state.store.upsert_compound("c2", "和平小区").await.unwrap();
    let west = district_server::store::Checkpoint {
        id: "cp-west".into(),
        compound_id: "c2".into(),
        name: "西门".into(),
        gates: vec!["west-1".into()],
    };
    state.store.upsert_checkpoint(&west, now).await.unwrap();
    let code = district_server::auth::enrollment_code().unwrap();
    let hash = district_server::auth::hash_token(&code);
    state
        .store
        .create_enroll_code(&hash, "cp-east", "attack", now, now + 600_000)
        .await
        .unwrap();
    let body = serde_json::json!({ "code": code, "device_id": DEVICE, "label": "attack" });
    let req = Request::post("/api/v1/enroll")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, bytes) = send(&state, req).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let enrolled: EnrollResponse = serde_json::from_slice(&bytes).unwrap();
    Target {
        state,
        token: enrolled.device_token,
        admin,
        head: (0, GENESIS_HASH.to_owned()),
        stored_ids: Vec::new(),
        stats: Stats::default(),
    }
}

/// A plausible record of this device at `seq` (recorded a minute ago), not yet sealed.
fn body_at(seq: u64) -> PassageBody {
    let mut new = sample_passage(seq % 1_000, Utc::now());
    new.recorded_at = Utc::now() - Duration::minutes(1);
    PassageBody::new(Uuid::now_v7(), DEVICE, seq, new)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// 64 MiB of zeros, gzipped once (about 64 KiB on the wire).
fn gzip_bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| gzip(&vec![0u8; 64 << 20]))
}

impl Target {
    fn authed(&self, req: axum::http::request::Builder) -> axum::http::request::Builder {
        req.header(header::AUTHORIZATION, format!("Bearer {}", self.token))
    }

    async fn send(&mut self, req: Request<Body>) -> Result<(StatusCode, Vec<u8>), String> {
        let what = format!("{} {}", req.method(), req.uri());
        self.stats.requests += 1;
        let (status, bytes) = send(&self.state, req).await;
        if status.is_server_error() {
            return Err(format!(
                "{what} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        Ok((status, bytes))
    }

    /// `valid` sealed records continuing the honest chain.
    fn valid_records(&self, valid: usize) -> Vec<Passage> {
        let mut prev = self.head.1.clone();
        (1..=valid as u64)
            .map(|k| {
                let p = Passage::seal(body_at(self.head.0 + k), &prev);
                prev.clone_from(&p.hash);
                p
            })
            .collect()
    }

    /// Post `records` under `wire`; the server's per-record results when it took the batch.
    async fn post(
        &mut self,
        records: &[Passage],
        wire: &Wire,
    ) -> Result<Option<BatchResponse>, String> {
        let batch = BatchRequest::of_passages(DEVICE, records, 0);
        let json = serde_json::to_string(&batch).unwrap();
        let (encoding, body) = wire.encode(json, gzip, gzip_bomb);
        let mut req = self
            .authed(Request::post("/api/v2/entries"))
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(enc) = encoding {
            req = req.header(header::CONTENT_ENCODING, enc);
        }
        let (status, bytes) = self.send(req.body(Body::from(body)).unwrap()).await?;
        if status != StatusCode::OK {
            self.stats.refused_requests += 1;
            return Ok(None);
        }
        let resp: BatchResponse = serde_json::from_slice(&bytes)
            .map_err(|e| format!("a 200 batch answer is not a BatchResponse: {e}"))?;
        if resp.results.len() != records.len() {
            return Err(format!(
                "{} results for {} records",
                resp.results.len(),
                records.len()
            ));
        }
        Ok(Some(resp))
    }

    /// Move the honest head past every accepted record (hostile ones may be accepted too).
    fn follow(&mut self, records: &[Passage], resp: &BatchResponse) {
        for (p, r) in records.iter().zip(&resp.results) {
            if r.status == RecordStatus::Accepted {
                self.stored_ids.push(p.body.id);
                if p.body.seq > self.head.0 {
                    self.head = (p.body.seq, p.hash.clone());
                }
            }
        }
    }

    async fn stored(&self, ids: &[Uuid]) -> i64 {
        if ids.is_empty() {
            return 0;
        }
        let list: Vec<String> = ids.iter().map(|id| format!("'{id}'")).collect();
        let sql = format!(
            "SELECT COUNT(*) FROM passages WHERE id IN ({})",
            list.join(", ")
        );
        self.state.store.count_query(&sql).await.unwrap()
    }

    /// One attack case, then the health checks. `Err` describes the first broken promise.
    pub async fn run(&mut self, case: &Case) -> Result<(), String> {
        self.stats.cases += 1;
        let valid = self.valid_records(case.valid);
        // A batch spoilt on the wire holds no valid record, whatever it was made from.
        let valid_ids: Vec<Uuid> = match case.wire.spoils_every_record() {
            true => Vec::new(),
            false => valid.iter().map(|p| p.body.id).collect(),
        };
        let mut records = valid.clone();
        for h in &case.hostile {
            let p = h.mutation.record(self, case.valid as u64);
            records.insert(h.at % (records.len() + 1), p);
        }
        self.stats.hostile_records += case.hostile.len() as u64;
        let answer = self.post(&records, &case.wire).await?;
        match answer {
            Some(resp) => {
                for (p, r) in records.iter().zip(&resp.results) {
                    let is_valid = valid_ids.contains(&p.body.id);
                    let kept = matches!(r.status, RecordStatus::Quarantined { .. });
                    if case.wire.spoils_every_record() && !kept {
                        return Err(format!("a record spoilt on the wire got {:?}", r.status));
                    }
                    match (&r.status, is_valid) {
                        (RecordStatus::Accepted, _) => {}
                        (status, true) => {
                            return Err(format!("valid record seq {} got {status:?}", p.body.seq))
                        }
                        (RecordStatus::Quarantined { .. }, false) => {
                            self.stats.hostile_rejected += 1;
                        }
                        (RecordStatus::Rejected { reason }, false) => {
                            return Err(format!(
                                "a record was refused without being kept: {reason}"
                            ))
                        }
                        (RecordStatus::Duplicate, false) => {}
                    }
                }
                self.follow(&records, &resp);
                let n = self.stored(&valid_ids).await;
                if n != valid_ids.len() as i64 {
                    return Err(format!("{n} of {} valid records stored", valid_ids.len()));
                }
                self.stats.valid_stored += valid_ids.len() as u64;
            }
            None if case.wire.must_be_taken() => {
                return Err(format!("a well-formed batch ({:?}) was refused", case.wire))
            }
            None => {
                if self.stored(&valid_ids).await != 0 {
                    return Err("a refused batch stored records".into());
                }
            }
        }
        self.probe_urls(case).await?;
        self.still_serving().await
    }

    /// Hostile query strings on the report and the revocation pull: never a 500.
    async fn probe_urls(&mut self, case: &Case) -> Result<(), String> {
        let since = cases::url_encode(&case.since);
        let req = self
            .authed(Request::get(format!("/api/v1/revocations?since={since}")))
            .body(Body::empty())
            .unwrap();
        self.send(req).await?;
        let cookie = self.login().await?;
        let day = cases::url_encode(&case.report_day);
        for path in ["/admin/report", "/admin/report.csv"] {
            let req = Request::get(format!("{path}?day={day}"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap();
            self.send(req).await?;
        }
        Ok(())
    }

    /// Log in as the admin; the session cookie.
    async fn login(&mut self) -> Result<String, String> {
        let form = format!(
            "username={}&password={}",
            cases::url_encode(&self.admin.0),
            cases::url_encode(&self.admin.1)
        );
        let req = Request::post("/admin/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        self.stats.requests += 1;
        if resp.status() != StatusCode::SEE_OTHER {
            return Err(format!("admin login answered {}", resp.status()));
        }
        resp.headers()
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_owned)
            .ok_or_else(|| "admin login set no cookie".into())
    }

    /// A normal upload, the pulls and `/health` all still work.
    async fn still_serving(&mut self) -> Result<(), String> {
        let one = self.valid_records(1);
        let resp = self
            .post(&one, &Wire::Plain)
            .await?
            .ok_or("a normal upload was refused after the attack")?;
        if resp.results[0].status != RecordStatus::Accepted {
            return Err(format!(
                "a normal upload got {:?} after the attack",
                resp.results[0].status
            ));
        }
        self.follow(&one, &resp);
        for path in [
            "/api/v1/keys",
            "/api/v1/revocations?since=0",
            "/api/v1/config",
        ] {
            let req = self.authed(Request::get(path)).body(Body::empty()).unwrap();
            let (status, _) = self.send(req).await?;
            if status != StatusCode::OK {
                return Err(format!("GET {path} answered {status} after the attack"));
            }
        }
        let (_, bytes) = self
            .send(Request::get("/health").body(Body::empty()).unwrap())
            .await?;
        let health: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if health["status"] != "ok" {
            return Err(format!("/health says {health} after the attack"));
        }
        self.login().await.map(|_| ())
    }

    /// The honest head seq and hash, and a stored id to reuse (if any).
    pub(crate) fn head(&self) -> (u64, &str) {
        (self.head.0, &self.head.1)
    }

    pub(crate) fn a_stored_id(&self, pick: usize) -> Option<Uuid> {
        (!self.stored_ids.is_empty()).then(|| self.stored_ids[pick % self.stored_ids.len()])
    }
}

/// Run `n` generated cases on `url` with proptest's runner; returns the stats and the wall time.
pub fn campaign(
    rt: &tokio::runtime::Runtime,
    url: &str,
    n: u32,
) -> Result<(Stats, std::time::Duration), String> {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let target = std::cell::RefCell::new(rt.block_on(target(url)));
    let mut runner = TestRunner::new(Config {
        cases: n,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let result = runner.run(&case_strategy(), |case| {
        let mut t = target.borrow_mut();
        rt.block_on(t.run(&case)).map_err(TestCaseError::fail)
    });
    let elapsed = started.elapsed();
    let stats = target.borrow().stats.clone();
    result.map_err(|e| format!("{e}\nafter {stats:?}"))?;
    Ok((stats, elapsed))
}

/// `DateTime` at the given seconds, clamped into chrono's calendar.
pub(crate) fn at_seconds(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or(if secs < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}
