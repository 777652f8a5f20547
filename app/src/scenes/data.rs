//! What the scenes show: a morning's passages in the ledger, a genuinely signed pass, and the
//! verdict of each verdict scene.

use chrono::{Duration, NaiveTime, Utc};
use sync_core::pass::{DistrictSigner, PassBody, PassKind};
use sync_core::{Direction, Ledger, NewPassage, Subject, SubjectKind, Verdict};

use crate::state::verdict::{Headline, Outcome, VerdictView};

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
pub(super) fn verdict(scene: &str) -> Option<VerdictView> {
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
