//! A device the district switched off (a lost phone): it remembers since when, and keeps no
//! personal data of what the server already holds. Unsynced records stay until it uploads them.

use chrono::{DateTime, Utc};

use super::{Ledger, LedgerError};

/// Setting: when the district disabled this device (absent while enabled).
pub const SETTING_DISABLED_AT: &str = "disabled_at";

impl Ledger {
    /// Lock this device: remember `at`, delete every settled passage the chain lets go (a prefix:
    /// pending ones and anything after one stay, to upload once enabled again) and the roster's
    /// names and households. Returns how many passages were deleted.
    pub fn lock_disabled(&mut self, at: DateTime<Utc>) -> Result<usize, LedgerError> {
        self.set_setting(SETTING_DISABLED_AT, &at)?;
        let purged = self.purge_settled_before(DateTime::<Utc>::MAX_UTC)?;
        self.conn.execute("DELETE FROM roster", [])?;
        self.clear_setting("roster_version")?;
        Ok(purged)
    }

    /// Since when this device is disabled, if it is.
    pub fn disabled_at(&self) -> Result<Option<DateTime<Utc>>, LedgerError> {
        self.setting(SETTING_DISABLED_AT)
    }

    /// The district answered again: enabled.
    pub fn unlock(&mut self) -> Result<(), LedgerError> {
        self.clear_setting(SETTING_DISABLED_AT)
    }
}
