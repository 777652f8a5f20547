//! The sync engine: uploads pending passages in batches, exactly once, and pulls keys, revocations,
//! config and server time whenever the district server can be reached (feature `client`).
//!
//! Exactly-once comes from the two ends together: the device resends anything not acknowledged, and the
//! server stores each record once per (device, seq) and id, answering `duplicate` for a resend.
//! Every answer the engine applies is signed by the district root key pinned at enrollment
//! (`trust.rs`); an unsigned or altered answer changes nothing on the device.
//! The engine can be driven step by step ([`SyncEngine::step`]) or run as a tokio task ([`spawn`]).

mod backoff;
mod client;
mod engine;
mod error;
mod photos;
mod runner;
mod status;
mod transport;
mod trust;

pub use backoff::Backoff;
pub use client::{PhotoOutcome, PostOutcome, ServerClient};
pub use engine::{
    enroll, enroll_pinned, Pins, StepReport, SyncConfig, SyncEngine, SETTING_CLOCK_OFFSET,
    SETTING_CONFIG, SETTING_DISTRICT, SETTING_ROOT_KEY, SETTING_SERVER_URL, SETTING_TLS_PIN,
    SETTING_TOKEN, SETTING_TRUST_PULLED_AT,
};
pub use error::SyncError;
pub use photos::PhotoReport;
pub use runner::{spawn, RunnerTimings, SyncHandle};
pub use status::{SyncStatus, CLOCK_WARNING_MS};
pub use transport::{cert_fingerprint, check_scheme};
