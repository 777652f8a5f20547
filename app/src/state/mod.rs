//! Screen and flow logic as plain state structs, each changed only through `reduce(action)`.

pub mod checkin;
pub mod duty;
pub mod enroll;
pub mod gate;
pub mod gate_rules;
mod gate_views;
pub mod handbook;
pub mod incident;
mod incident_notice;
pub mod invite;
pub mod keypad;
pub mod moment;
pub mod notices;
pub mod pad;
pub mod patrol;
mod patrol_journal;
mod patrol_notice;
pub mod recorded;
pub mod records;
pub mod scan;
pub mod settings;
pub mod status;
pub mod theme;
pub mod vehicle;
pub mod verdict;
pub mod visitor;
pub mod wallet;
