//! Exponential backoff with full jitter, for probing the server while offline.

use std::time::Duration;

/// Doubles the ceiling after each failure up to `max`; each wait is a random fraction of the ceiling
/// (at least `min`), so many gates coming back at once do not hit the server in step.
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    ceiling: Duration,
    rng: u64,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Self {
            min,
            max,
            ceiling: min,
            rng: seed | 1,
        }
    }

    /// The next wait after a failure.
    pub fn next_wait(&mut self) -> Duration {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let fraction = (self.rng % 1000) as f64 / 1000.0;
        let wait = self.min.max(self.ceiling.mul_f64(fraction));
        self.ceiling = (self.ceiling * 2).min(self.max);
        wait
    }

    /// After a success, start again from the minimum.
    pub fn reset(&mut self) {
        self.ceiling = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_jitter_and_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let waits: Vec<Duration> = (0..12).map(|_| b.next_wait()).collect();
        assert!(waits
            .iter()
            .all(|w| *w >= Duration::from_millis(100) && *w <= Duration::from_secs(2)));
        assert!(
            waits.windows(2).any(|w| w[0] != w[1]),
            "jitter varies the waits"
        );
        b.reset();
        assert!(b.next_wait() <= Duration::from_millis(100));
    }
}
