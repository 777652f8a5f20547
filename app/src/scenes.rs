//! Named screen states for static renders (screenshots, render tests): each scene seeds a ledger and
//! the shared state the way a user would see that screen. Rendered with dioxus-ssr, no display needed.

use std::rc::Rc;
use std::time::Instant;

use chrono::{Duration, NaiveTime, Utc};
use dioxus::prelude::*;
use sync_core::handbook::HandbookSection;
use sync_core::i18n::Lang;
use sync_core::incident::IncidentCategory;
use sync_core::notice::{Notice, NoticeBoard, NoticePriority};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::patrol::{PatrolPoint, PatrolRoute, RoutePoint, Schedule};
use sync_core::sync::SyncStatus;
use sync_core::{Direction, Ledger, NewPassage, Subject, SubjectKind, Verdict};

use crate::app::{Root, RootProps, Seed};
use crate::ctx::Ctx;
use crate::ports::{PassKindView, SyncSnapshot};
use crate::services::Services;
use crate::state::duty::DutyAction;
use crate::state::handbook::HandbookAction;
use crate::state::incident::IncidentAction;
use crate::state::notices::{NoticesAction, Receipt};
use crate::state::patrol::PatrolAction;
use crate::state::recorded::Stored;
use crate::state::settings::SettingsAction;
use crate::state::status::StatusAction;
use crate::state::vehicle::VehicleAction;
use crate::state::verdict::{Headline, Outcome, VerdictAction, VerdictView};
use crate::state::visitor::{Field, VisitorAction};
use crate::state::wallet::WalletAction;

/// Every scene name, in screenshot order.
pub const SCENES: [&str; 29] = [
    "enroll",
    "scan",
    "verdict-green",
    "verdict-red",
    "verdict-amber",
    "verdict-other-compound",
    "verdict-typed",
    "verdict-visitor",
    "verdict-fever",
    "verdict-invited",
    "verdict-not-checked-in",
    "vehicle",
    "visitor",
    "records",
    "patrol",
    "incident",
    "status",
    "settings",
    "handbook",
    "handbook-list",
    "notices",
    "notice-urgent",
    "duty",
    "my-pass",
    "my-pass-revoked",
    "checkin",
    "invite",
    "add-pass",
    "locked",
];

fn path_of(scene: &str) -> &'static str {
    match scene {
        "enroll" => "/enroll",
        "vehicle" => "/vehicle",
        "visitor" => "/visitor",
        "records" => "/records",
        "patrol" => "/patrol",
        "incident" => "/incident",
        "status" => "/status",
        "settings" => "/settings",
        "handbook" | "handbook-list" => "/handbook",
        "notices" => "/notices",
        "duty" => "/duty",
        "my-pass" | "my-pass-revoked" => "/my-pass",
        "checkin" => "/my-pass/checkin",
        "invite" => "/my-pass/invite",
        "add-pass" => "/my-pass/add",
        _ => "/scan",
    }
}

/// Write a morning's worth of passages into the ledger (residents, vehicles, visitors, one denial).
pub fn seed_ledger(ledger: &mut Ledger) -> Result<(), sync_core::LedgerError> {
    let now = Utc::now();
    // The passages span the last 84 minutes, or less just after midnight: all of them are today's
    // (China Standard Time, the scenes' district), whatever the hour the scenes are drawn at.
    let local = now + Duration::minutes(480);
    let since_midnight = local - local.date_naive().and_time(NaiveTime::MIN).and_utc();
    let span = since_midnight.min(Duration::minutes(84));
    let names = ["张小明", "李华", "王芳", "赵强", "陈静"];
    for i in 0..12u32 {
        let subject = match i % 4 {
            0 | 1 => Subject::Resident {
                pass_id: format!("R{:06}", 100 + i),
                household: format!("{}-{}-{}", 1 + i % 6, 1 + i % 3, 301 + i),
                name: Some(names[(i % 5) as usize].to_string()),
            },
            2 => Subject::Vehicle {
                plate: format!("京A{:05}", 12345 + i),
                pass_id: None,
                occupant_pass_ids: vec![],
                occupants: 1 + i % 3,
            },
            _ => Subject::Visitor {
                name: "刘洋".into(),
                phone: format!("1381234{:04}", 5678 + i),
                id_number: Some("11010519491231002X".into()),
                host_household: "3-2-401".into(),
                reason: "探亲".into(),
                plate: None,
                visitor_pass_id: None,
            },
        };
        ledger.append(NewPassage {
            checkpoint_id: "cp-east".into(),
            gate: "east-1".into(),
            direction: if i % 3 == 0 {
                Direction::Out
            } else {
                Direction::In
            },
            recorded_at: now - span * (12 - i as i32) / 13,
            clock_offset_ms: Some(-800),
            staff: "王师傅".into(),
            subject,
            temperature_c: Some(36.4),
            verdict: if i == 5 {
                Verdict::Denied {
                    reason: sync_core::DenyReason::Revoked,
                }
            } else {
                Verdict::Admitted
            },
        })?;
    }
    Ok(())
}

/// A genuinely signed resident pass payload (a throwaway district key).
pub fn signed_pass(name: &str, household: &str, plate: Option<&str>) -> Option<(String, PassBody)> {
    let signer = DistrictSigner::generate("district-demo").ok()?;
    let now = Utc::now();
    let body = PassBody {
        kind: if plate.is_some() {
            PassKind::Vehicle
        } else {
            PassKind::Resident
        },
        pass_id: if plate.is_some() {
            "V000042".into()
        } else {
            "R000123".into()
        },
        serial: 1,
        district_id: "district-demo".into(),
        compound_id: "compound-1".into(),
        household: household.into(),
        display_name: name.into(),
        plate: plate.map(str::to_owned),
        valid_from: now - Duration::days(30),
        valid_until: now + Duration::days(335),
    };
    let payload = signer.sign(&body).ok()?;
    Some((payload, body))
}

/// The verdict a verdict scene shows (one per outcome and the reasons staff most need to tell apart).
fn verdict(scene: &str) -> Option<VerdictView> {
    let (outcome, headline, kind, who, zh, en) = match scene {
        "verdict-green" => (
            Outcome::Green,
            Headline::Admitted,
            SubjectKind::Resident,
            "张小明",
            "3-2-401",
            "3-2-401",
        ),
        "verdict-red" => (
            Outcome::Red,
            Headline::Denied,
            SubjectKind::Resident,
            "李华",
            "通行证已注销",
            "Pass revoked",
        ),
        "verdict-amber" => (
            Outcome::Amber,
            Headline::AlreadyRegistered,
            SubjectKind::Resident,
            "张小明",
            "3-2-401",
            "3-2-401",
        ),
        "verdict-other-compound" => (
            Outcome::Red,
            Headline::Denied,
            SubjectKind::Resident,
            "王五",
            "非本小区通行证（和平小区）",
            "Pass for another compound (和平小区)",
        ),
        "verdict-typed" => (
            Outcome::Amber,
            Headline::CheckCard,
            SubjectKind::Resident,
            "张**",
            "手工录入 R000012 · 3-2-401 · 请核对证件上的姓名",
            "Typed R000012 · 3-2-401 · check the name on the card",
        ),
        "verdict-visitor" => (
            Outcome::Visitor,
            Headline::Visitor,
            SubjectKind::Visitor,
            "赵*",
            "被访户 3-2-401",
            "Host household 3-2-401",
        ),
        "verdict-fever" => (
            Outcome::Red,
            Headline::Fever,
            SubjectKind::Visitor,
            "赵*",
            "请引导至临时观察点，勿放行",
            "Send to the observation point; do not admit",
        ),
        "verdict-invited" => (
            Outcome::Green,
            Headline::Invited,
            SubjectKind::Visitor,
            "李*",
            "已预约 · 邀请人 3-2-401 · 京B54321",
            "Invited by 3-2-401 · 京B54321",
        ),
        "verdict-not-checked-in" => (
            Outcome::Red,
            Headline::NotCheckedIn,
            SubjectKind::Resident,
            "张小明",
            "3-2-401 · 请先在手机上完成今日健康打卡",
            "3-2-401 · make today's health check-in first",
        ),
        _ => return None,
    };
    Some(VerdictView {
        outcome,
        headline,
        kind,
        direction: Some(sync_core::Direction::In),
        who: who.into(),
        detail_zh: zh.into(),
        detail_en: en.into(),
        seq: (outcome != Outcome::Visitor).then_some(13),
    })
}

/// The shared-state changes for a scene.
fn seed_for(scene: &'static str, lang: Lang) -> Seed {
    Seed(Rc::new(move |ctx: Ctx| {
        let mut prefs = ctx.prefs;
        prefs.write().reduce(SettingsAction::Lang(lang));
        prefs.write().reduce(SettingsAction::Staff("王师傅".into()));
        prefs.write().reduce(SettingsAction::Gate("east-1".into()));
        // 王师傅 signed on this morning (the duty scene says so on screen).
        let mut duty = ctx.duty;
        duty.write().reduce(DutyAction::Restored {
            on_duty: Some(sync_core::duty::OnDuty {
                staff_id: "S000001".into(),
                name: "王师傅".into(),
                since: Utc::now() - Duration::hours(2),
            }),
            guard: sync_core::duty::PinGuard::default(),
        });
        let mut status = ctx.status;
        let base = status.peek().sync.clone();
        status.write().reduce(StatusAction::Sync(SyncSnapshot {
            enrolled: scene != "enroll",
            status: SyncStatus {
                online: !matches!(scene, "scan" | "verdict-green" | "status"),
                last_success_at: Some(Utc::now() - Duration::minutes(4)),
                clock_offset_ms: Some(-800),
                last_error_zh: (scene == "status").then(|| "无法连接区级服务器（离线）".into()),
                last_error_en: (scene == "status")
                    .then(|| "the district server cannot be reached (connection refused)".into()),
                disabled_at: (scene == "locked").then(Utc::now),
                ..base.status.clone()
            },
            ..base
        }));
        match scene {
            v if v.starts_with("verdict-") => {
                if let Some(view) = verdict(v) {
                    ctx.verdict
                        .clone()
                        .write()
                        .reduce(VerdictAction::Show(view, Instant::now()));
                }
            }
            "vehicle" => {
                let mut v = ctx.vehicle;
                v.write()
                    .reduce(VehicleAction::PlateInput("京A12345".into()));
                v.write().reduce(VehicleAction::AddOccupant);
                v.write().reduce(VehicleAction::AddOccupant);
            }
            "visitor" => {
                let mut f = ctx.visitor;
                for (field, value) in [
                    (Field::Name, "刘洋"),
                    (Field::Phone, "1381234"),
                    (Field::Host, "3-2-401"),
                    (Field::Reason, "探亲"),
                    (Field::Temperature, "36.5"),
                ] {
                    f.write().reduce(VisitorAction::Input(field, value.into()));
                }
                let _ = f.write().submit(|_| true);
            }
            "my-pass" => seed_household(ctx),
            "my-pass-revoked" => {
                seed_household(ctx);
                let mut w = ctx.wallet;
                let mut held = w.peek().clone();
                if let Some(p) = held.passes.first_mut() {
                    p.revoked = true;
                }
                *w.write() = held;
            }
            "checkin" => {
                seed_household(ctx);
                seed_checkin(ctx);
            }
            "invite" => {
                seed_household(ctx);
                seed_invite(ctx);
            }
            "add-pass" => prefs.write().reduce(SettingsAction::ResidentMode(true)),
            "patrol" => seed_patrol(ctx),
            "incident" => seed_incident(ctx),
            "handbook" => seed_handbook(ctx, true),
            "handbook-list" => seed_handbook(ctx, false),
            "notices" => seed_notices(ctx, false),
            "notice-urgent" => seed_notices(ctx, true),
            "duty" => seed_duty(ctx),
            _ => {}
        }
    }))
}

/// A round of the wall route under way: the first point stored as normal, the second just scanned.
fn seed_patrol(ctx: Ctx) {
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
fn seed_incident(ctx: Ctx) {
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
fn seed_handbook(ctx: Ctx, open: bool) {
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
fn seed_notices(ctx: Ctx, urgent_unread: bool) {
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
fn seed_duty(ctx: Ctx) {
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

/// Render one scene to a standalone HTML page.
pub fn render_scene(services: &Services, scene: &'static str, lang: Lang) -> String {
    let props = RootProps {
        services: services.clone(),
        start_path: Some(path_of(scene).to_string()),
        seed: Some(seed_for(scene, lang)),
    };
    let mut dom = VirtualDom::new_with_props(Root, props);
    dom.rebuild_in_place();
    let body = dioxus_ssr::render(&dom);
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{scene}</title></head><body style=\"margin:0\">{body}</body></html>",
        lang.code()
    )
}

/// Resident mode with the household's passes from its letter, refreshed an hour ago.
fn seed_household(ctx: Ctx) {
    let mut w = ctx.wallet;
    for (name, household, plate) in [
        ("张小明", "3-2-401", None),
        ("张小明", "3-2-401", Some("京A12345")),
    ] {
        if let Some((payload, body)) = signed_pass(name, household, plate) {
            let checked = crate::ports::CheckedPass {
                denied: None,
                message_zh: String::new(),
                message_en: String::new(),
                kind: if plate.is_some() {
                    PassKindView::Vehicle
                } else {
                    PassKindView::Resident
                },
                pass_id: body.pass_id,
                household: body.household,
                display_name: body.display_name,
                plate: body.plate,
                valid_until: Some(body.valid_until),
                clock_checked: true,
                revocations_stale_hours: None,
            };
            w.write().reduce(WalletAction::Add(payload, checked));
        }
    }
    w.write().reduce(WalletAction::Select(0));
    // The passes came from the household letter, refreshed an hour ago.
    w.write().household = Some(crate::state::wallet::HouseholdSource {
        link: "https://district.example/h/00#fp=00".into(),
        household: "3-2-401".into(),
        refreshed_at: Utc::now() - Duration::hours(1),
        utc_offset_minutes: 480,
    });
    ctx.prefs
        .clone()
        .write()
        .reduce(SettingsAction::ResidentMode(true));
}

/// 张小明 checked in today (uploaded); the form open for the next member.
fn seed_checkin(ctx: Ctx) {
    use crate::state::checkin::{CheckinAction, QueueStatus, Queued};
    let mut c = ctx.checkin;
    let Some(first) = ctx.wallet.peek().passes.first().cloned() else {
        return;
    };
    let today = crate::flows::household::district_today(None);
    c.write().queue.push(Queued {
        checkin: sync_core::health::Checkin {
            id: "0193a0e0-0000-7000-8000-000000000001".into(),
            pass_id: first.pass_id.clone(),
            day: today,
            temperature_c: 36.5,
            symptoms: vec![],
            left_city_to: None,
            declared_at: Utc::now() - Duration::hours(1),
        },
        name: first.display_name.clone(),
        status: QueueStatus::Sent,
    });
    c.write().reduce(CheckinAction::Member(first.pass_id));
    c.write().reduce(CheckinAction::Temperature("36.6".into()));
}

/// One invitation just made (its link shown) and one visitor who came and left.
fn seed_invite(ctx: Ctx) {
    use crate::state::invite::InviteAction;
    use sync_core::invitation::{Arrival, Invitation, InvitationList};
    let today = crate::flows::household::district_today(None);
    let came = Invitation {
        pass_id: "Y0000007".into(),
        name: "李*".into(),
        day: today,
        plate: Some("京B54321".into()),
        reason: "探亲".into(),
        link: None,
        arrivals: vec![
            Arrival {
                direction: sync_core::Direction::In,
                at: Utc::now() - Duration::hours(3),
                gate: "east-1".into(),
            },
            Arrival {
                direction: sync_core::Direction::Out,
                at: Utc::now() - Duration::hours(1),
                gate: "east-1".into(),
            },
        ],
    };
    let mut i = ctx.invite;
    i.write().reduce(InviteAction::Listed(InvitationList {
        invitations: vec![came],
        made_today: 1,
    }));
    i.write().reduce(InviteAction::Made(Invitation {
        pass_id: "Y0000008".into(),
        name: "王*".into(),
        day: today + Duration::days(1),
        plate: None,
        reason: "送货".into(),
        link: Some("https://district.example/v/4f2a9c0e7b1d4e8a9f3c2b1a0d9e8f7c".into()),
        arrivals: vec![],
    }));
}
