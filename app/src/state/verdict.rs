//! The full-screen verdict: outcome colour, what staff read, the beep/vibration pattern, and auto-dismiss.

use std::time::{Duration, Instant};

use sync_core::i18n::Lang;
use sync_core::SubjectKind;

/// The three colours staff see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Admitted, and the passage is durable in the ledger.
    Green,
    /// Denied.
    Red,
    /// Needs a look: fever, a clock warning, a typed pass id, or "already registered".
    Amber,
}

impl Outcome {
    pub fn css(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Red => "red",
            Self::Amber => "amber",
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
        }
    }

    /// How long the verdict stays before going back to scanning.
    pub fn dismiss_after(self) -> Duration {
        match self {
            Self::Green => Duration::from_millis(2500),
            Self::Red | Self::Amber => Duration::from_secs(6),
        }
    }
}

/// A sound and vibration pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback {
    pub tones: &'static [(u32, u32)],
    pub vibrate: &'static [u32],
}

/// Everything the verdict screen shows.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictView {
    pub outcome: Outcome,
    pub kind: SubjectKind,
    /// Headline, e.g. "请通行" / "Admitted".
    pub title_zh: String,
    pub title_en: String,
    /// The holder's display name, or the plate.
    pub who: String,
    /// Household, or the reason in plain words.
    pub detail_zh: String,
    pub detail_en: String,
    /// The ledger sequence number when a passage was written.
    pub seq: Option<u64>,
}

impl VerdictView {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.title_zh,
            Lang::En => &self.title_en,
        }
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
            kind: SubjectKind::Resident,
            title_zh: "请通行".into(),
            title_en: "Admitted".into(),
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
        let g = Outcome::Green.feedback();
        let r = Outcome::Red.feedback();
        let a = Outcome::Amber.feedback();
        assert_ne!(g, r);
        assert_ne!(g, a);
        assert_ne!(r, a);
        assert!(r.vibrate.len() > g.vibrate.len());
    }
}
