//! Admin pages that read: the live dashboard, the daily report (page and CSV), devices and the audit log.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use minijinja::context;
use serde::Deserialize;

use super::scope::{check_owned, CheckpointsInView};
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{
    hourly_svg, local_day, report_csv as to_csv, reportable_day, DailyReport, Glance, PatrolDay,
};
use crate::state::AppState;
use sync_core::i18n::Lang;
use sync_core::patrol::RoundStatus;
use sync_core::validate::mask_name;

use crate::store::{IncidentFilter, IncidentStatus, Owned};

#[derive(Debug, Default, Deserialize)]
pub struct CompoundQuery {
    compound: Option<String>,
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
                name => if admin.sees_personal_data() { f.name } else { mask_name(&f.name) },
                temperature_c => format!("{:.1}", f.temperature_c),
            }
        })
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
            refresh => 30, compound => view, compounds => choices,
            day => local_day(now, state.config.utc_offset_minutes).to_string(),
            chart => hourly_svg(&g.hourly),
            silent_minutes => state.config.silent_after_minutes,
            g => context! {
                total_in => g.total_in, total_out => g.total_out,
                residents_out => g.residents_out, visitors_inside => g.visitors_inside,
                fever_alerts => g.fever_alerts, denied => g.denied, silent_devices => silent,
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

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    day: Option<String>,
    compound: Option<String>,
}

async fn load_report(
    state: &AppState,
    admin: &Admin,
    q: &ReportQuery,
) -> Result<DailyReport, WebError> {
    let day = match q.day.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|day| reportable_day(*day))
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "日期应为 2000–2999 年的 YYYY-MM-DD Date must be YYYY-MM-DD in 2000–2999: {d:?}"
                ))
            })?,
        None => local_day(Utc::now(), state.config.utc_offset_minutes),
    };
    let compound = admin.compound_view(q.compound.as_deref())?;
    Ok(DailyReport::compute(&state.store, &state.config, day, compound.as_deref()).await?)
}

async fn names(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    Ok(state
        .store
        .checkpoints()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

pub async fn report(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let r = load_report(&state, &admin, &q).await?;
    let compounds = admin.own_compounds(state.store.compounds().await?);
    let compound_name = compounds
        .iter()
        .find(|(id, _)| Some(id) == r.compound_id.as_ref())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    let names: HashMap<String, String> = names(&state).await?.into_iter().collect();
    let incidents: Vec<_> = r
        .incidents
        .iter()
        .map(|(c, n)| context! { zh => c.label(Lang::ZhCn), en => c.label(Lang::En), n })
        .collect();
    let patrol: Vec<_> = r
        .patrol
        .by_status
        .iter()
        .map(|(s, n)| {
            context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En), n }
        })
        .collect();
    page(
        &state,
        "report.html",
        Some(&admin),
        context! {
            r, compounds, compound_name, names, patrol, incidents,
            incident_total => r.incidents.iter().map(|(_, n)| n).sum::<u64>(),
            health_missing => r.health.not_checked_in(),
        },
    )
}

pub async fn report_csv(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let r = load_report(&state, &admin, &q).await?;
    let csv = to_csv(&r, &names(&state).await?).map_err(|e| WebError::Internal(e.to_string()))?;
    let scope = r.compound_id.clone().unwrap_or_else(|| "all".into());
    state
        .store
        .audit(
            &admin.username,
            "export",
            &format!("daily report CSV {} {scope}", r.day),
            Utc::now().timestamp_millis(),
        )
        .await?;
    let filename = format!("report-{}-{scope}.csv", r.day);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        // A byte-order mark so spreadsheet programs read the Chinese text as UTF-8.
        format!("\u{feff}{csv}"),
    )
        .into_response())
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
