//! Admin sessions: a cookie (HttpOnly, SameSite=Strict, `Secure` behind HTTPS) naming a session
//! that ends after a configured idle time, resolved once per request into the [`Admin`] that the
//! route gate and the handlers read; the account's role, compounds and CSRF token travel with it.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use sync_core::validate::mask_name;

use super::WebError;
use crate::access::{Role, Scope};
use crate::auth::{constant_time_eq, hash_token};
use crate::state::AppState;

pub const COOKIE: &str = "cp_session";
/// The longest a session lives, however busy.
pub const SESSION_MAX_HOURS: i64 = 24;
/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MS: i64 = 60_000;

/// A logged-in account; the route gate sends requests without one to the login form.
#[derive(Debug, Clone)]
pub struct Admin {
    pub username: String,
    pub csrf: String,
    pub role: Role,
    pub scope: Scope,
    pub personal_exports: bool,
    pub must_change_password: bool,
}

/// Refused: the compound is outside the account's scope.
pub const NOT_YOUR_COMPOUND: &str = "该小区不在您的管辖范围内 This compound is not among yours";

impl Admin {
    /// Refuse a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        if constant_time_eq(sent, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::Forbidden(
                "表单已过期，请刷新后重试 The form expired; reload and try again".into(),
            ))
        }
    }

    /// Refuse a compound outside the account's scope (an empty id is the whole district).
    pub fn check_compound(&self, compound_id: &str) -> Result<(), WebError> {
        if self.scope.holds(compound_id) {
            Ok(())
        } else {
            Err(WebError::Forbidden(NOT_YOUR_COMPOUND.into()))
        }
    }

    /// The compound a page narrows to: the one asked for when the scope holds it (refused when
    /// not), else the whole district (`None`) for a district-wide account and a manager's first
    /// compound for a manager.
    pub fn compound_view(&self, asked: Option<&str>) -> Result<Option<String>, WebError> {
        match (asked.map(str::trim).filter(|c| !c.is_empty()), &self.scope) {
            (Some(c), _) => self.check_compound(c).map(|()| Some(c.to_owned())),
            (None, Scope::All) => Ok(None),
            (None, Scope::Only(set)) => set
                .first()
                .cloned()
                .map(Some)
                .ok_or_else(|| WebError::Forbidden(NOT_YOUR_COMPOUND.into())),
        }
    }

    /// Keep the compounds `(id, name)` the account may choose from.
    pub fn own_compounds(&self, all: Vec<(String, String)>) -> Vec<(String, String)> {
        self.scope.filter(all, |(id, _)| id)
    }

    /// May this account see personal data unmasked and take it off the screen?
    pub fn sees_personal_data(&self) -> bool {
        self.role != Role::Observer || self.personal_exports
    }

    /// A person's name as this account may see it: whole, or masked (王**) for an observer
    /// without the personal-data grant.
    pub fn shown_name(&self, name: &str) -> String {
        if self.sees_personal_data() {
            name.to_owned()
        } else {
            mask_name(name)
        }
    }
}

/// The session token in the request's cookies.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Middleware: when the request names a live session of an active account, put its [`Admin`]
/// into the request's extensions (and restart the idle clock).
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(token) = session_token(req.headers()) {
        match load(&state, &hash_token(&token)).await {
            Ok(Some(admin)) => {
                req.extensions_mut().insert(admin);
            }
            Ok(None) => {}
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

async fn load(state: &AppState, token_hash: &str) -> Result<Option<Admin>, WebError> {
    let now = Utc::now().timestamp_millis();
    let idle_ms = state.config.session_idle_minutes.saturating_mul(60_000);
    let Some(session) = state.store.session(token_hash, now, idle_ms).await? else {
        return Ok(None);
    };
    let Some(account) = state.store.account(&session.username).await? else {
        return Ok(None);
    };
    if !account.active() {
        return Ok(None);
    }
    if now - session.last_seen_ms > TOUCH_EVERY_MS {
        state.store.touch_session(token_hash, now).await?;
    }
    Ok(Some(Admin {
        scope: account.scope(),
        username: account.username,
        csrf: session.csrf,
        role: account.role,
        personal_exports: account.personal_exports,
        must_change_password: account.must_change_password,
    }))
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Response> {
        parts
            .extensions
            .get::<Admin>()
            .cloned()
            .ok_or_else(|| Redirect::to("/admin/login").into_response())
    }
}

/// The cookie that holds `token` (empty and expired to end a session).
pub fn cookie(state: &AppState, token: &str) -> String {
    let max_age = if token.is_empty() {
        0
    } else {
        SESSION_MAX_HOURS * 3600
    };
    let secure = if state.config.public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}
