//! The anomaly panel (issue 17, part 3): per compound, today's fever cases with who, where and
//! when, people going out too often, households over their exit quota or with many visitors,
//! residents not seen for days (a welfare check), visitors still inside after midnight; each row
//! links to the records behind it. On the dashboard as counts, on `/admin/anomalies` in full.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use minijinja::{context, Value};

use super::pages::CompoundQuery;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{day_bounds, local_day};
use crate::state::AppState;
use crate::store::{Anomalies, AnomalyRules, RecordRow};

/// One compound's anomalies as the pages show them.
pub struct CompoundAnomalies {
    pub id: String,
    pub name: String,
    pub found: Anomalies,
}

/// The anomalies of each compound, today.
pub async fn of_compounds(
    state: &AppState,
    compounds: Vec<(String, String)>,
    now: DateTime<Utc>,
) -> Result<Vec<CompoundAnomalies>, WebError> {
    let c = &state.config;
    let (start, end) = day_bounds(local_day(now, c.utc_offset_minutes), c.utc_offset_minutes);
    let since = now - Duration::days(i64::from(c.retention_days));
    let mut out = Vec::new();
    for (id, name) in compounds {
        let quota = state.store.compound_rules(&id).await?.exit_quota;
        let rules = AnomalyRules {
            compound: id.clone(),
            day_start_ms: start.timestamp_millis(),
            day_end_ms: end.timestamp_millis(),
            fever_threshold_c: f64::from(c.fever_threshold_c),
            exits_per_day: c.anomaly_exits_per_day,
            unseen_days: c.anomaly_unseen_days,
            visitors_per_household: c.anomaly_visitors_per_household,
            exit_quota: quota.map(|q| (i64::from(q.persons), i64::from(q.days))),
            since_ms: since.timestamp_millis(),
        };
        let found = state.store.anomalies(&rules).await?;
        out.push(CompoundAnomalies { id, name, found });
    }
    Ok(out)
}

/// The compounds a page about anomalies covers: the one asked for, or all the account's.
pub async fn compounds_in_view(
    state: &AppState,
    admin: &Admin,
    asked: Option<&str>,
) -> Result<Vec<(String, String)>, WebError> {
    let own = admin.own_compounds(state.store.compounds().await?);
    Ok(match admin.compound_view(asked)? {
        Some(c) => own.into_iter().filter(|(id, _)| *id == c).collect(),
        None => own,
    })
}

fn name_of(admin: &Admin, name: Option<&str>) -> Option<String> {
    name.map(|n| admin.shown_name(n))
}

fn passage_view(state: &AppState, admin: &Admin, r: &RecordRow) -> Value {
    context! {
        at => local_time(state, r.corrected_at_ms), checkpoint_id => r.checkpoint_id,
        name => name_of(admin, r.person_name.as_deref()), pass_id => r.pass_id,
        household => r.household, plate => r.plate,
        temperature => r.deny_reason.as_deref() == Some("fever"),
    }
}

/// The counts per rule, for the dashboard.
pub fn counts(c: &CompoundAnomalies) -> Value {
    let f = &c.found;
    context! {
        id => c.id, name => c.name, total => f.total(), fever => f.fever.len(),
        frequent_exits => f.frequent_exits.len(), over_quota => f.over_quota.len(),
        unseen => f.unseen.len(), busy_households => f.busy_households.len(),
        visitors_overnight => f.visitors_overnight.len(),
    }
}

fn full(state: &AppState, admin: &Admin, c: &CompoundAnomalies) -> Value {
    let f = &c.found;
    let subjects: Vec<Value> = f
        .frequent_exits
        .iter()
        .map(|s| {
            context! {
                name => name_of(admin, s.name.as_deref()), pass_id => s.pass_id,
                household => s.household, count => s.count,
            }
        })
        .collect();
    let unseen: Vec<Value> = f
        .unseen
        .iter()
        .map(|u| {
            context! {
                pass_id => u.pass_id, household => u.household,
                name => name_of(admin, Some(&u.name)),
                last_seen => u.last_seen_ms.map(|t| local_time(state, t)),
            }
        })
        .collect();
    let households = |list: &[crate::store::HouseholdCount]| -> Vec<Value> {
        list.iter()
            .map(|h| context! { household => h.household, count => h.count })
            .collect()
    };
    context! {
        counts => counts(c),
        fever => f.fever.iter().map(|r| passage_view(state, admin, r)).collect::<Vec<_>>(),
        frequent_exits => subjects, unseen,
        over_quota => households(&f.over_quota),
        busy_households => households(&f.busy_households),
        visitors_overnight => f.visitors_overnight.iter().map(|r| passage_view(state, admin, r)).collect::<Vec<_>>(),
    }
}

/// `GET /admin/anomalies?compound=ID`
pub async fn page_of(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    let now = Utc::now();
    let compounds = compounds_in_view(&state, &admin, q.compound.as_deref()).await?;
    let found = of_compounds(&state, compounds, now).await?;
    let cfg = &state.config;
    let day = local_day(now, cfg.utc_offset_minutes).to_string();
    let unseen_from = (local_day(now, cfg.utc_offset_minutes)
        - Duration::days(cfg.anomaly_unseen_days))
    .to_string();
    page(
        &state,
        "anomalies.html",
        Some(&admin),
        context! {
            compounds => found.iter().map(|c| full(&state, &admin, c)).collect::<Vec<_>>(),
            day, unseen_from,
            exits_per_day => cfg.anomaly_exits_per_day, unseen_days => cfg.anomaly_unseen_days,
            visitors_per_household => cfg.anomaly_visitors_per_household,
            fever_threshold => format!("{:.1}", cfg.fever_threshold_c),
        },
    )
}
