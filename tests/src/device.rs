//! A simulated gate device for the sync tests: its own ledger file, enrolled against a real server.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use sync_core::domain::ProbeNote;
use sync_core::fixtures::sample_passage;
use sync_core::protocol::CheckpointConfig;
use sync_core::sync::{enroll, SyncConfig, SyncEngine, SETTING_CONFIG, SETTING_TOKEN};
use sync_core::{EntryBody, Ledger, NewEntry, NewPassage};

pub struct Device {
    pub path: PathBuf,
    pub ledger: Arc<Mutex<Ledger>>,
    pub token: String,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Device {
    /// Create a ledger at `path` and enroll it at `server_url` with `code`.
    pub async fn enrolled(path: &Path, server_url: &str, code: &str) -> anyhow::Result<Self> {
        let ledger = Arc::new(Mutex::new(Ledger::open(path)?));
        enroll(&ledger, server_url, code, "test device").await?;
        let token: String = lock(&ledger)?
            .setting(SETTING_TOKEN)?
            .context("no token stored by enroll")?;
        Ok(Self {
            path: path.to_owned(),
            ledger,
            token,
        })
    }

    /// Append `n` sample passages (as a busy gate would).
    pub fn record(&self, n: u64) -> anyhow::Result<()> {
        self.append_recorded(n, None)
    }

    /// Append `n` entries of mixed kinds: every fourth a test-only probe, the rest passages (the
    /// journal's one chain over several kinds; the server must know the probe kind, so only an
    /// in-process server built with sync-core's `fixtures` takes them).
    pub fn record_mixed(&self, n: u64) -> anyhow::Result<()> {
        self.append_recorded(n, Some(4))
    }

    /// Append `n` entries recorded over the last few milliseconds (never in the server's future),
    /// a probe every `probe_every`-th when given, passages otherwise.
    fn append_recorded(&self, n: u64, probe_every: Option<u64>) -> anyhow::Result<()> {
        let mut l = lock(&self.ledger)?;
        let config: CheckpointConfig = l
            .setting(SETTING_CONFIG)?
            .context("device not enrolled: no checkpoint config")?;
        let gate = config.gates.first().cloned().unwrap_or_default();
        let start = l.last_seq()?;
        let now = Utc::now();
        let news = (start..start + n)
            .map(|i| {
                let recorded_at = now - chrono::Duration::milliseconds((start + n - i) as i64);
                match probe_every {
                    Some(k) if i % k == k - 1 => NewEntry {
                        recorded_at,
                        clock_offset_ms: Some(0),
                        staff: "巡查员".into(),
                        attachments: Vec::new(),
                        body: EntryBody::Probe(ProbeNote {
                            note: format!("probe {i}"),
                        }),
                    },
                    _ => NewEntry::from(NewPassage {
                        checkpoint_id: config.checkpoint_id.clone(),
                        gate: gate.clone(),
                        recorded_at,
                        ..sample_passage(i, now)
                    }),
                }
            })
            .collect();
        l.append_entries(news)?;
        Ok(())
    }

    /// A sync engine talking to `url` (the server, or a fault proxy in front of it).
    pub fn engine(&self, url: &str, batch: usize, timeout: Duration) -> anyhow::Result<SyncEngine> {
        // The stored config (token and pinned district root key), pointed at `url`.
        let mut config = SyncConfig {
            server_url: url.to_owned(),
            ..SyncConfig::from_ledger(&*lock(&self.ledger)?)?
        };
        config.max_batch_records = batch;
        config.request_timeout = timeout;
        Ok(SyncEngine::new(self.ledger.clone(), config)?)
    }

    pub fn pending(&self) -> anyhow::Result<u64> {
        Ok(lock(&self.ledger)?.upload_summary()?.pending)
    }

    pub fn check(&self, server_sqlite: &Path) -> anyhow::Result<usize> {
        crate::exactly_once::check_exactly_once(server_sqlite, &*lock(&self.ledger)?)
    }

    /// The exactly-once check against entries read from the server's database by the caller.
    pub fn check_stored(
        &self,
        server: &[crate::exactly_once::StoredEntry],
    ) -> anyhow::Result<usize> {
        crate::exactly_once::check_stored(server, &*lock(&self.ledger)?)
    }

    pub fn device_id(&self) -> anyhow::Result<String> {
        Ok(lock(&self.ledger)?.device_id().to_owned())
    }
}

fn lock(l: &Arc<Mutex<Ledger>>) -> anyhow::Result<std::sync::MutexGuard<'_, Ledger>> {
    l.lock()
        .map_err(|_| anyhow::anyhow!("ledger mutex poisoned"))
}

/// Passages per device in the many-device tests: `default` in the suite, or
/// `CHECKPOINT_SYNC_PER_DEVICE` (`cargo xtask bench sync` runs more).
pub fn per_device(default: u64) -> u64 {
    std::env::var("CHECKPOINT_SYNC_PER_DEVICE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every device uploads to `url` at once (batches of `batch`), each for at most `rounds`
/// rounds whatever happens; the engines come back for a last drain once the network settles.
pub async fn drain_together(
    devices: &[Device],
    url: &str,
    batch: usize,
    rounds: usize,
) -> anyhow::Result<Vec<SyncEngine>> {
    let mut tasks = Vec::new();
    for d in devices {
        let mut engine = d.engine(url, batch, Duration::from_secs(5))?;
        tasks.push(tokio::spawn(async move {
            // Failed rounds are the point here (a flapping network); the last drain checks.
            let _ = drain(&mut engine, rounds).await;
            engine
        }));
    }
    let mut engines = Vec::new();
    for t in tasks {
        engines.push(t.await?);
    }
    Ok(engines)
}

/// What draining took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Drained {
    pub rounds: usize,
    /// Compressed passage bytes sent, retries included.
    pub bytes_sent: usize,
}

/// Step `engine` until nothing is pending and a round succeeded, at most `max_rounds` rounds.
pub async fn drain(engine: &mut SyncEngine, max_rounds: usize) -> anyhow::Result<Drained> {
    let mut bytes_sent = 0;
    for round in 1..=max_rounds {
        let result = engine.step().await;
        if let Ok(report) = &result {
            bytes_sent += report.bytes_sent;
        }
        if result.is_ok() && engine.status().pending == 0 {
            return Ok(Drained {
                rounds: round,
                bytes_sent,
            });
        }
    }
    anyhow::bail!(
        "still {} pending after {max_rounds} rounds (last error: {:?})",
        engine.status().pending,
        engine.status().last_error_en
    )
}
