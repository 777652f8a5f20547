//! One sync round, step by step: upload every pending passage in `seq`-ordered batches, apply the
//! server's per-record results atomically, then pull keys, revocations, config, server time and the
//! compound's roster.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use uuid::Uuid;

use super::client::{PostOutcome, ServerClient};
use super::status::SyncStatus;
use super::trust::{check_pull, check_receipt, Asked, Pulled};
use super::SyncError;
use crate::i18n::Localized;
use crate::ledger::{Ledger, UploadOutcome, SETTING_PHOTO_MAX_BYTES};
use crate::pass::KeySet;
use crate::protocol::{
    BatchRequest, CheckpointConfig, EnrollRequest, EnrollResponse, RecordStatus, WireEntry,
};
use crate::signed::{nonce, RootKey, TrustError};

/// Ledger setting keys written by enrollment and read by the engine.
pub const SETTING_SERVER_URL: &str = "server_url";
pub const SETTING_TOKEN: &str = "device_token";
pub const SETTING_CONFIG: &str = "checkpoint_config";
pub const SETTING_CLOCK_OFFSET: &str = "clock_offset_ms";
pub const SETTING_DISTRICT: &str = "district_id";
/// The district root public key (hex), pinned at enrollment.
pub const SETTING_ROOT_KEY: &str = "district_root_key";
/// The SHA-256 fingerprint of the server's TLS certificate, pinned at enrollment (when the QR had one).
pub const SETTING_TLS_PIN: &str = "server_tls_pin";
/// The server time of the last signed pull: how fresh keys and revocations are.
pub const SETTING_TRUST_PULLED_AT: &str = "trust_pulled_at";

/// How the engine talks to the server.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    pub server_url: String,
    pub device_token: String,
    /// Most records per batch (the server's limit may be lower; a 413 shrinks it).
    pub max_batch_records: usize,
    /// Most uncompressed JSON bytes per batch.
    pub max_batch_bytes: usize,
    pub request_timeout: Duration,
    /// The pinned district root key; without it no answer is trusted.
    pub root_key: Option<RootKey>,
    /// The pinned TLS certificate fingerprint; `None`: the usual web roots.
    pub tls_pin: Option<String>,
}

impl SyncConfig {
    pub fn new(server_url: impl Into<String>, device_token: impl Into<String>) -> Self {
        Self {
            server_url: server_url.into(),
            device_token: device_token.into(),
            max_batch_records: 500,
            max_batch_bytes: 1 << 20,
            request_timeout: Duration::from_secs(15),
            root_key: None,
            tls_pin: None,
        }
    }

    /// The same, trusting answers signed by `root`.
    pub fn pinned(mut self, root: RootKey) -> Self {
        self.root_key = Some(root);
        self
    }

    /// The server address and token stored in the ledger by [`enroll`].
    pub fn from_ledger(ledger: &Ledger) -> Result<Self, SyncError> {
        let url: Option<String> = ledger.setting(SETTING_SERVER_URL)?;
        let token: Option<String> = ledger.setting(SETTING_TOKEN)?;
        let root: Option<String> = ledger.setting(SETTING_ROOT_KEY)?;
        let root = match root {
            Some(hex) => Some(RootKey::from_public_hex(&hex)?),
            None => None,
        };
        let tls_pin: Option<String> = ledger.setting(SETTING_TLS_PIN)?;
        match (url, token) {
            (Some(url), Some(token)) => Ok(Self {
                root_key: root,
                tls_pin,
                ..Self::new(url, token)
            }),
            _ => Err(SyncError::NotEnrolled),
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepReport {
    pub batches: usize,
    pub acknowledged: usize,
    pub rejected: usize,
    /// Refused by the server without being kept: still pending, sent again next round.
    pub held: usize,
    /// Compressed request bytes sent for passages (the wire cost).
    pub bytes_sent: usize,
    /// Photos uploaded after their entries.
    pub photos: super::PhotoReport,
}

/// What one batch's answer did to the ledger.
struct Applied {
    acked: usize,
    rejected: usize,
    held: usize,
}

/// The sync engine for one device ledger.
pub struct SyncEngine {
    pub(super) ledger: Arc<Mutex<Ledger>>,
    pub(super) client: ServerClient,
    pub(super) config: SyncConfig,
    batch_limit: usize,
    status: SyncStatus,
    /// The standing error is "cannot be reached": the next good contact clears it.
    error_is_offline: bool,
}

impl std::fmt::Debug for SyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("server", &self.config.server_url)
            .field("batch_limit", &self.batch_limit)
            .finish_non_exhaustive()
    }
}

/// What the enrollment QR said to trust: the district root key's fingerprint and, for a server
/// with its own (self-signed) certificate, the certificate's fingerprint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pins {
    pub root: Option<String>,
    pub tls: Option<String>,
}

/// Enroll this device with a one-time code, and store the server address, token and config in the
/// ledger. The district root key the server presents is pinned as it is (trust on first use): use
/// [`enroll_pinned`] with the fingerprints from the enrollment QR whenever there is one.
pub async fn enroll(
    ledger: &Arc<Mutex<Ledger>>,
    server_url: &str,
    code: &str,
    label: &str,
) -> Result<EnrollResponse, SyncError> {
    enroll_pinned(ledger, server_url, code, label, &Pins::default()).await
}

/// [`enroll`], refusing (and storing nothing) when the server's root key or TLS certificate does
/// not have the fingerprint printed in the enrollment QR.
pub async fn enroll_pinned(
    ledger: &Arc<Mutex<Ledger>>,
    server_url: &str,
    code: &str,
    label: &str,
    pins: &Pins,
) -> Result<EnrollResponse, SyncError> {
    let device_id = lock(ledger)?.device_id().to_owned();
    let tls = pins.tls.as_deref();
    let client = ServerClient::new(server_url, None, Duration::from_secs(15), tls)?;
    let resp = client
        .enroll(&EnrollRequest {
            code: code.trim().to_owned(),
            device_id,
            label: label.to_owned(),
        })
        .await?;
    let root = RootKey::pin(&resp.root_public_key, pins.root.as_deref())?;
    let mut l = lock(ledger)?;
    l.set_setting(SETTING_SERVER_URL, server_url.trim_end_matches('/'))?;
    l.set_setting(SETTING_TOKEN, &resp.device_token)?;
    l.set_setting(SETTING_DISTRICT, &resp.district_id)?;
    l.set_setting(SETTING_CONFIG, &resp.checkpoint)?;
    l.set_setting(SETTING_PHOTO_MAX_BYTES, &resp.checkpoint.photo_max_bytes)?;
    l.set_setting(SETTING_ROOT_KEY, &root.public_key_hex())?;
    if let Some(pin) = tls {
        l.set_setting(SETTING_TLS_PIN, &pin)?;
    }
    Ok(resp)
}

pub(super) fn lock(
    ledger: &Arc<Mutex<Ledger>>,
) -> Result<std::sync::MutexGuard<'_, Ledger>, SyncError> {
    ledger.lock().map_err(|_| SyncError::LedgerPoisoned)
}

impl SyncEngine {
    pub fn new(ledger: Arc<Mutex<Ledger>>, config: SyncConfig) -> Result<Self, SyncError> {
        let client = ServerClient::new(
            &config.server_url,
            Some(config.device_token.clone()),
            config.request_timeout,
            config.tls_pin.as_deref(),
        )?;
        let mut engine = Self {
            ledger,
            client,
            batch_limit: config.max_batch_records.max(1),
            config,
            status: SyncStatus::default(),
            error_is_offline: false,
        };
        engine.refresh_counts()?;
        Ok(engine)
    }

    pub fn status(&self) -> &SyncStatus {
        &self.status
    }

    pub fn client(&self) -> &ServerClient {
        &self.client
    }

    /// Re-read pending/rejected counts from the ledger into the status.
    pub fn refresh_counts(&mut self) -> Result<(), SyncError> {
        let l = lock(&self.ledger)?;
        let summary = l.upload_summary()?;
        self.status.disabled_at = l.disabled_at()?;
        self.status.photos_pending = l.photo_summary()?.pending;
        drop(l);
        self.status.pending = summary.pending;
        self.status.rejected = summary.rejected;
        self.status.oldest_pending_at = summary.oldest_pending_at;
        Ok(())
    }

    /// A quick `/health` probe; updates the online flag (and the last error when it fails).
    pub async fn probe(&mut self) -> bool {
        match self.client.health().await {
            Ok(()) => {
                self.status.online = true;
                // "Online" beside "cannot be reached" would contradict itself.
                if self.error_is_offline {
                    self.status.last_error_en = None;
                    self.status.last_error_zh = None;
                    self.error_is_offline = false;
                }
                true
            }
            Err(e) => {
                self.note_error(&e);
                false
            }
        }
    }

    fn note_error(&mut self, e: &SyncError) {
        if let Some(reached) = e.reached_server() {
            self.status.online = reached;
        }
        self.error_is_offline = matches!(e, SyncError::Offline(_));
        self.status.last_error_en = Some(e.en());
        self.status.last_error_zh = Some(e.zh());
    }

    /// One full round: upload everything pending, then pull. Status is updated either way.
    pub async fn step(&mut self) -> Result<StepReport, SyncError> {
        self.status.syncing = true;
        let mut result = self.round().await;
        self.status.syncing = false;
        result = self.follow_disabled(result);
        match &result {
            Ok(_) => {
                self.status.online = true;
                self.status.last_success_at = Some(Utc::now());
                self.status.last_error_en = None;
                self.status.last_error_zh = None;
                self.error_is_offline = false;
            }
            Err(e) => {
                self.note_error(e);
                tracing::warn!(error = %e, "sync round failed");
            }
        }
        self.refresh_counts()?;
        result
    }

    async fn round(&mut self) -> Result<StepReport, SyncError> {
        let mut report = self.upload_pending().await?;
        report.photos = self.upload_photos().await?;
        self.pull().await?;
        // The district answered and signed: this device is (again) enabled.
        let mut l = lock(&self.ledger)?;
        if l.disabled_at()?.is_some() {
            l.unlock()?;
            tracing::info!("the district enabled this device again");
        }
        self.status.disabled_at = None;
        Ok(report)
    }

    /// A "disabled" answer locks the device only when the pinned root key signed it for this
    /// device; otherwise it is an untrusted answer and nothing changes.
    fn follow_disabled(
        &mut self,
        result: Result<StepReport, SyncError>,
    ) -> Result<StepReport, SyncError> {
        let Err(SyncError::Disabled(notice)) = result else {
            return result;
        };
        let root = self.config.root_key.as_ref().ok_or(TrustError::NotPinned)?;
        root.verify(notice.as_ref())?;
        let mut l = lock(&self.ledger)?;
        if notice.device_id != l.device_id() {
            return Err(TrustError::WrongNonce.into());
        }
        let purged = l.lock_disabled(notice.disabled_at)?;
        tracing::warn!(purged, "the district disabled this device: gate locked, uploaded records' personal data deleted");
        self.status.disabled_at = Some(notice.disabled_at);
        Err(SyncError::Disabled(notice))
    }

    /// The retention purge: settled passages recorded more than `retention_days` ago (never a
    /// pending one). Run at start and daily by the runner.
    pub fn purge_expired(&self, retention_days: u32) -> Result<usize, SyncError> {
        let cutoff = Utc::now()
            .checked_sub_signed(chrono::Duration::days(i64::from(retention_days)))
            .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
        Ok(lock(&self.ledger)?.purge_settled_before(cutoff)?)
    }

    /// The retention period from the checkpoint config (28 days before the first pull).
    pub fn retention_days(&self) -> u32 {
        lock(&self.ledger)
            .ok()
            .and_then(|l| l.setting::<CheckpointConfig>(SETTING_CONFIG).ok().flatten())
            .map_or(crate::ledger::DEFAULT_RETENTION_DAYS, |c| c.retention_days)
    }

    /// Upload everything pending in `seq`-ordered batches, without the pulls of a full round.
    pub async fn upload_pending(&mut self) -> Result<StepReport, SyncError> {
        let mut report = StepReport::default();
        let (device_id, mut pending_total) = {
            let l = lock(&self.ledger)?;
            (l.device_id().to_owned(), l.pending_count()?)
        };
        // Past the last batch sent: records held back by the server stay pending for next round.
        let mut after = 0u64;
        loop {
            let batch = lock(&self.ledger)?.pending_batch_after(after, self.batch_limit)?;
            let Some(last_seq) = batch.last().map(|e| e.head.seq) else {
                return Ok(report);
            };
            let n = batch.len();
            let ids: Vec<Uuid> = batch.iter().map(|e| e.head.id).collect();
            // Passages recorded during the upload make this an estimate; it is only shown in the device list.
            pending_total = pending_total.max(n as u64);
            let request = BatchRequest {
                device_id: device_id.clone(),
                entries: batch.iter().map(WireEntry::from).collect(),
                backlog: pending_total - n as u64,
            };
            let json =
                serde_json::to_vec(&request).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
            if json.len() > self.config.max_batch_bytes && n > 1 {
                self.batch_limit = (n / 2).max(1);
                continue;
            }
            let (outcome, sent) = self.client.post_batch(&json).await?;
            report.bytes_sent += sent;
            match outcome {
                PostOutcome::TooLarge(limits) => {
                    if n == 1 {
                        return Err(SyncError::RecordTooLarge);
                    }
                    self.batch_limit = limits.max_records.min(n / 2).max(1);
                    tracing::info!(
                        batch_limit = self.batch_limit,
                        "server said 413; shrinking batches"
                    );
                }
                PostOutcome::Posted(resp) => {
                    check_receipt(self.config.root_key.as_ref(), &json, &resp)?;
                    let applied = self.apply_results(&ids, resp)?;
                    pending_total =
                        pending_total.saturating_sub((applied.acked + applied.rejected) as u64);
                    after = last_seq;
                    report.batches += 1;
                    report.acknowledged += applied.acked;
                    report.rejected += applied.rejected;
                    report.held += applied.held;
                    self.batch_limit = (self.batch_limit * 2).min(self.config.max_batch_records);
                }
            }
        }
    }

    /// Apply the results that belong to this batch; anything else in the answer is an error (after the
    /// valid part is applied), so a confused server makes us back off instead of spinning.
    fn apply_results(
        &mut self,
        ids: &[Uuid],
        resp: crate::protocol::BatchResponse,
    ) -> Result<Applied, SyncError> {
        let mut wanted: HashMap<Uuid, Option<Option<UploadOutcome>>> =
            ids.iter().map(|id| (*id, None)).collect();
        let mut stray = 0usize;
        for r in resp.results {
            match wanted.get_mut(&r.id) {
                Some(slot) => {
                    *slot = Some(match r.status {
                        RecordStatus::Accepted | RecordStatus::Duplicate => {
                            Some(UploadOutcome::Acknowledged)
                        }
                        // Kept by the server: settled here.
                        RecordStatus::Quarantined { reason } => {
                            Some(UploadOutcome::Rejected(reason))
                        }
                        // Refused and not kept: it stays pending, so it is not lost.
                        RecordStatus::Rejected { reason } => {
                            tracing::warn!(id = %r.id, reason, "record refused and not kept; kept pending");
                            None
                        }
                    })
                }
                None => stray += 1,
            }
        }
        let answered = wanted.values().filter(|o| o.is_some()).count();
        let results: Vec<(Uuid, UploadOutcome)> = wanted
            .iter()
            .filter_map(|(id, o)| o.clone().flatten().map(|o| (*id, o)))
            .collect();
        let rejected = results
            .iter()
            .filter(|(_, o)| matches!(o, UploadOutcome::Rejected(_)))
            .count();
        let missing = ids.len() - answered;
        lock(&self.ledger)?.apply_upload_results(&results, Utc::now())?;
        if stray > 0 || missing > 0 {
            return Err(SyncError::BadAnswer(format!(
                "{missing} of {} records unanswered, {stray} answers for records not sent",
                ids.len()
            )));
        }
        Ok(Applied {
            acked: results.len() - rejected,
            rejected,
            held: answered - results.len(),
        })
    }

    async fn pull(&mut self) -> Result<(), SyncError> {
        let (since, district_id, roster_since, exits_since) = {
            let l = lock(&self.ledger)?;
            let district: Option<String> = l.setting(SETTING_DISTRICT)?;
            let config: Option<CheckpointConfig> = l.setting(SETTING_CONFIG)?;
            let compound = config.map(|c| c.compound_id).unwrap_or_default();
            // A minute of overlap: batches that committed late are seen again, and kept once.
            let exits_since = l.roster_exits_cursor()?.saturating_sub(60_000).max(0);
            (
                l.revocations_version()?,
                district.unwrap_or_default(),
                l.roster_version(&compound)?,
                exits_since,
            )
        };
        let fresh = || nonce().map_err(|e| SyncError::BadAnswer(format!("no random nonce: {e}")));
        let asked = Asked {
            keys_nonce: fresh()?,
            revocations_nonce: fresh()?,
            config_nonce: fresh()?,
            roster_nonce: fresh()?,
            since,
            roster_since,
            district_id,
        };
        let keys = self.client.key_set(&asked.keys_nonce).await?;
        let revocations = self
            .client
            .revocations(since, &asked.revocations_nonce)
            .await?;
        let sent = Instant::now();
        let sent_at = Utc::now();
        let config = self.client.config(&asked.config_nonce).await?;
        // The server's clock was read about half-way through the round trip.
        let midpoint = sent_at + chrono::Duration::from_std(sent.elapsed() / 2).unwrap_or_default();
        let roster = self
            .client
            .roster(roster_since, exits_since, &asked.roster_nonce)
            .await?;
        let got = Pulled {
            keys,
            revocations,
            config,
            roster,
        };
        // Nothing is applied unless every answer is the district's own, for this request.
        check_pull(self.config.root_key.as_ref(), &asked, &got)?;
        KeySet::from_records(&got.keys.keys)
            .map_err(|e| SyncError::BadAnswer(format!("the signed key set is unusable: {e}")))?;
        let config = got.config.config;
        let offset_ms = (config.server_time - midpoint).num_milliseconds();
        let mut l = lock(&self.ledger)?;
        l.replace_key_set(&got.keys.keys)?;
        l.apply_revocations(got.revocations.version, &got.revocations.revocations)?;
        let roster = &got.roster;
        l.apply_roster(
            &roster.compound_id,
            asked.roster_since == 0,
            roster.version,
            &roster.entries,
        )?;
        l.apply_roster_exits(&roster.exits, roster.exits_cursor, Utc::now())?;
        l.set_setting(SETTING_DISTRICT, &got.keys.district_id)?;
        l.set_setting(SETTING_CONFIG, &config)?;
        l.set_setting(SETTING_PHOTO_MAX_BYTES, &config.photo_max_bytes)?;
        l.set_setting(SETTING_CLOCK_OFFSET, &offset_ms)?;
        l.set_setting(SETTING_TRUST_PULLED_AT, &config.server_time)?;
        self.status.clock_offset_ms = Some(offset_ms);
        Ok(())
    }
}
