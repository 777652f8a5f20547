//! The staff screens' scenes: a patrol round, an incident report, the handbook, notices, duty.

use chrono::{Duration, Utc};
use dioxus::prelude::*;
use sync_core::handbook::HandbookSection;
use sync_core::incident::IncidentCategory;
use sync_core::notice::{Notice, NoticeBoard, NoticePriority};
use sync_core::patrol::{PatrolPoint, PatrolRoute, RoutePoint, Schedule};

use crate::ctx::Ctx;
use crate::state::duty::DutyAction;
use crate::state::handbook::HandbookAction;
use crate::state::incident::IncidentAction;
use crate::state::notices::{NoticesAction, Receipt};
use crate::state::patrol::PatrolAction;
use crate::state::recorded::Stored;

/// A round of the wall route under way: the first point stored as normal, the second just scanned.
pub(super) fn seed_patrol(ctx: Ctx) {
    let Ok(schedule) =
        Schedule::from_form(("08:00", "20:00"), 120, 45, chrono::DateTime::UNIX_EPOCH)
    else {
        return;
    };
    let points = [("P1", "北门岗亭"), ("P2", "东围墙"), ("P3", "地下车库入口")];
    let route = PatrolRoute {
        route_id: "r-wall".into(),
        name: "围墙一圈".into(),
        checkpoint_id: "cp-east".into(),
        ordered: false,
        points: RoutePoint::list(&points),
        schedules: vec![schedule],
    };
    let point = |(id, name): (&str, &str)| PatrolPoint {
        point_id: id.into(),
        district_id: "district-demo".into(),
        compound_id: "compound-1".into(),
        name: name.into(),
    };
    let mut p = ctx.patrol;
    p.write().reduce(PatrolAction::Config {
        checkpoint_id: "cp-east".into(),
        routes: vec![route],
        utc_offset_minutes: 480,
    });
    p.write().reduce(PatrolAction::Start {
        route_id: "r-wall".into(),
        round_id: uuid::Uuid::now_v7(),
        now: Utc::now(),
    });
    p.write()
        .reduce(PatrolAction::Scanned(Ok(point(points[0]))));
    let step = p.write().reduce(PatrolAction::Normal);
    if let Some(step) = step {
        p.write().reduce(PatrolAction::Appended {
            step: Box::new(step),
            result: Ok(Stored {
                seq: 13,
                recorded_at: Utc::now(),
            }),
        });
    }
    p.write()
        .reduce(PatrolAction::Scanned(Ok(point(points[1]))));
}

/// A report being filled in: a suspicious vehicle, urgent, with a note; one stored earlier today.
pub(super) fn seed_incident(ctx: Ctx) {
    let mut s = ctx.incident;
    s.write()
        .reduce(IncidentAction::Checkpoint("cp-east".into()));
    s.write()
        .reduce(IncidentAction::Category(IncidentCategory::SuppliesLow));
    s.write()
        .reduce(IncidentAction::NoteInput("口罩只剩一盒".into()));
    let report = s.write().reduce(IncidentAction::Submit);
    if let Some(report) = report {
        s.write().reduce(IncidentAction::Appended {
            report: Box::new(report),
            result: Ok((
                uuid::Uuid::now_v7(),
                Stored {
                    seq: 13,
                    recorded_at: Utc::now(),
                },
            )),
        });
    }
    s.write().reduce(IncidentAction::Dismiss);
    s.write().reduce(IncidentAction::Category(
        IncidentCategory::SuspiciousVehicle,
    ));
    s.write().reduce(IncidentAction::ToggleUrgent);
    s.write().reduce(IncidentAction::NoteInput(
        "白色面包车在东门外停了半小时".into(),
    ));
}

/// A two-section handbook as the last sync stored it; the disinfection section open, or the list.
pub(super) fn seed_handbook(ctx: Ctx, open: bool) {
    let section = |id: &str, position, title: (&str, &str), body: (&str, &str)| HandbookSection {
        section_id: id.into(),
        version: 1,
        position,
        title_zh: title.0.into(),
        body_zh: body.0.into(),
        title_en: title.1.into(),
        body_en: body.1.into(),
    };
    let sections = vec![
        section(
            "temperature",
            1,
            ("测温与登记", "Temperature and registration"),
            (
                "每人测温，**37.3 °C** 及以上引导至临时观察点。",
                "Take everyone's temperature; send **37.3 °C** and above to the observation point.",
            ),
        ),
        section(
            "disinfection",
            2,
            ("岗亭消毒", "Disinfecting the booth"),
            (
                "## 每日消毒\n\n| 物品 | 消毒液 | 次数 |\n|---|---|---|\n| 电梯按钮 | 含氯消毒液 500 mg/L | 每 2 小时 |\n| 门把手 | 75% 酒精 | 每 4 小时 |\n\n> 消毒后开窗通风 30 分钟。\n\n<script>alert(1)</script>",
                "## Every day\n\n| What | Disinfectant | How often |\n|---|---|---|\n| Lift buttons | chlorine disinfectant 500 mg/L | every 2 hours |\n| Door handles | 75% alcohol | every 4 hours |\n\n> Air the booth for 30 minutes afterwards.\n\n<script>alert(1)</script>",
            ),
        ),
    ];
    let mut h = ctx.handbook;
    h.write().reduce(HandbookAction::Loaded(sections));
    if open {
        h.write()
            .reduce(HandbookAction::Open("disinfection".into()));
    }
}

/// Two notices as the last sync stored them: a normal one the staff on duty read, and an urgent
/// one (unread: it takes the screen in the `notice-urgent` scene; acknowledged in `notices`).
pub(super) fn seed_notices(ctx: Ctx, urgent_unread: bool) {
    let now = Utc::now();
    let notice = |id: &str, title: &str, body: &str, priority, hours: i64| Notice {
        notice_id: id.into(),
        version: 1,
        title: title.into(),
        body: body.into(),
        priority,
        effective_from: now - Duration::hours(hours),
        effective_until: None,
        published_at: now - Duration::hours(hours),
    };
    let notices = [
        notice(
            "nt-drill",
            "今晚封控演练 Lockdown drill tonight",
            "**19:30** 起只开东门，车辆一律不进。\n\nFrom **19:30** only the east gate is open; no vehicles in.",
            NoticePriority::Urgent,
            1,
        ),
        notice(
            "nt-visitors",
            "访客须出示48小时核酸阴性证明 Visitors need a 48-hour negative test",
            "自明日 0:00 起执行。From 0:00 tomorrow.",
            NoticePriority::Normal,
            5,
        ),
    ];
    let mut n = ctx.notices;
    n.write().checkpoint_id = "cp-east".into();
    n.write()
        .reduce(NoticesAction::Loaded(NoticeBoard::from_pulled(&notices)));
    let read = |id: &str| Receipt {
        notice_id: id.into(),
        version: 1,
        staff: "王师傅".into(),
    };
    let mut receipts = vec![read("nt-visitors")];
    if !urgent_unread {
        receipts.push(read("nt-drill"));
    }
    n.write().reduce(NoticesAction::Receipts(receipts));
}

/// The duty screen: 王师傅 on duty (as in every scene), the roster, 刘志愿者 picked to take over by PIN.
pub(super) fn seed_duty(ctx: Ctx) {
    let member = |id: &str, name: &str| sync_core::duty::StaffMember {
        staff_id: id.into(),
        name: name.into(),
        pin_hash: None,
    };
    let mut d = ctx.duty;
    d.write().reduce(DutyAction::Roster {
        roster: vec![
            member("S000001", "王师傅"),
            member("S000002", "刘志愿者"),
            member("S000003", "张志愿者"),
        ],
        checkpoint_id: "cp-east".into(),
        offset_minutes: 480,
    });
    d.write().reduce(DutyAction::Pick("S000002".into()));
    d.write().reduce(DutyAction::Pin("12".into()));
}
