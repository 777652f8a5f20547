//! The quarantine review page: refused records waiting for an administrator, accept or discard.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, NaiveDateTime, Utc};
use minijinja::context;
use serde::Deserialize;

use super::scope::{check_owned, CheckpointsInView};
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::state::AppState;
use crate::store::{Decision, Owned, ReviewOutcome};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    device: Option<String>,
}

/// `GET /admin/quarantine[?device=ID]`
pub async fn list(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let device = q.device.filter(|d| !d.is_empty());
    if let Some(d) = &device {
        check_owned(&state, &admin, Owned::Device(d)).await?;
    }
    let devices = state.store.devices().await?;
    let in_view = CheckpointsInView::scoped(&state, &admin.scope).await?;
    let records: Vec<_> = state
        .store
        .quarantined(device.as_deref(), 500, state.config.retention_days)
        .await?
        .into_iter()
        .filter(|r| {
            devices
                .iter()
                .any(|d| d.device_id == r.device_id && in_view.holds(&d.checkpoint_id))
        })
        .map(|r| {
            context! {
                pk => r.pk, device_id => r.device_id, seq => r.seq, kind => r.kind, reason => r.reason,
                recorded_at => r.recorded_at_ms.map(|t| local_time(&state, t)),
                received_at => local_time(&state, r.received_at_ms),
                suggested_at => local_time(&state, r.suggested_at_ms),
            }
        })
        .collect();
    page(
        &state,
        "quarantine.html",
        Some(&admin),
        context! { records, device },
    )
}

#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    pk: i64,
    action: String,
    #[serde(default)]
    at: String,
}

/// A district-local `YYYY-MM-DD HH:MM` as UTC milliseconds.
fn parse_local(state: &AppState, at: &str) -> Result<Option<i64>, WebError> {
    let at = at.trim();
    if at.is_empty() {
        return Ok(None);
    }
    let local = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M")
        .ok()
        .filter(|t| crate::report::reportable_day(t.date()))
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "时间格式应为 YYYY-MM-DD HH:MM Time must be YYYY-MM-DD HH:MM: {at:?}"
            ))
        })?;
    let utc = local.and_utc() - Duration::minutes(i64::from(state.config.utc_offset_minutes));
    Ok(Some(utc.timestamp_millis()))
}

/// `POST /admin/quarantine/review`: accept (at the time given) or discard one kept record.
pub async fn review(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<ReviewForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Quarantined(f.pk)).await?;
    let decision = match f.action.as_str() {
        "accept" => Decision::Accept {
            recorded_at_ms: parse_local(&state, &f.at)?,
        },
        "discard" => Decision::Discard,
        other => return Err(WebError::BadRequest(format!("unknown action {other:?}"))),
    };
    let outcome = state
        .store
        .review_quarantined(
            f.pk,
            decision,
            &admin.username,
            Utc::now(),
            state.config.retention_days,
        )
        .await?;
    match outcome {
        ReviewOutcome::Done => Ok(Redirect::to("/admin/quarantine").into_response()),
        ReviewOutcome::NotHeld => Err(WebError::BadRequest(
            "该记录不存在或已处理 The record does not exist or was decided already".into(),
        )),
        ReviewOutcome::CannotAccept(reason) => Err(WebError::BadRequest(format!(
            "无法接受该记录 This record cannot be accepted: {reason}"
        ))),
    }
}
