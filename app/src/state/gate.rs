//! The gate flow from a scanned or typed code to a passage: the duplicate window, what to record,
//! and the verdict shown once the ledger has (or has not) stored it.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sync_core::i18n::{Lang, Localized};
use sync_core::{DenyReason, Direction, NewPassage, Subject, SubjectKind, Verdict};

use super::verdict::{Outcome, VerdictView};
use crate::ports::{CheckedPass, PassKindView};

/// A short window: the same subject in the same direction within it is "already registered".
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(30);

/// Where this device stands (from enrollment and settings).
#[derive(Debug, Clone, PartialEq)]
pub struct GatePlace {
    pub checkpoint_id: String,
    pub gate: String,
    pub staff: String,
}

/// A passage to append, and the verdict to show once `Ledger::append` returned `Ok`.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingRecord {
    pub passage: NewPassage,
    pub key: String,
    pub view: VerdictView,
}

/// What the caller must do next.
#[derive(Debug, Clone, PartialEq)]
pub enum GateStep {
    /// Append `passage` to the ledger, then send `Stored` or `StoreFailed`.
    Record(Box<PendingRecord>),
    /// Show this verdict; nothing is written.
    Show(VerdictView),
    /// Nothing to do (the same code is still in front of the camera while its verdict shows).
    Ignore,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateAction {
    Scanned {
        checked: CheckedPass,
        /// The raw payload, to key codes that are not passes of ours.
        payload_key: String,
        direction: Direction,
        at: Instant,
        recorded_at: DateTime<Utc>,
        clock_offset_ms: Option<i64>,
    },
    /// A pass id typed from the card (staff checked it by eye).
    Typed {
        pass_id: String,
        household: String,
        name: Option<String>,
        direction: Direction,
        at: Instant,
        recorded_at: DateTime<Utc>,
        clock_offset_ms: Option<i64>,
    },
    /// A subject registered by a form (visitor, vehicle) with an optional temperature.
    Registered {
        subject: Subject,
        temperature_c: Option<f32>,
        fever: bool,
        direction: Direction,
        at: Instant,
        recorded_at: DateTime<Utc>,
        clock_offset_ms: Option<i64>,
    },
    /// The ledger stored the passage with this seq.
    Stored {
        record: Box<PendingRecord>,
        seq: u64,
        at: Instant,
    },
    /// The ledger refused; the reason in both languages.
    StoreFailed { zh: String, en: String },
    /// The verdict screen closed.
    VerdictClosed,
}

#[derive(Debug, Clone)]
struct Recent {
    key: String,
    direction: Direction,
    at: Instant,
    view: VerdictView,
}

#[derive(Debug, Clone)]
pub struct GateFlow {
    pub place: GatePlace,
    window: Duration,
    recent: Vec<Recent>,
    /// The key whose verdict is on screen now: the camera keeps seeing it, which is not a new scan.
    on_screen: Option<String>,
}

impl GateFlow {
    pub fn new(place: GatePlace) -> Self {
        Self::with_window(place, DUPLICATE_WINDOW)
    }

    pub fn with_window(place: GatePlace, window: Duration) -> Self {
        Self {
            place,
            window,
            recent: Vec::new(),
            on_screen: None,
        }
    }

    pub fn reduce(&mut self, action: GateAction) -> GateStep {
        match action {
            GateAction::Scanned {
                checked,
                payload_key,
                direction,
                at,
                recorded_at,
                clock_offset_ms,
            } => {
                let key = if checked.pass_id.is_empty() {
                    format!("code:{payload_key}")
                } else {
                    format!("pass:{}", checked.pass_id)
                };
                if self.on_screen.as_deref() == Some(key.as_str()) {
                    return GateStep::Ignore;
                }
                if let Some(step) = self.duplicate(&key, direction, at) {
                    return step;
                }
                let subject = subject_of(&checked);
                let verdict = match checked.denied {
                    None => Verdict::Admitted,
                    Some(reason) => Verdict::Denied { reason },
                };
                let view = scanned_view(&checked, &subject);
                self.record(
                    key,
                    subject,
                    None,
                    verdict,
                    view,
                    direction,
                    recorded_at,
                    clock_offset_ms,
                )
            }
            GateAction::Typed {
                pass_id,
                household,
                name,
                direction,
                at,
                recorded_at,
                clock_offset_ms,
            } => {
                let key = format!("pass:{pass_id}");
                if let Some(step) = self.duplicate(&key, direction, at) {
                    return step;
                }
                let view = VerdictView {
                    outcome: Outcome::Amber,
                    kind: SubjectKind::Resident,
                    title_zh: "手工录入：请核对证件".into(),
                    title_en: "Typed in: check the card".into(),
                    who: name.clone().unwrap_or_else(|| pass_id.clone()),
                    detail_zh: household.clone(),
                    detail_en: household.clone(),
                    seq: None,
                };
                let subject = Subject::Resident {
                    pass_id,
                    household,
                    name,
                };
                self.record(
                    key,
                    subject,
                    None,
                    Verdict::Admitted,
                    view,
                    direction,
                    recorded_at,
                    clock_offset_ms,
                )
            }
            GateAction::Registered {
                subject,
                temperature_c,
                fever,
                direction,
                at,
                recorded_at,
                clock_offset_ms,
            } => {
                let key = subject.key();
                if let Some(step) = self.duplicate(&key, direction, at) {
                    return step;
                }
                let (verdict, view) = registered_view(&subject, fever);
                self.record(
                    key,
                    subject,
                    temperature_c,
                    verdict,
                    view,
                    direction,
                    recorded_at,
                    clock_offset_ms,
                )
            }
            GateAction::Stored { record, seq, at } => {
                let mut view = record.view;
                view.seq = Some(seq);
                self.recent
                    .retain(|r| at.saturating_duration_since(r.at) < self.window);
                self.recent.push(Recent {
                    key: record.key.clone(),
                    direction: record.passage.direction,
                    at,
                    view: view.clone(),
                });
                self.on_screen = Some(record.key);
                GateStep::Show(view)
            }
            GateAction::StoreFailed { zh, en } => GateStep::Show(VerdictView {
                outcome: Outcome::Red,
                kind: SubjectKind::Resident,
                title_zh: "未保存，请重试".into(),
                title_en: "Not stored, try again".into(),
                who: String::new(),
                detail_zh: zh,
                detail_en: en,
                seq: None,
            }),
            GateAction::VerdictClosed => {
                self.on_screen = None;
                GateStep::Ignore
            }
        }
    }

    fn duplicate(&mut self, key: &str, direction: Direction, at: Instant) -> Option<GateStep> {
        let window = self.window;
        let hit = self.recent.iter().rev().find(|r| {
            r.key == key && r.direction == direction && at.saturating_duration_since(r.at) < window
        })?;
        self.on_screen = Some(key.to_owned());
        if hit.view.outcome == Outcome::Red {
            // A denied code shown again: the same red, and no second record.
            return Some(GateStep::Show(hit.view.clone()));
        }
        let mut view = hit.view.clone();
        view.outcome = Outcome::Amber;
        view.title_zh = "已登记，无需重复扫码".into();
        view.title_en = "Already registered".into();
        Some(GateStep::Show(view))
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        key: String,
        subject: Subject,
        temperature_c: Option<f32>,
        verdict: Verdict,
        view: VerdictView,
        direction: Direction,
        recorded_at: DateTime<Utc>,
        clock_offset_ms: Option<i64>,
    ) -> GateStep {
        let passage = NewPassage {
            checkpoint_id: self.place.checkpoint_id.clone(),
            gate: self.place.gate.clone(),
            direction,
            recorded_at,
            clock_offset_ms,
            staff: self.place.staff.clone(),
            subject,
            temperature_c,
            verdict,
        };
        GateStep::Record(Box::new(PendingRecord { passage, key, view }))
    }
}

fn subject_of(checked: &CheckedPass) -> Subject {
    let name = Some(checked.display_name.clone()).filter(|n| !n.is_empty());
    match checked.kind {
        PassKindView::Resident => Subject::Resident {
            pass_id: checked.pass_id.clone(),
            household: checked.household.clone(),
            name,
        },
        PassKindView::Vehicle => Subject::Vehicle {
            plate: checked.plate.clone().unwrap_or_default(),
            pass_id: Some(checked.pass_id.clone()),
            occupant_pass_ids: Vec::new(),
            occupants: 1,
        },
        PassKindView::Visitor => Subject::Visitor {
            name: checked.display_name.clone(),
            phone: String::new(),
            id_number: None,
            host_household: checked.household.clone(),
            reason: String::new(),
            plate: checked.plate.clone(),
            visitor_pass_id: Some(checked.pass_id.clone()),
        },
        PassKindView::Staff => Subject::Staff {
            pass_id: checked.pass_id.clone(),
            name,
        },
    }
}

fn scanned_view(checked: &CheckedPass, subject: &Subject) -> VerdictView {
    let who = match &checked.plate {
        Some(plate) if checked.kind == PassKindView::Vehicle => plate.clone(),
        _ => checked.display_name.clone(),
    };
    match checked.denied {
        Some(_) => VerdictView {
            outcome: Outcome::Red,
            kind: subject.kind(),
            title_zh: "禁止通行".into(),
            title_en: "Denied".into(),
            who,
            detail_zh: checked.message(Lang::ZhCn).to_owned(),
            detail_en: checked.message(Lang::En).to_owned(),
            seq: None,
        },
        None if !checked.clock_checked => VerdictView {
            outcome: Outcome::Amber,
            kind: subject.kind(),
            title_zh: "请通行（时钟未校准）".into(),
            title_en: "Admitted (clock unchecked)".into(),
            who,
            detail_zh: format!("{} · 本机时间未与服务器核对，请同步", checked.household),
            detail_en: format!(
                "{} · device clock not checked against the server, sync",
                checked.household
            ),
            seq: None,
        },
        None => match checked.revocations_stale_hours {
            Some(hours) => {
                let (age_zh, age_en) = stale_age(hours);
                VerdictView {
                    outcome: Outcome::Amber,
                    kind: subject.kind(),
                    title_zh: "请通行（注销名单未更新）".into(),
                    title_en: "Admitted (revocation list out of date)".into(),
                    who,
                    detail_zh: format!(
                        "{} · 注销名单{age_zh}，请核对证件并尽快同步",
                        checked.household
                    ),
                    detail_en: format!(
                        "{} · revocation list {age_en}: check the card, sync soon",
                        checked.household
                    ),
                    seq: None,
                }
            }
            None => VerdictView {
                outcome: Outcome::Green,
                kind: subject.kind(),
                title_zh: "请通行".into(),
                title_en: "Admitted".into(),
                who,
                detail_zh: checked.household.clone(),
                detail_en: checked.household.clone(),
                seq: None,
            },
        },
    }
}

/// "72 hours old" or "never pulled", in both languages.
pub fn stale_age(hours: i64) -> (String, String) {
    if hours == i64::MAX {
        ("从未更新".into(), "never pulled".into())
    } else {
        (format!("已 {hours} 小时未更新"), format!("{hours} h old"))
    }
}

fn registered_view(subject: &Subject, fever: bool) -> (Verdict, VerdictView) {
    let who = match subject {
        Subject::Vehicle { plate, .. } => plate.clone(),
        Subject::Visitor { name, .. } => crate::text::mask_name(name),
        Subject::Resident { pass_id, name, .. } | Subject::Staff { pass_id, name } => {
            name.clone().unwrap_or_else(|| pass_id.clone())
        }
    };
    let detail = match subject {
        Subject::Vehicle { occupants, .. } => (
            format!("车内 {occupants} 人"),
            format!("{occupants} aboard"),
        ),
        Subject::Visitor { host_household, .. } => (
            format!("访 {host_household}"),
            format!("visiting {host_household}"),
        ),
        Subject::Resident { household, .. } => (household.clone(), household.clone()),
        Subject::Staff { .. } => (String::new(), String::new()),
    };
    if fever {
        let reason = DenyReason::Fever;
        let view = VerdictView {
            outcome: Outcome::Amber,
            kind: subject.kind(),
            title_zh: "体温异常，请复测".into(),
            title_en: "Fever: measure again".into(),
            who,
            detail_zh: detail.0,
            detail_en: detail.1,
            seq: None,
        };
        return (Verdict::Denied { reason }, view);
    }
    let view = VerdictView {
        outcome: Outcome::Green,
        kind: subject.kind(),
        title_zh: "已登记，请通行".into(),
        title_en: "Registered, admitted".into(),
        who,
        detail_zh: detail.0,
        detail_en: detail.1,
        seq: None,
    };
    (Verdict::Admitted, view)
}

/// Deny reasons in plain words, for the records list (sync-core's one table).
pub fn deny_reason_text(reason: DenyReason, lang: Lang) -> String {
    reason.message(lang)
}

/// The ledger error as staff read it.
pub fn store_failed(err: &sync_core::LedgerError) -> GateAction {
    GateAction::StoreFailed {
        zh: err.message(Lang::ZhCn),
        en: err.message(Lang::En),
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
pub(crate) mod tests;
