//! The engine as a tokio task: it syncs on app start, on new passages (debounced), on "sync now", and on a
//! timer — probing `/health` with backoff and jitter while offline — so the queue never waits for a write.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::engine::SyncEngine;
use super::status::SyncStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    NewPassage,
    SyncNow,
    Stop,
}

/// Timings of the background loop.
#[derive(Debug, Clone)]
pub struct RunnerTimings {
    pub debounce: Duration,
    /// While online, sync at least this often (pulls keep revocations fresh).
    pub periodic: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// How often the retention purge runs (and once at start).
    pub purge_every: Duration,
}

impl Default for RunnerTimings {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(300),
            periodic: Duration::from_secs(30),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            purge_every: Duration::from_secs(24 * 3600),
        }
    }
}

/// The app's handle on the running engine.
#[derive(Debug)]
pub struct SyncHandle {
    trigger: mpsc::UnboundedSender<Trigger>,
    status: watch::Receiver<SyncStatus>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// A passage was just stored: sync soon (debounced).
    pub fn passage_added(&self) {
        let _ = self.trigger.send(Trigger::NewPassage);
    }

    /// Staff pressed "sync now".
    pub fn sync_now(&self) {
        let _ = self.trigger.send(Trigger::SyncNow);
    }

    pub fn status(&self) -> SyncStatus {
        self.status.borrow().clone()
    }

    /// A receiver that changes whenever the status does (for the UI).
    pub fn watch(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Stop the loop after the current round and wait for it.
    pub async fn stop(self) {
        let _ = self.trigger.send(Trigger::Stop);
        let _ = self.task.await;
    }
}

/// Start the engine on the current tokio runtime. It runs a first round at once (app start).
pub fn spawn(engine: SyncEngine, timings: RunnerTimings) -> SyncHandle {
    let (trigger, rx) = mpsc::unbounded_channel();
    let (status_tx, status) = watch::channel(engine.status().clone());
    let task = tokio::spawn(run(engine, timings, rx, status_tx));
    SyncHandle {
        trigger,
        status,
        task,
    }
}

async fn run(
    mut engine: SyncEngine,
    timings: RunnerTimings,
    mut rx: mpsc::UnboundedReceiver<Trigger>,
    status_tx: watch::Sender<SyncStatus>,
) {
    let mut backoff = Backoff::new(timings.backoff_min, timings.backoff_max);
    // The retention purge runs on its own: at start and then daily (settled passages only).
    let mut purged_at: Option<tokio::time::Instant> = None;
    // App start: the first round runs at once, as a full round.
    let mut wait = Duration::ZERO;
    let mut starting = true;
    loop {
        let woke_by_timer = match tokio::time::timeout(wait, rx.recv()).await {
            Ok(None) | Ok(Some(Trigger::Stop)) => break,
            Ok(Some(Trigger::NewPassage)) => {
                tokio::time::sleep(timings.debounce).await;
                if drain(&mut rx) {
                    break;
                }
                false
            }
            Ok(Some(Trigger::SyncNow)) => {
                if drain(&mut rx) {
                    break;
                }
                false
            }
            Err(_elapsed) => !std::mem::take(&mut starting),
        };
        if purged_at.is_none_or(|t| t.elapsed() >= timings.purge_every) {
            purged_at = Some(tokio::time::Instant::now());
            match engine.purge_expired(engine.retention_days()) {
                Ok(n) if n > 0 => tracing::info!(purged = n, "retention purge"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "retention purge failed; kept everything"),
            }
        }
        // Show the fresh backlog at once, before the round's network calls.
        if engine.refresh_counts().is_ok() {
            status_tx.send_replace(engine.status().clone());
        }
        // While offline, a timer wake only probes; a full round follows once the server answers.
        if woke_by_timer && !engine.status().online && !engine.probe().await {
            status_tx.send_replace(engine.status().clone());
            wait = backoff.next_wait();
            continue;
        }
        let result = engine.step().await;
        status_tx.send_replace(engine.status().clone());
        wait = match result {
            Ok(_) => {
                backoff.reset();
                timings.periodic
            }
            Err(e) if e.is_permanent() => timings.backoff_max,
            Err(_) => backoff.next_wait(),
        };
    }
}

/// Swallow queued triggers (one round serves them all); true if a stop was among them.
fn drain(rx: &mut mpsc::UnboundedReceiver<Trigger>) -> bool {
    let mut stop = false;
    while let Ok(t) = rx.try_recv() {
        stop |= t == Trigger::Stop;
    }
    stop
}
