//! The district server: enrollment, exactly-once batch ingest, passes, keys, revocations, dashboard and daily report.
//!
//! Architecture invariant: the server keeps no state between requests except in its database
//! (and per-instance rate-limit counters), so several instances can run behind a load balancer.

pub mod access;
pub mod anomaly_panel;
pub mod api;
pub mod app;
pub mod auth;
pub mod client_ip;
pub mod config;
pub mod error;
pub mod panics;
pub mod passes;
pub mod report;
pub mod resident_edit;
pub mod retention;
pub mod route_table;
pub mod serve;
pub mod setup;
pub mod staff;
pub mod state;
pub mod store;
pub mod tls;
pub mod web;

pub use app::app;
pub use config::Config;
pub use state::AppState;
pub use store::Store;
pub mod demo;
