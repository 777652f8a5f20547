//! Screen and flow logic as plain state structs, each changed only through `reduce(action)`.

pub mod enroll;
pub mod gate;
mod gate_views;
pub mod records;
pub mod scan;
pub mod settings;
pub mod status;
pub mod vehicle;
pub mod verdict;
pub mod visitor;
pub mod wallet;
