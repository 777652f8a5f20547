//! The incident list of the admin web: what the gates reported (urgent new ones first), with
//! photos, and handling — take it (in hand) or close it, with a note; each change audited.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Utc;
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::i18n::Lang;
use sync_core::validate::check_text;

use super::scope::check_owned;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::state::AppState;
use crate::store::{IncidentFilter, IncidentRow, IncidentStatus, Owned};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    compound: Option<String>,
    status: Option<String>,
}

/// One incident as the templates show it.
pub fn incident_view(state: &AppState, i: &IncidentRow) -> Value {
    let next: Vec<Value> = i
        .status
        .next()
        .iter()
        .map(
            |s| context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En) },
        )
        .collect();
    context! {
        entry_id => i.entry_id, checkpoint_id => i.checkpoint_id, compound_id => i.compound_id,
        category => i.category.as_str(),
        category_zh => i.category.label(Lang::ZhCn), category_en => i.category.label(Lang::En),
        urgent => i.urgent, note => i.note, staff => i.staff, device_id => i.device_id,
        at => local_time(state, i.corrected_at_ms),
        status => i.status.as_str(),
        status_zh => i.status.label(Lang::ZhCn), status_en => i.status.label(Lang::En),
        handled_by => i.handled_by, handling_note => i.handling_note,
        handled_at => i.handled_at_ms.map(|t| local_time(state, t)),
        photos => i.photos, next,
    }
}

/// `GET /admin/incidents`
pub async fn list(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let compound = admin.compound_view(q.compound.as_deref())?;
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(word) => Some(
            IncidentStatus::parse(word)
                .ok_or_else(|| WebError::BadRequest(format!("状态 status {word:?}")))?,
        ),
        None => None,
    };
    let rows = state
        .store
        .incidents(IncidentFilter {
            compound: compound.as_deref(),
            status,
            urgent_only: false,
        })
        .await?;
    let incidents: Vec<Value> = rows.iter().map(|i| incident_view(&state, i)).collect();
    let statuses: Vec<Value> = IncidentStatus::ALL
        .into_iter()
        .map(
            |s| context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En) },
        )
        .collect();
    page(
        &state,
        "incidents.html",
        Some(&admin),
        context! {
            incidents, statuses, compounds => admin.own_compounds(state.store.compounds().await?),
            compound, status => status.map(IncidentStatus::as_str),
        },
    )
}

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    csrf: String,
    to: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/incidents/{entry_id}/status`
pub async fn set_status(
    State(state): State<AppState>,
    admin: Admin,
    Path(entry_id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    check_owned(&state, &admin, Owned::Incident(&entry_id)).await?;
    let to = IncidentStatus::parse(&f.to)
        .filter(|s| *s != IncidentStatus::New)
        .ok_or_else(|| WebError::BadRequest(format!("状态 status {:?}", f.to)))?;
    let note = f.note.trim();
    check_text(note, 200).map_err(|_| {
        WebError::BadRequest("处理说明最多200字 The note is at most 200 characters".into())
    })?;
    let changed = state
        .store
        .set_incident_status(
            &entry_id,
            to,
            note,
            &admin.username,
            Utc::now().timestamp_millis(),
        )
        .await?;
    if !changed {
        return Err(WebError::BadRequest(
            "该事件不能改为此状态（已处理或不存在） This incident cannot move to that status (already handled, or unknown)"
                .into(),
        ));
    }
    Ok(Redirect::to("/admin/incidents").into_response())
}
