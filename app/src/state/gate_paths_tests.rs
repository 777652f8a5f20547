//! Every path to a verdict that the roster and the host tap decide: typed pass ids, typed plates,
//! scanned visitor passes, "already inside"; each verdict names its direction and kind.

use std::time::Instant;

use chrono::{Duration, Utc};
use sync_core::i18n::Lang;
use sync_core::pass::PassKind;
use sync_core::protocol::RosterEntry;
use sync_core::{DenyReason, Direction, Subject, SubjectKind, Verdict};

use super::tests::checked;
use super::*;
use crate::ports::CheckedPass;
use crate::ports::PassKindView;
use crate::state::gate_rules::RuleContext;
use crate::state::verdict::{direction_label, kind_label, Headline, Outcome};

fn flow() -> GateFlow {
    GateFlow::new("cp-east".into())
}

fn moment(direction: Direction) -> Moment {
    Moment {
        direction,
        at: Instant::now(),
        recorded_at: Utc::now(),
        clock_offset_ms: Some(0),
        gate: "east-1".into(),
        staff: "王师傅".into(),
    }
}

fn entry(pass_id: &str, kind: PassKind) -> RosterEntry {
    RosterEntry {
        pass_id: pass_id.into(),
        kind,
        serial: 1,
        revoked: false,
        household: "3-2-401".into(),
        name: "张**".into(),
        plate: (kind == PassKind::Vehicle).then(|| "京A12345".into()),
        valid_until: Utc::now() + Duration::days(30),
        id_tail: None,
        checked_in_on: None,
    }
}

fn record(step: GateStep) -> PendingRecord {
    match step {
        GateStep::Record(r) => *r,
        other => panic!("expected a record, got {other:?}"),
    }
}

fn typed(roster: Option<RosterEntry>, direction: Direction, inside: bool) -> PendingRecord {
    record(flow().reduce(GateAction::Typed {
        pass_id: "R000012".into(),
        roster,
        inside,
        moment: moment(direction),
        rules: RuleContext::default(),
    }))
}

#[test]
fn a_typed_pass_id_is_checked_against_the_roster() {
    let unknown = typed(None, Direction::In, false);
    assert_eq!(unknown.view.outcome, Outcome::Red);
    let reason = DenyReason::UnknownPass;
    assert_eq!(unknown.passage.verdict, Verdict::Denied { reason });
    assert_eq!(unknown.view.detail(Lang::ZhCn), "查无此证");
    assert_eq!(unknown.view.detail(Lang::En), "unknown pass");

    let mut revoked = entry("R000012", PassKind::Resident);
    revoked.revoked = true;
    let r = typed(Some(revoked), Direction::In, false);
    assert_eq!(r.view.outcome, Outcome::Red);
    let reason = DenyReason::Revoked;
    assert_eq!(r.passage.verdict, Verdict::Denied { reason });

    let mut expired = entry("R000012", PassKind::Resident);
    expired.valid_until = Utc::now() - Duration::minutes(1);
    let r = typed(Some(expired), Direction::Out, false);
    let reason = DenyReason::Expired;
    assert_eq!(r.passage.verdict, Verdict::Denied { reason });

    // Known and valid: amber "check the card against this name", never green.
    let ok = typed(
        Some(entry("R000012", PassKind::Resident)),
        Direction::In,
        false,
    );
    assert_eq!(
        (ok.view.outcome, ok.view.headline),
        (Outcome::Amber, Headline::CheckCard)
    );
    assert!(ok.passage.verdict.is_admitted());
    assert_eq!(ok.view.who, "张**");
    assert!(ok.view.detail(Lang::ZhCn).contains("3-2-401"));
    assert!(ok
        .view
        .detail(Lang::En)
        .contains("check the name on the card"));
    assert!(
        matches!(ok.passage.subject, Subject::Resident { ref household, .. } if household == "3-2-401")
    );

    // A typed staff or vehicle pass id is recorded as what it is.
    let staff = typed(
        Some(entry("S000001", PassKind::Staff)),
        Direction::In,
        false,
    );
    assert_eq!(staff.passage.subject.kind(), SubjectKind::Staff);
    let car = typed(
        Some(entry("V000012-1", PassKind::Vehicle)),
        Direction::In,
        false,
    );
    assert_eq!(
        (car.passage.subject.kind(), car.view.who.as_str()),
        (SubjectKind::Vehicle, "京A12345")
    );
}

fn plate(roster: Vec<RosterEntry>) -> PendingRecord {
    let subject = Subject::Vehicle {
        plate: "京A12345".into(),
        pass_id: None,
        occupant_pass_ids: vec![],
        occupants: 2,
    };
    record(flow().reduce(GateAction::Registered {
        subject,
        temperature_c: None,
        fever: false,
        plate_roster: roster,
        moment: moment(Direction::In),
        rules: RuleContext::default(),
    }))
}

#[test]
fn a_typed_plate_of_a_revoked_or_expired_vehicle_pass_is_red() {
    let mut revoked = entry("V1-1", PassKind::Vehicle);
    revoked.revoked = true;
    let r = plate(vec![revoked.clone()]);
    assert_eq!(r.view.outcome, Outcome::Red);
    let reason = DenyReason::Revoked;
    assert_eq!(r.passage.verdict, Verdict::Denied { reason });
    let mut expired = entry("V1-2", PassKind::Vehicle);
    expired.valid_until = Utc::now() - Duration::days(1);
    let reason = DenyReason::Expired;
    assert_eq!(
        plate(vec![expired]).passage.verdict,
        Verdict::Denied { reason }
    );
    // A reissued pass for the same plate is valid: the valid one decides.
    let ok = plate(vec![revoked, entry("V1-3", PassKind::Vehicle)]);
    assert_eq!(ok.view.outcome, Outcome::Green);
    assert!(ok.passage.verdict.is_admitted());
}

#[test]
fn a_scanned_visitor_pass_waits_for_the_host_tap_and_both_answers_are_stored() {
    let mut c = checked("D000001", None);
    c.kind = PassKindView::Visitor;
    c.display_name = "赵六".into();
    for (confirmed, outcome) in [(true, Outcome::Green), (false, Outcome::Red)] {
        let mut f = flow();
        let step = f.reduce(GateAction::Scanned {
            payload_key: "x".into(),
            checked: c.clone(),
            inside: false,
            moment: moment(Direction::In),
            rules: RuleContext::default(),
        });
        let GateStep::Show(waiting) = step else {
            panic!("a visitor is not recorded before the tap: {step:?}")
        };
        assert_eq!(
            (waiting.outcome, waiting.headline),
            (Outcome::Visitor, Headline::Visitor)
        );
        assert_eq!(waiting.who, "赵*");
        assert_eq!(waiting.detail(Lang::ZhCn), "被访户 3-2-401");
        assert!(f.awaiting_host());
        let r = record(f.reduce(GateAction::HostDecision { confirmed }));
        assert_eq!(r.view.outcome, outcome);
        assert_eq!(r.passage.verdict.is_admitted(), confirmed);
        if !confirmed {
            let reason = DenyReason::StaffDecision;
            assert_eq!(r.passage.verdict, Verdict::Denied { reason });
            assert!(r.view.detail(Lang::En).contains("refused by staff"));
        }
        assert_eq!(r.passage.staff, "王师傅", "the decision is named");
        assert!(!f.awaiting_host());
    }
    // Closed without a tap: nothing decided, nothing recorded.
    let mut f = flow();
    f.reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: c,
        inside: false,
        moment: moment(Direction::In),
        rules: RuleContext::default(),
    });
    f.reduce(GateAction::VerdictClosed);
    assert_eq!(
        f.reduce(GateAction::HostDecision { confirmed: true }),
        GateStep::Ignore
    );
}

#[test]
fn in_again_without_out_is_amber_already_inside_not_a_block() {
    let mut f = flow();
    let r = record(f.reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: checked("R000001", None),
        inside: true,
        moment: moment(Direction::In),
        rules: RuleContext::default(),
    }));
    assert_eq!(
        (r.view.outcome, r.view.headline),
        (Outcome::Amber, Headline::AlreadyInside)
    );
    assert!(r.passage.verdict.is_admitted());
    assert_eq!(r.view.title(Lang::ZhCn), "重复进入");
    // Going out while inside is the normal case: green.
    let out = record(f.reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: checked("R000002", None),
        inside: true,
        moment: moment(Direction::Out),
        rules: RuleContext::default(),
    }));
    assert_eq!(out.view.outcome, Outcome::Green);
}

#[test]
fn every_verdict_names_its_direction_and_kind_in_both_languages() {
    let r = typed(
        Some(entry("R000012", PassKind::Resident)),
        Direction::Out,
        false,
    );
    assert_eq!(r.view.direction, Some(Direction::Out));
    assert_eq!(direction_label(Direction::Out, Lang::ZhCn), "出");
    assert_eq!(direction_label(Direction::In, Lang::En), "In");
    let labels: Vec<_> = SubjectKind::ALL
        .iter()
        .map(|k| (kind_label(*k, Lang::ZhCn), kind_label(*k, Lang::En)))
        .collect();
    assert_eq!(
        labels,
        [
            ("居民", "Resident"),
            ("车辆", "Vehicle"),
            ("访客", "Visitor"),
            ("工作人员", "Staff")
        ]
    );
    // Each amber reason has its own mark and words.
    let amber = [
        Headline::CheckCard,
        Headline::ClockUnchecked,
        Headline::RevocationsStale,
        Headline::AlreadyRegistered,
        Headline::AlreadyInside,
        Headline::CheckinUnknown,
    ];
    let marks: std::collections::HashSet<_> = amber.iter().map(|h| h.mark()).collect();
    let words: std::collections::HashSet<_> = amber.iter().map(|h| h.text(Lang::En)).collect();
    assert_eq!((marks.len(), words.len()), (amber.len(), amber.len()));
}

fn ruled(rules: sync_core::rules::CompoundRules, exits: u32, at: (u32, u32)) -> RuleContext {
    RuleContext {
        rules,
        local_time: chrono::NaiveTime::from_hms_opt(at.0, at.1, 0).unwrap(),
        household_exits: exits,
        offline: false,
        fever_threshold_c: 37.3,
        checkin: None,
    }
}

fn scan_with(c: CheckedPass, direction: Direction, rules: RuleContext) -> GateStep {
    flow().reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: c,
        inside: false,
        moment: moment(direction),
        rules,
    })
}

#[test]
fn compound_rules_turn_an_admitted_exit_red_with_their_wording() {
    use sync_core::rules::{CompoundRules, DenyEntry, DenyTarget, ExitHours, ExitQuota};
    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let rules = CompoundRules {
        exit_quota: Some(ExitQuota {
            persons: 1,
            days: 2,
        }),
        exit_hours: Some(ExitHours {
            from: t(6, 0),
            until: t(22, 0),
        }),
        deny: vec![DenyEntry {
            target: DenyTarget::Household,
            value: "3-2-401".into(),
            reason: "居家隔离".into(),
        }],
        ..CompoundRules::default()
    };
    // The household is deny-listed: red both ways, with the list's reason.
    let r = record(scan_with(
        checked("R1", None),
        Direction::In,
        ruled(rules.clone(), 0, (9, 0)),
    ));
    let reason = DenyReason::DenyListed;
    assert_eq!(
        (r.view.outcome, r.passage.verdict),
        (Outcome::Red, Verdict::Denied { reason })
    );
    assert_eq!(r.view.detail(Lang::ZhCn), "禁止名单：居家隔离");
    let open = CompoundRules {
        deny: vec![],
        ..rules
    };
    // Quota used up: red on the way out, in both languages; coming home is not held.
    let r = record(scan_with(
        checked("R1", None),
        Direction::Out,
        ruled(open.clone(), 1, (9, 0)),
    ));
    assert_eq!(
        r.passage.verdict,
        Verdict::Denied {
            reason: DenyReason::ExitQuota
        }
    );
    assert!(r
        .view
        .detail(Lang::En)
        .contains("At most 1 out per household per 2 days"));
    let r = record(scan_with(
        checked("R1", None),
        Direction::In,
        ruled(open.clone(), 1, (9, 0)),
    ));
    assert_eq!(r.view.outcome, Outcome::Green);
    // Outside the hours.
    let r = record(scan_with(
        checked("R1", None),
        Direction::Out,
        ruled(open.clone(), 0, (23, 0)),
    ));
    assert_eq!(
        r.passage.verdict,
        Verdict::Denied {
            reason: DenyReason::OutsideHours
        }
    );
    assert_eq!(r.view.detail(Lang::ZhCn), "居民外出时间为 06:00–22:00");
    // A typed pass id meets the same rules.
    let r = record(flow().reduce(GateAction::Typed {
        pass_id: "R000012".into(),
        roster: Some(entry("R000012", PassKind::Resident)),
        inside: false,
        moment: moment(Direction::Out),
        rules: ruled(open, 1, (9, 0)),
    }));
    assert_eq!(
        r.passage.verdict,
        Verdict::Denied {
            reason: DenyReason::ExitQuota
        }
    );
}

#[test]
fn a_visitor_for_a_deny_listed_household_is_red_without_waiting_for_the_host() {
    use sync_core::rules::{CompoundRules, DenyEntry, DenyTarget};
    let rules = CompoundRules {
        deny: vec![DenyEntry {
            target: DenyTarget::Household,
            value: "3-2-401".into(),
            reason: "居家隔离".into(),
        }],
        ..CompoundRules::default()
    };
    let mut c = checked("D1", None);
    c.kind = PassKindView::Visitor;
    let r = record(scan_with(c, Direction::In, ruled(rules, 0, (9, 0))));
    assert_eq!(
        r.passage.verdict,
        Verdict::Denied {
            reason: DenyReason::DenyListed
        }
    );
}

#[test]
fn a_required_temperature_is_asked_before_the_verdict_and_fever_is_red() {
    let rules = sync_core::rules::CompoundRules {
        resident_temperature_required: true,
        ..Default::default()
    };
    for (celsius, admitted) in [(36.6_f32, true), (38.1, false)] {
        let mut f = flow();
        let step = f.reduce(GateAction::Scanned {
            payload_key: "x".into(),
            checked: checked("R1", None),
            inside: false,
            moment: moment(Direction::In),
            rules: ruled(rules.clone(), 0, (9, 0)),
        });
        assert_eq!(
            step,
            GateStep::AskTemperature,
            "nothing recorded before the temperature"
        );
        assert!(f.awaiting_temperature().is_some());
        let r = record(f.reduce(GateAction::Temperature(Some(celsius))));
        assert_eq!(r.passage.temperature_c, Some(celsius));
        assert_eq!(r.passage.verdict.is_admitted(), admitted);
        if !admitted {
            assert_eq!(
                (r.view.outcome, r.view.headline),
                (Outcome::Red, Headline::Fever)
            );
            assert!(r.view.detail(Lang::ZhCn).contains("38.1 °C"));
        }
    }
    // Cancelled: nothing recorded. Staff and vehicles are not asked.
    let mut f = flow();
    f.reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: checked("R1", None),
        inside: false,
        moment: moment(Direction::In),
        rules: ruled(rules.clone(), 0, (9, 0)),
    });
    assert_eq!(f.reduce(GateAction::Temperature(None)), GateStep::Ignore);
    assert!(f.awaiting_temperature().is_none());
    let mut staff = checked("S1", None);
    staff.kind = PassKindView::Staff;
    assert!(matches!(
        scan_with(staff, Direction::In, ruled(rules, 0, (9, 0))),
        GateStep::Record(_)
    ));
}
