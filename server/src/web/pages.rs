//! Admin pages that read: the live dashboard, devices and the audit log (and the device changes).

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::context;
use serde::Deserialize;

use super::report::names;
use super::scope::{check_owned, CheckpointsInView};
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{hourly_svg, local_day, Glance, PatrolDay};
use crate::state::AppState;
use sync_core::patrol::RoundStatus;

use crate::store::{IncidentFilter, IncidentStatus, Owned};

#[derive(Debug, Default, Deserialize)]
pub struct CompoundQuery {
    pub compound: Option<String>,
}

/// `GET /admin`: today at a glance, for the whole district or one compound (`?compound=`); a
/// compound manager sees one of theirs.
pub async fn dashboard(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    let now = Utc::now();
    let view = admin.compound_view(q.compound.as_deref())?;
    let narrowed = view.as_deref();
    let g = Glance::compute(&state.store, &state.config, now, narrowed).await?;
    let choices = admin.own_compounds(state.store.compounds().await?);
    let compounds: Vec<String> = choices
        .iter()
        .map(|(id, _)| id.clone())
        .filter(|id| narrowed.is_none_or(|v| v == id))
        .collect();
    let offset = state.config.utc_offset_minutes;
    let patrol = PatrolDay::compute(
        &state.store,
        &compounds,
        local_day(now, offset),
        now,
        offset,
    )
    .await?;
    let in_view = CheckpointsInView::load(&state, narrowed).await?;
    let urgent: Vec<_> = state
        .store
        .incidents(IncidentFilter {
            compound: narrowed,
            status: Some(IncidentStatus::New),
            urgent_only: true,
        })
        .await?
        .iter()
        .map(|i| super::incidents::incident_view(&state, i))
        .collect();
    let new_incidents = state.store.new_incident_count(narrowed).await?;
    let unread_notices =
        super::notices::overdue_views(&state, now.timestamp_millis(), &in_view).await?;
    let unstaffed: Vec<_> =
        crate::report::unstaffed(&state.store, now, state.config.utc_offset_minutes)
            .await?
            .into_iter()
            .filter(|(cp, _)| in_view.holds(cp))
            .collect();
    let today = local_day(now, state.config.utc_offset_minutes);
    let flagged_checkins: Vec<_> = state
        .store
        .flagged_checkins(today, today)
        .await?
        .into_iter()
        .filter(|f| narrowed.is_none_or(|c| c == f.compound_id))
        .map(|f| {
            context! {
                compound_id => f.compound_id, household => f.household,
                name => admin.shown_name(&f.name),
                temperature_c => format!("{:.1}", f.temperature_c),
            }
        })
        .collect();
    let anomalies: Vec<_> = super::anomalies::of_compounds(
        &state,
        choices
            .iter()
            .filter(|(id, _)| narrowed.is_none_or(|v| v == id))
            .cloned()
            .collect(),
        now,
    )
    .await?
    .iter()
    .map(super::anomalies::counts)
    .collect();
    let silent: Vec<_> = g
        .silent_devices
        .iter()
        .map(|(d, c, m)| (d.clone(), c.clone(), *m))
        .collect();
    page(
        &state,
        "dashboard.html",
        Some(&admin),
        context! {
            refresh => 30, compound => view, compounds => choices, anomalies,
            day => local_day(now, state.config.utc_offset_minutes).to_string(),
            chart => hourly_svg(&g.hourly),
            silent_minutes => state.config.silent_after_minutes,
            g => context! {
                total_in => g.total_in, total_out => g.total_out,
                residents_out => g.residents_out, visitors_inside => g.visitors_inside,
                fever_alerts => g.fever_alerts, denied => g.denied, silent_devices => silent,
                occupants_in => g.vehicle_occupants.0, occupants_out => g.vehicle_occupants.1,
            },
            urgent_incidents => urgent, new_incidents, unread_notices, unstaffed, flagged_checkins,
            ack_minutes => state.config.notice_ack_minutes,
            patrol => context! {
                done => patrol.done, due => patrol.due,
                missed => patrol.count(RoundStatus::Missed),
                unknown => patrol.count(RoundStatus::Unknown),
            },
        },
    )
}

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
