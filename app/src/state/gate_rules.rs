//! The compound's rules at the gate: after a pass, the roster or a form has said "admitted", the
//! deny list, exit hours and exit quota may still say no, and a required temperature is asked for
//! before the verdict. Decided offline from the signed config.

use chrono::NaiveTime;
use sync_core::rules::{CompoundRules, RuleFacts};
use sync_core::{Subject, SubjectKind, Verdict};

use super::moment::Moment;
use super::verdict::{Headline, Outcome, VerdictView};

/// What the gate knows for the rules at the moment of a passage.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleContext {
    pub rules: CompoundRules,
    /// The district's local time now.
    pub local_time: NaiveTime,
    /// Admitted exits of the subject's household within the quota window.
    pub household_exits: u32,
    /// No contact with the server lately: other gates' counts are as of the last sync.
    pub offline: bool,
    pub fever_threshold_c: f32,
    /// A resident's daily check-in as the roster has it (when the compound requires one).
    pub checkin: Option<CheckinFact>,
}

/// What the gate knows of a resident's health check-in today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckinFact {
    /// The roster says the resident checked in on today's district date.
    pub checked_in_today: bool,
    /// Hours since the roster was pulled, when that was before today began (district time), or
    /// `i64::MAX` when never: a check-in made since would not be known here.
    pub roster_stale_hours: Option<i64>,
}

impl Default for RuleContext {
    fn default() -> Self {
        Self {
            rules: CompoundRules::default(),
            local_time: NaiveTime::MIN,
            household_exits: 0,
            offline: false,
            fever_threshold_c: sync_core::validate::DEFAULT_FEVER_THRESHOLD_C,
            checkin: None,
        }
    }
}

fn household(subject: &Subject) -> Option<&str> {
    match subject {
        Subject::Resident { household, .. } => Some(household),
        Subject::Visitor { host_household, .. } => Some(host_household),
        Subject::Vehicle { .. } | Subject::Staff { .. } => None,
    }
}

fn pass_id(subject: &Subject) -> Option<&str> {
    match subject {
        Subject::Resident { pass_id, .. } | Subject::Staff { pass_id, .. } => Some(pass_id),
        Subject::Vehicle { pass_id, .. } => pass_id.as_deref(),
        Subject::Visitor {
            visitor_pass_id, ..
        } => visitor_pass_id.as_deref(),
    }
}

/// A rule's refusal of an otherwise admitted passage, as the verdict to show and record.
pub fn refusal(
    subject: &Subject,
    ctx: &RuleContext,
    moment: &Moment,
    view: &VerdictView,
) -> Option<(Verdict, VerdictView)> {
    let facts = RuleFacts {
        kind: subject.kind(),
        direction: moment.direction,
        household: household(subject),
        pass_id: pass_id(subject),
        plate: subject.plate(),
        local_time: ctx.local_time,
        household_exits: ctx.household_exits,
        offline: ctx.offline,
    };
    let denial = ctx.rules.check(&facts)?;
    let mut v = view.clone();
    v.outcome = Outcome::Red;
    v.headline = Headline::Denied;
    v.detail_zh = denial.zh;
    v.detail_en = denial.en;
    Some((
        Verdict::Denied {
            reason: denial.reason,
        },
        v,
    ))
}

/// The compound requires today's check-in: a resident's admitted verdict says 今日已打卡, or is red
/// 未打卡 — amber instead when the roster is older than today, with its age.
pub fn with_checkin(
    subject: &Subject,
    ctx: &RuleContext,
    view: &VerdictView,
) -> Option<(Verdict, VerdictView)> {
    if !ctx.rules.checkin_required || subject.kind() != SubjectKind::Resident {
        return None;
    }
    let fact = ctx.checkin.unwrap_or(CheckinFact {
        checked_in_today: false,
        roster_stale_hours: Some(i64::MAX),
    });
    let mut v = view.clone();
    if fact.checked_in_today {
        v.detail_zh = format!("{} · 今日已打卡", v.detail_zh);
        v.detail_en = format!("{} · checked in today", v.detail_en);
        return Some((Verdict::Admitted, v));
    }
    if let Some(hours) = fact.roster_stale_hours {
        let (age_zh, age_en) = super::gate_views::stale_age(hours);
        v.outcome = Outcome::Amber;
        v.headline = Headline::CheckinUnknown;
        v.detail_zh = format!("{} · 打卡名单{age_zh}，请核实", v.detail_zh);
        v.detail_en = format!("{} · check-in list {age_en}: ask", v.detail_en);
        return Some((Verdict::Admitted, v));
    }
    v.outcome = Outcome::Red;
    v.headline = Headline::NotCheckedIn;
    v.detail_zh = format!("{} · 请先在手机上完成今日健康打卡", v.detail_zh);
    v.detail_en = format!("{} · make today's health check-in first", v.detail_en);
    let reason = sync_core::DenyReason::NotCheckedIn;
    Some((Verdict::Denied { reason }, v))
}

/// Does this admitted passage wait for a temperature first?
pub fn needs_temperature(subject: &Subject, ctx: &RuleContext) -> bool {
    ctx.rules.resident_temperature_required && subject.kind() == SubjectKind::Resident
}

/// The verdict once the temperature is in: fever is its own red, otherwise the verdict stands.
pub fn with_temperature(
    verdict: Verdict,
    view: &VerdictView,
    celsius: f32,
    threshold: f32,
) -> (Verdict, VerdictView) {
    let mut v = view.clone();
    let t = format!("{celsius:.1} °C");
    if celsius >= threshold {
        v.outcome = Outcome::Red;
        v.headline = Headline::Fever;
        v.detail_zh = format!("{t} · 请引导至临时观察点，勿放行");
        v.detail_en = format!("{t} · Send to the observation point; do not admit");
        let reason = sync_core::DenyReason::Fever;
        return (Verdict::Denied { reason }, v);
    }
    v.detail_zh = format!("{} · {t}", v.detail_zh);
    v.detail_en = format!("{} · {t}", v.detail_en);
    (verdict, v)
}
