//! What the UI shows about sync: pending, oldest pending, last success, last error, online, clock.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Staff get a clock warning when the device clock is off by more than this (5 minutes).
pub const CLOCK_WARNING_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub online: bool,
    pub pending: u64,
    pub rejected: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last error in plain words (en, zh-CN), cleared by the next success.
    pub last_error_en: Option<String>,
    pub last_error_zh: Option<String>,
    /// Server time minus device time, from the last contact.
    pub clock_offset_ms: Option<i64>,
    /// A sync round is running now.
    pub syncing: bool,
    /// Since when the district has this device switched off (gate screens locked).
    #[serde(default)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// Photos waiting for upload (after their entries).
    #[serde(default)]
    pub photos_pending: u64,
}

impl SyncStatus {
    pub fn clock_warning(&self) -> bool {
        self.clock_offset_ms
            .is_some_and(|o| o.abs() > CLOCK_WARNING_MS)
    }
}
