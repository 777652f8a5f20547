//! The numeric pad for a temperature (big keys for gloves): what was typed, and its value once it
//! is a plausible body temperature.

use sync_core::validate::{check_temperature, DEFAULT_FEVER_THRESHOLD_C};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberPad {
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadAction {
    Key(char),
    Back,
    Clear,
}

impl NumberPad {
    pub fn reduce(&mut self, action: PadAction) {
        match action {
            PadAction::Key(c) if c.is_ascii_digit() && self.text.len() < 4 => {
                // 36.5 is typed as 3, 6, 5: the point goes in by itself.
                if self.text.len() == 2 && !self.text.contains('.') {
                    self.text.push('.');
                }
                self.text.push(c);
            }
            PadAction::Key('.') if !self.text.contains('.') && !self.text.is_empty() => {
                self.text.push('.');
            }
            PadAction::Key(_) => {}
            PadAction::Back => {
                self.text.pop();
                if self.text.ends_with('.') {
                    self.text.pop();
                }
            }
            PadAction::Clear => self.text.clear(),
        }
    }

    /// The temperature, when it is one a person can have (34.0–43.0 °C).
    pub fn value(&self) -> Option<f32> {
        let c: f32 = self.text.parse().ok()?;
        check_temperature(c, DEFAULT_FEVER_THRESHOLD_C)
            .ok()
            .map(|_| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &str) -> NumberPad {
        let mut p = NumberPad::default();
        for k in keys.chars() {
            p.reduce(PadAction::Key(k));
        }
        p
    }

    #[test]
    fn digits_become_a_temperature_and_nonsense_does_not() {
        assert_eq!(typed("365").text, "36.5");
        assert_eq!(typed("365").value(), Some(36.5));
        assert_eq!(typed("38").value(), Some(38.0));
        assert_eq!(typed("3658").text, "36.5", "at most one decimal");
        assert_eq!(typed("99").value(), None, "not a body temperature");
        assert_eq!(typed("").value(), None);
        let mut p = typed("372");
        p.reduce(PadAction::Back);
        assert_eq!(p.text, "37");
        p.reduce(PadAction::Clear);
        assert!(p.text.is_empty());
    }
}
