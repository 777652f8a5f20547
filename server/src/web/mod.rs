//! The server-rendered admin web and the public self-registration pages.

mod checkpoints;
mod duty;
mod handbook;
mod health;
mod households;
mod incidents;
mod invitations;
mod notices;
mod pages;
mod patrol;
mod patrol_setup;
mod quarantine;
mod register;
mod residents;
mod rules;
pub mod session;
mod staff;
pub mod templates;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use minijinja::{context, Value};

use crate::state::AppState;
use crate::store::DbError;
use session::Admin;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/admin") }),
        )
        .route(
            "/admin/login",
            get(session::login_form).post(session::login),
        )
        .route("/admin/logout", post(session::logout))
        .route("/admin", get(pages::dashboard))
        .route("/admin/report", get(pages::report))
        .route("/admin/report.csv", get(pages::report_csv))
        .route("/admin/devices", get(pages::devices))
        .route("/admin/devices/release", post(pages::release_device))
        .route("/admin/devices/{verb}", post(pages::set_device_disabled))
        .route("/admin/quarantine", get(quarantine::list))
        .route("/admin/quarantine/review", post(quarantine::review))
        .route("/admin/audit", get(pages::audit))
        .route("/admin/compounds", post(checkpoints::save_compound))
        .route(
            "/admin/compounds/{id}/rules",
            get(rules::show).post(rules::save),
        )
        .route(
            "/admin/checkpoints",
            get(checkpoints::list).post(checkpoints::save),
        )
        .route(
            "/admin/checkpoints/{id}/enroll",
            post(checkpoints::new_enroll_code),
        )
        .route("/admin/checkpoints/{id}/poster", get(checkpoints::poster))
        .route("/admin/residents", get(residents::list))
        .route("/admin/residents/import", post(residents::import))
        .route("/admin/passes/{pass_id}/reissue", post(residents::reissue))
        .route(
            "/admin/passes/{pass_id}/{serial}/revoke",
            post(residents::revoke),
        )
        .route("/admin/cards", get(residents::cards))
        .route("/admin/households/letter", post(households::letter))
        .route("/admin/households/revoke", post(households::revoke))
        .route("/h/{token}", get(households::passes_page))
        .route("/h/{token}/checkin", post(households::web_checkin))
        .route("/v/{token}", get(invitations::visitor_page))
        .route("/admin/patrol", get(patrol::show))
        .route("/admin/patrol/setup", get(patrol_setup::setup))
        .route("/admin/patrol/points", post(patrol_setup::save_point))
        .route("/admin/patrol/routes", post(patrol_setup::save_route))
        .route(
            "/admin/patrol/routes/{id}/schedule",
            post(patrol_setup::save_schedule),
        )
        .route("/admin/patrol/labels", get(patrol_setup::labels))
        .route("/admin/photos/{sha256}", get(patrol::photo))
        .route("/admin/incidents", get(incidents::list))
        .route("/admin/handbook", get(handbook::show).post(handbook::save))
        .route("/admin/notices", get(notices::list).post(notices::save))
        .route("/admin/notices/{notice_id}", get(notices::show))
        .route("/admin/staff", get(staff::list).post(staff::add))
        .route("/admin/staff/{staff_id}/pin", post(staff::set_pin))
        .route("/admin/staff/{staff_id}/card", get(staff::card))
        .route("/admin/staff/{staff_id}/{verb}", post(staff::change))
        .route("/admin/duty", get(duty::report))
        .route("/admin/health", get(health::page_of))
        .route("/admin/duty.csv", get(duty::report_csv))
        .route(
            "/admin/incidents/{entry_id}/status",
            post(incidents::set_status),
        )
        .route(
            "/register/{checkpoint_id}",
            get(register::form).post(register::submit),
        )
}

/// Errors of HTML pages: shown as a short page, details only in the log.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    TooMany(String),
    #[error("storage: {0}")]
    Db(#[from] DbError),
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    #[error("{0}")]
    Internal(String),
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, text) = match &self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            Self::NotFound => (StatusCode::NOT_FOUND, "找不到 Not found".into()),
            Self::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, m.clone()),
            Self::Db(_) | Self::Template(_) | Self::Internal(_) => {
                tracing::error!(error = %self, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "内部错误，操作未执行 Internal error; nothing was changed".into(),
                )
            }
        };
        let body = format!(
            "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'><title>{status}</title><p class=error style='font:1.1rem system-ui;padding:1rem'>{}</p>",
            html_escape(&text)
        );
        (status, Html(body)).into_response()
    }
}

pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Render a page with the layout's common values.
pub fn page(
    state: &AppState,
    template: &str,
    admin: Option<&Admin>,
    ctx: Value,
) -> Result<Response, WebError> {
    let common = context! {
        district_name => state.config.district_name.clone(),
        user => admin.map(|a| a.username.clone()),
        csrf => admin.map(|a| a.csrf.clone()),
    };
    let html = state
        .templates
        .render(template, context! { ..ctx, ..common })?;
    Ok(Html(html).into_response())
}

/// The first value of field `name` in a form read as pairs (a form with repeated fields), or "".
pub fn form_field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A UTC instant in the district's local time, `YYYY-MM-DD HH:MM`.
pub fn local_time(state: &AppState, ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .and_then(|t| {
            t.checked_add_signed(Duration::minutes(i64::from(
                state.config.utc_offset_minutes,
            )))
        })
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}
