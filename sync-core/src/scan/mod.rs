//! The camera scan pipeline: luma frames in, QR payload texts out, with retries, panic isolation and stable reads.
//!
//! [`Scanner::scan`] runs an ordered list of attempts (an image step and a decoder: rxing or rqrr)
//! on one [`LumaFrame`] and stops at the first that reads. A decoder panic (rqrr#54 and the like)
//! is caught, counted and treated as "nothing read". [`StableReader`] then decides across frames
//! when a payload is trustworthy: it verifies, or the same text was read in two frames.
//! The default order of attempts comes from `cargo xtask bench scan`. [`BudgetedScanner`] runs
//! them under a time budget per frame, carrying what does not fit over to the next frames (the
//! camera loop uses it, so a hard frame never stalls the preview).

mod budget;
mod decoders;
mod frame;
mod pipeline;
mod stable;
#[cfg(any(test, feature = "fixtures"))]
pub mod synth;

pub use budget::{BudgetedScanner, DEFAULT_FRAME_BUDGET};
pub use decoders::{panics_caught, Decoder};
pub use frame::{FrameError, Gray, LumaFrame, MAX_PIXELS, MAX_SIDE};
pub use pipeline::{Attempt, FrameScan, Read, ScanConfig, Scanner, Step, DEFAULT_ATTEMPTS};
pub use stable::{StableRead, StableReader};

/// Scan one frame with the default configuration.
pub fn scan_frame(frame: &LumaFrame<'_>) -> FrameScan {
    Scanner::default().scan(frame)
}
