//! What every handler shares: the store, the config, the district signer, templates and the rate limiter.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sync_core::pass::DistrictSigner;
use sync_core::signed::RootSigner;

use crate::config::Config;
use crate::store::Store;
use crate::web::templates::Templates;

/// Shared state; cheap to clone. The server keeps nothing else between requests (besides the
/// per-instance rate-limit counters), so several instances can share one database.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub signer: Arc<DistrictSigner>,
    /// Signs key sets, revocation deltas, configs and batch receipts for the devices.
    pub root: Arc<RootSigner>,
    /// The fingerprint of the TLS certificate this server serves itself (for enrollment QR codes).
    pub tls_pin: Option<String>,
    pub templates: Arc<Templates>,
    pub limiter: Arc<RateLimiter>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

/// A sliding-window limit of events per client address (per server instance).
#[derive(Debug)]
pub struct RateLimiter {
    per_window: u32,
    window: Duration,
    seen: Mutex<HashMap<Option<IpAddr>, Vec<Instant>>>,
}

impl RateLimiter {
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Count one event for `addr`; false when it is over the limit.
    pub fn allow(&self, addr: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        if seen.len() > 10_000 {
            seen.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        let times = seen.entry(addr).or_default();
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() >= self.per_window as usize {
            return false;
        }
        times.push(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_per_address() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert!(limiter.allow(a) && limiter.allow(a));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
    }
}
