//! Finding people, on SQLite and PostgreSQL: the records search (a term matched exactly — no
//! wildcards — against pass (a vehicle's scanned companions too), plate, household, name or ID
//! tail; filters; pages of 50; names masked for an observer; every search audited), one subject's timeline, and contact tracing on a
//! seeded day whose contacts are computed independently here, as a table and a CSV export.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use district_server::access::Role;
use district_server::auth::hash_password;
use district_server::report::{day_bounds, local_day};
use district_server::store::{AccountRole, RecordQuery, SearchField};
use district_server::AppState;
use server_support::{enroll_at, fresh_pg_database, temp_sqlite, test_state, west_compound};
use sync_core::domain::GENESIS_HASH;
use sync_core::{DenyReason, Direction, NewPassage, Passage, PassageBody, Subject, Verdict};
use uuid::Uuid;
use web_support::{login, login_as, page, send};

const WINDOW_MIN: i64 = 15;

fn resident(pass_id: &str, household: &str, name: &str) -> Subject {
    Subject::Resident {
        pass_id: pass_id.into(),
        household: household.into(),
        name: Some(name.into()),
    }
}

fn visitor(name: &str, id_number: &str) -> Subject {
    Subject::Visitor {
        name: name.into(),
        phone: "13700001234".into(),
        id_number: Some(id_number.into()),
        host_household: "7-1-102".into(),
        reason: "探亲".into(),
        plate: None,
        visitor_pass_id: None,
    }
}

fn car(plate: &str) -> Subject {
    Subject::Vehicle {
        plate: plate.into(),
        pass_id: None,
        occupant_pass_ids: vec![],
        occupants: 2,
    }
}

/// `(checkpoint, minute of the day, subject, admitted)` of the seeded day.
fn day_plan() -> Vec<(&'static str, i64, Subject, bool)> {
    let traced = || resident("R900001", "7-1-101", "赵敏");
    let mut plan = vec![
        ("cp-east", 8 * 60, traced(), true),
        ("cp-east", 12 * 60, traced(), true),
        (
            "cp-east",
            7 * 60 + 50,
            visitor("钱多", "11010519491231002X"),
            true,
        ),
        ("cp-east", 8 * 60 + 20, car("京B00001"), true),
        (
            "cp-east",
            11 * 60 + 46,
            resident("R900002", "7-2-201", "孙丽"),
            true,
        ),
        (
            "cp-east",
            12 * 60 + 16,
            resident("R900003", "7-3-301", "李强"),
            true,
        ),
        (
            "cp-east",
            8 * 60 + 5,
            visitor("周五", "110105198001011234"),
            false,
        ),
        (
            "cp-west",
            8 * 60 + 1,
            resident("R900004", "8-1-101", "吴刚"),
            true,
        ),
    ];
    // 吴刚 rides out in a car as a scanned companion: found by his pass too.
    let ride = Subject::Vehicle {
        plate: "京B00002".into(),
        pass_id: None,
        occupant_pass_ids: vec!["R900004".into()],
        occupants: 2,
    };
    plan.push(("cp-west", 9 * 60, ride, true));
    // Night traffic at the west gate, enough for two pages.
    for i in 0..60 {
        plan.push(("cp-west", 20 * 60 + i, car(&format!("京C{:05}", i)), true));
    }
    plan
}

/// The contacts of R900001 counted here: every other subject admitted at the same checkpoint within
/// the window of one of its admitted passages, as `(traced minute, contact minute)`.
fn expected_contacts(plan: &[(&str, i64, Subject, bool)]) -> BTreeSet<(i64, i64)> {
    let mut out = BTreeSet::new();
    for (cp, t, s, ok) in plan {
        if !(*ok && s.pass_id() == Some("R900001")) {
            continue;
        }
        for (cp2, t2, s2, ok2) in plan {
            if *ok2 && cp2 == cp && s2.key() != s.key() && (t2 - t).abs() <= WINDOW_MIN {
                out.insert((*t, *t2));
            }
        }
    }
    out
}

async fn seed(state: &AppState, day_start: DateTime<Utc>) {
    let store = &state.store;
    west_compound(store).await;
    enroll_at(store, "dev-east", "cp-east").await;
    enroll_at(store, "dev-west", "cp-west").await;
    for (device, cp, gate) in [
        ("dev-east", "cp-east", "east-1"),
        ("dev-west", "cp-west", "west-1"),
    ] {
        let mut prev = GENESIS_HASH.to_owned();
        let mut batch = Vec::new();
        let mut plan: Vec<_> = day_plan().into_iter().filter(|p| p.0 == cp).collect();
        plan.sort_by_key(|p| p.1);
        for (seq, (_, minute, subject, admitted)) in plan.into_iter().enumerate() {
            let new = NewPassage {
                checkpoint_id: cp.into(),
                gate: gate.into(),
                direction: if seq % 2 == 0 {
                    Direction::In
                } else {
                    Direction::Out
                },
                recorded_at: day_start + Duration::minutes(minute),
                clock_offset_ms: Some(0),
                staff: "值班员".into(),
                subject,
                temperature_c: Some(36.5),
                verdict: if admitted {
                    Verdict::Admitted
                } else {
                    Verdict::Denied {
                        reason: DenyReason::Revoked,
                    }
                },
            };
            let body = PassageBody::new(Uuid::now_v7(), device, seq as u64 + 1, new);
            let p = Passage::seal(body, &prev);
            prev.clone_from(&p.hash);
            batch.push(p);
        }
        store
            .ingest(device, batch, 0, Utc::now(), 28)
            .await
            .unwrap();
    }
}

fn rows(html: &str) -> usize {
    html.split("id=\"records\"").nth(1).map_or(0, |t| {
        t.split("</table>").next().unwrap().matches("<tr>").count() - 1
    })
}

async fn search(state: &AppState, cookie: &str, query: &str) -> (StatusCode, String) {
    let (status, html, _) = send(state, page(&format!("/admin/records?{query}"), cookie)).await;
    (status, html)
}

async fn records_story(url: &str) {
    let state = test_state(url, |c| c.contact_window_minutes = WINDOW_MIN).await;
    let offset = state.config.utc_offset_minutes;
    let day = local_day(Utc::now(), offset) - Duration::days(1);
    let day_start = day_bounds(day, offset).0;
    seed(&state, day_start).await;
    let (cookie, _) = login(&state).await;
    let d = format!("from={day}&to={day}");

    for (q, n) in [
        ("q=%E4%BA%ACB00001", 1),    // 京B00001, a plate
        ("q=%E4%BA%ACb00001", 1),    // typed in small letters
        ("q=7-1-101", 2),            // a household
        ("q=%E8%B5%B5%E6%95%8F", 2), // 赵敏, a name
        ("q=002x", 1),               // an ID number's last four
        ("q=%25", 0),                // "%": no wildcards
        ("q=_", 0),
        ("q=R900001&by=pass_id", 2), // a timeline
        ("q=R900004&by=pass_id", 2), // his own passage and the car he rode in
        ("q=r900004", 2),            // the same, matched over every field
    ] {
        let (status, html) = search(&state, &cookie, &format!("{q}&{d}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert_eq!(rows(&html), n, "{q}");
    }
    let (_, all) = search(&state, &cookie, &d).await;
    assert_eq!(rows(&all), 50, "a page holds 50");
    assert!(all.contains("id=\"next-page\""));
    let (_, second) = search(&state, &cookie, &format!("{d}&page=1")).await;
    assert_eq!(rows(&second), 69 - 50);
    let (_, denied) = search(&state, &cookie, &format!("{d}&verdict=denied")).await;
    assert_eq!(rows(&denied), 1);
    let (_, east) = search(&state, &cookie, &format!("{d}&compound=c1&kind=vehicle")).await;
    assert_eq!(rows(&east), 1, "the one car at the east gate");
    let (_, rode) = search(&state, &cookie, &format!("q=R900004&by=pass_id&{d}")).await;
    assert!(rode.contains("京B00002"), "the car 吴刚 rode in");
    let long = "x".repeat(10_000);
    for bad in [
        format!("q={long}&{d}"),
        format!("from={day}&to={}", day - Duration::days(1)),
        format!("from={}&to={day}", day - Duration::days(40)),
        format!("{d}&kind=ufo"),
    ] {
        let (status, _) = search(&state, &cookie, &bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{:.60}", bad);
    }

    // Contacts, against the ones counted here.
    let plan = day_plan();
    let expected = expected_contacts(&plan);
    assert_eq!(
        expected.len(),
        2,
        "the visitor 10 min before and 孙丽 14 min before"
    );
    let q = RecordQuery {
        from_ms: day_start.timestamp_millis(),
        to_ms: (day_start + Duration::days(1)).timestamp_millis(),
        term: Some(("R900001".into(), Some(SearchField::PassId))),
        limit: 1000,
        ..RecordQuery::default()
    };
    let found: BTreeSet<(i64, i64)> = state
        .store
        .contacts(&q, WINDOW_MIN * 60_000)
        .await
        .unwrap()
        .iter()
        .map(|c| {
            (
                (c.traced_at_ms - day_start.timestamp_millis()) / 60_000,
                (c.other.corrected_at_ms - day_start.timestamp_millis()) / 60_000,
            )
        })
        .collect();
    assert_eq!(found, expected);
    let path = format!("/admin/records/contacts?by=pass_id&q=R900001&{d}");
    let (status, html, _) = send(&state, page(&path, &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("class=\"contact\"").count(), expected.len());
    assert!(html.contains("孙丽") && !html.contains("李强") && !html.contains("吴刚"));
    let (status, csv, _) = send(
        &state,
        page(&path.replace("contacts?", "contacts.csv?"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 1 + expected.len(), "{csv}");

    // An observer without the export grant: names masked, no CSV.
    let phc = hash_password("observer password").unwrap();
    let role = AccountRole {
        role: Role::Observer,
        compounds: vec![],
        personal_exports: false,
    };
    state
        .store
        .create_account("watcher", &role, &phc, "test", 0)
        .await
        .unwrap();
    state
        .store
        .set_account_password("watcher", &phc, false, "test", 0)
        .await
        .unwrap();
    let (watcher, _) = login_as(&state, "watcher", "observer password").await;
    let (_, html) = search(&state, &watcher, &format!("q=7-1-101&{d}")).await;
    let table = html.split("id=\"records\"").nth(1).unwrap();
    assert!(
        table.contains("赵*") && !table.contains("赵敏"),
        "masked for an observer"
    );
    let (status, _, _) = send(
        &state,
        page(&path.replace("contacts?", "contacts.csv?"), &watcher),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let audit = state.store.audit_log(500).await.unwrap();
    let searches = audit
        .iter()
        .filter(|e| e.action == "records_search")
        .count();
    assert!(searches >= 10, "every search audited ({searches})");
    assert!(audit
        .iter()
        .any(|e| e.action == "records_search" && e.detail.contains("q=\"7-1-101\"")));
    assert!(audit.iter().any(|e| e.action == "contact_trace"));
    assert!(audit
        .iter()
        .any(|e| e.action == "export" && e.detail.contains("contacts CSV")));
}

#[tokio::test]
async fn records_search_timeline_and_contacts_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    records_story(&url).await;
}

#[tokio::test]
async fn records_search_timeline_and_contacts_on_postgres() {
    let Some(url) = fresh_pg_database("records_search_timeline_and_contacts_on_postgres").await
    else {
        return;
    };
    records_story(&url).await;
}
