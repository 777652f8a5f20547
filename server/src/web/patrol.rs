//! The patrol page of a compound: the day's rounds of every route as a timeline (red for missed,
//! grey for not yet synced), each round's points with their photos and notes; and the photos
//! themselves, for signed-in administrators.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::{context, Value};
use serde::Deserialize;
use sync_core::i18n::Lang;
use sync_core::patrol::{PatrolRoute, Round, RoundStatus, Schedule};

use super::patrol_setup::chosen_compound;
use super::scope::check_owned;
use super::session::Admin;
use super::{local_time, page, WebError};
use crate::report::{day_bounds, local_day, reportable_day, PatrolDay};
use crate::state::AppState;
use crate::store::Owned;

#[derive(Debug, Deserialize)]
pub struct PatrolQuery {
    compound: Option<String>,
    day: Option<String>,
}

/// `GET /admin/patrol`
pub async fn show(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<PatrolQuery>,
) -> Result<Response, WebError> {
    let (compound, name, compounds) =
        chosen_compound(&state, &admin, q.compound.as_deref()).await?;
    let now = Utc::now();
    let offset = state.config.utc_offset_minutes;
    let day = match q.day.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| reportable_day(*d))
            .ok_or_else(|| WebError::BadRequest("日期应为 YYYY-MM-DD Date: YYYY-MM-DD".into()))?,
        None => local_day(now, offset),
    };
    let patrol = PatrolDay::compute(
        &state.store,
        std::slice::from_ref(&compound),
        day,
        now,
        offset,
    )
    .await?;
    let (day_start, _) = day_bounds(day, offset);
    let routes: Vec<Value> = patrol
        .routes
        .iter()
        .map(|r| route_view(&state, &r.route, &r.rounds, day_start))
        .collect();
    let legend: Vec<Value> = RoundStatus::ALL
        .into_iter()
        .map(
            |s| context! { word => s.as_str(), zh => s.label(Lang::ZhCn), en => s.label(Lang::En) },
        )
        .collect();
    page(
        &state,
        "patrol.html",
        Some(&admin),
        context! {
            compound, compound_name => name, compounds, day => day.to_string(), routes, legend,
            done => patrol.done, due => patrol.due,
            missed => patrol.count(RoundStatus::Missed),
            unknown => patrol.count(RoundStatus::Unknown),
        },
    )
}

fn hm(state: &AppState, t: DateTime<Utc>) -> String {
    local_time(state, t.timestamp_millis())
        .split_once(' ')
        .map_or_else(String::new, |(_, hm)| hm.to_owned())
}

fn route_view(
    state: &AppState,
    route: &PatrolRoute,
    rounds: &[Round],
    day_start: DateTime<Utc>,
) -> Value {
    let name_of = |id: &str| {
        route
            .points
            .iter()
            .find(|p| p.point_id == id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    };
    let names = |ids: &[String]| ids.iter().map(|id| name_of(id)).collect::<Vec<_>>();
    let day_ms = 86_400_000.0;
    let rounds: Vec<Value> = rounds
        .iter()
        .map(|r| {
            let left = (r.window.start - day_start).num_milliseconds() as f64 / day_ms * 100.0;
            let width = (r.window.end - r.window.start).num_milliseconds() as f64 / day_ms * 100.0;
            let checked = r.points.iter().filter(|p| p.visit.is_some()).count();
            let points: Vec<Value> = r
                .points
                .iter()
                .map(|p| {
                    let v = p.visit.as_ref();
                    context! {
                        name => p.name,
                        at => v.map(|v| hm(state, v.at)),
                        outcome => v.map(|v| v.outcome.as_str()),
                        outcome_zh => v.map(|v| v.outcome.label(Lang::ZhCn)),
                        outcome_en => v.map(|v| v.outcome.label(Lang::En)),
                        note => v.map(|v| v.note.clone()),
                        photos => v.map(|v| v.photos.clone()),
                        staff => v.map(|v| v.staff.clone()),
                        late => v.is_some_and(|v| v.late),
                        double => v.is_some_and(|v| v.double),
                    }
                })
                .collect();
            context! {
                start => hm(state, r.window.start), end => hm(state, r.window.end),
                left => format!("{:.2}", left.clamp(0.0, 100.0)),
                width => format!("{:.2}", width.clamp(0.4, 100.0 - left.clamp(0.0, 99.6))),
                status => r.status.as_str(),
                status_zh => r.status.label(Lang::ZhCn), status_en => r.status.label(Lang::En),
                checked, total => r.points.len(),
                missing => names(&r.missing), out_of_order => names(&r.out_of_order),
                doubles => names(&r.doubles),
                finished_at => r.finished_at.map(|t| hm(state, t)),
                last_contact => (r.status == RoundStatus::Unknown)
                    .then(|| r.last_contact.map(|t| local_time(state, t.timestamp_millis())))
                    .flatten(),
                points,
            }
        })
        .collect();
    context! {
        route_id => route.route_id, name => route.name, checkpoint_id => route.checkpoint_id,
        ordered => route.ordered, point_count => route.points.len(), rounds,
        scheduled => route.schedules.last().is_some_and(Schedule::runs),
    }
}

/// `GET /admin/photos/{sha256}`: a photo a device attached to an entry.
pub async fn photo(
    State(state): State<AppState>,
    admin: Admin,
    Path(sha256): Path<String>,
) -> Result<Response, WebError> {
    if !sync_core::photo::is_blob_id(&sha256) {
        return Err(WebError::NotFound);
    }
    check_owned(&state, &admin, Owned::Photo(&sha256)).await?;
    let stored = state
        .store
        .photo(&sha256)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            (header::CACHE_CONTROL, "private, max-age=86400"),
        ],
        stored.bytes,
    )
        .into_response())
}
