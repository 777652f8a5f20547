//! Digital patrol on the server, SQLite and PostgreSQL: points, a route and a schedule set up
//! through the admin web (with its refusals), patrol checks uploaded as journal entries (stored
//! once, even when sent twice), and the day's rounds evaluated: done, partial (finished early),
//! late, out of order with a double check, missed versus not synced (device silent since the
//! window), a night round across midnight, a check corrected by the device's clock offset, a
//! point not on the route ignored, and a schedule edit that leaves earlier rounds their window.
//! The patrol page, the dashboard tile and the report show the result.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use district_server::report::{day_bounds, local_day, PatrolDay};
use district_server::store::{EnrollOutcome, RoutesOf, Store};
use district_server::AppState;
use server_support::{enrollment_code, fresh_pg_database, temp_sqlite, test_state};
use sync_core::domain::GENESIS_HASH;
use sync_core::patrol::{
    PatrolCheckData, PatrolStep, PointOutcome, RoundStatus, RoundWindow, Schedule,
};
use sync_core::protocol::{RecordStatus, WireEntry};
use sync_core::{Entry, EntryBody, EntryHead};
use uuid::Uuid;
use web_support::{form, login, page, send};

const DEVICE: &str = "dev-patrol";
const CST: i32 = 480;

/// Local time `h:m` of `day` in UTC.
fn at(day: NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    (day.and_hms_opt(h, m, 0).unwrap() - Duration::minutes(i64::from(CST))).and_utc()
}

/// One step of a round on the device's chain.
struct Step {
    at: DateTime<Utc>,
    round: Uuid,
    route: String,
    window: Option<DateTime<Utc>>,
    step: PatrolStep,
    /// The device clock's error (its reading minus true time), known to it as an offset.
    clock_ahead: Duration,
}

fn point(id: &str) -> PatrolStep {
    PatrolStep::Point {
        point_id: id.into(),
        outcome: PointOutcome::Normal,
        note: String::new(),
    }
}

/// Seal steps onto one chain from `seq`, after `prev`.
fn seal(steps: &[Step], seq: u64, prev: &str) -> (Vec<WireEntry>, String) {
    let mut prev = prev.to_owned();
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        let head = EntryHead {
            id: Uuid::now_v7(),
            device_id: DEVICE.into(),
            seq: seq + i as u64,
            recorded_at: s.at + s.clock_ahead,
            clock_offset_ms: Some(-s.clock_ahead.num_milliseconds()),
            staff: "巡查员老周".into(),
            attachments: Vec::new(),
        };
        let body = EntryBody::PatrolCheck(PatrolCheckData {
            checkpoint_id: "cp-east".into(),
            route_id: s.route.clone(),
            round_id: s.round,
            window: s.window.map(|start| RoundWindow {
                start,
                end: start + Duration::minutes(45),
            }),
            step: s.step.clone(),
        });
        let entry = Entry::seal(head, body, &prev);
        prev.clone_from(&entry.hash);
        out.push(WireEntry::from(&entry));
    }
    (out, prev)
}

/// Points A, B, C and an ordered route of them at `cp-east`, through the admin web; also a night
/// route of A alone. Returns (day route id, night route id, point ids).
async fn set_up(state: &AppState) -> (String, String, Vec<String>) {
    let (cookie, csrf) = login(state).await;
    let post = |path: &str, fields: Vec<(&str, String)>| {
        let mut f: Vec<(&str, String)> = vec![("csrf", csrf.clone()), ("compound", "c1".into())];
        f.extend(fields);
        let owned: Vec<(String, String)> = f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let path = path.to_owned();
        let cookie = cookie.clone();
        async move {
            let pairs: Vec<(&str, &str)> = owned
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            send(state, form(&path, Some(&cookie), &pairs)).await
        }
    };
    for name in ["北门铁栅栏", "3号楼垃圾点", "地下车库入口"] {
        let (status, body, _) = post(
            "/admin/patrol/points",
            vec![("name", name.into()), ("location", "东侧".into())],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    // A name that would not fit a label is refused with the reason; nothing is saved.
    let (status, body, _) = post(
        "/admin/patrol/points",
        vec![("name", "很长的名字".repeat(4))],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("16"), "{body}");
    let points = state.store.patrol_points("c1").await.unwrap();
    assert_eq!(points.len(), 3);
    let id = |name: &str| {
        points
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .point_id
            .clone()
    };
    let ids = vec![id("北门铁栅栏"), id("3号楼垃圾点"), id("地下车库入口")];
    let route_fields = |name: &str, order: &[&str]| {
        let mut f = vec![
            ("name", name.to_owned()),
            ("checkpoint_id", "cp-east".to_owned()),
            ("ordered", "on".to_owned()),
        ];
        for (i, p) in order.iter().enumerate() {
            let key: &'static str = Box::leak(format!("pos.{p}").into_boxed_str());
            f.push((key, (i + 1).to_string()));
        }
        f
    };
    let (status, body, _) = post(
        "/admin/patrol/routes",
        route_fields("围墙一圈", &[&ids[0], &ids[1], &ids[2]]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, _) = post("/admin/patrol/routes", route_fields("夜巡", &[&ids[0]])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A checkpoint of another compound, or a point of none, is refused.
    let mut foreign = route_fields("x", &[&ids[0]]);
    foreign[1].1 = "cp-elsewhere".into();
    let (status, _, _) = post("/admin/patrol/routes", foreign).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = post("/admin/patrol/routes", route_fields("x", &["pt-nowhere"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let routes = state
        .store
        .patrol_routes(RoutesOf::Compound("c1"))
        .await
        .unwrap();
    let route = |name: &str| routes.iter().find(|r| r.name == name).unwrap();
    assert_eq!(route("围墙一圈").points.len(), 3);
    assert!(route("围墙一圈").ordered);
    // A schedule whose window is longer than its interval is refused by the form.
    let sched_path = format!(
        "/admin/patrol/routes/{}/schedule",
        route("围墙一圈").route_id
    );
    let (status, _, _) = post(
        &sched_path,
        vec![
            ("first_start", "08:00".into()),
            ("last_start", "20:00".into()),
            ("every_minutes", "60".into()),
            ("window_minutes", "90".into()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    (
        route("围墙一圈").route_id.clone(),
        route("夜巡").route_id.clone(),
        ids,
    )
}

fn schedule(first: (u32, u32), last: (u32, u32), every: u32, from: DateTime<Utc>) -> Schedule {
    Schedule {
        first_start: NaiveTime::from_hms_opt(first.0, first.1, 0).unwrap(),
        last_start: NaiveTime::from_hms_opt(last.0, last.1, 0).unwrap(),
        every_minutes: every,
        window_minutes: 45,
        valid_from: from,
    }
}

async fn enroll(store: &Store, state: &AppState, now: DateTime<Utc>) {
    let code = district_server::auth::hash_token(&enrollment_code(state).await);
    let token = district_server::auth::hash_token("tp");
    let enrolled = store
        .enroll(&code, DEVICE, "巡查手机", &token, now.timestamp_millis())
        .await
        .unwrap();
    assert!(matches!(enrolled, EnrollOutcome::Enrolled(_)));
}

async fn statuses(store: &Store, day: NaiveDate, now: DateTime<Utc>) -> PatrolDay {
    PatrolDay::compute(store, &["c1".to_owned()], day, now, CST)
        .await
        .unwrap()
}

async fn patrol_story(url: &str) {
    let state = test_state(url, |c| c.utc_offset_minutes = CST).await;
    let store = &state.store;
    let today = local_day(Utc::now(), CST);
    let day = today - Duration::days(2);
    let (route, night, p) = set_up(&state).await;
    let (day_start, _) = day_bounds(day, CST);
    let before = day_start - Duration::days(1);
    store
        .save_patrol_schedule(&route, &schedule((8, 0), (20, 0), 120, before), "test")
        .await
        .unwrap();
    store
        .save_patrol_schedule(&night, &schedule((23, 30), (23, 30), 1440, before), "test")
        .await
        .unwrap();
    enroll(store, &state, before).await;

    let t = |h, m| at(day, h, m);
    let step = |at, round, window: Option<DateTime<Utc>>, step| Step {
        at,
        round,
        route: route.clone(),
        window,
        step,
        clock_ahead: Duration::zero(),
    };
    let (r8, r10, r12, r14) = (
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
    );
    let mut day_steps = vec![
        // 08:00: every point in time; the device's clock ran an hour fast on the last, and it
        // knew its offset: corrected back into the window.
        step(t(8, 5), r8, Some(t(8, 0)), point(&p[0])),
        step(t(8, 10), r8, Some(t(8, 0)), point(&p[1])),
        step(t(8, 30), r8, Some(t(8, 0)), point(&p[2])),
        // 10:00: two points, then staff finished the round (confirmed: one missing).
        step(t(10, 2), r10, Some(t(10, 0)), point(&p[0])),
        step(t(10, 9), r10, Some(t(10, 0)), point(&p[1])),
        step(
            t(10, 11),
            r10,
            Some(t(10, 0)),
            PatrolStep::Finish {
                missing: vec![p[2].clone()],
            },
        ),
        // 12:00: the last point after 12:45.
        step(t(12, 30), r12, Some(t(12, 0)), point(&p[0])),
        step(t(12, 40), r12, Some(t(12, 0)), point(&p[1])),
        step(t(12, 50), r12, Some(t(12, 0)), point(&p[2])),
        // 14:00: C before B on an ordered route, A twice within a minute, a foreign point id.
        step(t(14, 1), r14, Some(t(14, 0)), point(&p[0])),
        Step {
            at: t(14, 1) + Duration::seconds(30),
            ..step(t(14, 1), r14, Some(t(14, 0)), point(&p[0]))
        },
        step(t(14, 5), r14, Some(t(14, 0)), point(&p[2])),
        step(t(14, 9), r14, Some(t(14, 0)), point("pt-forged")),
        step(t(14, 12), r14, Some(t(14, 0)), point(&p[1])),
    ];
    day_steps[2].clock_ahead = Duration::hours(1);
    let (batch, prev) = seal(&day_steps, 1, GENESIS_HASH);
    // Uploaded at 16:50 with nothing left behind: the phone is synced as of 16:50.
    let upload_at = t(16, 50);
    let results = store
        .ingest_entries(DEVICE, batch.clone(), 0, upload_at, 28)
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.status == RecordStatus::Accepted));
    // The same batch again: every entry a duplicate, nothing counted twice.
    let again = store
        .ingest_entries(DEVICE, batch, 0, upload_at, 28)
        .await
        .unwrap();
    assert!(again.iter().all(|r| r.status == RecordStatus::Duplicate));
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM patrol_checks")
            .await
            .unwrap(),
        14
    );

    // The night round: 23:40 and after midnight, uploaded at 00:30 with more still pending (the
    // phone is not fully synced after 16:50).
    let rn = Uuid::now_v7();
    let night_steps = vec![
        Step {
            route: night.clone(),
            ..step(t(23, 40), rn, Some(t(23, 30)), point(&p[0]))
        },
        Step {
            route: night.clone(),
            ..step(
                t(23, 30) + Duration::minutes(50),
                rn,
                Some(t(23, 30)),
                PatrolStep::Finish { missing: vec![] },
            )
        },
    ];
    let (batch, _) = seal(&night_steps, 15, &prev);
    let results = store
        .ingest_entries(DEVICE, batch, 3, t(23, 30) + Duration::hours(1), 28)
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.status == RecordStatus::Accepted));

    let now = at(today, 9, 0);
    let patrol = statuses(store, day, now).await;
    let day_route = patrol
        .routes
        .iter()
        .find(|r| r.route.route_id == route)
        .unwrap();
    let got: Vec<RoundStatus> = day_route.rounds.iter().map(|r| r.status).collect();
    use RoundStatus::*;
    assert_eq!(
        got,
        vec![Done, Partial, Late, Done, Missed, Unknown, Unknown],
        "08 10 12 14 16 18 20"
    );
    let r = &day_route.rounds;
    assert_eq!(r[1].missing, vec![p[2].clone()]);
    assert_eq!(r[1].finished_at, Some(t(10, 11)));
    assert_eq!(r[3].out_of_order, vec![p[1].clone()]);
    assert_eq!(r[3].doubles, vec![p[0].clone()]);
    assert_eq!(r[5].last_contact, Some(upload_at));
    let night_route = patrol
        .routes
        .iter()
        .find(|r| r.route.route_id == night)
        .unwrap();
    assert_eq!(night_route.rounds.len(), 1);
    assert_eq!(night_route.rounds[0].status, Done, "checked at 23:40");
    assert_eq!((patrol.done, patrol.due), (3, 7 + 1));

    // The phone syncs completely now: the silent rounds turn out missed.
    store
        .mark_device_synced(DEVICE, now.timestamp_millis())
        .await
        .unwrap();
    let patrol = statuses(store, day, now).await;
    assert_eq!(patrol.count(Unknown), 0);
    assert_eq!(patrol.count(Missed), 3);

    // A schedule edit at 15:00 of that day: rounds before keep their window, later ones follow
    // the new version (every 3 hours from 09:00: 15:00 and 18:00).
    store
        .save_patrol_schedule(&route, &schedule((9, 0), (18, 0), 180, t(15, 0)), "test")
        .await
        .unwrap();
    let patrol = statuses(store, day, now).await;
    let starts: Vec<DateTime<Utc>> = patrol
        .routes
        .iter()
        .find(|r| r.route.route_id == route)
        .unwrap()
        .rounds
        .iter()
        .map(|r| r.window.start)
        .collect();
    assert_eq!(
        starts,
        vec![t(8, 0), t(10, 0), t(12, 0), t(14, 0), t(15, 0), t(18, 0)]
    );

    // The page, the dashboard and the report.
    let (cookie, _) = login(&state).await;
    let (status, html, _) = send(
        &state,
        page(&format!("/admin/patrol?compound=c1&day={day}"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("round-missed") && html.contains("round-late"),
        "{html}"
    );
    assert!(html.contains("顺序不对 out of order") && html.contains("3号楼垃圾点"));
    let (status, html, _) = send(
        &state,
        page(&format!("/admin/report?day={day}&compound=c1"), &cookie),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"patrol-due\""), "{html}");
    let (status, html, _) = send(&state, page("/admin/patrol/labels?compound=c1", &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("data-point=").count(), 3);
    assert_eq!(html.matches("<svg").count(), 3);

    // Retention: the checks of that day go with their entries.
    let purged = store
        .purge_before(
            (t(23, 30) + Duration::hours(2)).timestamp_millis(),
            now.timestamp_millis(),
        )
        .await
        .unwrap();
    assert_eq!(purged.entries, 16);
    assert_eq!(
        store
            .count_query("SELECT COUNT(*) FROM patrol_checks")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn patrol_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    patrol_story(&url).await;
}

#[tokio::test]
async fn patrol_on_postgres() {
    let Some(url) = fresh_pg_database("patrol_on_postgres").await else {
        return;
    };
    patrol_story(&url).await;
}

/// The demo district: the last round that has ended is missed, the one before it walked (with a
/// problem noted at one point); an urgent incident is new, another closed.
#[tokio::test]
async fn the_demo_district_has_a_walked_and_a_missed_round() {
    let (_dir, url) = temp_sqlite();
    let state = test_state(&url, |c| c.utc_offset_minutes = CST).await;
    let now = Utc::now();
    district_server::demo::seed(&state.store, &state.signer, now, CST)
        .await
        .unwrap();
    let today = local_day(now, CST);
    let mut due = Vec::new();
    for day in [today - Duration::days(1), today] {
        for route in statuses(&state.store, day, now).await.routes {
            due.extend(route.rounds.into_iter().filter(|r| r.status.is_due()));
        }
    }
    let got: Vec<RoundStatus> = due.iter().map(|r| r.status).collect();
    assert_eq!(got, vec![RoundStatus::Done, RoundStatus::Missed]);
    let incidents = state
        .store
        .incidents(district_server::store::IncidentFilter::default())
        .await
        .unwrap();
    let states: Vec<(bool, district_server::store::IncidentStatus)> =
        incidents.iter().map(|i| (i.urgent, i.status)).collect();
    assert_eq!(
        states,
        vec![
            (true, district_server::store::IncidentStatus::New),
            (false, district_server::store::IncidentStatus::Closed)
        ],
        "the demo's incidents"
    );
    let walked = &due[0];
    assert!(walked.points.iter().any(|p| p
        .visit
        .as_ref()
        .is_some_and(|v| v.outcome == PointOutcome::Problem && !v.note.is_empty())));
}
