//! One module per screen. Views read state signals and call `reduce` or a flow; no logic of their own.

pub mod checkin;
pub mod duty;
pub mod enroll;
pub mod handbook;
pub mod home;
pub mod incident;
pub mod invite;
pub mod my_pass;
pub mod notices;
pub mod patrol;
pub mod records;
pub mod scan;
pub mod settings;
pub mod status;
pub mod vehicle;
pub mod visitor;
