//! When, which way and where a passage happens: what every gate action carries.

use std::time::Instant;

use chrono::{DateTime, Utc};
use sync_core::Direction;

#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub direction: Direction,
    /// The monotonic instant (for the duplicate window).
    pub at: Instant,
    /// The device clock, recorded with the passage.
    pub recorded_at: DateTime<Utc>,
    /// Server time minus device time, as last learned.
    pub clock_offset_ms: Option<i64>,
    /// The gate, from the settings (their one copy).
    pub gate: String,
    /// Who records it: the staff member on duty, or the phone's own name.
    pub staff: String,
}
