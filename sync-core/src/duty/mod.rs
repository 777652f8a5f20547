//! The duty roster (值班): staff sign on and off at the gate phone with their staff pass or by
//! name and a 4–6 digit PIN (checked offline against the hash in the signed config, with a
//! lock-out after wrong tries); each sign-on and sign-off is the body of a `duty` journal entry.
//! The server pairs them into shifts (`shifts.rs`) for the monthly allowance sheet.
//!
//! One staff member is on duty per phone: a sign-on while someone else is on duty records their
//! sign-off first (a handover).

mod pin;
mod shifts;

pub use pin::{check_pin_format, PinError, PinGuard, LOCKOUT_MINUTES, MAX_PIN_TRIES};
pub use shifts::{clip, pair_shifts, DutyRow, Shift, ShiftFlag, Span, MAX_SHIFT_HOURS};

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// Signing on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyEvent {
    On,
    Off,
}

impl DutyEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        [Self::On, Self::Off]
            .into_iter()
            .find(|e| e.as_str() == word)
    }
}

/// How the staff member was identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyMethod {
    /// Their staff pass, verified offline.
    Pass,
    /// Their name picked from the roster and their PIN.
    Pin,
    /// Signed off because someone else signed on at this phone.
    Handover,
    /// Signed off with the button on the duty screen.
    Button,
}

impl DutyMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Pin => "pin",
            Self::Handover => "handover",
            Self::Button => "button",
        }
    }
}

/// The body of a `duty` journal entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyData {
    pub checkpoint_id: String,
    /// The staff member's id: their staff pass id.
    pub staff_id: String,
    pub staff_name: String,
    pub event: DutyEvent,
    pub method: DutyMethod,
}

/// A staff member as the gate phones get them with the signed config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Their staff pass id.
    pub staff_id: String,
    pub name: String,
    /// The argon2id hash of their PIN, when one is set.
    #[serde(default)]
    pub pin_hash: Option<String>,
}

impl StaffMember {
    /// Whether `pin` is this member's PIN (false when they have none).
    pub fn pin_matches(&self, pin: &str) -> bool {
        self.pin_hash
            .as_deref()
            .is_some_and(|h| crate::secret::verify_secret(pin.trim(), h))
    }
}

/// Who is on duty at this phone now (kept in the phone's settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnDuty {
    pub staff_id: String,
    pub name: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Words for the duty events, for the server's pages and the phone.
pub fn event_label(event: DutyEvent, lang: Lang) -> &'static str {
    match (event, lang) {
        (DutyEvent::On, Lang::ZhCn) => "上岗",
        (DutyEvent::On, Lang::En) => "Signed on",
        (DutyEvent::Off, Lang::ZhCn) => "下岗",
        (DutyEvent::Off, Lang::En) => "Signed off",
    }
}
