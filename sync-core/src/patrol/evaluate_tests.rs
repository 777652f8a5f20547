//! Round evaluation: every status, out of order, doubles, late points, rounds across midnight.

use chrono::{NaiveDate, NaiveTime};

use super::*;
use crate::patrol::plan::{windows_on, RoutePoint, Schedule};

const CST: i32 = 480;

fn route(ordered: bool) -> PatrolRoute {
    PatrolRoute {
        route_id: "r-fence".into(),
        name: "围墙".into(),
        checkpoint_id: "cp-1".into(),
        ordered,
        points: RoutePoint::list(&[("p-a", "点p-a"), ("p-b", "点p-b"), ("p-c", "点p-c")]),
        schedules: vec![
            Schedule::from_form(("08:00", "20:00"), 120, 45, DateTime::UNIX_EPOCH).expect("valid"),
        ],
    }
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
    (day.and_hms_opt(h, m, s).expect("time") - Duration::minutes(i64::from(CST))).and_utc()
}

fn check(round: &str, point: &str, t: DateTime<Utc>) -> CheckFact {
    CheckFact {
        round_id: round.into(),
        device_id: "dev-1".into(),
        staff: "王".into(),
        window_start: None,
        at: t,
        step: FactStep::Point {
            point_id: point.into(),
            outcome: PointOutcome::Normal,
            note: String::new(),
            photos: Vec::new(),
        },
    }
}

fn run(
    r: &PatrolRoute,
    checks: &[CheckFact],
    synced: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Round> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
    let windows = windows_on(&r.schedules, day, CST);
    evaluate(RouteDay {
        route: r,
        windows: &windows,
        checks,
        synced_at: Some(synced),
        now,
    })
}

#[test]
fn done_partial_late_missed_unknown_upcoming_and_open() {
    let r = route(false);
    let checks = vec![
        // 08:00 round: all three within the window.
        check("a", "p-a", at(8, 5, 0)),
        check("a", "p-b", at(8, 10, 0)),
        check("a", "p-c", at(8, 20, 0)),
        // 10:00 round: two of three.
        check("b", "p-a", at(10, 5, 0)),
        check("b", "p-b", at(10, 6, 0)),
        // 12:00 round: the last point after 12:45.
        check("c", "p-a", at(12, 30, 0)),
        check("c", "p-b", at(12, 40, 0)),
        check("c", "p-c", at(12, 50, 0)),
        // 14:00: nothing. 16:00: open now.
        check("e", "p-a", at(16, 10, 0)),
    ];
    let rounds = run(&r, &checks, at(15, 0, 0), at(16, 20, 0));
    let statuses: Vec<_> = rounds.iter().map(|r| r.status).collect();
    use RoundStatus::*;
    assert_eq!(
        statuses,
        vec![Done, Partial, Late, Missed, Open, Upcoming, Upcoming]
    );
    assert_eq!(rounds[1].missing, vec!["p-c".to_owned()]);
    assert!(rounds[2].points[2].visit.as_ref().is_some_and(|v| v.late));
    assert_eq!(completion(&rounds), (1, 3 + 1));

    // The phones last synced at 14:30, before the 14:00 round's end: not known yet.
    let rounds = run(&r, &checks, at(14, 30, 0), at(16, 20, 0));
    assert_eq!(rounds[3].status, Unknown);
    assert_eq!(rounds[3].last_contact, Some(at(14, 30, 0)));
    // A silent phone with part of a round uploaded earlier is also unknown, not partial.
    let rounds = run(&r, &checks[..4], at(10, 7, 0), at(16, 20, 0));
    assert_eq!(rounds[1].status, Unknown);
}

#[test]
fn out_of_order_points_on_an_ordered_route_are_listed() {
    let checks = vec![
        check("a", "p-a", at(8, 1, 0)),
        check("a", "p-c", at(8, 2, 0)),
        check("a", "p-b", at(8, 3, 0)),
    ];
    let ordered = run(&route(true), &checks, at(9, 0, 0), at(9, 0, 0));
    assert_eq!(ordered[0].status, RoundStatus::Done);
    assert_eq!(ordered[0].out_of_order, vec!["p-b".to_owned()]);
    let free = run(&route(false), &checks, at(9, 0, 0), at(9, 0, 0));
    assert!(free[0].out_of_order.is_empty());
}

#[test]
fn the_same_point_twice_within_a_minute_counts_once_and_is_flagged() {
    let checks = vec![
        check("a", "p-a", at(8, 1, 0)),
        check("a", "p-a", at(8, 1, 40)),
        check("a", "p-b", at(8, 5, 0)),
        check("a", "p-b", at(8, 9, 0)),
    ];
    let rounds = run(&route(false), &checks, at(9, 0, 0), at(9, 0, 0));
    assert_eq!(rounds[0].doubles, vec!["p-a".to_owned()]);
    assert_eq!(rounds[0].missing, vec!["p-c".to_owned()]);
    assert_eq!(rounds[0].status, RoundStatus::Partial);
}

#[test]
fn a_round_finished_early_with_points_missing_is_partial_at_once() {
    let mut checks = vec![check("a", "p-a", at(8, 1, 0))];
    let mut finish = check("a", "p-a", at(8, 3, 0));
    finish.step = FactStep::Finish;
    checks.push(finish);
    let rounds = run(&route(false), &checks, at(8, 4, 0), at(8, 4, 0));
    assert_eq!(rounds[0].status, RoundStatus::Partial);
    assert_eq!(rounds[0].finished_at, Some(at(8, 3, 0)));
    assert_eq!(rounds[0].missing.len(), 2);
}

#[test]
fn a_named_window_wins_over_time_and_a_round_stays_in_one_window() {
    // Started for the 08:00 round, walked 08:40–08:50: the last point is late, not a 10:00 check.
    let mut checks = vec![
        check("a", "p-a", at(8, 40, 0)),
        check("a", "p-b", at(8, 44, 0)),
        check("a", "p-c", at(8, 50, 0)),
    ];
    for c in &mut checks {
        c.window_start = Some(at(8, 0, 0));
    }
    let rounds = run(&route(false), &checks, at(11, 0, 0), at(11, 0, 0));
    assert_eq!(rounds[0].status, RoundStatus::Late);
    assert_eq!(rounds[1].status, RoundStatus::Missed);
}

#[test]
fn a_night_round_across_midnight_counts_its_checks_after_midnight() {
    let mut r = route(false);
    r.schedules[0].first_start = NaiveTime::from_hms_opt(23, 30, 0).expect("time");
    r.schedules[0].last_start = NaiveTime::from_hms_opt(23, 30, 0).expect("time");
    r.schedules[0].every_minutes = 1440;
    let next = |m: u32| at(23, 30, 0) + Duration::minutes(i64::from(m));
    let checks = vec![
        check("n", "p-a", next(10)),
        check("n", "p-b", next(35)), // 00:05 of the 4th
        check("n", "p-c", next(40)),
    ];
    let rounds = run(&r, &checks, next(60), next(60));
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].status, RoundStatus::Done);
}
