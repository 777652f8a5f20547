//! The live dashboard (`GET /admin`): today at a glance for the district or one compound. Its three
//! parts — the day's numbers, the watch lists (patrol, incidents, notices, unstaffed gates, flagged
//! check-ins) and the anomaly counts with the day's sign-offs — are read concurrently, each on its
//! own pooled connection.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use minijinja::{context, Value};
use sync_core::patrol::RoundStatus;

use super::scope::{CheckpointsInView, CompoundQuery};
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{hourly_svg, local_day, Glance, PatrolDay};
use crate::state::AppState;
use crate::store::{IncidentFilter, IncidentStatus};

/// What the dashboard is about: who asks, now, and the compounds in view.
struct View<'a> {
    state: &'a AppState,
    admin: &'a Admin,
    now: DateTime<Utc>,
    /// One compound asked for (or the manager's), or `None` for all the account's.
    narrowed: Option<&'a str>,
    /// `(id, name)` of the compounds shown.
    compounds: Vec<(String, String)>,
}

impl View<'_> {
    fn ids(&self) -> Vec<String> {
        self.compounds.iter().map(|(id, _)| id.clone()).collect()
    }
}

/// `GET /admin`: today at a glance, for the whole district or one compound (`?compound=`); a
/// compound manager sees one of theirs.
pub async fn dashboard(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    let compound = admin.compound_view(q.compound.as_deref())?;
    let choices = admin.own_compounds(state.store.compounds().await?);
    let narrowed = compound.as_deref();
    let v = View {
        state: &state,
        admin: &admin,
        now: Utc::now(),
        narrowed,
        compounds: choices
            .iter()
            .filter(|(id, _)| narrowed.is_none_or(|c| c == id))
            .cloned()
            .collect(),
    };
    let (glance, lists, anomalies) = tokio::try_join!(glance(&v), watch_lists(&v), anomalies(&v))?;
    let day = local_day(v.now, state.config.utc_offset_minutes).to_string();
    let head = context! {
        refresh => 30, compound, compounds => choices, day,
        silent_minutes => state.config.silent_after_minutes,
        ack_minutes => state.config.notice_ack_minutes,
    };
    let parts = minijinja::value::merge_maps([head, glance, lists, anomalies]);
    page(&state, "dashboard.html", Some(&admin), parts)
}

/// The day's numbers and the hourly chart.
async fn glance(v: &View<'_>) -> Result<Value, WebError> {
    let g = Glance::compute(&v.state.store, &v.state.config, v.now, v.narrowed).await?;
    let silent: Vec<_> = g
        .silent_devices
        .iter()
        .map(|(d, c, m)| (d.clone(), c.clone(), *m))
        .collect();
    Ok(context! {
        chart => hourly_svg(&g.hourly),
        g => context! {
            total_in => g.total_in, total_out => g.total_out,
            residents_out => g.residents_out, visitors_inside => g.visitors_inside,
            fever_alerts => g.fever_alerts, denied => g.denied, silent_devices => silent,
            occupants_in => g.vehicle_occupants.0, occupants_out => g.vehicle_occupants.1,
        },
    })
}

/// Patrol rounds, urgent incidents, late notice receipts, unstaffed gates, flagged check-ins.
async fn watch_lists(v: &View<'_>) -> Result<Value, WebError> {
    let (state, now) = (v.state, v.now);
    let offset = state.config.utc_offset_minutes;
    let today = local_day(now, offset);
    let patrol = PatrolDay::compute(&state.store, &v.ids(), today, now, offset).await?;
    let in_view = CheckpointsInView::load(state, v.narrowed).await?;
    let filter = IncidentFilter {
        compound: v.narrowed,
        status: Some(IncidentStatus::New),
        urgent_only: true,
    };
    let urgent: Vec<_> = state
        .store
        .incidents(filter)
        .await?
        .iter()
        .map(|i| super::incidents::incident_view(state, i))
        .collect();
    let new_incidents = state.store.new_incident_count(v.narrowed).await?;
    let unread_notices =
        super::notices::overdue_views(state, now.timestamp_millis(), &in_view).await?;
    let unstaffed: Vec<_> = crate::report::unstaffed(&state.store, now, offset)
        .await?
        .into_iter()
        .filter(|(cp, _)| in_view.holds(cp))
        .collect();
    let flagged_checkins: Vec<_> = state
        .store
        .flagged_checkins(today, today)
        .await?
        .into_iter()
        .filter(|f| v.narrowed.is_none_or(|c| c == f.compound_id))
        .map(|f| {
            context! {
                compound_id => f.compound_id, household => f.household,
                name => v.admin.shown_name(&f.name),
                temperature_c => format!("{:.1}", f.temperature_c),
            }
        })
        .collect();
    Ok(context! {
        urgent_incidents => urgent, new_incidents, unread_notices, unstaffed, flagged_checkins,
        patrol => context! {
            done => patrol.done, due => patrol.due,
            missed => patrol.count(RoundStatus::Missed),
            unknown => patrol.count(RoundStatus::Unknown),
        },
    })
}

/// The anomaly counts per compound (recounted in the background, dated) and today's sign-offs.
async fn anomalies(v: &View<'_>) -> Result<Value, WebError> {
    let state = v.state;
    let ids = v.ids();
    let counted = crate::anomaly_panel::panel(&state.store, &state.config, &ids, v.now).await?;
    let today = local_day(v.now, state.config.utc_offset_minutes).to_string();
    let signed_today = state
        .store
        .signed_compounds(&today)
        .await?
        .into_iter()
        .filter(|c| ids.contains(c))
        .count();
    let anomalies_as_of = counted
        .iter()
        .map(|c| c.computed_at_ms)
        .min()
        .map(|t| local_time(state, t));
    let anomalies: Vec<_> = counted
        .iter()
        .filter_map(|c| {
            let (id, name) = v.compounds.iter().find(|(id, _)| *id == c.compound_id)?;
            Some(super::anomalies::counts(id, name, &c.counts))
        })
        .collect();
    Ok(context! {
        anomalies, anomalies_as_of, signed_today, compounds_in_view => ids.len(),
    })
}
