use chrono::TimeZone;
use sync_core::secret::hash_secret;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 1, 0, 0)
        .single()
        .expect("valid")
}

fn member(id: &str, name: &str, pin: Option<&str>) -> StaffMember {
    StaffMember {
        staff_id: id.into(),
        name: name.into(),
        pin_hash: pin.map(|p| hash_secret(p).expect("hash")),
    }
}

fn state() -> DutyState {
    let mut s = DutyState::default();
    s.reduce(DutyAction::Roster {
        roster: vec![
            member("S1", "王师傅", Some("1234")),
            member("S2", "刘志愿者", Some("5678")),
            member("S3", "新人", None),
        ],
        checkpoint_id: "cp-east".into(),
        offset_minutes: 480,
    });
    s
}

fn pin_sign_on(s: &mut DutyState, id: &str, pin: &str) -> Option<DutyRequest> {
    s.reduce(DutyAction::Pick(id.into()));
    s.reduce(DutyAction::Pin(pin.into()));
    s.reduce(DutyAction::SubmitPin { now: now() })
}

fn stored(s: &mut DutyState, n: usize) {
    s.reduce(DutyAction::Recorded {
        stored: n,
        result: Ok(()),
    });
}

#[test]
fn a_right_pin_signs_on_and_a_second_staff_member_takes_over_with_a_recorded_handover() {
    let mut s = state();
    let asked = pin_sign_on(&mut s, "S1", "1234").expect("signed on");
    assert_eq!(asked.events.len(), 1);
    assert_eq!(
        (
            asked.events[0].event,
            asked.events[0].method,
            asked.events[0].checkpoint_id.as_str()
        ),
        (DutyEvent::On, DutyMethod::Pin, "cp-east")
    );
    assert_eq!(s.on_duty, None, "not on duty before the journal has it");
    stored(&mut s, 1);
    assert_eq!(s.on_duty.as_ref().map(|o| o.name.as_str()), Some("王师傅"));
    let handover = s
        .reduce(DutyAction::PassRead {
            read: Ok(("S2".into(), "刘志愿者".into())),
            now: now(),
        })
        .expect("handover");
    let events: Vec<(&str, DutyEvent, DutyMethod)> = handover
        .events
        .iter()
        .map(|e| (e.staff_id.as_str(), e.event, e.method))
        .collect();
    assert_eq!(
        events,
        [
            ("S1", DutyEvent::Off, DutyMethod::Handover),
            ("S2", DutyEvent::On, DutyMethod::Pass)
        ]
    );
    stored(&mut s, 2);
    assert_eq!(s.on_duty.as_ref().map(|o| o.staff_id.as_str()), Some("S2"));
    let off = s.reduce(DutyAction::SignOff).expect("off");
    assert_eq!(off.events[0].method, DutyMethod::Button);
    stored(&mut s, 1);
    assert_eq!(s.on_duty, None);
    assert_eq!(s.notice, Some(DutyNotice::SignedOff("刘志愿者".into())));
}

#[test]
fn five_wrong_pins_lock_pins_out_and_say_until_when() {
    let mut s = state();
    for left in (1..=4).rev() {
        assert_eq!(pin_sign_on(&mut s, "S1", "0000"), None);
        assert_eq!(s.notice, Some(DutyNotice::Pin(PinError::Wrong { left })));
    }
    assert_eq!(pin_sign_on(&mut s, "S1", "0000"), None);
    assert_eq!(
        s.notice,
        Some(DutyNotice::Pin(PinError::LockedOut {
            until: "09:05".into()
        }))
    );
    // Even the right PIN is refused while locked out; the staff pass still works.
    assert_eq!(pin_sign_on(&mut s, "S1", "1234"), None);
    assert!(matches!(
        s.notice,
        Some(DutyNotice::Pin(PinError::LockedOut { .. }))
    ));
    let by_pass = s.reduce(DutyAction::PassRead {
        read: Ok(("S1".into(), "王师傅".into())),
        now: now(),
    });
    assert!(by_pass.is_some());
}

#[test]
fn malformed_pins_no_pin_and_no_name_are_refused_without_counting_a_try() {
    let mut s = state();
    assert_eq!(pin_sign_on(&mut s, "S1", "12"), None);
    assert_eq!(s.notice, Some(DutyNotice::Pin(PinError::Format)));
    assert_eq!(pin_sign_on(&mut s, "S3", "1234"), None);
    assert!(matches!(
        s.notice,
        Some(DutyNotice::Pin(PinError::NoPin { .. }))
    ));
    assert_eq!(s.guard.failures, 0);
    let mut fresh = state();
    fresh.reduce(DutyAction::Pin("1234".into()));
    assert_eq!(fresh.reduce(DutyAction::SubmitPin { now: now() }), None);
    assert_eq!(fresh.notice, Some(DutyNotice::PickFirst));
    // The PIN field keeps digits only, six at most.
    fresh.reduce(DutyAction::Pin("12a34567".into()));
    assert_eq!(fresh.pin, "123456");
}

#[test]
fn a_handover_whose_sign_on_was_not_stored_leaves_nobody_on_duty() {
    let mut s = state();
    pin_sign_on(&mut s, "S1", "1234");
    stored(&mut s, 1);
    pin_sign_on(&mut s, "S2", "5678").expect("handover asked");
    s.reduce(DutyAction::Recorded {
        stored: 1,
        result: Err(Words {
            zh: "存储已满".into(),
            en: "Storage full".into(),
        }),
    });
    assert_eq!(s.on_duty, None);
    assert!(s.notice.as_ref().is_some_and(DutyNotice::is_error));
}

#[test]
fn a_refused_staff_pass_says_why_and_signs_nobody_on() {
    let mut s = state();
    let read = Err(Words {
        zh: "通行证已注销".into(),
        en: "Pass revoked".into(),
    });
    assert_eq!(s.reduce(DutyAction::PassRead { read, now: now() }), None);
    assert_eq!(
        s.notice.as_ref().map(|n| n.message(Lang::En)),
        Some("Pass revoked".into())
    );
}
