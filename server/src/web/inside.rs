//! Who is behind the dashboard's "residents out" and "visitors inside" (and vehicles inside): the
//! subjects whose last admitted crossing put them there, with that crossing, for one compound or
//! all in view. Names masked unless the role sees personal data; every view is audited.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Duration, Utc};
use minijinja::{context, Value};
use serde::Deserialize;

use super::anomalies::compounds_in_view;
use super::records::{audit, row_view};
use super::report::names;
use super::session::Admin;
use super::{page, WebError};
use crate::state::AppState;
use crate::store::{PlaceQuery, Whereabouts};

/// The words of each place, as the page and the dashboard show them.
fn label(place: Whereabouts) -> &'static str {
    match place {
        Whereabouts::ResidentsOut => "外出居民 Residents out",
        Whereabouts::VisitorsInside => "在内访客 Visitors inside",
        Whereabouts::VehiclesInside => "在内车辆 Vehicles inside",
    }
}

/// The most subjects one page lists.
const MAX_LISTED: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub struct InsideQuery {
    place: Option<String>,
    compound: Option<String>,
}

/// `GET /admin/inside?place=visitors-inside|residents-out|vehicles-inside&compound=`.
pub async fn list(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<InsideQuery>,
) -> Result<Response, WebError> {
    let place = match q.place.as_deref() {
        None | Some("") => Whereabouts::VisitorsInside,
        Some(word) => Whereabouts::parse(word)
            .ok_or_else(|| WebError::BadRequest("未知的类别 Unknown place".to_owned()))?,
    };
    let view = admin.compound_view(q.compound.as_deref())?;
    let compounds: Vec<String> = compounds_in_view(&state, &admin, view.as_deref())
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let now = Utc::now();
    let since = now - Duration::days(i64::from(state.config.retention_days));
    let rows = state
        .store
        .in_place(&PlaceQuery {
            place,
            since_ms: since.timestamp_millis(),
            before_ms: None,
            compounds: &compounds,
            limit: MAX_LISTED + 1,
        })
        .await?;
    let detail = format!(
        "inside: place={} compound={}",
        place.word(),
        view.as_deref().unwrap_or("all")
    );
    audit(&state, &admin, "inside_list", detail).await?;
    let names = names(&state).await?;
    let more = rows.len() as i64 > MAX_LISTED;
    let views: Vec<Value> = rows
        .iter()
        .take(MAX_LISTED as usize)
        .map(|r| row_view(&state, &admin, r, &names))
        .collect();
    let today = crate::report::local_day(now, state.config.utc_offset_minutes);
    page(
        &state,
        "inside.html",
        Some(&admin),
        context! {
            rows => views, more, max => MAX_LISTED, place => place.word(), compound => view,
            places => Whereabouts::ALL.iter().map(|w| (w.word(), label(*w))).collect::<Vec<_>>(),
            compounds => admin.own_compounds(state.store.compounds().await?),
            from => (today - chrono::Days::new(30)).to_string(), to => today.to_string(),
        },
    )
}
