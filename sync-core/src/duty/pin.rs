//! PIN sign-on rules: 4–6 digits; after 5 wrong PINs in a row the phone refuses PINs for 5
//! minutes (the guard is kept in the phone's settings, so a restart does not reset it).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Localized};

/// Wrong PINs in a row before the lock-out.
pub const MAX_PIN_TRIES: u32 = 5;
/// How long PINs are refused after that.
pub const LOCKOUT_MINUTES: i64 = 5;

/// Why a PIN sign-on is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is 4 to 6 digits")]
    Format,
    #[error("{name} has no PIN: sign on with the staff pass, or ask the district to set one")]
    NoPin { name: String },
    #[error("wrong PIN ({left} tries left before a {LOCKOUT_MINUTES}-minute lock-out)")]
    Wrong { left: u32 },
    #[error("too many wrong PINs: try again at {until} (or use the staff pass)")]
    LockedOut { until: String },
}

impl Localized for PinError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Self::Format, Lang::ZhCn) => "密码为 4–6 位数字".into(),
            (Self::NoPin { name }, Lang::ZhCn) => {
                format!("{name} 未设置密码：请刷工作证，或请街道设置密码")
            }
            (Self::Wrong { left }, Lang::ZhCn) => {
                format!("密码错误（再错 {left} 次将锁定 {LOCKOUT_MINUTES} 分钟）")
            }
            (Self::LockedOut { until }, Lang::ZhCn) => {
                format!("密码错误次数过多：请于 {until} 后再试（或刷工作证）")
            }
        }
    }
}

/// A PIN is 4–6 ASCII digits.
pub fn check_pin_format(pin: &str) -> Result<(), PinError> {
    let pin = pin.trim();
    if (4..=6).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::Format)
    }
}

/// Wrong PINs in a row on this phone, and the lock-out they caused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinGuard {
    pub failures: u32,
    pub locked_until: Option<DateTime<Utc>>,
}

impl PinGuard {
    /// Refused while locked out (`until` as local HH:MM at `offset_minutes`).
    pub fn check(&self, now: DateTime<Utc>, offset_minutes: i32) -> Result<(), PinError> {
        match self.locked_until {
            Some(until) if now < until => {
                let local = until + Duration::minutes(i64::from(offset_minutes));
                Err(PinError::LockedOut {
                    until: local.format("%H:%M").to_string(),
                })
            }
            _ => Ok(()),
        }
    }

    /// Count a wrong PIN; the fifth in a row locks PINs out for five minutes.
    pub fn failed(&mut self, now: DateTime<Utc>) -> PinError {
        if self.locked_until.is_some_and(|u| now >= u) {
            *self = Self::default();
        }
        self.failures += 1;
        if self.failures >= MAX_PIN_TRIES {
            self.failures = 0;
            self.locked_until = Some(now + Duration::minutes(LOCKOUT_MINUTES));
            return PinError::LockedOut {
                until: String::new(),
            };
        }
        PinError::Wrong {
            left: MAX_PIN_TRIES - self.failures,
        }
    }

    /// A right PIN clears the count.
    pub fn succeeded(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn pins_are_four_to_six_digits() {
        for ok in ["1234", "123456", " 4711 "] {
            assert!(check_pin_format(ok).is_ok(), "{ok}");
        }
        for bad in ["123", "1234567", "12a4", "", "１２３４"] {
            assert_eq!(check_pin_format(bad), Err(PinError::Format), "{bad}");
        }
    }

    #[test]
    fn five_wrong_pins_lock_out_for_five_minutes_then_pins_work_again() {
        let t0 = Utc
            .with_ymd_and_hms(2026, 12, 3, 2, 0, 0)
            .single()
            .expect("t");
        let mut g = PinGuard::default();
        for left in (1..=4).rev() {
            assert_eq!(g.check(t0, 480), Ok(()));
            assert_eq!(g.failed(t0), PinError::Wrong { left });
        }
        assert!(matches!(g.failed(t0), PinError::LockedOut { .. }));
        assert_eq!(
            g.check(t0 + Duration::minutes(4), 480),
            Err(PinError::LockedOut {
                until: "10:05".into()
            })
        );
        let later = t0 + Duration::minutes(5);
        assert_eq!(g.check(later, 480), Ok(()));
        assert_eq!(g.failed(later), PinError::Wrong { left: 4 });
        g.succeeded();
        assert_eq!(g, PinGuard::default());
    }
}
