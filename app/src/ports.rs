//! What the app needs from sync-core's pass verifier and sync engine, as small values and traits.
//!
//! The screens' state structs work on these values only, so they are tested without a camera,
//! a signing key or a server; `services` adapts the real sync-core modules to them.

use chrono::{DateTime, Utc};
use sync_core::i18n::Lang;
use sync_core::patrol::{PatrolPoint, PointError};
use sync_core::sync::SyncStatus;
use sync_core::DenyReason;

/// The kind of pass a code carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassKindView {
    Resident,
    Vehicle,
    Visitor,
    /// A visitor invited ahead by a household of this compound (pre-approved: no host tap).
    Invited,
    /// Checkpoint staff (valid at every gate of the district).
    Staff,
}

/// A scanned code after offline verification: what the gate may show and record.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedPass {
    /// `None` when valid; the reason otherwise.
    pub denied: Option<DenyReason>,
    /// The verifier's staff message (in both languages), e.g. "Pass revoked".
    pub message_zh: String,
    pub message_en: String,
    pub kind: PassKindView,
    /// Empty when the code could not be read as a pass of ours.
    pub pass_id: String,
    pub household: String,
    pub display_name: String,
    pub plate: Option<String>,
    pub valid_until: Option<DateTime<Utc>>,
    /// False when the device clock alone decided validity (no server time known).
    pub clock_checked: bool,
    /// Hours since keys and revocations were last pulled, when that is past the district's amber
    /// limit (72 h by default): a card revoked since then would still look valid.
    pub revocations_stale_hours: Option<i64>,
}

impl CheckedPass {
    pub fn is_valid(&self) -> bool {
        self.denied.is_none()
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhCn => &self.message_zh,
            Lang::En => &self.message_en,
        }
    }
}

/// Offline verification of one scanned payload.
pub trait PassChecker: Send + Sync {
    fn check(&self, payload: &str, device_now: DateTime<Utc>) -> CheckedPass;

    /// A patrol point's label (`CPP:`), verified against the district's keys and this compound.
    fn check_point(&self, payload: &str) -> Result<PatrolPoint, PointError>;
}

/// What the status bar and the sync screen show: the sync engine's own status (not a copy of
/// its fields), whether the phone is enrolled, and the revocation-list age warning.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSnapshot {
    pub enrolled: bool,
    pub status: SyncStatus,
    /// Hours since the last signed pull of keys and revocations, when past the warning limit.
    pub revocations_warn_hours: Option<i64>,
}

impl SyncSnapshot {
    pub fn clock_warning(&self) -> bool {
        self.status.clock_warning()
    }

    pub fn last_error(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::ZhCn => self.status.last_error_zh.as_deref(),
            Lang::En => self.status.last_error_en.as_deref(),
        }
    }
}
