//! Digital patrol (数字巡查): signed labels of patrol points, which a gate phone verifies offline
//! as real points of its own compound; routes and schedules (`plan`), the journal body of a check
//! (`check`), and the evaluation of scheduled rounds from the checks that arrived (`evaluate`).

mod check;
mod evaluate;
mod plan;
mod point;

pub use check::{CheckError, PatrolCheckData, PatrolStep, PointOutcome, MAX_NOTE_CHARS};
pub use evaluate::{
    completion, evaluate, CheckFact, FactStep, PointVisit, Round, RoundPoint, RoundStatus,
    RouteDay, DOUBLE_CHECK_SECONDS,
};
pub use plan::{
    next_round, windows_on, PatrolRoute, RoundWindow, RoutePoint, Schedule, ScheduleError,
};
pub use point::{sign_point, PatrolPoint, PointCheck, PointError, POINT_PREFIX};

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The local calendar day at `now` for a district at `utc_offset_minutes`.
pub fn local_day(now: DateTime<Utc>, utc_offset_minutes: i32) -> NaiveDate {
    (now + Duration::minutes(i64::from(utc_offset_minutes))).date_naive()
}
