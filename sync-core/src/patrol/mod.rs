//! Digital patrol (数字巡查): the signed labels of patrol points, which a gate phone verifies
//! offline as real points of its own compound. Rounds, schedules and checks come with the patrol
//! issue's later steps.

mod point;

pub use point::{sign_point, PatrolPoint, PointCheck, PointError, POINT_PREFIX};
