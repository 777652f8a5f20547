//! Login throttling in the database, so every server instance sees the same failures: a count per
//! account and per address, and until when the next attempt is refused (exponential back-off).

use super::{DbError, Store};

/// Failures after which a key's count starts again (a forgotten password last week is no reason
/// to wait today).
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;
/// The longest wait.
const MAX_WAIT_MS: i64 = 15 * 60 * 1000;

/// One throttled key: `user:<name>` or `ip:<address>`, with the failures it may have for free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    pub key: String,
    pub free_failures: i64,
}

/// The wait after the `failures`-th failure: none for the free ones, then 1 s, 2 s, 4 s … up to
/// 15 minutes.
pub fn backoff_ms(failures: i64, free_failures: i64) -> i64 {
    let over = failures - free_failures;
    if over <= 0 {
        return 0;
    }
    let doublings = u32::try_from(over - 1).unwrap_or(u32::MAX).min(20);
    (1000_i64 << doublings).min(MAX_WAIT_MS)
}

impl Store {
    /// The latest time until which any of `keys` is blocked, when that is still to come.
    pub async fn login_blocked_until(
        &self,
        keys: &[ThrottleKey],
        now_ms: i64,
    ) -> Result<Option<i64>, DbError> {
        let mut until = None;
        for k in keys {
            let row: Option<(i64,)> = self
                .query_opt(
                    "SELECT blocked_until_ms FROM login_throttle
                     WHERE throttle_key = $1 AND blocked_until_ms > $2",
                    vec![k.key.as_str().into(), now_ms.into()],
                )
                .await?;
            until = until.max(row.map(|(t,)| t));
        }
        Ok(until)
    }

    /// Count a failed login on every key; returns until when the next attempt must wait (`now_ms`
    /// when it need not).
    pub async fn login_failed(&self, keys: &[ThrottleKey], now_ms: i64) -> Result<i64, DbError> {
        let mut tx = self.begin().await?;
        let mut until = now_ms;
        for k in keys {
            let rows: Vec<(i64,)> = tx
                .query_as(
                    "INSERT INTO login_throttle
                         (throttle_key, failures, blocked_until_ms, last_failure_ms)
                     VALUES ($1, 1, 0, $2)
                     ON CONFLICT (throttle_key) DO UPDATE SET
                         failures = CASE WHEN login_throttle.last_failure_ms < $3 THEN 1
                                         ELSE login_throttle.failures + 1 END,
                         last_failure_ms = $2
                     RETURNING failures",
                    vec![
                        k.key.as_str().into(),
                        now_ms.into(),
                        (now_ms - FORGET_AFTER_MS).into(),
                    ],
                )
                .await?;
            let failures = rows.first().map_or(1, |(f,)| *f);
            let blocked_until = now_ms + backoff_ms(failures, k.free_failures);
            tx.execute(
                "UPDATE login_throttle SET blocked_until_ms = $2 WHERE throttle_key = $1",
                vec![k.key.as_str().into(), blocked_until.into()],
            )
            .await?;
            until = until.max(blocked_until);
        }
        tx.commit().await?;
        Ok(until)
    }

    /// A successful login clears the account's and the address's failures.
    pub async fn login_succeeded(&self, keys: &[ThrottleKey]) -> Result<(), DbError> {
        for k in keys {
            self.exec(
                "DELETE FROM login_throttle WHERE throttle_key = $1",
                vec![k.key.as_str().into()],
            )
            .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_failures_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=6).map(|n| backoff_ms(n, 3)).collect();
        assert_eq!(waits, vec![0, 0, 0, 1000, 2000, 4000]);
        assert_eq!(backoff_ms(40, 3), MAX_WAIT_MS);
        assert_eq!(backoff_ms(i64::MAX, 0), MAX_WAIT_MS);
    }
}
