//! Roles and compound scope over every route the router declares (walked from
//! `district_server::app::routes_declared`, never listed by hand), on SQLite and PostgreSQL: the
//! manager of compound c1 can neither read nor change compound c2 through any route, an observer
//! changes nothing and exports no personal data, and the district administrator, sending the
//! very same requests, is let through (so each refusal is the scope's, not a broken request).
#![allow(clippy::unwrap_used)]

mod roles;
mod server_support;
mod web_support;

use axum::http::{Method, StatusCode};
use district_server::access::Access;
use district_server::app::routes_declared;
use district_server::demo::DEMO_TEAM_PASSWORD;
use district_server::route_table::RouteInfo;
use roles::fingerprint::{changed, fingerprint};
use roles::fixtures::{c2_markers, seed, C2};
use server_support::{fresh_pg_database, temp_sqlite, test_state};
use web_support::{form, login, login_as, page, send};

/// The routes an account walks: every one behind a login, logging out last.
fn walked() -> Vec<RouteInfo> {
    let mut routes: Vec<RouteInfo> = routes_declared()
        .into_iter()
        .filter(|r| r.access != Access::Public)
        .collect();
    routes.sort_by_key(|r| r.path == "/admin/logout");
    routes
}

async fn manager_cannot_reach_c2(state: &district_server::AppState, url: &str, c2: &C2) {
    let (cookie, csrf) = login_as(state, "manager-c1", DEMO_TEAM_PASSWORD).await;
    let before = fingerprint(url).await;
    let markers = c2_markers(c2);
    for route in walked() {
        let (status, body, _) = send(state, roles::request(&route, c2, &cookie, &csrf)).await;
        let what = format!("{} {} as manager-c1: {status}", route.method, route.path);
        match status {
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {}
            StatusCode::OK if route.method == Method::GET => {
                let leaked: Vec<&String> = markers.iter().filter(|m| body.contains(*m)).collect();
                assert!(leaked.is_empty(), "{what} shows c2's {leaked:?}");
            }
            // Logging out and a refused own-password change are the account's own business.
            StatusCode::SEE_OTHER | StatusCode::BAD_REQUEST if route.access == Access::Account => {}
            _ => panic!("{what} (expected a refusal): {body}"),
        }
        if route.access == Access::District {
            assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
        }
    }
    let diff = changed(&before, &fingerprint(url).await);
    assert!(diff.is_empty(), "a refused request changed: {diff:#?}");
}

async fn manager_runs_c1(state: &district_server::AppState) {
    let (cookie, csrf) = login_as(state, "manager-c1", DEMO_TEAM_PASSWORD).await;
    let (status, html, _) = send(state, page("/admin/devices", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("demo-phone-1"), "c1's own phones are listed");
    let (status, html, _) = send(state, page("/admin/report?compound=c1", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("阳光小区"));
    let rules = [("csrf", csrf.as_str()), ("checkin", "on")];
    let (status, _, _) = send(
        state,
        form("/admin/compounds/c1/rules", Some(&cookie), &rules),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a manager changes their compound's rules"
    );
    assert!(
        state
            .store
            .compound_rules("c1")
            .await
            .unwrap()
            .checkin_required
    );
}

async fn observer_changes_nothing(state: &district_server::AppState, url: &str, c2: &C2) {
    let (cookie, csrf) = login_as(state, "observer", DEMO_TEAM_PASSWORD).await;
    let before = fingerprint(url).await;
    for route in walked() {
        let refused = matches!(
            route.access,
            Access::Export | Access::Manage | Access::District
        );
        if !refused {
            continue;
        }
        let (status, _, _) = send(state, roles::request(&route, c2, &cookie, &csrf)).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{} {} as observer",
            route.method,
            route.path
        );
    }
    let (status, html, _) = send(state, page("/admin/report?compound=c2", &cookie)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an observer reads every compound's report"
    );
    assert!(html.contains("和平小区"));
    let diff = changed(&before, &fingerprint(url).await);
    assert!(diff.is_empty(), "an observer changed: {diff:#?}");
}

/// The same requests as the district administrator: none is refused or malformed.
async fn administrator_passes(state: &district_server::AppState, c2: &C2) {
    let (cookie, csrf) = login(state).await;
    for route in walked() {
        let (status, body, _) = send(state, roles::request(&route, c2, &cookie, &csrf)).await;
        let what = format!(
            "{} {} as the administrator: {status}",
            route.method, route.path
        );
        let refused = [
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            StatusCode::INTERNAL_SERVER_ERROR,
        ];
        assert!(!refused.contains(&status), "{what}: {body}");
    }
}

async fn roles_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let c2 = seed(&state).await;
    manager_cannot_reach_c2(&state, url, &c2).await;
    manager_runs_c1(&state).await;
    observer_changes_nothing(&state, url, &c2).await;
    administrator_passes(&state, &c2).await;
}

#[tokio::test]
async fn roles_and_scope_on_every_route_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    roles_story(&url).await;
}

#[tokio::test]
async fn roles_and_scope_on_every_route_on_postgres() {
    let Some(url) = fresh_pg_database("roles_and_scope_on_every_route_on_postgres").await else {
        return;
    };
    roles_story(&url).await;
}

/// The demo's visitors come and go with the same phone: none is left inside, and as many left as
/// came in.
#[tokio::test]
async fn the_demo_visitors_come_and_go() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let now = chrono::Utc::now();
    district_server::demo::seed(&state.store, &state.signer, now, 480)
        .await
        .unwrap();
    let glance = district_server::report::Glance::compute(&state.store, &state.config, now, None)
        .await
        .unwrap();
    assert_eq!(glance.visitors_inside, 0);
    let day = district_server::report::local_day(now, 480);
    let report =
        district_server::report::DailyReport::compute(&state.store, &state.config, day, None)
            .await
            .unwrap();
    let visitors = report
        .totals
        .iter()
        .find(|t| t.kind == sync_core::SubjectKind::Visitor)
        .unwrap();
    assert!(visitors.admitted_in > 0);
    assert_eq!(visitors.admitted_in, visitors.admitted_out);
}
