//! Logging in and out and changing one's own password: argon2 check, throttling per account and
//! per address (exponential back-off, shared by every server instance through the database),
//! failed attempts in the audit log, a new session at every login (the presented one ends).

use std::net::IpAddr;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Duration, Utc};
use minijinja::context;
use serde::Deserialize;

use super::session::{cookie, session_token, Admin, SESSION_MAX_HOURS};
use super::{page, WebError};
use crate::auth::{hash_password, hash_token, random_token, verify_password, MIN_PASSWORD_CHARS};
use crate::client_ip::client_ip;
use crate::state::AppState;
use crate::store::ThrottleKey;

/// Failures an account may have before the waits start; an address (a whole office behind one
/// NAT) gets more.
const FREE_PER_ACCOUNT: i64 = 3;
const FREE_PER_ADDRESS: i64 = 10;
/// Longer names are cut before they reach the audit log or the throttle table.
const MAX_NAME_CHARS: usize = 64;

pub async fn login_form(State(state): State<AppState>) -> Result<Response, WebError> {
    page(&state, "login.html", None, context! {})
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

fn throttle_keys(username: &str, addr: Option<IpAddr>) -> Vec<ThrottleKey> {
    let mut keys = vec![ThrottleKey {
        key: format!("user:{}", username.to_lowercase()),
        free_failures: FREE_PER_ACCOUNT,
    }];
    if let Some(addr) = addr {
        keys.push(ThrottleKey {
            key: format!("ip:{addr}"),
            free_failures: FREE_PER_ADDRESS,
        });
    }
    keys
}

fn wait_message(wait_ms: i64) -> String {
    let secs = (wait_ms + 999) / 1000;
    format!("尝试次数过多，请 {secs} 秒后再试 Too many attempts; try again in {secs} s")
}

fn login_refused(
    state: &AppState,
    status: StatusCode,
    error: String,
) -> Result<Response, WebError> {
    let html = page(state, "login.html", None, context! { error })?;
    Ok((status, html).into_response())
}

pub async fn login(State(state): State<AppState>, req: Request) -> Result<Response, WebError> {
    let addr = client_ip(&req, &state.config.trusted_proxies);
    let old_token = session_token(req.headers());
    let Form(form): Form<LoginForm> = Form::from_request(req, &state)
        .await
        .map_err(|e| WebError::BadRequest(format!("表单无效 invalid form: {e}")))?;
    let username: String = form.username.trim().chars().take(MAX_NAME_CHARS).collect();
    let keys = throttle_keys(&username, addr);
    let now = Utc::now().timestamp_millis();
    if let Some(until) = state.store.login_blocked_until(&keys, now).await? {
        return login_refused(
            &state,
            StatusCode::TOO_MANY_REQUESTS,
            wait_message(until - now),
        );
    }
    let hash = state.store.admin_password_hash(&username).await?;
    if !hash.is_some_and(|h| verify_password(&form.password, &h)) {
        return refuse_login(&state, &username, addr, &keys, now).await;
    }
    state.store.login_succeeded(&keys).await?;
    if let Some(old) = old_token {
        state.store.delete_session(&hash_token(&old), now).await?;
    }
    let token = start_session(&state, &username, now).await?;
    state
        .store
        .audit(&username, "login", "logged in", now)
        .await?;
    let must_change = state
        .store
        .account(&username)
        .await?
        .is_some_and(|a| a.must_change_password);
    let to = if must_change {
        "/admin/password"
    } else {
        "/admin"
    };
    Ok((
        [(header::SET_COOKIE, cookie(&state, &token))],
        Redirect::to(to),
    )
        .into_response())
}

async fn refuse_login(
    state: &AppState,
    username: &str,
    addr: Option<IpAddr>,
    keys: &[ThrottleKey],
    now: i64,
) -> Result<Response, WebError> {
    tracing::warn!("admin login refused");
    let until = state.store.login_failed(keys, now).await?;
    let from = addr.map_or_else(|| "unknown address".to_owned(), |a| a.to_string());
    state
        .store
        .audit(
            username,
            "login failed",
            &format!("wrong password from {from}"),
            now,
        )
        .await?;
    let mut error = "用户名或密码错误 Wrong username or password".to_owned();
    if until > now {
        error = format!("{error}. {}", wait_message(until - now));
    }
    login_refused(state, StatusCode::UNAUTHORIZED, error)
}

/// A new session for `username`; its token (only the hash is stored).
async fn start_session(state: &AppState, username: &str, now: i64) -> Result<String, WebError> {
    let token = random_token(32).map_err(|e| WebError::Internal(e.to_string()))?;
    let csrf = random_token(16).map_err(|e| WebError::Internal(e.to_string()))?;
    let expires = now + Duration::hours(SESSION_MAX_HOURS).num_milliseconds();
    state
        .store
        .create_session(&hash_token(&token), username, &csrf, expires, now)
        .await?;
    Ok(token)
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
    Ok((
        [(header::SET_COOKIE, cookie(&state, ""))],
        Redirect::to("/admin/login"),
    )
        .into_response())
}

pub async fn password_form(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, WebError> {
    page(
        &state,
        "password.html",
        Some(&admin),
        context! { must_change => admin.must_change_password, min => MIN_PASSWORD_CHARS },
    )
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current: String,
    new: String,
    repeat: String,
}

/// Why a chosen password is refused, if it is.
pub fn password_problem(new: &str, repeat: &str, current: &str) -> Option<String> {
    if new.chars().count() < MIN_PASSWORD_CHARS {
        Some(format!(
            "新密码至少 {MIN_PASSWORD_CHARS} 个字符 The new password needs at least {MIN_PASSWORD_CHARS} characters"
        ))
    } else if new != repeat {
        Some("两次输入的新密码不一致 The two new passwords differ".into())
    } else if new == current {
        Some("新密码不能与原密码相同 The new password must differ from the old one".into())
    } else {
        None
    }
}

pub async fn change_password(
    State(state): State<AppState>,
    admin: Admin,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    admin.check_csrf(&form.csrf)?;
    let refuse = |error: &str| {
        let html = page(
            &state,
            "password.html",
            Some(&admin),
            context! { must_change => admin.must_change_password, min => MIN_PASSWORD_CHARS, error },
        )?;
        Ok::<_, WebError>((StatusCode::BAD_REQUEST, html).into_response())
    };
    let hash = state.store.admin_password_hash(&admin.username).await?;
    if !hash.is_some_and(|h| verify_password(&form.current, &h)) {
        return refuse("原密码错误 The current password is wrong");
    }
    if let Some(problem) = password_problem(&form.new, &form.repeat, &form.current) {
        return refuse(&problem);
    }
    let phc = hash_password(&form.new).map_err(WebError::Internal)?;
    let now = Utc::now().timestamp_millis();
    state
        .store
        .set_account_password(&admin.username, &phc, false, &admin.username, now)
        .await?;
    let token = start_session(&state, &admin.username, now).await?;
    Ok((
        [(header::SET_COOKIE, cookie(&state, &token))],
        Redirect::to("/admin"),
    )
        .into_response())
}
