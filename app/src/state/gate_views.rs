//! The verdict for each path to the gate: what staff see and what is recorded, decided from a
//! verified pass, the compound's roster or a named staff decision, never from a shortcut.

use chrono::{DateTime, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::ledger::RosterStatus;
use sync_core::pass::PassKind;
use sync_core::protocol::RosterEntry;
use sync_core::{DenyReason, Direction, Subject, SubjectKind, Verdict};

use super::moment::Moment;
use super::verdict::{Headline, Outcome, VerdictView};
use crate::ports::CheckedPass;
use crate::text::mask_name;

/// A view with the same words in both languages for the detail line.
fn view(
    outcome: Outcome,
    headline: Headline,
    kind: SubjectKind,
    direction: Option<Direction>,
    who: String,
    detail: (String, String),
) -> VerdictView {
    VerdictView {
        outcome,
        headline,
        kind,
        direction,
        who,
        detail_zh: detail.0,
        detail_en: detail.1,
        seq: None,
    }
}

fn same(text: &str) -> (String, String) {
    (text.to_owned(), text.to_owned())
}

/// "72 hours old" or "never pulled", in both languages.
pub fn stale_age(hours: i64) -> (String, String) {
    if hours == i64::MAX {
        ("从未更新".into(), "never pulled".into())
    } else {
        (format!("已 {hours} 小时未更新"), format!("{hours} h old"))
    }
}

/// A verified scanned pass (not a visitor's, which waits for the host tap).
pub fn scanned_view(
    checked: &CheckedPass,
    subject: &Subject,
    inside: bool,
    moment: &Moment,
) -> VerdictView {
    let who = match &checked.plate {
        Some(plate) if subject.kind() == SubjectKind::Vehicle => plate.clone(),
        _ => checked.display_name.clone(),
    };
    let at = Some(moment.direction);
    let kind = subject.kind();
    let household = &checked.household;
    if checked.denied.is_some() {
        let detail = (
            checked.message(Lang::ZhCn).to_owned(),
            checked.message(Lang::En).to_owned(),
        );
        return view(Outcome::Red, Headline::Denied, kind, at, who, detail);
    }
    if !checked.clock_checked {
        let detail = (
            format!("{household} · 本机时间未与服务器核对，请同步"),
            format!("{household} · device clock not checked against the server, sync"),
        );
        return view(
            Outcome::Amber,
            Headline::ClockUnchecked,
            kind,
            at,
            who,
            detail,
        );
    }
    if let Some(hours) = checked.revocations_stale_hours {
        let (age_zh, age_en) = stale_age(hours);
        let detail = (
            format!("{household} · 注销名单{age_zh}，请核对证件并尽快同步"),
            format!("{household} · revocation list {age_en}: check the card, sync soon"),
        );
        return view(
            Outcome::Amber,
            Headline::RevocationsStale,
            kind,
            at,
            who,
            detail,
        );
    }
    if inside && moment.direction == Direction::In {
        return already_inside(kind, who, household);
    }
    view(
        Outcome::Green,
        Headline::Admitted,
        kind,
        at,
        who,
        same(household),
    )
}

fn already_inside(kind: SubjectKind, who: String, household: &str) -> VerdictView {
    let detail = (
        format!("{household} · 上次进入后未登记外出，请核实"),
        format!("{household} · entered before without going out: check"),
    );
    view(
        Outcome::Amber,
        Headline::AlreadyInside,
        kind,
        Some(Direction::In),
        who,
        detail,
    )
}

/// A visitor's day pass, verified: waiting for staff to confirm the host (or refuse).
pub fn visitor_waiting(checked: &CheckedPass, moment: &Moment) -> VerdictView {
    let host = &checked.household;
    view(
        Outcome::Visitor,
        Headline::Visitor,
        SubjectKind::Visitor,
        Some(moment.direction),
        mask_name(&checked.display_name),
        (format!("被访户 {host}"), format!("Host household {host}")),
    )
}

/// An invited visitor's pass, verified: the household invited them ahead (已预约), so it is green
/// without a host tap; amber reasons (clock, revocation list) still apply.
pub fn invited_view(checked: &CheckedPass, moment: &Moment) -> VerdictView {
    let host = &checked.household;
    let who = mask_name(&checked.display_name);
    let kind = SubjectKind::Visitor;
    let at = Some(moment.direction);
    if !checked.clock_checked || checked.revocations_stale_hours.is_some() {
        let subject = Subject::Visitor {
            name: checked.display_name.clone(),
            phone: String::new(),
            id_number: None,
            host_household: host.clone(),
            reason: String::new(),
            plate: checked.plate.clone(),
            visitor_pass_id: Some(checked.pass_id.clone()),
        };
        let mut v = scanned_view(checked, &subject, false, moment);
        v.who = who;
        v.detail_zh = format!("已预约 · 邀请人 {}", v.detail_zh);
        v.detail_en = format!("Invited by {}", v.detail_en);
        return v;
    }
    let plate = checked
        .plate
        .as_deref()
        .map(|p| format!(" · {p}"))
        .unwrap_or_default();
    view(
        Outcome::Green,
        Headline::Invited,
        kind,
        at,
        who,
        (
            format!("已预约 · 邀请人 {host}{plate}"),
            format!("Invited by {host}{plate}"),
        ),
    )
}

/// After the host tap: admitted, or refused by staff (both recorded).
pub fn host_view(waiting: &VerdictView, confirmed: bool) -> VerdictView {
    let mut v = waiting.clone();
    if confirmed {
        v.outcome = Outcome::Green;
        v.headline = Headline::HostConfirmed;
    } else {
        v.outcome = Outcome::Red;
        v.headline = Headline::Denied;
        let reason = DenyReason::StaffDecision;
        v.detail_zh = format!("{} · {}", v.detail_zh, reason.message(Lang::ZhCn));
        v.detail_en = format!("{} · {}", v.detail_en, reason.message(Lang::En));
    }
    v
}

fn roster_subject(pass_id: &str, entry: Option<&RosterEntry>) -> Subject {
    let name = entry.map(|e| e.name.clone()).filter(|n| !n.is_empty());
    let household = entry.map(|e| e.household.clone()).unwrap_or_default();
    match entry.map(|e| e.kind) {
        Some(PassKind::Vehicle) => Subject::Vehicle {
            plate: entry.and_then(|e| e.plate.clone()).unwrap_or_default(),
            pass_id: Some(pass_id.to_owned()),
            occupant_pass_ids: Vec::new(),
            occupants: 1,
        },
        Some(PassKind::Staff) => Subject::Staff {
            pass_id: pass_id.to_owned(),
            name,
        },
        _ => Subject::Resident {
            pass_id: pass_id.to_owned(),
            household,
            name,
        },
    }
}

fn roster_denial(status: RosterStatus) -> Option<DenyReason> {
    match status {
        RosterStatus::Valid => None,
        RosterStatus::Revoked => Some(DenyReason::Revoked),
        RosterStatus::Expired => Some(DenyReason::Expired),
    }
}

fn red(reason: DenyReason, kind: SubjectKind, direction: Direction, who: String) -> VerdictView {
    view(
        Outcome::Red,
        Headline::Denied,
        kind,
        Some(direction),
        who,
        (reason.message(Lang::ZhCn), reason.message(Lang::En)),
    )
}

/// A pass id typed from the card: unknown or revoked is red; known and valid is amber "check the
/// card against this name", since staff, not a signature, vouch for the card.
pub fn typed_view(
    pass_id: &str,
    roster: Option<&RosterEntry>,
    inside: bool,
    moment: &Moment,
) -> (Subject, Verdict, VerdictView) {
    let subject = roster_subject(pass_id, roster);
    let kind = subject.kind();
    let Some(entry) = roster else {
        let reason = DenyReason::UnknownPass;
        let v = red(reason, kind, moment.direction, pass_id.to_owned());
        return (subject, Verdict::Denied { reason }, v);
    };
    let who = match (&entry.plate, kind) {
        (Some(plate), SubjectKind::Vehicle) => plate.clone(),
        _ => entry.name.clone(),
    };
    if let Some(reason) = roster_denial(entry.status(moment.recorded_at)) {
        let v = red(reason, kind, moment.direction, who);
        return (subject, Verdict::Denied { reason }, v);
    }
    let v = if inside && moment.direction == Direction::In {
        already_inside(kind, who, &entry.household)
    } else {
        let detail = (
            format!(
                "手工录入 {pass_id} · {} · 请核对证件上的姓名",
                entry.household
            ),
            format!(
                "Typed {pass_id} · {} · check the name on the card",
                entry.household
            ),
        );
        view(
            Outcome::Amber,
            Headline::CheckCard,
            kind,
            Some(moment.direction),
            who,
            detail,
        )
    };
    (subject, Verdict::Admitted, v)
}

/// The best roster pass for a typed plate: a valid one if any, else the first (newest) one.
fn plate_status(plate_roster: &[RosterEntry], now: DateTime<Utc>) -> Option<RosterStatus> {
    plate_roster
        .iter()
        .map(|e| e.status(now))
        .min_by_key(|s| *s != RosterStatus::Valid)
}

/// A subject from a form: a vehicle by its typed plate against the roster, a visitor registered
/// by staff, or a fever (red, never amber).
pub fn registered_view(
    subject: &Subject,
    fever: bool,
    plate_roster: &[RosterEntry],
    moment: &Moment,
) -> (Verdict, VerdictView) {
    let kind = subject.kind();
    let at = Some(moment.direction);
    let who = match subject {
        Subject::Vehicle { plate, .. } => plate.clone(),
        Subject::Visitor { name, .. } => mask_name(name),
        Subject::Resident { pass_id, name, .. } | Subject::Staff { pass_id, name } => {
            name.clone().unwrap_or_else(|| pass_id.clone())
        }
    };
    if fever {
        let reason = DenyReason::Fever;
        let detail = (
            "请引导至临时观察点，勿放行".to_owned(),
            "Send to the observation point; do not admit".to_owned(),
        );
        let v = view(Outcome::Red, Headline::Fever, kind, at, who, detail);
        return (Verdict::Denied { reason }, v);
    }
    let detail = match subject {
        Subject::Vehicle { occupants, .. } => (
            format!("车内 {occupants} 人"),
            format!("{occupants} aboard"),
        ),
        Subject::Visitor { host_household, .. } => (
            format!("访 {host_household}"),
            format!("visiting {host_household}"),
        ),
        Subject::Resident { household, .. } => same(household),
        Subject::Staff { .. } => (String::new(), String::new()),
    };
    if let Subject::Vehicle { pass_id: None, .. } = subject {
        let denial = plate_status(plate_roster, moment.recorded_at).and_then(roster_denial);
        if let Some(reason) = denial {
            // A registered vehicle whose pass is revoked or expired: typing the plate is no way round.
            let v = red(reason, kind, moment.direction, who);
            return (Verdict::Denied { reason }, v);
        }
    }
    // Staff filled the form (host household included): their decision, recorded under their name.
    let v = view(Outcome::Green, Headline::Registered, kind, at, who, detail);
    (Verdict::Admitted, v)
}

/// "Already registered": the same subject again within the window (a red stays the same red).
pub fn duplicate_view(first: &VerdictView) -> VerdictView {
    if first.outcome == Outcome::Red {
        return first.clone();
    }
    let mut v = first.clone();
    v.outcome = Outcome::Amber;
    v.headline = Headline::AlreadyRegistered;
    v
}

/// The ledger refused: nothing stored, nothing admitted.
pub fn not_stored(zh: String, en: String) -> VerdictView {
    view(
        Outcome::Red,
        Headline::NotStored,
        SubjectKind::Resident,
        None,
        String::new(),
        (zh, en),
    )
}
