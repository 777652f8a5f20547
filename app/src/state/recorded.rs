//! What every screen that records a journal entry shares: the ledger's answer for a stored entry,
//! and a message in both languages (from the ledger, the photo code or the camera).

use chrono::{DateTime, Utc};
use sync_core::i18n::{Lang, Localized};

/// An entry the ledger stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
}

/// A message in both languages, as the ledger or the photo code gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub zh: String,
    pub en: String,
}

impl Words {
    pub fn of(e: &impl Localized) -> Self {
        Self {
            zh: e.message(Lang::ZhCn),
            en: e.message(Lang::En),
        }
    }

    /// The message in `lang`.
    pub fn pick(self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => self.zh,
            Lang::En => self.en,
        }
    }
}
