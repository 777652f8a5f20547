//! The full-screen verdict: outcome colour, what staff read, the beep/vibration pattern, and auto-dismiss.

use std::time::{Duration, Instant};

use sync_core::i18n::Lang;
use sync_core::{Direction, SubjectKind};

/// The colours staff see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Admitted, and the passage is durable in the ledger.
    Green,
    /// Denied (and fever, which is never amber).
    Red,
    /// Admitted, but look again: a typed pass id, a clock warning, an old revocation list,
    /// "already registered", "already inside".
    Amber,
    /// A visitor: staff confirm the host (or refuse) before anything is recorded.
    Visitor,
}

impl Outcome {
    pub fn css(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Red => "red",
            Self::Amber => "amber",
            Self::Visitor => "visitor",
        }
    }

    /// Beep tones (Hz, ms; 0 Hz is a pause) and the vibration pattern (ms on/off).
    pub fn feedback(self) -> Feedback {
        match self {
            Self::Green => Feedback {
                tones: &[(1320, 120)],
                vibrate: &[80],
            },
            Self::Red => Feedback {
                tones: &[(440, 250), (0, 80), (440, 250), (0, 80), (440, 250)],
                vibrate: &[300, 100, 300, 100, 300],
            },
            Self::Amber => Feedback {
                tones: &[(880, 150), (0, 80), (660, 250)],
                vibrate: &[150, 100, 150],
            },
            Self::Visitor => Feedback {
                tones: &[(660, 150), (0, 60), (880, 150), (0, 60), (660, 150)],
                vibrate: &[100, 60, 100, 60, 100],
            },
        }
    }

    /// The short spoken verdict: words and the speech language tag. Amber and a visitor both
    /// ask staff to check, red stops, green admits.
    pub fn spoken(self, lang: Lang) -> (&'static str, &'static str) {
        let (zh, en) = match self {
            Self::Green => ("请通行", "Go ahead"),
            Self::Red => ("禁止通行", "Stop"),
            Self::Amber | Self::Visitor => ("请核实", "Please check"),
        };
        match lang {
            Lang::ZhCn => (zh, "zh-CN"),
            Lang::En => (en, "en-US"),
        }
    }

    /// How long the verdict stays before going back to scanning.
    pub fn dismiss_after(self) -> Duration {
        match self {
            Self::Green => Duration::from_millis(2500),
            Self::Red | Self::Amber => Duration::from_secs(6),
            // Waits for the host tap; nothing is recorded if it times out.
            Self::Visitor => Duration::from_secs(60),
        }
    }
}

/// A sound and vibration pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback {
    pub tones: &'static [(u32, u32)],
    pub vibrate: &'static [u32],
}

/// Every headline the verdict screen can show, with its words and its mark: the one table of
/// verdict wording (deny reasons come from sync-core's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    Admitted,
    Registered,
    Denied,
    /// Red, with the instruction to send the person to the observation point.
    Fever,
    CheckCard,
    ClockUnchecked,
    RevocationsStale,
    AlreadyRegistered,
    AlreadyInside,
    Visitor,
    HostConfirmed,
    /// An invited visitor (已预约): the host household approved ahead, no tap needed.
    Invited,
    /// The compound requires today's check-in and the resident has none (red).
    NotCheckedIn,
    /// No check-in on record, but the roster is older than today (amber).
    CheckinUnknown,
    NotStored,
}

impl Headline {
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Self::Admitted => ("请通行", "Admitted"),
            Self::Registered => ("已登记，请通行", "Registered, admitted"),
            Self::Denied => ("禁止通行", "Denied"),
            Self::Fever => ("体温异常", "Fever"),
            Self::CheckCard => ("请核对证件", "Check the card"),
            Self::ClockUnchecked => ("请通行（时钟未校准）", "Admitted (clock unchecked)"),
            Self::RevocationsStale => (
                "请通行（注销名单未更新）",
                "Admitted (revocation list out of date)",
            ),
            Self::AlreadyRegistered => ("已登记，无需重复扫码", "Already registered"),
            Self::AlreadyInside => ("重复进入", "Already inside"),
            Self::Visitor => ("访客：请核实被访户", "Visitor: confirm the host"),
            Self::HostConfirmed => ("已核实被访户，请通行", "Host confirmed, admitted"),
            Self::Invited => ("已预约访客，请通行", "Invited visitor, admitted"),
            Self::NotCheckedIn => ("今日未打卡", "Not checked in today"),
            Self::CheckinUnknown => (
                "请通行（打卡名单未更新）",
                "Admitted (check-in list out of date)",
            ),
            Self::NotStored => ("未保存，请重试", "Not stored, try again"),
        };
        match lang {
            Lang::ZhCn => zh,
            Lang::En => en,
        }
    }

    /// The icon drawn large on the verdict (each amber reason its own).
    pub fn mark(self) -> &'static str {
        match self {
            Self::Admitted | Self::Registered | Self::HostConfirmed | Self::Invited => "check",
            Self::NotCheckedIn => "cross",
            Self::CheckinUnknown => "checkin-old",
            Self::Denied | Self::NotStored => "cross",
            Self::Fever => "thermometer",
            Self::CheckCard => "card",
            Self::ClockUnchecked => "clock",
            Self::RevocationsStale => "list-old",
            Self::AlreadyRegistered => "repeat",
            Self::AlreadyInside => "door",
            Self::Visitor => "visitor",
        }
    }
}

/// The kind of subject as the verdict names it (sync-core's one table of these words).
pub fn kind_label(kind: SubjectKind, lang: Lang) -> &'static str {
    kind.label(lang)
}

/// The direction as the verdict names it.
pub fn direction_label(direction: Direction, lang: Lang) -> &'static str {
    match (direction, lang) {
        (Direction::In, Lang::ZhCn) => "进",
        (Direction::Out, Lang::ZhCn) => "出",
        (Direction::In, Lang::En) => "In",
        (Direction::Out, Lang::En) => "Out",
    }
}

/// Everything the verdict screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictView {
    pub outcome: Outcome,
    pub headline: Headline,
    pub kind: SubjectKind,
    /// Which way the subject was going (none for "not stored").
    pub direction: Option<Direction>,
    /// The holder's display name, or the plate.
    pub who: String,
    /// Household, or the reason in plain words.
    pub detail_zh: String,
    pub detail_en: String,
    /// The ledger sequence number when a passage was written.
    pub seq: Option<u64>,
}

impl VerdictView {
    pub fn title(&self, lang: Lang) -> &'static str {
        self.headline.text(lang)
    }

    pub fn detail(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.detail_zh,
            Lang::En => &self.detail_en,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerdictState {
    pub current: Option<VerdictView>,
    shown_at: Option<Instant>,
    /// Counts verdicts shown, so the feedback plays once per verdict.
    pub serial: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VerdictAction {
    Show(VerdictView, Instant),
    Tick(Instant),
    Dismiss,
}

impl VerdictState {
    pub fn reduce(&mut self, action: VerdictAction) {
        match action {
            VerdictAction::Show(view, now) => {
                self.current = Some(view);
                self.shown_at = Some(now);
                self.serial += 1;
            }
            VerdictAction::Tick(now) => {
                let expired = match (&self.current, self.shown_at) {
                    (Some(v), Some(at)) => {
                        now.saturating_duration_since(at) >= v.outcome.dismiss_after()
                    }
                    _ => false,
                };
                if expired {
                    self.reduce(VerdictAction::Dismiss);
                }
            }
            VerdictAction::Dismiss => {
                self.current = None;
                self.shown_at = None;
            }
        }
    }

    /// The outcome whose sound, vibration and words are still to play, given the serial of the
    /// verdict last played: once per verdict, never again on the countdown's ticks.
    pub fn feedback_due(&self, last_played: u64) -> Option<Outcome> {
        self.current
            .as_ref()
            .filter(|_| self.serial != last_played)
            .map(|v| v.outcome)
    }

    /// Seconds left before auto-dismiss (for the countdown).
    pub fn seconds_left(&self, now: Instant) -> u64 {
        match (&self.current, self.shown_at) {
            (Some(v), Some(at)) => {
                let left = v
                    .outcome
                    .dismiss_after()
                    .saturating_sub(now.saturating_duration_since(at));
                left.as_millis().div_ceil(1000) as u64
            }
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn view(outcome: Outcome) -> VerdictView {
        VerdictView {
            outcome,
            headline: Headline::Admitted,
            kind: SubjectKind::Resident,
            direction: Some(Direction::In),
            who: "张小明".into(),
            detail_zh: "3-2-401".into(),
            detail_en: "3-2-401".into(),
            seq: Some(1),
        }
    }

    #[test]
    fn auto_dismisses_after_its_time() {
        let t0 = Instant::now();
        let mut s = VerdictState::default();
        s.reduce(VerdictAction::Show(view(Outcome::Green), t0));
        assert_eq!(s.seconds_left(t0), 3);
        s.reduce(VerdictAction::Tick(t0 + Duration::from_millis(2000)));
        assert!(s.current.is_some());
        s.reduce(VerdictAction::Tick(t0 + Duration::from_millis(2500)));
        assert!(s.current.is_none());

        s.reduce(VerdictAction::Show(view(Outcome::Red), t0));
        s.reduce(VerdictAction::Tick(t0 + Duration::from_secs(5)));
        assert!(s.current.is_some(), "red stays longer than green");
        s.reduce(VerdictAction::Dismiss);
        assert!(s.current.is_none());
        assert_eq!(s.serial, 2);
    }

    #[test]
    fn each_outcome_sounds_different() {
        let all = [
            Outcome::Green,
            Outcome::Red,
            Outcome::Amber,
            Outcome::Visitor,
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.feedback(), b.feedback(), "{a:?} and {b:?}");
            }
        }
        let (g, r) = (Outcome::Green.feedback(), Outcome::Red.feedback());
        assert!(r.vibrate.len() > g.vibrate.len());
    }

    #[test]
    fn feedback_plays_once_per_verdict_not_per_tick() {
        let mut s = VerdictState::default();
        assert_eq!(s.feedback_due(0), None, "nothing on screen");
        let t = Instant::now();
        s.reduce(VerdictAction::Show(view(Outcome::Red), t));
        assert_eq!(s.feedback_due(0), Some(Outcome::Red));
        let played = s.serial;
        s.reduce(VerdictAction::Tick(t + Duration::from_millis(250)));
        assert_eq!(s.feedback_due(played), None, "a tick is not a new verdict");
        s.reduce(VerdictAction::Show(view(Outcome::Green), t));
        assert_eq!(s.feedback_due(played), Some(Outcome::Green));
    }
}
