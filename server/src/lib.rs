//! The district server: enrollment, exactly-once batch ingest, passes, keys, revocations, dashboard and daily report.

pub mod auth;
pub mod config;
pub mod report;
pub mod store;
