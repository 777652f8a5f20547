//! The gate flow from a scanned or typed code, or a form, to a passage: the duplicate window, the
//! roster for typed ids and plates, the host tap for visitors, and the verdict shown once the ledger
//! has (or has not) stored it. The verdicts themselves are built in `gate_views.rs`.

use std::time::{Duration, Instant};

use sync_core::i18n::{Lang, Localized};
use sync_core::protocol::RosterEntry;
use sync_core::{DenyReason, Direction, NewPassage, Subject, Verdict};

use super::gate_rules::{needs_temperature, refusal, with_checkin, with_temperature, RuleContext};
use super::gate_views::{
    duplicate_view, host_view, invited_view, not_stored, registered_view, scanned_view, typed_view,
    visitor_waiting,
};
use super::verdict::VerdictView;
use crate::ports::{CheckedPass, PassKindView};

pub use super::gate_views::stale_age;
pub use super::moment::Moment;

/// The reason recorded for an invited visitor's passage: the host household invited them.
pub const INVITED_REASON: &str = "已预约 invited";

/// A short window: the same subject in the same direction within it is "already registered".
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(30);

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
    /// Show this verdict; nothing is written (yet: a visitor waits for the host tap).
    Show(VerdictView),
    /// Ask for the temperature (the compound requires it); then send `Temperature`.
    AskTemperature,
    /// Nothing to do (the same code is still in front of the camera while its verdict shows).
    Ignore,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateAction {
    Scanned {
        checked: CheckedPass,
        /// The raw payload, to key codes that are not passes of ours.
        payload_key: String,
        /// This subject's last admitted passage here was "in" (it never went out).
        inside: bool,
        moment: Moment,
        rules: RuleContext,
    },
    /// A pass id typed from the card, with what this compound's roster says of it.
    Typed {
        pass_id: String,
        roster: Option<RosterEntry>,
        inside: bool,
        moment: Moment,
        rules: RuleContext,
    },
    /// A subject registered by a form (visitor, vehicle) with an optional temperature. For a
    /// vehicle without a scanned pass, `plate_roster` holds the roster's passes for its plate.
    Registered {
        subject: Subject,
        temperature_c: Option<f32>,
        fever: bool,
        plate_roster: Vec<RosterEntry>,
        moment: Moment,
        rules: RuleContext,
    },
    /// The temperature typed on the pad (`None`: staff cancelled; nothing is recorded).
    Temperature(Option<f32>),
    /// Staff tapped "host confirmed" (`true`) or "refuse" on a visitor's verdict.
    HostDecision { confirmed: bool },
    /// The ledger stored the passage with this seq.
    Stored {
        record: Box<PendingRecord>,
        seq: u64,
        at: Instant,
    },
    /// The ledger refused; the reason in both languages.
    StoreFailed { zh: String, en: String },
    /// Enrollment named the checkpoint.
    Enrolled { checkpoint_id: String },
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
    /// The checkpoint this phone is enrolled at (gate and staff come with each moment).
    pub checkpoint_id: String,
    window: Duration,
    recent: Vec<Recent>,
    /// The key whose verdict is on screen now: the camera keeps seeing it, which is not a new scan.
    on_screen: Option<String>,
    /// A visitor waiting for the host tap: the passage to record either way.
    awaiting: Option<PendingRecord>,
    /// A resident waiting for the temperature the compound requires, and its fever threshold.
    awaiting_temperature: Option<(PendingRecord, f32)>,
}

impl GateFlow {
    pub fn new(checkpoint_id: String) -> Self {
        Self::with_window(checkpoint_id, DUPLICATE_WINDOW)
    }

    pub fn with_window(checkpoint_id: String, window: Duration) -> Self {
        Self {
            checkpoint_id,
            window,
            recent: Vec::new(),
            on_screen: None,
            awaiting: None,
            awaiting_temperature: None,
        }
    }

    /// Is a visitor's verdict waiting for the host tap?
    pub fn awaiting_host(&self) -> bool {
        self.awaiting.is_some()
    }

    /// The verdict-to-be of a passage waiting for its temperature (who, household), if any.
    pub fn awaiting_temperature(&self) -> Option<&VerdictView> {
        self.awaiting_temperature.as_ref().map(|(r, _)| &r.view)
    }

    pub fn reduce(&mut self, action: GateAction) -> GateStep {
        match action {
            GateAction::Scanned {
                checked,
                payload_key,
                inside,
                moment,
                rules,
            } => self.scanned(checked, &payload_key, inside, moment, &rules),
            GateAction::Typed {
                pass_id,
                roster,
                inside,
                moment,
                rules,
            } => {
                let key = format!("pass:{pass_id}");
                if let Some(step) = self.duplicate(&key, &moment) {
                    return step;
                }
                let (subject, verdict, view) =
                    typed_view(&pass_id, roster.as_ref(), inside, &moment);
                self.ruled(key, subject, verdict, view, moment, &rules)
            }
            GateAction::Registered {
                subject,
                temperature_c,
                fever,
                plate_roster,
                moment,
                rules,
            } => {
                let key = subject.key();
                if let Some(step) = self.duplicate(&key, &moment) {
                    return step;
                }
                let (mut verdict, mut view) =
                    registered_view(&subject, fever, &plate_roster, &moment);
                if verdict.is_admitted() {
                    if let Some((v, w)) = refusal(&subject, &rules, &moment, &view) {
                        (verdict, view) = (v, w);
                    }
                }
                self.record(key, subject, temperature_c, verdict, view, moment)
            }
            GateAction::Temperature(reading) => {
                let Some((mut record, threshold)) = self.awaiting_temperature.take() else {
                    return GateStep::Ignore;
                };
                let Some(celsius) = reading else {
                    return GateStep::Ignore;
                };
                let (verdict, view) =
                    with_temperature(record.passage.verdict, &record.view, celsius, threshold);
                record.passage.verdict = verdict;
                record.passage.temperature_c = Some(celsius);
                record.view = view;
                GateStep::Record(Box::new(record))
            }
            GateAction::HostDecision { confirmed } => match self.awaiting.take() {
                Some(mut record) => {
                    if !confirmed {
                        record.passage.verdict = Verdict::Denied {
                            reason: DenyReason::StaffDecision,
                        };
                    }
                    record.view = host_view(&record.view, confirmed);
                    GateStep::Record(Box::new(record))
                }
                None => GateStep::Ignore,
            },
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
            GateAction::StoreFailed { zh, en } => GateStep::Show(not_stored(zh, en)),
            GateAction::Enrolled { checkpoint_id } => {
                self.checkpoint_id = checkpoint_id;
                GateStep::Ignore
            }
            GateAction::VerdictClosed => {
                self.on_screen = None;
                // A visitor's verdict closed without a tap: nothing was decided, nothing recorded.
                self.awaiting = None;
                self.awaiting_temperature = None;
                GateStep::Ignore
            }
        }
    }

    fn scanned(
        &mut self,
        checked: CheckedPass,
        payload_key: &str,
        inside: bool,
        moment: Moment,
        rules: &RuleContext,
    ) -> GateStep {
        // A patrol point's label is no pass: the scan screen offers the round instead.
        if super::patrol::is_point_label(payload_key) {
            return GateStep::Ignore;
        }
        let key = if checked.pass_id.is_empty() {
            format!("code:{payload_key}")
        } else {
            format!("pass:{}", checked.pass_id)
        };
        if self.on_screen.as_deref() == Some(key.as_str()) {
            return GateStep::Ignore;
        }
        if let Some(step) = self.duplicate(&key, &moment) {
            return step;
        }
        let subject = subject_of(&checked);
        let verdict = match checked.denied {
            None => Verdict::Admitted,
            Some(reason) => Verdict::Denied { reason },
        };
        if verdict.is_admitted() && checked.kind == PassKindView::Visitor {
            let view = visitor_waiting(&checked, &moment);
            if let Some((verdict, view)) = refusal(&subject, rules, &moment, &view) {
                return self.record(key, subject, None, verdict, view, moment);
            }
            // Never plain green: staff confirm the host first, and either answer is recorded.
            let passage = self.passage(subject, None, verdict, moment);
            self.on_screen = Some(key.clone());
            self.awaiting = Some(PendingRecord {
                passage,
                key,
                view: view.clone(),
            });
            return GateStep::Show(view);
        }
        if verdict.is_admitted() && checked.kind == PassKindView::Invited {
            // The signed pass is the host household's approval, made ahead: no host tap.
            let view = invited_view(&checked, &moment);
            return self.ruled(key, subject, verdict, view, moment, rules);
        }
        let view = scanned_view(&checked, &subject, inside, &moment);
        self.ruled(key, subject, verdict, view, moment, rules)
    }

    /// An admitted passage still meets the compound's rules: the deny list, exit hours and quota
    /// may refuse it, and a required temperature is asked for before anything is recorded.
    fn ruled(
        &mut self,
        key: String,
        subject: Subject,
        verdict: Verdict,
        view: VerdictView,
        moment: Moment,
        rules: &RuleContext,
    ) -> GateStep {
        if !verdict.is_admitted() {
            return self.record(key, subject, None, verdict, view, moment);
        }
        if let Some((verdict, view)) = refusal(&subject, rules, &moment, &view) {
            return self.record(key, subject, None, verdict, view, moment);
        }
        let (verdict, view) = match with_checkin(&subject, rules, &view) {
            Some((v, w)) if !v.is_admitted() => {
                return self.record(key, subject, None, v, w, moment);
            }
            Some(checked_in) => checked_in,
            None => (verdict, view),
        };
        if needs_temperature(&subject, rules) {
            let passage = self.passage(subject, None, verdict, moment);
            let pending = PendingRecord { passage, key, view };
            self.awaiting_temperature = Some((pending, rules.fever_threshold_c));
            return GateStep::AskTemperature;
        }
        self.record(key, subject, None, verdict, view, moment)
    }

    fn duplicate(&mut self, key: &str, moment: &Moment) -> Option<GateStep> {
        let window = self.window;
        let hit = self.recent.iter().rev().find(|r| {
            r.key == key
                && r.direction == moment.direction
                && moment.at.saturating_duration_since(r.at) < window
        })?;
        self.on_screen = Some(key.to_owned());
        Some(GateStep::Show(duplicate_view(&hit.view)))
    }

    fn passage(
        &self,
        subject: Subject,
        temperature_c: Option<f32>,
        verdict: Verdict,
        moment: Moment,
    ) -> NewPassage {
        NewPassage {
            checkpoint_id: self.checkpoint_id.clone(),
            gate: moment.gate,
            direction: moment.direction,
            recorded_at: moment.recorded_at,
            clock_offset_ms: moment.clock_offset_ms,
            staff: moment.staff,
            subject,
            temperature_c,
            verdict,
        }
    }

    fn record(
        &mut self,
        key: String,
        subject: Subject,
        temperature_c: Option<f32>,
        verdict: Verdict,
        view: VerdictView,
        moment: Moment,
    ) -> GateStep {
        let passage = self.passage(subject, temperature_c, verdict, moment);
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
        PassKindView::Visitor | PassKindView::Invited => Subject::Visitor {
            name: checked.display_name.clone(),
            phone: String::new(),
            id_number: None,
            host_household: checked.household.clone(),
            reason: if checked.kind == PassKindView::Invited {
                INVITED_REASON.to_owned()
            } else {
                String::new()
            },
            plate: checked.plate.clone(),
            visitor_pass_id: Some(checked.pass_id.clone()),
        },
        PassKindView::Staff => Subject::Staff {
            pass_id: checked.pass_id.clone(),
            name,
        },
    }
}

/// Deny reasons in plain words, for the records list (sync-core's one table).
pub fn deny_reason_text(reason: DenyReason, lang: Lang) -> String {
    reason.message(lang)
}

/// Why a passage was not stored, as staff read it (the typed error becomes words only here).
pub fn store_failed(err: &impl Localized) -> GateAction {
    GateAction::StoreFailed {
        zh: err.message(Lang::ZhCn),
        en: err.message(Lang::En),
    }
}

#[cfg(test)]
#[path = "gate_tests.rs"]
pub(crate) mod tests;

#[cfg(test)]
#[path = "gate_paths_tests.rs"]
mod paths_tests;

#[cfg(test)]
#[path = "gate_residents_phone_tests.rs"]
mod residents_phone_tests;
