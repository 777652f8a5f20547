//! Device preferences: language, theme, gate and default direction, and the two-tap un-enroll.

use serde::{Deserialize, Serialize};
use sync_core::i18n::Lang;
use sync_core::Direction;

pub use super::theme::Theme;

/// What the device remembers (stored as one ledger setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prefs {
    pub lang: Lang,
    pub theme: Theme,
    pub gate: String,
    pub direction: Direction,
    pub staff: String,
    /// Staff mode (scanning) or resident mode (my passes).
    pub resident_mode: bool,
    /// Speak the verdict (请通行 / 禁止通行 / 请核实) where the phone can.
    #[serde(default = "speak_by_default")]
    pub speak: bool,
}

fn speak_by_default() -> bool {
    true
}

impl Default for Prefs {
    fn default() -> Self {
        Self {
            lang: Lang::ZhCn,
            theme: Theme::System,
            gate: String::new(),
            direction: Direction::In,
            staff: String::new(),
            resident_mode: false,
            speak: true,
        }
    }
}

/// The ledger setting key for [`Prefs`].
pub const PREFS_KEY: &str = "app_prefs";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsAction {
    Lang(Lang),
    ToggleLang,
    Theme(Theme),
    Gate(String),
    Direction(Direction),
    Staff(String),
    ResidentMode(bool),
    Speak(bool),
}

impl Prefs {
    pub fn reduce(&mut self, action: SettingsAction) {
        match action {
            SettingsAction::Lang(l) => self.lang = l,
            SettingsAction::ToggleLang => {
                self.lang = match self.lang {
                    Lang::ZhCn => Lang::En,
                    Lang::En => Lang::ZhCn,
                }
            }
            SettingsAction::Theme(t) => self.theme = t,
            SettingsAction::Gate(g) => self.gate = g,
            SettingsAction::Direction(d) => self.direction = d,
            SettingsAction::Staff(s) => self.staff = s,
            SettingsAction::ResidentMode(on) => self.resident_mode = on,
            SettingsAction::Speak(on) => self.speak = on,
        }
    }
}

/// Un-enroll needs a second tap within the same screen visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnenrollState {
    #[default]
    Idle,
    Confirming,
    /// Refused: passages are still waiting for upload.
    BlockedPending(u64),
    Done,
}

impl UnenrollState {
    /// A tap on "un-enroll"; `pending` passages not yet uploaded block it.
    pub fn reduce(&mut self, pending: u64) {
        *self = match (*self, pending) {
            (_, n) if n > 0 => Self::BlockedPending(n),
            (Self::Confirming, _) => Self::Done,
            _ => Self::Confirming,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefs_round_trip_and_toggle() {
        let mut p = Prefs::default();
        assert_eq!(p.lang, Lang::ZhCn, "Chinese by default");
        assert_eq!(p.theme, Theme::System, "light, following the phone");
        p.reduce(SettingsAction::ToggleLang);
        assert_eq!(p.lang, Lang::En);
        p.reduce(SettingsAction::Theme(Theme::Light));
        p.reduce(SettingsAction::Direction(Direction::Out));
        p.reduce(SettingsAction::Gate("east-2".into()));
        p.reduce(SettingsAction::Speak(false));
        let json = serde_json::to_string(&p).unwrap();
        let back: Prefs = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn prefs_stored_before_the_spoken_verdict_still_read() {
        let old = r#"{"lang":"zh-CN","theme":"dark","gate":"east-1","direction":"in","staff":"","resident_mode":false}"#;
        let p: Prefs = serde_json::from_str(old).expect("older prefs");
        assert_eq!(p.gate, "east-1", "the gate is kept");
        assert_eq!(p.theme, Theme::Dark, "a chosen theme is kept");
        assert!(p.speak, "speaking is on by default");
    }

    #[test]
    fn unenroll_needs_two_taps_and_no_pending() {
        let mut u = UnenrollState::default();
        u.reduce(3);
        assert_eq!(u, UnenrollState::BlockedPending(3));
        u.reduce(0);
        assert_eq!(u, UnenrollState::Confirming);
        u.reduce(0);
        assert_eq!(u, UnenrollState::Done);
    }
}
