//! What the admin-web tests share: one request to the in-process router (status, body, cookie), form
//! posts, pages with a session cookie, and logging in as an administrator.
#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use district_server::{app, AppState};
use tower::ServiceExt;

pub async fn send(state: &AppState, req: Request<Body>) -> (StatusCode, String, Option<String>) {
    let resp = app(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned(), cookie)
}

pub fn form(path: &str, cookie: Option<&str>, body: &[(&str, &str)]) -> Request<Body> {
    let encoded: Vec<String> = body
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    let mut req =
        Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(encoded.join("&"))).unwrap()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn page(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

/// Log in as a fresh admin; returns the cookie and the session's CSRF token.
pub async fn login(state: &AppState) -> (String, String) {
    district_server::setup::set_admin_password(&state.store, "officer", "correct horse battery")
        .await
        .unwrap();
    let (status, _, _) = send(
        state,
        form(
            "/admin/login",
            None,
            &[("username", "officer"), ("password", "wrong password")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, cookie) = send(
        state,
        form(
            "/admin/login",
            None,
            &[
                ("username", "officer"),
                ("password", "correct horse battery"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = cookie.unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let (status, html, _) = send(state, page("/admin/checkpoints", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    (cookie, hidden_value(&html, "csrf"))
}

/// Log in as an existing account; returns the cookie and the session's CSRF token (read from
/// the dashboard's logout form).
pub async fn login_as(state: &AppState, username: &str, password: &str) -> (String, String) {
    let (status, _, cookie) = send(
        state,
        form(
            "/admin/login",
            None,
            &[("username", username), ("password", password)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{username} logs in");
    let cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let (status, html, _) = send(state, page("/admin", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{username} sees the dashboard");
    (cookie, hidden_value(&html, "csrf"))
}

/// The value of the first input named `name` on a page.
pub fn hidden_value(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}
