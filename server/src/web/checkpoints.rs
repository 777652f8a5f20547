//! Admin pages for compounds, checkpoints, device enrollment codes (with QR) and visitor posters.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use minijinja::context;
use serde::Deserialize;
use sync_core::render::qr_svg;

use super::session::Admin;
use super::{page, WebError};
use crate::auth::{enrollment_code, hash_token};
use crate::state::AppState;
use crate::store::{Checkpoint, EnrollCode};

const ENROLL_CODE_MINUTES: i64 = 30;

fn valid_id(id: &str) -> bool {
    (1..=16).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub async fn list(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let checkpoints: Vec<_> = state
        .store
        .checkpoints()
        .await?
        .into_iter()
        .filter(|c| admin.scope.holds(&c.compound_id))
        .map(|c| context! { id => c.id, name => c.name, compound_id => c.compound_id, gates => c.gates })
        .collect();
    let compounds = admin.own_compounds(state.store.compounds().await?);
    page(
        &state,
        "checkpoints.html",
        Some(&admin),
        context! { checkpoints, compounds },
    )
}

#[derive(Debug, Deserialize)]
pub struct CheckpointForm {
    csrf: String,
    id: String,
    name: String,
    compound_id: String,
    gates: String,
}

pub async fn save(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<CheckpointForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let id = f.id.trim();
    admin.check_compound(&f.compound_id)?;
    if let Some(existing) = state.store.checkpoint(id).await? {
        admin.check_compound(&existing.compound_id)?;
    }
    if !valid_id(id) {
        return Err(WebError::BadRequest(
            "ID 只能用小写字母、数字和-（1–16位） lowercase letters, digits and - only".into(),
        ));
    }
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(WebError::BadRequest(
            "名称必填，最多40字 name is required, at most 40 characters".into(),
        ));
    }
    if !state
        .store
        .compounds()
        .await?
        .iter()
        .any(|(c, _)| *c == f.compound_id)
    {
        return Err(WebError::BadRequest(
            "请先新增小区 add the compound first".into(),
        ));
    }
    let gates: Vec<String> = f
        .gates
        .split([',', '，'])
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    let cp = Checkpoint {
        id: id.into(),
        compound_id: f.compound_id,
        name: name.into(),
        gates,
    };
    let now = Utc::now().timestamp_millis();
    state
        .store
        .save_checkpoint(&cp, &admin.username, now)
        .await?;
    Ok(Redirect::to("/admin/checkpoints").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CompoundForm {
    csrf: String,
    id: String,
    name: String,
}

pub async fn save_compound(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<CompoundForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let (id, name) = (f.id.trim(), f.name.trim());
    if !valid_id(id) || name.is_empty() || name.chars().count() > 40 {
        return Err(WebError::BadRequest(
            "ID 只能用小写字母、数字和-，名称必填 invalid id or empty name".into(),
        ));
    }
    let now = Utc::now().timestamp_millis();
    state
        .store
        .save_compound(id, name, &admin.username, now)
        .await?;
    Ok(Redirect::to("/admin/checkpoints").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// A one-time enrollment code for a checkpoint, shown as text and as a QR for the phone.
pub async fn new_enroll_code(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let checkpoint = state
        .store
        .checkpoint(&id)
        .await?
        .ok_or(WebError::NotFound)?;
    admin.check_compound(&checkpoint.compound_id)?;
    let code = enrollment_code().map_err(|e| WebError::Internal(e.to_string()))?;
    let now = Utc::now();
    let expires = now + Duration::minutes(ENROLL_CODE_MINUTES);
    state
        .store
        .issue_enroll_code(&EnrollCode {
            code_hash: &hash_token(&code),
            checkpoint_id: &id,
            created_by: &admin.username,
            now_ms: now.timestamp_millis(),
            expires_at_ms: expires.timestamp_millis(),
        })
        .await?;
    // The phone pins the district root key, and this server's own certificate when it has one.
    let mut qr_json = serde_json::json!({
        "server": state.config.public_url,
        "code": code,
        "root": state.root.fingerprint(),
    });
    if let Some(tls) = &state.tls_pin {
        qr_json["tls"] = tls.as_str().into();
    }
    let qr_payload = qr_json.to_string();
    let qr = qr_svg(&qr_payload).map_err(|e| WebError::Internal(e.to_string()))?;
    page(
        &state,
        "enroll_code.html",
        Some(&admin),
        context! { checkpoint => context! { name => checkpoint.name }, code, qr, minutes => ENROLL_CODE_MINUTES, server => state.config.public_url.clone() },
    )
}

/// A printable poster with the checkpoint's self-registration QR.
pub async fn poster(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let checkpoint = state
        .store
        .checkpoint(&id)
        .await?
        .ok_or(WebError::NotFound)?;
    admin.check_compound(&checkpoint.compound_id)?;
    let url = format!(
        "{}/register/{}",
        state.config.public_url.trim_end_matches('/'),
        checkpoint.id
    );
    let qr = qr_svg(&url).map_err(|e| WebError::Internal(e.to_string()))?;
    page(
        &state,
        "poster.html",
        Some(&admin),
        context! { name => checkpoint.name, url, qr },
    )
}
