//! Notices with read receipts, SQLite and PostgreSQL: publishing in the admin web with targeting
//! (district, compounds, checkpoints), edits as new versions, a withdrawal; a real phone's sync
//! round brings exactly the notices for its checkpoint at their newest version; its receipt comes
//! back with the upload and shows per checkpoint on the notice's page; a receipt for a notice
//! never sent there, or naming another checkpoint, is refused with its reason; checkpoints late
//! with a receipt are flagged after the configured minutes, on the dashboard too.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::Utc;
use server_support::{enrolled_phone, fresh_pg_database, serve_loopback, temp_sqlite, test_state};
use sync_core::domain::{EntryBody, NewEntry};
use sync_core::notice::{NoticeAckData, NoticeBoard};
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::{SyncConfig, SyncEngine, SETTING_CONFIG};
use sync_core::Ledger;
use web_support::{form, login, page, send};

fn acknowledge(ledger: &Arc<Mutex<Ledger>>, ack: NoticeAckData) {
    ledger
        .lock()
        .unwrap()
        .append_entry(NewEntry {
            recorded_at: Utc::now(),
            clock_offset_ms: Some(0),
            staff: "王师傅".into(),
            attachments: vec![],
            body: EntryBody::NoticeAck(ack),
        })
        .unwrap();
}

fn held_config(ledger: &Arc<Mutex<Ledger>>) -> CheckpointConfig {
    ledger
        .lock()
        .unwrap()
        .setting(SETTING_CONFIG)
        .unwrap()
        .unwrap()
}

async fn notice_id(state: &district_server::AppState, title: &str) -> String {
    let all = state.store.notices().await.unwrap();
    all.into_iter()
        .find(|n| n.notice.title == title)
        .map(|n| n.notice.notice_id)
        .unwrap()
}

async fn notices_story(url: &str) {
    let state = test_state(url, |c| c.notice_ack_minutes = 30).await;
    let store = &state.store;
    let now = Utc::now();
    district_server::demo::seed(store, &state.signer, now, 480)
        .await
        .unwrap();
    let (cookie, csrf) = login(&state).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let req = form("/admin/notices", Some(&cookie), &all);
        let state = state.clone();
        async move { send(&state, req).await.0 }
    };
    let text = |s: &str| s.to_owned();
    // Urgent, for the east gate only; then edited (v2).
    let urgent = vec![
        ("title", text("今晚封控演练")),
        ("body", text("20:00 起只开东门。")),
        ("priority", text("urgent")),
        ("target", text("checkpoints")),
        ("checkpoint", text("cp-east")),
    ];
    assert_eq!(post(urgent.clone()).await, StatusCode::SEE_OTHER);
    let drill = notice_id(&state, "今晚封控演练").await;
    let mut edited = urgent.clone();
    edited[1].1 = text("**19:30** 起只开东门。");
    edited.push(("notice_id", drill.clone()));
    assert_eq!(post(edited).await, StatusCode::SEE_OTHER);
    // For the other compound only; and one for this compound, then withdrawn.
    let peace = vec![
        ("title", text("和平小区停水")),
        ("body", text("明日停水。")),
        ("priority", text("normal")),
        ("target", text("compounds")),
        ("compound", text("c2")),
    ];
    assert_eq!(post(peace).await, StatusCode::SEE_OTHER);
    let lift = vec![
        ("title", text("电梯检修")),
        ("body", text("3号楼电梯检修。")),
        ("priority", text("normal")),
        ("target", text("compounds")),
        ("compound", text("c1")),
    ];
    assert_eq!(post(lift.clone()).await, StatusCode::SEE_OTHER);
    let lift_id = notice_id(&state, "电梯检修").await;
    let mut withdraw = lift;
    withdraw.extend([("notice_id", lift_id), ("withdraw", text("1"))]);
    assert_eq!(post(withdraw).await, StatusCode::SEE_OTHER);
    // Refused: no target chosen, an unknown checkpoint, an end before the start.
    let bad_target = vec![
        ("title", text("x")),
        ("body", text("y")),
        ("priority", text("normal")),
        ("target", text("compounds")),
    ];
    assert_eq!(post(bad_target).await, StatusCode::BAD_REQUEST);
    let unknown = vec![
        ("title", text("x")),
        ("body", text("y")),
        ("priority", text("normal")),
        ("target", text("checkpoints")),
        ("checkpoint", text("cp-nowhere")),
    ];
    assert_eq!(post(unknown).await, StatusCode::BAD_REQUEST);
    let backwards = vec![
        ("title", text("x")),
        ("body", text("y")),
        ("priority", text("normal")),
        ("target", text("district")),
        ("from", text("2026-12-03T10:00")),
        ("until", text("2026-12-03T09:00")),
    ];
    assert_eq!(post(backwards).await, StatusCode::BAD_REQUEST);
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM audit WHERE action = 'notice'")
            .await
            .unwrap(),
        1 + 4 + 1
    );

    // The east gate's phone: the demo's district notice and the drill at v2, nothing else.
    let (base, server) = serve_loopback(&state).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = enrolled_phone(&state, dir.path(), &base).await;
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    let mut engine = SyncEngine::new(ledger.clone(), config).unwrap();
    engine.step().await.unwrap();
    let held = held_config(&ledger);
    let mut got: Vec<(String, u32)> = held
        .notices
        .iter()
        .map(|n| (n.title.clone(), n.version))
        .collect();
    got.sort();
    let demo_title = "访客须出示48小时核酸阴性证明 Visitors need a 48-hour negative test";
    assert_eq!(
        got,
        [(text("今晚封控演练"), 2), (text(demo_title), 1)],
        "the east gate gets the district's notice and its own, at the newest version"
    );
    let board = NoticeBoard::from_pulled(&held.notices);
    let unread = board.unread(Utc::now(), |_| false);
    assert!(unread[0].is_urgent() && unread[0].body.contains("19:30"));

    // The phone acknowledges the drill; then a forged receipt for the other compound's notice,
    // and one naming another checkpoint.
    acknowledge(&ledger, board.ack(&drill, 2, "cp-east").unwrap());
    let peace_id = notice_id(&state, "和平小区停水").await;
    acknowledge(
        &ledger,
        NoticeAckData {
            notice_id: peace_id.clone(),
            version: 1,
            checkpoint_id: "cp-east".into(),
        },
    );
    acknowledge(
        &ledger,
        NoticeAckData {
            notice_id: drill.clone(),
            version: 2,
            checkpoint_id: "cp-west".into(),
        },
    );
    engine.step().await.unwrap();
    server.abort();
    let receipts = store.notice_receipts(&drill).await.unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        (receipts[0].version, receipts[0].checkpoint_id.as_str()),
        (2, "cp-east")
    );
    assert_eq!(receipts[0].staff, "王师傅");
    assert!(store.notice_receipts(&peace_id).await.unwrap().is_empty());
    let kept = store.quarantined(None, 10, 28).await.unwrap();
    let reasons: Vec<&str> = kept.iter().map(|q| q.reason.as_str()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("never sent"))
            && reasons.iter().any(|r| r.contains("names checkpoint")),
        "{reasons:?}"
    );
    // The receipt is stored once however often it is sent: the next round sends nothing new.
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM notice_acks")
            .await
            .unwrap(),
        1
    );

    // The notice's page: acknowledged at the east gate by its staff.
    let (_, html, _) = send(&state, page(&format!("/admin/notices/{drill}"), &cookie)).await;
    assert!(
        html.contains(r#"data-checkpoint="cp-east" data-acked="1""#),
        "{html}"
    );
    assert!(html.contains("<strong>19:30</strong>") && html.contains("王师傅"));

    // Late receipts: the demo notice (2 h old) at all three gates; the drill nowhere (the east
    // gate acknowledged it); the new ones only once their 30 minutes are up.
    let now_ms = Utc::now().timestamp_millis();
    let late = store.overdue_receipts(now_ms, 30).await.unwrap();
    let mut pairs: Vec<(String, String)> = late
        .iter()
        .map(|o| (o.notice_id.clone(), o.checkpoint_id.clone()))
        .collect();
    pairs.sort();
    let demo = "nt-demo-visitors".to_owned();
    assert_eq!(
        pairs,
        [
            (demo.clone(), text("cp-east")),
            (demo.clone(), text("cp-north")),
            (demo, text("cp-west")),
        ]
    );
    let later = store
        .overdue_receipts(now_ms + 31 * 60_000, 30)
        .await
        .unwrap();
    assert!(later
        .iter()
        .any(|o| o.notice_id == peace_id && o.checkpoint_id == "cp-west"));
    assert!(!later.iter().any(|o| o.notice_id == drill));
    let (_, dash, _) = send(&state, page("/admin", &cookie)).await;
    assert!(dash.contains("id=\"unread-notices\"") && dash.contains("和平小区西门"));
}

#[tokio::test]
async fn notices_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    notices_story(&url).await;
}

#[tokio::test]
async fn notices_on_postgres() {
    let Some(url) = fresh_pg_database("notices_on_postgres").await else {
        return;
    };
    notices_story(&url).await;
}
