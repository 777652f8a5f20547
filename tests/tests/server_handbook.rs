//! The gate handbook, SQLite and PostgreSQL: the demo's starter sections (with the health
//! authority caveat and concrete concentrations), a section added and edited in the admin web (each
//! save a new version, audited), raw HTML shown as text on the page, a retired section no longer
//! published; and a real phone's sync round bringing the newest versions into its ledger, where
//! they stay readable with the server gone.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::Utc;
use server_support::{enrolled_phone, fresh_pg_database, serve_loopback, temp_sqlite, test_state};
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::{SyncConfig, SyncEngine, SETTING_CONFIG};
use web_support::{form, login, page, send};

async fn handbook_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let store = &state.store;
    district_server::demo::seed(&state.store, &state.signer, Utc::now(), 480)
        .await
        .unwrap();
    let starter = store.handbook().await.unwrap();
    assert_eq!(starter.len(), 3);
    let disinfection = starter
        .iter()
        .find(|s| s.section_id == "disinfection")
        .unwrap();
    assert!(disinfection.body_zh.contains("500 mg/L") && disinfection.body_zh.contains("30 分钟"));
    assert!(starter
        .iter()
        .all(|s| s.body_zh.contains("卫生健康部门") && s.body_en.contains("health authority")));

    let (cookie, csrf) = login(&state).await;
    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let req = form("/admin/handbook", Some(&cookie), &all);
        let state = state.clone();
        async move { send(&state, req).await }
    };
    let (status, _, _) = post(vec![
        ("title_zh", "垃圾清运"),
        (
            "body_zh",
            "每日 **18:00** 前清运。<script>alert(1)</script>",
        ),
        ("position", "40"),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let added = store
        .handbook()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.title_zh == "垃圾清运")
        .unwrap();
    assert_eq!(added.version, 1);
    let id: &'static str = Box::leak(added.section_id.clone().into_boxed_str());
    let (status, _, _) = post(vec![
        ("section_id", id),
        ("title_zh", "垃圾清运"),
        ("body_zh", "每日 **17:00** 前清运。"),
        ("title_en", "Waste collection"),
        ("body_en", "Collected before **17:00** daily."),
        ("position", "40"),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(store.handbook_versions(id).await.unwrap(), 2);
    // Nothing without a Chinese title and text.
    let (status, _, _) = post(vec![("title_zh", ""), ("body_zh", "x")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, html, _) = send(&state, page("/admin/handbook", &cookie)).await;
    assert!(html.contains("<strong>17:00</strong>") && !html.contains("<script>alert"));
    let (status, _, _) = post(vec![
        ("section_id", "fever-protocol"),
        ("title_zh", "发热人员处置"),
        ("body_zh", "停用"),
        ("retire", "1"),
    ])
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM audit WHERE action = 'handbook'")
            .await
            .unwrap(),
        3 + 3
    );

    // A phone's sync round brings the newest versions; they stay in its ledger.
    let (base, server) = serve_loopback(&state).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = enrolled_phone(&state, dir.path(), &base).await;
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    let mut engine = SyncEngine::new(ledger.clone(), config).unwrap();
    engine.step().await.unwrap();
    server.abort();
    let held: CheckpointConfig = ledger
        .lock()
        .unwrap()
        .setting(SETTING_CONFIG)
        .unwrap()
        .unwrap();
    let titles: Vec<&str> = held.handbook.iter().map(|s| s.title_zh.as_str()).collect();
    assert_eq!(titles, ["卡口登记流程", "公共区域消毒", "垃圾清运"]);
    let waste = &held.handbook[2];
    assert_eq!(
        (waste.version, waste.body_en.as_str()),
        (2, "Collected before **17:00** daily.")
    );
}

#[tokio::test]
async fn handbook_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    handbook_story(&url).await;
}

#[tokio::test]
async fn handbook_on_postgres() {
    let Some(url) = fresh_pg_database("handbook_on_postgres").await else {
        return;
    };
    handbook_story(&url).await;
}
