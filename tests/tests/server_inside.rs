//! Who is where, on SQLite and PostgreSQL: the subjects' places kept at every insert (migration
//! 0024) agree with a window over the passages — a late upload of an older crossing does not move
//! anyone, a denied crossing moves no one, the purge takes the places whose crossing it purged —
//! the dashboard's numbers link to the list of who they are; the hourly rollup (migration 0027)
//! agrees with the passages; and the dashboard's anomaly counts are read while fresh and
//! recounted once stale.
#![allow(clippy::unwrap_used)]

mod server_support;
mod web_support;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use district_server::anomaly_panel;
use district_server::report::{day_bounds, local_day};
use district_server::store::{PlaceQuery, Whereabouts};
use district_server::AppState;
use server_support::{enroll_at, fresh_pg_database, temp_sqlite, test_state, west_compound};
use sync_core::domain::GENESIS_HASH;
use sync_core::{DenyReason, Direction, NewPassage, Passage, PassageBody, Subject, Verdict};
use uuid::Uuid;
use web_support::{login, page, send};

fn visitor(name: &str, phone: &str) -> Subject {
    Subject::Visitor {
        name: name.into(),
        phone: phone.into(),
        id_number: None,
        host_household: "7-1-102".into(),
        reason: "探亲".into(),
        plate: None,
        visitor_pass_id: None,
    }
}

fn resident(pass_id: &str) -> Subject {
    Subject::Resident {
        pass_id: pass_id.into(),
        household: "7-1-101".into(),
        name: Some("赵敏".into()),
    }
}

/// One crossing: minute after `start`, direction, subject, admitted, temperature.
type Crossing = (i64, Direction, Subject, bool, f32);

/// Upload `crossings` from `device` at `cp` as one batch from `seq` on; returns the chain head.
async fn upload(
    state: &AppState,
    (device, cp, gate): (&str, &str, &str),
    start: DateTime<Utc>,
    (seq, prev): (u64, &str),
    crossings: Vec<Crossing>,
) -> String {
    let mut prev = prev.to_owned();
    let mut batch = Vec::new();
    for (i, (minute, direction, subject, admitted, temperature)) in
        crossings.into_iter().enumerate()
    {
        let verdict = if admitted {
            Verdict::Admitted
        } else {
            Verdict::Denied {
                reason: DenyReason::Revoked,
            }
        };
        let new = NewPassage {
            checkpoint_id: cp.into(),
            gate: gate.into(),
            direction,
            recorded_at: start + Duration::minutes(minute),
            clock_offset_ms: Some(0),
            staff: "值班员".into(),
            subject,
            temperature_c: Some(temperature),
            verdict,
        };
        let body = PassageBody::new(Uuid::now_v7(), device, seq + i as u64, new);
        let p = Passage::seal(body, &prev);
        prev.clone_from(&p.hash);
        batch.push(p);
    }
    state
        .store
        .ingest(device, batch, 0, Utc::now(), 28)
        .await
        .unwrap();
    prev
}

async fn count(state: &AppState, place: Whereabouts) -> i64 {
    let counts = state.store.place_counts(place, 0, &[]).await.unwrap();
    counts.iter().map(|(_, n)| n).sum()
}

async fn inside_story(url: &str) {
    let state = test_state(url, |c| c.anomaly_refresh_seconds = 60).await;
    let store = &state.store;
    west_compound(store).await;
    enroll_at(store, "dev-east", "cp-east").await;
    enroll_at(store, "dev-west", "cp-west").await;
    let offset = state.config.utc_offset_minutes;
    let start = day_bounds(local_day(Utc::now(), offset) - Duration::days(2), offset).0;
    let east = ("dev-east", "cp-east", "east-1");
    let west = ("dev-west", "cp-west", "west-1");
    use Direction::{In, Out};
    // 王五 comes and goes; 钱多 stays; 李四 left by the west gate (uploaded first) after coming
    // in by the east gate (uploaded later, so older but arriving last); 周五 was turned away;
    // R1 went out, R2 went out and came back.
    upload(
        &state,
        west,
        start,
        (1, GENESIS_HASH),
        vec![(9 * 60, Out, visitor("李四", "13700000003"), true, 36.5)],
    )
    .await;
    let east_head = upload(
        &state,
        east,
        start,
        (1, GENESIS_HASH),
        vec![
            (8 * 60, In, visitor("王五", "13700000001"), true, 36.5),
            (8 * 60 + 1, In, visitor("钱多", "13700000002"), true, 36.5),
            (8 * 60 + 2, In, visitor("李四", "13700000003"), true, 36.5),
            (8 * 60 + 3, In, visitor("周五", "13700000004"), false, 36.5),
            (8 * 60 + 4, Out, resident("R1"), true, 36.5),
            (8 * 60 + 5, Out, resident("R2"), true, 36.5),
            (10 * 60, Out, visitor("王五", "13700000001"), true, 36.5),
            (10 * 60 + 1, In, resident("R2"), true, 36.5),
        ],
    )
    .await;
    tallies_agree(&state, start).await;
    tallies_agree(&state, start + Duration::minutes(30)).await;
    assert_eq!(
        count(&state, Whereabouts::VisitorsInside).await,
        1,
        "钱多 only"
    );
    assert_eq!(count(&state, Whereabouts::ResidentsOut).await, 1, "R1 only");
    // The window over every passage, read independently, agrees.
    let window = store.presence(0, i64::MAX, "").await.unwrap();
    let inside = window
        .iter()
        .filter(|p| p.subject_kind == sync_core::SubjectKind::Visitor && p.direction == In)
        .count();
    assert_eq!(inside, 1);
    let c2 = store
        .place_counts(Whereabouts::VisitorsInside, 0, &["c2".into()])
        .await
        .unwrap();
    assert!(
        c2.is_empty(),
        "李四's last crossing was at c2's gate, and out"
    );

    let (cookie, _) = login(&state).await;
    let (_, dashboard, _) = send(&state, page("/admin", &cookie)).await;
    assert!(dashboard.contains("href=\"/admin/inside?place=visitors-inside&amp;compound=\">1</a>"));
    let (status, html, _) =
        send(&state, page("/admin/inside?place=visitors-inside", &cookie)).await;
    assert_eq!(status, StatusCode::OK, "{html:.500}");
    let table = html.split("id=\"inside\"").nth(1).unwrap();
    assert!(table.contains("钱多") && !table.contains("王五") && !table.contains("李四"));
    let (_, html, _) = send(
        &state,
        page("/admin/inside?place=residents-out&compound=c1", &cookie),
    )
    .await;
    assert!(
        html.contains(">R1<") && !html.contains(">R2<"),
        "{html:.2000}"
    );
    let (status, _, _) = send(&state, page("/admin/inside?place=everywhere", &cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let audit = store.audit_log(20).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "inside_list"));

    // The anomaly counts: 钱多 came before midnight of the day after and is still inside.
    let noon_after = start + Duration::hours(36);
    let listed = |s: &[district_server::store::StoredCounts]| s[0].counts.visitors_overnight;
    let first = anomaly_panel::panel(store, &state.config, &["c1".into()], noon_after)
        .await
        .unwrap();
    assert_eq!(listed(&first), 1);
    assert_eq!(first[0].counts.fever, 0);
    // A fever case that day: the fresh counts are read as they are, a recount sees it.
    let fever = vec![(36 * 60, In, resident("R3"), true, 38.6)];
    upload(&state, east, start, (9, &east_head), fever).await;
    let fresh = anomaly_panel::panel(
        store,
        &state.config,
        &["c1".into()],
        noon_after + Duration::seconds(30),
    )
    .await
    .unwrap();
    assert_eq!(
        (fresh[0].counts.fever, fresh[0].computed_at_ms),
        (0, first[0].computed_at_ms),
        "fresh: read"
    );
    let later = noon_after + Duration::minutes(4);
    let recounted = anomaly_panel::panel(store, &state.config, &["c1".into()], later)
        .await
        .unwrap();
    assert_eq!(
        recounted[0].counts.fever, 1,
        "older than three refresh periods: recounted"
    );
    assert_eq!(recounted[0].computed_at_ms, later.timestamp_millis());

    // The purge takes the places whose crossing it purged.
    let q = PlaceQuery {
        place: Whereabouts::VisitorsInside,
        since_ms: 0,
        before_ms: None,
        compounds: &[],
        limit: 10,
    };
    assert_eq!(store.in_place(&q).await.unwrap().len(), 1);
    let cutoff = start + Duration::hours(12);
    store
        .purge_before(cutoff.timestamp_millis(), Utc::now().timestamp_millis())
        .await
        .unwrap();
    assert!(store.in_place(&q).await.unwrap().is_empty());
    assert_eq!(count(&state, Whereabouts::ResidentsOut).await, 0);
}

/// The day's tallies from `from` (the hourly rollup when it is a whole UTC hour, the passages
/// otherwise) agree with the passages' facts counted here.
async fn tallies_agree(state: &AppState, from: DateTime<Utc>) {
    let (from_ms, to_ms) = (
        from.timestamp_millis(),
        (from + Duration::days(1)).timestamp_millis(),
    );
    let mut expected = std::collections::BTreeMap::new();
    for f in state.store.passage_facts(from_ms, to_ms, "").await.unwrap() {
        let key = (
            f.checkpoint_id.clone(),
            (f.corrected_at_ms - from_ms) / 3_600_000,
            f.direction.as_str(),
            f.verdict.is_admitted(),
        );
        let e = expected.entry(key).or_insert((0, 0));
        e.0 += 1;
        e.1 += f.occupants as i64;
    }
    let got: std::collections::BTreeMap<_, _> = state
        .store
        .hour_tallies(from_ms, to_ms, "")
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            let key = (t.checkpoint_id, t.hour, t.direction.as_str(), t.admitted);
            (key, (t.passages, t.occupants))
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(got, expected, "from {from}");
}

#[tokio::test]
async fn places_lists_and_anomaly_counts_on_sqlite() {
    let (_dir, url) = temp_sqlite();
    inside_story(&url).await;
}

#[tokio::test]
async fn places_lists_and_anomaly_counts_on_postgres() {
    let Some(url) = fresh_pg_database("places_lists_and_anomaly_counts_on_postgres").await else {
        return;
    };
    inside_story(&url).await;
}
