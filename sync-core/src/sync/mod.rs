//! The sync engine: uploads pending passages in batches, exactly once, and pulls keys, revocations,
//! config and server time whenever the district server can be reached (feature `client`).
//!
//! Exactly-once comes from the two ends together: the device resends anything not acknowledged, and the
//! server stores each record once per (device, seq) and id, answering `duplicate` for a resend.
//! The engine can be driven step by step ([`SyncEngine::step`]) or run as a tokio task ([`spawn`]).

mod backoff;
mod client;
mod engine;
mod error;
mod runner;
mod status;

pub use backoff::Backoff;
pub use client::{PostOutcome, ServerClient};
pub use engine::{
    enroll, StepReport, SyncConfig, SyncEngine, SETTING_CLOCK_OFFSET, SETTING_CONFIG,
    SETTING_DISTRICT, SETTING_SERVER_URL, SETTING_TOKEN,
};
pub use error::SyncError;
pub use runner::{spawn, RunnerTimings, SyncHandle};
pub use status::{SyncStatus, CLOCK_WARNING_MS};
