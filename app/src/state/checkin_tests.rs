//! The check-in form's checks, the queue across an upload (stored, duplicate, refused, failed),
//! and what survives a restart.

use chrono::{Duration, NaiveDate, Utc};
use sync_core::health::{CheckinReceipt, CheckinRefusal, Symptom};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).expect("day")
}

fn submit(s: &mut CheckinState, id: &str) {
    s.reduce(CheckinAction::Submit {
        id: id.into(),
        name: "张小明".into(),
        now: Utc::now(),
        today: today(),
    });
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[test]
fn the_form_asks_for_the_member_and_a_plausible_temperature() {
    let mut s = CheckinState::default();
    submit(&mut s, &id());
    assert_eq!(
        s.form.error.as_ref().map(|e| e.0.as_str()),
        Some("请选择打卡人")
    );
    s.reduce(CheckinAction::Member("R1".into()));
    s.reduce(CheckinAction::Temperature("abc".into()));
    submit(&mut s, &id());
    assert!(s.form.error.is_some());
    s.reduce(CheckinAction::Temperature("45".into()));
    submit(&mut s, &id());
    assert!(s
        .form
        .error
        .as_ref()
        .is_some_and(|e| e.0.starts_with("体温")));
    s.reduce(CheckinAction::Temperature("36.6".into()));
    s.reduce(CheckinAction::LeftCity(true));
    submit(&mut s, &id());
    assert!(s
        .form
        .error
        .as_ref()
        .is_some_and(|e| e.1.starts_with("where they went")));
    assert!(s.queue.is_empty(), "nothing queued from a bad form");
}

#[test]
fn a_declaration_is_queued_and_marked_by_the_receipt() {
    let mut s = CheckinState::default();
    s.reduce(CheckinAction::Member("R1".into()));
    s.reduce(CheckinAction::Temperature("37.8".into()));
    s.reduce(CheckinAction::ToggleSymptom(Symptom::Cough));
    s.reduce(CheckinAction::ToggleSymptom(Symptom::Fatigue));
    s.reduce(CheckinAction::ToggleSymptom(Symptom::Fatigue));
    let (a, b) = (id(), id());
    submit(&mut s, &a);
    assert_eq!(s.form.error, None);
    assert_eq!(s.queue[0].checkin.symptoms, vec![Symptom::Cough]);
    assert_eq!(
        s.form.member.as_deref(),
        Some("R1"),
        "the member stays chosen"
    );
    assert!(s.form.temperature.is_empty());
    s.reduce(CheckinAction::Temperature("36.5".into()));
    submit(&mut s, &b);
    assert_eq!(s.pending().len(), 2);
    assert_eq!(
        s.latest("R1", today()).map(|q| q.checkin.id.as_str()),
        Some(b.as_str())
    );
    // Offline: both stay pending, with the reason shown.
    s.reduce(CheckinAction::Uploading);
    s.reduce(CheckinAction::UploadFailed("离线".into(), "offline".into()));
    assert_eq!((s.pending().len(), s.uploading), (2, false));
    // The server stored one before (a lost answer) and refuses the other.
    s.reduce(CheckinAction::Uploading);
    s.reduce(CheckinAction::Receipt(CheckinReceipt {
        stored: vec![],
        duplicate: vec![a.clone()],
        refused: vec![CheckinRefusal {
            id: b.clone(),
            zh: "不是本户".into(),
            en: "not this household".into(),
        }],
    }));
    assert!(s.pending().is_empty());
    assert_eq!(s.queue[0].status, QueueStatus::Sent);
    assert!(matches!(s.queue[1].status, QueueStatus::Refused { .. }));
    // What is kept across a restart: the queue, not the form.
    let json = serde_json::to_string(&s).expect("json");
    let back: CheckinState = serde_json::from_str(&json).expect("back");
    assert_eq!(back.queue, s.queue);
    assert_eq!(back.form, CheckinForm::default());
}

#[test]
fn old_sent_declarations_are_pruned_but_never_unsent_ones() {
    let mut s = CheckinState::default();
    let old = today() - Duration::days(20);
    for (status, n) in [(QueueStatus::Sent, 1), (QueueStatus::Pending, 2)] {
        s.queue.push(Queued {
            checkin: sync_core::health::Checkin {
                id: format!("old-{n}"),
                pass_id: "R1".into(),
                day: old,
                temperature_c: 36.5,
                symptoms: vec![],
                left_city_to: None,
                declared_at: Utc::now(),
            },
            name: "张小明".into(),
            status,
        });
    }
    s.reduce(CheckinAction::Member("R1".into()));
    s.reduce(CheckinAction::Temperature("36.5".into()));
    submit(&mut s, &id());
    let ids: Vec<&str> = s.queue.iter().map(|q| q.checkin.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], "old-2", "an unsent one is kept however old");
}
