//! The server-rendered admin web and the public self-registration pages.

mod accounts;
mod anomalies;
mod checkpoints;
mod dashboard;
mod duty;
pub mod gate;
mod handbook;
mod health;
mod households;
mod incidents;
mod inside;
mod invitations;
pub mod login;
mod notices;
mod pages;
mod patrol;
mod patrol_setup;
mod quarantine;
mod records;
mod register;
mod report;
mod resident_edit;
mod residents;
mod rules;
mod scope;
pub mod session;
mod staff;
pub mod templates;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use minijinja::{context, Value};

use crate::access::Access;
use crate::route_table::Routes;
use crate::state::AppState;
use crate::store::DbError;
use session::Admin;

/// The admin web and the public pages, each route with its access level.
pub fn routes() -> Routes {
    use Access::{Account, District, Export, Manage, Public, Read};
    Routes::new()
        .get("/", Public, get(|| async { Redirect::to("/admin") }))
        .get("/admin/login", Public, get(login::login_form))
        .post("/admin/login", Public, post(login::login))
        .post("/admin/logout", Account, post(login::logout))
        .get("/admin/password", Account, get(login::password_form))
        .post("/admin/password", Account, post(login::change_password))
        .get("/admin/accounts", District, get(accounts::list))
        .post("/admin/accounts", District, post(accounts::create))
        .post(
            "/admin/accounts/{username}/role",
            District,
            post(accounts::set_role),
        )
        .post(
            "/admin/accounts/{username}/{verb}",
            District,
            post(accounts::change),
        )
        .get("/admin", Read, get(dashboard::dashboard))
        .get("/admin/report", Read, get(report::report))
        .get("/admin/report.csv", Read, get(report::report_csv))
        .post("/admin/report/signoff", Manage, post(report::sign_off))
        .get("/admin/devices", Read, get(pages::devices))
        .post(
            "/admin/devices/release",
            Manage,
            post(pages::release_device),
        )
        .post(
            "/admin/devices/{verb}",
            Manage,
            post(pages::set_device_disabled),
        )
        .get("/admin/quarantine", Read, get(quarantine::list))
        .post("/admin/quarantine/review", Manage, post(quarantine::review))
        .get("/admin/audit", District, get(pages::audit))
        .post(
            "/admin/compounds",
            District,
            post(checkpoints::save_compound),
        )
        .get("/admin/compounds/{id}/rules", Read, get(rules::show))
        .post("/admin/compounds/{id}/rules", Manage, post(rules::save))
        .get("/admin/checkpoints", Read, get(checkpoints::list))
        .post("/admin/checkpoints", Manage, post(checkpoints::save))
        .post(
            "/admin/checkpoints/{id}/enroll",
            Manage,
            post(checkpoints::new_enroll_code),
        )
        .get(
            "/admin/checkpoints/{id}/poster",
            Read,
            get(checkpoints::poster),
        )
        .get("/admin/residents", Read, get(residents::list))
        .post("/admin/residents/import", Manage, post(residents::import))
        .post("/admin/residents/add", Manage, post(residents::add))
        .get(
            "/admin/residents/{id}/edit",
            Manage,
            get(resident_edit::form),
        )
        .post(
            "/admin/residents/{id}/edit",
            Manage,
            post(resident_edit::save),
        )
        .post(
            "/admin/residents/{id}/move-out",
            Manage,
            post(residents::move_out),
        )
        .post(
            "/admin/passes/{pass_id}/reissue",
            Manage,
            post(residents::reissue),
        )
        .post(
            "/admin/passes/{pass_id}/{serial}/revoke",
            Manage,
            post(residents::revoke),
        )
        .get("/admin/cards", Export, get(residents::cards))
        .post("/admin/households/letter", Manage, post(households::letter))
        .post("/admin/households/revoke", Manage, post(households::revoke))
        .get("/h/{token}", Public, get(households::passes_page))
        .post("/h/{token}/checkin", Public, post(households::web_checkin))
        .get("/v/{token}", Public, get(invitations::visitor_page))
        .get("/admin/patrol", Read, get(patrol::show))
        .get("/admin/patrol/setup", Read, get(patrol_setup::setup))
        .post(
            "/admin/patrol/points",
            Manage,
            post(patrol_setup::save_point),
        )
        .post(
            "/admin/patrol/routes",
            Manage,
            post(patrol_setup::save_route),
        )
        .post(
            "/admin/patrol/routes/{id}/schedule",
            Manage,
            post(patrol_setup::save_schedule),
        )
        .get("/admin/patrol/labels", Manage, get(patrol_setup::labels))
        .get("/admin/photos/{sha256}", Read, get(patrol::photo))
        .get("/admin/incidents", Read, get(incidents::list))
        .post(
            "/admin/incidents/{entry_id}/status",
            Manage,
            post(incidents::set_status),
        )
        .get("/admin/handbook", Read, get(handbook::show))
        .post("/admin/handbook", District, post(handbook::save))
        .get("/admin/notices", Read, get(notices::list))
        .post("/admin/notices", Manage, post(notices::save))
        .get("/admin/notices/{notice_id}", Read, get(notices::show))
        .get("/admin/staff", Read, get(staff::list))
        .post("/admin/staff", Manage, post(staff::add))
        .post("/admin/staff/{staff_id}/pin", Manage, post(staff::set_pin))
        .get("/admin/staff/{staff_id}/card", Export, get(staff::card))
        .post(
            "/admin/staff/{staff_id}/{verb}",
            Manage,
            post(staff::change),
        )
        .get("/admin/duty", Read, get(duty::report))
        .get("/admin/duty.csv", Export, get(duty::report_csv))
        .get("/admin/health", Read, get(health::page_of))
        .get("/admin/anomalies", Read, get(anomalies::page_of))
        .get("/admin/records", Read, get(records::search))
        .get("/admin/inside", Read, get(inside::list))
        .get("/admin/records/contacts", Read, get(records::contacts))
        .get(
            "/admin/records/contacts.csv",
            Export,
            get(records::contacts_csv),
        )
        .get("/register/{checkpoint_id}", Public, get(register::form))
        .post("/register/{checkpoint_id}", Public, post(register::submit))
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
        role => admin.map(|a| a.role.as_str()),
        whole_district => admin.is_some_and(|a| a.scope.is_all()),
        may_change => admin.is_some_and(|a| a.role.allows(Access::Manage, false)),
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
