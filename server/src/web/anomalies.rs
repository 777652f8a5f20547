//! The anomaly panel (issue 17, part 3): per compound, today's fever cases with who, where and
//! when, people going out too often, households over their exit quota or with many visitors,
//! residents not seen for days (a welfare check), visitors still inside after midnight; each row
//! links to the records behind it. On the dashboard as counts (`crate::anomaly_panel`), on
//! `/admin/anomalies` in full.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use minijinja::{context, Value};

use super::scope::CompoundQuery;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::anomaly_panel::{of_compounds, CompoundAnomalies};
use crate::report::local_day;
use crate::state::AppState;
use crate::store::{AnomalyCounts, RecordRow};

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

/// The counts per rule of one compound `(id, name)`, as the dashboard and the page show them.
pub fn counts(id: &str, name: &str, n: &AnomalyCounts) -> Value {
    context! {
        id, name, total => n.total(), fever => n.fever, frequent_exits => n.frequent_exits,
        over_quota => n.over_quota, unseen => n.unseen, busy_households => n.busy_households,
        visitors_overnight => n.visitors_overnight,
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
        counts => counts(&c.id, &c.name, &AnomalyCounts::from(f)),
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
    let cfg = &state.config;
    let found = of_compounds(&state.store, cfg, compounds, now).await?;
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
