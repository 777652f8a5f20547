//! A time budget per camera frame: a hard frame never holds the camera loop for long.
//!
//! The first attempt (the cheapest, and the one that reads most codes) runs on every frame; the
//! others continue where the previous frame stopped, as many as fit in the budget by their
//! measured cost, at least one. A code in view for a few frames thus still meets every attempt,
//! spread over those frames, instead of one frame trying them all while the preview stalls.

use std::time::{Duration, Instant};

use super::frame::LumaFrame;
use super::pipeline::{reads, FrameScan, Prepared, ScanConfig, Scanner, Tried};

/// The default budget: about one frame at 30 frames a second on the machine the bench runs on.
pub const DEFAULT_FRAME_BUDGET: Duration = Duration::from_millis(30);

/// How much a new measurement moves an attempt's cost estimate.
const COST_WEIGHT: f64 = 0.3;

/// Runs a [`ScanConfig`] under a per-frame time budget, carrying the remaining attempts over to
/// the next frame.
#[derive(Debug, Clone)]
pub struct BudgetedScanner {
    scanner: Scanner,
    budget: Duration,
    /// The attempt (index ≥ 1) the next frame continues with.
    next: usize,
    /// Each attempt's measured cost (ms, a moving average); 0 until measured.
    cost_ms: Vec<f64>,
}

impl BudgetedScanner {
    pub fn new(config: ScanConfig, budget: Duration) -> Self {
        let n = config.attempts.len();
        Self {
            scanner: Scanner::new(config),
            budget,
            next: 1,
            cost_ms: vec![0.0; n],
        }
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Scan one frame within the budget (one attempt may overrun it: a decoder cannot be
    /// stopped half way). `deferred` in the result counts the attempts left for later frames.
    pub fn scan(&mut self, frame: &LumaFrame<'_>) -> FrameScan {
        let started = Instant::now();
        let n = self.scanner.config().attempts.len();
        let mut prepared = Prepared::new(frame);
        let mut out = FrameScan::default();
        let order = std::iter::once(0).chain((self.next..n).chain(1..self.next.min(n)));
        let mut continued = 0;
        for (position, i) in order.enumerate() {
            let Some(&attempt) = self.scanner.config().attempts.get(i) else {
                continue;
            };
            let spent_ms = started.elapsed().as_secs_f64() * 1e3;
            let fits = spent_ms + self.cost_ms.get(i).copied().unwrap_or(0.0)
                <= self.budget.as_secs_f64() * 1e3;
            if i != 0 && continued > 0 && !fits {
                self.next = i;
                out.deferred = u32::try_from(n - position).unwrap_or(u32::MAX);
                return out;
            }
            let t = Instant::now();
            let tried = self.scanner.run(&mut prepared, attempt, &mut out);
            if !matches!(tried, Tried::Skipped) {
                self.learn(i, t.elapsed());
                continued += usize::from(i != 0);
            }
            if let Tried::Read(texts) = tried {
                out.reads = reads(texts, attempt);
                self.next = 1;
                return out;
            }
        }
        self.next = 1;
        out
    }

    fn learn(&mut self, attempt: usize, took: Duration) {
        if let Some(cost) = self.cost_ms.get_mut(attempt) {
            let ms = took.as_secs_f64() * 1e3;
            *cost = if *cost == 0.0 {
                ms
            } else {
                *cost * (1.0 - COST_WEIGHT) + ms * COST_WEIGHT
            };
        }
    }
}

impl Default for BudgetedScanner {
    fn default() -> Self {
        Self::new(ScanConfig::default(), DEFAULT_FRAME_BUDGET)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::frame::Gray;
    use crate::scan::{Attempt, Decoder, Step};

    fn code_frame(text: &str) -> Gray {
        let code = crate::render::qr_luma(text, 4).expect("a code");
        Gray {
            width: code.width() as usize,
            height: code.height() as usize,
            px: code.into_raw(),
        }
    }

    /// Attempts of which only the last can read a plain dark-on-light code.
    fn late_reader() -> ScanConfig {
        let a = |decoder, step| Attempt { decoder, step };
        ScanConfig {
            attempts: vec![
                a(Decoder::Rqrr, Step::Inverted),
                a(Decoder::Rqrr, Step::Inverted),
                a(Decoder::Rqrr, Step::Inverted),
                a(Decoder::Rqrr, Step::Original),
            ],
            ..ScanConfig::default()
        }
    }

    #[test]
    fn with_no_budget_the_attempts_spread_over_frames_and_the_code_is_still_read() {
        let img = code_frame("R000137");
        let frame = LumaFrame::new(img.width, img.height, img.width, &img.px).expect("a frame");
        let mut scanner = BudgetedScanner::new(late_reader(), Duration::ZERO);
        let mut frames = 0;
        let read = loop {
            frames += 1;
            let scan = scanner.scan(&frame);
            assert!(
                scan.attempts_tried <= 2,
                "one attempt and one carried over per frame"
            );
            if let Some(r) = scan.reads.first() {
                break r.text.clone();
            }
            assert!(scan.deferred > 0, "nothing was carried over");
            assert!(frames < 10, "the last attempt never came");
        };
        assert_eq!(read, "R000137");
        assert_eq!(frames, 3, "attempts 1, 2 and 3 on frames 1, 2 and 3");
    }

    #[test]
    fn with_room_in_the_budget_one_frame_tries_everything() {
        let img = code_frame("R000137");
        let frame = LumaFrame::new(img.width, img.height, img.width, &img.px).expect("a frame");
        let mut scanner = BudgetedScanner::new(late_reader(), Duration::from_secs(60));
        let scan = scanner.scan(&frame);
        assert_eq!(scan.reads.first().map(|r| r.text.as_str()), Some("R000137"));
        assert_eq!(scan.attempts_tried, 4);
        assert_eq!(scan.deferred, 0);
    }
}
