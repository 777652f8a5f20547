//! Accounts of the admin web on SQLite and PostgreSQL: an account made by the district
//! administrator logs in with a one-time password it must change first, is deactivated (its
//! session ends) and reset; logins are throttled per account and per address with a clear wait;
//! sessions rotate at login, end after the idle time, carry `Secure` behind HTTPS; a forged
//! cookie and another session's CSRF token get nothing.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use district_server::auth::hash_token;
use district_server::AppState;
use server_support::{fresh_pg_database, serve_loopback, temp_sqlite, test_state};
use tower::ServiceExt;
use web_support::{form, login, login_as, page, send};

/// Status, `Location` and body of one request.
async fn answer(state: &AppState, req: Request<Body>) -> (StatusCode, String, String) {
    let resp = district_server::app(state.clone())
        .oneshot(req)
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    html.split(start).nth(1).unwrap().split(end).next().unwrap()
}

async fn audited(state: &AppState, action: &str) -> usize {
    let log = state.store.audit_log(500).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

/// Create `wang.li`, a manager of c1; the one-time password shown once.
async fn create_manager(state: &AppState, cookie: &str, csrf: &str) -> String {
    let fields = [
        ("csrf", csrf),
        ("username", "wang.li"),
        ("role", "manager"),
        ("compound", "c1"),
    ];
    let (status, _, html) = answer(state, form("/admin/accounts", Some(cookie), &fields)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let (status, _, _) = answer(state, form("/admin/accounts", Some(cookie), &fields)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a taken name");
    let bad = [("csrf", csrf), ("username", "王 丽"), ("role", "observer")];
    let (status, _, _) = answer(state, form("/admin/accounts", Some(cookie), &bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a name with spaces");
    between(&html, "id=\"temporary\"", "</p>")
        .split("<code>")
        .nth(1)
        .unwrap()
        .split("</code>")
        .next()
        .unwrap()
        .to_owned()
}

/// Log in with a password that must be changed: every page leads to the password form first.
async fn first_login(state: &AppState, temporary: &str) {
    let creds = [("username", "wang.li"), ("password", temporary)];
    let (status, location, _) = answer(state, form("/admin/login", None, &creds)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/password")
    );
    let (_, _, cookie) = send(state, form("/admin/login", None, &creds)).await;
    let cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let (status, location, _) = answer(state, page("/admin", &cookie)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/password")
    );
    let (status, _, html) = answer(state, page("/admin/password", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"").to_owned();
    let short = [
        ("csrf", csrf.as_str()),
        ("current", temporary),
        ("new", "short"),
        ("repeat", "short"),
    ];
    let (status, _, _) = answer(state, form("/admin/password", Some(&cookie), &short)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "too short");
    let good = [
        ("csrf", csrf.as_str()),
        ("current", temporary),
        ("new", "wang li's own 2026"),
        ("repeat", "wang li's own 2026"),
    ];
    let (status, location, _) = answer(state, form("/admin/password", Some(&cookie), &good)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin")
    );
    let (cookie, _) = login_as(state, "wang.li", "wang li's own 2026").await;
    let (status, _, html) = answer(state, page("/admin", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("/admin/accounts"),
        "a manager has no accounts page link"
    );
}

async fn accounts_story(state: &AppState) {
    let (cookie, csrf) = login(state).await;
    let temporary = create_manager(state, &cookie, &csrf).await;
    first_login(state, &temporary).await;
    let (manager, _) = login_as(state, "wang.li", "wang li's own 2026").await;
    let off = [("csrf", csrf.as_str())];
    let (status, _, _) = answer(
        state,
        form("/admin/accounts/officer/deactivate", Some(&cookie), &off),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not one's own account");
    let (status, _, _) = answer(
        state,
        form("/admin/accounts/wang.li/deactivate", Some(&cookie), &off),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, location, _) = answer(state, page("/admin", &manager)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/login"),
        "its session ended"
    );
    let creds = [("username", "wang.li"), ("password", "wang li's own 2026")];
    let (status, _, _) = answer(state, form("/admin/login", None, &creds)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deactivated account cannot log in"
    );
    for verb in ["reactivate", "reset"] {
        let path = format!("/admin/accounts/wang.li/{verb}");
        let (status, _, _) = answer(state, form(&path, Some(&cookie), &off)).await;
        assert!(
            status.is_success() || status.is_redirection(),
            "{verb}: {status}"
        );
    }
    let (status, _, _) = answer(state, form("/admin/login", None, &creds)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the old password went with the reset"
    );
    let account = state.store.account("wang.li").await.unwrap().unwrap();
    assert!(account.active() && account.must_change_password);
    assert_eq!(account.compounds, vec!["c1".to_owned()]);
    assert!(
        audited(state, "account").await >= 3,
        "created, deactivated, reactivated"
    );
    assert!(audited(state, "password").await >= 2, "changed and reset");
}

async fn throttle_story(state: &AppState) {
    district_server::setup::set_admin_password(&state.store, "li.hua", "li hua's password")
        .await
        .unwrap();
    let wrong = [("username", "li.hua"), ("password", "not it")];
    for n in 1..=4 {
        let (status, _, html) = answer(state, form("/admin/login", None, &wrong)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            html.contains("秒后再试"),
            n == 4,
            "the wait starts after 3 free failures"
        );
    }
    let right = [("username", "li.hua"), ("password", "li hua's password")];
    let (status, _, html) = answer(state, form("/admin/login", None, &right)).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(
        html.contains("1 秒后再试") && html.contains("try again in 1 s"),
        "{html}"
    );
    assert!(audited(state, "login failed").await >= 4);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _, _) = answer(state, form("/admin/login", None, &right)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "after the wait the right password works"
    );
    let long = "x".repeat(10_000);
    let hostile = [("username", long.as_str()), ("password", "y")];
    let (status, _, _) = answer(state, form("/admin/login", None, &hostile)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a 10,000-character name is just wrong"
    );
}

/// Many names from one address: the address waits too (over real loopback HTTP, where the server
/// sees the client's address).
async fn address_throttle(state: &AppState) {
    let (base, server) = serve_loopback(state).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut statuses = Vec::new();
    for n in 0..12 {
        let name = format!("guess-{n}");
        let resp = client
            .post(format!("{base}/admin/login"))
            .form(&[("username", name.as_str()), ("password", "guess")])
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
    }
    assert_eq!(
        &statuses[..11],
        &[401; 11],
        "each name is new, the address has 10 free"
    );
    assert_eq!(
        statuses[11], 429,
        "the address waits after its 11th failure"
    );
    server.abort();
}

/// The same database served with another configuration.
async fn restart(url: &str, tweak: impl FnOnce(&mut district_server::Config)) -> AppState {
    let mut config = district_server::Config {
        db: url.to_owned(),
        ..district_server::Config::default()
    };
    tweak(&mut config);
    district_server::setup::start(config).await.unwrap().0
}

async fn sessions_story(url: &str) {
    let state = restart(url, |c| c.session_idle_minutes = 1).await;
    let (first, _) = login(&state).await;
    let creds = [
        ("username", "officer"),
        ("password", "correct horse battery"),
    ];
    let mut again = form("/admin/login", Some(&first), &creds);
    again
        .headers_mut()
        .insert(header::COOKIE, first.parse().unwrap());
    let (status, _, second) = send(&state, again).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let second = second.unwrap();
    assert!(!second.contains("Secure"), "plain HTTP on loopback");
    let second = second.split(';').next().unwrap().to_owned();
    let (status, _, _) = answer(&state, page("/admin", &first)).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the session presented at login ended"
    );
    let (status, _, _) = answer(&state, page("/admin", &second)).await;
    assert_eq!(status, StatusCode::OK);
    let now = chrono::Utc::now().timestamp_millis();
    state
        .store
        .create_session(
            &hash_token("idle"),
            "officer",
            "c",
            now + 3_600_000,
            now - 120_000,
        )
        .await
        .unwrap();
    let idle = format!("{}=idle", district_server::web::session::COOKIE);
    let (status, location, _) = answer(&state, page("/admin", &idle)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/login"),
        "idle 2 min > 1 min"
    );
    let forged = format!("{}=0123456789abcdef", district_server::web::session::COOKIE);
    let (status, location, _) = answer(&state, page("/admin", &forged)).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/login")
    );
    let (_, other_csrf) = login_as(&state, "officer", "correct horse battery").await;
    let (_, mine) = login_as(&state, "officer", "correct horse battery").await;
    let (cookie, _) = login_as(&state, "officer", "correct horse battery").await;
    for csrf in [other_csrf, mine] {
        let fields = [("csrf", csrf.as_str()), ("id", "c9"), ("name", "九号院")];
        let (status, _, _) = answer(&state, form("/admin/compounds", Some(&cookie), &fields)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another session's token");
    }
    let names: Vec<String> = state
        .store
        .compounds()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert!(!names.contains(&"c9".to_owned()));
    let https = restart(url, |c| c.public_url = "https://district.example".into()).await;
    let (_, _, cookie) = send(&https, form("/admin/login", None, &creds)).await;
    assert!(cookie.unwrap().contains("; Secure"), "Secure behind HTTPS");
}

async fn story(url: &str) {
    let state = test_state(url, |_| {}).await;
    accounts_story(&state).await;
    throttle_story(&state).await;
    address_throttle(&state).await;
    sessions_story(url).await;
}

#[tokio::test]
async fn accounts_throttling_and_sessions_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    story(&url).await;
}

#[tokio::test]
async fn accounts_throttling_and_sessions_on_postgres() {
    let Some(url) = fresh_pg_database("accounts_throttling_and_sessions_on_postgres").await else {
        return;
    };
    story(&url).await;
}
