//! Admin login: argon2 check, a session cookie (HttpOnly, SameSite=Strict) and a per-session CSRF token.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::{page, WebError};
use crate::auth::{constant_time_eq, hash_token, random_token, verify_password};
use crate::state::AppState;

pub const COOKIE: &str = "cp_session";
const SESSION_HOURS: i64 = 12;

/// A logged-in admin; pages that need one redirect to the login form otherwise.
#[derive(Debug, Clone)]
pub struct Admin {
    pub username: String,
    pub csrf: String,
}

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
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_login = || Redirect::to("/admin/login").into_response();
        let token = session_token(&parts.headers).ok_or_else(to_login)?;
        let session = state
            .store
            .session(&hash_token(&token), Utc::now().timestamp_millis())
            .await
            .map_err(|e| WebError::from(e).into_response())?
            .ok_or_else(to_login)?;
        Ok(Self {
            username: session.username,
            csrf: session.csrf,
        })
    }
}

pub async fn login_form(State(state): State<AppState>) -> Result<Response, WebError> {
    page(&state, "login.html", None, minijinja::context! {})
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let now = Utc::now();
    let hash = state
        .store
        .admin_password_hash(form.username.trim())
        .await?;
    let ok = hash.is_some_and(|h| verify_password(&form.password, &h));
    if !ok {
        tracing::warn!("admin login refused");
        let html = page(
            &state,
            "login.html",
            None,
            minijinja::context! { error => "用户名或密码错误 Wrong username or password" },
        )?;
        return Ok((axum::http::StatusCode::UNAUTHORIZED, html).into_response());
    }
    let token = random_token(32).map_err(|e| WebError::Internal(e.to_string()))?;
    let csrf = random_token(16).map_err(|e| WebError::Internal(e.to_string()))?;
    let expires = now + Duration::hours(SESSION_HOURS);
    let username = form.username.trim();
    state
        .store
        .create_session(
            &hash_token(&token),
            username,
            &csrf,
            expires.timestamp_millis(),
        )
        .await?;
    state
        .store
        .audit(username, "login", "admin logged in", now.timestamp_millis())
        .await?;
    let cookie = format!(
        "{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_HOURS * 3600
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/admin")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&form.csrf)?;
    if let Some(token) = session_token(&headers) {
        state
            .store
            .delete_session(&hash_token(&token), Utc::now().timestamp_millis())
            .await?;
    }
    let cookie = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/admin/login")).into_response())
}
