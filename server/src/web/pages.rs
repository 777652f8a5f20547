//! Admin pages that read: devices and the audit log (and the device changes).

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;

use super::report::names;
use super::scope::{check_owned, CheckpointsInView};
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::state::AppState;

use crate::store::Owned;

pub async fn devices(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let held = state.store.quarantine_counts().await?;
    let in_view = CheckpointsInView::scoped(&state, &admin.scope).await?;
    let devices: Vec<_> = state
        .store
        .devices()
        .await?
        .into_iter()
        .filter(|d| in_view.holds(&d.checkpoint_id))
        .map(|d| {
            context! {
                device_id => d.device_id, label => d.label, checkpoint_id => d.checkpoint_id,
                last_seen => d.last_seen_ms.map(|t| local_time(&state, t)),
                last_batch => d.last_batch_at_ms.map(|t| local_time(&state, t)),
                last_batch_size => d.last_batch_size, backlog => d.backlog, last_seq => d.last_seq,
                missing => d.missing, n_gaps => d.n_gaps, n_breaks => d.n_breaks, n_rejected => d.n_rejected,
                released => d.released_at_ms.map(|t| local_time(&state, t)),
                disabled => d.disabled_at_ms.map(|t| local_time(&state, t)), disabled_by => d.disabled_by,
                held => held.get(&d.device_id).copied().unwrap_or(0),
                unknown_offset => d.unknown_offset,
                missing_photos => d.missing_photos,
                missing_photos_since => d.missing_photos_since_ms.map(|t| local_time(&state, t)),
            }
        })
        .collect();
    let names: HashMap<String, String> = names(&state).await?.into_iter().collect();
    page(
        &state,
        "devices.html",
        Some(&admin),
        context! { devices, names },
    )
}

pub async fn audit(State(state): State<AppState>, admin: Admin) -> Result<Response, WebError> {
    let entries: Vec<_> = state
        .store
        .audit_log(500)
        .await?
        .into_iter()
        .map(|e| context! { at => local_time(&state, e.at_ms), actor => e.actor, action => e.action, detail => e.detail })
        .collect();
    page(&state, "audit.html", Some(&admin), context! { entries })
}

#[derive(Debug, Deserialize)]
pub struct ReleaseForm {
    csrf: String,
    device_id: String,
    /// The second step: the "I confirm" box must be ticked.
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/devices/release`: let a reset or replaced phone enroll again under its id.
pub async fn release_device(
    State(state): State<AppState>,
    admin: Admin,
    axum::Form(f): axum::Form<ReleaseForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let device_id = f.device_id;
    check_owned(&state, &admin, Owned::Device(&device_id)).await?;
    if f.confirm != "yes" {
        return Err(WebError::BadRequest(
            "请勾选确认后再释放 Tick the confirmation box to release the device".into(),
        ));
    }
    let now = Utc::now().timestamp_millis();
    if !state
        .store
        .release_device(&device_id, &admin.username, now)
        .await?
    {
        return Err(WebError::BadRequest(format!(
            "设备 {device_id} 不存在或已释放 Device {device_id} does not exist or is already released"
        )));
    }
    tracing::info!(device_id, by = %admin.username, "device released for re-enrollment");
    Ok(axum::response::Redirect::to("/admin/devices").into_response())
}

/// `POST /admin/devices/disable` and `/admin/devices/enable`: switch a lost phone off (its token is
/// refused everywhere, it locks and deletes uploaded personal data at its next contact) or on again.
/// Two steps: the confirmation box must be ticked. Audited with the change.
pub async fn set_device_disabled(
    State(state): State<AppState>,
    admin: Admin,
    axum::extract::Path(verb): axum::extract::Path<String>,
    axum::Form(f): axum::Form<ReleaseForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    let disable = match verb.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(WebError::BadRequest(format!("unknown action {verb}"))),
    };
    if f.confirm != "yes" {
        return Err(WebError::BadRequest(
            "请勾选确认后再操作 Tick the confirmation box first".into(),
        ));
    }
    let device_id = f.device_id;
    check_owned(&state, &admin, Owned::Device(&device_id)).await?;
    let now = Utc::now().timestamp_millis();
    if !state
        .store
        .set_device_disabled(&device_id, disable, &admin.username, now)
        .await?
    {
        return Err(WebError::BadRequest(format!(
            "设备 {device_id} 不存在或已是该状态 Device {device_id} does not exist or is already in that state"
        )));
    }
    tracing::info!(device_id, disable, by = %admin.username, "device state changed");
    Ok(axum::response::Redirect::to("/admin/devices").into_response())
}
