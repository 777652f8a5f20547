//! Household letters (issue 14, part 1, server side), SQLite and PostgreSQL: a letter made in the
//! admin web carries a link with a token and the root key's fingerprint; the bundle it opens is
//! signed by that root key, repeats the nonce, and its passes verify offline against the key set it
//! carries (a phone that was never enrolled), also fetched over loopback HTTP by the sync client;
//! a reissued pass arrives as its new serial, a revoked
//! one marked revoked; two phones opening the link are audited as two; a new letter stops the old
//! link and a revoked link is refused with its reason; an unknown token, a missing phone id get
//! 401 / 400; the public page shows the live passes as QR codes.
#![allow(clippy::unwrap_used)]

mod household_acts;
mod server_support;
mod web_support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Utc;
use server_support::{fresh_pg_database, serve_loopback, temp_sqlite, test_state};
use sync_core::household::{fetch, open_bundle, HouseholdLink};
use sync_core::pass::{verify, KeySet, PassKind, PassVerdict, Revocations};
use sync_core::protocol::HouseholdBundle;
use sync_core::signed::RootKey;
use web_support::{form, login, page, send};

fn bundle_request(token: &str, phone: Option<&str>) -> Request<Body> {
    let mut req = Request::get("/api/v1/household?nonce=00ff")
        .header(header::AUTHORIZATION, format!("Household {token}"));
    if let Some(p) = phone {
        req = req.header("x-phone-id", p);
    }
    req.body(Body::empty()).unwrap()
}

/// The token and fingerprint of the link printed on a letter page.
pub(crate) fn link_of(html: &str) -> (String, String) {
    let html = html.replace("&#x2f;", "/");
    let at = html.find("/h/").unwrap() + 3;
    let rest = &html[at..];
    let token: String = rest.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    let fp_at = rest.find("#fp=").unwrap() + 4;
    let fp: String = rest[fp_at..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (token, fp)
}

async fn households_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let store = &state.store;
    district_server::demo::seed(store, &state.signer, Utc::now(), 480)
        .await
        .unwrap();
    let (cookie, csrf) = login(&state).await;
    let passes = store.passes().await.unwrap();
    let own = |p: &&district_server::store::IssuedPass| {
        matches!(p.kind, PassKind::Resident | PassKind::Vehicle)
    };
    let first = passes
        .iter()
        .filter(own)
        .find(|p| p.compound_id == "c1")
        .unwrap()
        .clone();
    let household = first.household.clone();
    let letter = |household: String| {
        let req = form(
            "/admin/households/letter",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("compound_id", "c1"),
                ("household", &household),
            ],
        );
        let state = state.clone();
        async move { send(&state, req).await }
    };
    let (status, html, _) = letter(household.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let (token, fp) = link_of(&html);
    assert_eq!((token.len(), fp.len()), (32, 64));
    let (status, _, _) = letter("99-9-999".into()).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a household with no passes"
    );

    // The bundle, as a phone that was never enrolled gets it.
    let (status, body, _) = send(&state, bundle_request(&token, Some("phone-a"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bundle: HouseholdBundle = serde_json::from_str(&body).unwrap();
    // What the phone does with the link it scanned (sync-core `household.rs`).
    let printed = html.replace("&#x2f;", "/");
    let at = printed.find(r#"id="household-link">"#).unwrap() + r#"id="household-link">"#.len();
    let text: String = printed[at..].chars().take_while(|c| *c != '<').collect();
    let link = HouseholdLink::parse(&text).unwrap();
    assert_eq!(link.token, token);
    let held = open_bundle(&link, &bundle, "00ff", Utc::now()).unwrap();
    assert!(held.iter().all(|p| p.is_showable()));
    let root = RootKey::pin(&bundle.root_public_key, Some(&fp)).unwrap();
    root.verify(&bundle).unwrap();
    assert_eq!(
        (bundle.nonce.as_str(), bundle.household.as_str()),
        ("00ff", household.as_str())
    );
    let mut forged = bundle.clone();
    forged.household.push_str("-forged");
    assert!(
        root.verify(&forged).is_err(),
        "an altered bundle does not verify"
    );
    let keys = KeySet::from_records(&bundle.keys).unwrap();
    let in_household: Vec<_> = passes
        .iter()
        .filter(|p| p.compound_id == "c1" && p.household == household)
        .filter(own)
        .collect();
    assert!(!bundle.passes.is_empty());
    assert_eq!(
        bundle.passes.len(),
        in_household
            .iter()
            .map(|p| &p.pass_id)
            .collect::<std::collections::HashSet<_>>()
            .len()
    );
    for p in &bundle.passes {
        let v = verify(
            &p.payload,
            &keys,
            &Revocations::default(),
            &bundle.district_id,
            Utc::now(),
            None,
        );
        assert_eq!(v.verdict, PassVerdict::Valid, "{}", p.pass_id);
        assert!(!p.revoked);
    }

    // The same over real HTTP, as the phone's sync client fetches it (a third phone).
    let (base, server) = serve_loopback(&state).await;
    let over_http = HouseholdLink::parse(&format!("{base}/h/{token}#fp={fp}")).unwrap();
    let fetched = fetch(&over_http, "phone-c", std::time::Duration::from_secs(10))
        .await
        .unwrap();
    server.abort();
    assert_eq!(fetched.passes.len(), bundle.passes.len());
    assert!(fetched.passes.iter().all(|p| p.is_showable()));
    assert_eq!(fetched.household, bundle.household);

    // Reissued → the new serial; revoked → marked.
    district_server::passes::reissue(store, &state.signer, &first.pass_id, Utc::now(), "test")
        .await
        .unwrap();
    let (_, body, _) = send(&state, bundle_request(&token, Some("phone-b"))).await;
    let again: HouseholdBundle = serde_json::from_str(&body).unwrap();
    let held = again
        .passes
        .iter()
        .find(|p| p.pass_id == first.pass_id)
        .unwrap();
    assert_eq!((held.serial, held.revoked), (2, false));
    store
        .revoke(&first.pass_id, 2, "test", Utc::now().timestamp_millis())
        .await
        .unwrap();
    let (_, body, _) = send(&state, bundle_request(&token, Some("phone-b"))).await;
    let third: HouseholdBundle = serde_json::from_str(&body).unwrap();
    assert!(third
        .passes
        .iter()
        .any(|p| p.pass_id == first.pass_id && p.revoked));
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM audit WHERE action = 'household_phone'")
            .await
            .unwrap(),
        3,
        "three phones, each audited once"
    );

    // The public page: the live passes as QR codes (not the revoked one).
    let (status, page_html, _) = send(&state, page(&format!("/h/{token}"), "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page_html.contains("<svg") && !page_html.contains(&format!("pass-{}", first.pass_id)));

    // Bad input: no phone id, an unknown token; a new letter stops the old link; revoked link.
    let (status, _, _) = send(&state, bundle_request(&token, None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = send(&state, bundle_request(&"0".repeat(32), Some("p"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, html, _) = letter(household.clone()).await;
    let (new_token, _) = link_of(&html);
    let (status, body, _) = send(&state, bundle_request(&token, Some("phone-a"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("revoked"), "{body}");
    let (status, _, _) = send(&state, bundle_request(&new_token, Some("phone-a"))).await;
    assert_eq!(status, StatusCode::OK);
    let req = form(
        "/admin/households/revoke",
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("compound_id", "c1"),
            ("household", &household),
        ],
    );
    assert_eq!(send(&state, req).await.0, StatusCode::SEE_OTHER);
    let (status, _, _) = send(&state, bundle_request(&new_token, Some("phone-a"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(&state, page(&format!("/h/{new_token}"), "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn households_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    households_story(&url).await;
}

#[tokio::test]
async fn households_on_postgres() {
    let Some(url) = fresh_pg_database("households_on_postgres").await else {
        return;
    };
    households_story(&url).await;
}

#[tokio::test]
async fn checkins_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    household_acts::checkins_story(&url).await;
}

#[tokio::test]
async fn checkins_on_postgres() {
    let Some(url) = fresh_pg_database("checkins_on_postgres").await else {
        return;
    };
    household_acts::checkins_story(&url).await;
}

#[tokio::test]
async fn invitations_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    household_acts::invitations_story(&url).await;
}

#[tokio::test]
async fn invitations_on_postgres() {
    let Some(url) = fresh_pg_database("invitations_on_postgres").await else {
        return;
    };
    household_acts::invitations_story(&url).await;
}
