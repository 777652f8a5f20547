//! What every handler shares: the store, the config, the district signer and templates.

use std::sync::Arc;

use sync_core::pass::DistrictSigner;
use sync_core::signed::RootSigner;

use crate::config::Config;
use crate::store::Store;
use crate::web::templates::Templates;

/// Shared state; cheap to clone. The server keeps nothing else between requests (sessions, login
/// throttling, rate limits and the background jobs' locks are in the database), so several
/// instances can share one PostgreSQL database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Where the daily report and the records search read: the store itself, or a read-only
    /// standby (`report_db`).
    pub reports: Store,
    pub config: Arc<Config>,
    pub signer: Arc<DistrictSigner>,
    /// Signs key sets, revocation deltas, configs and batch receipts for the devices.
    pub root: Arc<RootSigner>,
    /// The fingerprint of the TLS certificate this server serves itself (for enrollment QR codes).
    pub tls_pin: Option<String>,
    pub templates: Arc<Templates>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}
