//! Tests of the gate flow against a real ledger file: green only after `append` is Ok, the duplicate window.

use std::time::{Duration, Instant};

use chrono::Utc;
use sync_core::i18n::Lang;
use sync_core::{DenyReason, Direction, Ledger, Subject};

use super::*;
use crate::ports::{CheckedPass, PassKindView};
use crate::state::gate_rules::RuleContext;
use crate::state::verdict::{Headline, Outcome};

fn place() -> String {
    "cp-east".into()
}

pub(crate) fn checked(pass_id: &str, denied: Option<DenyReason>) -> CheckedPass {
    CheckedPass {
        denied,
        message_zh: if denied.is_some() {
            "通行证已注销".into()
        } else {
            "有效，请通行".into()
        },
        message_en: if denied.is_some() {
            "Pass revoked".into()
        } else {
            "Valid, let pass".into()
        },
        kind: PassKindView::Resident,
        pass_id: pass_id.into(),
        household: "3-2-401".into(),
        display_name: "张小明".into(),
        plate: None,
        valid_until: None,
        clock_checked: true,
        revocations_stale_hours: None,
    }
}

fn moment(direction: Direction, at: Instant) -> Moment {
    Moment {
        direction,
        at,
        recorded_at: Utc::now(),
        clock_offset_ms: Some(0),
        gate: "east-1".into(),
        staff: "王师傅".into(),
    }
}

fn scanned(c: CheckedPass, direction: Direction, at: Instant) -> GateAction {
    GateAction::Scanned {
        payload_key: c.pass_id.clone(),
        checked: c,
        inside: false,
        moment: moment(direction, at),
        rules: RuleContext::default(),
    }
}

/// Run one step against the ledger like the app does: append, then report Stored or StoreFailed.
fn run(flow: &mut GateFlow, ledger: &mut Ledger, action: GateAction, at: Instant) -> VerdictView {
    match flow.reduce(action) {
        GateStep::Record(record) => match ledger.append(record.passage.clone()) {
            Ok(p) => match flow.reduce(GateAction::Stored {
                record,
                seq: p.body.seq,
                at,
            }) {
                GateStep::Show(v) => v,
                other => panic!("expected a verdict, got {other:?}"),
            },
            Err(e) => match flow.reduce(store_failed(&e)) {
                GateStep::Show(v) => v,
                other => panic!("expected a verdict, got {other:?}"),
            },
        },
        GateStep::Show(v) => v,
        GateStep::AskTemperature => panic!("no temperature rule here"),
        GateStep::Ignore => panic!("ignored"),
    }
}

#[test]
fn valid_pass_is_green_only_with_a_stored_seq() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let step = flow.reduce(scanned(checked("R000001", None), Direction::In, t0));
    let GateStep::Record(record) = step else {
        panic!("must record first")
    };
    assert_eq!(record.view.seq, None, "no seq before the ledger stored it");
    let stored = ledger.append(record.passage.clone()).unwrap();
    let GateStep::Show(v) = flow.reduce(GateAction::Stored {
        record,
        seq: stored.body.seq,
        at: t0,
    }) else {
        panic!()
    };
    assert_eq!(v.outcome, Outcome::Green);
    assert_eq!(v.seq, Some(1));
    assert_eq!(v.who, "张小明");
    assert_eq!(ledger.stored_count().unwrap(), 1);
}

#[test]
fn full_disk_shows_red_not_green() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    // SQLite clamps the limit to the current size: the file may not grow any more.
    ledger.set_max_page_count(1).unwrap();
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let mut i = 0;
    let red = loop {
        let v = run(
            &mut flow,
            &mut ledger,
            scanned(checked(&format!("R{i}"), None), Direction::In, t0),
            t0,
        );
        flow.reduce(GateAction::VerdictClosed);
        if v.outcome != Outcome::Green {
            break v;
        }
        i += 1;
        assert!(i < 10_000, "the limit never took effect");
    };
    assert_eq!(red.outcome, Outcome::Red, "{red:?}");
    assert_eq!(red.title(Lang::En), "Not stored, try again");
    assert_eq!(red.seq, None);
    assert!(red.detail_en.contains("not stored"), "{red:?}");
    assert_eq!(
        ledger.stored_count().unwrap(),
        i as u64,
        "every green is stored, the red one is not"
    );
}

#[test]
fn same_pass_within_window_is_already_registered_and_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let mut flow = GateFlow::with_window(place(), Duration::from_secs(30));
    let t0 = Instant::now();
    let first = run(
        &mut flow,
        &mut ledger,
        scanned(checked("R1", None), Direction::In, t0),
        t0,
    );
    assert_eq!(first.outcome, Outcome::Green);
    // Still on screen: the camera seeing it again is ignored.
    let t1 = t0 + Duration::from_secs(1);
    assert_eq!(
        flow.reduce(scanned(checked("R1", None), Direction::In, t1)),
        GateStep::Ignore
    );
    flow.reduce(GateAction::VerdictClosed);
    let t2 = t0 + Duration::from_secs(10);
    let again = run(
        &mut flow,
        &mut ledger,
        scanned(checked("R1", None), Direction::In, t2),
        t2,
    );
    assert_eq!(again.outcome, Outcome::Amber);
    assert_eq!(again.title(Lang::En), "Already registered");
    assert_eq!(again.seq, Some(1), "points at the first passage");
    assert_eq!(ledger.stored_count().unwrap(), 1);

    // The other direction is a new passage; so is the same direction after the window.
    flow.reduce(GateAction::VerdictClosed);
    let out = run(
        &mut flow,
        &mut ledger,
        scanned(checked("R1", None), Direction::Out, t2),
        t2,
    );
    assert_eq!(out.outcome, Outcome::Green);
    flow.reduce(GateAction::VerdictClosed);
    let t3 = t0 + Duration::from_secs(31);
    let later = run(
        &mut flow,
        &mut ledger,
        scanned(checked("R1", None), Direction::In, t3),
        t3,
    );
    assert_eq!(later.outcome, Outcome::Green);
    assert_eq!(ledger.stored_count().unwrap(), 3);
}

#[test]
fn revoked_pass_is_red_with_reason_and_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let c = checked("R2", Some(DenyReason::Revoked));
    let v = run(
        &mut flow,
        &mut ledger,
        scanned(c.clone(), Direction::In, t0),
        t0,
    );
    assert_eq!(v.outcome, Outcome::Red);
    assert_eq!(v.detail_en, "Pass revoked");
    assert_eq!(v.detail_zh, "通行证已注销");
    flow.reduce(GateAction::VerdictClosed);
    let t1 = t0 + Duration::from_secs(5);
    let v2 = run(&mut flow, &mut ledger, scanned(c, Direction::In, t1), t1);
    assert_eq!(v2.outcome, Outcome::Red);
    assert_eq!(ledger.stored_count().unwrap(), 1);
    let p = ledger.passages_after(0, 10).unwrap();
    assert_eq!(
        p[0].body.verdict,
        sync_core::Verdict::Denied {
            reason: DenyReason::Revoked
        }
    );
}

#[test]
fn unchecked_clock_is_amber_and_fever_is_its_own_red() {
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let mut c = checked("R3", None);
    c.clock_checked = false;
    let GateStep::Record(r) = flow.reduce(scanned(c, Direction::In, t0)) else {
        panic!()
    };
    assert_eq!(r.view.outcome, Outcome::Amber);
    assert!(r.passage.verdict.is_admitted());

    let subject = Subject::Visitor {
        name: "李四".into(),
        phone: "13812345678".into(),
        id_number: None,
        host_household: "3-2-401".into(),
        reason: "探亲".into(),
        plate: None,
        visitor_pass_id: None,
    };
    let GateStep::Record(r) = flow.reduce(GateAction::Registered {
        subject,
        temperature_c: Some(38.2),
        fever: true,
        plate_roster: Vec::new(),
        moment: moment(Direction::In, t0),
        rules: RuleContext::default(),
    }) else {
        panic!()
    };
    assert_eq!(r.view.outcome, Outcome::Red, "fever is never amber");
    assert_eq!(r.view.headline, Headline::Fever);
    assert_eq!(r.view.title(Lang::ZhCn), "体温异常");
    assert!(r.view.detail(Lang::ZhCn).contains("观察点"));
    assert!(r.view.detail(Lang::En).contains("observation point"));
    assert_eq!(
        r.passage.verdict,
        sync_core::Verdict::Denied {
            reason: DenyReason::Fever
        }
    );
    assert_eq!(r.view.who, "李*", "visitor names are masked on the verdict");
}

#[test]
fn unreadable_codes_are_keyed_by_payload() {
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let mut c = checked("", Some(DenyReason::Malformed));
    c.kind = PassKindView::Resident;
    let a = GateAction::Scanned {
        checked: c,
        payload_key: "hello".into(),
        inside: false,
        moment: moment(Direction::In, t0),
        rules: RuleContext::default(),
    };
    let GateStep::Record(r) = flow.reduce(a) else {
        panic!()
    };
    assert_eq!(r.key, "code:hello");
}

/// A patrol point's label is never a bad pass: nothing is recorded, no red verdict is shown (the
/// scan screen offers the round instead).
#[test]
fn a_patrol_point_label_is_not_a_bad_pass() {
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let a = GateAction::Scanned {
        checked: checked("", Some(DenyReason::Malformed)),
        payload_key: "CPP:0A1B2C".into(),
        inside: false,
        moment: moment(Direction::In, t0),
        rules: RuleContext::default(),
    };
    assert_eq!(flow.reduce(a), GateStep::Ignore);
}

#[test]
fn a_pass_checked_against_an_old_revocation_list_is_amber_not_green() {
    let mut flow = GateFlow::new(place());
    let t0 = Instant::now();
    let mut c = checked("R4", None);
    c.revocations_stale_hours = Some(80);
    let GateStep::Record(r) = flow.reduce(scanned(c, Direction::In, t0)) else {
        panic!()
    };
    assert_eq!(r.view.outcome, Outcome::Amber);
    assert!(r.view.detail_zh.contains("80 小时"), "{}", r.view.detail_zh);
    assert!(
        r.view.detail_en.contains("80 h old"),
        "{}",
        r.view.detail_en
    );
    assert!(
        r.passage.verdict.is_admitted(),
        "still admitted, with a warning"
    );
    let mut never = checked("R5", None);
    never.revocations_stale_hours = Some(i64::MAX);
    let GateStep::Record(r) = flow.reduce(scanned(never, Direction::In, t0)) else {
        panic!()
    };
    assert!(r.view.detail_en.contains("never pulled"));
}
