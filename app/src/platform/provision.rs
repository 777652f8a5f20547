//! Provisioning at start: `CHECKPOINT_ENROLL` holds the dashboard's enrollment QR text (or a
//! `<server>/enroll?code=…` link). A device not yet enrolled enrolls with it before the UI opens, takes
//! the checkpoint's first gate and `CHECKPOINT_STAFF` (default 值守员) as staff name. Used by `cargo xtask demo`.

use crate::services::{load_prefs, save_prefs, AppError, Services};
use crate::state::enroll::parse_enroll_link;
use crate::state::settings::SettingsAction;

pub const ENV_ENROLL: &str = "CHECKPOINT_ENROLL";
pub const ENV_STAFF: &str = "CHECKPOINT_STAFF";

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("{ENV_ENROLL} is neither the dashboard's enrollment QR text nor a <server>/enroll?code=… link")]
    BadLink,
    #[error("enrollment with {ENV_ENROLL} failed: {0}")]
    Enroll(#[from] AppError),
    #[error("enrolled, but the gate and staff name were not saved: {0}")]
    Save(#[from] sync_core::LedgerError),
}

/// Enroll from the environment when asked and not enrolled yet; true when it enrolled now.
pub async fn enroll_from_env(services: &Services) -> Result<bool, ProvisionError> {
    let Some(text) = std::env::var_os(ENV_ENROLL) else {
        return Ok(false);
    };
    if services.is_enrolled() {
        tracing::info!("already enrolled; {ENV_ENROLL} ignored");
        return Ok(false);
    }
    let target = parse_enroll_link(&text.to_string_lossy()).ok_or(ProvisionError::BadLink)?;
    let resp = services.enroll(target).await?;
    let staff = std::env::var(ENV_STAFF).unwrap_or_else(|_| "值守员".into());
    let mut ledger = services.ledger()?;
    let mut prefs = load_prefs(&ledger);
    let gate = resp.checkpoint.gates.first().cloned().unwrap_or_default();
    prefs.reduce(SettingsAction::Gate(gate));
    prefs.reduce(SettingsAction::Staff(staff));
    save_prefs(&mut ledger, &prefs)?;
    tracing::info!(
        checkpoint = %resp.checkpoint.checkpoint_id,
        "enrolled from {ENV_ENROLL}"
    );
    Ok(true)
}
