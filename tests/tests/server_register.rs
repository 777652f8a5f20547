//! The public visitor self-registration form and the compound rules page behind it: validation,
//! the host household, limits per network and per phone, closing it, asking for an ID number.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use server_support::{temp_sqlite, test_state};
use web_support::{form, login, page, send};

#[tokio::test]
async fn visitor_self_registration_validates_and_returns_a_signed_day_pass() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |c| c.register_per_hour = 3).await;
    server_support::import_resident(&state, "c1", "3-2-401").await;
    let (status, html, _) = send(
        &state,
        Request::get("/register/cp-east")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"phone\""));
    let (status, _, _) = send(
        &state,
        Request::get("/register/no-such")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let bad = [
        ("name", ""),
        ("phone", "12345"),
        ("host_household", "3-2-401"),
        ("reason", "x"),
        ("plate", "ZZ999"),
        ("lang", "en"),
    ];
    let (status, html, _) = send(&state, form("/register/cp-east", None, &bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("required") && html.contains("mobile number") && html.contains("province"),
        "{html}"
    );
    assert_eq!(state.store.visitor_pass_count().await.unwrap(), 0);
    let sql = "Bob'); DROP TABLE x;--";
    let good = [
        ("name", sql),
        ("phone", "13912345678"),
        ("host_household", "3-2-401"),
        ("reason", "探亲"),
        ("plate", ""),
        ("lang", "zh-CN"),
    ];
    let (status, html, _) = send(&state, form("/register/cp-east", None, &good)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<svg") && html.contains("pass-id"));
    assert!(
        html.contains("Bob&#x27;); DROP TABLE") || html.contains("Bob&#39;); DROP TABLE"),
        "escaped, not executed"
    );
    assert_eq!(state.store.visitor_pass_count().await.unwrap(), 1);
    let stored = state.store.passes().await.unwrap();
    let pass = sync_core::pass::parse(&stored[0].payload).unwrap();
    assert_eq!(pass.body.display_name, sql);
    assert_eq!(pass.body.kind, sync_core::pass::PassKind::VisitorDay);
    // Rate limit (3 attempts, the refused one counted too): the 4th attempt gets a clear 429.
    send(&state, form("/register/cp-east", None, &good)).await;
    let (status, html, _) = send(&state, form("/register/cp-east", None, &good)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("try again later"));
    assert_eq!(state.store.visitor_pass_count().await.unwrap(), 2);
}

/// The host household must be in the checkpoint's compound; one phone registers at most
/// `register_per_phone_day` times a day (the network limit stays high for shared Wi-Fi); a compound
/// can close self-registration and ask for an ID number, of which only the last 4 are kept.
#[tokio::test]
async fn self_registration_follows_the_compound_and_limits_each_phone() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |c| c.register_per_phone_day = 2).await;
    server_support::import_resident(&state, "c1", "3-2-401").await;
    let visitor = |phone: &'static str, host: &'static str| {
        vec![
            ("name", "赵六"),
            ("phone", phone),
            ("host_household", host),
            ("reason", "探亲"),
            ("lang", "en"),
        ]
    };
    let register = |fields: Vec<(&'static str, &'static str)>| {
        let state = state.clone();
        async move { send(&state, form("/register/cp-east", None, &fields)).await }
    };

    let (status, html, _) = register(visitor("13912345678", "99-99-9999")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("err-host_household") && html.contains("not in this compound"),
        "{html}"
    );
    for _ in 0..2 {
        let (status, html, _) = register(visitor("13912345678", "3-2-401")).await;
        assert_eq!(status, StatusCode::OK, "{html}");
    }
    let (status, html, _) = register(visitor("13912345678", "3-2-401")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("err-phone") && html.contains("too often today"),
        "{html}"
    );
    // Another phone on the same network is not locked out.
    let (status, _, _) = register(visitor("13712345678", "3-2-401")).await;
    assert_eq!(status, StatusCode::OK);

    // The compound asks for ID numbers: required and checked; only the tail is stored.
    let mut rules = sync_core::rules::CompoundRules {
        visitors_need_id: true,
        ..Default::default()
    };
    let now = chrono::Utc::now().timestamp_millis();
    state
        .store
        .set_compound_rules("c1", &rules, "officer", now)
        .await
        .unwrap();
    let (status, html, _) = register(visitor("13612345678", "3-2-401")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("err-id_number"), "{html}");
    let mut with_id = visitor("13612345678", "3-2-401");
    with_id.push(("id_number", "440524198001010013"));
    let (status, html, _) = send(&state, form("/register/cp-east", None, &with_id)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let whole = "SELECT COUNT(*) FROM visitor_passes WHERE id_tail = '0013'";
    assert_eq!(state.store.count_query(whole).await.unwrap(), 1);
    // Closed: the form says so, and nothing is issued.
    rules.self_registration_open = false;
    state
        .store
        .set_compound_rules("c1", &rules, "officer", now)
        .await
        .unwrap();
    let before = state.store.visitor_pass_count().await.unwrap();
    let (status, html, _) = send(
        &state,
        Request::get("/register/cp-east")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Self-registration closed"), "{html}");
    let (status, _, _) = send(&state, form("/register/cp-east", None, &with_id)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(state.store.visitor_pass_count().await.unwrap(), before);
    let audit = state.store.audit_log(5).await.unwrap();
    assert!(audit.iter().any(|a| a.action == "compound_rules"));
}

/// The compound rules page saves quota, hours, temperature and the deny list (audited), refuses a
/// malformed deny-list line with its line number.
#[tokio::test]
async fn compound_rules_are_set_on_their_page_audited() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (cookie, csrf) = login(&state).await;
    let (status, html, _) = send(&state, page("/admin/compounds/c1/rules", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("禁止名单 Deny list"), "{html}");
    let path = "/admin/compounds/c1/rules";
    let bad = [("csrf", csrf.as_str()), ("deny", "car, 京A12345, x")];
    let (status, html, _) = send(&state, form(path, Some(&cookie), &bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("line 1"), "{html}");
    let good = [
        ("csrf", csrf.as_str()),
        ("self_registration_open", "on"),
        ("temperature", "on"),
        ("quota_persons", "1"),
        ("quota_days", "2"),
        ("hours_from", "06:00"),
        ("hours_until", "22:00"),
        (
            "deny",
            "plate, 京A12345, 未登记车辆\nhousehold，9-9-901，隔离中",
        ),
    ];
    let (status, _, _) = send(&state, form(path, Some(&cookie), &good)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let rules = state.store.compound_rules("c1").await.unwrap();
    assert!(rules.resident_temperature_required && rules.self_registration_open);
    assert!(!rules.visitors_need_id);
    assert_eq!(rules.exit_quota.map(|q| (q.persons, q.days)), Some((1, 2)));
    assert_eq!(rules.deny.len(), 2);
    assert_eq!(rules.deny[1].reason, "隔离中");
    let (_, html, _) = send(&state, page(path, &cookie)).await;
    assert!(
        html.contains("06:00") && html.contains("plate, 京A12345, 未登记车辆"),
        "{html}"
    );
    let audit = state.store.audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "compound_rules" && a.actor == "officer"));
}
