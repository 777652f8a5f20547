//! The server's retention purge, run by itself: once at start and then hourly, by the retention
//! period (28 days by default), on one server instance at a time (`Job::Retention`). What goes is
//! in `Store::purge_before`. On PostgreSQL the same job makes the journal's month partitions ahead
//! of time (`Store::make_months`).

use chrono::{Duration, Utc};

use crate::store::{run_led, Job, Store};

/// How often the purge runs.
pub const EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// One purge now: everything `Store::purge_before` removes, older than `retention_days`.
pub async fn purge_once(store: &Store, retention_days: u32) {
    let now = Utc::now();
    let cutoff = now - Duration::days(i64::from(retention_days));
    // The journal's months ahead of time (PostgreSQL), before anything is purged.
    match store.make_months(cutoff, now).await {
        Ok(0) => {}
        Ok(made) => tracing::info!(made, "retention: journal month partitions made"),
        Err(e) => tracing::error!(error = %e, "retention: making the journal's months failed"),
    }
    match store
        .purge_before(cutoff.timestamp_millis(), now.timestamp_millis())
        .await
    {
        Ok(p) if p.total() == 0 => {}
        Ok(p) => tracing::info!(?p, "retention: old records deleted"),
        Err(e) => tracing::error!(error = %e, "retention purge failed"),
    }
}

/// Run the purge now and every [`EVERY`] for as long as the server runs, unless another
/// instance is running it at that moment.
pub fn spawn(store: Store, retention_days: u32) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            run_led(&store, Job::Retention, || {
                purge_once(&store, retention_days)
            })
            .await;
            tokio::time::sleep(EVERY).await;
        }
    })
}
