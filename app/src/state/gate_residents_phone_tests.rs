//! The gate paths issue 14 adds: an invited visitor's pass is green (已预约, the inviting household)
//! with no host tap and is recorded as that visitor; a compound that requires today's check-in
//! shows 今日已打卡, a red 未打卡, or an amber one when the roster is older than today.

use std::time::Instant;

use chrono::Utc;
use sync_core::i18n::Lang;
use sync_core::rules::CompoundRules;
use sync_core::{DenyReason, Direction, Subject, Verdict};

use super::tests::checked;
use super::*;
use crate::ports::PassKindView;
use crate::state::gate_rules::{CheckinFact, RuleContext};
use crate::state::verdict::{Headline, Outcome};

fn scan(c: CheckedPass, rules: RuleContext) -> GateStep {
    GateFlow::new("cp-east".into()).reduce(GateAction::Scanned {
        payload_key: "x".into(),
        checked: c,
        inside: false,
        moment: Moment {
            direction: Direction::In,
            at: Instant::now(),
            recorded_at: Utc::now(),
            clock_offset_ms: Some(0),
            gate: "east-1".into(),
            staff: "王师傅".into(),
        },
        rules,
    })
}

fn record(step: GateStep) -> PendingRecord {
    match step {
        GateStep::Record(r) => *r,
        other => panic!("expected a record, got {other:?}"),
    }
}

#[test]
fn an_invited_visitor_is_green_without_the_host_tap_and_recorded_as_invited() {
    let mut c = checked("Y0000001", None);
    c.kind = PassKindView::Invited;
    c.display_name = "李四".into();
    let r = record(scan(c.clone(), RuleContext::default()));
    assert_eq!(
        (r.view.outcome, r.view.headline, r.passage.verdict),
        (Outcome::Green, Headline::Invited, Verdict::Admitted)
    );
    assert_eq!(r.view.title(Lang::ZhCn), "已预约访客，请通行");
    assert_eq!(r.view.detail(Lang::ZhCn), "已预约 · 邀请人 3-2-401");
    assert_eq!(r.view.who, "李*");
    match &r.passage.subject {
        Subject::Visitor {
            host_household,
            visitor_pass_id,
            reason,
            ..
        } => {
            assert_eq!(host_household, "3-2-401");
            assert_eq!(visitor_pass_id.as_deref(), Some("Y0000001"));
            assert_eq!(reason, INVITED_REASON);
        }
        other => panic!("recorded as {other:?}"),
    }
    // A self-registered visitor's pass still waits for the host.
    let mut day = c.clone();
    day.kind = PassKindView::Visitor;
    assert!(matches!(
        scan(day, RuleContext::default()),
        GateStep::Show(_)
    ));
    // A forged or revoked invitation is red like any pass.
    let mut revoked = c;
    revoked.denied = Some(DenyReason::Revoked);
    let r = record(scan(revoked, RuleContext::default()));
    assert_eq!(r.view.outcome, Outcome::Red);
}

fn checkin_rules(fact: Option<CheckinFact>) -> RuleContext {
    RuleContext {
        rules: CompoundRules {
            checkin_required: true,
            ..CompoundRules::default()
        },
        checkin: fact,
        ..RuleContext::default()
    }
}

#[test]
fn a_required_checkin_is_shown_on_the_resident_verdict() {
    let done = CheckinFact {
        checked_in_today: true,
        roster_stale_hours: None,
    };
    let r = record(scan(checked("R1", None), checkin_rules(Some(done))));
    assert_eq!(
        (r.view.outcome, r.passage.verdict),
        (Outcome::Green, Verdict::Admitted)
    );
    assert!(r.view.detail(Lang::ZhCn).ends_with("今日已打卡"), "{r:?}");
    // Not checked in, the roster pulled today: red, recorded as such.
    let missing = CheckinFact {
        checked_in_today: false,
        roster_stale_hours: None,
    };
    let r = record(scan(checked("R1", None), checkin_rules(Some(missing))));
    let reason = DenyReason::NotCheckedIn;
    assert_eq!(
        (r.view.outcome, r.view.headline, r.passage.verdict),
        (
            Outcome::Red,
            Headline::NotCheckedIn,
            Verdict::Denied { reason }
        )
    );
    assert_eq!(r.view.title(Lang::ZhCn), "今日未打卡");
    // The roster is from yesterday: amber with its age, admitted.
    let stale = CheckinFact {
        checked_in_today: false,
        roster_stale_hours: Some(20),
    };
    let r = record(scan(checked("R1", None), checkin_rules(Some(stale))));
    assert_eq!(
        (r.view.outcome, r.view.headline, r.passage.verdict),
        (Outcome::Amber, Headline::CheckinUnknown, Verdict::Admitted)
    );
    assert!(
        r.view.detail(Lang::ZhCn).contains("已 20 小时未更新"),
        "{r:?}"
    );
    // Never pulled counts as stale; staff and visitors are not asked.
    let r = record(scan(checked("R1", None), checkin_rules(None)));
    assert!(r.view.detail(Lang::En).contains("never pulled"));
    let mut staff = checked("S1", None);
    staff.kind = PassKindView::Staff;
    let r = record(scan(staff, checkin_rules(Some(missing))));
    assert_eq!(r.view.outcome, Outcome::Green);
    // Without the rule nothing changes.
    let r = record(scan(
        checked("R1", None),
        RuleContext {
            checkin: Some(missing),
            ..RuleContext::default()
        },
    ));
    assert_eq!(r.view.outcome, Outcome::Green);
    assert!(!r.view.detail(Lang::ZhCn).contains("打卡"));
}
