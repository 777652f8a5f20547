//! The app's back end, shared by every window or browser session: the ledger, the pass checker,
//! the scanner and the sync engine, all from sync-core (no second storage).

mod checker;
pub mod duty;
pub mod household;
pub mod incident;
pub mod notices;
pub mod patrol;
mod store;

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use sync_core::ledger::Ledger;
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::{
    self as engine, RunnerTimings, SyncConfig, SyncEngine, SyncHandle, SyncStatus,
};
use tokio::runtime::Handle;

pub use checker::LedgerChecker;
pub use store::{load_prefs, load_wallet, save_prefs, save_wallet, AppError};

use crate::ports::{PassChecker, SyncSnapshot};
use crate::state::enroll::EnrollTarget;

/// Everything the screens call into. Cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Services {
    inner: Arc<Inner>,
}

struct Inner {
    ledger: Arc<Mutex<Ledger>>,
    checker: LedgerChecker,
    sync: RwLock<Option<SyncHandle>>,
    runtime: Handle,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl PartialEq for Services {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Services {
    /// Open the ledger file and, when the device is enrolled, start the sync engine on `runtime`.
    ///
    /// A damaged ledger (or one from a newer app) is kept aside and a new one started
    /// ([`Ledger::open_or_recover`]); the enrollment screen then says where the old file is.
    pub fn open(path: impl AsRef<std::path::Path>, runtime: Handle) -> Result<Self, AppError> {
        let (ledger, recovered) = Ledger::open_or_recover(path.as_ref())?;
        if let Some(r) = &recovered {
            tracing::error!(kept_at = %r.kept_at.display(), "started with a new ledger");
        }
        let checker = LedgerChecker::from_ledger(&ledger)?;
        let services = Self {
            inner: Arc::new(Inner {
                ledger: Arc::new(Mutex::new(ledger)),
                checker,
                sync: RwLock::new(None),
                runtime,
            }),
        };
        services.start_sync()?;
        Ok(services)
    }

    pub fn ledger(&self) -> Result<MutexGuard<'_, Ledger>, AppError> {
        self.inner.ledger.lock().map_err(|_| AppError::Poisoned)
    }

    /// Run `f` on the ledger: one error for a poisoned lock and for what the ledger said.
    pub fn with_ledger<T>(
        &self,
        f: impl FnOnce(&mut Ledger) -> Result<T, sync_core::LedgerError>,
    ) -> Result<T, AppError> {
        Ok(f(&mut *self.ledger()?)?)
    }

    /// The checkpoint config from enrollment and the last pull (`None` before enrollment).
    pub fn checkpoint_config(&self) -> Option<CheckpointConfig> {
        self.ledger().ok().and_then(|l| checkpoint_config(&l))
    }

    pub fn shared_ledger(&self) -> Arc<Mutex<Ledger>> {
        self.inner.ledger.clone()
    }

    pub fn checker(&self) -> &dyn PassChecker {
        &self.inner.checker
    }

    pub fn runtime(&self) -> &Handle {
        &self.inner.runtime
    }

    /// Start the engine if the ledger holds a server address and token (after enrollment).
    pub fn start_sync(&self) -> Result<(), AppError> {
        let config = match SyncConfig::from_ledger(&*self.ledger()?) {
            Ok(c) => c,
            Err(sync_core::sync::SyncError::NotEnrolled) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let engine = SyncEngine::new(self.shared_ledger(), config)?;
        let _guard = self.inner.runtime.enter();
        let handle = engine::spawn(engine, RunnerTimings::default());
        let mut slot = self.inner.sync.write().map_err(|_| AppError::Poisoned)?;
        *slot = Some(handle);
        Ok(())
    }

    /// Enroll with a one-time code, then start syncing. Runs on the services' runtime.
    pub async fn enroll(
        &self,
        target: EnrollTarget,
    ) -> Result<sync_core::protocol::EnrollResponse, AppError> {
        let ledger = self.shared_ledger();
        let label = format!("checkpoint-app {}", env!("CARGO_PKG_VERSION"));
        let resp = self
            .inner
            .runtime
            .spawn(async move {
                let pins = engine::Pins {
                    root: target.root,
                    tls: target.tls,
                };
                engine::enroll_pinned(&ledger, &target.url, &target.code, &label, &pins).await
            })
            .await
            .map_err(|e| AppError::Task(e.to_string()))??;
        self.first_round().await;
        self.start_sync()?;
        Ok(resp)
    }

    /// Right after enrollment, fetch the key set, revocations and config once, so the first pass
    /// scanned is checked against them. A failure here is not fatal: the engine retries with backoff.
    async fn first_round(&self) {
        let ledger = self.shared_ledger();
        let round = self.inner.runtime.spawn(async move {
            let config = SyncConfig::from_ledger(&*ledger.lock().map_err(|_| AppError::Poisoned)?)?;
            let mut engine = SyncEngine::new(ledger, config)?;
            engine.step().await?;
            Ok::<_, AppError>(())
        });
        match round.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("first sync after enrollment failed: {e}"),
            Err(e) => tracing::warn!("first sync after enrollment did not finish: {e}"),
        }
        match self.ledger() {
            Ok(l) => {
                if let Err(e) = self.inner.checker.reload(&l) {
                    tracing::warn!("loading the district keys failed: {e}");
                }
            }
            Err(e) => tracing::warn!("{e}"),
        }
    }

    /// A passage was stored: let the engine upload it soon.
    pub fn passage_added(&self) {
        if let Ok(slot) = self.inner.sync.read() {
            if let Some(h) = slot.as_ref() {
                h.passage_added();
            }
        }
    }

    pub fn sync_now(&self) {
        if let Ok(slot) = self.inner.sync.read() {
            if let Some(h) = slot.as_ref() {
                h.sync_now();
            }
        }
    }

    /// The engine's status as the screens show it; counts straight from the ledger when not enrolled.
    pub fn sync_snapshot(&self) -> SyncSnapshot {
        let status = self
            .inner
            .sync
            .read()
            .ok()
            .and_then(|s| s.as_ref().map(SyncHandle::status));
        match status {
            Some(s) => {
                // New keys and revocations may have arrived with this round.
                if s.last_success_at.is_some() {
                    if let Ok(l) = self.ledger() {
                        if let Err(e) = self.inner.checker.reload(&l) {
                            tracing::warn!("reloading keys failed: {e}");
                        }
                    }
                }
                SyncSnapshot {
                    enrolled: true,
                    status: s,
                    revocations_warn_hours: self.revocations_warning(true),
                }
            }
            None => {
                let summary = self
                    .ledger()
                    .ok()
                    .and_then(|l| l.upload_summary().ok())
                    .unwrap_or_default();
                SyncSnapshot {
                    enrolled: false,
                    status: SyncStatus {
                        pending: summary.pending,
                        rejected: summary.rejected,
                        oldest_pending_at: summary.oldest_pending_at,
                        disabled_at: self
                            .ledger()
                            .ok()
                            .and_then(|l| l.disabled_at().ok().flatten()),
                        ..SyncStatus::default()
                    },
                    revocations_warn_hours: self.revocations_warning(false),
                }
            }
        }
    }

    /// Hours since the last signed pull of keys and revocations, once past the district's warning
    /// limit (24 h by default); "never" counts as past it on an enrolled phone.
    fn revocations_warning(&self, enrolled: bool) -> Option<i64> {
        let l = self.ledger().ok()?;
        let pulled_at = l
            .setting::<chrono::DateTime<chrono::Utc>>(checker::SETTING_TRUST_PULLED_AT)
            .ok()
            .flatten();
        let offset = l
            .setting::<i64>(checker::SETTING_CLOCK_OFFSET)
            .ok()
            .flatten();
        let warn = checkpoint_config(&l).map_or(24, |c| i64::from(c.revocations_warn_hours));
        match checker::hours_since_pull(pulled_at, chrono::Utc::now(), offset) {
            Some(h) if h < warn => None,
            Some(h) => Some(h),
            None if enrolled => Some(i64::MAX),
            None => None,
        }
    }

    pub fn is_enrolled(&self) -> bool {
        self.inner.sync.read().map(|s| s.is_some()).unwrap_or(false)
    }

    /// Forget the server and token (un-enroll); the ledger's passages stay.
    pub async fn unenroll(&self) -> Result<(), AppError> {
        let handle = self
            .inner
            .sync
            .write()
            .map_err(|_| AppError::Poisoned)?
            .take();
        if let Some(h) = handle {
            let _ = self.inner.runtime.spawn(h.stop()).await;
        }
        let mut l = self.ledger()?;
        for key in [engine::SETTING_SERVER_URL, engine::SETTING_TOKEN] {
            l.clear_setting(key)?;
        }
        Ok(())
    }
}

/// The checkpoint config stored in the ledger by the sync engine.
pub fn checkpoint_config(ledger: &Ledger) -> Option<CheckpointConfig> {
    ledger.setting(engine::SETTING_CONFIG).ok().flatten()
}
