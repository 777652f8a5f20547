//! Admin web tests (login, CSRF, CSV injection, import, revoke, devices, quarantine), plus one
//! real-socket test that drives the server with the device's own sync engine.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod server_support;
mod web_support;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use district_server::store::Checkpoint;
use server_support::{enrollment_code, serve_loopback, temp_sqlite, test_state};
use sync_core::fixtures::sample_passage;
use sync_core::sync::{enroll, SyncConfig, SyncEngine};
use sync_core::Ledger;
use web_support::{form, login, page, send};

#[tokio::test]
async fn admin_pages_need_login_and_forms_need_the_csrf_token() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (status, _, _) = send(&state, Request::get("/admin").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(
        &state,
        Request::get("/admin/report.csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (cookie, csrf) = login(&state).await;
    let fields = [
        ("id", "cp-west"),
        ("name", "西门"),
        ("compound_id", "c1"),
        ("gates", "w1"),
    ];
    let (status, _, _) = send(
        &state,
        form(
            "/admin/checkpoints",
            Some(&cookie),
            &[&[("csrf", "forged")], &fields[..]].concat(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(state.store.checkpoint("cp-west").await.unwrap().is_none());
    let (status, _, _) = send(
        &state,
        form(
            "/admin/checkpoints",
            Some(&cookie),
            &[&[("csrf", csrf.as_str())], &fields[..]].concat(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(state.store.checkpoint("cp-west").await.unwrap().is_some());
    for path in [
        "/admin",
        "/admin/devices",
        "/admin/audit",
        "/admin/residents",
        "/admin/report",
    ] {
        let (status, html, _) = send(&state, page(path, &cookie)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("一卡一码"), "{path}");
    }
    let (status, html, _) = send(&state, page("/admin/report?day=yesterday", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("YYYY-MM-DD"));
}

#[tokio::test]
async fn csv_export_neutralises_formula_cells() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let evil = Checkpoint {
        id: "cp-evil".into(),
        compound_id: "c1".into(),
        name: "=HYPERLINK(\"http://x\",\"y\")".into(),
        gates: vec!["1".into()],
    };
    state.store.upsert_checkpoint(&evil, 0).await.unwrap();
    state
        .store
        .upsert_compound("c1", "@SUM(A1:A9)")
        .await
        .unwrap();
    let (cookie, _) = login(&state).await;
    let (status, csv, _) = send(&state, page("/admin/report.csv?compound=c1", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let mut cells = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unsafe cell {cell:?}"
            );
        }
    }
    assert!(cells > 20);
    assert!(csv.contains("'=HYPERLINK"));
    let audit = state.store.audit_log(10).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "export" && e.actor == "officer"));
}

#[tokio::test]
async fn import_issue_revoke_and_the_revocation_delta() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (cookie, csrf) = login(&state).await;
    let bad = "张三,11010519491231002X,13812345678,3,2,401,京A12345\n李四,110105194912310021,123,3,2,402,\n";
    let (status, html, _) = send(
        &state,
        form(
            "/admin/residents/import",
            Some(&cookie),
            &[("csrf", &csrf), ("compound_id", "c1"), ("csv", bad)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("line 2"), "{html}");
    assert_eq!(
        state.store.resident_count().await.unwrap(),
        0,
        "nothing imported from a file with errors"
    );
    let good = "name,id,phone,b,u,r,plates\n张三,11010519491231002X,13812345678,3,2,401,京A12345\n";
    let (status, html, _) = send(
        &state,
        form(
            "/admin/residents/import",
            Some(&cookie),
            &[("csrf", &csrf), ("compound_id", "c1"), ("csv", good)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("110***********002X") && html.contains("138****5678"),
        "masked in lists"
    );
    assert!(!html.contains("11010519491231002X") && !html.contains("13812345678"));
    let passes = state.store.passes().await.unwrap();
    assert_eq!(passes.len(), 2);
    let resident = passes
        .iter()
        .find(|p| p.kind == sync_core::pass::PassKind::Resident)
        .unwrap()
        .clone();
    // Reissue raises the serial and revokes the old one; the delta tells devices.
    let (status, _, _) = send(
        &state,
        form(
            &format!("/admin/passes/{}/reissue", resident.pass_id),
            Some(&cookie),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (version, delta) = state.store.revocations_since(0).await.unwrap();
    assert_eq!((version, delta.len(), delta[0].serial), (1, 1, 1));
    let (status, _, _) = send(
        &state,
        form(
            &format!("/admin/passes/{}/2/revoke", resident.pass_id),
            Some(&cookie),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (version, delta) = state.store.revocations_since(1).await.unwrap();
    assert_eq!((version, delta.len(), delta[0].serial), (2, 1, 2));
    let (status, _, _) = send(
        &state,
        form(
            &format!("/admin/passes/{}/2/revoke", resident.pass_id),
            Some(&cookie),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "revoking twice is refused");
    let (status, html, _) = send(&state, page("/admin/cards", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg") && html.contains("京A12345"));
    let actions: Vec<String> = state
        .store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in ["import", "reissue", "revoke", "print_cards", "login"] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
}

/// Over a real loopback socket: the device's sync engine enrolls, uploads its ledger and resends.
#[tokio::test]
async fn real_socket_sync_engine_uploads_exactly_once() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |c| c.max_batch_records = 40).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = Arc::new(Mutex::new(
        Ledger::open(dir.path().join("gate.db")).unwrap(),
    ));
    let code = enrollment_code(&state).await;
    enroll(&ledger, &base, &code, "test phone").await.unwrap();
    assert!(
        enroll(&ledger, &base, &code, "again").await.is_err(),
        "a code works once"
    );
    let start = Utc::now() - Duration::hours(1);
    {
        let mut l = ledger.lock().unwrap();
        for i in 0..150 {
            l.append(sample_passage(i, start)).unwrap();
        }
    }
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    let mut engine = SyncEngine::new(
        Arc::clone(&ledger),
        SyncConfig {
            max_batch_records: 100,
            ..config
        },
    )
    .unwrap();
    let report = engine.step().await.unwrap();
    assert_eq!(report.acknowledged, 150, "{report:?}");
    assert_eq!(state.store.passage_count(None).await.unwrap(), 150);
    let again = engine.step().await.unwrap();
    assert_eq!(again.acknowledged, 0);
    assert_eq!(state.store.passage_count(None).await.unwrap(), 150);
    let device = &state.store.devices().await.unwrap()[0];
    assert_eq!(
        (device.last_seq, device.missing, device.n_gaps),
        (150, 0, 0)
    );
    server.abort();
}

/// A phone cannot take over an enrolled device id with a new code; after an administrator releases
/// it on the devices page (confirm box, CSRF, audited) the same ledger enrolls again.
#[tokio::test]
async fn a_device_id_reenrolls_only_after_an_administrator_releases_it() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let ledger = server_support::enrolled_phone(&state, dir.path(), &base).await;
    let device_id = state.store.devices().await.unwrap()[0].device_id.clone();
    let code = enrollment_code(&state).await;
    let refused = enroll(&ledger, &base, &code, "again").await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("release")),
        "{refused:?}"
    );

    let (cookie, csrf) = login(&state).await;
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(
        html.contains(&format!("name=\"device_id\" value=\"{device_id}\"")),
        "{device_id}: {html}"
    );
    let path = "/admin/devices/release";
    let id = device_id.as_str();
    let (status, _, _) = send(
        &state,
        form(
            path,
            Some(&cookie),
            &[("csrf", "forged"), ("device_id", id), ("confirm", "yes")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html, _) = send(
        &state,
        form(path, Some(&cookie), &[("csrf", &csrf), ("device_id", id)]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    let (status, _, _) = send(
        &state,
        form(
            path,
            Some(&cookie),
            &[("csrf", &csrf), ("device_id", id), ("confirm", "yes")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(html.contains("已释放 released"), "{html}");
    let audit = state.store.audit_log(5).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "release_device" && a.actor == "officer"));

    // The code refused before is still unused, and now enrolls the released id.
    enroll(&ledger, &base, &code, "again").await.unwrap();
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(
        !html.contains("已释放 released"),
        "re-enrolled devices are bound again"
    );
    server.abort();
}

/// "Disable device" on the devices page takes two steps (the confirmation box) and the CSRF token,
/// is audited, and shows; "enable" undoes it.
#[tokio::test]
async fn a_device_is_disabled_and_enabled_from_the_devices_page_in_two_steps() {
    let (dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let (base, server) = serve_loopback(&state).await;
    let _phone = server_support::enrolled_phone(&state, dir.path(), &base).await;
    let device_id = state.store.devices().await.unwrap()[0].device_id.clone();
    let id = device_id.as_str();
    let (cookie, csrf) = login(&state).await;
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(html.contains("停用 Disable"), "{html}");
    let path = "/admin/devices/disable";
    let forged = [("csrf", "forged"), ("device_id", id), ("confirm", "yes")];
    let (status, _, _) = send(&state, form(path, Some(&cookie), &forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let one_step = [("csrf", csrf.as_str()), ("device_id", id)];
    let (status, _, _) = send(&state, form(path, Some(&cookie), &one_step)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the box must be ticked");
    assert!(state.store.devices().await.unwrap()[0]
        .disabled_at_ms
        .is_none());
    let both = [
        ("csrf", csrf.as_str()),
        ("device_id", id),
        ("confirm", "yes"),
    ];
    let (status, _, _) = send(&state, form(path, Some(&cookie), &both)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(
        html.contains("已停用 disabled") && html.contains("启用 Enable"),
        "{html}"
    );
    let d = &state.store.devices().await.unwrap()[0];
    assert_eq!(d.disabled_by.as_deref(), Some("officer"));
    let (status, _, _) = send(&state, form("/admin/devices/enable", Some(&cookie), &both)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(state.store.devices().await.unwrap()[0]
        .disabled_at_ms
        .is_none());
    let audit = state.store.audit_log(5).await.unwrap();
    for action in ["disable_device", "enable_device"] {
        assert!(
            audit
                .iter()
                .any(|a| a.action == action && a.actor == "officer"),
            "{action}"
        );
    }
    server.abort();
}

/// The quarantine page lists a refused record (kind and reason, no personal data) and the devices
/// page counts it; accepting it with a typed local time stores it at that time.
#[tokio::test]
async fn quarantined_records_are_reviewed_in_the_admin_web() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |_| {}).await;
    let now = Utc::now();
    let code = enrollment_code(&state).await;
    let (code_hash, token) = (
        district_server::auth::hash_token(&code),
        district_server::auth::hash_token("tw"),
    );
    state
        .store
        .enroll(&code_hash, "dev-W", "w", &token, now.timestamp_millis())
        .await
        .unwrap();
    let mut new = sample_passage(2, now);
    new.recorded_at = chrono::DateTime::from_timestamp(0, 0).unwrap();
    let body = sync_core::PassageBody::new(uuid::Uuid::now_v7(), "dev-W", 1, new);
    let p = sync_core::Passage::seal(body, sync_core::domain::GENESIS_HASH);
    state
        .store
        .ingest("dev-W", vec![p], 0, now, 28)
        .await
        .unwrap();

    let (cookie, csrf) = login(&state).await;
    let (_, html, _) = send(&state, page("/admin/devices", &cookie)).await;
    assert!(html.contains("/admin/quarantine?device=dev-W"), "{html}");
    let (status, html, _) = send(&state, page("/admin/quarantine", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("older than the retention period"), "{html}");
    assert!(
        !html.contains("13800000002") && !html.contains("李四"),
        "no personal data"
    );
    let pk = web_support::hidden_value(&html, "pk");
    let review = |fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form("/admin/quarantine/review", Some(&cookie), &fields)
    };
    let base = vec![("csrf", csrf.clone()), ("pk", pk.clone())];
    let bad_time = [
        base.clone(),
        vec![("action", "accept".into()), ("at", "yesterday".into())],
    ];
    let (status, _, _) = send(&state, review(bad_time.concat())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let at = [
        base.clone(),
        vec![
            ("action", "accept".into()),
            ("at", "2026-11-30 08:15".into()),
        ],
    ];
    let (status, html, _) = send(&state, review(at.concat())).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    let stored = state
        .store
        .count_query("SELECT recorded_at_ms FROM passages WHERE device_id = 'dev-W'")
        .await
        .unwrap();
    // 08:15 in UTC+8 is 00:15 UTC.
    let expected = chrono::DateTime::parse_from_rfc3339("2026-11-30T00:15:00Z").unwrap();
    assert_eq!(stored, expected.timestamp_millis());
    let (_, html, _) = send(&state, page("/admin/quarantine", &cookie)).await;
    assert!(html.contains("No records are waiting"), "{html}");
}
