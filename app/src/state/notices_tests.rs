use chrono::{Duration, TimeZone};
use sync_core::notice::NoticePriority;

use super::*;

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, h, 0, 0)
        .single()
        .expect("valid")
}

fn notice(id: &str, version: u32, priority: NoticePriority) -> Notice {
    Notice {
        notice_id: id.into(),
        version,
        title: id.into(),
        body: "正文".into(),
        priority,
        effective_from: at(8),
        effective_until: None,
        published_at: at(8) + Duration::minutes(i64::from(version)),
    }
}

fn state(notices: &[Notice]) -> NoticesState {
    let mut s = NoticesState {
        checkpoint_id: "cp-east".into(),
        ..Default::default()
    };
    s.reduce(NoticesAction::Loaded(NoticeBoard::from_pulled(notices)));
    s
}

fn ack(s: &mut NoticesState, id: &str, version: u32, staff: &str) {
    let asked = s.reduce(NoticesAction::Acknowledge {
        notice_id: id.into(),
        version,
    });
    assert_eq!(asked.expect("held").data.checkpoint_id, "cp-east");
    s.reduce(NoticesAction::Recorded {
        receipt: Receipt {
            notice_id: id.into(),
            version,
            staff: staff.into(),
        },
        result: Ok(()),
    });
}

#[test]
fn an_urgent_notice_takes_the_screen_until_the_staff_on_duty_acknowledges_it() {
    let mut s = state(&[
        notice("rule", 1, NoticePriority::Normal),
        notice("drill", 1, NoticePriority::Urgent),
    ]);
    let now = at(12);
    assert_eq!(
        s.takeover(now, "王").map(|n| n.notice_id.as_str()),
        Some("drill")
    );
    ack(&mut s, "drill", 1, "王");
    assert_eq!(s.takeover(now, "王"), None);
    // The banner still counts the normal one.
    assert_eq!(s.unread(now, "王").len(), 1);
    // Another staff member on duty reads it again.
    assert!(s.takeover(now, "李").is_some());
}

#[test]
fn a_new_version_is_read_again() {
    let mut s = state(&[notice("rule", 1, NoticePriority::Normal)]);
    ack(&mut s, "rule", 1, "王");
    assert!(s.unread(at(12), "王").is_empty());
    s.reduce(NoticesAction::Loaded(NoticeBoard::from_pulled(&[notice(
        "rule",
        2,
        NoticePriority::Normal,
    )])));
    assert_eq!(s.unread(at(12), "王").len(), 1);
}

#[test]
fn a_notice_not_on_the_board_cannot_be_acknowledged_and_says_why() {
    let mut s = state(&[notice("rule", 2, NoticePriority::Normal)]);
    let asked = s.reduce(NoticesAction::Acknowledge {
        notice_id: "rule".into(),
        version: 1,
    });
    assert_eq!(asked, None);
    let words = s.error.clone().expect("an error");
    assert!(words.en.contains("never sent") && words.zh.contains("未收到"));
}

#[test]
fn a_receipt_the_journal_refused_leaves_the_notice_unread_and_open() {
    let mut s = state(&[notice("drill", 1, NoticePriority::Urgent)]);
    s.reduce(NoticesAction::Open("drill".into()));
    s.reduce(NoticesAction::Recorded {
        receipt: Receipt {
            notice_id: "drill".into(),
            version: 1,
            staff: "王".into(),
        },
        result: Err(Words {
            zh: "存储已满".into(),
            en: "Storage full".into(),
        }),
    });
    assert!(s.takeover(at(12), "王").is_some());
    assert_eq!(s.opened().map(|n| n.version), Some(1));
    assert_eq!(
        s.error.as_ref().map(|w| w.en.as_str()),
        Some("Storage full")
    );
}

#[test]
fn a_withdrawn_notice_closes() {
    let mut s = state(&[notice("rule", 1, NoticePriority::Normal)]);
    s.reduce(NoticesAction::Open("rule".into()));
    assert!(s.opened().is_some());
    s.reduce(NoticesAction::Loaded(NoticeBoard::default()));
    assert_eq!((s.opened(), s.open.as_deref()), (None, None));
    s.reduce(NoticesAction::Open("ghost".into()));
    assert_eq!(s.open, None);
}
