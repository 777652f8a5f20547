//! The health check-in page of the admin web (健康打卡): for a district day, each compound's members,
//! checked in, not checked in and flagged; one compound's households that are missing or flagged;
//! and the follow-up list — every flagged declaration (fever or symptoms) of the last three days,
//! with the member's name, for the community office to call.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, NaiveDate, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::health::Symptom;
use sync_core::i18n::Lang;

use super::session::Admin;
use super::{page, WebError};
use crate::report::{day_bounds, local_day};
use crate::state::AppState;

/// Days the follow-up list looks back, today included.
const FOLLOW_UP_DAYS: i64 = 3;
/// Most households listed for one compound.
const MAX_HOUSEHOLDS: usize = 500;

#[derive(Debug, Deserialize)]
pub struct HealthQuery {
    day: Option<String>,
    compound: Option<String>,
}

fn symptom_words(stored: &str) -> (String, String) {
    let list: Vec<Symptom> = stored.split(',').filter_map(Symptom::parse).collect();
    let words = |lang| {
        let w: Vec<&str> = list.iter().map(|s| s.label(lang)).collect();
        w.join("、")
    };
    (words(Lang::ZhCn), words(Lang::En))
}

/// `GET /admin/health?day=YYYY-MM-DD&compound=ID`
pub async fn page_of(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<HealthQuery>,
) -> Result<Response, WebError> {
    let offset = state.config.utc_offset_minutes;
    let today = local_day(Utc::now(), offset);
    let day = match q.day.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => today,
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| crate::report::reportable_day(*d))
            .ok_or_else(|| {
                WebError::BadRequest(format!(
                    "日期格式为 YYYY-MM-DD, the day is YYYY-MM-DD: {d:?}"
                ))
            })?,
    };
    let at_ms = day_bounds(day, offset).0.timestamp_millis();
    let mut compounds: Vec<Value> = Vec::new();
    for (id, name) in admin.own_compounds(state.store.compounds().await?) {
        let c = state.store.checkin_count(&id, day, at_ms).await?;
        compounds.push(context! {
            id, name, members => c.members, checked_in => c.checked_in,
            missing => c.not_checked_in(), flagged => c.flagged,
        });
    }
    let compound = q
        .compound
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = compound {
        admin.check_compound(c)?;
    }
    let mut households: Vec<Value> = Vec::new();
    if let Some(c) = compound {
        for (household, n) in state.store.checkins_by_household(c, day, at_ms).await? {
            if (n.not_checked_in() > 0 || n.flagged > 0) && households.len() < MAX_HOUSEHOLDS {
                households.push(context! {
                    household, members => n.members, checked_in => n.checked_in,
                    missing => n.not_checked_in(), flagged => n.flagged,
                });
            }
        }
    }
    let flagged: Vec<Value> = state
        .store
        .flagged_checkins(today - Duration::days(FOLLOW_UP_DAYS - 1), today)
        .await?
        .into_iter()
        .filter(|f| admin.scope.holds(&f.compound_id))
        .map(|f| {
            let (zh, en) = symptom_words(&f.symptoms);
            context! {
                compound_id => f.compound_id, household => f.household, pass_id => f.pass_id,
                name => admin.shown_name(&f.name),
                day => f.day, temperature => format!("{:.1}", f.temperature_c),
                symptoms_zh => zh, symptoms_en => en, left_city_to => f.left_city_to,
                version => f.version,
            }
        })
        .collect();
    page(
        &state,
        "health.html",
        Some(&admin),
        context! {
            day => day.to_string(), compound, compounds, households, flagged,
            follow_up_days => FOLLOW_UP_DAYS,
        },
    )
}
