//! One instance at a time: a background job (the retention purge, the anomaly recount) runs only
//! on the server instance that holds its lock, however many instances share the database.
//!
//! PostgreSQL: a session advisory lock on a pooled connection kept for the job. If the process
//! dies, PostgreSQL ends the session and the lock goes with it, so no lease has to time out; a
//! lead dropped without `release` closes its connection instead of returning it to the pool with
//! the lock still held. SQLite serves one instance, which always leads.

use async_trait::async_trait;

use super::{DbError, Store};

/// The jobs that run on one instance at a time, each with its advisory lock key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Retention,
    AnomalyCounts,
}

impl Job {
    /// The advisory lock's key (beside the migrations' `0x00C4_EC9B_0001`).
    pub(crate) fn key(self) -> i64 {
        match self {
            Job::Retention => 0x00C4_EC9B_0010,
            Job::AnomalyCounts => 0x00C4_EC9B_0011,
        }
    }
}

/// What a backend holds while a job runs.
#[async_trait]
pub(crate) trait Held: Send {
    async fn release(self: Box<Self>);
}

/// The right to run a job now; give it back with `release` when the job is done.
pub struct Lead {
    held: Option<Box<dyn Held>>,
}

impl std::fmt::Debug for Lead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lead")
            .field("held", &self.held.is_some())
            .finish()
    }
}

impl Lead {
    /// A lead nobody else can contest (one instance on SQLite).
    pub(crate) fn solo() -> Self {
        Self { held: None }
    }

    pub(crate) fn holding(held: Box<dyn Held>) -> Self {
        Self { held: Some(held) }
    }

    pub async fn release(mut self) {
        if let Some(held) = self.held.take() {
            held.release().await;
        }
    }
}

impl Store {
    /// Lead `job` now if no other instance does; `None` while another one runs it.
    pub async fn try_lead(&self, job: Job) -> Result<Option<Lead>, DbError> {
        self.backend.try_lead(job.key()).await
    }
}

/// Run `work` if this instance gets the lead of `job`; say so when another instance has it.
pub async fn run_led<F, Fut>(store: &Store, job: Job, work: F)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    match store.try_lead(job).await {
        Ok(Some(lead)) => {
            work().await;
            lead.release().await;
        }
        Ok(None) => tracing::debug!(?job, "another server instance runs this job now"),
        Err(e) => tracing::error!(?job, error = %e, "cannot take the job's lock"),
    }
}
