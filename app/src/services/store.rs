//! App errors, and the app's own settings (preferences, resident wallet) kept as ledger settings.

use sync_core::i18n::{Lang, Localized};
use sync_core::ledger::Ledger;
use sync_core::LedgerError;
use thiserror::Error;

use crate::state::settings::{Prefs, PREFS_KEY};
use crate::state::wallet::{Wallet, WALLET_KEY};

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error(transparent)]
    Sync(#[from] sync_core::sync::SyncError),
    #[error("the app's shared state is unavailable after an earlier crash")]
    Poisoned,
    #[error("background task failed: {0}")]
    Task(String),
}

impl Localized for AppError {
    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Ledger(e), _) => e.message(lang),
            (Self::Sync(e), _) => e.message(lang),
            (_, Lang::En) => self.to_string(),
            (Self::Poisoned, Lang::ZhCn) => "应用内部状态不可用，请重启应用".into(),
            (Self::Task(_), Lang::ZhCn) => "后台任务失败，请重试".into(),
        }
    }
}

/// The stored preferences, or the defaults (zh-CN, dark) when none or unreadable.
pub fn load_prefs(ledger: &Ledger) -> Prefs {
    match ledger.setting::<Prefs>(PREFS_KEY) {
        Ok(p) => p.unwrap_or_default(),
        Err(e) => {
            tracing::warn!("preferences unreadable, using defaults: {e}");
            Prefs::default()
        }
    }
}

pub fn save_prefs(ledger: &mut Ledger, prefs: &Prefs) -> Result<(), LedgerError> {
    ledger.set_setting(PREFS_KEY, prefs)
}

pub fn load_wallet(ledger: &Ledger) -> Wallet {
    match ledger.setting::<Wallet>(WALLET_KEY) {
        Ok(w) => w.unwrap_or_default(),
        Err(e) => {
            tracing::warn!("resident passes unreadable: {e}");
            Wallet::default()
        }
    }
}

pub fn save_wallet(ledger: &mut Ledger, wallet: &Wallet) -> Result<(), LedgerError> {
    ledger.set_setting(WALLET_KEY, wallet)
}
