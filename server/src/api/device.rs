//! Device endpoints: enrollment, checkpoint config, batch ingest, key set, revocation and roster pulls.

use axum::body::Body;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::Json;
use chrono::Utc;
use serde::Deserialize;
use sync_core::protocol::{
    BatchRequest, BatchResponse, CheckpointConfig, CompoundName, ConfigResponse, DisabledNotice,
    EnrollRequest, EnrollResponse, KeySetResponse, RecordStatus, RevocationsResponse,
    RosterResponse,
};
use sync_core::signed::batch_digest;
use sync_core::validate::{check_text, clean_text};

use super::body::read_body;
use crate::auth::{hash_token, random_token};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::RoutesOf;
use crate::store::{Checkpoint, Device, EnrollOutcome};

/// The device behind a valid `Authorization: Bearer <token>`.
pub struct AuthedDevice(pub Device);

impl FromRequestParts<AppState> for AuthedDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let device = state
            .store
            .device_by_token(&hash_token(token))
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if let Some(at_ms) = device.disabled_at_ms {
            tracing::warn!(device_id = %device.device_id, "request from a disabled device refused");
            let notice = DisabledNotice {
                code: DisabledNotice::CODE.into(),
                message: "this device has been disabled by the district; its gate screens are \
                          locked until an administrator enables it again"
                    .into(),
                device_id: device.device_id,
                disabled_at: chrono::DateTime::from_timestamp_millis(at_ms).unwrap_or_default(),
                signature: String::new(),
            };
            return Err(ApiError::Disabled(Box::new(state.root.sign(notice))));
        }
        Ok(Self(device))
    }
}

async fn checkpoint_config(state: &AppState, cp: Checkpoint) -> Result<CheckpointConfig, ApiError> {
    let compounds: Vec<CompoundName> = state
        .store
        .compounds()
        .await?
        .into_iter()
        .map(|(id, name)| CompoundName { id, name })
        .collect();
    let compound_name = compounds
        .iter()
        .find(|c| c.id == cp.compound_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let rules = state.store.compound_rules(&cp.compound_id).await?;
    let patrol_routes = state
        .store
        .patrol_routes(RoutesOf::Checkpoint(&cp.id))
        .await?;
    let notices = state
        .store
        .notices_for(&cp, Utc::now().timestamp_millis())
        .await?;
    let staff = state.store.roster_for(&cp.compound_id).await?;
    Ok(CheckpointConfig {
        checkpoint_id: cp.id,
        checkpoint_name: cp.name,
        compound_id: cp.compound_id,
        compound_name,
        compounds,
        gates: cp.gates,
        fever_threshold_c: state.config.fever_threshold_c,
        retention_days: state.config.retention_days,
        utc_offset_minutes: state.config.utc_offset_minutes,
        server_time: Utc::now(),
        revocations_warn_hours: state.config.revocations_warn_hours,
        revocations_amber_hours: state.config.revocations_amber_hours,
        rules,
        photo_max_bytes: state.config.photo_max_bytes,
        patrol_routes,
        handbook: state.store.handbook().await?,
        notices,
        staff,
    })
}

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON for this call: {e}")))
}

/// `POST /api/v1/enroll`
pub async fn enroll(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<EnrollResponse>, ApiError> {
    let bytes = read_body(&headers, body, &state.config.batch_limits()).await?;
    let req: EnrollRequest = parse_json(&bytes)?;
    let device_id = req.device_id.trim();
    if device_id.is_empty() || check_text(device_id, 64).is_err() {
        return Err(ApiError::BadRequest(
            "device_id must be 1–64 printable characters".into(),
        ));
    }
    let label = clean_text(&req.label, 64);
    let token = random_token(32).map_err(|e| ApiError::Internal(e.to_string()))?;
    let now_ms = Utc::now().timestamp_millis();
    let outcome = state
        .store
        .enroll(
            &hash_token(&req.code),
            device_id,
            &label,
            &hash_token(&token),
            now_ms,
        )
        .await?;
    let cp = match outcome {
        EnrollOutcome::Enrolled(cp) => cp,
        EnrollOutcome::BadCode => {
            return Err(ApiError::Forbidden(
                "the enrollment code is unknown, used or expired".into(),
            ))
        }
        EnrollOutcome::DeviceTaken => {
            tracing::warn!(device_id, "enrollment refused: device id already enrolled");
            return Err(ApiError::Conflict(
                "this device id is already enrolled; an administrator must release it on the \
                 devices page before it can enroll again (the code was not used)"
                    .into(),
            ));
        }
    };
    tracing::info!(device_id, checkpoint = %cp.id, "device enrolled");
    Ok(Json(EnrollResponse {
        device_token: token,
        district_id: state.config.district_id.clone(),
        checkpoint: checkpoint_config(&state, cp).await?,
        root_public_key: state.root.public_key_hex(),
    }))
}

/// `?nonce=N`: the device's random value that a signed answer must repeat (hex, at most 64).
#[derive(Debug, Deserialize)]
pub struct Nonce {
    #[serde(default)]
    nonce: String,
}

impl Nonce {
    pub(super) fn checked(self) -> Result<String, ApiError> {
        if self.nonce.len() > 64 || !self.nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ApiError::BadRequest(
                "nonce must be at most 64 hex characters".into(),
            ));
        }
        Ok(self.nonce)
    }
}

/// `GET /api/v1/config?nonce=N`, signed
pub async fn config(
    State(state): State<AppState>,
    AuthedDevice(device): AuthedDevice,
    Query(q): Query<Nonce>,
) -> Result<Json<ConfigResponse>, ApiError> {
    let nonce = q.checked()?;
    let cp = state
        .store
        .checkpoint(&device.checkpoint_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // A device pulls its config only after a complete upload: it is fully synced now.
    state
        .store
        .mark_device_synced(&device.device_id, Utc::now().timestamp_millis())
        .await?;
    Ok(Json(state.root.sign(ConfigResponse {
        config: checkpoint_config(&state, cp).await?,
        nonce,
        signature: String::new(),
    })))
}

/// `POST /api/v2/entries`: a batch of journal entries; per-record results; a bad record never
/// drops the good ones.
pub async fn entries(
    State(state): State<AppState>,
    AuthedDevice(device): AuthedDevice,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<BatchResponse>, ApiError> {
    let limits = state.config.batch_limits();
    let bytes = read_body(&headers, body, &limits).await?;
    let batch: BatchRequest = parse_json(&bytes)?;
    if batch.device_id != device.device_id {
        return Err(ApiError::Forbidden(
            "the batch's device_id is not the token's device".into(),
        ));
    }
    if batch.entries.len() > limits.max_records {
        return Err(ApiError::TooLarge(limits));
    }
    let now = Utc::now();
    let n = batch.entries.len();
    let results = state
        .store
        .ingest_entries(
            &device.device_id,
            batch.entries,
            batch.backlog,
            now,
            state.config.retention_days,
        )
        .await?;
    let quarantined = results
        .iter()
        .filter(|r| matches!(r.status, RecordStatus::Quarantined { .. }))
        .count();
    tracing::info!(device_id = %device.device_id, records = n, quarantined, "batch stored");
    Ok(Json(state.root.sign(BatchResponse {
        results,
        server_time: now,
        batch_sha: batch_digest(&bytes),
        signature: String::new(),
    })))
}

/// `GET /api/v1/keys?nonce=N`, signed
pub async fn keys(
    State(state): State<AppState>,
    AuthedDevice(_): AuthedDevice,
    Query(q): Query<Nonce>,
) -> Result<Json<KeySetResponse>, ApiError> {
    let nonce = q.checked()?;
    let district_id = state.config.district_id.clone();
    let keys = state.store.key_set(&district_id).await?;
    Ok(Json(state.root.sign(KeySetResponse {
        district_id,
        keys,
        nonce,
        signature: String::new(),
    })))
}

#[derive(Debug, Deserialize)]
pub struct Since {
    #[serde(default)]
    since: u64,
    /// Roster pulls: other gates' exits received after this (ms).
    #[serde(default)]
    exits_since: i64,
    #[serde(default)]
    nonce: String,
}

/// `GET /api/v1/revocations?since=V&nonce=N`, signed
pub async fn revocations(
    State(state): State<AppState>,
    AuthedDevice(_): AuthedDevice,
    Query(q): Query<Since>,
) -> Result<Json<RevocationsResponse>, ApiError> {
    let nonce = Nonce { nonce: q.nonce }.checked()?;
    let (version, revocations) = state.store.revocations_since(q.since).await?;
    Ok(Json(state.root.sign(RevocationsResponse {
        since: q.since,
        version,
        revocations,
        nonce,
        signature: String::new(),
    })))
}

/// `GET /api/v1/roster?since=V&nonce=N`, signed: the device's compound's roster changes after `V`.
pub async fn roster(
    State(state): State<AppState>,
    AuthedDevice(device): AuthedDevice,
    Query(q): Query<Since>,
) -> Result<Json<RosterResponse>, ApiError> {
    let nonce = Nonce { nonce: q.nonce }.checked()?;
    let cp = state
        .store
        .checkpoint(&device.checkpoint_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (version, entries) = state.store.roster_since(&cp.compound_id, q.since).await?;
    // Other gates' exits only where a quota counts them, and only within its window.
    let (exits_cursor, exits) = match state
        .store
        .compound_rules(&cp.compound_id)
        .await?
        .exit_quota
    {
        Some(quota) => {
            let window = chrono::Duration::days(i64::from(quota.days));
            let from = Utc::now().checked_sub_signed(window).unwrap_or_default();
            state
                .store
                .compound_exits(&cp.compound_id, q.exits_since, from.timestamp_millis())
                .await?
        }
        None => (q.exits_since, Vec::new()),
    };
    Ok(Json(state.root.sign(RosterResponse {
        compound_id: cp.compound_id,
        since: q.since,
        version,
        entries,
        exits,
        exits_cursor,
        nonce,
        signature: String::new(),
    })))
}
