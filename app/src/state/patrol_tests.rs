//! Tests of the patrol state: two taps per point, durable before done, refusals, finishing with
//! missing points, resuming from the journal, rounds waiting to upload, the round due next.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::patrol::{
    CheckError, PatrolCheckData, PatrolPoint, PatrolRoute, PatrolStep, PointError, PointOutcome,
    RoutePoint, Schedule,
};
use uuid::Uuid;

use super::*;

pub(crate) const CST: i32 = 480;

/// Local (China Standard Time) 2026-12-03 at `hm`, in UTC.
pub(crate) fn local(hm: &str) -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
    let t = NaiveTime::parse_from_str(hm, "%H:%M").expect("time");
    (day.and_time(t) - Duration::minutes(i64::from(CST))).and_utc()
}

fn schedule(first: &str, last: &str, every: u32, window: u32) -> Schedule {
    Schedule::from_form((first, last), every, window, DateTime::UNIX_EPOCH).expect("valid")
}

fn route(id: &str, name: &str, points: &[(&str, &str)], schedules: Vec<Schedule>) -> PatrolRoute {
    PatrolRoute {
        route_id: id.into(),
        name: name.into(),
        checkpoint_id: "cp-east".into(),
        ordered: false,
        points: RoutePoint::list(points),
        schedules,
    }
}

/// Route A (every 2 h from 08:00, 45 min) with P1–P3; route B (hourly from 07:00, 30 min) with P4.
pub(crate) fn routes() -> Vec<PatrolRoute> {
    vec![
        route(
            "A",
            "围墙一圈",
            &[("P1", "北门岗亭"), ("P2", "东围墙"), ("P3", "地下车库")],
            vec![schedule("08:00", "20:00", 120, 45)],
        ),
        route(
            "B",
            "车库",
            &[("P4", "配电房")],
            vec![schedule("07:00", "22:00", 60, 30)],
        ),
    ]
}

pub(crate) fn point(id: &str) -> PatrolPoint {
    let name = routes()
        .iter()
        .flat_map(|r| r.points.clone())
        .find(|p| p.point_id == id)
        .map_or_else(|| format!("点{id}"), |p| p.name);
    PatrolPoint {
        point_id: id.into(),
        district_id: "d1".into(),
        compound_id: "c1".into(),
        name,
    }
}

pub(crate) fn state() -> PatrolState {
    PatrolState::new("cp-east".into(), routes(), CST)
}

/// A round of route A started at 10:10 (the 10:00 window).
pub(crate) fn started() -> (PatrolState, Uuid) {
    let mut s = state();
    let id = Uuid::now_v7();
    assert_eq!(
        s.reduce(PatrolAction::Start {
            route_id: "A".into(),
            round_id: id,
            now: local("10:10"),
        }),
        None,
        "starting writes nothing"
    );
    (s, id)
}

pub(crate) fn stored(seq: u64) -> Result<Stored, Words> {
    Ok(Stored {
        seq,
        recorded_at: local("10:15"),
    })
}

/// Scan `id`, tap normal, and let the ledger store it.
pub(crate) fn check_normal(s: &mut PatrolState, id: &str) {
    s.reduce(PatrolAction::Scanned(Ok(point(id))));
    let step = s.reduce(PatrolAction::Normal).expect("a step to append");
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result: stored(1),
    });
}

pub(crate) fn round(s: &PatrolState) -> &ActiveRound {
    s.round.as_ref().expect("a round")
}

#[test]
fn a_normal_point_is_two_taps_and_counts_only_once_stored() {
    let (mut s, id) = started();
    assert_eq!(round(&s).window.map(|w| w.start), Some(local("10:00")));
    assert_eq!(s.reduce(PatrolAction::Scanned(Ok(point("P1")))), None);
    assert_eq!(s.awaiting(), Some(&point("P1")), "step 1: the label");
    let step = s.reduce(PatrolAction::Normal).expect("step 2: normal");
    assert_eq!(
        step.data,
        PatrolCheckData {
            checkpoint_id: "cp-east".into(),
            route_id: "A".into(),
            round_id: id,
            window: round(&s).window,
            step: PatrolStep::Point {
                point_id: "P1".into(),
                outcome: PointOutcome::Normal,
                note: String::new(),
            },
        }
    );
    assert!(step.attachments.is_empty());
    assert!(round(&s).checked.is_empty(), "not done before the ledger");
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result: stored(7),
    });
    assert_eq!(round(&s).outcome_of("P1"), Some(PointOutcome::Normal));
    assert_eq!(s.awaiting(), None);
    assert_eq!(round(&s).done_count(), 1);
    assert_eq!(s.waiting.len(), 1, "its round now waits to upload");
    assert_eq!((s.waiting[0].round_id, s.waiting[0].pending), (id, 1));
    assert_eq!(s.reduce(PatrolAction::Normal), None, "nothing awaits now");
}

#[test]
fn a_failed_append_is_shown_and_nothing_is_marked_done() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Scanned(Ok(point("P1"))));
    let step = s.reduce(PatrolAction::Normal).expect("step");
    let full = Words {
        zh: "存储空间已满".into(),
        en: "the disk is full".into(),
    };
    s.reduce(PatrolAction::Appended {
        step: Box::new(step.clone()),
        result: Err(full.clone()),
    });
    assert!(round(&s).checked.is_empty());
    assert_eq!(s.awaiting(), Some(&point("P1")), "the point still waits");
    assert!(s.waiting.is_empty());
    let notice = s.notice.clone().expect("shown");
    assert!(notice.is_error());
    assert_eq!(notice.message(Lang::ZhCn), "未保存，请重试：存储空间已满");
    assert_eq!(
        notice.message(Lang::En),
        "Not stored, try again: the disk is full"
    );
    assert_eq!(
        s.reduce(PatrolAction::Normal),
        Some(step),
        "the same step again"
    );
}

#[test]
fn a_problem_needs_a_note_or_a_photo() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Problem);
    assert_eq!(s.problem, None, "no point awaits: no form");
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    s.reduce(PatrolAction::Problem);
    assert!(s.problem.is_some());
    s.reduce(PatrolAction::NoteInput("   ".into()));
    assert_eq!(s.reduce(PatrolAction::SubmitProblem), None);
    assert_eq!(
        s.notice,
        Some(PatrolNotice::Check(CheckError::ProblemNeedsNote))
    );
    assert_eq!(
        s.notice.as_ref().map(|n| n.message(Lang::ZhCn)),
        Some("报告问题请写说明或拍照".into())
    );
    // A photo alone is enough; it goes into the entry's attachments.
    s.reduce(PatrolAction::TakingPhoto);
    assert!(s.problem.as_ref().is_some_and(|f| f.taking_photo));
    let sha = "a".repeat(64);
    s.reduce(PatrolAction::Photo(Ok(sha.clone())));
    let step = s
        .reduce(PatrolAction::SubmitProblem)
        .expect("photo suffices");
    assert_eq!(step.attachments, vec![sha]);
    // So is a note (trimmed).
    s.reduce(PatrolAction::RemovePhoto);
    s.reduce(PatrolAction::NoteInput(" 门锁坏了 ".into()));
    let step = s
        .reduce(PatrolAction::SubmitProblem)
        .expect("note suffices");
    assert!(step.attachments.is_empty());
    assert!(matches!(
        &step.data.step,
        PatrolStep::Point { outcome: PointOutcome::Problem, note, .. } if note == "门锁坏了"
    ));
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result: stored(2),
    });
    assert_eq!(round(&s).outcome_of("P2"), Some(PointOutcome::Problem));
    assert_eq!(s.problem, None, "the form closes once stored");
    // A note over 500 characters is refused.
    s.reduce(PatrolAction::Scanned(Ok(point("P3"))));
    s.reduce(PatrolAction::Problem);
    s.reduce(PatrolAction::NoteInput("长".repeat(501)));
    assert_eq!(s.reduce(PatrolAction::SubmitProblem), None);
    assert_eq!(s.notice, Some(PatrolNotice::Check(CheckError::NoteTooLong)));
}

#[test]
fn a_failed_photo_is_shown_and_the_form_stays() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    s.reduce(PatrolAction::Problem);
    s.reduce(PatrolAction::NoteInput("漏水".into()));
    s.reduce(PatrolAction::TakingPhoto);
    s.reduce(PatrolAction::Photo(Err(Words {
        zh: "相机没有画面，无法拍照".into(),
        en: "No camera picture".into(),
    })));
    let form = s.problem.clone().expect("still open");
    assert_eq!(
        (form.photo, form.taking_photo, form.note.as_str()),
        (None, false, "漏水")
    );
    assert!(matches!(s.notice, Some(PatrolNotice::Photo(_))));
}

#[test]
fn foreign_forged_and_unsigned_labels_are_refused_with_their_reason() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Scanned(Ok(point("P1"))));
    for (err, zh) in [
        (PointError::WrongCompound, "非本小区的巡查点"),
        (PointError::WrongDistrict, "非本街道的巡查点"),
        (PointError::BadSignature, "标签签名无效（伪造或被改动）"),
        (PointError::UnknownKey, "标签的签发密钥本机未知"),
        (PointError::NotAPoint, "不是巡查点标签"),
    ] {
        s.reduce(PatrolAction::Scanned(Err(err.clone())));
        let notice = s.notice.clone().expect("refused");
        assert_eq!(notice, PatrolNotice::Point(err));
        assert_eq!(notice.message(Lang::ZhCn), zh);
        assert_eq!(s.awaiting(), Some(&point("P1")), "the point before stays");
    }
    assert!(round(&s).checked.is_empty());
}

#[test]
fn a_point_not_on_the_route_is_refused() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Scanned(Ok(point("P4"))));
    assert_eq!(
        s.notice,
        Some(PatrolNotice::NotOnRoute {
            name: "配电房".into(),
            route: Some("围墙一圈".into()),
        })
    );
    assert_eq!(s.awaiting(), None);
    let notice = s.notice.clone().expect("notice");
    assert_eq!(
        notice.message(Lang::ZhCn),
        "巡查点「配电房」不在路线「围墙一圈」上"
    );
    assert!(notice.message(Lang::En).contains("is not on route"));
    // With no round running, a point on no route says so too.
    let mut idle = state();
    idle.reduce(PatrolAction::Scanned(Ok(point("P9"))));
    assert!(matches!(
        idle.notice,
        Some(PatrolNotice::NotOnRoute { route: None, .. })
    ));
    assert_eq!(idle.scanned, None);
}

#[test]
fn a_point_scanned_twice_in_a_row_is_not_checked_twice() {
    let (mut s, _) = started();
    check_normal(&mut s, "P1");
    s.reduce(PatrolAction::Scanned(Ok(point("P1"))));
    assert_eq!(
        s.notice,
        Some(PatrolNotice::AlreadyChecked {
            name: "北门岗亭".into()
        })
    );
    assert_eq!(s.awaiting(), None);
    assert_eq!(s.reduce(PatrolAction::Normal), None);
    // The next point is fine, and seeing it again while it awaits changes nothing.
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    assert_eq!((s.awaiting(), &s.notice), (Some(&point("P2")), &None));
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    assert_eq!((s.awaiting(), &s.notice), (Some(&point("P2")), &None));
}

#[test]
fn finishing_with_missing_points_asks_first_and_records_them() {
    let (mut s, id) = started();
    check_normal(&mut s, "P1");
    assert_eq!(s.reduce(PatrolAction::Finish), None, "asks first");
    assert_eq!(s.confirm_missing, Some(vec!["P2".into(), "P3".into()]));
    s.reduce(PatrolAction::CancelFinish);
    assert_eq!(s.confirm_missing, None);
    assert!(s.round.is_some(), "still patrolling");
    s.reduce(PatrolAction::Finish);
    let step = s.reduce(PatrolAction::ConfirmFinish).expect("finish step");
    assert_eq!(
        step.data.step,
        PatrolStep::Finish {
            missing: vec!["P2".into(), "P3".into()]
        }
    );
    assert_eq!(step.data.round_id, id);
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result: stored(3),
    });
    assert_eq!(s.round, None);
    let notice = s.notice.clone().expect("summary");
    assert!(!notice.is_error());
    assert_eq!(
        notice.message(Lang::ZhCn),
        "「围墙一圈」本轮已结束：已查 1 个，漏查 2 个"
    );
    assert!(s
        .waiting
        .iter()
        .any(|w| w.round_id == id && w.finished && w.steps == 2));
    assert_eq!(
        s.reduce(PatrolAction::ConfirmFinish),
        None,
        "nothing to confirm"
    );
}

#[test]
fn a_complete_round_finishes_at_once_and_a_failed_finish_keeps_it() {
    let (mut s, _) = started();
    for p in ["P3", "P1", "P2"] {
        check_normal(&mut s, p);
    }
    let step = s
        .reduce(PatrolAction::Finish)
        .expect("no confirmation needed");
    assert_eq!(step.data.step, PatrolStep::Finish { missing: vec![] });
    s.reduce(PatrolAction::Appended {
        step: Box::new(step.clone()),
        result: Err(Words {
            zh: "只读".into(),
            en: "read-only".into(),
        }),
    });
    assert!(s.round.is_some(), "not finished until stored");
    s.reduce(PatrolAction::Appended {
        step: Box::new(step),
        result: stored(4),
    });
    assert_eq!(s.round, None);
    assert_eq!(
        s.notice.as_ref().map(|n| n.message(Lang::En)),
        Some("Round of \u{201c}围墙一圈\u{201d} finished: 3 points".into())
    );
}

#[test]
fn a_point_scanned_before_any_round_starts_the_round_with_it() {
    let mut s = state();
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    assert_eq!(s.scanned, Some(point("P2")));
    let names: Vec<_> = s.routes_with("P2").iter().map(|r| r.name.clone()).collect();
    assert_eq!(names, vec!["围墙一圈".to_string()]);
    s.reduce(PatrolAction::Start {
        route_id: "A".into(),
        round_id: Uuid::now_v7(),
        now: local("10:10"),
    });
    assert_eq!(s.awaiting(), Some(&point("P2")), "pre-scanned");
    assert_eq!(s.scanned, None);
    // A second start is refused while the round runs.
    s.reduce(PatrolAction::Start {
        route_id: "B".into(),
        round_id: Uuid::now_v7(),
        now: local("10:11"),
    });
    assert_eq!(s.notice, Some(PatrolNotice::RoundActive));
    assert_eq!(round(&s).route.route_id, "A");
    // Dismissing forgets a point scanned before a start.
    let mut idle = state();
    idle.reduce(PatrolAction::Scanned(Ok(point("P4"))));
    idle.reduce(PatrolAction::Dismiss);
    assert_eq!((idle.scanned, idle.notice), (None, None));
}

#[test]
fn a_round_belongs_to_the_open_window_or_one_opening_soon() {
    let start_at = |hm: &str| {
        let mut s = state();
        s.reduce(PatrolAction::Start {
            route_id: "A".into(),
            round_id: Uuid::now_v7(),
            now: local(hm),
        });
        round(&s).window.map(|w| w.start)
    };
    assert_eq!(start_at("10:44"), Some(local("10:00")));
    assert_eq!(start_at("11:50"), Some(local("12:00")), "10 minutes early");
    assert_eq!(start_at("11:00"), None, "an unscheduled round");
}

#[test]
fn the_round_due_next_at_a_given_time() {
    let mut s = state();
    s.reduce(PatrolAction::Tick(local("10:20")));
    let due = s.next.clone().expect("due");
    // Route B's 10:00 window (30 min) and route A's (45 min) are both open: the earliest end first.
    assert_eq!(due.window.start, local("10:00"));
    assert_eq!(due.route_id, "B");
    s.reduce(PatrolAction::Tick(local("10:40")));
    let due = s.next.clone().expect("due");
    assert_eq!(
        (due.route_id.as_str(), due.window.end),
        ("A", local("10:45"))
    );
    s.reduce(PatrolAction::Tick(local("10:50")));
    let due = s.next.clone().expect("due");
    assert_eq!(
        (due.route_id.as_str(), due.window.start),
        ("B", local("11:00"))
    );
    let mut none = PatrolState::new("cp-east".into(), Vec::new(), CST);
    none.reduce(PatrolAction::Tick(local("10:50")));
    assert_eq!(none.next, None);
}

#[test]
fn a_form_open_ignores_late_reads() {
    let (mut s, _) = started();
    s.reduce(PatrolAction::Scanned(Ok(point("P1"))));
    s.reduce(PatrolAction::Problem);
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    assert_eq!(s.awaiting(), Some(&point("P1")));
    s.reduce(PatrolAction::CancelProblem);
    s.reduce(PatrolAction::Scanned(Ok(point("P2"))));
    assert_eq!(
        s.awaiting(),
        Some(&point("P2")),
        "a new point replaces one not recorded"
    );
}

#[test]
fn point_labels_are_told_from_passes_by_their_prefix() {
    assert!(is_point_label("CPP:ABC"));
    assert!(is_point_label("  CPP:ABC"));
    assert!(!is_point_label("CP1:ABC"));
    assert!(!is_point_label("hello"));
}
