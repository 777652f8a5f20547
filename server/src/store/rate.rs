//! Rate limits in the database, so every server instance counts the same events: a count per key
//! in fixed windows, and a sliding estimate (the previous window weighed by how much of it still
//! lies within one window of now, plus the current one).

use super::{DbError, Store};

/// At most `per_window` events per key within any `window_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub per_window: u32,
    pub window_ms: i64,
}

impl RateLimit {
    /// The start of the fixed window holding `now_ms`.
    fn window_start(self, now_ms: i64) -> i64 {
        now_ms - now_ms.rem_euclid(self.window_ms.max(1))
    }

    /// The sliding estimate of events within one window of `now_ms`, counting `current` in the
    /// current fixed window and `previous` in the one before.
    pub fn estimate(self, now_ms: i64, previous: i64, current: i64) -> f64 {
        let window = self.window_ms.max(1) as f64;
        let into = (now_ms - self.window_start(now_ms)) as f64;
        previous as f64 * ((window - into) / window) + current as f64
    }
}

/// Windows older than this are purged with the retention job.
pub(crate) const KEEP_WINDOWS_MS: i64 = 24 * 3600 * 1000;

impl Store {
    /// Count one event for `key` unless it would go over `limit`; false (and nothing counted)
    /// when it would. The current window's row is locked until the decision is committed, so
    /// concurrent requests on several instances never admit more than the limit.
    pub async fn rate_allow(
        &self,
        key: &str,
        limit: RateLimit,
        now_ms: i64,
    ) -> Result<bool, DbError> {
        let start = limit.window_start(now_ms);
        let mut tx = self.begin().await?;
        let current: Vec<(i64,)> = tx
            .query_as(
                "INSERT INTO rate_windows (rate_key, window_start_ms, events) VALUES ($1, $2, 1)
                 ON CONFLICT (rate_key, window_start_ms)
                 DO UPDATE SET events = rate_windows.events + 1
                 RETURNING events",
                vec![key.into(), start.into()],
            )
            .await?;
        let previous: Vec<(i64,)> = tx
            .query_as(
                "SELECT events FROM rate_windows WHERE rate_key = $1 AND window_start_ms = $2",
                vec![key.into(), (start - limit.window_ms).into()],
            )
            .await?;
        let current = current.first().map_or(1, |(n,)| *n);
        let previous = previous.first().map_or(0, |(n,)| *n);
        let allowed = limit.estimate(now_ms, previous, current) <= f64::from(limit.per_window);
        if !allowed {
            tx.execute(
                "UPDATE rate_windows SET events = events - 1
                 WHERE rate_key = $1 AND window_start_ms = $2",
                vec![key.into(), start.into()],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(allowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOURLY: RateLimit = RateLimit {
        per_window: 10,
        window_ms: 3_600_000,
    };

    #[test]
    fn the_previous_window_counts_less_as_it_slides_away() {
        let start = 100 * 3_600_000;
        assert_eq!(HOURLY.estimate(start, 10, 1), 11.0);
        assert_eq!(HOURLY.estimate(start + 1_800_000, 10, 1), 6.0);
        assert!(HOURLY.estimate(start + 3_599_999, 10, 1) < 1.01);
    }

    #[tokio::test]
    async fn the_limit_counts_per_key_and_refusals_count_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite:{}", dir.path().join("rate.db").display());
        let store = Store::open(&url).await.expect("open");
        let two = RateLimit {
            per_window: 2,
            window_ms: 60_000,
        };
        let now = 1_000 * 60_000 + 59_000;
        let allow = |key: &'static str, at: i64| {
            let store = store.clone();
            async move { store.rate_allow(key, two, at).await.expect("rate") }
        };
        assert!(allow("ip:10.0.0.1", now).await && allow("ip:10.0.0.1", now).await);
        assert!(!allow("ip:10.0.0.1", now).await);
        assert!(allow("ip:10.0.0.2", now).await);
        // Early in the next minute the previous one still weighs nearly fully …
        assert!(!allow("ip:10.0.0.1", now + 2_000).await);
        // … and two minutes on it is gone; the refusals were never counted.
        assert!(allow("ip:10.0.0.1", now + 120_000).await);
        assert!(allow("ip:10.0.0.1", now + 120_000).await);
        assert!(!allow("ip:10.0.0.1", now + 120_000).await);
    }
}
