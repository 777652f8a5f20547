//! Setting up patrols in the admin web: points (each saved only if its signed label fits a QR
//! code), routes (a checkpoint's points, in order or not), schedule versions, and the printable A4
//! sheet of point labels. Every change is audited in its transaction.

use super::scope::CompoundQuery;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveTime, Utc};
use minijinja::context;
use serde::Deserialize;
use sync_core::i18n::Localized;
use sync_core::patrol::{sign_point, PatrolPoint, Schedule};
use sync_core::render::qr_svg;
use sync_core::validate::check_text;

use super::rules::compound_name;
use super::session::Admin;
use super::{page, WebError};
use crate::state::AppState;
use crate::store::{new_patrol_id, PointRow, RouteRow, RoutesOf};

fn bad(zh: &str, en: &str) -> WebError {
    WebError::BadRequest(format!("{zh} {en}"))
}

fn text(value: &str, max: usize, zh: &str, en: &str) -> Result<String, WebError> {
    let v = value.trim();
    check_text(v, max).map_err(|_| {
        bad(
            &format!("{zh}最多{max}字，且不能含隐藏字符"),
            &format!("{en}: at most {max} characters, no hidden characters"),
        )
    })?;
    Ok(v.to_owned())
}

/// The compound asked for, or the first one.
pub(super) async fn chosen_compound(
    state: &AppState,
    admin: &Admin,
    asked: Option<&str>,
) -> Result<(String, String, Vec<(String, String)>), WebError> {
    let compounds = admin.own_compounds(state.store.compounds().await?);
    let pick = match asked.filter(|c| !c.is_empty()) {
        Some(c) => {
            admin.check_compound(c)?;
            compounds.iter().find(|(id, _)| id == c)
        }
        None => compounds.first(),
    }
    .cloned()
    .ok_or(WebError::NotFound)?;
    Ok((pick.0, pick.1, compounds))
}

/// `GET /admin/patrol/setup`: points, routes and schedules of one compound.
pub async fn setup(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    let (compound, name, compounds) =
        chosen_compound(&state, &admin, q.compound.as_deref()).await?;
    let points = state.store.patrol_points(&compound).await?;
    let routes = state
        .store
        .patrol_routes(RoutesOf::Compound(&compound))
        .await?;
    let checkpoints: Vec<(String, String)> = state
        .store
        .checkpoints()
        .await?
        .into_iter()
        .filter(|c| c.compound_id == compound)
        .map(|c| (c.id, c.name))
        .collect();
    let hm = |t: NaiveTime| t.format("%H:%M").to_string();
    let routes: Vec<_> = routes
        .into_iter()
        .map(|r| {
            let current = r.schedules.last().filter(|s| s.runs());
            context! {
                route_id => r.route_id, name => r.name, checkpoint_id => r.checkpoint_id,
                ordered => r.ordered,
                points => r.points.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
                point_ids => r.points.iter().map(|p| p.point_id.clone()).collect::<Vec<_>>(),
                schedule => current.map(|s| context! {
                    first => hm(s.first_start), last => hm(s.last_start),
                    every => s.every_minutes, window => s.window_minutes,
                }),
            }
        })
        .collect();
    let points: Vec<_> = points
        .into_iter()
        .map(|p| {
            context! { point_id => p.point_id, name => p.name, description => p.description,
            location => p.location }
        })
        .collect();
    page(
        &state,
        "patrol_setup.html",
        Some(&admin),
        context! { compound, compound_name => name, compounds, points, routes, checkpoints },
    )
}

#[derive(Debug, Deserialize)]
pub struct PointForm {
    csrf: String,
    compound: String,
    #[serde(default)]
    point_id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
}

/// `POST /admin/patrol/points`: add a point, or change one.
pub async fn save_point(
    State(state): State<AppState>,
    admin: Admin,
    Form(f): Form<PointForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    admin.check_compound(&f.compound)?;
    compound_name(&state, &f.compound).await?;
    let name = text(&f.name, 16, "名称", "Name")?;
    if name.is_empty() {
        return Err(bad("请填写巡查点名称", "A point needs a name"));
    }
    let point_id = match f.point_id.trim() {
        "" => new_patrol_id("pt"),
        id => {
            let known = state.store.patrol_points(&f.compound).await?;
            known
                .iter()
                .find(|p| p.point_id == id)
                .ok_or(WebError::NotFound)?
                .point_id
                .clone()
        }
    };
    let row = PointRow {
        point_id,
        compound_id: f.compound.clone(),
        name,
        description: text(&f.description, 200, "说明", "Description")?,
        location: text(&f.location, 60, "位置", "Location")?,
    };
    // Its label must be signable and fit a QR code, or the point is not saved.
    sign_point(&state.signer, &label_point(&state, &row))
        .map_err(|e| bad(&e.message(sync_core::i18n::Lang::ZhCn), &e.to_string()))?;
    state
        .store
        .save_patrol_point(&row, &admin.username, Utc::now().timestamp_millis())
        .await?;
    Ok(setup_redirect(&f.compound))
}

/// Back to the setup page (compound ids are lowercase letters, digits and `-`: `valid_id`).
fn setup_redirect(compound: &str) -> Response {
    Redirect::to(&format!("/admin/patrol/setup?compound={compound}")).into_response()
}

fn label_point(state: &AppState, p: &PointRow) -> PatrolPoint {
    PatrolPoint {
        point_id: p.point_id.clone(),
        district_id: state.config.district_id.clone(),
        compound_id: p.compound_id.clone(),
        name: p.name.clone(),
    }
}

/// `POST /admin/patrol/routes`: add or change a route. Fields: `csrf`, `compound`, `route_id`
/// (empty for a new one), `name`, `checkpoint_id`, `ordered`, and `pos.<point id>` = the point's
/// place on the route (empty: not on it).
pub async fn save_route(
    State(state): State<AppState>,
    admin: Admin,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |k: &str| super::form_field(&fields, k);
    admin.check_csrf(field("csrf"))?;
    let compound = field("compound").to_owned();
    admin.check_compound(&compound)?;
    compound_name(&state, &compound).await?;
    let checkpoint_id = field("checkpoint_id").to_owned();
    let in_compound = state
        .store
        .checkpoints()
        .await?
        .iter()
        .any(|c| c.id == checkpoint_id && c.compound_id == compound);
    if !in_compound {
        return Err(bad(
            "请选择本小区的卡口",
            "Pick a checkpoint of this compound",
        ));
    }
    let name = text(field("name"), 30, "路线名称", "Route name")?;
    let known = state.store.patrol_points(&compound).await?;
    let mut chosen: Vec<(u32, &str)> = Vec::new();
    for (key, value) in &fields {
        let (Some(id), false) = (key.strip_prefix("pos."), value.trim().is_empty()) else {
            continue;
        };
        let point = known
            .iter()
            .find(|p| p.point_id == id)
            .ok_or_else(|| bad("巡查点不属于本小区", "A point is not of this compound"))?;
        let pos = value
            .trim()
            .parse::<u32>()
            .map_err(|_| bad("顺序请填数字", "The place on the route is a number"))?;
        chosen.push((pos, &point.point_id));
    }
    chosen.sort();
    if name.is_empty() || chosen.is_empty() {
        return Err(bad(
            "路线需要名称和至少一个巡查点",
            "A route needs a name and at least one point",
        ));
    }
    let route_id = match field("route_id").trim() {
        "" => new_patrol_id("rt"),
        id => {
            state
                .store
                .patrol_routes(RoutesOf::Compound(&compound))
                .await?
                .into_iter()
                .find(|r| r.route_id == id)
                .ok_or(WebError::NotFound)?
                .route_id
        }
    };
    let row = RouteRow {
        route_id,
        compound_id: compound.clone(),
        checkpoint_id,
        name,
        ordered: field("ordered") == "on",
        point_ids: chosen.into_iter().map(|(_, id)| id.to_owned()).collect(),
    };
    state
        .store
        .save_patrol_route(&row, &admin.username, Utc::now().timestamp_millis())
        .await?;
    Ok(setup_redirect(&compound))
}

#[derive(Debug, Deserialize)]
pub struct ScheduleForm {
    csrf: String,
    compound: String,
    #[serde(default)]
    first_start: String,
    #[serde(default)]
    last_start: String,
    #[serde(default)]
    every_minutes: String,
    #[serde(default)]
    window_minutes: String,
    /// Present when "stop the rounds" was pressed.
    #[serde(default)]
    stop: String,
}

/// `POST /admin/patrol/routes/{id}/schedule`: a new schedule version from now on (rounds already
/// started keep their window), or no rounds from now on.
pub async fn save_schedule(
    State(state): State<AppState>,
    admin: Admin,
    Path(route_id): Path<String>,
    Form(f): Form<ScheduleForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&f.csrf)?;
    admin.check_compound(&f.compound)?;
    let routes = state
        .store
        .patrol_routes(RoutesOf::Compound(&f.compound))
        .await?;
    if !routes.iter().any(|r| r.route_id == route_id) {
        return Err(WebError::NotFound);
    }
    let schedule = if f.stop.is_empty() {
        let minutes = |s: &str| s.trim().parse::<u32>().unwrap_or(0);
        Schedule::from_form(
            (&f.first_start, &f.last_start),
            minutes(&f.every_minutes),
            minutes(&f.window_minutes),
            Utc::now(),
        )
        .map_err(|e| bad(&e.message(sync_core::i18n::Lang::ZhCn), &e.to_string()))?
    } else {
        Schedule::stop(Utc::now())
    };
    state
        .store
        .save_patrol_schedule(&route_id, &schedule, &admin.username)
        .await?;
    Ok(setup_redirect(&f.compound))
}

/// `GET /admin/patrol/labels`: the A4 sheet of one compound's point labels (audited).
pub async fn labels(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<CompoundQuery>,
) -> Result<Response, WebError> {
    let (compound, name, _) = chosen_compound(&state, &admin, q.compound.as_deref()).await?;
    let mut labels = Vec::new();
    for p in state.store.patrol_points(&compound).await? {
        let payload = sign_point(&state.signer, &label_point(&state, &p))
            .map_err(|e| WebError::Internal(format!("point {}: {e}", p.point_id)))?;
        let qr = qr_svg(&payload).map_err(|e| WebError::Internal(e.to_string()))?;
        labels.push(
            context! { point_id => p.point_id, name => p.name, location => p.location,
            payload, qr },
        );
    }
    state
        .store
        .audit(
            &admin.username,
            "print_patrol_labels",
            &format!("patrol label sheet of {compound}: {} points", labels.len()),
            Utc::now().timestamp_millis(),
        )
        .await?;
    page(
        &state,
        "patrol_labels.html",
        Some(&admin),
        context! { compound, compound_name => name, labels },
    )
}
