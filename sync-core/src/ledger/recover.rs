//! Opening a ledger that cannot be read: the damaged file is kept aside (renamed, never deleted)
//! for an administrator, and a new ledger with a new device id takes its place, so the gate phone
//! starts instead of exiting. The new ledger remembers where the old file went.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Ledger, LedgerError};
use crate::i18n::{Lang, Localized};

/// The ledger setting that records a recovery.
pub const SETTING_RECOVERED: &str = "recovered_from";

/// What a recovery did, stored in the new ledger and shown on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovered {
    /// Where the damaged file (and its `-wal`/`-shm`) now is.
    pub kept_at: PathBuf,
    pub error_zh: String,
    pub error_en: String,
    pub at: DateTime<Utc>,
}

fn aside(path: &Path, at: DateTime<Utc>) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ledger.db".into());
    path.with_file_name(format!("{name}.damaged-{}", at.format("%Y%m%d-%H%M%S")))
}

impl Ledger {
    /// Open `path`; when it is damaged or from a newer app, keep it aside and start a new ledger.
    /// Other errors (a full or read-only disk) are returned: a new file would not help.
    pub fn open_or_recover(path: &Path) -> Result<(Self, Option<Recovered>), LedgerError> {
        let error = match Self::open(path) {
            Ok(l) => return Ok((l, None)),
            Err(e @ (LedgerError::Corrupt(_) | LedgerError::TooNew { .. })) => e,
            Err(e) => return Err(e),
        };
        let at = Utc::now();
        let kept_at = aside(path, at);
        tracing::error!(%error, kept_at = %kept_at.display(), "ledger unreadable; kept aside, starting a new one");
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", path.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", kept_at.display()));
                std::fs::rename(&from, &to).map_err(|e| {
                    LedgerError::Corrupt(format!("cannot move the damaged file aside: {e}"))
                })?;
            }
        }
        let mut fresh = Self::open(path)?;
        let recovered = Recovered {
            kept_at,
            error_zh: error.message(Lang::ZhCn),
            error_en: error.message(Lang::En),
            at,
        };
        fresh.set_setting(SETTING_RECOVERED, &recovered)?;
        Ok((fresh, Some(recovered)))
    }

    /// The recovery this ledger was started by, if any.
    pub fn recovered(&self) -> Option<Recovered> {
        self.setting(SETTING_RECOVERED).ok().flatten()
    }
}
