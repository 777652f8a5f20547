//! The duty roster, SQLite and PostgreSQL: staff accounts in the admin web (added with a staff
//! pass, PIN stored hashed, a malformed PIN refused, deactivation revoking the pass and taking
//! them off the phones' roster, reactivation issuing a new serial); a real phone's sync bringing
//! the roster; duty entries through the ingest paired into shifts for the monthly report — hours
//! and night hours across midnight and a month end, a shift with no sign-off closed at the next
//! sign-on and capped at 16 h, a sign-off without a sign-on flagged, passages and patrol rounds
//! counted in their shifts — as a page and a CSV; a duty entry naming another checkpoint refused;
//! the unstaffed gates of the dashboard, within the compound's staffed hours only.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use server_support::{
    enrolled_phone, enrollment_code, fresh_pg_database, serve_loopback, temp_sqlite, test_state,
};
use sync_core::domain::GENESIS_HASH;
use sync_core::duty::{DutyData, DutyEvent, DutyMethod};
use sync_core::patrol::{PatrolCheckData, PatrolStep, PointOutcome};
use sync_core::protocol::{CheckpointConfig, RecordStatus, WireEntry};
use sync_core::rules::ExitHours;
use sync_core::sync::{SyncConfig, SyncEngine, SETTING_CONFIG};
use sync_core::{Direction, Entry, EntryBody, EntryHead, PassageData, Subject, Verdict};
use web_support::{form, login, page, send};

/// A local (UTC+8) time in the test's two months.
fn local(month: u32, day: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, 0, 0)
        .single()
        .unwrap()
        - Duration::hours(8)
}

fn duty(staff: (&str, &str), event: DutyEvent, checkpoint: &str) -> EntryBody {
    EntryBody::Duty(DutyData {
        checkpoint_id: checkpoint.into(),
        staff_id: staff.0.into(),
        staff_name: staff.1.into(),
        event,
        method: DutyMethod::Pin,
    })
}

fn passage() -> EntryBody {
    EntryBody::Passage(PassageData {
        checkpoint_id: "cp-east".into(),
        gate: "east-1".into(),
        direction: Direction::In,
        subject: Subject::Resident {
            pass_id: "R000001".into(),
            household: "1-1-101".into(),
            name: None,
        },
        temperature_c: None,
        verdict: Verdict::Admitted,
    })
}

fn patrol_step() -> EntryBody {
    EntryBody::PatrolCheck(PatrolCheckData {
        checkpoint_id: "cp-east".into(),
        route_id: "rt-fence".into(),
        round_id: uuid::Uuid::now_v7(),
        window: None,
        step: PatrolStep::Point {
            point_id: "pt-1".into(),
            outcome: PointOutcome::Normal,
            note: String::new(),
        },
    })
}

/// Seal `items` (time, staff on the envelope, body) as one device's chain from its start.
fn chain(device: &str, items: Vec<(DateTime<Utc>, &str, EntryBody)>) -> Vec<WireEntry> {
    let mut prev = GENESIS_HASH.to_owned();
    items
        .into_iter()
        .enumerate()
        .map(|(i, (at, staff, body))| {
            let head = EntryHead {
                id: uuid::Uuid::now_v7(),
                device_id: device.into(),
                seq: i as u64 + 1,
                recorded_at: at,
                clock_offset_ms: Some(0),
                staff: staff.into(),
                attachments: Vec::new(),
            };
            let entry = Entry::seal(head, body, &prev);
            prev.clone_from(&entry.hash);
            WireEntry::from(&entry)
        })
        .collect()
}

async fn staff_accounts(state: &district_server::AppState, cookie: &str, csrf: &str) {
    let store = &state.store;
    let post = |path: String, fields: Vec<(&'static str, &'static str)>| {
        let mut all = vec![("csrf", csrf)];
        all.extend(fields);
        let req = form(&path, Some(cookie), &all);
        let state = state.clone();
        async move { send(&state, req).await.0 }
    };
    let add = vec![("name", "张志愿者"), ("compound_id", "c1"), ("pin", "2468")];
    assert_eq!(
        post("/admin/staff".into(), add).await,
        StatusCode::SEE_OTHER
    );
    let bad = vec![("name", "赵"), ("compound_id", "c1"), ("pin", "12a")];
    assert_eq!(
        post("/admin/staff".into(), bad).await,
        StatusCode::BAD_REQUEST
    );
    let zhang = store
        .staff()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "张志愿者")
        .unwrap();
    assert!(zhang.has_pin && zhang.active && zhang.staff_id.starts_with('S'));
    assert_eq!(store.last_serial(&zhang.staff_id).await.unwrap(), 1);
    let hashes: Vec<(String,)> = store
        .query_as(
            "SELECT pin_hash FROM staff WHERE pin_hash IS NOT NULL",
            vec![],
        )
        .await
        .unwrap();
    assert!(hashes
        .iter()
        .all(|(h,)| h.starts_with("$argon2id$") && !h.contains("2468")));
    let id: &'static str = Box::leak(zhang.staff_id.into_boxed_str());
    let short_pin = vec![("pin", "123")];
    assert_eq!(
        post(format!("/admin/staff/{id}/pin"), short_pin).await,
        StatusCode::BAD_REQUEST
    );
    let new_pin = vec![("pin", "97531")];
    assert_eq!(
        post(format!("/admin/staff/{id}/pin"), new_pin).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(format!("/admin/staff/{id}/deactivate"), vec![]).await,
        StatusCode::SEE_OTHER
    );
    let roster = store.roster_for("c1").await.unwrap();
    assert!(!roster.iter().any(|m| m.staff_id == id), "off the roster");
    let live: Vec<(i64,)> = store
        .query_as(
            "SELECT COUNT(*) FROM passes WHERE pass_id = $1 AND revoked_at_ms IS NULL",
            vec![id.into()],
        )
        .await
        .unwrap();
    assert_eq!(live[0].0, 0, "the pass is revoked");
    assert_eq!(
        post(format!("/admin/staff/{id}/activate"), vec![]).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(store.last_serial(id).await.unwrap(), 2, "a new serial");
    let back = store.roster_for("c1").await.unwrap();
    let member = back.iter().find(|m| m.staff_id == id).unwrap();
    assert!(member.pin_matches("97531") && !member.pin_matches("2468"));
    let (_, card, _) = send(state, page(&format!("/admin/staff/{id}/card"), cookie)).await;
    assert!(card.contains("张志愿者") && card.contains("<svg"));
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM audit WHERE action = 'staff'")
            .await
            .unwrap(),
        2 + 1 + 3,
        "two demo accounts, one added, its PIN reset, deactivated, reactivated"
    );
}

async fn duty_story(url: &str) {
    let state = test_state(url, |_| {}).await;
    let store = &state.store;
    district_server::demo::seed(store, &state.signer, Utc::now(), 480)
        .await
        .unwrap();
    let (cookie, csrf) = login(&state).await;
    staff_accounts(&state, &cookie, &csrf).await;

    // A phone's sync brings the roster of its compound, with the PIN hashes.
    let (base, server) = serve_loopback(&state).await;
    let dir = tempfile::tempdir().unwrap();
    let ledger = enrolled_phone(&state, dir.path(), &base).await;
    let config = SyncConfig::from_ledger(&ledger.lock().unwrap()).unwrap();
    SyncEngine::new(ledger.clone(), config)
        .unwrap()
        .step()
        .await
        .unwrap();
    server.abort();
    let held: CheckpointConfig = ledger
        .lock()
        .unwrap()
        .setting(SETTING_CONFIG)
        .unwrap()
        .unwrap();
    let wang = held.staff.iter().find(|m| m.name == "王师傅").unwrap();
    assert!(wang.pin_matches("1234") && !wang.pin_matches("1235"));

    // A month of duty at one phone, through the ingest (the server's clock: 2 December, noon).
    let now = local(12, 2, 12);
    let code = enrollment_code(&state).await;
    let hash = district_server::auth::hash_token;
    store
        .enroll(
            &hash(&code),
            "duty-phone",
            "test",
            &hash("token"),
            now.timestamp_millis(),
        )
        .await
        .unwrap();
    let (wang, liu, zhang) = (
        ("S000001", "王师傅"),
        ("S000002", "刘志愿者"),
        ("S000099", "张"),
    );
    let entries = chain(
        "duty-phone",
        vec![
            (
                local(11, 30, 20),
                "王师傅",
                duty(wang, DutyEvent::On, "cp-east"),
            ),
            (local(12, 1, 1), "王师傅", passage()),
            (local(12, 1, 2), "王师傅", passage()),
            (local(12, 1, 3), "王师傅", passage()),
            (
                local(12, 1, 4),
                "王师傅",
                duty(wang, DutyEvent::Off, "cp-east"),
            ),
            (
                local(12, 1, 8),
                "刘志愿者",
                duty(liu, DutyEvent::On, "cp-east"),
            ),
            (local(12, 1, 9), "刘志愿者", patrol_step()),
            (local(12, 1, 10), "刘志愿者", passage()),
            // 刘 never signs off; 王 signs on 18 hours later.
            (
                local(12, 2, 2),
                "王师傅",
                duty(wang, DutyEvent::On, "cp-east"),
            ),
            (
                local(12, 2, 6),
                "王师傅",
                duty(wang, DutyEvent::Off, "cp-east"),
            ),
            (
                local(12, 2, 7),
                "张",
                duty(zhang, DutyEvent::Off, "cp-east"),
            ),
            (local(12, 2, 8), "张", duty(zhang, DutyEvent::On, "cp-west")),
        ],
    );
    let results = store
        .ingest_entries("duty-phone", entries, 0, now, 28)
        .await
        .unwrap();
    let refused: Vec<&RecordStatus> = results
        .iter()
        .map(|r| &r.status)
        .filter(|s| **s != RecordStatus::Accepted)
        .collect();
    assert!(
        matches!(refused.as_slice(), [RecordStatus::Quarantined { reason }] if reason.contains("names checkpoint")),
        "{refused:?}"
    );

    let month = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
    let december = district_server::report::DutyMonth::compute(store, month(12), now, 480)
        .await
        .unwrap();
    let line = |id: &str| {
        december
            .staff
            .iter()
            .find(|s| s.staff_id == id)
            .cloned()
            .unwrap()
    };
    let w = line("S000001");
    // Dec 1 00:00–04:00 (all night) and Dec 2 02:00–06:00 (all night); the November part apart.
    assert_eq!((w.shifts, w.hours, w.night_hours), (1, 8.0, 8.0));
    assert_eq!((w.passages, w.rounds, w.flagged), (3, 0, 0));
    let l = line("S000002");
    // Closed at 王's sign-on 18 h later, counted 16 h (08:00–24:00), 2 of them at night.
    assert_eq!((l.shifts, l.hours, l.night_hours), (1, 16.0, 2.0));
    assert_eq!((l.passages, l.rounds, l.flagged), (1, 1, 1));
    let z = line("S000099");
    assert_eq!((z.shifts, z.hours, z.flagged), (0, 0.0, 1));
    let november = district_server::report::DutyMonth::compute(store, month(11), now, 480)
        .await
        .unwrap();
    let nov_wang = november
        .staff
        .iter()
        .find(|s| s.staff_id == "S000001")
        .unwrap();
    assert_eq!(
        (
            nov_wang.shifts,
            nov_wang.hours,
            nov_wang.night_hours,
            nov_wang.passages
        ),
        (1, 4.0, 2.0, 0)
    );
    let csv = december.csv().unwrap();
    assert!(
        csv.contains("2026-12,S000001,王师傅,1,8.00,8.00,3,0,0"),
        "{csv}"
    );

    let (status, html, _) = send(&state, page("/admin/duty?month=2026-12", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"data-staff="S000002""#) && html.contains("超过16小时"));
    let (_, csv_page, _) = send(&state, page("/admin/duty.csv?month=2026-12", &cookie)).await;
    // (刘's line also holds the demo's sign-on this morning when this runs in December 2026.)
    assert!(
        csv_page.contains("2026-12,S000001,王师傅,1,8.00,8.00,3,0,0"),
        "{csv_page}"
    );
    let (status, _, _) = send(&state, page("/admin/duty?month=12-2026", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Unstaffed now: the demo signed 刘 on at the north gate; the west gate's compound is
    // staffed only in hours that are not now.
    let real_now = Utc::now();
    let local_hour = (real_now + Duration::hours(8)).time();
    let away = |h: i64| local_hour + chrono::TimeDelta::hours(h);
    let mut rules = store.compound_rules("c2").await.unwrap();
    rules.staffed_hours = Some(ExitHours {
        from: away(2),
        until: away(3),
    });
    store
        .set_compound_rules("c2", &rules, "test", real_now.timestamp_millis())
        .await
        .unwrap();
    let unstaffed = district_server::report::unstaffed(store, real_now, 480)
        .await
        .unwrap();
    let ids: Vec<&str> = unstaffed.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["cp-east"], "north staffed, west outside its hours");
    let (_, dash, _) = send(&state, page("/admin", &cookie)).await;
    assert!(dash.contains(r#"data-checkpoint="cp-east""#) && dash.contains("无人值守"));
}

#[tokio::test]
async fn duty_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    duty_story(&url).await;
}

#[tokio::test]
async fn duty_on_postgres() {
    let Some(url) = fresh_pg_database("duty_on_postgres").await else {
        return;
    };
    duty_story(&url).await;
}
